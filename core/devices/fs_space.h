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

// "tmpfs" or "ramfs" when the filesystem holding path keeps its files in
// memory (statfs magic; /dev's devtmpfs is a tmpfs), else empty.
std::string memoryFilesystemType(const std::string& path);

// The one warning for measuring in memory, shown by check, sweep, io and the
// window: figures there describe RAM, not a drive.
std::string memoryFolderWarning(const std::string& shownPath, const std::string& fstype);

} // namespace aiotune
