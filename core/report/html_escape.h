#pragma once
// Text from the input (log file names, folder paths, drive models, error
// messages) is hostile: escape it before it goes into HTML or SVG.
#include <string>
#include <string_view>

namespace aiotune {

// Escapes & < > " ' for element text and quoted attribute values alike, and
// replaces what would make the document invalid UTF-8 or invalid XML (bad
// byte sequences, control characters other than tab, newline and carriage
// return) with U+FFFD, so a file name made of raw bytes still renders.
std::string escapeHtml(std::string_view text);

} // namespace aiotune
