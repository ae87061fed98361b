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
    if (m_heldC2) {
        m_heldC2 = false;
        if (byte >= 0x80 && byte <= 0x9F) { // a C1 control in UTF-8 (U+0080..U+009F)
            char text[8];
            std::snprintf(text, sizeof text, "\\u%04x", byte);
            out += text;
            return;
        }
        out += static_cast<char>(0xC2);
        // fall through: this byte is judged on its own
    }
    if (byte == 0xC2) {
        m_heldC2 = true;
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
    if (m_heldC2) out += static_cast<char>(0xC2);
    m_heldC2 = false;
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
