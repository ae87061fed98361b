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

// checkJsonLimits, then nlohmann's parser without exceptions (comments are
// accepted when allowComments). Errors name sourceName.
Result<nlohmann::json> parseJsonText(std::string_view text, std::string_view sourceName,
                                     const JsonLimits& limits = {}, bool allowComments = false);

// A regular file's bytes (readWholeFile: devices, FIFOs and oversized files are
// refused before reading), then parseJsonText.
Result<nlohmann::json> readJsonFile(const std::filesystem::path& file, const JsonLimits& limits = {},
                                    bool allowComments = false);

} // namespace aiotune
