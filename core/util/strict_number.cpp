#include "util/strict_number.h"

#include <cctype>
#include <cerrno>
#include <cstdlib>
#include <limits>
#include <string>

namespace aiotune {

namespace {
bool equalsNoCase(std::string_view a, std::string_view b) {
    if (a.size() != b.size()) return false;
    for (std::size_t i = 0; i < a.size(); ++i)
        if (std::tolower(static_cast<unsigned char>(a[i])) != b[i]) return false;
    return true;
}
} // namespace

Result<double> parsePythonFloat(std::string_view text) {
    const std::string shown = "\"" + std::string(text) + "\"";
    if (text.empty()) return makeError("no number");
    std::size_t i = 0;
    const bool negative = text[0] == '-';
    if (text[0] == '+' || text[0] == '-') ++i;
    const std::string_view body = text.substr(i);
    if (equalsNoCase(body, "nan")) return std::numeric_limits<double>::quiet_NaN();
    if (equalsNoCase(body, "inf") || equalsNoCase(body, "infinity"))
        return negative ? -std::numeric_limits<double>::infinity()
                        : std::numeric_limits<double>::infinity();
    std::size_t digits = 0;
    while (i < text.size() && std::isdigit(static_cast<unsigned char>(text[i])))
        ++i, ++digits;
    if (i < text.size() && text[i] == '.') {
        ++i;
        while (i < text.size() && std::isdigit(static_cast<unsigned char>(text[i])))
            ++i, ++digits;
    }
    if (digits == 0) {
        for (const char c : text)
            if (static_cast<unsigned char>(c) >= 0x80)
                return makeError(shown + " is not a plain number (non-ASCII characters)");
        return makeError(shown + " is not a number");
    }
    if (i < text.size() && (text[i] == 'e' || text[i] == 'E')) {
        ++i;
        if (i < text.size() && (text[i] == '+' || text[i] == '-')) ++i;
        std::size_t expDigits = 0;
        while (i < text.size() && std::isdigit(static_cast<unsigned char>(text[i])))
            ++i, ++expDigits;
        if (expDigits == 0)
            return makeError(shown + " is not a number (an exponent without digits)");
    }
    if (i != text.size()) {
        if (text[i] == '_')
            return makeError(shown + " groups its digits with '_': write it as a plain number");
        return makeError(shown + " is not a number (\"" + std::string(text.substr(i)) +
                         "\" after \"" + std::string(text.substr(0, i)) + "\")");
    }
    // The syntax is checked; strtod converts (overflow gives inf, as in Python).
    const std::string copy(text);
    errno = 0;
    return std::strtod(copy.c_str(), nullptr);
}

} // namespace aiotune
