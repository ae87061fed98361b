// `aiotune export`: the best aio section as a file, merged into a DeepSpeed
// config (atomic, with a backup), or as CSV of every result.
#include "cli_args.h"
#include "cli_common.h"
#include "commands.h"

#include "config/deepspeed_config_merge.h"
#include "results/analysis.h"
#include "results/csv_export.h"
#include "results/log_folder_reader.h"
#include "util/atomic_file.h"

#include <algorithm>
#include <iostream>

namespace aiotune::cli {

namespace {
int fail(const std::string& message, int code = 1) {
    std::cerr << "aiotune export: " << message << "\n";
    return code;
}
void printWarnings(const std::vector<std::string>& warnings) {
    for (const auto& w : warnings) std::cerr << "warning: " << w << "\n";
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

int runExport(const std::vector<std::string>& argv) {
    const std::vector<FlagSpec> flags = {
        {"log_dir", true, false, "sweep log folder to take the best configuration from", "DIR"},
        {"config", true, false, "DeepSpeed config to merge the aio section into (kept: every other key; a .bak is written)", "FILE"},
        {"deepspeed_version", true, false, "DeepSpeed release to write keys for (default 0.16.4: intra_op_parallelism)", "VER"},
        {"output", true, false, "write here instead (refuses an existing file without --force)", "FILE"},
        {"csv", true, false, "also write every configuration's figures as CSV", "FILE"},
        {"recommended", false, false, "export the cheaper recommended pick instead of the fastest"},
        {"force", false, false, "allow --output and --csv to replace an existing file (a .bak is kept)"},
        {"json", false, false, "print one JSON object: the aio section, files written, warnings"},
    };
    const std::string usage = "aiotune export --log_dir DIR [--config ds_config.json] "
                              "[--deepspeed_version 0.16.4] [--output FILE] [--csv FILE]";
    if (std::find(argv.begin(), argv.end(), "--help") != argv.end()) {
        std::cout << formatHelp(usage,
                                "Writes the best aio section: to stdout, to --output, or merged into "
                                "--config.",
                                flags);
        return 0;
    }
    std::string error;
    auto args = Args::parse(argv, flags, error);
    if (!args) return fail(error, 2);
    if (!args->has("log_dir")) return fail("--log_dir DIR is required", 2);
    auto version = DeepSpeedVersion::parse(args->value("deepspeed_version", "0.16.4"));
    if (!version) return fail("--deepspeed_version: " + version.error(), 2);

    auto results = LogFolderReader().read(args->value("log_dir"));
    if (!results) return fail(results.error());
    const Recommendation rec = analyze(*results);
    const auto& pick = args->has("recommended") ? rec.recommended : rec.best;
    if (!pick) return fail(args->value("log_dir") + ": " + rec.message);
    const AioConfig aio = pick->key.aio;
    const bool json = args->has("json");
    ExportReport report;
    report.j["aio"] = toAioJson(aio, *version);
    report.j["deepspeed_version"] = version->toString();
    report.j["engine"] = results->engine;
    report.j["warnings"] = nlohmann::ordered_json::array();
    auto done = [&]() {
        if (json) std::cout << report.j.dump(2) << "\n";
        return 0;
    };
    std::cerr << "exporting " << pick->key.label() << " (" << pick->combinedGiBps.value_or(0)
              << " GiB/s read + write, measured by " << results->engine << ")\n";

    if (args->has("csv")) {
        if (auto ok = writeResultsCsv(*results, args->value("csv"), args->has("force")); !ok)
            return fail(ok.error());
        std::cerr << "wrote " << args->value("csv") << "\n";
        report.j["csv"] = args->value("csv");
    }

    const bool force = args->has("force");
    if (args->has("config")) {
        const std::string config = args->value("config");
        if (!args->has("output")) {
            auto out = mergeAioIntoConfigFile(config, aio, *version);
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
        auto preview = previewAioMerge(config, aio, *version);
        if (!preview) return fail(preview.error());
        report.warn(preview->merged.warnings);
        AtomicWriteOptions options;
        options.existing = force ? ExistingFilePolicy::ReplaceKeepBackup : ExistingFilePolicy::Refuse;
        auto out = writeFileAtomically(args->value("output"), preview->merged.text, options);
        if (!out) return fail(out.error());
        std::cerr << "wrote " << out->written.string() << "\n";
        report.wrote(out->written, out->backup);
        return done();
    }
    if (args->has("output")) {
        auto out = writeAioExportFile(args->value("output"), aio, *version, force);
        if (!out) return fail(out.error());
        report.warn(out->warnings);
        std::cerr << "wrote " << out->written.string() << "\n";
        report.wrote(out->written, out->backup);
        return done();
    }
    report.warn(aioExportWarnings(aio, *version));
    if (json) return done();
    std::cout << aioExportText(aio, *version);
    return 0;
}

} // namespace aiotune::cli
