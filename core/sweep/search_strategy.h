#pragma once
// How a sweep chooses what to measure next. The runner asks the strategy for
// a batch of visits, measures each one (write then read, on every folder at
// once), hands the samples back, and asks again until the batch is empty.
// Grid visits every configuration `loops` times, interleaved; adaptive
// screens every configuration, then measures again only those that could
// still be the best given the noise seen so far.
#include "config/aio_config.h"
#include "results/answer.h"
#include "results/result_model.h"

#include <nlohmann/json.hpp>

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace aiotune {

enum class StopReason {
    Running,   // not over yet
    Exhausted, // every planned visit was made (grid)
    Converged, // no remaining configuration can beat the leader by more than the tolerance
    Budget,    // the budget (seconds or transfers) ran out first
    Cancelled,
    Failed,
};
std::string_view stopReasonName(StopReason r); // "running", "exhausted", "converged", "budget", ...

struct Visit {
    AioConfig config;
    int loop = 0;             // 0-based: how many times this configuration was visited before
    std::uint64_t ioSize = 0; // 0: the spec's io size
    bool operator==(const Visit&) const = default;
};

// Dropout (a configuration that left the race, and when) is in results/result_model.h:
// sweep.json records them.

class SearchStrategy {
public:
    virtual ~SearchStrategy() = default;
    virtual std::string_view name() const = 0; // "grid", "adaptive"
    // Visits to make next, in order; empty when the search is over.
    virtual std::vector<Visit> nextBatch() = 0;
    // The samples of one finished visit: one per operation (aggregated over
    // folders as the runner records them); failed samples too.
    virtual void observe(const Visit& visit, const std::vector<Sample>& samples) = 0;
    virtual StopReason stopReason() const = 0;
    // Best guess of the visits still to come, for progress and ETA.
    virtual std::size_t remainingVisits() const = 0;
    // Configurations still in the race (grid: all of them).
    virtual std::vector<AioConfig> contenders() const = 0;
    virtual std::vector<Dropout> dropouts() const { return {}; }
    // Before the first batch: takes up to `transfers` off the budget for
    // what the runner measures after the search (the answer's confirmation
    // on libaio). Returns how many it took; nullopt when the strategy has no
    // budget (a grid: that work then comes on top).
    virtual std::optional<std::size_t> reserveTransfers(std::size_t /*transfers*/) { return std::nullopt; }
    // What a reader needs to run this search again alike (an adaptive search's
    // seed, tolerance and budget); sweep.json keeps it as meta "search".
    virtual nlohmann::json settingsJson() const { return {{"strategy", std::string(name())}}; }
    // What decideAnswer() needs besides the samples (the grid, the tolerance,
    // why it stopped): the runner decides the answer with it when the sweep ends.
    virtual AnswerContext answerContext() const {
        AnswerContext c;
        c.strategy = std::string(name());
        c.stop = std::string(stopReasonName(stopReason()));
        return c;
    }
};

} // namespace aiotune
