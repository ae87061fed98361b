#pragma once
// Free and total space of the filesystem holding a path. Discovery takes the
// lookup as a function so tests can answer for mount points that do not exist.
#include <cstdint>
#include <functional>
#include <optional>
#include <string>

namespace aiotune {

struct FsSpace {
    std::uint64_t freeBytes = 0;  // available to an unprivileged user (f_bavail)
    std::uint64_t totalBytes = 0;
};

using FsSpaceFn = std::function<std::optional<FsSpace>(const std::string& path)>;

// statvfs(3); nullopt when the path cannot be queried.
std::optional<FsSpace> statvfsSpace(const std::string& path);

} // namespace aiotune
