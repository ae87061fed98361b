#pragma once
// The answer of a fleet: which `aio` section every node should use, how sure,
// and why. Decided once here (decideFleetAnswer), stored beside the host
// folders (fleet.json) and read back by every reader through fleetAnswerFor(),
// so `aiotune fleet`, `analyze`, `export`, `report` and the Hosts view name
// the same section.
//
// The rule, over each node's own answer (answerFor(), results/answer.h):
// - a node's figure for a configuration is its answer's: the measured mean
//   where the node measured it, the search's estimate where it only
//   estimated it (an adaptive search screens half the grid and predicts the
//   rest); its 95% margin is the one the node's answer states (the best's
//   interval; for the others, how much faster than the node's best they could
//   be);
// - the fleet figure of a configuration is its worst node's figure: in
//   data-parallel training every step waits for every rank's offload, so the
//   slowest node sets the pace; its interval is [lowest low, lowest high]
//   over the nodes;
// - candidates: configurations with a figure on every usable node (measured
//   or estimated); configurations known on some nodes only are listed, not
//   picked;
// - best: the highest fleet figure among candidates measured on at least one
//   node (a pure prediction is never the answer, as in decideAnswer); exact
//   ties: fewer threads, lower queue depth, then the higher fleet median;
// - tied: candidates not shown (at 95%) to be slower than the best, the two
//   margins combined as decideAnswer does (square root of the sum of squares);
// - recommended: the cheapest among the best and the candidates measured on
//   every node shown to be at most the tolerance slower; not claimed when the
//   answer is partial;
// - confidence: how much faster another candidate could still be at 95%:
//   high within the tolerance, medium within three times it, low beyond;
// - partial: a host folder has no answer (unreadable, nothing ranked) or a
//   node's own answer is partial;
// - outliers: at the best, nodes that measured it and sit below the median of
//   the nodes that measured it by more than the noise (fleet_analysis.h);
//   nodes measured at the same time on one drive of one machine are not a
//   real fleet: the answer says so and calls none of them an outlier.
#include "results/result_model.h"
#include "util/result.h"

#include <nlohmann/json.hpp>

#include <cstddef>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

namespace aiotune {

// One host folder of a fleet folder.
struct HostSweep {
    std::string host; // the folder's name (the label fleet runs give it)
    std::filesystem::path folder;
    std::optional<ResultSet> results; // absent when the folder could not be read
    std::string error;                // why not
};

struct FleetOutlier {
    std::string host;
    double combinedGiBps = 0.0;
    double gapGiBps = 0.0;    // fleet median - this node, at the pick
    double gapFraction = 0.0; // of the median
    double noiseGiBps = 0.0;  // the tolerance it exceeded
    bool operator==(const FleetOutlier&) const = default;
};

// Hosts measured at the same time on one drive of one machine.
struct FleetSharedDrive {
    std::vector<std::string> hosts; // in name order
    std::string machine;            // the machine they all recorded
    std::string drive;              // the device (or mount point) they shared
    bool operator==(const FleetSharedDrive&) const = default;
};

// One node's answer, the input of the rule.
struct FleetNode {
    std::string host;
    std::optional<Answer> answer; // absent when its folder could not be read
    std::string error;            // why not
};

// One configuration across the fleet.
struct FleetConfigFigure {
    ConfigKey key;
    // Best, Tied, Contending, Eliminated as in the single answer; Predicted:
    // estimated on every node, measured on none; Failed: no figure on some node.
    ConfigState state = ConfigState::Eliminated;
    double gibps = 0.0;                     // the fleet figure: its worst node's
    std::optional<AnswerInterval> interval; // absent when a node's margin is unknown
    std::string worstHost;
    std::size_t measuredOn = 0;           // nodes that measured it
    std::vector<std::string> estimatedOn; // nodes that only estimated it
    std::vector<std::string> missingOn;   // nodes with no figure for it
    std::optional<double> upperGain;      // how much faster than the best it could be at 95%
    std::string reason;
    bool operator==(const FleetConfigFigure&) const = default;
};

struct FleetAnswer {
    bool found = false;
    std::string message; // why there is no answer, when none

