// `aiotune analyze`: what `ds_nvme_tune --generate` does, without its crashes.
#include "cli_args.h"
#include "cli_common.h"
#include "commands.h"

#include "fleet/fleet_analysis.h"
#include "results/analysis.h"
#include "results/log_folder_reader.h"

#include <algorithm>
#include <iostream>

namespace aiotune::cli {

int runAnalyze(const std::vector<std::string>& argv) {
    const std::vector<FlagSpec> flags = {
        {"log_dir", true, false, "sweep log folder (aiotune's or DeepSpeed's)", "DIR"},
        {"json", false, false, "print one JSON object"},
    };
    const std::string usage = "aiotune analyze --log_dir DIR [--json]";
    if (std::find(argv.begin(), argv.end(), "--help") != argv.end()) {
        std::cout << formatHelp(usage,
                                "Reads a sweep log folder and prints the best aio section "
                                "(highest read + write, as ds_nvme_tune --generate).",
                                flags);
        return 0;
    }
    std::string error;
    auto args = Args::parse(argv, flags, error);
    if (!args) {
        std::cerr << "aiotune analyze: " << error << "\n";
        return 2;
    }
    std::string dir = args->value("log_dir");
    if (dir.empty() && args->positional().size() == 1) dir = args->positional()[0];
    if (dir.empty()) {
        std::cerr << "aiotune analyze: --log_dir DIR is required\n";
        return 2;
    }
    if (isFleetFolder(dir)) return analyzeFleetFolder(dir, args->has("json")); // <dir>/<host>/ sweeps
    auto results = LogFolderReader().read(dir);
    if (!results) {
        std::cerr << "aiotune analyze: " << results.error() << "\n";
        return 1;
    }
    const Recommendation rec = analyze(*results);
    if (args->has("json")) std::cout << analysisJson(*results, rec).dump(2) << "\n";
    else printAnalysis(std::cout, std::cerr, *results, rec);
    if (!rec.best) {
        if (args->has("json")) std::cerr << "aiotune analyze: " << rec.message << "\n";
        return 1;
    }
    return 0;
}

} // namespace aiotune::cli
