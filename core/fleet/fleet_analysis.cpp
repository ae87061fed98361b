#include "fleet/fleet_analysis.h"

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

double median(std::vector<double> v) {
    if (v.empty()) return 0.0;
    std::sort(v.begin(), v.end());
    const std::size_t n = v.size();
    return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2.0;
}

// Combined range of one configuration measured at least twice both ways.
std::optional<double> combinedRange(const ConfigResult& c) {
    if (!c.readSpread || !c.writeSpread || c.readSpread->count < 2 || c.writeSpread->count < 2)
        return std::nullopt;
    return c.readSpread->width() + c.writeSpread->width();
}

// Cheaper first, as analyze() breaks ties: fewer threads, then fewer requests in flight.
bool cheaper(const ConfigKey& a, const ConfigKey& b) {
    if (a.aio.intra_op_parallelism != b.aio.intra_op_parallelism)
        return a.aio.intra_op_parallelism < b.aio.intra_op_parallelism;
    return a.aio.queue_depth < b.aio.queue_depth;
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
            if (const auto it = f.find(name); it != f.end() && it->is_string() && !it->get<std::string>().empty()) {
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

std::vector<FleetSharedDrive> findSharedDrives(const std::vector<HostSweep>& sweeps) {
    struct Info {
        std::string machine;
        std::set<std::string> drives;
        std::pair<std::int64_t, std::int64_t> span;
    };
    std::vector<Info> info(sweeps.size());
    for (std::size_t i = 0; i < sweeps.size(); ++i)
        if (sweeps[i].results)
            info[i] = {recordedHostOf(*sweeps[i].results), drivesOf(*sweeps[i].results), spanOf(*sweeps[i].results)};
    // Groups: union of every pair that shares a machine and a drive while both ran.
    std::vector<std::size_t> group(sweeps.size());
    for (std::size_t i = 0; i < group.size(); ++i) group[i] = i;
    auto root = [&group](std::size_t i) {
        while (group[i] != i) i = group[i] = group[group[i]];
        return i;
    };
    std::vector<std::pair<std::size_t, std::string>> joined; // (a member, the drive it shares)
    for (std::size_t i = 0; i < sweeps.size(); ++i)
        for (std::size_t k = i + 1; k < sweeps.size(); ++k) {
            const Info &a = info[i], &b = info[k];
            if (a.machine.empty() || a.machine != b.machine || a.span.first == 0 || b.span.first == 0) continue;
            if (a.span.first > b.span.second || b.span.first > a.span.second) continue;
            const auto d = std::find_if(a.drives.begin(), a.drives.end(),
                                        [&b](const std::string& x) { return b.drives.count(x) > 0; });
            if (d == a.drives.end()) continue;
            group[root(k)] = root(i);
            joined.emplace_back(i, *d);
        }
    std::map<std::size_t, FleetSharedDrive> byRoot;
    for (std::size_t i = 0; i < sweeps.size(); ++i) {
        auto& g = byRoot[root(i)];
        g.hosts.push_back(sweeps[i].host);
        g.machine = info[i].machine;
    }
    for (const auto& [i, drive] : joined) byRoot[root(i)].drive = drive;
    std::vector<FleetSharedDrive> out;
    for (auto& [r, g] : byRoot)
        if (g.hosts.size() > 1) {
            std::sort(g.hosts.begin(), g.hosts.end());
            out.push_back(std::move(g));
        }
    return out;
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
    std::vector<HostSweep> sweeps;
    for (const auto& dir : hostDirs) {
        HostSweep s{dir.filename().string(), dir, std::nullopt, {}};
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

FleetAnalysis analyzeFleet(std::vector<HostSweep> sweeps) {
    FleetAnalysis fa;
    std::sort(sweeps.begin(), sweeps.end(), [](const HostSweep& a, const HostSweep& b) { return a.host < b.host; });

    // Hosts with at least one ranked configuration take part in the pick.
    std::set<ConfigKey> all;
    std::vector<const HostSweep*> usable;
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

    if (usable.empty()) {
        fa.message = "No host folder has a configuration with both a read and a write figure, so "
                     "there is no fleet pick: check the host folders listed above.";
        fa.sweeps = std::move(sweeps);
        return fa;
    }

    // Candidates: measured both ways on every usable host.
    struct Candidate {
        ConfigKey key;
        double min = 0.0;
        double med = 0.0;
        std::string worst;
    };
    std::optional<Candidate> pick;
    for (const ConfigKey& k : fa.configs) {
        Candidate cand{k, 0.0, 0.0, {}};
        std::vector<double> values;
        bool everywhere = true;
        for (const HostSweep* s : usable) {
            const ConfigResult* c = s->results->find(k);
            if (!c || !c->hasBoth()) { everywhere = false; break; }
            if (values.empty() || *c->combinedGiBps < cand.min) {
                cand.min = *c->combinedGiBps;
                cand.worst = s->host;
            }
            values.push_back(*c->combinedGiBps);
        }
        if (!everywhere) continue;
        fa.common.push_back(k);
        cand.med = median(values);
        const bool better = !pick || cand.min > pick->min ||
                            (cand.min == pick->min &&
                             (cheaper(k, pick->key) || (!cheaper(pick->key, k) && cand.med > pick->med)));
        if (better) pick = cand;
    }
    if (!pick) {
        fa.message = "No configuration was measured both ways on every host (" +
                     std::to_string(usable.size()) +
                     " usable), so there is no fleet pick: sweep the same settings on every node.";
        fa.sweeps = std::move(sweeps);
        return fa;
    }
    fa.pick = pick->key;
    fa.minCombinedGiBps = pick->min;
    fa.worstHost = pick->worst;
    fa.medianGiBps = pick->med;

    std::vector<double> relativeRanges;
    for (std::size_t i = 0; i < sweeps.size(); ++i) {
        FleetHostFigures& f = fa.hosts[i];
        if (!sweeps[i].results || !f.best) continue;
        const ConfigResult* c = sweeps[i].results->find(*fa.pick);
        if (!c || !c->hasBoth()) continue;
        f.atPick = *c;
        f.lossGiBps = std::max(0.0, *f.best->combinedGiBps - *c->combinedGiBps);
        f.lossFraction = *f.best->combinedGiBps > 0 ? f.lossGiBps / *f.best->combinedGiBps : 0.0;
        if (const auto r = combinedRange(*c); r && *c->combinedGiBps > 0)
            relativeRanges.push_back(*r / *c->combinedGiBps);
    }
    fa.noiseKnown = !relativeRanges.empty();
    fa.noiseGiBps = (fa.noiseKnown ? median(relativeRanges) : 0.10) * fa.medianGiBps;

    fa.sharedDrives = findSharedDrives(sweeps);
    std::set<std::string> contended;
    for (const auto& g : fa.sharedDrives) contended.insert(g.hosts.begin(), g.hosts.end());
    for (const FleetHostFigures& f : fa.hosts) {
        if (!f.atPick || contended.count(f.host)) continue; // slowed by its neighbours, not a bad node
        const double x = *f.atPick->combinedGiBps;
        const double tolerance = std::max(fa.noiseGiBps, combinedRange(*f.atPick).value_or(0.0));
        const double gap = fa.medianGiBps - x;
        if (gap > tolerance)
            fa.outliers.push_back({f.host, x, gap, fa.medianGiBps > 0 ? gap / fa.medianGiBps : 0.0, tolerance});
    }
    std::sort(fa.outliers.begin(), fa.outliers.end(),
              [](const FleetOutlier& a, const FleetOutlier& b) { return a.gapGiBps > b.gapGiBps; });
    fa.sweeps = std::move(sweeps);
    return fa;
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
    fleet["units"] = "GiB/s";
    if (!fa.message.empty()) fleet["message"] = fa.message;
    j["fleet"] = std::move(fleet);
    j["outliers"] = oj::array();
    for (const FleetOutlier& o : fa.outliers)
        j["outliers"].push_back({{"host", o.host},
                                 {"combined", o.combinedGiBps},
                                 {"gap", o.gapGiBps},
                                 {"gap_fraction", o.gapFraction},
                                 {"noise", o.noiseGiBps}});
    j["shared_drives"] = oj::array();
    for (const FleetSharedDrive& g : fa.sharedDrives)
        j["shared_drives"].push_back({{"hosts", g.hosts}, {"machine", g.machine}, {"drive", g.drive}});
    return j;
}

} // namespace aiotune
