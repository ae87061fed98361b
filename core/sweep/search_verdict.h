#pragma once
// What a search found and what it cost: the best with its interval, the
// configurations statistically tied with it, the cheapest of those worth
// recommending, a confidence in words and numbers, and why it stopped.
// `--json` prints it as "search" beside "aio" and "recommended".
#include "results/analysis.h"
#include "results/result_model.h"
#include "sweep/search_strategy.h"

#include <nlohmann/json.hpp>

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

namespace aiotune {

class AdaptiveStrategy;

struct SearchVerdict {
    std::string strategy; // "adaptive"
    StopReason stoppedBecause = StopReason::Running;
    std::size_t transfers = 0;
    std::uint64_t bytes = 0;
    double seconds = 0.0;           // end-to-end seconds of the transfers
    std::size_t configurations = 0; // in the grid
    std::size_t measured = 0;       // visited at least once; the rest were predicted by the screen
    double tolerance = 0.0;
    bool found = false; // false: nothing was measured successfully
    TiedAnswer answer;
    double noise = 0.0; // per visit, as a share of the figure; 0 when unknown
    Confidence confidence = Confidence::Low;
    std::string confidenceText;
    std::vector<Dropout> dropouts;
};

SearchVerdict searchVerdict(const AdaptiveStrategy& strategy);

// {"strategy", "transfers", "bytes", "seconds", "stopped_because", "tolerance",
//  "configurations", "measured", "best": {"aio", "gibps", "interval_gibps", "visits"},
//  "tied": [...], "recommended": {...}, "confidence", "confidence_text",
//  "confidence_level", "possible_gain", "noise", "dropouts": [...]}
nlohmann::json searchVerdictToJson(const SearchVerdict& verdict);

} // namespace aiotune
