#include "sweep/adaptive_strategy.h"

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
// The fraction's model needs this many residual degrees of freedom to say
// anything about its own error.
constexpr int kMinModelDf = 4;
// Degrees of freedom the pooled noise needs before it replaces the model's
// residuals (which hold noise and misfit together, so err on the wide side).
constexpr int kMinNoiseDf = 8;
// A configuration whose own mean sits this many one-sided 95% bounds (about
// 2.5 standard deviations) from the model's prediction is not shrunk towards it.
constexpr double kOutlier = 1.5;

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

// The aio parameters as one tuple of values, for the factorial layout.
constexpr std::size_t kFactors = 6;
std::array<std::uint64_t, kFactors> factorValues(const AioConfig& c) {
    return {c.block_size,
            static_cast<std::uint64_t>(c.queue_depth),
            static_cast<std::uint64_t>(c.intra_op_parallelism),
            c.single_submit ? 1u : 0u,
            c.overlap_events ? 1u : 0u,
            c.use_gds ? 1u : 0u};
}

// Each configuration's value index per parameter, when the configurations
// form a full factorial; empty otherwise.
struct Factorial {
    std::vector<std::array<int, kFactors>> index; // per configuration
    std::array<int, kFactors> levels{};
};

std::optional<Factorial> asFactorial(const std::vector<AioConfig>& configs) {
    std::array<std::set<std::uint64_t>, kFactors> values;
    for (const AioConfig& c : configs) {
        const auto v = factorValues(c);
        for (std::size_t f = 0; f < kFactors; ++f)
            values[f].insert(v[f]);
    }
    Factorial fac;
    std::size_t product = 1;
    for (std::size_t f = 0; f < kFactors; ++f) {
        fac.levels[f] = static_cast<int>(values[f].size());
        product *= values[f].size();
    }
    if (product != configs.size()) return std::nullopt; // duplicates are refused earlier
    for (const AioConfig& c : configs) {
        const auto v = factorValues(c);
        std::array<int, kFactors> idx{};
        for (std::size_t f = 0; f < kFactors; ++f)
            idx[f] = static_cast<int>(std::distance(values[f].begin(), values[f].find(v[f])));
        fac.index.push_back(idx);
    }
    return fac;
}

// Model columns: intercept, one indicator per non-first value of each
// parameter, and the products of those for every pair of parameters.
std::vector<double> modelRow(const Factorial& fac, std::size_t config, bool interactions = true) {
    std::vector<double> row{1.0};
    std::vector<std::vector<double>> perFactor;
    for (std::size_t f = 0; f < kFactors; ++f) {
        if (fac.levels[f] < 2) continue;
        std::vector<double> cols;
        for (int l = 1; l < fac.levels[f]; ++l)
            cols.push_back(fac.index[config][f] == l ? 1.0 : 0.0);
        perFactor.push_back(cols);
    }
    for (const auto& cols : perFactor)
        row.insert(row.end(), cols.begin(), cols.end());
    for (std::size_t a = 0; interactions && a < perFactor.size(); ++a)
        for (std::size_t b = a + 1; b < perFactor.size(); ++b)
            for (double x : perFactor[a])
                for (double y : perFactor[b])
                    row.push_back(x * y);
    return row;
}

// Inverse of a symmetric positive matrix by Gauss-Jordan with pivoting;
// empty when it is singular.
std::vector<std::vector<double>> invert(std::vector<std::vector<double>> a) {
    const std::size_t n = a.size();
    std::vector<std::vector<double>> inv(n, std::vector<double>(n, 0.0));
    for (std::size_t i = 0; i < n; ++i)
        inv[i][i] = 1.0;
    for (std::size_t col = 0; col < n; ++col) {
        std::size_t pivot = col;
        for (std::size_t r = col + 1; r < n; ++r)
            if (std::abs(a[r][col]) > std::abs(a[pivot][col])) pivot = r;
        if (std::abs(a[pivot][col]) < 1e-9) return {};
        std::swap(a[pivot], a[col]);
        std::swap(inv[pivot], inv[col]);
        const double p = a[col][col];
        for (std::size_t k = 0; k < n; ++k) {
            a[col][k] /= p;
            inv[col][k] /= p;
        }
        for (std::size_t r = 0; r < n; ++r) {
            if (r == col || a[r][col] == 0.0) continue;
            const double f = a[r][col];
            for (std::size_t k = 0; k < n; ++k) {
                a[r][k] -= f * a[col][k];
                inv[r][k] -= f * inv[col][k];
            }
        }
    }
    return inv;
}

