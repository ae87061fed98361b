#include "util/int_list.h"

#include <algorithm>
#include <charconv>
#include <string>

namespace aiotune {

Result<std::vector<int>> parseIntList(std::string_view text, std::string_view what) {
    std::vector<int> out;
    const auto separator = [](char c) { return c == ',' || c == ' ' || c == '\t' || c == '\n' || c == '\r'; };
    std::size_t i = 0;
    while (i < text.size()) {
        while (i < text.size() && separator(text[i])) ++i;
        std::size_t j = i;
        while (j < text.size() && !separator(text[j])) ++j;
        if (j == i) break;
        const std::string_view item = text.substr(i, j - i);
        int v = 0;
        const auto [end, ec] = std::from_chars(item.data(), item.data() + item.size(), v);
        if (ec != std::errc() || end != item.data() + item.size() || v < 1)
            return makeError(std::string(what) + ": \"" + std::string(item) +
                             "\" is not a whole number >= 1 (e.g. 8, 32)");
        if (std::find(out.begin(), out.end(), v) == out.end()) out.push_back(v);
        i = j;
    }
    if (out.empty()) return makeError(std::string(what) + ": give at least one value, e.g. 8, 32");
    return out;
}

} // namespace aiotune
