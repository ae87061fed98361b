#pragma once
// Names aiotune did not choose (folder and file names, host names, a node's
// output, text from a log) printed without letting them act on a terminal:
// control characters (ESC, BEL, backspace, the C1 controls such as U+009B)
// and bytes that are not UTF-8 are shown escaped ("\x1b", "\u009b"), so a
// folder named $'\e]0;PWNED\a' cannot retitle or recolour the terminal.
#include <cstdint>
#include <string>
#include <string_view>

namespace aiotune {

// A name on one line: every control character escaped, line breaks and tabs too.
std::string printableName(std::string_view text);

// Characters that act on how text around them is shown rather than show
// themselves: C1 controls (U+0080..U+009F), bidirectional overrides and
// marks (U+200E/F, U+202A..U+202E, U+2066..U+2069; U+202E turns the rest of a
// line around) and the line and paragraph separators (U+2028/9). Names show
// them escaped, the report replaces them.
bool isDisguisingCodePoint(std::uint32_t cp);

// Streaming form for whole messages: keeps "\n" and "\t"; every other
// control character is escaped, "\r" too (a name's "\r\033[K" would erase
// the line before it). Status lines that redraw themselves are written
// around it. Feed bytes in order; finish() returns what a partial sequence
// held back.
class ControlEscaper {
  public:
    explicit ControlEscaper(bool keepLineControls = true) : m_keepLineControls(keepLineControls) {}
    // Appends the printable form of `byte` (possibly nothing yet) to out.
    void feed(char byte, std::string& out);
    void finish(std::string& out);

  private:
    bool m_keepLineControls;
    std::string m_held; // a UTF-8 sequence begun: shown when complete, escaped byte by byte when not UTF-8
    int m_need = 0;     // its bytes still to come
};

} // namespace aiotune
