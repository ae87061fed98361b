#pragma once
// Adaptive search: find the best configuration of a grid with as few
// transfers as the noise allows.
//
// 1. Screen. When the grid is a full factorial whose parameters all have an
//    even number of values and at least five of them vary (DeepSpeed's 64-point
//    grid: 2 block sizes x 2 depths x submit x overlap x 4 parallelisms), visit
//    half of it once: the configurations whose summed value indices have one
//    parity, a resolution-V half fraction (no main effect or two-parameter
//    interaction is confounded with another). A budget that would leave the
//    race fewer than four visits after that screens a resolution-IV quarter of
//    DeepSpeed's grid instead. Other grids are screened whole.
// 2. Estimate. A model of log(read + write) with one term per parameter value
//    is fitted to every visit so far (weighted least squares of the
//    configurations' means). Each configuration's estimate is its own mean
//    shrunk towards the model's prediction, each weighted by its precision:
//    the noise is pooled across configurations (visits of one configuration
//    differ only by noise), the model's misfit is what its residuals hold
//    beyond that noise. A smooth drive is then estimated from all visits at
//    once; where the model misses, a configuration's own visits take over.
//    Configurations never measured have the model's prediction.
// 3. Race. A configuration drops out when, at 95%, it cannot beat the leader
//    (the best estimate measured) by more than the tolerance; the others are
//    visited again, one round after another in a seeded shuffled order.
// 4. Stop: Converged when only the leader is left, Budget when the next round
//    no longer fits (transfers, or seconds of transfers), Failed when nothing
//    could be measured.
#include "results/analysis.h"
#include "results/answer.h"
#include "results/estimates.h"
#include "results/result_model.h"
#include "sweep/search_strategy.h"
#include "util/result.h"

#include <cstddef>
#include <cstdint>
#include <deque>
#include <optional>
#include <vector>

namespace aiotune {

struct AdaptiveOptions {
    double tolerance = 0.03;         // a configuration this much faster than the pick matters
    std::size_t budgetTransfers = 0; // 0: defaultBudget() (96 on DeepSpeed's grid: a quarter
                                     // of a three-loop grid)
    double budgetSeconds = 0.0;      // 0: none; counts the samples' end-to-end seconds
    bool read = true;
    bool write = true;
    std::uint64_t ioSize = 0;      // 0: the spec's; passed on in every Visit
    std::uint64_t seed = 0;        // order of visits and which half is screened
    bool screenEverything = false; // first pass visits every configuration
};

inline constexpr double kMaxTolerance = 0.5;

class AdaptiveStrategy : public SearchStrategy {
  public:
    // Errors: no configuration, duplicates, tolerance outside (0, 50%], no
    // operation, a transfer budget smaller than the first pass.
    static Result<AdaptiveStrategy> create(std::vector<AioConfig> configs, AdaptiveOptions options);

    // Transfers the first pass costs for these configurations and options.
    static std::size_t firstPassTransfers(const std::vector<AioConfig>& configs,
                                          const AdaptiveOptions& options);
    // The budget when none is given (see the definition for why).
    static std::size_t defaultBudget(const std::vector<AioConfig>& configs, const AdaptiveOptions& options);

    std::string_view name() const override { return "adaptive"; }
    std::vector<Visit> nextBatch() override;
    void observe(const Visit& visit, const std::vector<Sample>& samples) override;
    StopReason stopReason() const override { return m_stop; }
    std::size_t remainingVisits() const override;
    std::vector<AioConfig> contenders() const override;
    std::vector<Dropout> dropouts() const override { return m_dropouts; }
    // Never below the first pass; a seconds budget gives up the same share.
    std::optional<std::size_t> reserveTransfers(std::size_t transfers) override;

    // Everything observed so far (one configuration per AioConfig, folders 1).
    const ResultSet& results() const;
    // The configuration leading now; empty before anything was measured.
    std::optional<AioConfig> leader() const;
    // What decideAnswer() needs besides the samples: the grid, the tolerance, the stop.
    AnswerContext answerContext() const override;
    // strategy, seed, tolerance, budget_transfers (after any reserve), budget_seconds (0: none).
    nlohmann::json settingsJson() const override;

    std::size_t configurationCount() const { return m_configs.size(); }
    std::size_t transfers() const { return m_transfers; }
    std::uint64_t bytes() const { return m_bytes; }
    double seconds() const { return m_seconds; }
    std::size_t budgetTransfers() const { return m_budgetTransfers; }
    bool screenedHalf() const { return m_screenedHalf; }
    bool screenedQuarter() const { return m_screenedQuarter; }
    const AdaptiveOptions& options() const { return m_options; }

  private:
    AdaptiveStrategy(std::vector<AioConfig> configs, AdaptiveOptions options);

    enum class Phase { Screen, Race, Done };
    std::size_t opsPerVisit() const;
    void planScreen();
    void afterScreen();
    void planRound(bool first);
    void drop(std::size_t index, std::string reason);
    void finish(StopReason reason);
    // Every configuration's estimate, index-aligned with m_configs.
    ConfigEstimates estimates() const;
    std::optional<std::size_t> leaderIndex(const ConfigEstimates& est) const;
    ConfigKey keyOf(std::size_t index) const;

    std::vector<AioConfig> m_configs;
    AdaptiveOptions m_options;
    std::size_t m_budgetTransfers = 0;
    std::vector<std::size_t> m_screen; // indices visited by the first pass
    bool m_screenedHalf = false;
    bool m_screenedQuarter = false;
    std::vector<bool> m_inRace;
    std::vector<int> m_visits;     // visits made per configuration
    std::deque<Visit> m_pending;   // rest of the current round
    std::size_t m_outstanding = 0; // visits handed out, not yet observed
    Phase m_phase = Phase::Screen;
    StopReason m_stop = StopReason::Running;
    // Samples per configuration index; results() sorts them into m_results
    // when asked (inserting each new configuration into a sorted list as it
    // was first visited cost N^2 moves over a large grid).
    std::vector<std::vector<Sample>> m_samples;
    mutable ResultSet m_results;
    mutable bool m_resultsStale = false;
    std::vector<std::size_t> m_keyOrder; // indices of m_configs in key order
    std::vector<Dropout> m_dropouts;
    std::size_t m_transfers = 0;
    std::uint64_t m_bytes = 0;
    double m_seconds = 0.0;
    std::uint64_t m_rng;
};

} // namespace aiotune
