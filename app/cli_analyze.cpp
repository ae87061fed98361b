// `aiotune analyze`: what `ds_nvme_tune --generate` does, without its crashes.
#include "cli_common.h"
#include "util/json_text.h"
#include "commands.h"
#include "sweep_printer.h"

#include "fleet/fleet_analysis.h"
#include "results/analysis.h"
#include "results/log_folder_reader.h"
#include "results/plausibility.h"
#include "results/recorded_link_limits.h"

#include <iostream>

namespace aiotune::cli {

int runAnalyze(const std::vector<std::string>& argv) {
    CLI::App app = makeCommand("analyze", "Reads a sweep log folder and prints the best aio section "
                                          "(highest read + write, as ds_nvme_tune --generate).");
    std::string dir, positional;
    bool json = false;
    auto* byFlag = app.add_option(flagNames("log_dir"), dir, "sweep log folder (aiotune's or DeepSpeed's)")
                       ->check(nonEmptyValidator());
    app.add_option("folder", positional, "the log folder, instead of --log_dir")
        ->check(nonEmptyValidator())
        ->excludes(byFlag);
    app.add_flag("--json", json, "print one JSON object");
    if (auto exit = parseCommandLine(app, argv)) return *exit;
    if (dir.empty()) dir = positional;
    if (dir.empty()) {
        std::cerr << "aiotune analyze: --log_dir DIR is required (see 'aiotune analyze --help')\n";
        return kExitUsage;
    }
    if (isFleetFolder(dir)) return analyzeFleetFolder(dir, json); // <dir>/<host>/ sweeps
    auto results = LogFolderReader().read(dir);
    if (!results) {
        std::cerr << "aiotune analyze: " << results.error() << "\n";
        return 1;
    }
    const Recommendation rec = analyze(*results);
    // This machine's PCIe links bound a recorded figure only when the sweep
    // ran here and its folder still exists; otherwise, and for DeepSpeed's
    // logs (no folders), only the read/write ratio is judged.
    const auto flags =
        checkPlausibility(*results, recordedLinkLimits(*results, [] { return discoverForLinkLimits(); }));
    if (json) {
        auto j = analysisJson(*results, rec);
        j["plausibility"] = plausibilityJson(flags);
        // Folder names in the flags are the user's bytes, not always UTF-8.
        std::cout << jsonText(j, 2) << "\n";
    } else {
        printAnalysis(std::cout, std::cerr, *results, rec);
        printPlausibility(stderr, "aiotune analyze", flags);
    }
    if (!rec.best) {
        if (json) std::cerr << "aiotune analyze: " << rec.message << "\n";
        return 1;
    }
    return 0;
}

} // namespace aiotune::cli
