#include "sweep/grid_strategy.h"

namespace aiotune {

GridStrategy::GridStrategy(const SweepSpec& spec) : GridStrategy(spec.expand(), spec.loops) {}

GridStrategy::GridStrategy(std::vector<AioConfig> configs, int loops)
    : m_configs(std::move(configs)), m_loops(loops < 1 ? 1 : loops) {}

std::vector<Visit> GridStrategy::nextBatch() {
    std::vector<Visit> batch;
    if (m_nextLoop >= m_loops) return batch;
    batch.reserve(m_configs.size());
    for (const AioConfig& c : m_configs) batch.push_back(Visit{c, m_nextLoop, 0});
    ++m_nextLoop;
    return batch;
}

void GridStrategy::observe(const Visit&, const std::vector<Sample>&) {
    ++m_observed;
}

StopReason GridStrategy::stopReason() const {
    return remainingVisits() == 0 ? StopReason::Exhausted : StopReason::Running;
}

std::size_t GridStrategy::remainingVisits() const {
    const std::size_t total = m_configs.size() * static_cast<std::size_t>(m_loops);
    return total > m_observed ? total - m_observed : 0;
}

AnswerContext GridStrategy::answerContext() const {
    AnswerContext c;
    c.grid = m_configs;
    c.strategy = std::string(name());
    c.stop = std::string(stopReasonName(stopReason()));
    return c;
}

} // namespace aiotune
