#include "util/byte_size.h"

#include <cctype>
#include <cstdio>
#include <limits>

namespace aiotune {

namespace {
std::string_view trim(std::string_view s) {
    while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front()))) s.remove_prefix(1);
    while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) s.remove_suffix(1);
    return s;
}
} // namespace

Result<std::uint64_t> parseByteSize(std::string_view text) {
    const std::string_view s = trim(text);
    const std::string quoted = "\"" + std::string(text) + "\"";
    if (s.empty()) return makeError("empty size: expected a number such as 4096, 128K, 1M or 1G");
    std::size_t i = 0;
    std::uint64_t value = 0;
    while (i < s.size() && std::isdigit(static_cast<unsigned char>(s[i]))) {
        const std::uint64_t digit = static_cast<std::uint64_t>(s[i] - '0');
        if (value > (std::numeric_limits<std::uint64_t>::max() - digit) / 10)
            return makeError("size " + quoted + " is too large");
        value = value * 10 + digit;
        ++i;
    }
    if (i == 0)
        return makeError("size " + quoted +
                         " is not a whole number of bytes: use e.g. 4096, 128K, 1M or 1G");
    std::string suffix;
    for (; i < s.size(); ++i) suffix += static_cast<char>(std::toupper(static_cast<unsigned char>(s[i])));
    unsigned shift = 0;
    if (suffix.empty() || suffix == "B") shift = 0;
    else if (suffix == "K" || suffix == "KB" || suffix == "KIB") shift = 10;
    else if (suffix == "M" || suffix == "MB" || suffix == "MIB") shift = 20;
    else if (suffix == "G" || suffix == "GB" || suffix == "GIB") shift = 30;
    else if (suffix == "T" || suffix == "TB" || suffix == "TIB") shift = 40;
    else
        return makeError("size " + quoted + " has an unknown unit: use K, M, G or T (powers of 1024)");
    if (shift > 0 && value > (std::numeric_limits<std::uint64_t>::max() >> shift))
        return makeError("size " + quoted + " is too large");
    return value << shift;
}

std::string formatByteSizeTag(std::uint64_t bytes) {
    static constexpr const char* units[] = {"", "K", "M", "G", "T"};
    int unit = 0;
    while (bytes != 0 && bytes % 1024 == 0 && unit < 4) {
        bytes /= 1024;
        ++unit;
    }
    return std::to_string(bytes) + units[unit];
}

std::string formatByteSizeHuman(std::uint64_t bytes) {
    static constexpr const char* units[] = {"B", "KiB", "MiB", "GiB", "TiB"};
    double v = static_cast<double>(bytes);
    int unit = 0;
    while (v >= 1024.0 && unit < 4) {
        v /= 1024.0;
        ++unit;
    }
    char buf[32];
    if (unit == 0 || v >= 100.0 || v == static_cast<double>(static_cast<std::uint64_t>(v)))
        std::snprintf(buf, sizeof buf, "%.0f %s", v, units[unit]);
    else
        std::snprintf(buf, sizeof buf, "%.1f %s", v, units[unit]);
    return buf;
}

Result<std::vector<std::uint64_t>> parseByteSizeList(std::string_view text) {
    std::vector<std::uint64_t> out;
    std::size_t start = 0;
    while (start <= text.size()) {
        std::size_t end = text.find_first_of(", ", start);
        if (end == std::string_view::npos) end = text.size();
        const std::string_view item = text.substr(start, end - start);
        if (!trim(item).empty()) {
            auto v = parseByteSize(item);
            if (!v) return makeError(v.error());
            out.push_back(*v);
        }
        start = end + 1;
    }
    if (out.empty()) return makeError("empty list of sizes: expected e.g. 128K,1M");
    return out;
}

} // namespace aiotune
