#pragma once
// Finds the machine's disks from sysfs and the mount table: NVMe namespaces
// first, other block devices flagged not-NVMe. Every system root is a
// parameter so tests run on fixture trees.
#include "devices/block_device.h"
#include "devices/fs_space.h"
#include "devices/mount_table.h"
#include "util/result.h"

#include <string>
#include <string_view>
#include <vector>

namespace aiotune {

struct DiscoveryOptions {
    std::string sysRoot = "/sys";
    std::string procRoot = "/proc";
    bool includeVirtual = false;      // also list loop, ram and zram devices
    FsSpaceFn fsSpace = statvfsSpace; // free/total space of a mount point
};

struct DiscoveryReport {
    std::vector<BlockDevice> devices; // NVMe first, then natural name order
    MountTable mounts;                // as read (empty when unreadable)
    std::vector<std::string> warnings;// e.g. an unreadable mount table
};

class DeviceDiscovery {
public:
    explicit DeviceDiscovery(DiscoveryOptions options = {});

    // Fails only when <sysRoot>/block cannot be listed at all; an unreadable
    // mount table leaves the mounts empty with a warning instead (the disks
    // are still real).
    Result<DiscoveryReport> discover() const;

private:
    DiscoveryOptions m_options;
};

// "nvme0n1p1" -> "nvme0n1", "vda1" -> "vda", "sda12" -> "sda",
// "mmcblk0p2" -> "mmcblk0"; a name that is not a partition comes back as is.
// A name-only rule for when sysfs cannot say (a mount source, a fixture).
std::string parentDiskName(std::string_view name);

// The bracketed entry of queue/scheduler ("[none] mq-deadline" -> "none"); a
// lone entry without brackets is taken as is; otherwise empty.
std::string activeScheduler(std::string_view schedulerFile);

// loop*, ram*, zram*: block devices backed by files or memory.
bool isVirtualDiskName(std::string_view name);

// "nvme<ctrl>n<ns>" (and the per-path "nvme<ctrl>c<path>n<ns>").
bool isNvmeNamespaceName(std::string_view name);

// Orders "nvme2n1" before "nvme10n1": digit runs compare as numbers.
bool naturalLess(std::string_view a, std::string_view b);

} // namespace aiotune
