#pragma once
// Putting an AioConfig into a user's DeepSpeed config: the "aio" section is
// replaced or added at the top level and every other byte of the file is kept
// (key order, formatting, comments), so the diff a user reviews is only the
// "aio" block. Also the standalone export file {"aio": {...}}.
#include "config/aio_config.h"
#include "util/atomic_file.h"
#include "util/result.h"

#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace aiotune {

struct MergedConfig {
    std::string text;                  // the whole config with the new "aio" section
    std::vector<std::string> warnings; // nested "aio" blocks left alone, keys replaced or dropped
    bool changed = false;              // text differs from the original
};

// The merge without touching any file. Errors: the original is not valid JSON
// (names sourceName, line and column), is not an object, or the config is invalid.
Result<MergedConfig> mergeAioIntoConfigText(std::string_view originalText, const AioConfig& config,
                                            const DeepSpeedVersion& target = {},
                                            std::string_view sourceName = {});

// What a window shows before writing: the file's bytes as read and the result.
struct ConfigMergePreview {
    std::filesystem::path file;
    std::string originalText;
    MergedConfig merged;
};

struct ConfigWriteOutcome {
    std::filesystem::path written;
    std::optional<std::filesystem::path> backup; // the original bytes, when a file was replaced
    bool unchanged = false;                      // nothing to write: the file already had it
    std::vector<std::string> warnings;
};

// Reads file (which must be a regular file, not a symlink) and merges.
Result<ConfigMergePreview> previewAioMerge(const std::filesystem::path& file,
                                           const AioConfig& config,
                                           const DeepSpeedVersion& target = {});
// Writes a preview atomically, keeping the original as <file>.bak[.N] and its
// mode and owner; refuses if the file changed since the preview was made, or
// is read-only (no write bit) unless replaceReadOnly.
Result<ConfigWriteOutcome> applyAioMerge(const ConfigMergePreview& preview,
                                         bool replaceReadOnly = false);
// previewAioMerge + applyAioMerge, for the command line.
Result<ConfigWriteOutcome> mergeAioIntoConfigFile(const std::filesystem::path& file,
                                                  const AioConfig& config,
                                                  const DeepSpeedVersion& target = {},
                                                  bool replaceReadOnly = false);

// The warning for a thread count that changes under an optimizer offloaded to
// NVMe: resuming from a checkpoint written with the old count can fail.
std::string resumeHazardWarning(int before, int after);

// {"aio": {...}} with 2-space indentation and a final newline.
std::string aioExportText(const AioConfig& config, const DeepSpeedVersion& target = {});
// What the export leaves out for this target (use_gds before DeepSpeed 0.15.0).
std::vector<std::string> aioExportWarnings(const AioConfig& config,
                                           const DeepSpeedVersion& target = {});
// Writes the export file atomically. An existing file is an error unless
// overwrite is true; then its old bytes are kept as <file>.bak[.N].
Result<ConfigWriteOutcome> writeAioExportFile(const std::filesystem::path& file,
                                              const AioConfig& config,
                                              const DeepSpeedVersion& target = {},
                                              bool overwrite = false);

} // namespace aiotune
