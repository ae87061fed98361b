#include "results/analysis.h"

#include "results/statistics.h"

#include <algorithm>
#include <cstdio>
#include <limits>
#include <string>

namespace aiotune {

namespace {

// Cheaper first: fewer threads per transfer, then fewer requests in flight.
bool cheaper(const ConfigResult& a, const ConfigResult& b) {
    if (a.key.aio.intra_op_parallelism != b.key.aio.intra_op_parallelism)
        return a.key.aio.intra_op_parallelism < b.key.aio.intra_op_parallelism;
    return a.key.aio.queue_depth < b.key.aio.queue_depth;
}

bool sameCost(const ConfigResult& a, const ConfigResult& b) {
    return !cheaper(a, b) && !cheaper(b, a);
}

// Combined range of a configuration measured at least twice both ways.
std::optional<double> combinedRange(const ConfigResult& c) {
    if (!c.readSpread || !c.writeSpread || c.readSpread->count < 2 || c.writeSpread->count < 2)
        return std::nullopt;
    return c.readSpread->width() + c.writeSpread->width();
}

std::string gibps(double v) {
    char buf[32];
    std::snprintf(buf, sizeof buf, "%.2f GiB/s", v);
    return buf;
}

std::string percent(double fraction) {
    char buf[32];
    std::snprintf(buf, sizeof buf, "%.1f%%", fraction * 100.0);
    return buf;
}

} // namespace

std::vector<ConfigResult> rankByCombined(const ResultSet& results) {
    std::vector<ConfigResult> ranked;
    for (const ConfigResult& c : results.configs)
        if (c.hasBoth()) ranked.push_back(c);
    std::stable_sort(ranked.begin(), ranked.end(),
                     [](const ConfigResult& a, const ConfigResult& b) {
                         if (*a.combinedGiBps != *b.combinedGiBps)
                             return *a.combinedGiBps > *b.combinedGiBps;
                         return cheaper(a, b);
                     });
    return ranked;
}

Recommendation analyze(const ResultSet& results) {
    Recommendation rec;
    for (const ConfigResult& c : results.configs) {
        if (c.readOnly())
            rec.readOnly.push_back(c);
        else if (c.writeOnly())
            rec.writeOnly.push_back(c);
        else if (!c.readGiBps && !c.writeGiBps)
            rec.failed.push_back(c);
    }
    const std::vector<ConfigResult> ranked = rankByCombined(results);
    rec.configsWithBoth = static_cast<int>(ranked.size());
    if (ranked.empty()) {
        rec.message =
            "No configuration has both a read and a write figure, so none can be ranked (" +
            std::to_string(rec.readOnly.size()) + " read-only, " +
            std::to_string(rec.writeOnly.size()) + " write-only, " +
            std::to_string(rec.failed.size()) + " failed): rerun the sweep with both operations.";
        rec.confidenceText = rec.message;
        return rec;
    }

    const ConfigResult& best = ranked.front();
    rec.best = best;
    if (ranked.size() > 1) rec.runnerUp = ranked[1];

    // Noise: one configuration's range from two or three loops is a weak
    // estimate, so the sweep's typical relative range is a floor under it.
    std::vector<double> relative;
    for (const ConfigResult& c : ranked)
        if (const auto r = combinedRange(c)) relative.push_back(*r / *c.combinedGiBps);
    if (!relative.empty()) {
        rec.noiseKnown = true;
        const double medianRel = *median(relative);
        rec.noiseGiBps =
            std::max(combinedRange(best).value_or(0.0), medianRel * *best.combinedGiBps);
    }

    rec.recommended = best;
    if (rec.noiseKnown) {
        const double floor = *best.combinedGiBps - rec.noiseGiBps;
        for (const ConfigResult& c : ranked) { // highest combined first, so ties keep the faster
            if (c.key.folders != best.key.folders || *c.combinedGiBps < floor) continue;
            if (cheaper(c, *rec.recommended) ||
                (sameCost(c, *rec.recommended) &&
                 *c.combinedGiBps > *rec.recommended->combinedGiBps))
                rec.recommended = c;
        }
    }

    // Confidence: is the best really ahead of the runner-up?
    if (!rec.runnerUp) {
        rec.confidence = Confidence::Low;
        rec.confidenceText =
            "Only one configuration has both a read and a write figure, so there is "
            "nothing to compare it with.";
        return rec;
    }
    const double gap = *best.combinedGiBps - *rec.runnerUp->combinedGiBps;
    const double gapRel = gap / *best.combinedGiBps;
    const std::string lead = "The best (" + best.key.label() + ") is " + gibps(gap) + " (" +
                             percent(gapRel) + ") ahead of the runner-up (" +
                             rec.runnerUp->key.label() + ")";
    if (!rec.noiseKnown) {
        rec.confidence = gapRel >= 0.10 ? Confidence::Medium : Confidence::Low;
        rec.confidenceText = lead +
                             ". Each configuration was measured once, so the noise is unknown: "
                             "run more loops to measure it.";
        return rec;
    }
    const double ratio = rec.noiseGiBps > 0.0
                             ? gap / rec.noiseGiBps
                             : (gap > 0.0 ? std::numeric_limits<double>::infinity() : 0.0);
    const std::string noise = "the measured noise (" + gibps(rec.noiseGiBps) + ")";
    if (ratio >= 2.0) {
        rec.confidence = Confidence::High;
        rec.confidenceText = lead + ", at least twice " + noise + ".";
    } else if (ratio >= 1.0) {
        rec.confidence = Confidence::Medium;
        rec.confidenceText =
            lead + ", more than " + noise + " but less than twice it: run more loops to be sure.";
    } else {
        rec.confidence = Confidence::Low;
        rec.confidenceText =
            lead + ", within " + noise +
            ": the top configurations perform alike, so the cheaper recommended one is as good.";
    }
    return rec;
}

} // namespace aiotune
