#include "util/json_input.h"

#include "util/atomic_file.h"
#include "util/byte_size.h"
#include "util/printable_text.h"

#include <algorithm>
#include <optional>
#include <unordered_set>
#include <vector>

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
    // nlohmann keeps the last of a key given twice in one object: a second
    // "gibps" would silently replace the first. Refused instead, as
    // DeepSpeed's loader refuses it in a config.
    struct Frame {
        std::vector<std::string> keys;            // linear while small (most objects)
        std::unordered_set<std::string> manyKeys; // past 32, hashed
        bool seen(const std::string& key) {
            if (!manyKeys.empty()) return !manyKeys.insert(key).second;
            if (std::find(keys.begin(), keys.end(), key) != keys.end()) return true;
            keys.push_back(key);
            if (keys.size() > 32) manyKeys.insert(keys.begin(), keys.end());
            return false;
        }
    };
    std::vector<Frame> frames;
    std::optional<std::string> duplicate;
    const nlohmann::json::parser_callback_t callback = [&](int, nlohmann::json::parse_event_t event,
                                                           nlohmann::json& parsed) {
        using E = nlohmann::json::parse_event_t;
        if (event == E::object_start || event == E::array_start) frames.emplace_back();
        else if ((event == E::object_end || event == E::array_end) && !frames.empty()) frames.pop_back();
        else if (event == E::key && !frames.empty() && parsed.is_string() && !duplicate &&
                 frames.back().seen(parsed.get_ref<const std::string&>()))
            duplicate = parsed.get<std::string>();
        return true;
    };
    nlohmann::json doc = nlohmann::json::parse(text.begin(), text.end(), callback,
                                               /*allow_exceptions=*/false, allowComments);
    if (doc.is_discarded())
        return makeError(std::string(sourceName) + " is not valid JSON: fix it in an editor");
    if (duplicate)
        return makeError(std::string(sourceName) + ": the key \"" + printableName(*duplicate) +
                         "\" appears twice in one object, and which one counts is anyone's guess: keep one");
    return doc;
}

Result<nlohmann::json> readJsonFile(const std::filesystem::path& file, const JsonLimits& limits,
                                    bool allowComments) {
    auto text = readWholeFile(file, limits.maxBytes);
    if (!text) return Error{text.error()};
    return parseJsonText(*text, file.string(), limits, allowComments);
}

} // namespace aiotune
