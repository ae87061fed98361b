#include "results/answer.h"

#include "results/analysis.h"
#include "results/estimates.h"
#include "results/speed_figure.h"
#include "results/sweep_file.h"
#include "util/figure_text.h"

#include <algorithm>
#include <bit>
#include <climits>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <limits>
#include <map>
#include <set>
#include <stdexcept>

namespace aiotune {

namespace {

// Folder count shared by every measured configuration; 1 when they differ or none.
int commonFolders(const ResultSet& results) {
    std::set<int> counts;
    for (const ConfigResult& c : results.configs)
        counts.insert(c.key.folders);
    return counts.size() == 1 ? *counts.begin() : 1;
}

std::vector<ConfigKey> gridOf(const ResultSet& results, const AnswerContext& context) {
    std::vector<ConfigKey> grid;
    std::set<ConfigKey> seen; // a log folder may hold thousands: no quadratic scan
    const int folders = commonFolders(results);
    for (const AioConfig& c : context.grid)
        if (ConfigKey k{c, folders}; seen.insert(k).second) grid.push_back(k);
    for (const ConfigResult& c : results.configs)
        if (seen.insert(c.key).second) grid.push_back(c.key);
    return grid;
}

std::string statusWord(SweepStatus s) {
    return std::string(sweepStatusName(s));
}

std::string defaultDecidedBy(const std::string& strategy) {
    if (strategy == "adaptive") return "the adaptive search, from all its samples";
    if (strategy == "deepspeed") return "DeepSpeed's rule over its logs (highest read + write), with aiotune's statistics";
    return "all samples of the " + (strategy.empty() ? std::string("sweep") : strategy);
}

nlohmann::json finiteOrNull(double v) {
    return std::isfinite(v) ? nlohmann::json(v) : nlohmann::json(nullptr);
}

} // namespace

std::string_view configStateName(ConfigState s) {
    switch (s) {
    case ConfigState::Best: return "best";
    case ConfigState::Contending: return "contending";
    case ConfigState::Tied: return "tied";
    case ConfigState::Eliminated: return "eliminated";
    case ConfigState::Predicted: return "predicted";
    case ConfigState::Failed: return "failed";
    }
    return "eliminated";
}

std::optional<ConfigState> parseConfigState(std::string_view name) {
    for (ConfigState s : {ConfigState::Best, ConfigState::Contending, ConfigState::Tied,
                          ConfigState::Eliminated, ConfigState::Predicted, ConfigState::Failed})
        if (name == configStateName(s)) return s;
    return std::nullopt;
}

const ConfigStanding* Answer::standing(const ConfigKey& key) const {
    for (const ConfigStanding& s : configs)
        if (s.key == key) return &s;
    return nullptr;
}

const ConfigKey& Answer::pick(bool preferRecommended) const {
    return preferRecommended && recommended ? *recommended : best;
}

std::string samplesDigest(const ResultSet& results) {
    // FNV-1a over a canonical rendering: doubles by their bits, so a figure
    // read back from sweep.json (written with round-trip precision) matches.
    std::uint64_t h = 1469598103934665603ull;
    const auto mix = [&h](const void* data, std::size_t n) {
        const auto* p = static_cast<const unsigned char*>(data);
        for (std::size_t i = 0; i < n; ++i) {
            h ^= p[i];
            h *= 1099511628211ull;
        }
    };
    const auto mixConfigs = [&mix](const std::vector<ConfigResult>& configs) {
        for (const ConfigResult& c : configs) {
            const std::string tag = c.key.tag();
            mix(tag.data(), tag.size() + 1);
            for (const Sample& s : c.samples) {
                const int op = s.op == IoOp::Read ? 0 : 1;
                mix(&op, sizeof op);
                mix(&s.loop, sizeof s.loop);
                const std::uint64_t bits = std::bit_cast<std::uint64_t>(s.gibPerSec);
                mix(&bits, sizeof bits);
                mix(s.error.data(), s.error.size() + 1);
            }
        }
    };
    mixConfigs(results.configs);
    // The confirmation's samples, only when there are some: the digests of
    // sweeps without one stay what they were.
    if (!results.confirmation.empty()) {
        const std::string engine = "confirmation:" + results.confirmation.engine;
        mix(engine.data(), engine.size() + 1);
        mixConfigs(results.confirmation.configs);
    }
    char buf[24];
    std::snprintf(buf, sizeof buf, "%016llx", static_cast<unsigned long long>(h));
    return buf;
}

namespace {

// What a measured configuration is shown at, by every reader: the table's
// figure (median read + median write, ConfigResult::combinedGiBps), so the
// answer's figure is the table's and Combined stays Read + Write. The
// ranking uses the visits' log means (estimates.h); a configuration with no
// figure of both operations keeps that mean.
double shownFigure(const ConfigResult* measured, double fallback) {
    return measured && measured->combinedGiBps ? *measured->combinedGiBps : fallback;
}

// The search's best set aside for another finalist (the confirmation's
// leader): that one is the best, the search's pick is compared with it.
struct BestOverride {
    ConfigKey best;
    ConfigKey searchBest;
    std::string reason; // the new best's standing reason
};

Answer decideSearch(const ResultSet& results, const AnswerContext& context, const BestOverride* forced) {
    Answer a;
    a.tolerance = context.tolerance;
    a.strategy = !context.strategy.empty() ? context.strategy
                 : !results.strategy.empty() ? results.strategy
                 : results.engine == "deepspeed" ? "deepspeed"
                                                 : "grid";
    a.decidedBy = !context.decidedBy.empty() ? context.decidedBy : defaultDecidedBy(a.strategy);
    const SweepStatus status = context.status.value_or(results.status);
    a.stoppedBecause = !context.stop.empty()                ? context.stop
                       : status == SweepStatus::Cancelled   ? "cancelled"
                       : status == SweepStatus::Failed      ? "failed"
                       : status == SweepStatus::Running     ? "running"
                       : status == SweepStatus::Finished    ? "exhausted"
                                                            : "";
    a.samplesDigest = samplesDigest(results);
    for (const ConfigResult& c : results.configs)
        for (const Sample& s : c.samples) {
            ++a.transfers;
            a.bytes += s.bytes;
            if (std::isfinite(s.seconds) && s.seconds > 0.0) a.seconds += s.seconds;
        }

    const std::vector<ConfigKey> grid = gridOf(results, context);
    a.configurations = grid.size();
    // Decided on the search's own estimates (shrunk towards the grid's model
    // once some configuration was visited twice; with one visit each, the
    // measured figures decide, as DeepSpeed's rule does). Shown: what was
    // measured, each configuration's own mean.
    const bool repeats = visitStatistics(results).df > 0;
    const ConfigEstimates est = estimateConfigs(grid, results, a.tolerance, /*shrink=*/repeats);
    const ConfigEstimates shown = repeats ? estimateConfigs(grid, results, a.tolerance, /*shrink=*/false) : est;
    // The best comes from the configurations a search kept in its race (all
    // of them for a grid or DeepSpeed's logs): one that left it could not beat
    // the leader by more than the tolerance, and is shown as tied if it still is.
    // In key order, not scanned per configuration (a replay of 34k configurations drops most).
    std::map<ConfigKey, std::vector<const Dropout*>> dropoutsOf;
    for (const Dropout& d : results.dropouts)
        dropoutsOf[ConfigKey{d.config, 1}].push_back(&d);
    const auto dropped = [&](const ConfigKey& k) { return dropoutsOf.count(ConfigKey{k.aio, 1}) > 0; };
    bool anyKept = false;
    for (const VisitEstimate& e : est.all)
        anyKept = anyKept || (e.visits > 0 && !dropped(e.key));
    std::optional<std::size_t> bestIndex;
    for (std::size_t i = 0; i < est.all.size(); ++i) {
        if (est.all[i].visits == 0) continue;
        ++a.measured;
        if (forced) {
            if (est.all[i].key == forced->best && std::isfinite(est.all[i].meanLog)) bestIndex = i;
            continue;
        }
        if (anyKept && dropped(est.all[i].key)) continue;
        if (!bestIndex || est.all[i].meanLog > est.all[*bestIndex].meanLog) bestIndex = i;
    }
    if (!bestIndex) {
        int readOnly = 0, writeOnly = 0, failed = 0;
        for (const ConfigResult& c : results.configs)
            (c.readOnly() ? readOnly : c.writeOnly() ? writeOnly : failed) += 1;
        a.message = results.configs.empty()
                        ? "Nothing was measured, so there is no answer."
                        : "No configuration has a successful visit of every operation, so none can be ranked (" +
                              std::to_string(readOnly) + " read-only, " + std::to_string(writeOnly) +
                              " write-only, " + std::to_string(failed) +
                              " failed): measure both operations again.";
        a.confidenceText = a.message;
        a.partial = true;
        a.partialReason = a.message;
        return a;
    }

    a.found = true;
    std::vector<VisitEstimate> known;
    for (const VisitEstimate& e : est.all)
        if (std::isfinite(e.meanLog)) known.push_back(e);
    const VisitEstimate& b = est.all[*bestIndex];
    const TiedAnswer tied = compareWithBest(known, b.key, a.tolerance, est.df);
    const VisitEstimate& bShown = shown.all[*bestIndex];
    a.best = b.key;
    a.bestGiBps = shownFigure(results.find(b.key), bShown.gibps());
    a.bestVisits = b.visits;
    const double t = tQuantile(est.df);
    const bool noiseKnown = std::isfinite(t) && std::isfinite(b.variance) && est.df > 0;
    if (noiseKnown && std::isfinite(bShown.variance) && bShown.variance > 0.0) {
        // Around the figure shown, as wide as its visits' noise allows.
        const double half = t * std::sqrt(bShown.variance);
        a.interval = AnswerInterval{a.bestGiBps * std::exp(-half), a.bestGiBps * std::exp(half)};
    }
    if (noiseKnown) a.noise = std::expm1(est.sigma);
    if (tied.noiseKnown && std::isfinite(tied.possibleGain)) a.possibleGain = std::max(tied.possibleGain, 0.0);

    // Every configuration's standing.
    const double gainLog = std::log1p(a.tolerance);
    for (std::size_t i = 0; i < est.all.size(); ++i) {
        const VisitEstimate& e = est.all[i];
        const double figure =
            e.visits > 0 ? shownFigure(results.find(e.key), shown.all[i].gibps()) : shown.all[i].gibps();
        ConfigStanding s;
        s.key = e.key;
        s.visits = e.visits;
        if (std::isfinite(e.meanLog)) s.gibps = figure;
        if (i == *bestIndex) {
            s.state = ConfigState::Best;
            s.reason = forced ? forced->reason
                              : "the highest estimate; measured " + gibText(a.bestGiBps) + " over " +
                                    plural(e.visits, "visit", "visits");
            a.configs.push_back(std::move(s));
            continue;
        }
        if (!std::isfinite(e.meanLog)) {
            const ConfigResult* c = results.find(e.key);
            if (c && !c->samples.empty()) {
                s.state = ConfigState::Failed;
                s.reason = c->errors > 0 ? "no visit succeeded: " + c->firstError()
                                         : "no visit measured every operation";
            } else {
                s.state = ConfigState::Predicted;
                s.reason = "never measured, and no model could predict it";
            }
            a.configs.push_back(std::move(s));
            continue;
        }
        const double d = e.meanLog - b.meanLog;
        const double m = t * std::sqrt(e.variance + b.variance);
        const double upper = std::isfinite(m) ? d + m : std::numeric_limits<double>::infinity();
        if (std::isfinite(upper)) s.upperGain = std::expm1(upper);
        const std::string could =
            std::isfinite(upper) ? "could be up to " + percentText(std::expm1(upper)) + " faster than the best at 95%"
                                 : "could be faster than the best by any amount (the noise is unknown)";
        if (e.visits == 0) {
            s.state = ConfigState::Predicted;
            s.reason = "never measured: the screen's model predicts " + gibText(figure) + "; it " + could;
        } else if (upper > gainLog) {
            s.state = ConfigState::Contending;
            s.reason = gibText(figure) + " after " + plural(e.visits, "visit", "visits") + ": it " + could +
                       ", more than the tolerance (" + percentText(a.tolerance) + ")";
        } else if (upper >= 0.0) {
            s.state = ConfigState::Tied;
            s.reason = gibText(figure) + " after " + plural(e.visits, "visit", "visits") +
                       ": not shown to be slower than the best, and it " + could +
                       " (within the tolerance)";
        } else {
            s.state = ConfigState::Eliminated;
            s.reason = gibText(figure) + " after " + plural(e.visits, "visit", "visits") +
                       ": slower than the best at 95%";
        }
        if (const auto it = dropoutsOf.find(ConfigKey{e.key.aio, 1}); it != dropoutsOf.end())
            for (const Dropout* dr : it->second)
                s.reason += "; left the search's race: " + dr->reason;
        if (forced && e.key == forced->searchBest)
            s.reason += "; the search's pick, ranked behind the best by libaio, DeepSpeed's interface";
        a.configs.push_back(std::move(s));
    }
    std::stable_sort(a.configs.begin(), a.configs.end(), [](const ConfigStanding& x, const ConfigStanding& y) {
        const auto rank = [](const ConfigStanding& s) {
            return s.state == ConfigState::Best ? 0 : s.state == ConfigState::Failed ? 2 : 1;
        };
        if (rank(x) != rank(y)) return rank(x) < rank(y);
        return x.gibps.value_or(-1.0) > y.gibps.value_or(-1.0);
    });
    std::size_t contending = 0;
    for (const ConfigStanding& s : a.configs) {
        if (s.state == ConfigState::Tied || s.state == ConfigState::Contending) a.tied.push_back(s.key);
        // The search's pick that libaio overruled is faster only on the
        // search's engine: it does not leave the answer open.
        if (forced && s.key == forced->searchBest) continue;
        if (s.state == ConfigState::Contending ||
            (s.state == ConfigState::Predicted && (!s.upperGain || *s.upperGain > a.tolerance)))
            ++contending;
    }

    // Partial: what the data cannot support is not claimed.
    if (status == SweepStatus::Cancelled || status == SweepStatus::Failed || status == SweepStatus::Running) {
        a.partial = true;
        a.partialReason = "the sweep " +
                          std::string(status == SweepStatus::Running ? "had not finished" : "was " + statusWord(status)) +
                          " after " + plural(a.transfers, "transfer", "transfers") + ", " +
                          std::to_string(a.measured) + " of " + std::to_string(a.configurations) +
                          " configurations measured";
    } else if (!noiseKnown) {
        a.partial = true;
        a.partialReason = "the noise is unknown: too few configurations were measured more than once "
                          "(8 repeats are needed) and no model of the grid fits; measure more loops";
    } else if (a.stoppedBecause == "budget" && contending > 0) {
        a.partial = true;
        a.partialReason = "the budget ran out while " + plural(contending, "configuration", "configurations") +
                          " could still be faster than the best by more than the tolerance";
    }
    if (!a.partial) {
        a.recommended = tied.recommended;
        if (const ConfigStanding* r = a.standing(tied.recommended); r && r->gibps) a.recommendedGiBps = *r->gibps;
    }

    // Confidence, in words.
    const std::string level = percentText(kSearchConfidence);
    if (!a.possibleGain) {
        a.confidence = Confidence::Low;
        a.confidenceText = "The noise is unknown, so another configuration could be faster by any amount: "
                           "measure again (more loops or a larger budget).";
    } else if (*a.possibleGain <= a.tolerance) {
        a.confidence = Confidence::High;
        a.confidenceText = "At " + level + " confidence no other configuration is more than " +
                           percentText(*a.possibleGain) + " faster than the best (tolerance " + percentText(a.tolerance) +
                           ").";
    } else {
        a.confidence = *a.possibleGain <= 3.0 * a.tolerance ? Confidence::Medium : Confidence::Low;
        a.confidenceText = "Another configuration could still be up to " + percentText(*a.possibleGain) +
                           " faster than the best (at " + level + ", tolerance " + percentText(a.tolerance) +
                           (a.noise ? "; noise " + percentText(*a.noise) + " per visit" : std::string()) +
                           "): measure again to narrow it.";
    }
    if (a.partial) a.confidence = Confidence::Low; // partialReason says why; readers show it beside this
    if (a.measured < a.configurations)
        a.confidenceText += " " + plural(a.configurations - a.measured, "configuration was", "configurations were") +
                            " never measured.";
    return a;
}

// Each finalist's figure on the confirming engine beside the search's, and
// whether that engine ranks another finalist ahead of the search's best
// beyond the noise (the larger of the search's and its own, at 95%).
// lead: when overturned, the finalist the confirming engine ranks first (the
// one decision; the figures shown are not re-ranked).
Confirmation confirmFinalists(const ResultSet& results, const Answer& search, const std::string& searchEngine,
                              ConfigKey& leadOut) {
    Confirmation c;
    c.done = true;
    c.engine = results.confirmation.engine;
    c.searchEngine = searchEngine;
    ResultSet confirmSet;
    confirmSet.configs = results.confirmation.configs;
    const VisitStatistics mine = visitStatistics(confirmSet);
    for (const ConfigResult& r : results.confirmation.configs) {
        ConfirmedFinalist f;
        f.key = r.key;
        if (const ConfigStanding* s = search.standing(r.key)) {
            f.searchGiBps = s->gibps.value_or(0.0);
            f.searchVisits = s->visits;
        }
        if (const VisitEstimate* e = mine.find(r.key); e && e->visits > 0) {
            f.confirmGiBps = shownFigure(&r, e->gibps());
            f.confirmVisits = e->visits;
        } else {
            f.error = r.errors > 0 ? r.firstError() : "no visit measured every operation";
        }
        c.finalists.push_back(std::move(f));
    }
    // The search's best first, then the others by the search's figure.
    std::stable_sort(c.finalists.begin(), c.finalists.end(), [&](const ConfirmedFinalist& x, const ConfirmedFinalist& y) {
        const bool xb = search.found && x.key == search.best, yb = search.found && y.key == search.best;
        if (xb != yb) return xb;
        return x.searchGiBps > y.searchGiBps;
    });
    if (!search.found) return c;
    const VisitEstimate* best = mine.find(search.best);
    if (!best || best->visits == 0) return c;
    const VisitEstimate* lead = nullptr;
    for (const VisitEstimate& e : mine.configs)
        if (const ConfigStanding* s = search.standing(e.key);
            e.visits > 0 && s && s->visits > 0 && (!lead || e.meanLog > lead->meanLog))
            lead = &e;
    if (!lead || lead->key == search.best) return c;
    const VisitStatistics searchNoise = visitStatistics(results);
    double sigma = searchNoise.sigma;
    int df = searchNoise.df;
    if (mine.df > 0 && mine.sigma > sigma) sigma = mine.sigma, df = mine.df;
    const double margin = tQuantile(df) * sigma * std::sqrt(1.0 / lead->visits + 1.0 / best->visits);
    if (df > 0 && std::isfinite(margin) && lead->meanLog - best->meanLog > margin) {
        c.overturned = true;
        c.searchBest = search.best;
        leadOut = lead->key;
    }
    return c;
}

} // namespace

Answer decideAnswer(const ResultSet& results, const AnswerContext& context) {
    Answer a = decideSearch(results, context, nullptr);
    const std::string searchEngine = !context.searchEngine.empty() ? context.searchEngine : results.engine;
    if (!results.confirmation.empty()) {
        ConfigKey leadKey;
        Confirmation c = confirmFinalists(results, a, searchEngine, leadKey);
        const ConfirmedFinalist* lead = nullptr;
        for (const ConfirmedFinalist& f : c.finalists)
            if (c.overturned && f.key == leadKey && f.confirmGiBps) lead = &f;
        if (lead) {
            const ConfirmedFinalist& pick = c.finalists.front(); // the search's best
            BestOverride forced{lead->key, a.best,
                                "ranked first by " + c.engine + ", DeepSpeed's interface: " + gibText(*lead->confirmGiBps) +
                                    " against " + gibText(pick.confirmGiBps.value_or(0.0)) + " for the search's pick"};
            Answer followed = decideSearch(results, context, &forced);
            followed.decidedBy = a.decidedBy + "; then " + c.engine + ", DeepSpeed's interface, ranked " +
                                 lead->key.label() + " ahead of the search's pick (" + a.best.label() +
                                 ") beyond the noise, so the answer follows " + c.engine;
            a = std::move(followed);
        }
        // transfers/bytes/seconds stay the search's: the check's visits are its finalists'.
        a.confirmation = std::move(c);
    } else if (!context.notConfirmed.empty()) {
        Confirmation c;
        c.engine = "libaio";
        c.searchEngine = searchEngine;
        c.whyNot = context.notConfirmed;
        a.confirmation = std::move(c);
    }
    return a;
}

std::string confirmationSentence(const Answer& a) {
    if (!a.confirmation) return {};
    const Confirmation& c = *a.confirmation;
    const std::string engine = c.engine.empty() ? std::string("libaio") : c.engine;
    if (!c.done) return "Not checked with " + engine + ", DeepSpeed's interface: " + c.whyNot + ".";
    if (c.finalists.empty()) return "Checked with " + engine + ", DeepSpeed's interface: nothing was measured.";
    const std::string measured = c.searchEngine.empty() ? std::string() : " measured with " + c.searchEngine;
    // The answer's best as both engines measured it.
    const ConfirmedFinalist* best = nullptr;
    for (const ConfirmedFinalist& f : c.finalists)
        if (a.found && f.key == a.best) best = &f;
    if (!best) best = &c.finalists.front();
    std::string s = "Checked with " + engine + ", DeepSpeed's interface: ";
    if (best->confirmGiBps)
        s += gibText(*best->confirmGiBps) + " vs " + gibText(best->searchGiBps) + measured + " for the best";
    else
        s += engine + " could not measure the best (" + best->error + ")";
    if (c.overturned && c.searchBest) {
        const ConfirmedFinalist* pick = nullptr;
        for (const ConfirmedFinalist& f : c.finalists)
            if (f.key == *c.searchBest) pick = &f;
        s += "; it ranked " + best->key.label() + " ahead of the search's pick (" + c.searchBest->label();
        if (pick && pick->confirmGiBps) s += ", " + gibText(*pick->confirmGiBps) + " on " + engine;
        s += ") beyond the noise, so the answer follows " + engine + ".";
        return s;
    }
    if (c.finalists.size() > 1)
        s += (c.finalists.size() == 2   ? std::string("; the other finalist is not")
              : c.finalists.size() == 3 ? std::string("; neither other finalist is")
                                        : "; none of the other " + std::to_string(c.finalists.size() - 1) +
                                              " finalists is") +
             " ahead on " + engine + " beyond the noise";
    for (const ConfirmedFinalist& f : c.finalists)
        if (!f.confirmGiBps && &f != best) s += "; " + engine + " could not measure " + f.key.label() + " (" + f.error + ")";
    return s + ".";
}

std::vector<ConfigKey> answerFinalists(const Answer& a) {
    std::vector<ConfigKey> out;
    if (!a.found) return out;
    out.push_back(a.best);
    for (const ConfigKey& k : a.tied) {
        if (out.size() >= kMaxFinalists) break;
        if (const ConfigStanding* s = a.standing(k); s && s->visits > 0) out.push_back(k);
    }
    return out;
}

Answer answerFor(const ResultSet& results) {
    // A stored answer names only configurations these samples measured (an
    // edited sweep.json could name anything): otherwise it is decided again.
    const auto measured = [&](const ConfigKey& k) {
        const ConfigResult* c = results.find(k);
        return c && !c->samples.empty();
    };
    if (const auto& a = results.answer; a && a->samplesDigest == samplesDigest(results) &&
                                        (!a->found || (measured(a->best) && (!a->recommended || measured(*a->recommended)))))
        return *a;
    AnswerContext context;
    if (const auto& stored = results.answer) {
        for (const ConfigStanding& s : stored->configs)
            context.grid.push_back(s.key.aio);
        context.tolerance = stored->tolerance;
        context.strategy = stored->strategy;
        context.decidedBy = "all samples, decided again: they changed after the " + stored->strategy +
                            " answer was stored";
        if (const auto& c = stored->confirmation) {
            context.searchEngine = c->searchEngine;
            if (!c->done) context.notConfirmed = c->whyNot;
        }
    }
    return decideAnswer(results, context);
}

nlohmann::json answerToJson(const Answer& a) {
    using nlohmann::json;
    json j{{"found", a.found}};
    if (!a.found) {
        j["message"] = a.message;
    } else {
        j["best"] = configKeyToJson(a.best);
        j["gibps"] = finiteOrNull(a.bestGiBps);
        j["interval_gibps"] = a.interval ? json{finiteOrNull(a.interval->low), finiteOrNull(a.interval->high)}
                                         : json(nullptr);
        j["visits"] = a.bestVisits;
        json tied = json::array();
        for (const ConfigKey& k : a.tied)
            tied.push_back(configKeyToJson(k));
        j["tied"] = std::move(tied);
        j["recommended"] = a.recommended ? configKeyToJson(*a.recommended) : json(nullptr);
        j["recommended_gibps"] = a.recommended ? finiteOrNull(a.recommendedGiBps) : json(nullptr);
    }
    j["confidence"] = confidenceName(a.confidence);
    j["confidence_text"] = a.confidenceText;
    j["possible_gain"] = a.possibleGain ? finiteOrNull(*a.possibleGain) : json(nullptr);
    j["noise"] = a.noise ? finiteOrNull(*a.noise) : json(nullptr);
    j["tolerance"] = a.tolerance;
    j["partial"] = a.partial;
    j["partial_reason"] = a.partialReason;
    j["strategy"] = a.strategy;
    j["decided_by"] = a.decidedBy;
    j["stopped_because"] = a.stoppedBecause;
    j["transfers"] = a.transfers;
    j["bytes"] = a.bytes;
    j["seconds"] = finiteOrNull(a.seconds);
    j["configurations"] = a.configurations;
    j["measured"] = a.measured;
    json configs = json::array();
    for (const ConfigStanding& s : a.configs) {
        json c{{"key", configKeyToJson(s.key)}, {"state", configStateName(s.state)}, {"visits", s.visits}};
        c["gibps"] = s.gibps ? finiteOrNull(*s.gibps) : json(nullptr);
        c["upper_gain"] = s.upperGain ? finiteOrNull(*s.upperGain) : json(nullptr);
        c["reason"] = s.reason;
        configs.push_back(std::move(c));
    }
    j["configs"] = std::move(configs);
    j["samples_digest"] = a.samplesDigest;
    if (a.confirmation) {
        const Confirmation& c = *a.confirmation;
        json jc{{"done", c.done}, {"engine", c.engine}, {"search_engine", c.searchEngine}};
        if (!c.done) jc["why_not"] = c.whyNot;
        json finalists = json::array();
        for (const ConfirmedFinalist& f : c.finalists) {
            json jf{{"key", configKeyToJson(f.key)},
                    {"search_gibps", finiteOrNull(f.searchGiBps)},
                    {"search_visits", f.searchVisits}};
            jf["gibps"] = f.confirmGiBps ? finiteOrNull(*f.confirmGiBps) : json(nullptr);
            jf["visits"] = f.confirmVisits;
            if (!f.error.empty()) jf["error"] = f.error;
            finalists.push_back(std::move(jf));
        }
        jc["finalists"] = std::move(finalists);
        jc["overturned"] = c.overturned;
        jc["search_best"] = c.searchBest ? configKeyToJson(*c.searchBest) : json(nullptr);
        jc["sentence"] = confirmationSentence(a);
        j["confirmation"] = std::move(jc);
    }
    return j;
}

Result<Answer> answerFromJson(const nlohmann::json& j) {
    using nlohmann::json;
    if (!j.is_object()) return makeError("\"answer\" must be an object");
    try {
        const auto optNumber = [](const json& o, const char* name) -> std::optional<double> {
            const auto it = o.find(name);
            if (it == o.end() || it->is_null()) return std::nullopt;
            if (!it->is_number()) throw std::invalid_argument(std::string("\"") + name + "\" must be a number");
            return it->get<double>();
        };
        // Figures an edited file could make absurd are refused here, so no
        // reader shows "inf GiB/s" or a count that wrapped (the file's
        // integers are read as integers, never cast from 1e300).
        const auto bad = [](const char* name, const std::string& why) {
            return std::invalid_argument(std::string("\"") + name + "\" " + why);
        };
        const auto speed = [&](const json& o, const char* name) -> std::optional<double> {
            const auto v = optNumber(o, name);
            if (v)
                if (const std::string problem = speedFigureProblem(*v); !problem.empty()) throw bad(name, problem);
            return v;
        };
        const auto share = [&](const json& o, const char* name) -> std::optional<double> {
            const auto v = optNumber(o, name);
            if (v && !(*v >= -1.0 && std::isfinite(*v))) throw bad(name, "is not a share (" + json(*v).dump() + ")");
            return v;
        };
        const auto whole = [&](const json& o, const char* name, std::uint64_t max) -> std::uint64_t {
            const json& v = o.at(name);
            if (!v.is_number_integer() || (v.is_number_integer() && !v.is_number_unsigned() && v.get<std::int64_t>() < 0))
                throw bad(name, "must be a whole number, 0 or more (it is " + v.dump() + ")");
            if (v.get<std::uint64_t>() > max) throw bad(name, "is beyond " + std::to_string(max));
            return v.get<std::uint64_t>();
        };
        constexpr std::uint64_t kMaxCount = std::uint64_t{1} << 53; // beyond any sweep, exact in a double
        const auto key = [](const json& o) {
            auto k = configKeyFromJson(o);
            if (!k) throw std::invalid_argument(k.error());
            return *k;
        };
        Answer a;
        a.found = j.at("found").get<bool>();
        if (!a.found) {
            a.message = j.value("message", std::string());
        } else {
            a.best = key(j.at("best"));
            a.bestGiBps = speed(j, "gibps").value_or(0.0);
            if (const auto& iv = j.at("interval_gibps"); iv.is_array() && iv.size() == 2) {
                const json pair{{"low", iv[0]}, {"high", iv[1]}};
                const auto low = speed(pair, "low"), high = speed(pair, "high");
                if (!low || !high || *low > *high) throw bad("interval_gibps", "is not a range of two speeds");
                a.interval = AnswerInterval{*low, *high};
            }
            a.bestVisits = static_cast<int>(whole(j, "visits", INT_MAX));
            for (const json& t : j.at("tied"))
                a.tied.push_back(key(t));
            if (const auto& r = j.at("recommended"); !r.is_null()) {
                a.recommended = key(r);
                a.recommendedGiBps = speed(j, "recommended_gibps").value_or(0.0);
            }
        }
        const std::string conf = j.at("confidence").get<std::string>();
        if (conf != "high" && conf != "medium" && conf != "low") throw bad("confidence", "is not low, medium or high");
        a.confidence = conf == "high" ? Confidence::High : conf == "medium" ? Confidence::Medium : Confidence::Low;
        a.confidenceText = j.at("confidence_text").get<std::string>();
        a.possibleGain = share(j, "possible_gain");
        a.noise = share(j, "noise");
        a.tolerance = j.at("tolerance").get<double>();
        if (!(a.tolerance > 0.0 && a.tolerance <= 0.5)) throw bad("tolerance", "is outside (0, 0.5]");
        a.partial = j.at("partial").get<bool>();
        a.partialReason = j.at("partial_reason").get<std::string>();
        a.strategy = j.at("strategy").get<std::string>();
        a.decidedBy = j.at("decided_by").get<std::string>();
        a.stoppedBecause = j.at("stopped_because").get<std::string>();
        a.transfers = whole(j, "transfers", kMaxCount);
        a.bytes = whole(j, "bytes", UINT64_MAX);
        a.seconds = optNumber(j, "seconds").value_or(0.0);
        if (const std::string problem = secondsFigureProblem(a.seconds); !problem.empty()) throw bad("seconds", problem);
        a.configurations = whole(j, "configurations", kMaxCount);
        a.measured = whole(j, "measured", a.configurations);
        for (const json& c : j.at("configs")) {
            ConfigStanding s;
            s.key = key(c.at("key"));
            const auto state = parseConfigState(c.at("state").get<std::string>());
            if (!state) throw std::invalid_argument("unknown configuration state " + c.at("state").dump());
            s.state = *state;
            s.visits = static_cast<int>(whole(c, "visits", INT_MAX));
            s.gibps = speed(c, "gibps");
            s.upperGain = share(c, "upper_gain");
            s.reason = c.at("reason").get<std::string>();
            a.configs.push_back(std::move(s));
        }
        a.samplesDigest = j.at("samples_digest").get<std::string>();
        // Absent in sweeps from before the check on libaio.
        if (const auto it = j.find("confirmation"); it != j.end() && !it->is_null()) {
            const json& jc = *it;
            Confirmation c;
            c.done = jc.at("done").get<bool>();
            c.engine = jc.at("engine").get<std::string>();
            c.searchEngine = jc.at("search_engine").get<std::string>();
            c.whyNot = jc.value("why_not", std::string());
            for (const json& jf : jc.at("finalists")) {
                ConfirmedFinalist f;
                f.key = key(jf.at("key"));
                f.searchGiBps = optNumber(jf, "search_gibps").value_or(0.0);
                f.searchVisits = jf.at("search_visits").get<int>();
                f.confirmGiBps = optNumber(jf, "gibps");
                f.confirmVisits = jf.at("visits").get<int>();
                f.error = jf.value("error", std::string());
                c.finalists.push_back(std::move(f));
            }
            c.overturned = jc.at("overturned").get<bool>();
            if (const auto& sb = jc.at("search_best"); !sb.is_null()) c.searchBest = key(sb);
            if (c.overturned && !c.searchBest)
                throw std::invalid_argument("its confirmation overturned the search's pick without naming it");
            a.confirmation = std::move(c);
        }
        if (a.found && !a.standing(a.best)) throw std::invalid_argument("its best is not among its configurations");
        return a;
    } catch (const std::exception& e) {
        return makeError(std::string("\"answer\" is damaged (") + e.what() + ")");
    }
}

} // namespace aiotune
