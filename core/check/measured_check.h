#pragma once
// How a config's aio settings compare with what was measured on the drive
// under its nvme_path: a sweep log folder (--log_dir, or the newest sweep the
// window left), its samples mapped to drives through the folders they ran in.
#include "check/check_finding.h"
#include "devices/device_discovery.h"
#include "results/result_model.h"

#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace aiotune {

// The samples measured on one drive (disk name). Samples without a folder
// (DeepSpeed's own logs name none) go to the empty-name entry.
std::map<std::string, ResultSet> resultsByDrive(const ResultSet& results,
                                                const DiscoveryReport& discovery);

// The newest subfolder of sweepsRoot that holds a sweep (by modification time); nullopt if none.
std::optional<std::filesystem::path> newestSweepFolder(const std::filesystem::path& sweepsRoot);

// Findings for one nvme_path on `disk`: not measured there, measured and as
// good as the best, or slower than the best by more than the noise.
std::vector<CheckFinding> checkAgainstMeasurements(const std::map<std::string, ResultSet>& byDrive,
                                                   const std::string& source,
                                                   const AioConfig& config,
                                                   const std::string& nvmePath,
                                                   const std::string& disk,
                                                   const std::string& configFile);

} // namespace aiotune
