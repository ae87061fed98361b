#include "check/preflight.h"

#include "check/config_check.h"
#include "check/measured_check.h"
#include "check/swap_buffer_check.h"
#include "devices/device_discovery.h"
#include "results/analysis.h"
#include "results/log_folder_reader.h"
#include "util/atomic_file.h"
#include "util/byte_size.h"
#include "util/printable_text.h"
#include "util/figure_text.h"

#include <algorithm>
#include <cstdio>
#include <map>
#include <set>
#include <sstream>

namespace fs = std::filesystem;

namespace aiotune {

namespace {

std::string quote(const std::string& s) { return "\"" + s + "\""; }

} // namespace

int jsonNestingDepth(std::string_view text) {
    int depth = 0, deepest = 0;
    for (std::size_t i = 0; i < text.size(); ++i) {
        const char c = text[i];
        if (c == '"') {
            for (++i; i < text.size() && text[i] != '"'; ++i)
                if (text[i] == '\\') ++i;
        } else if (c == '/' && i + 1 < text.size() && text[i + 1] == '/') {
            while (i < text.size() && text[i] != '\n') ++i;
        } else if (c == '/' && i + 1 < text.size() && text[i + 1] == '*') {
            const auto end = text.find("*/", i + 2);
            i = end == std::string_view::npos ? text.size() : end + 1;
        } else if (c == '{' || c == '[') {
            deepest = std::max(deepest, ++depth);
        } else if (c == '}' || c == ']') {
            --depth;
        }
    }
    return deepest;
}

Result<nlohmann::ordered_json> loadConfigForCheck(const fs::path& file) {
    // readWholeFile refuses FIFOs, devices and folders before opening them.
    auto text = readWholeFile(file, kMaxDeepSpeedConfigBytes);
    if (!text) return Error{text.error()};
    if (jsonNestingDepth(*text) > kMaxConfigDepth)
        return makeError(quote(file.string()) + " nests objects or lists more than " +
                         std::to_string(kMaxConfigDepth) +
                         " levels deep; no DeepSpeed config does: choose the DeepSpeed config file");
    auto root = parseDeepSpeedJson(*text, file.string());
    if (!root) return Error{root.error()};
    if (!root->is_object())
        return makeError(file.string() + ": a DeepSpeed config is a JSON object ({ ... }): choose "
                                         "the DeepSpeed config file");
    return root;
}

void useInstalledDeepSpeed(PreflightOptions& options, const PythonSearch& search) {
    if (options.versionGiven) return;
    if (auto installed = findInstalledDeepSpeed(search)) {
        options.version = installed->version;
        options.versionSource = "installed: " + installed->metadata.string();
    }
}

Result<CheckReport> runPreflight(const PreflightOptions& options) {
    auto root = loadConfigForCheck(options.configFile);
    if (!root) return Error{root.error()};
    CheckReport report;
    report.configFile = options.configFile.string();
    report.deepspeedVersion = options.version.toString();
    report.versionAssumed = !options.versionGiven && options.versionSource.empty();
    report.versionSource = options.versionSource;
    auto& findings = report.findings;

    ConfigCheckOutcome config = checkDeepSpeedConfig(*root, options.version);
    findings = config.findings;
    const OffloadSettings& s = config.settings;
    for (auto& f : checkSwapBuffers(s)) findings.push_back(std::move(f));

    if (options.checkMachine && s.anyNvme()) {
        for (auto& f : checkLibaio(options.machine))
            findings.push_back(std::move(f));
        const MemoryFacts memory = readMemoryFacts(options.machine);
        for (auto& f : checkPinnedMemory(pinnedMemoryNeeds(s, options.version), memory))
            findings.push_back(std::move(f));
        AioEventNeeds events;
        events.handles =
            (s.param.nvme() ? 2 : 0) +
            (s.optimizer.nvme() ? (s.optimizer.pipelineRead || s.optimizer.pipelineWrite ? 2 : 1)
                                : 0);
        events.threads = s.aio.intra_op_parallelism;
        events.queueDepth = s.aio.queue_depth;
        for (auto& f : checkAioEvents(events, memory.gpus, options.machine.procRoot))
            findings.push_back(std::move(f));

        DiscoveryOptions discoveryOptions;
        discoveryOptions.sysRoot = options.machine.sysRoot;
        discoveryOptions.procRoot = options.machine.procRoot;
        discoveryOptions.includeVirtual = true; // a folder on a loop device still needs its device
        discoveryOptions.fsSpace = nullptr;
        DiscoveryReport discovery;
        if (auto found = DeviceDiscovery(discoveryOptions).discover()) discovery = std::move(found).value();
        else if (auto mounts = MountTable::load(options.machine.procRoot)) discovery.mounts = std::move(mounts).value();

        // Measurements: --log_dir, else the newest sweep the window left.
        std::map<std::string, ResultSet> byDrive;
        fs::path logDir = options.logDir;
        if (logDir.empty() && !options.sweepsRoot.empty())
            if (auto newest = newestSweepFolder(options.sweepsRoot)) logDir = *newest;
        if (!logDir.empty()) {
            auto results = LogFolderReader().read(logDir);
            if (results) {
                report.measurements = logDir.string();
                byDrive = resultsByDrive(*results, discovery);
            } else {
                findings.push_back({FindingSeverity::Warning, "MEASUREMENTS_UNREADABLE", logDir.string(),
                                    "the measurements could not be read: " + results.error(),
                                    "point --log_dir at a sweep log folder"});
            }
        }

        // Each distinct nvme_path once, naming every key that uses it.
        std::vector<std::pair<std::string, std::string>> paths; // path, keys
        for (const OffloadSection* o : {&s.param, &s.optimizer}) {
            if (!o->nvme() || !o->nvmePath || o->nvmePath->empty()) continue;
            auto same = std::find_if(paths.begin(), paths.end(),
                                     [&](const auto& p) { return p.first == *o->nvmePath; });
            if (same == paths.end()) paths.emplace_back(*o->nvmePath, o->path + ".nvme_path");
            else same->second += " and " + o->path + ".nvme_path";
        }
        const int numaNodes = countNumaNodes(options.machine.sysRoot);
        std::set<std::string> disksUsed;
        // Free space against the swap footprint, per filesystem (both paths may share one).
        const SwapFootprint footprint = swapFootprint(s, options.model, memory.gpus);
        struct SpaceNeed {
            std::string mount, paths;
            std::optional<std::uint64_t> freeBytes;
            std::uint64_t need = 0;
            std::string parts;
        };
        std::vector<SpaceNeed> spaces;
        for (const auto& [path, keys] : paths) {
            NvmePathOutcome outcome = checkNvmePath(path, keys, discovery, options.nvmePath);
            for (auto& f : outcome.findings) findings.push_back(std::move(f));
            if (outcome.target.freeBytes && (outcome.target.isDirectory || !outcome.exists)) {
                const std::string mount =
                    outcome.target.mountPoint.empty() ? path : outcome.target.mountPoint;
                auto it = std::find_if(spaces.begin(), spaces.end(),
                                       [&](const SpaceNeed& n) { return n.mount == mount; });
                if (it == spaces.end()) it = spaces.insert(spaces.end(), SpaceNeed{mount, {}, outcome.target.freeBytes, 0, {}});
                it->paths += (it->paths.empty() ? "" : " and ") + quote(path);
                const auto part = [&](std::uint64_t bytes, const std::string& text) {
                    if (text.empty()) return;
                    it->need += bytes;
                    it->parts += (it->parts.empty() ? "" : "; ") + text;
                };
                if (s.param.nvmePath && *s.param.nvmePath == path && s.param.nvme())
                    part(footprint.paramBytes, footprint.paramText);
                if (s.optimizer.nvmePath && *s.optimizer.nvmePath == path && s.optimizer.nvme())
                    part(footprint.optimizerBytes, footprint.optimizerText);
            }
            const std::string disk = outcome.target.disk;
            if (!disk.empty() && disksUsed.insert(disk).second) {
                for (const BlockDevice& d : discovery.devices)
                    if (d.name == disk)
                        for (auto& f : checkDrive(d, numaNodes, s.aio.intra_op_parallelism))
                            findings.push_back(std::move(f));
            }
            if (outcome.target.isDirectory)
                for (auto& f : checkAgainstMeasurements(byDrive, report.measurements, s.aio, path, disk,
                                                        report.configFile))
                    findings.push_back(std::move(f));
        }

        for (const SpaceNeed& n : spaces) {
            const std::string free = formatByteSizeHuman(*n.freeBytes);
            const std::string give = "give the model's size (aiotune check --model-params 7e9, "
                                     "and --nodes N for a job on N nodes) to count the whole footprint.";
            const std::string how =
                footprint.fromModel ? ""
                                    : " This counts the config's parameter buffers only" +
                                          std::string(s.optimizer.nvme() ? ", not the optimizer's files" : "") +
                                          ": " + give;
            if (n.parts.empty()) {
                findings.push_back({FindingSeverity::Note, "SWAP_FOOTPRINT", n.paths,
                                    free + " free under " + n.paths +
                                        ". Without the model's size the optimizer's swap files cannot be "
                                        "counted: " + give,
                                    ""});
            } else if (n.need > *n.freeBytes) {
                findings.push_back(
                    {footprint.fromModel ? FindingSeverity::Error : FindingSeverity::Warning,
                     "NVME_PATH_LOW_SPACE", n.paths,
                     "NVMe offload writes about " + formatByteSizeHuman(n.need) + " on this node under " +
                         n.paths + " (" + n.parts + "), but only " + free + " is free on " + n.mount +
                         ": DeepSpeed's swap writes fail once it is full, unchecked, and a later read "
                         "stops it (\"buffer nbytes != file bytes\")." + how,
                     "free " + formatByteSizeHuman(n.need - *n.freeBytes) +
                         " there, or point nvme_path at a larger drive (or spread the job over more nodes)"});
            } else {
                findings.push_back({FindingSeverity::Note, "SWAP_FOOTPRINT", n.paths,
                                    "NVMe offload writes about " + formatByteSizeHuman(n.need) +
                                        " on this node under " + n.paths + " (" + n.parts + "); " +
                                        free + " is free on " + n.mount + "." + how,
                                    ""});
            }
        }

        // Several NVMe drives, all swaps on one of them.
        std::vector<std::string> nvmeDisks;
        for (const BlockDevice& d : discovery.devices)
            if (d.nvme && !d.virtualDisk) nvmeDisks.push_back(d.name);
        if (nvmeDisks.size() > 1 && disksUsed.size() == 1) {
            std::string list, figures;
            for (const auto& n : nvmeDisks) list += (list.empty() ? "" : ", ") + n;
            for (const auto& n : nvmeDisks) {
                const auto it = byDrive.find(n);
                if (it == byDrive.end()) continue;
                const Recommendation rec = analyze(it->second);
                if (!rec.best) continue;
                figures += (figures.empty() ? "; measured best per drive: " : ", ") + n + " " +
                           gibNumber(*rec.best->readGiBps) + " read / " + gibNumber(*rec.best->writeGiBps) +
                           " write GiB/s";
            }
            findings.push_back({FindingSeverity::Warning, "SEVERAL_NVME_ONE_PATH", *disksUsed.begin(),
                                "this machine has " + std::to_string(nvmeDisks.size()) +
                                    " NVMe drives (" + list + ") but every nvme_path is on " +
                                    *disksUsed.begin() + ", so swaps use one drive's bandwidth" + figures,
                                "stripe the drives into one RAID-0 volume (mdadm --create --level=0) "
                                "and point nvme_path at a folder on it; measure the volume with "
                                "aiotune sweep"});
        }
    }
    if (!s.anyNvme())
        findings.push_back({FindingSeverity::Note, "NO_NVME_OFFLOAD", "zero_optimization",
                            "this config offloads nothing to NVMe (no offload_param or "
                            "offload_optimizer with device \"nvme\"), so the drive and machine "
                            "checks were skipped",
                            ""});
    sortBySeverity(findings);
    return report;
}

nlohmann::ordered_json toJson(const CheckReport& r) {
    nlohmann::ordered_json findings = nlohmann::ordered_json::array();
    for (const auto& f : r.findings) findings.push_back(toJson(f));
    return {{"config", r.configFile},
            {"deepspeed_version", r.deepspeedVersion},
            {"deepspeed_version_assumed", r.versionAssumed},
            {"deepspeed_version_source", r.versionSource.empty()
                                             ? nlohmann::ordered_json()
                                             : nlohmann::ordered_json(r.versionSource)},
            {"measurements", r.measurements.empty() ? nlohmann::ordered_json()
                                                    : nlohmann::ordered_json(r.measurements)},
            {"errors", r.errors()},
            {"warnings", r.warnings()},
            {"notes", r.notes()},
            {"findings", std::move(findings)}};
}

std::string formatReport(const CheckReport& r) {
    std::ostringstream out;
    out << "Checked " << printableName(r.configFile) << " for DeepSpeed " << r.deepspeedVersion
        << (r.versionAssumed ? " or later (assumed; pass --deepspeed_version)" : "")
        << (r.versionSource.empty() ? "" : " (" + r.versionSource + ")") << "\n";
    if (!r.measurements.empty()) out << "Measurements: " << printableName(r.measurements) << "\n";
    // Paths, keys and names come from the config: shown escaped, one line each,
    // so none can forge a finding or drive the terminal (util/printable_text.h).
    for (const auto& f : r.findings) {
        out << "\n" << severityName(f.severity) << " " << f.code;
        if (!f.subject.empty()) out << "  " << printableName(f.subject);
        out << "\n  " << printableName(f.message) << "\n";
        if (!f.fix.empty()) out << "  fix: " << printableName(f.fix) << "\n";
    }
    out << "\n" << r.errors() << " error(s), " << r.warnings() << " warning(s), " << r.notes()
        << " note(s)\n";
    return out.str();
}

} // namespace aiotune
