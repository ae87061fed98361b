// `aiotune export`: the best aio section as a file, merged into a DeepSpeed
// config (atomic, with a backup), or as CSV of every result.
#include "cli_common.h"
#include "util/json_text.h"
#include "commands.h"

#include "config/deepspeed_config_merge.h"
#include "config/deepspeed_install.h"
#include "fleet/fleet_analysis.h"
#include "results/analysis.h"
#include "report/report_file.h"
#include "report/sweep_facts.h"
#include "results/csv_export.h"
#include "results/log_folder_reader.h"
#include "sweep/folder_lock.h"
#include "util/atomic_file.h"
#include "util/file_identity.h"
#include "util/printable_text.h"

#include <algorithm>
#include <iostream>
#include <optional>
#include <sstream>
#include <sys/stat.h>

namespace aiotune::cli {

namespace {
int fail(const std::string& message, int code = 1) {
    std::cerr << "aiotune export: " << message << "\n";
    return code;
}
void printWarnings(const std::vector<std::string>& warnings) {
    for (const auto& w : warnings) std::cerr << "warning: " << w << "\n";
}
// Not one of the files a fleet's answer was read from: a host's inputs, or fleet.json.
Result<void> checkNotAFleetInput(const std::string& file, const FleetAnalysis& fleet, const std::string& folder) {
    if (auto ok = checkNotTheFleetFile(file, folder); !ok) return ok;
    for (const HostSweep& h : fleet.sweeps)
        if (h.results)
            if (auto ok = checkNotAnInput(file, h.folder, *h.results); !ok) return ok;
    return {};
}
} // namespace

// What --json reports; filled as the export goes.
struct ExportReport {
    nlohmann::ordered_json j = nlohmann::ordered_json::object();
    void wrote(const std::filesystem::path& file, const std::optional<std::filesystem::path>& backup) {
        j["written"] = file.string();
        j["backup"] = backup ? nlohmann::ordered_json(backup->string()) : nlohmann::ordered_json();
    }
    void warn(const std::vector<std::string>& warnings) {
        for (const auto& w : warnings) j["warnings"].push_back(w);
        printWarnings(warnings);
    }
};

// Which DeepSpeed the section is for: --deepspeed_version, else the installed
// one, else every release; said on stderr either way.
Result<DeepSpeedTarget> exportTarget(const std::string& given) {
    auto target = chooseDeepSpeedTarget(given, PythonSearch::fromEnvironment());
    if (target) std::cerr << "aiotune export: target " << target->description << "\n";
    return target;
}

int runExport(const std::vector<std::string>& argv) {
    CLI::App app = makeCommand("export", "Writes the best aio section: to stdout, to --output, or merged into "
                                         "--config.");
    std::string logDir, config, versionText, output, csv;
    bool recommended = false, force = false, json = false;
    app.add_option(flagNames("log_dir"), logDir, "sweep log folder to take the best configuration from")
        ->required()
        ->check(nonEmptyValidator());
    app.add_option("--config", config,
                   "DeepSpeed config to merge the aio section into (kept: every other key; a .bak is written)")
        ->check(nonEmptyValidator());
    app.add_option(flagNames("deepspeed_version"), versionText,
                   "DeepSpeed release to write keys for (0.16.4 and later: intra_op_parallelism; "
                   "\"any\": both thread keys). Default: the installed DeepSpeed, else any")
        ->check(nonEmptyValidator());
    app.add_option("--output", output, "write here instead (refuses an existing file without --force)")
        ->check(nonEmptyValidator());
    app.add_option("--csv", csv, "also write every configuration's figures as CSV")->check(nonEmptyValidator());
    app.add_flag("--recommended", recommended, "export the cheaper recommended pick instead of the fastest");
    app.add_flag("--force", force,
                 "allow --output and --csv to replace an existing file (a .bak is kept), and --config to "
                 "replace a read-only config");
    app.add_flag("--json", json, "print one JSON object: the aio section, files written, warnings");
    if (auto exit = parseCommandLine(app, argv)) return *exit;
    const auto target = exportTarget(versionText);
    if (!target) return fail("--deepspeed_version: " + target.error(), kExitUsage);
    const std::optional<DeepSpeedVersion> version = target->version;
    // Two outputs naming one file (by identity: links and ./ spellings too)
    // would overwrite each other, a config with CSV for instance.
    if (auto same = checkDistinctFiles({{"--config", config}, {"--output", output}, {"--csv", csv}}); !same)
        return fail(same.error(), kExitUsage);
    ExportReport report;

    // A fleet's folder gives the fleet answer (fleet_answer.h); a sweep's folder its own answer.
    std::optional<FleetAnalysis> fleet;
    std::optional<ResultSet> results;
    FolderLock lock; // held while the sweep's folder is read and its section exported
    if (isFleetFolder(logDir)) {
        auto read = fleetAnalysisFor(logDir);
        if (!read) return fail(read.error());
        fleet = std::move(read.value());
        if (!csv.empty())
            return fail("--csv: " + logDir + " is a fleet's folder (one sweep per host): give one host's folder, e.g. " +
                            (std::filesystem::path(logDir) / fleet->hosts.front().host).string(),
                        kExitUsage);
        if (!output.empty())
            if (auto ok = checkNotAFleetInput(output, *fleet, logDir); !ok) return fail("--output " + ok.error());
        if (!config.empty() && output.empty())
            if (auto ok = checkNotAFleetInput(config, *fleet, logDir); !ok) return fail("--config " + ok.error());
    } else {
        // A sweep writing there is refused, and none starts while this reads (sweep/folder_lock.h).
        auto held = FolderLock::acquireForReading(logDir, "export");
        if (!held) return fail(held.error());
        lock = std::move(held.value());
        auto read = LogFolderReader().read(logDir);
        if (!read) return fail(read.error());
        results = std::move(read.value());
        // Never into the folder being read, as report refuses (report/report_file.h).
        // --config is written only when no --output takes the merge.
        const std::string merged = output.empty() ? config : std::string();
        for (const auto& [flag, file] : {std::pair<const char*, const std::string&>{"--output", output},
                                         {"--csv", csv},
                                         {"--config", merged}})
            if (!file.empty())
                if (auto ok = checkNotAnInput(file, logDir, *results); !ok) return fail(std::string(flag) + " " + ok.error());
    }
    // The section, the sentence that says what it is, and whether it is settled.
    AioConfig aio;
    std::string exporting, decidedBy, partialReason;
    bool partial = false, recommendedClaimed = false;
    const ResultSet* about = results ? &*results : nullptr; // engine and profile: the (first usable) sweep's
    if (fleet) {
        const FleetAnswer& a = fleet->answer;
        if (!a.found) return fail(logDir + ": " + a.message);
        const ConfigKey& key = a.pick(recommended);
        const FleetConfigFigure* f = a.figure(key);
        aio = key.aio;
        std::ostringstream line;
        line << "exporting the fleet answer " << key.label() << " (" << (f ? f->gibps : a.bestGiBps)
             << " GiB/s read + write on its worst node " << printableName(f ? f->worstHost : a.worstHost) << ", over "
             << a.usableHosts << " host(s)";
        exporting = line.str();
        decidedBy = a.decidedBy;
        partial = a.partial;
        partialReason = a.partialReason;
        recommendedClaimed = a.recommended.has_value();
        for (const HostSweep& h : fleet->sweeps)
            if (h.results && !about) about = &*h.results;
        report.j["fleet"] = {{"hosts", a.hosts}, {"worst_host", f ? f->worstHost : a.worstHost},
                             {"measured_everywhere", a.measuredEverywhere}, {"estimated", a.estimated}};
    } else {
        const Recommendation rec = analyze(*results);
        const auto& pick = recommended ? rec.recommended : rec.best;
        if (!pick) return fail(printableName(logDir) + ": " + printableName(rec.message));
        aio = pick->key.aio;
        std::ostringstream line;
        line << "exporting " << pick->key.label() << " (" << pick->combinedGiBps.value_or(0)
             << " GiB/s read + write, measured by " << printableName(results->engine);
        exporting = line.str();
        decidedBy = rec.answer.decidedBy;
        partial = rec.answer.partial;
        partialReason = rec.answer.partialReason;
        recommendedClaimed = rec.answer.recommended.has_value();
    }
    report.j["aio"] = toAioJson(aio, *version);
    report.j["deepspeed_version"] = version->toString();
    report.j["target"] = target->description;
    report.j["engine"] = about ? about->engine : std::string();
    // Only in the report and on stderr: DeepSpeed's config has no field for it.
    if (about) {
        report.j["profile"] = profileJson(*about);
        // The same sentence the window shows after an export or a merge.
        std::cerr << "aiotune export: " << measuredWithText(SweepFacts::fromResults(*about)) << "\n";
    }
    report.j["warnings"] = nlohmann::ordered_json::array();
    // The CSV last, after the section is written or merged: everything that
    // can refuse the export (a read-only config, a missing --output folder)
    // has then had its say, and a refused export leaves no CSV.
    auto writeCsv = [&]() -> bool {
        if (csv.empty()) return true;
        if (auto ok = writeResultsCsv(*results, csv, force); !ok) {
            fail(ok.error());
            return false;
        }
        std::cerr << "wrote " << csv << "\n";
        report.j["csv"] = csv;
        return true;
    };
    auto done = [&]() {
        if (!writeCsv()) return 1;
        if (json) std::cout << jsonText(report.j, 2) << "\n";
        return 0;
    };
    std::cerr << exporting << "; decided by " << printableName(decidedBy) << ")\n";
    report.j["partial"] = partial;
    if (partial) {
        std::cerr << "aiotune export: partial answer: " << printableName(partialReason)
                  << "; the section is the best measured so far, not a settled answer\n";
        report.j["partial_reason"] = partialReason;
    }
    if (recommended && !recommendedClaimed)
        std::cerr << "aiotune export: no recommendation is claimed for a partial answer: exporting the best\n";

    // What can be refused is refused before anything is written: a failed
    // export left its CSV (and with --force replaced the old one).
    if (auto valid = validateAioConfig(aio); !valid)
        return fail("cannot export invalid settings: " + valid.error());
    std::optional<ConfigMergePreview> preview; // the merge as checked, reused for --output
    if (!config.empty()) {
        auto checked = previewAioMerge(config, aio, *version);
        if (!checked) return fail(checked.error());
        preview = std::move(checked.value());
    }
    if (!output.empty() && !force) {
        struct stat st {};
        if (::lstat(output.c_str(), &st) == 0)
            return fail(printableName(output) +
                        " already exists: choose another name, or pass --force (the old file is then kept as .bak)");
    }

    if (!config.empty()) {
        if (output.empty()) {
            auto out = mergeAioIntoConfigFile(config, aio, *version, force);
            if (!out) return fail(out.error());
            report.warn(out->warnings);
            if (out->unchanged) {
                std::cerr << config << " already has this aio section; nothing written\n";
            } else {
                std::cerr << "merged into " << out->written.string()
                          << (out->backup ? " (original kept as " + out->backup->string() + ")" : "") << "\n";
                report.wrote(out->written, out->backup);
            }
            return done();
        }
        report.warn(preview->merged.warnings);
        AtomicWriteOptions options;
        options.existing = force ? ExistingFilePolicy::ReplaceKeepBackup : ExistingFilePolicy::Refuse;
        options.replaceReadOnly = force;
        auto out = writeFileAtomically(output, preview->merged.text, options);
        if (!out) return fail(out.error());
        std::cerr << "wrote " << out->written.string() << "\n";
        report.wrote(out->written, out->backup);
        return done();
    }
    if (!output.empty()) {
        auto out = writeAioExportFile(output, aio, *version, force);
        if (!out) return fail(out.error());
        report.warn(out->warnings);
        std::cerr << "wrote " << out->written.string() << "\n";
        report.wrote(out->written, out->backup);
        return done();
    }
    report.warn(aioExportWarnings(aio, *version));
    if (json) return done();
    if (!writeCsv()) return 1;
    std::cout << aioExportText(aio, *version);
    return 0;
}

} // namespace aiotune::cli
