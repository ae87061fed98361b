#pragma once
// DeepSpeed's hostfile (the one `deepspeed --hostfile` and its pdsh launcher
// read): one "hostname slots=N" per line, '#' comments, blank lines. A bare
// host name (pdsh's machine-file style) counts as one slot.
#include "util/result.h"

#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

namespace aiotune {

struct HostfileEntry {
    std::string host;
    int slots = 1;
    bool operator==(const HostfileEntry&) const = default;
};

// Errors name the source, the line number and what to write instead.
Result<std::vector<HostfileEntry>> parseHostfile(std::string_view text, std::string_view sourceName);
Result<std::vector<HostfileEntry>> readHostfile(const std::filesystem::path& file);

} // namespace aiotune
