#pragma once
// The machine half of `aiotune check`: what DeepSpeed's async_io op needs
// (libaio), how much memory may be page-locked, and the NVMe drive under
// nvme_path (PCIe link, I/O scheduler, IOMMU mode, NUMA node, other drives).
// Every system root and system call is a parameter so tests use fixture trees.
#include "check/check_finding.h"
#include "devices/block_device.h"
#include "devices/device_discovery.h"

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

namespace aiotune {

struct MachineCheckOptions {
    std::string sysRoot = "/sys";
    std::string procRoot = "/proc";
    std::string cgroupRoot = "/sys/fs/cgroup";
    // Where the async_io op's build looks for libaio.h.
    std::vector<std::string> includeDirs = {"/usr/include", "/usr/local/include"};
    // Whether the dynamic loader finds libaio.so.1 (dlopen by default).
    std::function<bool()> libaioLoadable = defaultLibaioLoadable;
    // RLIMIT_MEMLOCK of this process in bytes; nullopt when unlimited (or root /
    // CAP_IPC_LOCK, which mlock does not count against the limit).
    std::function<std::optional<std::uint64_t>()> memlockLimit = defaultMemlockLimit;

    static bool defaultLibaioLoadable();
    static std::optional<std::uint64_t> defaultMemlockLimit();
};

struct MemoryFacts {
    std::optional<std::uint64_t> memlockLimit;   // nullopt: unlimited
    std::optional<std::uint64_t> cgroupLimit;    // the tightest memory limit above this process
    std::string cgroupLimitFile;                 // where it was read
    std::optional<std::uint64_t> memAvailable;   // /proc/meminfo MemAvailable
    int gpus = 0;                                // NVIDIA GPUs seen in /proc (0: none or unknown)
};

MemoryFacts readMemoryFacts(const MachineCheckOptions& options);

// libaio.so.1 loadable (error when not: the op cannot load) and libaio.h
// present (a warning when not: the op cannot be built on first use).
std::vector<CheckFinding> checkLibaio(const MachineCheckOptions& options);

// Page-locked bytes one rank needs against RLIMIT_MEMLOCK; the node's total
// (ranks = GPUs seen, at least 1) against the cgroup limit and free memory.
std::vector<CheckFinding> checkPinnedMemory(std::uint64_t pinnedBytesPerRank,
                                            const MemoryFacts& facts, bool optimizerUnknown);

// One NVMe drive that holds an nvme_path.
std::vector<CheckFinding> checkDrive(const BlockDevice& drive, int numaNodes);

// NUMA nodes of the machine (<sys>/devices/system/node/node*); 0 when unknown.
int countNumaNodes(const std::string& sysRoot);

} // namespace aiotune
