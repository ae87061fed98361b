#pragma once
// One nvme_path of a DeepSpeed config on this machine: does it exist (or can
// DeepSpeed create it), is it a writable folder, on which drive and
// filesystem, does O_DIRECT work there (probed with a nameless scratch
// file), how much space is free, are swap files of another run in it, and
// does a running process hold swap files there open (a job using it now).
#include "check/check_finding.h"
#include "devices/device_discovery.h"
#include "devices/folder_target.h"
#include "devices/fs_space.h"

#include <string>
#include <vector>

namespace aiotune {

struct NvmePathOptions {
    FsSpaceFn fsSpace = statvfsSpace;
    bool probeDirectIo = true;
    // Where to look for processes with swap files open under the path (a job
    // using it now); free space is compared with the swap footprint in preflight.
    std::string procRoot = "/proc";
};

struct NvmePathOutcome {
    std::vector<CheckFinding> findings;
    FolderTarget target;   // of the folder itself, or of the nearest existing parent
    bool exists = false;   // the folder itself exists
};

// usedBy: the config keys that name this path ("zero_optimization.offload_param.nvme_path").
NvmePathOutcome checkNvmePath(const std::string& path, const std::string& usedBy,
                              const DiscoveryReport& discovery, const NvmePathOptions& options);

// Writes a 4 KiB pattern with O_DIRECT into a nameless scratch file in folder,
// reads it back and compares; the error says what failed.
Result<void> probeDirectIo(const std::string& folder);

} // namespace aiotune
