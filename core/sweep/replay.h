#pragma once
// Replay: run a search against a recorded sweep instead of a drive. Each visit
// of a configuration is answered by one of that configuration's recorded
// visits (its read and write of one loop), drawn with a seeded generator, so
// a replay is deterministic and does no I/O. Users see what the adaptive
// search would have given on their own data; tests check the search.
#include "results/result_model.h"
#include "sweep/adaptive_strategy.h"
#include "sweep/search_strategy.h"
#include "results/answer.h"
#include "util/result.h"

#include <nlohmann/json.hpp>

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <string>
#include <vector>

namespace aiotune {

// Measures one visit: one sample per operation (failed ones carry an error).
using MeasureVisit = std::function<std::vector<Sample>(const Visit&)>;

// Drives a strategy to its end: next batch -> measure each visit -> observe,
// until the batch is empty. No I/O of its own. Stops early (returning false)
// once *cancel is set (Ctrl-C during a long replay).
bool runSearch(SearchStrategy& strategy, const MeasureVisit& measure,
               const std::atomic<bool>* cancel = nullptr);

// What a search driven by runSearch measured, with its answer decided and
// stored as the runner stores it (what its sweep.json would hold).
ResultSet searchedResults(const AdaptiveStrategy& strategy);

struct ReplayOutcome {
    Answer answer;
    ResultSet searched; // the samples the search drew, with `answer` stored
    std::size_t configurations = 0; // replayed (with at least two recorded visits)
    int recordedLoops = 0;          // most visits recorded of one configuration
    std::size_t recordedTransfers = 0;
    std::size_t threeLoopTransfers = 0; // what a three-loop grid of these configurations costs
    double costRatio = 0.0;             // answer.transfers / threeLoopTransfers
    // Truth = the mean of every recorded visit (geometric, read + write).
    ConfigKey recordedBest;
    double regret = 0.0;            // 1 - truth(best found) / truth(recorded best)
    double recommendedRegret = 0.0; // the same for the recommended configuration
    std::vector<std::string> notes; // configurations left out, and why
};

// Errors: a recorded set without several visits per configuration (DeepSpeed's
// own logs hold one figure each), mixed folder counts, and whatever
// AdaptiveStrategy::create refuses (tolerance, budget) — each naming the value.
// A set *cancel ends it with the error "replay interrupted".
Result<ReplayOutcome> replaySearch(const ResultSet& recorded, const AdaptiveOptions& options,
                                   std::uint64_t seed, const std::atomic<bool>* cancel = nullptr);
// The same for a log folder read with LogFolderReader (its sweep.json).
Result<ReplayOutcome> replaySearchFolder(const std::filesystem::path& folder,
                                         const AdaptiveOptions& options, std::uint64_t seed,
                                         const std::atomic<bool>* cancel = nullptr);

// answer JSON plus "replay": {"configurations", "recorded_loops", "regret", ...}.
nlohmann::json replayOutcomeToJson(const ReplayOutcome& outcome);

} // namespace aiotune
