// `aiotune check`: a preflight of a DeepSpeed config for NVMe offload on this
// machine. Exit 0: no errors; 1: errors found; 2: the check could not run.
#include "cli_common.h"
#include "commands.h"
#include "util/json_text.h"

#include "check/preflight.h"
#include "util/printable_text.h"

#include <CLI/CLI.hpp>

#include <algorithm>
#include <cstdlib>
#include <iostream>

namespace aiotune::cli {

namespace {

// The folder the window writes its sweeps to (Qt's GenericDataLocation plus
// "aiotune/sweeps", see MainWindow::newLogFolder), for "the last sweep".
std::filesystem::path windowSweepsRoot() {
    std::filesystem::path data;
    if (const char* xdg = std::getenv("XDG_DATA_HOME"); xdg && *xdg) data = xdg;
    else if (const char* home = std::getenv("HOME"); home && *home)
        data = std::filesystem::path(home) / ".local" / "share";
    if (data.empty()) return {};
    return data / "aiotune" / "sweeps";
}

} // namespace

int runCheck(const std::vector<std::string>& args) {
    CLI::App app{"Checks a DeepSpeed config and this machine for NVMe offload: the aio section "
                 "for the DeepSpeed version, offload settings, swap buffers, nvme_path (folder, "
                 "drive, O_DIRECT, space), locked memory, libaio, the drive's PCIe link, scheduler, "
                 "IOMMU and NUMA node. Exit status: 0 no errors, 1 errors found, 2 the check could "
                 "not run.",
                 "aiotune check"};
    std::string config, version, logDir, modelParams, nodes;
    bool json = false;
    app.add_option("--config", config, "the DeepSpeed config (JSON; comments allowed)")
        ->required()
        ->check(nonEmptyValidator())
        ->type_name("FILE");
    app.add_option("--deepspeed_version,--deepspeed-version", version,
                   "the DeepSpeed release that will read it (default: the installed one, else "
                   "0.16.4 or later)")
        ->check(nonEmptyValidator())
        ->type_name("VER");
    app.add_option("--log_dir,--log-dir", logDir,
                   "sweep log folder to compare the aio settings with (default: the window's last sweep)")
        ->check(nonEmptyValidator())
        ->type_name("DIR");
    app.add_option("--model-params,--model_params", modelParams,
                   "the model's parameter count (e.g. 7e9 or 7B): free space under nvme_path is then "
                   "compared with the whole swap footprint, not only the config's buffers")
        ->check(nonEmptyValidator())
        ->type_name("N");
    app.add_option("--nodes", nodes,
                   "nodes the job runs on, with --model-params (each node's drive holds 1/N; default 1)")
        ->check(nonEmptyValidator())
        ->type_name("N");
    app.add_flag("--json", json, "print one JSON object instead of text");

    std::vector<std::string> reversed(args.rbegin(), args.rend()); // CLI11 takes them last first
    try {
        app.parse(reversed);
    } catch (const CLI::CallForHelp&) {
        std::cout << app.help();
        return 0;
    } catch (const CLI::ParseError& e) {
        std::cerr << "aiotune check: " << e.what() << "\n(see aiotune check --help)\n";
        return 2;
    }

    PreflightOptions options;
    options.configFile = config;
    if (!version.empty()) {
        auto parsed = DeepSpeedVersion::parse(version);
        if (!parsed) {
            std::cerr << "aiotune check: --deepspeed_version: " << printableName(parsed.error()) << "\n";
            return 2;
        }
        if (parsed->everyRelease) {
            std::cerr << "aiotune check: --deepspeed_version: name one release (e.g. 0.16.4); \""
                      << printableName(version) << "\" is for export\n";
            return 2;
        }
        options.version = *parsed;
        options.versionGiven = true;
    }
    if (!nodes.empty() && modelParams.empty()) {
        std::cerr << "aiotune check: --nodes divides the model's swap files between nodes: give "
                     "--model-params too\n";
        return 2;
    }
    if (!modelParams.empty()) {
        auto model = parseModelSize(modelParams, nodes);
        if (!model) {
            std::cerr << "aiotune check: " << model.error() << "\n";
            return 2;
        }
        options.model = *model;
    }
    useInstalledDeepSpeed(options, PythonSearch::fromEnvironment());
    if (!logDir.empty()) {
        std::error_code ec;
        if (!std::filesystem::is_directory(logDir, ec)) {
            std::cerr << "aiotune check: --log_dir \"" << printableName(logDir)
                      << "\" is not a folder: give a sweep log folder\n";
            return 2;
        }
        options.logDir = logDir;
    } else {
        options.sweepsRoot = windowSweepsRoot();
    }

    auto report = runPreflight(options);
    if (!report) {
        if (json)
            std::cout << jsonText(nlohmann::ordered_json{{"error", report.error()}}, 2) << "\n";
        std::cerr << "aiotune check: " << printableName(report.error()) << "\n";
        return 2;
    }
    if (json) std::cout << jsonText(toJson(*report), 2) << "\n";
    else std::cout << formatReport(*report);
    return report->errors() > 0 ? 1 : 0;
}

} // namespace aiotune::cli
