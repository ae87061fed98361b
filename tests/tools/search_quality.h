#pragma once
// How well a procedure picks on a drive class, over seeds: the table of
// tests/core/test_search_quality.cpp and tests/bench/search_quality_classes.cpp.
// Procedures: DeepSpeed's one loop over its 64-point grid (128 transfers), a
// three-loop grid (384, the yardstick of cost) and the adaptive search at a
// budget of transfers.
#include "synthetic_surface.h"

#include "results/analysis.h"
#include "sweep/adaptive_strategy.h"
#include "sweep/replay.h"

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <stdexcept>

namespace aiotune::testing {

inline constexpr std::size_t kThreeLoopTransfers = 3 * 64 * 2;

struct Pick {
    double regret = 0;         // 1 - truth of the pick / truth of the best
    std::size_t transfers = 0; // what it cost
};

// A grid of `loops` loops in DeepSpeed's order (each configuration's write,
// then read); the pick is the highest mean of log read + write, as the
// analysis ranks.
inline Pick gridPick(const DriveClass& drive, int loops, std::uint64_t seed) {
    const auto grid = deepSpeedGrid();
    NoisyDrive measured(drive, seed);
    ResultSet rs;
    std::size_t transfers = 0;
    for (int loop = 0; loop < loops; ++loop)
        for (const AioConfig& c : grid)
            for (const Sample& s : measured.measure(Visit{c, loop, 0})) {
                rs.add(ConfigKey{c, 1}, s);
                ++transfers;
            }
    const VisitStatistics stats = visitStatistics(rs);
    const VisitEstimate* best = &stats.configs.front();
    for (const VisitEstimate& e : stats.configs)
        if (e.meanLog > best->meanLog) best = &e;
    return {1.0 - drive.surface(best->key.aio).combined() / bestCombined(drive.surface, grid),
            transfers};
}

// The adaptive search (budget 0: its default), its answer's best.
inline Pick searchPick(const DriveClass& drive, std::size_t budget, std::uint64_t seed) {
    const auto grid = deepSpeedGrid();
    AdaptiveOptions options;
    options.seed = seed;
    options.budgetTransfers = budget;
    auto strategy = AdaptiveStrategy::create(grid, options);
    if (!strategy) throw std::runtime_error(strategy.error());
    NoisyDrive measured(drive, seed);
    runSearch(strategy.value(), [&](const Visit& v) { return measured.measure(v); });
    const AioConfig pick = searchedResults(*strategy).answer->best.aio;
    return {1.0 - drive.surface(pick).combined() / bestCombined(drive.surface, grid),
            strategy->transfers()};
}

struct Quality {
    int seeds = 0;
    int within = 0;      // picks within the tolerance of the best
    int beyond5 = 0;     // picks more than 5% below the best
    double worst = 0;    // largest regret
    double meanCost = 0; // mean transfers / a three-loop grid's
    double mostCost = 0; // largest transfers / a three-loop grid's
    double share() const { return seeds > 0 ? double(within) / seeds : 0.0; }
};

inline Quality quality(const std::function<Pick(std::uint64_t seed)>& procedure, int seeds,
                       double tolerance = 0.03) {
    Quality q;
    q.seeds = seeds;
    double cost = 0;
    for (int seed = 1; seed <= seeds; ++seed) {
        const Pick p = procedure(static_cast<std::uint64_t>(seed));
        q.within += p.regret <= tolerance;
        q.beyond5 += p.regret > 0.05;
        q.worst = std::max(q.worst, p.regret);
        cost += double(p.transfers) / kThreeLoopTransfers;
        q.mostCost = std::max(q.mostCost, double(p.transfers) / kThreeLoopTransfers);
    }
    q.meanCost = cost / seeds;
    return q;
}

// Configurations within the tolerance of the best (the class's shape).
inline int withinOfBest(const Surface& s, double tolerance = 0.03) {
    const auto grid = deepSpeedGrid();
    const double best = bestCombined(s, grid);
    int n = 0;
    for (const AioConfig& c : grid)
        n += s(c).combined() >= best * (1 - tolerance);
    return n;
}

} // namespace aiotune::testing
