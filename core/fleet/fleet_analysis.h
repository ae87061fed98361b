#pragma once
// One aio section for a fleet of identical nodes, and the node that is not
// like the others. Input: a folder of host folders (<shared>/<host>/, each a
// sweep log folder as `aiotune fleet` writes them).
//
// - each host's best: analyze() over its own sweep;
// - fleet pick: among configurations with read and write figures on every
//   usable host, the highest worst-node combined throughput (ties: fewer
//   threads, lower queue depth, then the higher fleet median);
// - per node at the pick: its figures and the loss against its own best;
// - outliers: nodes whose combined figure at the pick is below the fleet
//   median by more than the measured noise. Noise per node: the larger of its
//   own combined range at the pick and the fleet's median relative range at
//   the pick scaled to the median; when no node measured the pick twice, 10%
//   of the median (the margin analyze() also treats as meaningful).
// - shared drives: host folders whose sweeps ran on one machine (sweep.json's
//   meta.system.host) on one drive (a device, or mount point, of its
//   meta.system.folders) at overlapping times are not separate nodes (a test,
//   or every "node" on one box): they slow each other down, so none of them
//   is called an outlier; the analysis says so instead.
// A host folder that cannot be read is listed with its error and left out of
// the pick; configurations missing on some hosts are listed per host.
#include "results/result_model.h"
#include "util/result.h"

#include <nlohmann/json.hpp>

#include <filesystem>
#include <optional>
#include <string>
#include <vector>

namespace aiotune {

struct HostSweep {
    std::string host;            // the folder's name (the label fleet runs give it)
    std::filesystem::path folder;
    std::optional<ResultSet> results; // absent when the folder could not be read
    std::string error;           // why not
};

struct FleetHostFigures {
    std::string host;
    std::string recordedHost;   // sweep.json's system.host when it differs from `host`
    std::optional<ConfigResult> best;     // the host's own best; absent when it has none
    std::optional<ConfigResult> atPick;   // the fleet pick on this host
    double lossGiBps = 0.0;     // own best - at pick (>= 0)
    double lossFraction = 0.0;  // of own best
    std::vector<ConfigKey> missing; // configurations measured elsewhere but not here
    std::string error;          // the folder could not be read (then nothing else is set)
};

struct FleetOutlier {
    std::string host;
    double combinedGiBps = 0.0;
    double gapGiBps = 0.0;      // fleet median - this node, at the pick
    double gapFraction = 0.0;   // of the median
    double noiseGiBps = 0.0;    // the tolerance it exceeded
};

// Hosts measured at the same time on one drive of one machine.
struct FleetSharedDrive {
    std::vector<std::string> hosts; // in name order
    std::string machine;            // the machine they all recorded
    std::string drive;              // the device (or mount point) they shared
};

struct FleetAnalysis {
    std::vector<FleetHostFigures> hosts; // every host folder, in name order
    std::vector<ConfigKey> configs;      // every configuration seen on any host, in key order
    std::vector<ConfigKey> common;       // with both figures on every usable host
    std::optional<ConfigKey> pick;
    double minCombinedGiBps = 0.0;       // worst node at the pick
    std::string worstHost;
    double medianGiBps = 0.0;            // at the pick
    double noiseGiBps = 0.0;             // fleet tolerance at the pick (see above)
    bool noiseKnown = false;
    std::vector<FleetOutlier> outliers;  // largest gap first; never a host of sharedDrives
    std::vector<FleetSharedDrive> sharedDrives;
    std::string message;                 // why there is no pick, when there is none

    // Hosts ordered by their combined figure at the pick, highest first; hosts
    // without a figure there come last.
    std::vector<const FleetHostFigures*> ranking() const;
    const FleetHostFigures* host(const std::string& name) const;
    // The combined figure of a host at a configuration, if measured both ways.
    std::optional<double> combined(const std::string& host, const ConfigKey& key) const;

    std::vector<HostSweep> sweeps; // the input, for views that need every sample
};

// Whether `folder` is a folder of host folders rather than one sweep: it is no
// log folder itself and holds at least one subfolder that is one.
bool isFleetFolder(const std::filesystem::path& folder);

// Reads every subfolder that looks like a sweep log folder (sweep.json or
// DeepSpeed's subfolders). Errors: the folder is missing or holds no host folder.
Result<std::vector<HostSweep>> readFleetFolder(const std::filesystem::path& folder);

FleetAnalysis analyzeFleet(std::vector<HostSweep> sweeps);

// `aiotune analyze --json` over a fleet: {"hosts": [{"host", "best", "aio", ...}],
// "fleet": {"aio", "worst_host", "min_combined", ...}, "outliers": [...],
// "shared_drives": [{"hosts", "machine", "drive"}]}.
nlohmann::ordered_json fleetJson(const FleetAnalysis& fleet);

} // namespace aiotune
