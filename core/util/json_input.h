#pragma once
// The one gate for JSON that comes from outside (DeepSpeed configs, sweep
// configs, sweep.json, presets, saved settings): a size limit and a nesting
// limit checked before nlohmann builds anything, so a hostile file (a million
// nested brackets, a disk image, /dev/zero) is refused with a message instead
// of exhausting the stack or memory.
#include "util/result.h"

#include <nlohmann/json.hpp>

#include <cstdint>
#include <filesystem>
#include <string>
#include <string_view>
#include <vector>
#include <utility>
#include <set>
#include <optional>

namespace aiotune {

struct JsonLimits {
    // Real DeepSpeed configs are kilobytes; a sweep.json of a long sweep a few MiB.
    std::uint64_t maxBytes = 64ull << 20;
    // DeepSpeed configs nest about 4 levels, sweep.json 5; 100 leaves room and
    // keeps every recursive walk over the document shallow.
    int maxDepth = 100;
};

// Size and nesting of JSON text (brackets inside strings and // or /* */
// comments do not count). The error names sourceName and the limit.
Result<void> checkJsonLimits(std::string_view text, std::string_view sourceName,
                             const JsonLimits& limits = {});

// The keys of each object as nlohmann's parser reports them, through its
// parser callback: nlohmann keeps the last of a key given twice in one
// object (a second "gibps" silently replaced the first), so this notes the
// first repeat, and where ("zero_optimization.offload_param"; "" at the top).
class JsonKeyTracker {
  public:
    template <class Json> void onEvent(typename Json::parse_event_t event, const Json& parsed) {
        using E = typename Json::parse_event_t;
        if (event == E::object_start || event == E::array_start)
            m_frames.push_back(Frame{{}, childPath(), event == E::object_start});
        else if ((event == E::object_end || event == E::array_end) && !m_frames.empty())
            m_frames.pop_back();
        else if (event == E::key && parsed.is_string())
            addKey(parsed.template get_ref<const typename Json::string_t&>());
    }
    // Keys so far in the object being read, and in the whole document.
    std::size_t keysHere() const { return m_frames.empty() ? 0 : m_frames.back().keys.size(); }
    std::size_t keysInAll() const { return m_total; }
    const std::string& path() const; // of the object or array being read
    // The first key given twice in one object, and that object's path.
    const std::optional<std::pair<std::string, std::string>>& duplicate() const { return m_duplicate; }

  private:
    struct Frame {
        std::set<std::string> keys;
        std::string path;
        bool isObject = false;
    };
    void addKey(const std::string& key);
    std::string childPath() const;

    std::vector<Frame> m_frames;
    std::string m_pendingKey;
    std::size_t m_total = 0;
    std::optional<std::pair<std::string, std::string>> m_duplicate;
};

// checkJsonLimits, then nlohmann's parser without exceptions (comments are
// accepted when allowComments). Errors name sourceName.
Result<nlohmann::json> parseJsonText(std::string_view text, std::string_view sourceName,
                                     const JsonLimits& limits = {}, bool allowComments = false);

// A regular file's bytes (readWholeFile: devices, FIFOs and oversized files are
// refused before reading), then parseJsonText.
Result<nlohmann::json> readJsonFile(const std::filesystem::path& file, const JsonLimits& limits = {},
                                    bool allowComments = false);

} // namespace aiotune
