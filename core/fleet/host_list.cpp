#include "fleet/host_list.h"

#include <algorithm>
#include <charconv>
#include <set>

namespace aiotune {

namespace {

bool isNameChar(char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' ||
           c == '-' || c == '_';
}

// Splits at commas outside brackets.
Result<std::vector<std::string_view>> splitTopLevel(std::string_view text) {
    std::vector<std::string_view> parts;
    int depth = 0;
    std::size_t start = 0;
    for (std::size_t i = 0; i < text.size(); ++i) {
        const char c = text[i];
        if (c == '[') {
            if (++depth > 1) return makeError("nested '[' at position " + std::to_string(i + 1));
        } else if (c == ']') {
            if (--depth < 0) return makeError("']' without '[' at position " + std::to_string(i + 1));
        } else if (c == ',' && depth == 0) {
            parts.push_back(text.substr(start, i - start));
            start = i + 1;
        }
    }
    if (depth != 0) return makeError("'[' is never closed");
    parts.push_back(text.substr(start));
    return parts;
}

// "1-8,10,01-03" -> the numbers as text, zero padding kept ("01", "02", "03").
Result<std::vector<std::string>> expandRanges(std::string_view body) {
    std::vector<std::string> out;
    std::size_t start = 0;
    while (start <= body.size()) {
        const std::size_t comma = std::min(body.find(',', start), body.size());
        const std::string_view item = body.substr(start, comma - start);
        const std::size_t dash = item.find('-');
        const std::string_view lo = item.substr(0, dash);
        const std::string_view hi = dash == std::string_view::npos ? lo : item.substr(dash + 1);
        auto number = [](std::string_view s, unsigned long& v) {
            if (s.empty() || s.size() > 9) return false;
            const auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
            return ec == std::errc() && p == s.data() + s.size();
        };
        unsigned long a = 0, b = 0;
        if (!number(lo, a) || !number(hi, b))
            return makeError("'" + std::string(item) + "' is not a number or a range such as 1-8");
        if (b < a) return makeError("range '" + std::string(item) + "' runs backwards");
        if (b - a >= kMaxFleetHosts)
            return makeError("range '" + std::string(item) + "' has more than " +
                             std::to_string(kMaxFleetHosts) + " hosts");
        // "01-10" pads to the width of the lower bound, as Slurm does.
        const std::size_t width = lo.size() > 1 && lo[0] == '0' ? lo.size() : 0;
        for (unsigned long v = a; v <= b; ++v) {
            std::string s = std::to_string(v);
            if (s.size() < width) s.insert(0, width - s.size(), '0');
            out.push_back(std::move(s));
        }
        start = comma + 1;
    }
    return out;
}

} // namespace

bool isValidHostName(std::string_view name) {
    return !name.empty() && name.size() <= 253 && name[0] != '-' && name[0] != '.' &&
           std::all_of(name.begin(), name.end(), isNameChar);
}

Result<std::vector<std::string>> expandHostList(std::string_view text) {
    const std::string quoted = "host list '" + std::string(text.substr(0, 200)) + "'";
    if (text.empty()) return makeError("the host list is empty: give names such as node[1-8]");
    auto parts = splitTopLevel(text);
    if (!parts) return makeError(quoted + ": " + parts.error());
    std::vector<std::string> hosts;
    std::set<std::string> seen;
    for (std::string_view part : *parts) {
        if (part.empty()) return makeError(quoted + ": an empty name between commas");
        // Each bracket group multiplies the names so far: rack[1-2]-n[1-2].
        std::vector<std::string> names{""};
        std::size_t i = 0;
        while (i < part.size()) {
            const std::size_t open = part.find('[', i);
            const std::string_view literal = part.substr(i, open - i);
            for (auto& n : names) n += literal;
            if (open == std::string_view::npos) break;
            const std::size_t close = part.find(']', open);
            auto numbers = expandRanges(part.substr(open + 1, close - open - 1));
            if (!numbers) return makeError(quoted + ": " + numbers.error());
            if (names.size() * numbers->size() > kMaxFleetHosts)
                return makeError(quoted + " expands to more than " + std::to_string(kMaxFleetHosts) +
                                 " hosts");
            std::vector<std::string> next;
            for (const auto& n : names)
                for (const auto& v : *numbers) next.push_back(n + v);
            names = std::move(next);
            i = close + 1;
        }
        for (auto& n : names) {
            if (!isValidHostName(n))
                return makeError(quoted + ": '" + n.substr(0, 100) +
                                 "' is not a host name (letters, digits, '.', '-', '_' only)");
            if (seen.insert(n).second) hosts.push_back(std::move(n));
        }
        if (hosts.size() > kMaxFleetHosts)
            return makeError(quoted + " expands to more than " + std::to_string(kMaxFleetHosts) + " hosts");
    }
    return hosts;
}

} // namespace aiotune
