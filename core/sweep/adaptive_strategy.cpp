#include "sweep/adaptive_strategy.h"

#include "results/estimates.h"

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdio>
#include <limits>
#include <map>
#include <numeric>
#include <set>
#include <string>
#include <utility>

namespace aiotune {

namespace {

// Visits handed to the runner at once: small enough that a seconds budget
// stops the search soon after it runs out.
constexpr std::size_t kBatchVisits = 16;

// splitmix64: a fixed, portable sequence (std::shuffle's is not specified).
std::uint64_t nextRandom(std::uint64_t& state) {
    std::uint64_t z = (state += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
}

template <typename T> void shuffle(std::vector<T>& v, std::uint64_t& state) {
    for (std::size_t i = v.size(); i > 1; --i)
        std::swap(v[i - 1], v[nextRandom(state) % i]);
}

std::string gibps(double v) {
    char buf[32];
    std::snprintf(buf, sizeof buf, "%.2f GiB/s", v);
    return buf;
}

// The resolution-V half: configurations whose value indices sum to `parity`
// mod 2. Only when every varying parameter has an even number of values (so
// each value keeps half its configurations), at least five vary (so no
// two-parameter interaction is confounded with another), and the model fits.
std::vector<std::size_t> halfFraction(const Factorial& fac, int parity) {
    int varying = 0;
    for (int l : fac.levels) {
        if (l < 2) continue;
        if (l % 2 != 0) return {};
        ++varying;
    }
    if (varying < 5) return {};
    std::vector<std::size_t> half;
    std::vector<std::vector<double>> rows;
    for (std::size_t c = 0; c < fac.index.size(); ++c) {
        const auto& idx = fac.index[c];
        if (std::accumulate(idx.begin(), idx.end(), 0) % 2 != parity) continue;
        half.push_back(c);
        rows.push_back(modelRow(fac, c, /*interactions=*/true));
    }
    if (normalInverse(rows).empty()) return {};
    return half;
}

// A quarter of a grid of six two-valued bits (a parameter with two values is
// one bit, one with four values two bits: DeepSpeed's grid), resolution IV
// (defining relation I = ABCE = BCDF, E and F the four-valued parameter's
// bits): no main effect is confounded with another or with a two-parameter
// interaction, so the main-effects model of estimates.h fits it. `which`
// (0-3) picks one of the four quarters. Empty for other grids.
std::vector<std::size_t> quarterFraction(const Factorial& fac, int which) {
    std::vector<std::pair<std::size_t, int>> bits; // parameter, bit of its value index
    for (std::size_t f = 0; f < kFactors; ++f) {
        const int l = fac.levels[f];
        if (l < 2) continue;
        if (l != 2 && l != 4) return {};
        bits.emplace_back(f, 0);
        if (l == 4) bits.emplace_back(f, 1);
    }
    if (bits.size() != 6) return {};
    std::stable_partition(bits.begin(), bits.end(),
                          [&](const auto& b) { return fac.levels[b.first] == 2; });
    if (fac.levels[bits[4].first] != 4 || bits[4].first != bits[5].first) return {};
    std::vector<std::size_t> quarter;
    std::vector<std::vector<double>> rows;
    for (std::size_t c = 0; c < fac.index.size(); ++c) {
        std::array<int, 6> v{};
        for (std::size_t k = 0; k < 6; ++k)
            v[k] = (fac.index[c][bits[k].first] >> bits[k].second) & 1;
        if ((v[0] + v[1] + v[2] + v[4]) % 2 != (which & 1)) continue;
        if ((v[1] + v[2] + v[3] + v[5]) % 2 != ((which >> 1) & 1)) continue;
        quarter.push_back(c);
        rows.push_back(modelRow(fac, c, /*interactions=*/false));
    }
    if (normalInverse(rows).empty()) return {};
    return quarter;
}

// Race visits a budget should leave after the half screen; below that the
// quarter screen is taken (half the cost, the race the rest).
constexpr std::size_t kMinRaceVisits = 4;

// The first pass: the half fraction when the budget leaves the race a few
// visits after it, else the quarter when there is one, else every configuration.
std::vector<std::size_t> screenFor(const std::vector<AioConfig>& configs,
                                   const AdaptiveOptions& options, std::uint64_t variant) {
    std::vector<std::size_t> all(configs.size());
    std::iota(all.begin(), all.end(), std::size_t{0});
    if (options.screenEverything) return all;
    const auto fac = asFactorial(configs);
    if (!fac) return all;
    const std::size_t ops = (options.read ? 1 : 0) + (options.write ? 1 : 0);
    auto half = halfFraction(*fac, static_cast<int>(variant % 2));
    if (!half.empty() && (options.budgetTransfers == 0 ||
                          options.budgetTransfers >= (half.size() + kMinRaceVisits) * ops))
        return half;
    if (auto quarter = quarterFraction(*fac, static_cast<int>(variant % 4)); !quarter.empty())
        return quarter;
    return half.empty() ? all : half;
}

} // namespace

std::size_t AdaptiveStrategy::firstPassTransfers(const std::vector<AioConfig>& configs,
                                                 const AdaptiveOptions& options) {
    const std::size_t ops = (options.read ? 1 : 0) + (options.write ? 1 : 0);
    return screenFor(configs, options, 0).size() * ops;
}

// The first pass and half as much again for the race (DeepSpeed's grid: 64 +
// 32 = 96 transfers, a quarter of a three-loop grid; a grid screened whole:
// half a three-loop grid). README, "How the search finds the best", has the
// table this was chosen from. Never less than the first pass and twice the
// libaio check of the finalists, which a sweep reserves from the budget (on a
// small grid, the window's Quick preset of 8 points, the check took the whole
// race and every answer ended partial), nor more than a three-loop grid.
std::size_t AdaptiveStrategy::defaultBudget(const std::vector<AioConfig>& configs,
                                            const AdaptiveOptions& options) {
    const std::size_t first = firstPassTransfers(configs, options);
    const std::size_t ops = (options.read ? 1 : 0) + (options.write ? 1 : 0);
    const std::size_t threeLoops = 3 * configs.size() * ops;
    return std::max((3 * first + 1) / 2, std::min(first + 2 * kConfirmationVisits * ops, threeLoops));
}

Result<AdaptiveStrategy> AdaptiveStrategy::create(std::vector<AioConfig> configs,
                                                  AdaptiveOptions options) {
    if (configs.empty()) return makeError("adaptive search: no configuration to measure");
    {
        // Sorted, not compared pairwise: a replay lists tens of thousands.
        std::vector<ConfigKey> keys;
        keys.reserve(configs.size());
        for (const AioConfig& c : configs)
            keys.push_back(ConfigKey{c, 1});
        std::sort(keys.begin(), keys.end());
        if (const auto twice = std::adjacent_find(keys.begin(), keys.end()); twice != keys.end())
            return makeError("adaptive search: configuration " + twice->label() +
                             " is listed twice: list each value once");
    }
    if (!(options.tolerance > 0.0 && options.tolerance <= kMaxTolerance)) {
        char buf[64];
        std::snprintf(buf, sizeof buf, "%g%%", options.tolerance * 100.0);
        return makeError(std::string("tolerance ") + buf +
                         " is outside (0, 50%]: give the share of speed worth finding, e.g. 0.03 "
                         "for 3%");
    }
    if (!options.read && !options.write)
        return makeError(
            "adaptive search: neither read nor write is measured: enable at least one");
    if (!(options.budgetSeconds >= 0.0) || !std::isfinite(options.budgetSeconds))
        return makeError("adaptive search: a seconds budget must be a positive number");
    const std::size_t first = firstPassTransfers(configs, options);
    if (options.budgetTransfers != 0 && options.budgetTransfers < first)
        return makeError("budget of " + std::to_string(options.budgetTransfers) +
                         " transfers is too small for the first pass over " +
                         std::to_string(configs.size()) + " configurations (" +
                         std::to_string(first) + " transfers): raise the budget to at least " +
                         std::to_string(first) + " or measure fewer configurations");
    return AdaptiveStrategy(std::move(configs), options);
}

AdaptiveStrategy::AdaptiveStrategy(std::vector<AioConfig> configs, AdaptiveOptions options)
    : m_configs(std::move(configs)), m_options(options), m_rng(options.seed) {
    m_budgetTransfers = m_options.budgetTransfers != 0 ? m_options.budgetTransfers
                                                        : defaultBudget(m_configs, m_options);
    m_inRace.assign(m_configs.size(), true);
    m_visits.assign(m_configs.size(), 0);
    m_samples.resize(m_configs.size());
    m_keyOrder.resize(m_configs.size());
    std::iota(m_keyOrder.begin(), m_keyOrder.end(), std::size_t{0});
    std::sort(m_keyOrder.begin(), m_keyOrder.end(),
              [&](std::size_t a, std::size_t b) { return keyOf(a) < keyOf(b); });
    m_results.engine = "adaptive";
    planScreen();
}

std::optional<std::size_t> AdaptiveStrategy::reserveTransfers(std::size_t transfers) {
    const std::size_t floor = firstPassTransfers(m_configs, m_options);
    const std::size_t taken =
        std::min(transfers, m_budgetTransfers > floor ? m_budgetTransfers - floor : std::size_t{0});
    if (m_options.budgetSeconds > 0.0 && m_budgetTransfers > 0)
        m_options.budgetSeconds *= 1.0 - static_cast<double>(taken) / static_cast<double>(m_budgetTransfers);
    m_budgetTransfers -= taken;
    return taken;
}

std::size_t AdaptiveStrategy::opsPerVisit() const {
    return (m_options.read ? 1 : 0) + (m_options.write ? 1 : 0);
}

ConfigKey AdaptiveStrategy::keyOf(std::size_t index) const {
    return ConfigKey{m_configs[index], 1};
}

void AdaptiveStrategy::planScreen() {
    m_screen = screenFor(m_configs, m_options, m_options.seed);
    m_screenedHalf = 2 * m_screen.size() == m_configs.size();
    m_screenedQuarter = 4 * m_screen.size() == m_configs.size();
    std::vector<std::size_t> order = m_screen;
    shuffle(order, m_rng);
    for (std::size_t i : order)
        m_pending.push_back(Visit{m_configs[i], 0, m_options.ioSize});
}

void AdaptiveStrategy::drop(std::size_t index, std::string reason) {
    if (!m_inRace[index]) return;
    m_inRace[index] = false;
    m_dropouts.push_back(Dropout{m_configs[index], m_transfers, std::move(reason)});
}

void AdaptiveStrategy::finish(StopReason reason) {
    m_stop = reason;
    m_phase = Phase::Done;
    m_pending.clear();
}

const ResultSet& AdaptiveStrategy::results() const {
    if (m_resultsStale) {
        m_results.configs.clear();
        for (std::size_t i : m_keyOrder) {
            if (m_samples[i].empty()) continue;
            ConfigResult c;
            c.key = keyOf(i);
            c.samples = m_samples[i];
            c.recompute();
            m_results.configs.push_back(std::move(c));
        }
        m_resultsStale = false;
    }
    return m_results;
}

ConfigEstimates AdaptiveStrategy::estimates() const {
    std::vector<ConfigKey> grid;
    for (std::size_t i = 0; i < m_configs.size(); ++i)
        grid.push_back(keyOf(i));
    return estimateConfigs(grid, results(), m_options.tolerance);
}

std::optional<std::size_t> AdaptiveStrategy::leaderIndex(const ConfigEstimates& est) const {
    std::optional<std::size_t> best;
    bool anyInRace = false;
    for (std::size_t i = 0; i < m_configs.size(); ++i)
        anyInRace = anyInRace || (m_inRace[i] && est.all[i].visits > 0);
    for (std::size_t i = 0; i < m_configs.size(); ++i) {
        if ((anyInRace && !m_inRace[i]) || est.all[i].visits == 0) continue;
        if (!best || est.all[i].meanLog > est.all[*best].meanLog) best = i;
    }
    return best;
}

void AdaptiveStrategy::afterScreen() {
    m_phase = Phase::Race;
    const VisitStatistics stats = visitStatistics(results());
    for (std::size_t i : m_screen)
        if (!stats.find(keyOf(i))) drop(i, "no successful visit in the first pass");
    if (stats.configs.empty()) return finish(StopReason::Failed);
    planRound(true);
}

// Drops every configuration that cannot beat the leader by more than the
// tolerance at 95% (measured, or predicted by the model), then queues one
// visit of each of the others in a shuffled order.
void AdaptiveStrategy::planRound(bool first) {
    if (m_options.budgetSeconds > 0.0 && m_seconds >= m_options.budgetSeconds)
        return finish(StopReason::Budget);
    const ConfigEstimates est = estimates();
    const auto lead = leaderIndex(est);
    if (!lead) return finish(StopReason::Failed);
    const VisitEstimate& l = est.all[*lead];
    const double t = tQuantile(est.df);
    const double gainLog = std::log1p(m_options.tolerance);
    std::vector<std::pair<double, std::size_t>> upper; // bound of (i - leader), i
    for (std::size_t i = 0; i < m_configs.size(); ++i) {
        if (!m_inRace[i] || i == *lead) continue;
        const VisitEstimate& e = est.all[i];
        const double bound = e.meanLog - l.meanLog + t * std::sqrt(e.variance + l.variance);
        if (std::isfinite(bound) && bound <= gainLog)
            drop(i, (e.visits > 0
                         ? "estimated " + gibps(e.gibps()) + " after " + std::to_string(e.visits) +
                               (e.visits == 1 ? " visit" : " visits")
                         : "predicted " + gibps(e.gibps()) + " by the screen") +
                        ", at most " + gibps(l.gibps() * std::exp(bound)) +
                        " at 95%, not more than the tolerance above the leader's " +
                        gibps(l.gibps()));
        else
            upper.emplace_back(std::isfinite(bound) ? bound : std::numeric_limits<double>::max(),
                               i);
    }
    const std::size_t left =
        m_transfers < m_budgetTransfers ? (m_budgetTransfers - m_transfers) / opsPerVisit() : 0;
    if (first) {
        // Leave the budget room for about four rounds: the most promising race on
        // (a quarter, not a third: fewer contenders visited more often picked better
        // on every drive class of tests/tools/synthetic_surface.h).
        const std::size_t room = std::max<std::size_t>(2, left / 4);
        if (upper.size() + 1 > room) {
            std::sort(upper.begin(), upper.end(), std::greater<>());
            for (std::size_t k = room - 1; k < upper.size(); ++k)
                drop(upper[k].second,
                     "could still be the best, but " + std::to_string(room - 1) +
                         " configurations rated higher by the screen take the budget");
        }
    }
    std::vector<std::size_t> round;
    for (std::size_t i = 0; i < m_configs.size(); ++i)
        if (m_inRace[i]) round.push_back(i);
    if (round.size() <= 1) return finish(StopReason::Converged);
    if (left == 0) return finish(StopReason::Budget);
    shuffle(round, m_rng);
    if (round.size() > left) {
        // The last, partial round goes to the least measured, then the fastest.
        std::stable_sort(round.begin(), round.end(), [&](std::size_t a, std::size_t b) {
            if (m_visits[a] != m_visits[b]) return m_visits[a] < m_visits[b];
            return est.all[a].meanLog > est.all[b].meanLog;
        });
        round.resize(left);
        shuffle(round, m_rng);
    }
    for (std::size_t i : round)
        m_pending.push_back(Visit{m_configs[i], m_visits[i], m_options.ioSize});
}

std::vector<Visit> AdaptiveStrategy::nextBatch() {
    if (m_stop != StopReason::Running) return {};
    if (m_options.budgetSeconds > 0.0 && m_seconds >= m_options.budgetSeconds) {
        finish(StopReason::Budget);
        return {};
    }
    if (m_pending.empty()) {
        if (m_phase == Phase::Screen)
            afterScreen();
        else
            planRound(false);
        if (m_stop != StopReason::Running) return {};
    }
    std::vector<Visit> batch;
    while (!m_pending.empty() && batch.size() < kBatchVisits) {
        batch.push_back(m_pending.front());
        m_pending.pop_front();
    }
    m_outstanding += batch.size();
    return batch;
}

void AdaptiveStrategy::observe(const Visit& visit, const std::vector<Sample>& samples) {
    // Looked up in key order: a scan per visit made a large replay quadratic.
    const ConfigKey wanted{visit.config, 1};
    const auto it = std::lower_bound(m_keyOrder.begin(), m_keyOrder.end(), wanted,
                                     [&](std::size_t a, const ConfigKey& k) { return keyOf(a) < k; });
    if (it == m_keyOrder.end() || keyOf(*it) != wanted) return; // not ours: nothing to learn
    const std::size_t i = *it;
    if (m_outstanding > 0) --m_outstanding;
    ++m_visits[i];
    std::string error;
    for (const Sample& s : samples) {
        ++m_transfers;
        m_bytes += s.bytes;
        if (std::isfinite(s.seconds) && s.seconds > 0.0) m_seconds += s.seconds;
        if (s.failed() && error.empty()) error = s.error;
        Sample copy = s;
        copy.loop = visit.loop;
        m_samples[i].push_back(std::move(copy));
        m_resultsStale = true;
    }
    if (!error.empty()) drop(i, "failed: " + error);
}

std::size_t AdaptiveStrategy::remainingVisits() const {
    if (m_stop != StopReason::Running) return 0;
    // The budget bounds it; the race usually ends sooner.
    const std::size_t left =
        m_transfers < m_budgetTransfers ? (m_budgetTransfers - m_transfers) / opsPerVisit() : 0;
    return std::max(left, m_pending.size());
}

std::vector<AioConfig> AdaptiveStrategy::contenders() const {
    std::vector<AioConfig> out;
    for (std::size_t i = 0; i < m_configs.size(); ++i)
        if (m_inRace[i]) out.push_back(m_configs[i]);
    return out;
}

std::optional<AioConfig> AdaptiveStrategy::leader() const {
    const auto i = leaderIndex(estimates());
    if (!i) return std::nullopt;
    return m_configs[*i];
}

nlohmann::json AdaptiveStrategy::settingsJson() const {
    return {{"strategy", std::string(name())},
            {"seed", m_options.seed},
            {"tolerance", m_options.tolerance},
            {"budget_transfers", m_budgetTransfers},
            {"budget_seconds", m_options.budgetSeconds}};
}

AnswerContext AdaptiveStrategy::answerContext() const {
    AnswerContext c;
    c.grid = m_configs;
    c.tolerance = m_options.tolerance;
    c.strategy = std::string(name());
    c.stop = std::string(stopReasonName(m_stop));
    return c;
}

} // namespace aiotune
