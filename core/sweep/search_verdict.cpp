#include "sweep/search_verdict.h"

#include "config/aio_config.h"
#include "sweep/adaptive_strategy.h"

#include <cmath>
#include <cstdio>

namespace aiotune {

namespace {

std::string percent(double share) {
    char buf[32];
    std::snprintf(buf, sizeof buf, "%.1f%%", share * 100.0);
    return buf;
}

nlohmann::json finite(double v) {
    return std::isfinite(v) ? nlohmann::json(v) : nlohmann::json(nullptr);
}

} // namespace

SearchVerdict searchVerdict(const AdaptiveStrategy& strategy) {
    SearchVerdict v;
    v.strategy = std::string(strategy.name());
    v.stoppedBecause = strategy.stopReason();
    v.transfers = strategy.transfers();
    v.bytes = strategy.bytes();
    v.seconds = strategy.seconds();
    v.tolerance = strategy.options().tolerance;
    v.dropouts = strategy.dropouts();
    v.measured = strategy.results().configs.size();
    v.configurations = strategy.configurationCount();
    v.found = strategy.leader().has_value();
    if (!v.found) {
        v.confidenceText = "No configuration was measured successfully, so there is no answer.";
        return v;
    }
    v.answer = strategy.answer();
    v.noise = strategy.noise();
    const double gain = v.answer.possibleGain;
    const std::string level = percent(kSearchConfidence);
    if (!v.answer.noiseKnown) {
        v.confidence = Confidence::Low;
        v.confidenceText = "The noise is unknown (nothing was measured twice), so another "
                           "configuration could be faster by any amount: raise the budget.";
    } else if (gain <= v.tolerance) {
        v.confidence = Confidence::High;
        v.confidenceText = "At " + level +
                           " confidence no other configuration (measured, or predicted by the "
                           "screen) is more than " +
                           percent(std::max(gain, 0.0)) + " faster than the best (tolerance " +
                           percent(v.tolerance) + ").";
    } else {
        v.confidence = gain <= 3.0 * v.tolerance ? Confidence::Medium : Confidence::Low;
        v.confidenceText =
            "Another configuration (measured, or predicted by the screen) could still be up to " +
            percent(gain) + " faster than the best (at " + level + ", tolerance " +
            percent(v.tolerance) + "; noise " + percent(v.noise) +
            " per visit): raise the budget to narrow it.";
    }
    if (v.measured < v.configurations)
        v.confidenceText += " " + std::to_string(v.configurations - v.measured) +
                            " configurations were only predicted by the screen, never measured.";
    return v;
}

nlohmann::json searchVerdictToJson(const SearchVerdict& v) {
    using nlohmann::json;
    json j{{"strategy", v.strategy},
           {"transfers", v.transfers},
           {"bytes", v.bytes},
           {"seconds", finite(v.seconds)},
           {"stopped_because", std::string(stopReasonName(v.stoppedBecause))},
           {"tolerance", v.tolerance},
           {"configurations", v.configurations},
           {"measured", v.measured},
           {"confidence", confidenceName(v.confidence)},
           {"confidence_text", v.confidenceText},
           {"confidence_level", kSearchConfidence}};
    if (v.found) {
        const TiedAnswer& a = v.answer;
        j["best"] = {{"aio", toAioJson(a.best.aio)},
                     {"gibps", finite(a.bestGiBps)},
                     {"interval_gibps", {finite(a.bestLowGiBps), finite(a.bestHighGiBps)}},
                     {"visits", a.bestVisits}};
        j["recommended"] = {{"aio", toAioJson(a.recommended.aio)},
                            {"gibps", finite(a.recommendedGiBps)}};
        json tied = json::array();
        for (const VisitEstimate& e : a.tied)
            tied.push_back({{"aio", toAioJson(e.key.aio)},
                            {"gibps", finite(e.gibps())},
                            {"visits", e.visits}});
        j["tied"] = std::move(tied);
        j["possible_gain"] = finite(a.possibleGain);
        j["noise"] = a.noiseKnown ? json(v.noise) : json(nullptr);
    }
    json drops = json::array();
    for (const Dropout& d : v.dropouts)
        drops.push_back({{"aio", toAioJson(d.config)},
                         {"after_transfers", d.afterTransfers},
                         {"reason", d.reason}});
    j["dropouts"] = std::move(drops);
    return j;
}

} // namespace aiotune
