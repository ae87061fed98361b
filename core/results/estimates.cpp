#include "results/estimates.h"

#include <algorithm>
#include <cmath>
#include <iterator>
#include <limits>
#include <numeric>
#include <set>

namespace aiotune {

namespace {

// The model needs this many residual degrees of freedom to say anything
// about its own error.
constexpr int kMinModelDf = 4;
// Degrees of freedom the pooled noise needs before it replaces the model's
// residuals (which hold noise and misfit together, so err on the wide side).
constexpr int kMinNoiseDf = 8;
// A configuration whose own mean sits this many one-sided 95% bounds (about
// 2.5 standard deviations) from the model's prediction is not shrunk towards it.
constexpr double kOutlier = 1.5;
// Share of the grid's average misfit assumed of one configuration near the
// top. A drive's parameters multiply where it is slow (one thread, small
// blocks) and matter little where it saturates, so the average overstates
// the misfit where the best is. A tenth, over 24,000 seeds of every drive
// class of tests/tools/synthetic_surface.h: at 25% noise, picks worse than 5%
// in 7 and 24 at 96 and 84 transfers (14 and 31 with a quarter); the worst
// pick on slow drift 2.6% (3.8%); no other class moved.
constexpr double kTopMisfitShare = 0.1;

// A grid of tens of thousands of values of one parameter (a hand-made or
// hostile sweep.json) would make a model of as many columns: 8.6 GB for the
// n x p table of 44,000 queue depths. Real grids need a dozen or two.
constexpr std::size_t kMaxModelColumns = 64;

std::size_t modelColumns(const Factorial& fac) {
    std::size_t p = 1;
    for (const int levels : fac.levels)
        p += levels > 1 ? static_cast<std::size_t>(levels - 1) : 0;
    return p;
}

std::array<std::uint64_t, kFactors> factorValues(const AioConfig& c) {
    return {c.block_size,
            static_cast<std::uint64_t>(c.queue_depth),
            static_cast<std::uint64_t>(c.intra_op_parallelism),
            c.single_submit ? 1u : 0u,
            c.overlap_events ? 1u : 0u,
            c.use_gds ? 1u : 0u};
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

double quadratic(const std::vector<std::vector<double>>& m, const std::vector<double>& x) {
    double s = 0.0;
    for (std::size_t i = 0; i < x.size(); ++i)
        for (std::size_t j = 0; j < x.size(); ++j)
            s += x[i] * m[i][j] * x[j];
    return s;
}

} // namespace

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
    if (configs.empty() || product != configs.size()) return std::nullopt;
    // Each value's index by binary search (std::distance over a set was
    // linear: 36,000 queue depths took seconds).
    std::array<std::vector<std::uint64_t>, kFactors> sorted;
    for (std::size_t f = 0; f < kFactors; ++f) sorted[f].assign(values[f].begin(), values[f].end());
    for (const AioConfig& c : configs) {
        const auto v = factorValues(c);
        std::array<int, kFactors> idx{};
        for (std::size_t f = 0; f < kFactors; ++f)
            idx[f] = static_cast<int>(std::lower_bound(sorted[f].begin(), sorted[f].end(), v[f]) - sorted[f].begin());
        fac.index.push_back(idx);
    }
    // A grid listing one configuration twice has the product's size but not its content.
    std::set<std::array<int, kFactors>> distinct(fac.index.begin(), fac.index.end());
    if (distinct.size() != fac.index.size()) return std::nullopt;
    return fac;
}

std::vector<double> modelRow(const Factorial& fac, std::size_t config, bool interactions) {
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

ConfigEstimates estimateConfigs(const std::vector<ConfigKey>& grid, const ResultSet& results,
                                double tolerance, bool shrink) {
    const VisitStatistics stats = visitStatistics(results);
    const std::size_t n = grid.size();
    ConfigEstimates out;
    out.all.resize(n);
    std::vector<std::size_t> measured;
    for (std::size_t i = 0; i < n; ++i) {
        VisitEstimate& e = out.all[i];
        e.key = grid[i];
        e.meanLog = -std::numeric_limits<double>::infinity();
        if (const VisitEstimate* s = stats.find(e.key)) {
            e = *s;
            measured.push_back(i);
        }
    }
    // Main effects only: the screen's half fraction leaves interactions unseen.
    std::vector<std::vector<double>> rows;
    {
        std::vector<AioConfig> configs;
        for (const ConfigKey& k : grid)
            configs.push_back(k.aio);
        if (const auto fac = asFactorial(configs); fac && modelColumns(*fac) <= kMaxModelColumns)
            for (std::size_t i = 0; i < n; ++i)
                rows.push_back(modelRow(*fac, i, /*interactions=*/false));
    }
    // A drive that repeats itself exactly (or a replay of one) has no noise;
    // a floor keeps the arithmetic finite.
    double s2 = std::max(stats.sigma * stats.sigma, 1e-8);
    // A spread pooled over a handful of repeats can be near zero by chance
    // (at 30% noise too): below kMinNoiseDf it is not trusted.
    int df = stats.df >= kMinNoiseDf ? stats.df : 0;
    const double minMisfit = 0.5 * std::log1p(tolerance);

    if (!rows.empty() && measured.size() >= rows.front().size() + kMinModelDf) {
        const std::size_t p = rows.front().size();
        std::vector<std::vector<double>> xtx(p, std::vector<double>(p, 0.0));
        std::vector<double> xty(p, 0.0);
        for (std::size_t i : measured) {
            const double w = out.all[i].visits;
            for (std::size_t a = 0; a < p; ++a) {
                xty[a] += w * rows[i][a] * out.all[i].meanLog;
                for (std::size_t b = 0; b < p; ++b)
                    xtx[a][b] += w * rows[i][a] * rows[i][b];
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
                predicted[i] = std::inner_product(beta.begin(), beta.end(), rows[i].begin(), 0.0);
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
            misfit2 = std::max(kTopMisfitShare * misfit2, minMisfit * minMisfit);
            for (std::size_t i = 0; i < n; ++i) {
                VisitEstimate& e = out.all[i];
                const double prior = misfit2 + s2 * quadratic(inverse, rows[i]);
                if (e.visits == 0) {
                    e.meanLog = predicted[i];
                    e.variance = prior;
                } else if (!shrink) {
                    e.variance = s2 / e.visits;
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
            out.modelled = true;
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

} // namespace aiotune
