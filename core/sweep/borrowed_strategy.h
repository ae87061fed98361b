#pragma once
// Lends a strategy to SweepRunner::setStrategy without giving it away: the
// runner owns what it is given for one run(), but the caller still needs the
// strategy afterwards (what it cost, its dropouts). The lender must outlive
// the run.
#include "sweep/search_strategy.h"

namespace aiotune {

class BorrowedStrategy : public SearchStrategy {
public:
    explicit BorrowedStrategy(SearchStrategy& lent) : m_lent(lent) {}
    std::string_view name() const override { return m_lent.name(); }
    std::vector<Visit> nextBatch() override { return m_lent.nextBatch(); }
    void observe(const Visit& visit, const std::vector<Sample>& samples) override {
        m_lent.observe(visit, samples);
    }
    StopReason stopReason() const override { return m_lent.stopReason(); }
    std::size_t remainingVisits() const override { return m_lent.remainingVisits(); }
    std::vector<AioConfig> contenders() const override { return m_lent.contenders(); }
    std::vector<Dropout> dropouts() const override { return m_lent.dropouts(); }
    std::optional<std::size_t> reserveTransfers(std::size_t transfers) override {
        return m_lent.reserveTransfers(transfers);
    }
    AnswerContext answerContext() const override { return m_lent.answerContext(); }
    nlohmann::json settingsJson() const override { return m_lent.settingsJson(); }

private:
    SearchStrategy& m_lent;
};

} // namespace aiotune
