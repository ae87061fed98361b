#include "util/json_input.h"

#include "util/atomic_file.h"
#include "util/byte_size.h"
#include "util/printable_text.h"


namespace aiotune {

Result<void> checkJsonLimits(std::string_view text, std::string_view sourceName,
                             const JsonLimits& limits) {
    const std::string source(sourceName.empty() ? std::string_view("JSON input") : sourceName);
    if (text.size() > limits.maxBytes)
        return makeError(source + " is " + formatByteSizeHuman(text.size()) +
                         ", more than the " + formatByteSizeHuman(limits.maxBytes) +
                         " aiotune reads as JSON: choose the right file");
    // One pass over the text; strings and comments are skipped so that
    // brackets inside them do not count.
    int depth = 0;
    for (std::size_t i = 0; i < text.size(); ++i) {
        const char c = text[i];
        if (c == '"') {
            for (++i; i < text.size() && text[i] != '"'; ++i)
                if (text[i] == '\\') ++i;
        } else if (c == '/' && i + 1 < text.size() && text[i + 1] == '/') {
            while (i < text.size() && text[i] != '\n') ++i;
        } else if (c == '/' && i + 1 < text.size() && text[i + 1] == '*') {
            const std::size_t end = text.find("*/", i + 2);
            i = end == std::string_view::npos ? text.size() : end + 1;
        } else if (c == '[' || c == '{') {
            if (++depth > limits.maxDepth)
                return makeError(source + " nests brackets more than " +
                                 std::to_string(limits.maxDepth) + " levels deep (at byte " +
                                 std::to_string(i + 1) +
                                 "); no DeepSpeed or aiotune file does: choose the right file");
        } else if (c == ']' || c == '}') {
            --depth;
        }
    }
    return {};
}

Result<nlohmann::json> parseJsonText(std::string_view text, std::string_view sourceName,
                                     const JsonLimits& limits, bool allowComments) {
    if (auto ok = checkJsonLimits(text, sourceName, limits); !ok) return Error{ok.error()};
    // A key given twice in one object is refused, as DeepSpeed's loader
    // refuses it in a config.
    JsonKeyTracker keys;
    const nlohmann::json::parser_callback_t callback = [&](int, nlohmann::json::parse_event_t event,
                                                           nlohmann::json& parsed) {
        keys.onEvent(event, parsed);
        return true;
    };
    nlohmann::json doc = nlohmann::json::parse(text.begin(), text.end(), callback,
                                               /*allow_exceptions=*/false, allowComments);
    if (doc.is_discarded())
        return makeError(std::string(sourceName) + " is not valid JSON: fix it in an editor");
    if (const auto& d = keys.duplicate())
        return makeError(std::string(sourceName) + ": the key \"" + printableName(d->first) + "\" appears twice " +
                         (d->second.empty() ? std::string("at the top level") : "in \"" + printableName(d->second) + "\"") +
                         ", and which one counts is anyone's guess: keep one");
    return doc;
}

const std::string& JsonKeyTracker::path() const {
    static const std::string top;
    return m_frames.empty() ? top : m_frames.back().path;
}

void JsonKeyTracker::addKey(const std::string& key) {
    ++m_total;
    m_pendingKey = key;
    if (!m_frames.empty() && !m_frames.back().keys.insert(key).second && !m_duplicate)
        m_duplicate.emplace(key, m_frames.back().path);
}

std::string JsonKeyTracker::childPath() const {
    if (m_frames.empty()) return {};
    const Frame& parent = m_frames.back();
    const std::string name = parent.isObject ? m_pendingKey : "[]";
    if (parent.path.empty()) return name;
    return parent.isObject ? parent.path + "." + name : parent.path + name;
}

Result<nlohmann::json> readJsonFile(const std::filesystem::path& file, const JsonLimits& limits,
                                    bool allowComments) {
    auto text = readWholeFile(file, limits.maxBytes);
    if (!text) return Error{text.error()};
    return parseJsonText(*text, file.string(), limits, allowComments);
}

} // namespace aiotune
