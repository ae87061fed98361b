#include "util/printable_text.h"

#include <cstdio>

namespace aiotune {

namespace {
void escapeByte(unsigned char byte, std::string& out) {
    char hex[5];
    std::snprintf(hex, sizeof hex, "\\x%02x", byte);
    out += hex;
}
} // namespace

void ControlEscaper::feed(char c, std::string& out) {
    const auto byte = static_cast<unsigned char>(c);
    if (m_need > 0) {
        // The second byte narrows some leads (RFC 3629): no overlong forms,
        // no surrogates, nothing above U+10FFFF.
        const auto lead = static_cast<unsigned char>(m_held[0]);
        unsigned char low = 0x80, high = 0xBF;
        if (m_held.size() == 1) {
            if (lead == 0xE0) low = 0xA0;
            if (lead == 0xED) high = 0x9F;
            if (lead == 0xF0) low = 0x90;
            if (lead == 0xF4) high = 0x8F;
        }
        if (byte >= low && byte <= high) {
            m_held += c;
            if (--m_need > 0) return;
            std::uint32_t cp = static_cast<unsigned char>(m_held[0]) & (0xFF >> (m_held.size() + 1));
            for (std::size_t k = 1; k < m_held.size(); ++k) cp = (cp << 6) | (static_cast<unsigned char>(m_held[k]) & 0x3F);
            if (isDisguisingCodePoint(cp)) {
                char text[12];
                std::snprintf(text, sizeof text, "\\u%04x", static_cast<unsigned>(cp));
                out += text;
            } else {
                out += m_held;
            }
            m_held.clear();
            return;
        }
        // Not UTF-8: each byte held is shown escaped; this one is judged on its own.
        for (const char h : m_held) escapeByte(static_cast<unsigned char>(h), out);
        m_held.clear();
        m_need = 0;
    }
    if (byte >= 0x80) {
        const int need = byte >= 0xC2 && byte <= 0xDF ? 1 : byte >= 0xE0 && byte <= 0xEF ? 2 : byte >= 0xF0 && byte <= 0xF4 ? 3 : 0;
        if (need == 0) return escapeByte(byte, out);
        m_held = std::string(1, c);
        m_need = need;
        return;
    }
    const bool lineControl = c == '\n' || c == '\t';
    if ((byte < 0x20 && !(lineControl && m_keepLineControls)) || byte == 0x7f) {
        if (c == '\n')
            out += "\\n";
        else if (c == '\t')
            out += "\\t";
        else if (c == '\r')
            out += "\\r";
        else
            escapeByte(byte, out);
        return;
    }
    out += c;
}

void ControlEscaper::finish(std::string& out) {
    for (const char h : m_held) escapeByte(static_cast<unsigned char>(h), out);
    m_held.clear();
    m_need = 0;
}

bool isDisguisingCodePoint(std::uint32_t cp) {
    return (cp >= 0x80 && cp <= 0x9F) || cp == 0x200E || cp == 0x200F || (cp >= 0x2028 && cp <= 0x202E) ||
           (cp >= 0x2066 && cp <= 0x2069);
}

std::string printableName(std::string_view text) {
    ControlEscaper escaper(false);
    std::string out;
    out.reserve(text.size());
    for (const char c : text)
        escaper.feed(c, out);
    escaper.finish(out);
    return out;
}

} // namespace aiotune
