#pragma once
// A fleet at a glance: per host its own best, its figures at the fleet's
// answer and what it is missing, over a folder of host folders (<shared>/<host>/,
// each a sweep log folder as `aiotune fleet` writes them).
//
// The pick, its figures, the outliers and the shared-drive note are the fleet
// answer's (fleet_answer.h: decided once, stored in fleet.json); this adds
// what the tables show per host:
// - each host's best: analyze() over its own sweep;
// - per node at the pick: its measured figures and the loss against its own best;
// - configurations missing on some hosts, listed per host; a host folder that
//   cannot be read is listed with its error.
#include "fleet/fleet_answer.h"
#include "results/result_model.h"
#include "util/result.h"

#include <nlohmann/json.hpp>

#include <filesystem>
#include <optional>
#include <string>
#include <vector>

namespace aiotune {

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

struct FleetAnalysis {
    std::vector<FleetHostFigures> hosts; // every host folder, in name order
    std::vector<ConfigKey> configs;      // every configuration seen on any host, in key order
    std::vector<ConfigKey> common;       // with both figures on every usable host
    // From the answer below: its best, the worst node's figure there, the
    // median and noise over the nodes that measured it.
    std::optional<ConfigKey> pick;
    double minCombinedGiBps = 0.0;       // worst node at the pick
    std::string worstHost;
    double medianGiBps = 0.0;            // at the pick
    double noiseGiBps = 0.0;             // fleet tolerance at the pick (fleet_answer.h)
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
    FleetAnswer answer;            // the one fleet answer; pick and the figures above are its
    // Host folders beside the ones fleet.json names (another run's): left out.
    std::vector<std::string> notInRun;
    std::string storedNote; // why fleet.json was not used, when it exists but could not be
};

// Whether `folder` is a folder of host folders rather than one sweep: it is no
// log folder itself and holds at least one subfolder that is one.
bool isFleetFolder(const std::filesystem::path& folder);

// Reads every subfolder that looks like a sweep log folder (sweep.json or
// DeepSpeed's subfolders). Errors: the folder is missing or holds no host folder.
Result<std::vector<HostSweep>> readFleetFolder(const std::filesystem::path& folder);

// The per-host figures around fleetAnswerFor(sweeps, stored).
FleetAnalysis analyzeFleet(std::vector<HostSweep> sweeps, const std::optional<FleetAnswer>& stored = std::nullopt);

// What every reader of a fleet folder calls: its host folders and the fleet
// answer of fleet.json while their samples are unchanged (fleetAnswerFor).
// When fleet.json names hosts that all still have folders, only those are the
// fleet (other folders, e.g. an earlier run's, are listed in notInRun).
Result<FleetAnalysis> fleetAnalysisFor(const std::filesystem::path& folder);

// The fleet answer as the Recommendation the views show (a BestConfigPanel):
// the answer's words and figures; `best`/`recommended` are the worst node's
// measured figures at them when that node measured them.
Recommendation fleetRecommendation(const FleetAnalysis& fleet);

// `aiotune analyze --json` over a fleet: {"hosts": [{"host", "best", "aio", ...}],
// "fleet": {"aio", "worst_host", "min_combined", ...}, "outliers": [...],
// "shared_drives": [{"hosts", "machine", "drive"}], "answer": fleetAnswerToJson()}.
nlohmann::ordered_json fleetJson(const FleetAnalysis& fleet);

} // namespace aiotune
