#pragma once
// The exhaustive search: every configuration of the spec `loops` times,
// loop-major (every configuration's first visit before any second one), so
// drift over the sweep spreads evenly over the configurations.
#include "sweep/search_strategy.h"
#include "sweep/sweep_spec.h"

namespace aiotune {

class GridStrategy : public SearchStrategy {
public:
    explicit GridStrategy(const SweepSpec& spec);
    GridStrategy(std::vector<AioConfig> configs, int loops);

    std::string_view name() const override { return "grid"; }
    // One loop over every configuration per batch.
    std::vector<Visit> nextBatch() override;
    void observe(const Visit& visit, const std::vector<Sample>& samples) override;
    StopReason stopReason() const override;
    std::size_t remainingVisits() const override;
    std::vector<AioConfig> contenders() const override { return m_configs; }
    AnswerContext answerContext() const override;

private:
    std::vector<AioConfig> m_configs;
    int m_loops = 1;
    int m_nextLoop = 0;          // loop of the next batch
    std::size_t m_observed = 0;  // visits observed
};

} // namespace aiotune