// (X'X)^-1 over the given rows; empty when the rows cannot fit the model with
// kMinModelDf to spare.
std::vector<std::vector<double>> normalInverse(const std::vector<std::vector<double>>& rows) {
    if (rows.empty()) return {};
    const std::size_t p = rows.front().size();
    if (rows.size() < p + kMinModelDf) return {};
    std::vector<std::vector<double>> xtx(p, std::vector<double>(p, 0.0));
    for (const auto& r : rows)
        for (std::size_t i = 0; i < p; ++i)
            for (std::size_t j = 0; j < p; ++j)
                xtx[i][j] += r[i] * r[j];
    return invert(std::move(xtx));
}

double quadratic(const std::vector<std::vector<double>>& m, const std::vector<double>& x) {
    double s = 0.0;
    for (std::size_t i = 0; i < x.size(); ++i)
        for (std::size_t j = 0; j < x.size(); ++j)
            s += x[i] * m[i][j] * x[j];
    return s;
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
        rows.push_back(modelRow(fac, c));
    }
    if (normalInverse(rows).empty()) return {};
    return half;
}

} // namespace

std::size_t AdaptiveStrategy::firstPassTransfers(const std::vector<AioConfig>& configs,
                                                 const AdaptiveOptions& options) {
    const std::size_t ops = (options.read ? 1 : 0) + (options.write ? 1 : 0);
    std::size_t visits = configs.size();
    if (!options.screenEverything)
        if (const auto fac = asFactorial(configs))
            if (const auto half = halfFraction(*fac, 0); !half.empty()) visits = half.size();
    return visits * ops;
}

Result<AdaptiveStrategy> AdaptiveStrategy::create(std::vector<AioConfig> configs,
                                                  AdaptiveOptions options) {
    if (configs.empty()) return makeError("adaptive search: no configuration to measure");
    for (std::size_t i = 0; i < configs.size(); ++i)
        for (std::size_t j = i + 1; j < configs.size(); ++j)
            if (configs[i] == configs[j])
                return makeError("adaptive search: configuration " +
                                 ConfigKey{configs[i], 1}.label() +
                                 " is listed twice: list each value once");
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
    // Default: half of what a three-loop grid costs.
    m_budgetTransfers = m_options.budgetTransfers != 0
                            ? m_options.budgetTransfers
                            : (3 * m_configs.size() * opsPerVisit() + 1) / 2;
    m_inRace.assign(m_configs.size(), true);
    m_visits.assign(m_configs.size(), 0);
    m_results.engine = "adaptive";
    planScreen();
}

std::size_t AdaptiveStrategy::opsPerVisit() const {
    return (m_options.read ? 1 : 0) + (m_options.write ? 1 : 0);
}

ConfigKey AdaptiveStrategy::keyOf(std::size_t index) const {
    return ConfigKey{m_configs[index], 1};
}