    ConfigKey best;
    double bestGiBps = 0.0; // the worst node's figure at the best
    std::optional<AnswerInterval> interval;
    std::string worstHost;
    std::vector<std::string> bestEstimatedOn; // nodes that did not measure the best
    std::vector<ConfigKey> tied;
    std::optional<ConfigKey> recommended;
    double recommendedGiBps = 0.0;
    Confidence confidence = Confidence::Low;
    std::string confidenceText;
    std::optional<double> possibleGain;
    double tolerance = 0.03;
    bool partial = false;
    std::string partialReason;
    std::string decidedBy;

    std::vector<std::string> hosts;         // every host folder it covers, in name order
    std::size_t usableHosts = 0;            // with an answer of their own
    std::vector<std::string> leftOut;       // "host: why", for hosts without one
    std::size_t configurations = 0;         // with a figure on every usable node
    std::size_t measuredEverywhere = 0;     // of those, measured on every usable node
    std::size_t estimated = 0;              // of those, only estimated on some node
    std::size_t incomplete = 0;             // with a figure on some nodes only
    std::vector<FleetConfigFigure> configs; // candidates best first, then incomplete ones

    // At the best, over the nodes that measured it (fleet_analysis.h).
    double medianGiBps = 0.0;
    double noiseGiBps = 0.0;
    bool noiseKnown = false;
    std::vector<FleetOutlier> outliers; // largest gap first; never a host of sharedDrives
    std::vector<FleetSharedDrive> sharedDrives;
    std::string sharedDriveNote; // non-empty: these hosts are no real fleet, and why

    std::string samplesDigest; // of the host folders' samples (fleetSamplesDigest)

    const FleetConfigFigure* figure(const ConfigKey& key) const;
    // The section to export: recommended when claimed and asked for, else best.
    const ConfigKey& pick(bool preferRecommended) const;
    // One line: counts of configurations measured on every node and estimated.
    std::string countsText() const;
    bool operator==(const FleetAnswer&) const = default;
};

inline constexpr const char* kFleetFileName = "fleet.json";

// The rule over the nodes' answers; sharedDrives from the samples' metadata.
// No outliers (they need the samples): see the overload below.
FleetAnswer decideFleetAnswer(const std::vector<FleetNode>& nodes,
                              const std::vector<FleetSharedDrive>& sharedDrives = {});

// The rule over host folders: each node's answerFor(), the shared drives, the
// outliers at the best and the digest of every host's samples.
FleetAnswer decideFleetAnswer(const std::vector<HostSweep>& sweeps);

// Hosts measured at the same time on one drive of one machine
// (sweep.json's meta.system.host, folders' device or mount point).
std::vector<FleetSharedDrive> findSharedDrives(const std::vector<HostSweep>& sweeps);

// Fingerprint of the host set and each host's samples (samplesDigest()).
std::string fleetSamplesDigest(const std::vector<HostSweep>& sweeps);

// What every reader calls: the stored answer while the host folders' samples
// are unchanged and it names configurations they measured, else decided again.
FleetAnswer fleetAnswerFor(const std::vector<HostSweep>& sweeps,
                           const std::optional<FleetAnswer>& stored);

// fleet.json: {"schema": 1, "kind": "aiotune-fleet", "answer": {...}}.
nlohmann::ordered_json fleetAnswerToJson(const FleetAnswer& a);
// The answer's "outliers" and "shared_drives" arrays, as fleet.json and
// `analyze --json` write them.
nlohmann::ordered_json fleetOutliersJson(const std::vector<FleetOutlier>& outliers);
nlohmann::ordered_json sharedDrivesJson(const std::vector<FleetSharedDrive>& drives);
Result<FleetAnswer> fleetAnswerFromJson(const nlohmann::json& j);
// Writes <folder>/fleet.json atomically (aiotune's own file: replaced).
Result<void> writeFleetFile(const std::filesystem::path& folder, const FleetAnswer& a);
// Ok unless `output` is <folder>/fleet.json (by path or identity): a report or
// an export written there would replace the stored answer.
Result<void> checkNotTheFleetFile(const std::filesystem::path& output,
                                  const std::filesystem::path& folder);
// nullopt when there is none; an error naming the file when it is damaged.
Result<std::optional<FleetAnswer>> readFleetFile(const std::filesystem::path& folder);

} // namespace aiotune
