#include "sweep/replay.h"

#include "config/aio_config.h"
#include "results/analysis.h"
#include "results/log_folder_reader.h"

#include <algorithm>
#include <cmath>
#include <map>
#include <set>
#include <string>
#include <unordered_map>
#include <utility>

namespace aiotune {

namespace {

std::uint64_t nextRandom(std::uint64_t& state) { // splitmix64, as the strategy's
    std::uint64_t z = (state += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
}

// The recorded visits of one configuration: the samples of each full loop.
using RecordedVisits = std::vector<std::vector<Sample>>;

RecordedVisits visitsOf(const ConfigResult& c, bool read, bool write) {
    std::map<int, std::vector<Sample>> loops;
    for (const Sample& s : c.samples)
        loops[s.loop].push_back(s);
    RecordedVisits out;
    for (const auto& entry : loops) {
        const std::vector<Sample>& samples = entry.second; // clang 14 cannot capture a structured binding
        const auto has = [&](IoOp op) {
            return std::any_of(samples.begin(), samples.end(), [&](const Sample& s) {
                return s.op == op && !s.failed() && s.gibPerSec > 0.0 && std::isfinite(s.gibPerSec);
            });
        };
        const bool failed =
            std::any_of(samples.begin(), samples.end(), [](const Sample& s) { return s.failed(); });
        if (failed || (read && !has(IoOp::Read)) || (write && !has(IoOp::Write))) continue;
        std::vector<Sample> wanted;
        for (const Sample& s : samples)
            if ((s.op == IoOp::Read && read) || (s.op == IoOp::Write && write)) wanted.push_back(s);
        out.push_back(std::move(wanted));
    }
    return out;
}

} // namespace

ResultSet searchedResults(const AdaptiveStrategy& strategy) {
    ResultSet searched = strategy.results();
    searched.source = "replay";
    searched.strategy = std::string(strategy.name());
    searched.dropouts = strategy.dropouts();
    searched.status = SweepStatus::Finished;
    searched.answer = decideAnswer(searched, strategy.answerContext());
    return searched;
}

bool runSearch(SearchStrategy& strategy, const MeasureVisit& measure, const std::atomic<bool>* cancel) {
    for (std::vector<Visit> batch = strategy.nextBatch(); !batch.empty();
         batch = strategy.nextBatch())
        for (const Visit& v : batch) {
            if (cancel && cancel->load()) return false;
            strategy.observe(v, measure(v));
        }
    return true;
}

Result<ReplayOutcome> replaySearch(const ResultSet& recorded, const AdaptiveOptions& requested,
                                   std::uint64_t seed, const std::atomic<bool>* cancel) {
    const std::string where = recorded.source.empty() ? "the recorded sweep" : recorded.source;
    AdaptiveOptions options = requested;
    options.seed = seed;
    bool hasRead = false, hasWrite = false;
    std::set<int> folderCounts;
    for (const ConfigResult& c : recorded.configs) {
        folderCounts.insert(c.key.folders);
        for (const Sample& s : c.samples)
            (s.op == IoOp::Read ? hasRead : hasWrite) = true;
    }
    options.read = requested.read && hasRead;
    options.write = requested.write && hasWrite;
    if (!options.read && !options.write)
        return makeError(where + " holds no " +
                         std::string(requested.read && !requested.write   ? "read"
                                     : !requested.read && requested.write ? "write"
                                                                          : "read or write") +
                         " figure to replay: point at a sweep that measured it");
    if (folderCounts.size() > 1)
        return makeError(where + " mixes sweeps over different numbers of folders: replay one "
                                 "folder count at a time");

    ReplayOutcome out;
    std::vector<AioConfig> configs;
    std::vector<RecordedVisits> recordedVisits;
    std::vector<ConfigKey> keys;
    for (const ConfigResult& c : recorded.configs) {
        RecordedVisits visits = visitsOf(c, options.read, options.write);
        out.recordedLoops = std::max(out.recordedLoops, static_cast<int>(visits.size()));
        out.recordedTransfers += c.samples.size();
        if (visits.size() < 2) {
            out.notes.push_back(
                c.key.label() + ": " + std::to_string(visits.size()) +
                " complete recorded visit(s), left out (replay draws from two or more)");
            continue;
        }
        configs.push_back(c.key.aio);
        keys.push_back(c.key);
        recordedVisits.push_back(std::move(visits));
    }
    if (out.recordedLoops == 0) {
        // Samples, none of them a complete visit: they failed (no noise to
        // speak of, whatever the loops).
        for (const ConfigResult& c : recorded.configs)
            if (c.errors > 0)
                return makeError(where + " holds no complete visit to replay: its transfers failed (first: " +
                                 c.firstError() + "): replay a sweep whose transfers succeeded");
    }
    if (out.recordedLoops < 2) {
        // A refused sweep.json left only the DeepSpeed logs: its reason is the real one.
        std::string refused;
        for (const SkippedFile& f : recorded.skipped)
            if (f.file == "sweep.json") refused = " (its sweep.json was not used: " + f.reason + ")";
        return makeError(
            where + " holds one figure per configuration and operation (as DeepSpeed's "
                    "own logs do), so there is no noise to replay" + refused + ": record a sweep with "
                    "several loops, e.g. `aiotune sweep --search grid --loops 3 --log_dir DIR`, "
                    "and replay DIR");
    }
    if (configs.size() < 2)
        return makeError(where + " has only " + std::to_string(configs.size()) +
                         " configuration with two or more complete loops: replay needs a grid "
                         "recorded with several loops");

    auto strategy = AdaptiveStrategy::create(configs, options);
    if (!strategy) return makeError(strategy.error());

    std::uint64_t rng = seed ^ 0xA5A5A5A5DEADBEEFull; // not the strategy's sequence
    // An index, not a scan per visit: replay stays linear in the configurations.
    std::unordered_map<std::string, std::size_t> indexOf;
    for (std::size_t i = 0; i < keys.size(); ++i) indexOf.emplace(keys[i].tag(), i);
    const int folders = keys.front().folders;
    const bool finished = runSearch(strategy.value(), [&](const Visit& v) {
        const RecordedVisits& visits = recordedVisits[indexOf.at(ConfigKey{v.config, folders}.tag())];
        std::vector<Sample> samples = visits[nextRandom(rng) % visits.size()];
        for (Sample& s : samples)
            s.loop = v.loop;
        return samples;
    }, cancel);
    if (!finished) return makeError("replay interrupted");

    out.searched = searchedResults(*strategy);
    out.answer = *out.searched.answer;
    out.configurations = configs.size();
    out.threeLoopTransfers =
        3 * configs.size() * ((options.read ? 1 : 0) + (options.write ? 1 : 0));
    out.costRatio = static_cast<double>(out.answer.transfers) / out.threeLoopTransfers;

    // Truth: every recorded visit of the configurations replayed.
    // Each configuration's figures once over all its samples (added one at a
    // time they were sorted again at each: 5,000 loops took seconds).
    ResultSet truthSet;
    for (std::size_t i = 0; i < configs.size(); ++i) {
        ConfigResult c;
        c.key = keys[i];
        for (const auto& visit : recordedVisits[i]) c.samples.insert(c.samples.end(), visit.begin(), visit.end());
        c.recompute();
        truthSet.configs.push_back(std::move(c));
    }
    std::sort(truthSet.configs.begin(), truthSet.configs.end(),
              [](const ConfigResult& a, const ConfigResult& b) { return a.key < b.key; });
    const VisitStatistics truth = visitStatistics(truthSet);
    const VisitEstimate* best = &truth.configs.front();
    for (const VisitEstimate& e : truth.configs)
        if (e.meanLog > best->meanLog) best = &e;
    out.recordedBest = best->key;
    const auto regretOf = [&](const AioConfig& pick) {
        for (const VisitEstimate& e : truth.configs)
            if (e.key.aio == pick) return 1.0 - std::exp(e.meanLog - best->meanLog);
        return 1.0;
    };
    if (out.answer.found) {
        out.regret = regretOf(out.answer.best.aio);
        out.recommendedRegret = regretOf(out.answer.pick(true).aio);
    } else {
        out.regret = out.recommendedRegret = 1.0;
    }
    return out;
}

Result<ReplayOutcome> replaySearchFolder(const std::filesystem::path& folder,
                                         const AdaptiveOptions& options, std::uint64_t seed,
                                         const std::atomic<bool>* cancel) {
    auto recorded = LogFolderReader().read(folder);
    if (!recorded) return makeError(recorded.error());
    return replaySearch(*recorded, options, seed, cancel);
}

nlohmann::json replayOutcomeToJson(const ReplayOutcome& o) {
    nlohmann::json j = answerToJson(o.answer);
    nlohmann::json notes = nlohmann::json::array();
    for (const std::string& n : o.notes)
        notes.push_back(n);
    j["replay"] = {{"configurations", o.configurations},
                   {"recorded_loops", o.recordedLoops},
                   {"recorded_transfers", o.recordedTransfers},
                   {"three_loop_transfers", o.threeLoopTransfers},
                   {"cost_ratio", o.costRatio},
                   {"recorded_best", toAioJson(o.recordedBest.aio)},
                   {"regret", o.regret},
                   {"recommended_regret", o.recommendedRegret},
                   {"notes", std::move(notes)}};
    return j;
}

} // namespace aiotune
