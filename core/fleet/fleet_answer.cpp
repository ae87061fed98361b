#include "fleet/fleet_answer.h"
#include "util/json_input.h"
#include "util/json_text.h"

#include "results/answer.h"
#include "results/sweep_file.h"
#include "util/atomic_file.h"
#include "util/figure_text.h"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <limits>
#include <map>
#include <set>
#include <stdexcept>

namespace aiotune {

namespace fs = std::filesystem;

namespace {

constexpr double kInf = std::numeric_limits<double>::infinity();

std::string joined(const std::vector<std::string>& v) {
    std::string s;
    for (const auto& x : v)
        s += (s.empty() ? "" : ", ") + x;
    return s;
}

double median(std::vector<double> v) {
    if (v.empty()) return 0.0;
    std::sort(v.begin(), v.end());
    const std::size_t n = v.size();
    return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2.0;
}

// Cheaper first, as the single answer breaks ties: fewer threads, then fewer requests in flight.
bool cheaper(const ConfigKey& a, const ConfigKey& b) {
    if (a.aio.intra_op_parallelism != b.aio.intra_op_parallelism)
        return a.aio.intra_op_parallelism < b.aio.intra_op_parallelism;
    return a.aio.queue_depth < b.aio.queue_depth;
}

// Combined range of one configuration measured at least twice both ways.
std::optional<double> combinedRange(const ConfigResult& c) {
    if (!c.readSpread || !c.writeSpread || c.readSpread->count < 2 || c.writeSpread->count < 2)
        return std::nullopt;
    return c.readSpread->width() + c.writeSpread->width();
}

std::string recordedHostOf(const ResultSet& rs) {
    if (!rs.meta.is_object()) return {};
    const auto sys = rs.meta.find("system");
    if (sys == rs.meta.end() || !sys->is_object()) return {};
    const auto h = sys->find("host");
    return h != sys->end() && h->is_string() ? h->get<std::string>() : std::string();
}

// The drives a sweep measured: each folder's device, else its mount point.
std::set<std::string> drivesOf(const ResultSet& rs) {
    std::set<std::string> out;
    if (!rs.meta.is_object()) return out;
    const auto sys = rs.meta.find("system");
    if (sys == rs.meta.end() || !sys->is_object()) return out;
    const auto folders = sys->find("folders");
    if (folders == sys->end() || !folders->is_array()) return out;
    for (const auto& f : *folders) {
        if (!f.is_object()) continue;
        for (const char* name : {"device", "mount_point"})
            if (const auto it = f.find(name);
                it != f.end() && it->is_string() && !it->get<std::string>().empty()) {
                out.insert(it->get<std::string>());
                break;
            }
    }
    return out;
}

// When a sweep measured: from its start to its end (or its last sample).
std::pair<std::int64_t, std::int64_t> spanOf(const ResultSet& rs) {
    std::int64_t first = rs.startedAtMs, last = rs.finishedAtMs;
    for (const auto& c : rs.configs)
        for (const auto& smp : c.samples)
            if (smp.finishedAtMs != 0) {
                if (first == 0 || smp.finishedAtMs < first) first = smp.finishedAtMs;
                last = std::max(last, smp.finishedAtMs);
            }
    return {first, std::max(first, last)};
}

// A node's figure for one configuration and its 95% margin on the log scale
// (+inf when the node's answer cannot say).
struct NodeFigure {
    double gibps = 0.0;
    double margin = kInf;
    bool measured = false;
};

std::optional<NodeFigure> nodeFigure(const Answer& a, const ConfigKey& key) {
    const ConfigStanding* s = a.standing(key);
    if (!s || !s->gibps || !std::isfinite(*s->gibps) || *s->gibps <= 0.0) return std::nullopt;
    NodeFigure f;
    f.gibps = *s->gibps;
    f.measured = s->visits > 0;
    if (s->state == ConfigState::Best) {
        if (a.interval && a.interval->low > 0.0 && a.interval->high >= a.interval->low)
            f.margin = std::log(a.interval->high / a.interval->low) / 2.0;
    } else if (s->upperGain && std::isfinite(*s->upperGain) && a.bestGiBps > 0.0) {
        // upper_gain = how much faster than the node's best it could be: the
        // margin of the difference, a (slightly wide) margin of its own figure.
        f.margin = std::max(0.0, std::log1p(*s->upperGain) - std::log(f.gibps / a.bestGiBps));
    }
    return f;
}

std::string figureReason(const FleetConfigFigure& f) {
    std::string s = gibText(f.gibps) + " on its worst node " + f.worstHost + "; measured on " +
                    plural(f.measuredOn, "node", "nodes");
    if (!f.estimatedOn.empty()) s += ", estimated by the search on " + joined(f.estimatedOn);
    return s;
}

} // namespace

const FleetConfigFigure* FleetAnswer::figure(const ConfigKey& key) const {
    for (const auto& f : configs)
        if (f.key == key) return &f;
    return nullptr;
}

const ConfigKey& FleetAnswer::pick(bool preferRecommended) const {
    return preferRecommended && recommended ? *recommended : best;
}

std::string FleetAnswer::countsText() const {
    return plural(configurations, "configuration has", "configurations have") +
           " a figure on every node: " + std::to_string(measuredEverywhere) +
           " measured on every node, " + std::to_string(estimated) +
           " estimated by the search on some node" +
           (incomplete
                ? "; " + plural(incomplete, "more is", "more are") + " known on some nodes only"
                : std::string()) +
           ".";
}

std::vector<FleetSharedDrive> findSharedDrives(const std::vector<HostSweep>& sweeps) {
    struct Info {
        std::string machine;
        std::set<std::string> drives;
        std::pair<std::int64_t, std::int64_t> span;
    };
    std::vector<Info> info(sweeps.size());
    for (std::size_t i = 0; i < sweeps.size(); ++i)
        if (sweeps[i].results)
            info[i] = {recordedHostOf(*sweeps[i].results), drivesOf(*sweeps[i].results),
                       spanOf(*sweeps[i].results)};
    // Groups: union of every pair that shares a machine and a drive while both ran.
    std::vector<std::size_t> group(sweeps.size());
    for (std::size_t i = 0; i < group.size(); ++i)
        group[i] = i;
    auto root = [&group](std::size_t i) {
        while (group[i] != i)
            i = group[i] = group[group[i]];
        return i;
    };
    std::vector<std::pair<std::size_t, std::string>> joinedPairs; // (a member, the drive it shares)
    for (std::size_t i = 0; i < sweeps.size(); ++i)
        for (std::size_t k = i + 1; k < sweeps.size(); ++k) {
            const Info &a = info[i], &b = info[k];
            if (a.machine.empty() || a.machine != b.machine || a.span.first == 0 ||
                b.span.first == 0)
                continue;
            if (a.span.first > b.span.second || b.span.first > a.span.second) continue;
            const auto d =
                std::find_if(a.drives.begin(), a.drives.end(),
                             [&b](const std::string& x) { return b.drives.count(x) > 0; });
            if (d == a.drives.end()) continue;
            group[root(k)] = root(i);
            joinedPairs.emplace_back(i, *d);
        }
    std::map<std::size_t, FleetSharedDrive> byRoot;
    for (std::size_t i = 0; i < sweeps.size(); ++i) {
        auto& g = byRoot[root(i)];
        g.hosts.push_back(sweeps[i].host);
        g.machine = info[i].machine;
    }
    for (const auto& [i, drive] : joinedPairs)
        byRoot[root(i)].drive = drive;
    std::vector<FleetSharedDrive> out;
    for (auto& [r, g] : byRoot)
        if (g.hosts.size() > 1) {
            std::sort(g.hosts.begin(), g.hosts.end());
            out.push_back(std::move(g));
        }
    return out;
}

std::string fleetSamplesDigest(const std::vector<HostSweep>& sweeps) {
    std::vector<std::pair<std::string, std::string>> parts;
    for (const HostSweep& s : sweeps)
        parts.emplace_back(s.host, s.results ? samplesDigest(*s.results) : "unreadable");
    std::sort(parts.begin(), parts.end());
    std::uint64_t h = 1469598103934665603ull; // FNV-1a, as samplesDigest()
    const auto mix = [&h](const std::string& text) {
        for (std::size_t i = 0; i <= text.size(); ++i) { // the terminating 0 separates fields
            h ^= static_cast<unsigned char>(i < text.size() ? text[i] : 0);
            h *= 1099511628211ull;
        }
    };
    for (const auto& [host, digest] : parts) {
        mix(host);
        mix(digest);
    }
    char buf[24];
    std::snprintf(buf, sizeof buf, "%016llx", static_cast<unsigned long long>(h));
    return buf;
}

FleetAnswer decideFleetAnswer(const std::vector<FleetNode>& nodesIn,
                              const std::vector<FleetSharedDrive>& sharedDrives) {
    FleetAnswer a;
    a.decidedBy =
        "the fleet rule: each configuration's figure on its worst node (measured, or the node's "
        "search estimate), the highest first";
    a.sharedDrives = sharedDrives;
    std::vector<FleetNode> nodes = nodesIn;
    std::sort(nodes.begin(), nodes.end(),
              [](const FleetNode& x, const FleetNode& y) { return x.host < y.host; });

    std::vector<const FleetNode*> usable;
    std::vector<std::string> partialNodes;
    for (const FleetNode& n : nodes) {
        a.hosts.push_back(n.host);
        if (!n.answer || !n.answer->found) {
            const std::string why =
                !n.answer ? (n.error.empty() ? "the folder could not be read" : n.error)
                          : n.answer->message;
            a.leftOut.push_back(n.host + ": " + why);
            continue;
        }
        // The nodes ran one sweep command: one tolerance (the widest, should they differ).
        a.tolerance =
            usable.empty() ? n.answer->tolerance : std::max(a.tolerance, n.answer->tolerance);
        usable.push_back(&n);
        if (n.answer->partial)
            partialNodes.push_back(n.host + " (" + n.answer->partialReason + ")");
    }
    a.usableHosts = usable.size();
    if (!sharedDrives.empty()) {
        for (const FleetSharedDrive& g : sharedDrives)
            a.sharedDriveNote +=
                (a.sharedDriveNote.empty() ? "" : " ") + joined(g.hosts) +
                " were measured at the same time on one drive (" + g.drive + " of " + g.machine +
                "): not separate nodes but one drive shared, so their figures are what it gave "
                "them together and none of them is called an outlier.";
    }
    if (usable.empty()) {
        a.message =
            nodes.empty()
                ? "The fleet has no host folder, so there is no fleet answer."
                : "No host folder has an answer of its own, so there is no fleet answer: check "
                  "the host folders listed.";
        a.confidenceText = a.message;
        a.partial = true;
        a.partialReason = a.message;
        return a;
    }

    // Every configuration any usable node knows, in key order.
    std::set<ConfigKey> keys;
    for (const FleetNode* n : usable)
        for (const ConfigStanding& s : n->answer->configs)
            keys.insert(s.key);

    struct Candidate {
        FleetConfigFigure fig;
        double low = 0.0, high = 0.0; // of the fleet figure; low 0 / high inf when unknown
        double med = 0.0;
    };
    std::vector<Candidate> candidates;
    std::vector<FleetConfigFigure> incomplete;
    for (const ConfigKey& k : keys) {
        Candidate c;
        c.fig.key = k;
        c.high = kInf;
        bool first = true;
        std::vector<double> values;
        for (const FleetNode* n : usable) {
            const auto f = nodeFigure(*n->answer, k);
            if (!f) {
                c.fig.missingOn.push_back(n->host);
                continue;
            }
            values.push_back(f->gibps);
            if (f->measured)
                ++c.fig.measuredOn;
            else
                c.fig.estimatedOn.push_back(n->host);
            if (first || f->gibps < c.fig.gibps) {
                c.fig.gibps = f->gibps;
                c.fig.worstHost = n->host;
            }
            first = false;
            const double lo = std::isfinite(f->margin) ? f->gibps * std::exp(-f->margin) : 0.0;
            const double hi = std::isfinite(f->margin) ? f->gibps * std::exp(f->margin) : kInf;
            c.low = values.size() == 1 ? lo : std::min(c.low, lo);
            c.high = std::min(c.high, hi);
        }
        if (!c.fig.missingOn.empty()) {
            if (!values.empty()) {
                c.fig.state = ConfigState::Failed;
                c.fig.reason = "no figure on " + joined(c.fig.missingOn) +
                               ", so it cannot be judged for the fleet";
                incomplete.push_back(std::move(c.fig));
            }
            continue;
        }
        c.med = median(values);
        if (c.low > 0.0 && std::isfinite(c.high))
            c.fig.interval = AnswerInterval{c.low, std::max(c.high, c.low)};
        candidates.push_back(std::move(c));
    }
    a.configurations = candidates.size();
    a.incomplete = incomplete.size();
    for (const Candidate& c : candidates)
        (c.fig.estimatedOn.empty() ? a.measuredEverywhere : a.estimated) += 1;

    std::optional<std::size_t> bestIndex;
    for (std::size_t i = 0; i < candidates.size(); ++i) {
        const Candidate& c = candidates[i];
        if (c.fig.measuredOn == 0) continue;
        if (!bestIndex) {
            bestIndex = i;
            continue;
        }
        const Candidate& b = candidates[*bestIndex];
        if (c.fig.gibps > b.fig.gibps ||
            (c.fig.gibps == b.fig.gibps &&
             (cheaper(c.fig.key, b.fig.key) || (!cheaper(b.fig.key, c.fig.key) && c.med > b.med))))
            bestIndex = i;
    }
    if (!bestIndex) {
        a.message = "No configuration has a figure on every usable node (" +
                    std::to_string(usable.size()) +
                    ") and a measurement on at least one, so there is no fleet answer: sweep the "
                    "same settings "
                    "on every node.";
        a.confidenceText = a.message;
        a.partial = true;
        a.partialReason = a.message;
        for (Candidate& c : candidates)
            a.configs.push_back(std::move(c.fig));
        for (auto& f : incomplete)
            a.configs.push_back(std::move(f));
        return a;
    }

    a.found = true;
    const Candidate& b = candidates[*bestIndex];
    a.best = b.fig.key;
    a.bestGiBps = b.fig.gibps;
    a.interval = b.fig.interval;
    a.worstHost = b.fig.worstHost;
    a.bestEstimatedOn = b.fig.estimatedOn;
    a.medianGiBps = b.med;

    // Each candidate against the best, on the log scale as decideAnswer compares.
    const double bLog = std::log(b.fig.gibps);
    const double bLow = b.low > 0.0 ? bLog - std::log(b.low) : kInf;
    const double bHigh = std::isfinite(b.high) ? std::log(b.high) - bLog : kInf;
    const double gainLog = std::log1p(a.tolerance);
    const double withinLog = std::log1p(-a.tolerance);
    double possibleGain = 0.0;
    ConfigKey recommended = b.fig.key;
    double recommendedGiBps = b.fig.gibps;
    for (std::size_t i = 0; i < candidates.size(); ++i) {
        Candidate& c = candidates[i];
        if (i == *bestIndex) {
            c.fig.state = ConfigState::Best;
            c.fig.reason = "the highest worst-node figure: " + figureReason(c.fig);
            continue;
        }
        const double cLog = std::log(c.fig.gibps);
        const double cHigh = std::isfinite(c.high) ? std::log(c.high) - cLog : kInf;
        const double cLow = c.low > 0.0 ? cLog - std::log(c.low) : kInf;
        const double d = cLog - bLog;
        const double up = std::sqrt(cHigh * cHigh + bLow * bLow);   // how much higher c could be
        const double down = std::sqrt(cLow * cLow + bHigh * bHigh); // how much lower
        const double upper = d + up;
        if (std::isfinite(upper)) c.fig.upperGain = std::expm1(upper);
        possibleGain = std::max(possibleGain, std::isfinite(upper) ? std::expm1(upper) : kInf);
        const std::string could =
            std::isfinite(upper)
                ? "it could be up to " + percentText(std::expm1(upper)) + " faster than the best at 95%"
                : "it could be faster than the best by any amount (a node's noise is unknown)";
        if (c.fig.measuredOn == 0) {
            c.fig.state = ConfigState::Predicted;
            c.fig.reason = "never measured on any node: " + figureReason(c.fig) + "; " + could;
        } else if (upper > gainLog) {
            c.fig.state = ConfigState::Contending;
            c.fig.reason = figureReason(c.fig) + "; " + could + ", more than the tolerance (" +
                           percentText(a.tolerance) + ")";
        } else if (upper >= 0.0) {
            c.fig.state = ConfigState::Tied;
            c.fig.reason =
                figureReason(c.fig) + "; not shown to be slower than the best, and " + could;
        } else {
            c.fig.state = ConfigState::Eliminated;
            c.fig.reason = figureReason(c.fig) + "; slower than the best at 95%";
        }
        // Recommended: measured on every node and shown within the tolerance.
        if (c.fig.estimatedOn.empty() && c.fig.key.folders == b.fig.key.folders &&
            std::isfinite(down) && d - down >= withinLog) {
            const bool cheap = cheaper(c.fig.key, recommended);
            const bool sameCost = !cheap && !cheaper(recommended, c.fig.key);
            if (cheap || (sameCost && c.fig.gibps > recommendedGiBps)) {
                recommended = c.fig.key;
                recommendedGiBps = c.fig.gibps;
            }
        }
    }
    std::stable_sort(
        candidates.begin(), candidates.end(), [](const Candidate& x, const Candidate& y) {
            if ((x.fig.state == ConfigState::Best) != (y.fig.state == ConfigState::Best))
                return x.fig.state == ConfigState::Best;
            return x.fig.gibps > y.fig.gibps;
        });
    for (Candidate& c : candidates) {
        if (c.fig.state == ConfigState::Tied || c.fig.state == ConfigState::Contending)
            a.tied.push_back(c.fig.key);
        a.configs.push_back(std::move(c.fig));
    }
    for (auto& f : incomplete)
        a.configs.push_back(std::move(f));
    if (candidates.size() > 1)
        a.possibleGain = possibleGain;
    else if (a.interval)
        a.possibleGain = 0.0;
    if (a.possibleGain && !std::isfinite(*a.possibleGain)) a.possibleGain.reset();

    if (!a.leftOut.empty()) {
        a.partial = true;
        a.partialReason = plural(a.leftOut.size(), "host has", "hosts have") +
                          " no answer of its own (" + joined(a.leftOut) +
                          "), so the fleet answer does not cover every node";
    } else if (!partialNodes.empty()) {
        a.partial = true;
        a.partialReason = "the answer of " + joined(partialNodes) + " is partial";
    }
    if (!a.partial) {
        a.recommended = recommended;
        a.recommendedGiBps = recommendedGiBps;
    }

    const std::string level = percentText(0.95);
    if (!a.possibleGain) {
        a.confidence = Confidence::Low;
        a.confidenceText = "A node's noise is unknown, so another configuration could be faster "
                           "for the fleet by any "
                           "amount: measure again (more loops or a larger budget).";
    } else if (*a.possibleGain <= a.tolerance) {
        a.confidence = Confidence::High;
        a.confidenceText = "At " + level + " confidence no other configuration is more than " +
                           percentText(*a.possibleGain) +
                           " faster for the fleet than the best (tolerance " +
                           percentText(a.tolerance) + ").";
    } else {
        a.confidence = *a.possibleGain <= 3.0 * a.tolerance ? Confidence::Medium : Confidence::Low;
        a.confidenceText = "Another configuration could still be up to " +
                           percentText(*a.possibleGain) + " faster for the fleet (at " + level +
                           ", tolerance " + percentText(a.tolerance) + "): measure again to narrow it.";
    }
    if (a.partial) a.confidence = Confidence::Low;
    if (!a.bestEstimatedOn.empty())
        a.confidenceText += " The best was not measured on " + joined(a.bestEstimatedOn) +
                            ": its figure there is the search's estimate.";
    return a;
}

FleetAnswer decideFleetAnswer(const std::vector<HostSweep>& sweepsIn) {
    std::vector<const HostSweep*> sweeps;
    for (const HostSweep& s : sweepsIn)
        sweeps.push_back(&s);
    std::sort(sweeps.begin(), sweeps.end(),
              [](const HostSweep* x, const HostSweep* y) { return x->host < y->host; });
    std::vector<FleetNode> nodes;
    for (const HostSweep* s : sweeps)
        nodes.push_back({s->host,
                         s->results ? std::optional<Answer>(answerFor(*s->results)) : std::nullopt,
                         s->error});
    FleetAnswer a = decideFleetAnswer(nodes, findSharedDrives(sweepsIn));
    a.samplesDigest = fleetSamplesDigest(sweepsIn);
    if (!a.found) return a;

    // Outliers at the best, among the nodes that measured it both ways.
    std::vector<std::pair<std::string, const ConfigResult*>> at;
    for (const HostSweep* s : sweeps)
        if (s->results)
            if (const ConfigResult* c = s->results->find(a.best); c && c->hasBoth())
                at.emplace_back(s->host, c);
    std::vector<double> values, relativeRanges;
    for (const auto& [host, c] : at) {
        values.push_back(*c->combinedGiBps);
        if (const auto r = combinedRange(*c); r && *c->combinedGiBps > 0)
            relativeRanges.push_back(*r / *c->combinedGiBps);
    }
    if (values.empty()) return a;
    a.medianGiBps = median(values);
    // Noise: the median relative range at the best; 10% of the median when no
    // node measured it twice (the margin analyze() also treats as meaningful).
    a.noiseKnown = !relativeRanges.empty();
    a.noiseGiBps = (a.noiseKnown ? median(relativeRanges) : 0.10) * a.medianGiBps;
    std::set<std::string> contended;
    for (const auto& g : a.sharedDrives)
        contended.insert(g.hosts.begin(), g.hosts.end());
    for (const auto& [host, c] : at) {
        if (contended.count(host)) continue; // slowed by its neighbours, not a bad node
        const double x = *c->combinedGiBps;
        const double tolerance = std::max(a.noiseGiBps, combinedRange(*c).value_or(0.0));
        const double gap = a.medianGiBps - x;
        if (gap > tolerance)
            a.outliers.push_back(
                {host, x, gap, a.medianGiBps > 0 ? gap / a.medianGiBps : 0.0, tolerance});
    }
    std::sort(a.outliers.begin(), a.outliers.end(),
              [](const FleetOutlier& x, const FleetOutlier& y) { return x.gapGiBps > y.gapGiBps; });
    return a;
}

FleetAnswer fleetAnswerFor(const std::vector<HostSweep>& sweeps,
                           const std::optional<FleetAnswer>& stored) {
    // As answerFor(): trusted only while the samples are unchanged and it names
    // configurations they measured (an edited fleet.json could name anything).
    const auto measuredOn = [&](const ConfigKey& k) {
        std::size_t n = 0;
        for (const HostSweep& s : sweeps)
            if (s.results)
                if (const ConfigResult* c = s.results->find(k); c && c->hasBoth()) ++n;
        return n;
    };
    if (!stored || stored->samplesDigest != fleetSamplesDigest(sweeps)) {
        FleetAnswer a = decideFleetAnswer(sweeps);
        if (stored)
            a.decidedBy += "; decided again: the host folders changed after " +
                           std::string(kFleetFileName) + " was written";
        return a;
    }
    // The samples are those it was decided on, so each configuration's figure
    // and worst node follow from them whatever was picked: a fleet.json whose
    // figures do not (edited by hand: analyze said 99 GiB/s on node1, export
    // 4.2 on node3) is not believed. Its pick may differ from the rule's.
    FleetAnswer a = decideFleetAnswer(sweeps);
    const auto sameFigure = [](double x, double y) { return std::abs(x - y) <= 1e-9 * std::max(1.0, std::abs(y)); };
    bool figuresHold = stored->configs.size() == a.configs.size();
    for (const FleetConfigFigure& f : stored->configs) {
        const FleetConfigFigure* fresh = a.figure(f.key);
        figuresHold = figuresHold && fresh && sameFigure(f.gibps, fresh->gibps) && f.worstHost == fresh->worstHost &&
                      f.measuredOn == fresh->measuredOn;
    }
    if (stored->found && figuresHold) {
        const FleetConfigFigure* best = stored->figure(stored->best);
        figuresHold = best && sameFigure(stored->bestGiBps, best->gibps) && stored->worstHost == best->worstHost;
    }
    if (figuresHold && (!stored->found || (measuredOn(stored->best) > 0 &&
                                           (!stored->recommended || measuredOn(*stored->recommended) == stored->usableHosts))))
        return *stored;
    a.decidedBy += "; decided again: the figures in " + std::string(kFleetFileName) +
                   " do not follow from its host folders' samples (edited by hand?)";
    return a;
}

// --- fleet.json ---

namespace {

nlohmann::json finiteOrNull(double v) {
    return std::isfinite(v) ? nlohmann::json(v) : nlohmann::json(nullptr);
}

nlohmann::ordered_json intervalJson(const std::optional<AnswerInterval>& iv) {
    if (!iv) return nullptr;
    return nlohmann::ordered_json{finiteOrNull(iv->low), finiteOrNull(iv->high)};
}

} // namespace

nlohmann::ordered_json fleetOutliersJson(const std::vector<FleetOutlier>& outliers) {
    auto out = nlohmann::ordered_json::array();
    for (const FleetOutlier& o : outliers)
        out.push_back({{"host", o.host},
                       {"combined", o.combinedGiBps},
                       {"gap", o.gapGiBps},
                       {"gap_fraction", o.gapFraction},
                       {"noise", o.noiseGiBps}});
    return out;
}

nlohmann::ordered_json sharedDrivesJson(const std::vector<FleetSharedDrive>& drives) {
    auto out = nlohmann::ordered_json::array();
    for (const FleetSharedDrive& g : drives)
        out.push_back({{"hosts", g.hosts}, {"machine", g.machine}, {"drive", g.drive}});
    return out;
}

nlohmann::ordered_json fleetAnswerToJson(const FleetAnswer& a) {
    using oj = nlohmann::ordered_json;
    oj j{{"found", a.found}};
    if (!a.found) {
        j["message"] = a.message;
    } else {
        j["best"] = configKeyToJson(a.best);
        j["aio"] = toAioJson(a.best.aio);
        j["gibps"] = finiteOrNull(a.bestGiBps);
        j["interval_gibps"] = intervalJson(a.interval);
        j["worst_host"] = a.worstHost;
        j["best_estimated_on"] = a.bestEstimatedOn;
        j["tied"] = oj::array();
        for (const ConfigKey& k : a.tied)
            j["tied"].push_back(oj(configKeyToJson(k)));
        j["recommended"] = a.recommended ? oj(configKeyToJson(*a.recommended)) : oj();
        j["recommended_gibps"] = a.recommended ? oj(finiteOrNull(a.recommendedGiBps)) : oj();
    }
    j["confidence"] = confidenceName(a.confidence);
    j["confidence_text"] = a.confidenceText;
    j["possible_gain"] = a.possibleGain ? oj(finiteOrNull(*a.possibleGain)) : oj();
    j["tolerance"] = a.tolerance;
    j["partial"] = a.partial;
    j["partial_reason"] = a.partialReason;
    j["decided_by"] = a.decidedBy;
    j["hosts"] = a.hosts;
    j["usable_hosts"] = a.usableHosts;
    j["left_out"] = a.leftOut;
    j["configurations"] = a.configurations;
    j["measured_everywhere"] = a.measuredEverywhere;
    j["estimated"] = a.estimated;
    j["incomplete"] = a.incomplete;
    j["median_gibps"] = finiteOrNull(a.medianGiBps);
    j["noise_gibps"] = finiteOrNull(a.noiseGiBps);
    j["noise_known"] = a.noiseKnown;
    j["outliers"] = fleetOutliersJson(a.outliers);
    j["shared_drives"] = sharedDrivesJson(a.sharedDrives);
    j["shared_drive_note"] = a.sharedDriveNote;
    j["configs"] = oj::array();
    for (const FleetConfigFigure& f : a.configs)
        j["configs"].push_back({{"key", oj(configKeyToJson(f.key))},
                                {"state", configStateName(f.state)},
                                {"gibps", finiteOrNull(f.gibps)},
                                {"interval_gibps", intervalJson(f.interval)},
                                {"worst_host", f.worstHost},
                                {"measured_on", f.measuredOn},
                                {"estimated_on", f.estimatedOn},
                                {"missing_on", f.missingOn},
                                {"upper_gain", f.upperGain ? oj(finiteOrNull(*f.upperGain)) : oj()},
                                {"reason", f.reason}});
    j["samples_digest"] = a.samplesDigest;
    j["units"] = "GiB/s";
    return j;
}

Result<FleetAnswer> fleetAnswerFromJson(const nlohmann::json& j) {
    using nlohmann::json;
    if (!j.is_object()) return makeError("the fleet answer must be an object");
    try {
        const auto optNumber = [](const json& o, const char* name) -> std::optional<double> {
            const auto it = o.find(name);
            if (it == o.end() || it->is_null()) return std::nullopt;
            if (!it->is_number())
                throw std::invalid_argument(std::string("\"") + name + "\" must be a number");
            return it->get<double>();
        };
        const auto key = [](const json& o) {
            auto k = configKeyFromJson(o);
            if (!k) throw std::invalid_argument(k.error());
            return *k;
        };
        const auto interval = [](const json& iv) -> std::optional<AnswerInterval> {
            if (iv.is_array() && iv.size() == 2 && iv[0].is_number() && iv[1].is_number())
                return AnswerInterval{iv[0].get<double>(), iv[1].get<double>()};
            return std::nullopt;
        };
        FleetAnswer a;
        a.found = j.at("found").get<bool>();
        if (!a.found) {
            a.message = j.value("message", std::string());
        } else {
            a.best = key(j.at("best"));
            a.bestGiBps = optNumber(j, "gibps").value_or(0.0);
            a.interval = interval(j.at("interval_gibps"));
            a.worstHost = j.at("worst_host").get<std::string>();
            a.bestEstimatedOn = j.at("best_estimated_on").get<std::vector<std::string>>();
            for (const json& t : j.at("tied"))
                a.tied.push_back(key(t));
            if (const auto& r = j.at("recommended"); !r.is_null()) {
                a.recommended = key(r);
                a.recommendedGiBps = optNumber(j, "recommended_gibps").value_or(0.0);
            }
        }
        const std::string conf = j.at("confidence").get<std::string>();
        a.confidence = conf == "high"     ? Confidence::High
                       : conf == "medium" ? Confidence::Medium
                                          : Confidence::Low;
        a.confidenceText = j.at("confidence_text").get<std::string>();
        a.possibleGain = optNumber(j, "possible_gain");
        a.tolerance = j.at("tolerance").get<double>();
        a.partial = j.at("partial").get<bool>();
        a.partialReason = j.at("partial_reason").get<std::string>();
        a.decidedBy = j.at("decided_by").get<std::string>();
        a.hosts = j.at("hosts").get<std::vector<std::string>>();
        a.usableHosts = j.at("usable_hosts").get<std::size_t>();
        a.leftOut = j.at("left_out").get<std::vector<std::string>>();
        a.configurations = j.at("configurations").get<std::size_t>();
        a.measuredEverywhere = j.at("measured_everywhere").get<std::size_t>();
        a.estimated = j.at("estimated").get<std::size_t>();
        a.incomplete = j.at("incomplete").get<std::size_t>();
        a.medianGiBps = optNumber(j, "median_gibps").value_or(0.0);
        a.noiseGiBps = optNumber(j, "noise_gibps").value_or(0.0);
        a.noiseKnown = j.at("noise_known").get<bool>();
        for (const json& o : j.at("outliers"))
            a.outliers.push_back({o.at("host").get<std::string>(), o.at("combined").get<double>(),
                                  o.at("gap").get<double>(), o.at("gap_fraction").get<double>(),
                                  o.at("noise").get<double>()});
        for (const json& g : j.at("shared_drives"))
            a.sharedDrives.push_back({g.at("hosts").get<std::vector<std::string>>(),
                                      g.at("machine").get<std::string>(),
                                      g.at("drive").get<std::string>()});
        a.sharedDriveNote = j.at("shared_drive_note").get<std::string>();
        for (const json& c : j.at("configs")) {
            FleetConfigFigure f;
            f.key = key(c.at("key"));
            const auto state = parseConfigState(c.at("state").get<std::string>());
            if (!state)
                throw std::invalid_argument("unknown configuration state " + c.at("state").dump());
            f.state = *state;
            f.gibps = optNumber(c, "gibps").value_or(0.0);
            f.interval = interval(c.at("interval_gibps"));
            f.worstHost = c.at("worst_host").get<std::string>();
            f.measuredOn = c.at("measured_on").get<std::size_t>();
            f.estimatedOn = c.at("estimated_on").get<std::vector<std::string>>();
            f.missingOn = c.at("missing_on").get<std::vector<std::string>>();
            f.upperGain = optNumber(c, "upper_gain");
            f.reason = c.at("reason").get<std::string>();
            a.configs.push_back(std::move(f));
        }
        a.samplesDigest = j.at("samples_digest").get<std::string>();
        if (a.found && !a.figure(a.best))
            throw std::invalid_argument("its best is not among its configurations");
        return a;
    } catch (const std::exception& e) {
        return makeError(std::string("the fleet answer is damaged (") + e.what() + ")");
    }
}

Result<void> writeFleetFile(const fs::path& folder, const FleetAnswer& a) {
    const nlohmann::ordered_json j{
        {"schema", 1}, {"kind", "aiotune-fleet"}, {"answer", fleetAnswerToJson(a)}};
    AtomicWriteOptions options;
    options.existing =
        ExistingFilePolicy::Replace; // aiotune's own file, rewritten at every fleet run
    auto written = writeFileAtomically(
        folder / kFleetFileName,
        jsonText(j, 2) + "\n", options);
    if (!written) return makeError(written.error());
    return {};
}

Result<void> checkNotTheFleetFile(const fs::path& output, const fs::path& folder) {
    const fs::path stored = folder / kFleetFileName;
    std::error_code ec1, ec2, ec3;
    const bool same = fs::weakly_canonical(output, ec1) == fs::weakly_canonical(stored, ec2) ||
                      fs::equivalent(output, stored, ec3);
    if (same && !ec1 && !ec2)
        return makeError(output.string() + " is the fleet's stored answer (" +
                         std::string(kFleetFileName) + "): write elsewhere");
    if (same && !ec3)
        return makeError(output.string() + " is the fleet's stored answer: write elsewhere");
    return {};
}

Result<std::optional<FleetAnswer>> readFleetFile(const fs::path& folder) {
    const fs::path file = folder / kFleetFileName;
    std::error_code ec;
    const fs::file_status status = fs::symlink_status(file, ec);
    if (!fs::exists(status)) return std::optional<FleetAnswer>();
    // Another fleet's fleet.json linked in would decide which host folders
    // count here: the answer of a fleet is its own file.
    if (fs::is_symlink(status))
        return makeError(file.string() + " is a link, not this fleet's own answer: remove it (the next reader "
                                         "decides the fleet answer again)");
    // A fleet.json of 10,000 hosts is a few MiB; 64 MiB of "[[],[],...]"
    // took 1.6 GB to parse.
    auto text = readWholeFile(file, 16ull << 20);
    if (!text) return makeError(text.error());
    const auto parsed = parseJsonText(*text, file.string());
    if (!parsed || !parsed->is_object())
        return makeError((parsed ? file.string() + " is not a JSON object" : parsed.error()) +
                         ": delete it (the next reader decides the fleet answer again)");
    const nlohmann::json& j = *parsed;
    if (j.value("kind", std::string()) != "aiotune-fleet" || !j.contains("answer"))
        return makeError(file.string() +
                         " is not an aiotune fleet answer (no \"kind\": \"aiotune-fleet\")");
    auto a = fleetAnswerFromJson(j.at("answer"));
    if (!a) return makeError(file.string() + ": " + a.error());
    return std::optional<FleetAnswer>(std::move(*a));
}

} // namespace aiotune
