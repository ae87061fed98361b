#pragma once
// One disk as discovery reports it: identity from sysfs, queue settings, and
// where its filesystems are mounted. Unknown values stay empty / nullopt: a
// missing or unreadable sysfs attribute is normal (virtual disks, old kernels).
#include "devices/pcie_link.h"

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json_fwd.hpp>

namespace aiotune {

struct DeviceMount {
    std::string path;             // mount point, decoded
    std::string fstype;
    std::string source;           // the block device mounted: "nvme0n1p1", or the disk itself
    bool readOnly = false;
    int mountId = 0;              // the mountinfo entry, to match a folder's mount
    std::optional<std::uint64_t> freeBytes;
    std::optional<std::uint64_t> totalBytes;
};

struct BlockDevice {
    std::string name;             // kernel name: "nvme0n1", "vda"
    std::string model;            // trimmed; empty when the driver has none (virtio)
    std::string serial;
    std::string firmware;
    std::optional<std::uint64_t> sizeBytes;       // sysfs "size" (512-byte sectors) * 512
    std::optional<std::uint32_t> logicalBlockSize;
    std::optional<int> numaNode;  // as the kernel says; -1 means no NUMA affinity
    std::string scheduler;        // the active one: "none", "mq-deadline"
    std::optional<bool> rotational;
    std::optional<PcieLink> pcieLink; // NVMe only: the controller's PCI function
    // The IOMMU domain type of that PCI function (<pci>/iommu_group/type):
    // "identity" (passthrough), "DMA" (strict), "DMA-FQ" (lazy); empty without an IOMMU.
    std::string iommuType;
    bool nvme = false;
    bool virtualDisk = false;     // loop, ram, zram: memory or files, not drives
    std::vector<std::string> partitions; // "nvme0n1p1", natural order
    std::vector<DeviceMount> mounts;     // of the disk and of its partitions
};

// The `aiotune devices --json` shape (keys in a readable order); unknown values are null.
nlohmann::ordered_json toJson(const BlockDevice& device);

} // namespace aiotune
