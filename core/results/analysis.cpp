#include "results/analysis.h"

#include "results/answer.h"

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdio>
#include <limits>
#include <map>
#include <string>

namespace aiotune {

namespace {

// Cheaper first: fewer threads per transfer, then fewer requests in flight.
bool cheaperKey(const ConfigKey& a, const ConfigKey& b) {
    if (a.aio.intra_op_parallelism != b.aio.intra_op_parallelism)
        return a.aio.intra_op_parallelism < b.aio.intra_op_parallelism;
    return a.aio.queue_depth < b.aio.queue_depth;
}

} // namespace

std::vector<ConfigResult> rankByAnswer(const ResultSet& results, const Answer& answer) {
    std::vector<ConfigResult> ranked;
    for (const ConfigStanding& s : answer.configs)
        if (const ConfigResult* c = results.find(s.key); c && c->hasBoth()) ranked.push_back(*c);
    return ranked;
}

Recommendation analyze(const ResultSet& results) {
    Recommendation rec;
    rec.answer = answerFor(results);
    for (const ConfigResult& c : results.configs) {
        if (c.readOnly())
            rec.readOnly.push_back(c);
        else if (c.writeOnly())
            rec.writeOnly.push_back(c);
        else if (!c.readGiBps && !c.writeGiBps)
            rec.failed.push_back(c);
        if (c.hasBoth()) ++rec.configsWithBoth;
    }
    const Answer& a = rec.answer;
    rec.confidence = a.confidence;
    rec.confidenceText = a.confidenceText;
    const ConfigResult* best = a.found ? results.find(a.best) : nullptr;
    if (!best || !best->hasBoth()) {
        rec.message = a.found ? "No configuration has both a read and a write figure, so none can be ranked "
                                "by DeepSpeed's rule (read + write): measure both operations."
                              : a.message;
        rec.confidenceText = rec.message;
        return rec;
    }
    rec.best = *best;
    rec.recommended = *best;
    if (a.recommended)
        if (const ConfigResult* r = results.find(*a.recommended); r && r->hasBoth()) rec.recommended = *r;
    for (const ConfigStanding& s : a.configs)
        if (s.key != a.best && s.visits > 0)
            if (const ConfigResult* c = results.find(s.key); c && c->hasBoth()) {
                rec.runnerUp = *c;
                break;
            }
    rec.noiseKnown = a.noise.has_value();
    rec.noiseGiBps = a.noise ? *a.noise * a.bestGiBps : 0.0;
    return rec;
}

double VisitEstimate::gibps() const {
    return std::exp(meanLog);
}

const VisitEstimate* VisitStatistics::find(const ConfigKey& key) const {
    // In key order (visitStatistics walks the sorted result set): a binary search.
    const auto it = std::lower_bound(configs.begin(), configs.end(), key,
                                     [](const VisitEstimate& e, const ConfigKey& k) { return e.key < k; });
    return it != configs.end() && it->key == key ? &*it : nullptr;
}

VisitStatistics visitStatistics(const ResultSet& results) {
    bool hasRead = false, hasWrite = false;
    for (const ConfigResult& c : results.configs)
        for (const Sample& s : c.samples)
            (s.op == IoOp::Read ? hasRead : hasWrite) = true;

    VisitStatistics stats;
    double squares = 0.0;
    for (const ConfigResult& c : results.configs) {
        // Per loop: sum and count of each operation's figures, and whether any failed.
        struct Loop {
            std::array<double, 2> sum{0.0, 0.0};
            std::array<int, 2> count{0, 0};
            bool failed = false;
        };
        std::map<int, Loop> loops;
        for (const Sample& s : c.samples) {
            Loop& l = loops[s.loop];
            const int op = s.op == IoOp::Read ? 0 : 1;
            if (s.failed() || !(s.gibPerSec > 0.0) || !std::isfinite(s.gibPerSec)) {
                l.failed = true;
                continue;
            }
            l.sum[op] += s.gibPerSec;
            ++l.count[op];
        }
        std::vector<double> logs;
        for (const auto& [loop, l] : loops) {
            if (l.failed || (hasRead && l.count[0] == 0) || (hasWrite && l.count[1] == 0)) continue;
            // Several samples of one operation in a loop (several folders
            // recorded apart): their mean stands for the operation.
            double figure = 0.0;
            for (int op = 0; op < 2; ++op)
                if (l.count[op] > 0) figure += l.sum[op] / l.count[op];
            if (!std::isfinite(figure)) continue; // damaged figures near DBL_MAX add up to inf
            logs.push_back(std::log(figure));
        }
        if (logs.empty()) continue;
        VisitEstimate e;
        e.key = c.key;
        e.visits = static_cast<int>(logs.size());
        double sum = 0.0;
        for (double v : logs)
            sum += v;
        e.meanLog = sum / e.visits;
        for (double v : logs)
            squares += (v - e.meanLog) * (v - e.meanLog);
        stats.df += e.visits - 1;
        stats.configs.push_back(e);
    }
    if (stats.df > 0) {
        stats.sigma = std::sqrt(squares / stats.df);
        for (VisitEstimate& e : stats.configs)
            e.variance = stats.sigma * stats.sigma / e.visits;
    }
    return stats;
}

double tQuantile(int df) {
    if (df < 1) return std::numeric_limits<double>::infinity();
    // Exact 95% one-sided quantiles for few degrees of freedom, where the
    // expansion below is poor; a Cornish-Fisher expansion beyond.
    static constexpr std::array<double, 10> small{6.3138, 2.9200, 2.3534, 2.1318, 2.0150,
                                                  1.9432, 1.8946, 1.8595, 1.8331, 1.8125};
    if (df <= static_cast<int>(small.size())) return small[static_cast<std::size_t>(df - 1)];
    const double z = 1.6448536269514722, v = df;
    const double z3 = z * z * z, z5 = z3 * z * z, z7 = z5 * z * z;
    return z + (z3 + z) / (4 * v) + (5 * z5 + 16 * z3 + 3 * z) / (96 * v * v) +
           (3 * z7 + 19 * z5 + 17 * z3 - 15 * z) / (384 * v * v * v);
}

TiedAnswer compareWithBest(const std::vector<VisitEstimate>& estimates, const ConfigKey& best,
                           double tolerance, int df) {
    TiedAnswer a;
    a.best = best;
    a.recommended = best;
    const auto b = std::find_if(estimates.begin(), estimates.end(),
                                [&](const VisitEstimate& e) { return e.key == best; });
    if (b == estimates.end()) return a;
    const double t = tQuantile(df);
    a.noiseKnown = std::isfinite(t) && std::isfinite(b->variance);
    a.bestVisits = b->visits;
    a.bestGiBps = a.bestLowGiBps = a.bestHighGiBps = b->gibps();
    if (a.noiseKnown) {
        const double half = t * std::sqrt(b->variance);
        a.bestLowGiBps = std::exp(b->meanLog - half);
        a.bestHighGiBps = std::exp(b->meanLog + half);
    }
    double recommendedLog = b->meanLog;
    const double withinLog = std::log1p(-tolerance);
    for (const VisitEstimate& c : estimates) {
        if (c.key == best) continue;
        const double d = c.meanLog - b->meanLog;
        double m = t * std::sqrt(c.variance + b->variance);
        if (!std::isfinite(m)) m = std::numeric_limits<double>::infinity();
        a.noiseKnown = a.noiseKnown && std::isfinite(m);
        a.possibleGain = std::max(a.possibleGain, std::expm1(d + m));
        if (d + m >= 0.0) a.tied.push_back(c);
        if (c.visits == 0 || c.key.folders != best.folders || d - m < withinLog) continue;
        const bool cheaper = cheaperKey(c.key, a.recommended);
        const bool sameCost = !cheaper && !cheaperKey(a.recommended, c.key);
        if (cheaper || (sameCost && c.meanLog > recommendedLog)) {
            a.recommended = c.key;
            recommendedLog = c.meanLog;
        }
    }
    a.recommendedGiBps = std::exp(recommendedLog);
    std::stable_sort(a.tied.begin(), a.tied.end(),
                     [](const VisitEstimate& x, const VisitEstimate& y) { return x.meanLog > y.meanLog; });
    return a;
}

} // namespace aiotune
