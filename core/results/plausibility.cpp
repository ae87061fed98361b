#include "results/plausibility.h"

#include "results/statistics.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <map>
#include <set>

namespace aiotune {

namespace {

constexpr double kGiB = 1024.0 * 1024.0 * 1024.0;

// "7.34"; huge figures from a damaged file in short form ("1.2e+300").
std::string gib(double v) {
    char text[48];
    std::snprintf(text, sizeof text, std::fabs(v) < 1e6 ? "%.2f" : "%.3g", v);
    return text;
}

bool judgeable(const std::optional<double>& v) {
    return v && std::isfinite(*v) && *v > 0;
}

// The median of one operation over successful samples (all of them when
// folder is null, else those of that folder).
std::optional<double> medianOf(const std::vector<Sample>& samples, IoOp op,
                               const std::string* folder) {
    std::vector<double> values;
    for (const Sample& s : samples)
        if (s.op == op && !s.failed() && (!folder || s.folder == *folder))
            values.push_back(s.gibPerSec);
    return median(std::move(values));
}

constexpr const char* kWhatToDo =
    "check that the filesystem honours O_DIRECT (tmpfs, FUSE and network filesystems may not) "
    "and measure on the NVMe drive itself";

// One set of figures to judge: a configuration's, or one folder's within it.
struct Figures {
    ConfigKey key;
    std::string folder; // empty: the configuration's
    std::optional<double> read, write;
    std::optional<double> limitBytes; // none known
    std::string limitText;            // "the PCIe link of nvme1n1 (16 GT/s x4)"
    // The scratch file(s) behind the figures: every configuration of a sweep
    // reuses one file per folder. "/d0" for one folder, "/d0\n/d1|2" for an
    // aggregate, "|1" for DeepSpeed's logs (no folder named).
    std::string file;
};

struct BestWrite {
    double gibps = 0;
    ConfigKey key;
};

void judgeLink(const Figures& f, const std::string& where, std::vector<PlausibilityFlag>& out) {
    if (!f.limitBytes) return;
    const double limit = *f.limitBytes / kGiB;
    for (const IoOp op : {IoOp::Read, IoOp::Write}) {
        const auto& v = op == IoOp::Read ? f.read : f.write;
        if (!judgeable(v) || *v <= limit * (1.0 + kLinkLimitMargin)) continue;
        PlausibilityFlag flag{f.key, op, f.folder, PlausibilityKind::AboveLinkLimit, *v, limit, {}};
        flag.message = f.key.tag() + where + ": median " + std::string(ioOpName(op)) + " " +
                       gib(*v) + " GiB/s is above the " + gib(limit) + " GiB/s " + f.limitText +
                       " carries in one direction, so it cannot come from the drive: " + kWhatToDo +
                       ".";
        out.push_back(std::move(flag));
    }
}

// Reads against the best write median of the same file, not only this
// configuration's: the page cache serves every configuration's reads, while
// one slow write (noise on a shared disk, a poor setting) says nothing about
// the reads. A configuration without a write figure of its own is not judged.
void judgeRatio(const Figures& f, const std::string& where, const BestWrite& best,
                std::vector<PlausibilityFlag>& out) {
    if (!judgeable(f.read) || !judgeable(f.write)) return;
    const double write = std::max(*f.write, best.gibps);
    if (!(*f.read > kPageCacheRatio * write)) return;
    PlausibilityFlag flag{f.key,   IoOp::Read, f.folder, PlausibilityKind::PageCacheSuspected,
                          *f.read, write,      {}};
    char ratio[32];
    std::snprintf(ratio, sizeof ratio, *f.read / write < 1e6 ? "%.1f" : "%.3g", *f.read / write);
    const bool own = write == *f.write;
    flag.message =
        f.key.tag() + where + ": median read " + gib(*f.read) + " GiB/s is " + ratio + "x the " +
        (own ? "median write " + gib(write) + " GiB/s of the same file"
             : "best median write of the same file, " + gib(write) + " GiB/s (" + best.key.tag() +
                   ")") +
        "; reads that much faster than writes suggest the page cache answered them, not the drive "
        "(a drive whose writes slowed past its write cache can do this too): " +
        kWhatToDo + ".";
    out.push_back(std::move(flag));
}

std::string linkText(const DriveLink& d) {
    return "the PCIe link of " + d.drive + " (" + d.link + ")";
}

// Distinct non-empty folders of these samples, first seen first.
void collectFolders(const std::vector<Sample>& samples, std::vector<std::string>& out,
                    std::set<std::string>& seen) {
    for (const Sample& s : samples)
        if (!s.folder.empty() && seen.insert(s.folder).second) out.push_back(s.folder);
}

void setLimit(Figures& f, const LinkLimits& limits, const std::string& folder) {
    if (const DriveLink* d = limits.find(folder)) {
        f.limitBytes = d->bytesPerSecond;
        f.limitText = linkText(*d);
    }
}

// Every set of figures of one configuration, in the order they are judged.
void figuresOf(const ConfigResult& c, const LinkLimits& limits, std::vector<Figures>& out) {
    std::vector<std::string> folders;
    std::set<std::string> seen;
    collectFolders(c.samples, folders, seen);
    if (c.key.folders <= 1) {
        // One folder at a time: each sample is that folder's own figure.
        if (folders.size() <= 1) {
            Figures f{c.key, {}, c.readGiBps, c.writeGiBps, std::nullopt, {}, {}};
            if (folders.size() == 1) {
                setLimit(f, limits, folders[0]);
                f.file = folders[0];
            } else {
                f.file = "|" + std::to_string(c.key.folders);
            }
            out.push_back(std::move(f));
            return;
        }
        // The same configuration measured on several folders, one at a time
        // (merged runs): each folder on its own.
        for (const auto& folder : folders) {
            Figures f{c.key,
                      folder,
                      medianOf(c.samples, IoOp::Read, &folder),
                      medianOf(c.samples, IoOp::Write, &folder),
                      std::nullopt,
                      {},
                      folder};
            setLimit(f, limits, folder);
            out.push_back(std::move(f));
        }
        return;
    }
    // Several folders at once: the aggregate is bounded by the sum of the
    // distinct drives' links, known only when every folder's drive is.
    std::vector<std::string> perFolder;
    std::set<std::string> perFolderSeen;
    collectFolders(c.folderSamples, perFolder, perFolderSeen);
    Figures all{c.key, {}, c.readGiBps, c.writeGiBps, std::nullopt, {}, {}};
    for (const auto& folder : perFolderSeen)
        all.file += folder + "\n";
    all.file += "|" + std::to_string(c.key.folders);
    if (static_cast<int>(perFolder.size()) >= c.key.folders) {
        std::map<std::string, const DriveLink*> drives;
        bool everyKnown = true;
        for (const auto& folder : perFolder) {
            const DriveLink* d = limits.find(folder);
            if (!d)
                everyKnown = false;
            else
                drives.emplace(d->drive, d);
        }
        if (everyKnown && !drives.empty()) {
            double sum = 0;
            std::string names;
            for (const auto& [name, d] : drives) {
                sum += d->bytesPerSecond;
                names += (names.empty() ? "" : ", ") + name + " (" + d->link + ")";
            }
            all.limitBytes = sum;
            all.limitText = drives.size() == 1
                                ? linkText(*drives.begin()->second)
                                : "the PCIe links of its " + std::to_string(drives.size()) +
                                      " drives " + names + " together";
        }
    }
    out.push_back(std::move(all));
    for (const auto& folder : perFolder) {
        Figures f{c.key,
                  folder,
                  medianOf(c.folderSamples, IoOp::Read, &folder),
                  medianOf(c.folderSamples, IoOp::Write, &folder),
                  std::nullopt,
                  {},
                  folder};
        setLimit(f, limits, folder);
        out.push_back(std::move(f));
    }
}

} // namespace

std::string_view plausibilityKindName(PlausibilityKind kind) {
    return kind == PlausibilityKind::PageCacheSuspected ? "page_cache_suspected"
                                                        : "above_link_limit";
}

std::vector<PlausibilityFlag> checkPlausibility(const ResultSet& results,
                                                const LinkLimits& limits) {
    std::vector<Figures> figures;
    for (const ConfigResult& c : results.configs)
        figuresOf(c, limits, figures);
    std::map<std::string, BestWrite> bestWrite; // by file
    for (const Figures& f : figures)
        if (judgeable(f.write)) {
            BestWrite& b = bestWrite[f.file];
            if (*f.write > b.gibps) b = {*f.write, f.key};
        }
    std::vector<PlausibilityFlag> out;
    for (const Figures& f : figures) {
        const std::string where = f.folder.empty() ? std::string() : " on " + f.folder;
        judgeLink(f, where, out);
        judgeRatio(f, where, bestWrite[f.file], out);
    }
    return out;
}

std::vector<std::string> recordedFolders(const ResultSet& results) {
    std::vector<std::string> folders;
    std::set<std::string> seen;
    for (const ConfigResult& c : results.configs) {
        collectFolders(c.samples, folders, seen);
        collectFolders(c.folderSamples, folders, seen);
    }
    return folders;
}

std::string recordingHost(const ResultSet& results) {
    if (results.meta.is_object()) {
        const auto system = results.meta.find("system");
        if (system != results.meta.end() && system->is_object()) {
            const auto host = system->find("host");
            if (host != system->end() && host->is_string() && !host->get<std::string>().empty())
                return host->get<std::string>();
        }
    }
    return results.host;
}

nlohmann::ordered_json plausibilityJson(const std::vector<PlausibilityFlag>& flags) {
    auto out = nlohmann::ordered_json::array();
    // JSON has no infinity: a figure that overflowed is written as null.
    const auto number = [](double v) {
        return std::isfinite(v) ? nlohmann::ordered_json(v) : nullptr;
    };
    for (const PlausibilityFlag& f : flags) {
        nlohmann::ordered_json j;
        j["config"] = f.key.tag();
        j["op"] = std::string(ioOpName(f.op));
        j["kind"] = std::string(plausibilityKindName(f.kind));
        if (!f.folder.empty()) j["folder"] = f.folder;
        j["gib_per_s"] = number(f.gibps);
        j[f.kind == PlausibilityKind::AboveLinkLimit ? "limit_gib_per_s" : "write_gib_per_s"] =
            number(f.limitGiBps);
        j["message"] = f.message;
        out.push_back(std::move(j));
    }
    return out;
}

} // namespace aiotune