void AdaptiveStrategy::planScreen() {
    m_screen.clear();
    if (const auto fac = asFactorial(m_configs)) {
        if (!m_options.screenEverything)
            m_screen = halfFraction(*fac, static_cast<int>(m_options.seed % 2));
        for (std::size_t i = 0; i < m_configs.size(); ++i)
            m_rows.push_back(modelRow(*fac, i, /*interactions=*/false));
    }
    m_screenedHalf = !m_screen.empty();
    if (!m_screenedHalf) {
        m_screen.resize(m_configs.size());
        std::iota(m_screen.begin(), m_screen.end(), std::size_t{0});
    }
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

AdaptiveStrategy::Estimates AdaptiveStrategy::estimates() const {
    const VisitStatistics stats = visitStatistics(m_results);
    const std::size_t n = m_configs.size();
    Estimates out;
    out.all.resize(n);
    std::vector<std::size_t> measured;
    for (std::size_t i = 0; i < n; ++i) {
        VisitEstimate& e = out.all[i];
        e.key = keyOf(i);
        e.meanLog = -std::numeric_limits<double>::infinity();
        if (const VisitEstimate* s = stats.find(e.key)) {
            e = *s;
            measured.push_back(i);
        }
    }
    // A drive that repeats itself exactly (or a replay of one) has no noise;
    // a floor keeps the arithmetic finite.
    double s2 = std::max(stats.sigma * stats.sigma, 1e-8);
    // A spread pooled over a handful of repeats can be near zero by chance
    // (at 30% noise too): below kMinNoiseDf it is not trusted.
    int df = stats.df >= kMinNoiseDf ? stats.df : 0;
    const double minMisfit = 0.5 * std::log1p(m_options.tolerance);

    if (!m_rows.empty() && !measured.empty() &&
        measured.size() >= m_rows.front().size() + kMinModelDf) {
        // Weighted least squares of the configurations' means (weight: visits).
        const std::size_t p = m_rows.front().size();
        std::vector<std::vector<double>> xtx(p, std::vector<double>(p, 0.0));
        std::vector<double> xty(p, 0.0);
        for (std::size_t i : measured) {
            const double w = out.all[i].visits;
            for (std::size_t a = 0; a < p; ++a) {
                xty[a] += w * m_rows[i][a] * out.all[i].meanLog;
                for (std::size_t b = 0; b < p; ++b)
                    xtx[a][b] += w * m_rows[i][a] * m_rows[i][b];
            }
        }
        const auto inverse = invert(std::move(xtx));
        if (!inverse.empty()) {
            std::vector<double> beta(p, 0.0);
            for (std::size_t a = 0; a < p; ++a)
                for (std::size_t b = 0; b < p; ++b)
                    beta[a] += inverse[a][b] * xty[b];
            std::vector<double> predicted(n);
            for (std::size_t i = 0; i < n; ++i)
                predicted[i] = std::inner_product(beta.begin(), beta.end(), m_rows[i].begin(), 0.0);
            double lackOfFit = 0.0, visits = 0.0;
            for (std::size_t i : measured) {
                const double r = out.all[i].meanLog - predicted[i];
                lackOfFit += out.all[i].visits * r * r;
                visits += out.all[i].visits;
            }
            const int lofDf = static_cast<int>(measured.size() - p);
            const double lofMean = lackOfFit / lofDf;
            // How far the truth of one configuration may sit from the model.
            // Before any configuration was visited twice, the residuals are
            // all there is: count them fully as noise and fully as misfit.
            double misfit2 = 0.0;
            if (df == 0) {
                s2 = std::max(lofMean, 1e-8);
                df = lofDf;
                misfit2 = lofMean;
            } else {
                misfit2 = (lofMean - s2) / (visits / measured.size());
            }
            misfit2 = std::max(misfit2, minMisfit * minMisfit);
            // Each configuration: its own mean shrunk towards the model, each
            // weighted by its precision; predicted only when never measured.
            for (std::size_t i = 0; i < n; ++i) {
                VisitEstimate& e = out.all[i];
                const double prior = misfit2 + s2 * quadratic(inverse, m_rows[i]);
                if (e.visits == 0) {
                    e.meanLog = predicted[i];
                    e.variance = prior;
                } else if (std::abs(e.meanLog - predicted[i]) >
                           kOutlier * tQuantile(df) * std::sqrt(s2 / e.visits + prior)) {
                    // Its visits contradict the model (a configuration unlike
                    // its neighbours): they speak for themselves.
                    e.variance = s2 / e.visits;
                } else {
                    const double own = e.visits / s2, model = 1.0 / prior;
                    e.meanLog = (own * e.meanLog + model * predicted[i]) / (own + model);
                    e.variance = 1.0 / (own + model);
                }
            }
            out.sigma = std::sqrt(s2);
            out.df = df;
            return out;
        }
    }
    for (std::size_t i : measured)
        out.all[i].variance =
            df > 0 ? s2 / out.all[i].visits : std::numeric_limits<double>::infinity();
    out.sigma = df > 0 ? std::sqrt(s2) : 0.0;
    out.df = df;
    return out;
}

std::optional<std::size_t> AdaptiveStrategy::leaderIndex(const Estimates& est) const {
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
    const VisitStatistics stats = visitStatistics(m_results);
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
    const Estimates est = estimates();
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
        // Leave the budget room for about three rounds: the most promising race on.
        const std::size_t room = std::max<std::size_t>(2, left / 3);
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
    const auto it = std::find(m_configs.begin(), m_configs.end(), visit.config);
    if (it == m_configs.end()) return; // not ours: nothing to learn
    const std::size_t i = static_cast<std::size_t>(it - m_configs.begin());
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
        m_results.add(keyOf(i), std::move(copy));
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

TiedAnswer AdaptiveStrategy::answer() const {
    const Estimates est = estimates();
    const auto i = leaderIndex(est);
    if (!i) return TiedAnswer{};
    std::vector<VisitEstimate> known;
    for (const VisitEstimate& e : est.all)
        if (std::isfinite(e.meanLog)) known.push_back(e);
    return compareWithBest(known, keyOf(*i), m_options.tolerance, est.df);
}

double AdaptiveStrategy::noise() const {
    const Estimates est = estimates();
    return est.df > 0 ? std::expm1(est.sigma) : 0.0;
}

} // namespace aiotune
