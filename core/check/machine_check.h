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

// Host memory one rank keeps page-locked, split by who limits it.
struct PinnedMemoryNeeds {
    std::uint64_t lockedExact = 0; // mlock'd (RLIMIT_MEMLOCK applies), known exactly
    std::uint64_t lockedUpTo = 0;  // mlock'd, at most this (the model decides the rest)
    std::uint64_t pinnedExact = 0; // CUDA pinned (not limited by ulimit -l)
    std::uint64_t pinnedUpTo = 0;
    std::string what;     // "parameter swap buffers 1 GiB, optimizer ... up to 16 GiB"
    std::string lockNote; // why ulimit -l does or does not apply, by version

    std::uint64_t exact() const { return lockedExact + pinnedExact; }
    std::uint64_t upTo() const { return lockedUpTo + pinnedUpTo; }
};

// Locked bytes per rank against RLIMIT_MEMLOCK; the node's total (ranks =
// GPUs seen, at least 1) against the cgroup limit and free memory. An exact
// excess is an error, one only the upper bound reaches a warning.
std::vector<CheckFinding> checkPinnedMemory(const PinnedMemoryNeeds& needs,
                                            const MemoryFacts& facts);
// The parameter swap buffers alone, mlock'd (the tests' and old callers' form).
std::vector<CheckFinding> checkPinnedMemory(std::uint64_t pinnedBytesPerRank,
                                            const MemoryFacts& facts, bool optimizerUnknown);

// Kernel AIO events the offload's handles reserve on this node against
// /proc/sys/fs/aio-max-nr minus aio-nr. Each DeepSpeed aio handle holds
// (intra_op_parallelism + 1) contexts of queue_depth events
// (csrc/aio/py_lib/deepspeed_py_io_handle.cpp, deepspeed_aio_thread.cpp ->
// common/deepspeed_aio_types.cpp io_queue_init); handles: parameter read and
// write, and one (two when pipelined) for the optimizer.
struct AioEventNeeds {
    int handles = 0;
    int threads = 1;
    int queueDepth = 8;
};
std::vector<CheckFinding> checkAioEvents(const AioEventNeeds& needs, int gpus,
                                         const std::string& procRoot);

// One NVMe drive that holds an nvme_path.
// intraOpParallelism: the thread count DeepSpeed aligns its swap sizes to.
std::vector<CheckFinding> checkDrive(const BlockDevice& drive, int numaNodes,
                                     int intraOpParallelism = 1);

// NUMA nodes of the machine (<sys>/devices/system/node/node*); 0 when unknown.
int countNumaNodes(const std::string& sysRoot);

} // namespace aiotune
