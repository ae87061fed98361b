#include "fleet/fleet_analysis.h"
#include "util/printable_text.h"

#include "config/aio_config.h"
#include "fleet/host_list.h"
#include "results/analysis.h"
#include "results/log_folder_reader.h"
#include "results/sweep_file.h"

#include <algorithm>
#include <map>
#include <set>

namespace aiotune {

namespace fs = std::filesystem;

namespace {

bool isDir(const fs::path& p) {
    std::error_code ec;
    return fs::is_directory(p, ec);
}

bool isFile(const fs::path& p) {
    std::error_code ec;
    return fs::is_regular_file(p, ec);
}

bool looksLikeLogFolder(const fs::path& p) {
    return isDir(p / kReadLogDir) || isDir(p / kWriteLogDir) || isFile(p / kSweepFileName) ||
           isDir(p / kDefaultLogDir);
}

std::string recordedHostOf(const ResultSet& rs) {
    if (!rs.meta.is_object()) return {};
    const auto sys = rs.meta.find("system");
    if (sys == rs.meta.end() || !sys->is_object()) return {};
    const auto h = sys->find("host");
    return h != sys->end() && h->is_string() ? h->get<std::string>() : std::string();
}

nlohmann::ordered_json figuresJson(const ConfigResult& c) {
    nlohmann::ordered_json j;
    j["aio"] = toAioJson(c.key.aio);
    j["folders"] = c.key.folders;
    j["read"] = c.readGiBps ? nlohmann::ordered_json(*c.readGiBps) : nlohmann::ordered_json();
    j["write"] = c.writeGiBps ? nlohmann::ordered_json(*c.writeGiBps) : nlohmann::ordered_json();
    j["combined"] = c.combinedGiBps ? nlohmann::ordered_json(*c.combinedGiBps) : nlohmann::ordered_json();
    return j;
}

} // namespace

bool isFleetFolder(const fs::path& folder) {
    if (!isDir(folder) || looksLikeLogFolder(folder)) return false;
    std::error_code ec;
    std::size_t seen = 0;
    for (fs::directory_iterator it(folder, ec), end; !ec && it != end; it.increment(ec)) {
        if (++seen > kMaxFleetHosts) break;
        if (isDir(it->path()) && looksLikeLogFolder(it->path())) return true;
    }
    return false;
}

Result<std::vector<HostSweep>> readFleetFolder(const fs::path& folder) {
    if (!isDir(folder))
        return makeError("fleet folder " + folder.string() + " does not exist or is not a folder: "
                         "give the shared --log_dir of `aiotune fleet`");
    std::vector<fs::path> hostDirs;
    std::error_code ec;
    for (fs::directory_iterator it(folder, ec), end; !ec && it != end; it.increment(ec)) {
        if (isDir(it->path()) && looksLikeLogFolder(it->path())) hostDirs.push_back(it->path());
        if (hostDirs.size() > kMaxFleetHosts)
            return makeError(folder.string() + " holds more than " + std::to_string(kMaxFleetHosts) +
                             " host folders");
    }
    if (ec) return makeError("cannot list " + folder.string() + ": " + ec.message());
    if (hostDirs.empty())
        return makeError(folder.string() + " holds no host folder (<host>/sweep.json or DeepSpeed's "
                         "log subfolders): give the shared --log_dir of `aiotune fleet`");
    std::sort(hostDirs.begin(), hostDirs.end());
    // A host folder that is a link to another (ln -s node1 dup1) would count
    // that node twice and move the median: the real folder counts, the link
    // is listed as unusable.
    std::map<fs::path, std::string> owner; // canonical folder -> the host that counts for it
    for (const bool links : {false, true})
        for (const auto& dir : hostDirs) {
            std::error_code e1, e2;
            if (fs::is_symlink(fs::symlink_status(dir, e1)) != links) continue;
            const fs::path real = fs::canonical(dir, e2);
            if (!e2) owner.emplace(real, dir.filename().string());
        }
    std::vector<HostSweep> sweeps;
    for (const auto& dir : hostDirs) {
        HostSweep s{dir.filename().string(), dir, std::nullopt, {}};
        std::error_code e;
        const fs::path real = fs::canonical(dir, e);
        if (const auto it = owner.find(real); !e && it != owner.end() && it->second != s.host) {
            s.error = "the same folder as host " + printableName(it->second) + " (a link to it): counted once";
            sweeps.push_back(std::move(s));
            continue;
        }
        auto rs = LogFolderReader().read(dir);
        if (rs)
            s.results = std::move(rs.value());
        else
            s.error = rs.error();
        sweeps.push_back(std::move(s));
    }
    return sweeps;
}

std::vector<const FleetHostFigures*> FleetAnalysis::ranking() const {
    std::vector<const FleetHostFigures*> out;
    for (const auto& h : hosts) out.push_back(&h);
    std::stable_sort(out.begin(), out.end(), [](const FleetHostFigures* a, const FleetHostFigures* b) {
        const double x = a->atPick ? a->atPick->combinedGiBps.value_or(-1) : -1;
        const double y = b->atPick ? b->atPick->combinedGiBps.value_or(-1) : -1;
        return x > y;
    });
    return out;
}

const FleetHostFigures* FleetAnalysis::host(const std::string& name) const {
    for (const auto& h : hosts)
        if (h.host == name) return &h;
    return nullptr;
}

std::optional<double> FleetAnalysis::combined(const std::string& name, const ConfigKey& key) const {
    for (const auto& s : sweeps)
        if (s.host == name && s.results)
            if (const ConfigResult* c = s.results->find(key)) return c->combinedGiBps;
    return std::nullopt;
}

FleetAnalysis analyzeFleet(std::vector<HostSweep> sweeps, const std::optional<FleetAnswer>& stored) {
    FleetAnalysis fa;
    std::sort(sweeps.begin(), sweeps.end(), [](const HostSweep& a, const HostSweep& b) { return a.host < b.host; });

    std::set<ConfigKey> all;
    std::vector<const HostSweep*> usable; // with a ranked configuration of their own
    for (const HostSweep& s : sweeps) {
        FleetHostFigures f;
        f.host = s.host;
        if (!s.results) {
            f.error = s.error.empty() ? "the folder could not be read" : s.error;
        } else {
            const std::string recorded = recordedHostOf(*s.results);
            if (recorded != s.host) f.recordedHost = recorded;
            for (const auto& c : s.results->configs) all.insert(c.key);
            const Recommendation rec = analyze(*s.results);
            f.best = rec.best;
            if (rec.best)
                usable.push_back(&s);
            else
                f.error = rec.message;
        }
        fa.hosts.push_back(std::move(f));
    }
    fa.configs.assign(all.begin(), all.end());
    for (std::size_t i = 0; i < sweeps.size(); ++i) {
        if (!sweeps[i].results) continue;
        for (const ConfigKey& k : fa.configs) {
            const ConfigResult* c = sweeps[i].results->find(k);
            if (!c || !c->hasBoth()) fa.hosts[i].missing.push_back(k);
        }
    }
    for (const ConfigKey& k : fa.configs) {
        const bool everywhere = !usable.empty() && std::all_of(usable.begin(), usable.end(), [&k](const HostSweep* s) {
            const ConfigResult* c = s->results->find(k);
            return c && c->hasBoth();
        });
        if (everywhere) fa.common.push_back(k);
    }

    // The one fleet answer (stored while the samples are unchanged); the rest shows it.
    fa.answer = fleetAnswerFor(sweeps, stored);
    const FleetAnswer& a = fa.answer;
    fa.outliers = a.outliers;
    fa.sharedDrives = a.sharedDrives;
    if (!a.found) {
        fa.message = a.message;
        fa.sweeps = std::move(sweeps);
        return fa;
    }
    fa.pick = a.best;
    fa.minCombinedGiBps = a.bestGiBps;
    fa.worstHost = a.worstHost;
    fa.medianGiBps = a.medianGiBps;
    fa.noiseGiBps = a.noiseGiBps;
    fa.noiseKnown = a.noiseKnown;
    for (std::size_t i = 0; i < sweeps.size(); ++i) {
        FleetHostFigures& f = fa.hosts[i];
        if (!sweeps[i].results || !f.best) continue;
        const ConfigResult* c = sweeps[i].results->find(*fa.pick);
        if (!c || !c->hasBoth()) continue;
        f.atPick = *c;
        f.lossGiBps = std::max(0.0, *f.best->combinedGiBps - *c->combinedGiBps);
        f.lossFraction = *f.best->combinedGiBps > 0 ? f.lossGiBps / *f.best->combinedGiBps : 0.0;
    }
    fa.sweeps = std::move(sweeps);
    return fa;
}

Result<FleetAnalysis> fleetAnalysisFor(const fs::path& folder) {
    auto sweeps = readFleetFolder(folder);
    if (!sweeps) return makeError(sweeps.error());
    auto stored = readFleetFile(folder);
    std::optional<FleetAnswer> answer;
    std::string note;
    if (stored)
        answer = std::move(stored.value());
    else
        note = stored.error() + "; the fleet answer was decided again from the host folders";
    // The hosts of the run fleet.json describes, while they all have folders:
    // an earlier run's host folders, or a node cancelled midway, are not its fleet.
    std::vector<HostSweep> kept;
    std::vector<std::string> others;
    const auto named = [&answer](const std::string& host) {
        return std::find(answer->hosts.begin(), answer->hosts.end(), host) != answer->hosts.end();
    };
    if (answer && !answer->hosts.empty() &&
        std::all_of(answer->hosts.begin(), answer->hosts.end(), [&](const std::string& h) {
            return std::any_of(sweeps->begin(), sweeps->end(), [&h](const HostSweep& s) { return s.host == h; });
        })) {
        for (HostSweep& s : *sweeps)
            if (named(s.host))
                kept.push_back(std::move(s));
            else
                others.push_back(s.host);
    } else {
        kept = std::move(sweeps.value());
    }
    FleetAnalysis fa = analyzeFleet(std::move(kept), answer);
    fa.notInRun = std::move(others);
    fa.storedNote = std::move(note);
    return fa;
}

Recommendation fleetRecommendation(const FleetAnalysis& fleet) {
    const FleetAnswer& f = fleet.answer;
    Recommendation rec;
    Answer& a = rec.answer;
    a.found = f.found;
    a.message = rec.message = f.message;
    a.tolerance = f.tolerance;
    a.partial = f.partial;
    a.partialReason = f.partialReason;
    a.confidence = rec.confidence = f.confidence;
    a.confidenceText = f.confidenceText + (f.found ? " " + f.countsText() : std::string());
    if (!f.sharedDriveNote.empty()) a.confidenceText += " Not a real fleet: " + f.sharedDriveNote;
    rec.confidenceText = a.confidenceText;
    a.possibleGain = f.possibleGain;
    a.strategy = "fleet";
    a.decidedBy = f.decidedBy;
    a.configurations = f.configurations;
    a.measured = f.measuredEverywhere;
    rec.configsWithBoth = static_cast<int>(f.measuredEverywhere);
    if (!f.found) return rec;
    a.best = f.best;
    a.bestGiBps = f.bestGiBps;
    a.interval = f.interval;
    a.tied = f.tied;
    a.recommended = f.recommended;
    a.recommendedGiBps = f.recommendedGiBps;
    for (const FleetConfigFigure& c : f.configs) {
        if (c.state == ConfigState::Failed) continue; // not on every node: not part of the fleet's comparison
        a.configs.push_back({c.key, c.state, static_cast<int>(c.measuredOn), c.gibps, c.upperGain, c.reason});
        if (c.key == f.best) a.bestVisits = static_cast<int>(c.measuredOn);
    }
    // The worst node's measured figures, where it measured them.
    const auto measuredAt = [&fleet](const std::string& host, const ConfigKey& key) -> std::optional<ConfigResult> {
        for (const HostSweep& s : fleet.sweeps)
            if (s.host == host && s.results)
                if (const ConfigResult* c = s.results->find(key); c && c->hasBoth()) return *c;
        return std::nullopt;
    };
    rec.best = measuredAt(f.worstHost, f.best);
    if (f.recommended)
        if (const FleetConfigFigure* r = f.figure(*f.recommended)) rec.recommended = measuredAt(r->worstHost, r->key);
    if (!rec.recommended) rec.recommended = rec.best;
    if (fleet.noiseKnown) {
        rec.noiseGiBps = fleet.noiseGiBps;
        rec.noiseKnown = true;
    }
    return rec;
}

nlohmann::ordered_json fleetJson(const FleetAnalysis& fa) {
    using oj = nlohmann::ordered_json;
    oj j;
    j["hosts"] = oj::array();
    for (const FleetHostFigures& f : fa.hosts) {
        oj h;
        h["host"] = f.host;
        if (!f.recordedHost.empty()) h["system_host"] = f.recordedHost;
        h["best"] = f.best ? figuresJson(*f.best) : oj();
        h["aio"] = f.best ? oj(toAioJson(f.best->key.aio)) : oj();
        h["at_pick"] = f.atPick ? figuresJson(*f.atPick) : oj();
        h["loss"] = f.atPick ? oj(f.lossGiBps) : oj();
        h["loss_fraction"] = f.atPick ? oj(f.lossFraction) : oj();
        h["missing"] = oj::array();
        for (const auto& k : f.missing) h["missing"].push_back(k.tag());
        if (!f.error.empty()) h["error"] = f.error;
        j["hosts"].push_back(std::move(h));
    }
    oj fleet;
    fleet["aio"] = fa.pick ? oj(toAioJson(fa.pick->aio)) : oj();
    fleet["config"] = fa.pick ? oj(fa.pick->tag()) : oj();
    fleet["worst_host"] = fa.pick ? oj(fa.worstHost) : oj();
    fleet["min_combined"] = fa.pick ? oj(fa.minCombinedGiBps) : oj();
    fleet["median_combined"] = fa.pick ? oj(fa.medianGiBps) : oj();
    fleet["noise"] = fa.pick ? oj(fa.noiseGiBps) : oj();
    fleet["noise_known"] = fa.noiseKnown;
    fleet["common_configs"] = fa.common.size();
    fleet["measured_everywhere"] = fa.answer.measuredEverywhere;
    fleet["estimated"] = fa.answer.estimated;
    fleet["partial"] = fa.answer.partial;
    fleet["units"] = "GiB/s";
    if (!fa.message.empty()) fleet["message"] = fa.message;
    j["fleet"] = std::move(fleet);
    j["outliers"] = fleetOutliersJson(fa.outliers);
    j["shared_drives"] = sharedDrivesJson(fa.sharedDrives);
    j["not_in_run"] = fa.notInRun;
    if (!fa.storedNote.empty()) j["stored_note"] = fa.storedNote;
    j["answer"] = fleetAnswerToJson(fa.answer);
    return j;
}

} // namespace aiotune
