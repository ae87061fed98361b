// A benchmark, not a test (never registered with CTest; tests/bench/search_quality.sh
// runs it without a folder): the search-quality table on the five drive
// classes of tests/tools/synthetic_surface.h, seeded and deterministic.
// Per class: share of seeds whose pick is within 3% of the best, the worst
// pick, how many picks were more than 5% below the best, and the cost as a share of a three-loop
// grid (384 transfers), for DeepSpeed's one-loop grid, a three-loop grid and the adaptive search at
// each budget.
//   search_quality_classes [SEEDS [BUDGET...]]     (default 400 seeds, budgets 192 128 96 90 56; 0:
//   the default)
#include "../tools/search_quality.h"

#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

using namespace aiotune::testing;

namespace {

void row(const std::string& what, const Quality& q) {
    std::printf("| %-22s | %5.1f%% (%4d/%4d) | %5.2f%% | %4d | %.2f (most %.2f) |\n", what.c_str(),
                100.0 * q.share(), q.within, q.seeds, 100.0 * q.worst, q.beyond5, q.meanCost,
                q.mostCost);
}

} // namespace

int main(int argc, char** argv) {
    const int seeds = argc > 1 ? std::atoi(argv[1]) : 400;
    std::vector<std::size_t> budgets;
    for (int i = 2; i < argc; ++i)
        budgets.push_back(static_cast<std::size_t>(std::atol(argv[i])));
    if (budgets.empty()) budgets = {192, 128, 96, 90, 56};
    if (seeds < 1) {
        std::fprintf(stderr, "usage: search_quality_classes [SEEDS [BUDGET...]]\n");
        return 2;
    }
    for (const DriveClass& drive : driveClasses()) {
        std::printf(
            "\n%s: %d of 64 configurations within 3%% of the best; noise %.0f%% per transfer\n",
            drive.name.c_str(), withinOfBest(drive.surface), 100.0 * drive.cv);
        std::printf("| %-22s | within 3%% of best  | worst  | > 5%% | cost of a 3-loop grid |\n",
                    "procedure");
        std::printf("|------------------------|--------------------|--------|------|---------------"
                    "--------|\n");
        row("one-loop grid (DS)",
            quality([&](std::uint64_t s) { return gridPick(drive, 1, s); }, seeds));
        row("three-loop grid",
            quality([&](std::uint64_t s) { return gridPick(drive, 3, s); }, seeds));
        for (std::size_t b : budgets)
            row(b == 0 ? std::string("search, default") : "search, budget " + std::to_string(b),
                quality([&](std::uint64_t s) { return searchPick(drive, b, s); }, seeds));
    }
    return 0;
}
