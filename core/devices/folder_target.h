#pragma once
// Whether a folder can hold a sweep's scratch file, and which drive it is on:
// the sweep planner and the window refuse bad targets with this reason.
#include "devices/block_device.h"
#include "devices/device_discovery.h"
#include "devices/mount_table.h"

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace aiotune {

struct FolderTarget {
    std::string path;             // as given
    std::string resolvedPath;     // absolute, symlinks in parent folders resolved
    bool exists = false;
    bool isDirectory = false;     // a real directory: not a symlink to one
    bool isSymlink = false;
    bool isBlockDevice = false;
    bool writable = false;        // this user may create files here, on a read-write mount

    std::string mountPoint;       // the mount holding it (longest prefix), empty if unknown
    std::string fstype;
    std::string mountSource;      // as mountinfo says: "/dev/nvme0n1p1"
    bool readOnlyMount = false;
    std::string device;           // block device mounted there: "nvme0n1p1"
    std::string disk;             // its whole disk: "nvme0n1"
    bool nvme = false;
    std::optional<std::uint64_t> freeBytes;
    std::optional<std::uint64_t> totalBytes;

    std::string problem;              // why it cannot be a target; empty when it can
    std::vector<std::string> warnings;// usable, but worth saying (not NVMe, tmpfs)

    bool usable() const { return problem.empty(); }
};

// Inspects one folder against a discovery already made (cheap for many folders).
FolderTarget inspectFolder(const std::string& path, const DiscoveryReport& discovery,
                           const FsSpaceFn& fsSpace = statvfsSpace);

// Discovers devices (including loop/ram) with these options, then inspects.
FolderTarget inspectFolder(const std::string& path, const DiscoveryOptions& options);

} // namespace aiotune
