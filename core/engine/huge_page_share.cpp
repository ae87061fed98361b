#include "engine/huge_page_share.h"

#include <algorithm>
#include <charconv>
#include <fstream>
#include <sstream>
#include <string>

namespace aiotune {

namespace {

bool parseHex(std::string_view s, std::uintptr_t& out) {
    auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), out, 16);
    return ec == std::errc() && p == s.data() + s.size();
}

// "7f00...-7f01... rw-p ..." -> the range, or false for a field line.
bool parseHeader(std::string_view line, std::uintptr_t& lo, std::uintptr_t& hi) {
    const auto space = line.find(' ');
    const auto dash = line.find('-');
    if (space == std::string_view::npos || dash == std::string_view::npos || dash > space) return false;
    return parseHex(line.substr(0, dash), lo) && parseHex(line.substr(dash + 1, space - dash - 1), hi) &&
           lo < hi;
}

// "AnonHugePages:      2048 kB" -> bytes, when the line is that field.
bool parseKbField(std::string_view line, std::string_view name, std::uint64_t& bytes) {
    if (line.size() <= name.size() || line.substr(0, name.size()) != name || line[name.size()] != ':')
        return false;
    std::string_view rest = line.substr(name.size() + 1);
    while (!rest.empty() && rest.front() == ' ') rest.remove_prefix(1);
    std::uint64_t kb = 0;
    auto [p, ec] = std::from_chars(rest.data(), rest.data() + rest.size(), kb);
    if (ec != std::errc()) return false;
    bytes = kb * 1024;
    return true;
}

} // namespace

std::optional<double> hugePageShareFromSmaps(std::string_view text, std::uintptr_t begin,
                                             std::uintptr_t end) {
    if (end <= begin) return std::nullopt;
    double hugeBytes = 0;
    bool found = false;
    std::uintptr_t lo = 0, hi = 0;
    bool inRange = false;
    while (!text.empty()) {
        const auto nl = text.find('\n');
        const std::string_view line = text.substr(0, nl);
        text.remove_prefix(nl == std::string_view::npos ? text.size() : nl + 1);
        std::uintptr_t a = 0, b = 0;
        if (parseHeader(line, a, b)) {
            lo = a;
            hi = b;
            inRange = a < end && b > begin;
            found = found || inRange;
            continue;
        }
        std::uint64_t huge = 0;
        if (inRange && parseKbField(line, "AnonHugePages", huge)) {
            const double overlap =
                static_cast<double>(std::min(hi, end) - std::max(lo, begin)) / static_cast<double>(hi - lo);
            hugeBytes += static_cast<double>(huge) * overlap;
        }
    }
    if (!found) return std::nullopt;
    return std::clamp(hugeBytes / static_cast<double>(end - begin), 0.0, 1.0);
}

std::optional<double> readHugePageShare(const void* data, std::size_t size,
                                        const std::filesystem::path& smapsPath) {
    if (!data || size == 0) return std::nullopt;
    std::ifstream in(smapsPath);
    if (!in) return std::nullopt;
    std::ostringstream text;
    text << in.rdbuf();
    const auto begin = reinterpret_cast<std::uintptr_t>(data);
    return hugePageShareFromSmaps(text.str(), begin, begin + size);
}

} // namespace aiotune
