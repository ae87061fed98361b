#pragma once
// JSON as text for people and programs. A string that is not UTF-8 (a folder,
// host or device name, a message quoting one) is written with U+FFFD in place
// of its bad bytes: nlohmann's plain dump() throws type_error 316 instead,
// which ended `--json` commands with an abort.
#include <string>

namespace aiotune {

template <class Json> std::string jsonText(const Json& j, int indent = -1) {
    return j.dump(indent, ' ', false, Json::error_handler_t::replace);
}

// A value quoted in a message: one line, cut to 60 characters.
template <class Json> std::string shortJsonText(const Json& j) {
    std::string text = jsonText(j);
    if (text.size() > 60) text = text.substr(0, 57) + "...";
    return text;
}

} // namespace aiotune
