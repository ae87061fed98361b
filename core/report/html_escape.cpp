#include "report/html_escape.h"

#include "util/printable_text.h"

#include <cstdint>

namespace aiotune {

namespace {
constexpr std::string_view kReplacement = "\xEF\xBF\xBD"; // U+FFFD

// Length of the valid UTF-8 sequence starting at text[i], or 0 when invalid
// (overlong forms, surrogates and values above U+10FFFF are invalid too).
std::size_t utf8SequenceLength(std::string_view text, std::size_t i, std::uint32_t& cpOut) {
    const auto byte = [&](std::size_t k) { return static_cast<std::uint8_t>(text[k]); };
    const std::uint8_t b0 = byte(i);
    std::size_t len = 0;
    std::uint32_t cp = 0;
    if (b0 < 0x80) {
        cpOut = b0;
        return 1;
    }
    if ((b0 & 0xE0) == 0xC0) { len = 2; cp = b0 & 0x1F; }
    else if ((b0 & 0xF0) == 0xE0) { len = 3; cp = b0 & 0x0F; }
    else if ((b0 & 0xF8) == 0xF0) { len = 4; cp = b0 & 0x07; }
    else return 0;
    if (i + len > text.size()) return 0;
    for (std::size_t k = 1; k < len; ++k) {
        if ((byte(i + k) & 0xC0) != 0x80) return 0;
        cp = (cp << 6) | (byte(i + k) & 0x3F);
    }
    static constexpr std::uint32_t kMin[] = {0, 0, 0x80, 0x800, 0x10000};
    if (cp < kMin[len] || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) return 0;
    // U+FFFE and U+FFFF are not XML characters either.
    if (cp == 0xFFFE || cp == 0xFFFF) return 0;
    cpOut = cp;
    return len;
}
} // namespace

std::string escapeHtml(std::string_view text) {
    std::string out;
    out.reserve(text.size() + text.size() / 8);
    for (std::size_t i = 0; i < text.size();) {
        const char c = text[i];
        switch (c) {
        case '&': out += "&amp;"; ++i; continue;
        case '<': out += "&lt;"; ++i; continue;
        case '>': out += "&gt;"; ++i; continue;
        case '"': out += "&quot;"; ++i; continue;
        case '\'': out += "&#39;"; ++i; continue;
        default: break;
        }
        const auto u = static_cast<std::uint8_t>(c);
        if (u < 0x20 && c != '\t' && c != '\n' && c != '\r') {
            out += kReplacement;
            ++i;
            continue;
        }
        if (u == 0x7F) {
            out += kReplacement;
            ++i;
            continue;
        }
        std::uint32_t cp = u;
        const std::size_t len = utf8SequenceLength(text, i, cp);
        if (len == 0) {
            out += kReplacement;
            ++i;
            continue;
        }
        // A bidirectional override or a C1 control in a host name would
        // disguise the page's text: one replacement for the character.
        if (isDisguisingCodePoint(cp)) {
            out += kReplacement;
            i += len;
            continue;
        }
        out.append(text.substr(i, len));
        i += len;
    }
    return out;
}

} // namespace aiotune
