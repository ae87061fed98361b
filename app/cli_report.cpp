// `aiotune report`: one self-contained HTML page about a sweep log folder,
// to attach to a bug report or a team wiki.
#include "cli_common.h"
#include "commands.h"

#include "fleet/fleet_analysis.h"
#include "report/fleet_report_section.h"
#include "report/html_report.h"
#include "report/report_file.h"
#include "report/sweep_facts.h"
#include "results/analysis.h"
#include "results/log_folder_reader.h"
#include "results/recorded_link_limits.h"
#include "sweep/folder_lock.h"
#include "util/printable_text.h"

#include <chrono>
#include <filesystem>
#include <iostream>

namespace aiotune::cli {

namespace {

std::string nowUtc() {
    const auto now = std::chrono::duration_cast<std::chrono::milliseconds>(
        std::chrono::system_clock::now().time_since_epoch());
    return formatUtcMinutes(now.count());
}

// A fleet's folder (one sweep per host): the fleet answer's report
// (report/fleet_report_section.h), the answer analyze and export give.
int reportFleetFolder(const std::string& logDir, const std::string& output, bool force, int top) {
    auto fleet = fleetAnalysisFor(logDir);
    if (!fleet) {
        std::cerr << "aiotune report: " << fleet.error() << "\n";
        return kExitFailure;
    }
    ReportFileOptions fileOptions;
    fileOptions.replaceExisting = force;
    // Never over an input: any host's logs or sweep.json, or the stored answer.
    if (auto ok = checkNotTheFleetFile(output, logDir); !ok) {
        std::cerr << "aiotune report: " << ok.error() << "\n";
        return kExitFailure;
    }
    const ResultSet none;
    const HostSweep* anchor = nullptr;
    for (const HostSweep& h : fleet->sweeps) {
        if (!h.results) continue;
        if (!anchor) anchor = &h;
        if (auto ok = checkReportOutput(output, h.folder, *h.results, fileOptions); !ok) {
            std::cerr << "aiotune report: " << ok.error() << "\n";
            return kExitFailure;
        }
    }
    FleetReportOptions options;
    options.fleetFolder = logDir;
    options.configRows = top;
    options.generatedAt = nowUtc();
    auto written = writeReportFile(output, renderFleetReport(*fleet, options),
                                   anchor ? anchor->folder : std::filesystem::path(logDir),
                                   anchor ? *anchor->results : none, fileOptions);
    if (!written) {
        std::cerr << "aiotune report: " << written.error() << "\n";
        return kExitFailure;
    }
    if (written->backup) std::cerr << "kept the previous file as " << written->backup->string() << "\n";
    const FleetAnswer& a = fleet->answer;
    if (a.found)
        std::cout << "Wrote " << output << ": fleet of " << a.hosts.size() << " host(s), best " << a.best.tag()
                  << " (worst node " << printableName(a.worstHost) << ")\n";
    else
        std::cout << "Wrote " << output << " (no fleet answer: " << printableName(a.message) << ")\n";
    return kExitOk;
}

} // namespace

int runReport(const std::vector<std::string>& args) {
    CLI::App app = makeCommand(
        "report", "Writes one self-contained HTML report of a sweep log folder (aiotune's or DeepSpeed's): "
                  "the best and recommended aio sections, confidence, measurement profile, machine and "
                  "drives, a chart of the top configurations and the ranked table. A fleet's folder (one "
                  "sweep per host) gets the fleet answer and its hosts. It loads nothing from the network.");
    std::string logDir, positional, output;
    bool force = false;
    int top = 20;
    auto* byFlag = app.add_option(flagNames("log_dir"), logDir, "sweep log folder (aiotune's or DeepSpeed's)")
                       ->type_name("DIR")
                       ->check(nonEmptyValidator());
    app.add_option("folder", positional, "the log folder, instead of --log_dir")
        ->type_name("DIR")
        ->check(nonEmptyValidator())
        ->excludes(byFlag);
    app.add_option("-o,--output", output, "HTML file to write (refuses an existing file without --force)")
        ->type_name("FILE")
        ->required()
        ->check(nonEmptyValidator())
        // "-" wrote a file named "-" where a user meant standard output.
        ->check(CLI::Validator(
            [](std::string& text) {
                return text == "-" ? std::string("the report is one HTML file: give its name (\"-\" is not "
                                                 "standard output here)")
                                   : std::string();
            },
            ""));
    app.add_flag("--force", force,
                 "replace an existing file (one that is not an aiotune report is kept as .bak)");
    app.add_option("--top", top, "configurations in the chart, 1 to 1000 (the table lists all)")
        ->type_name("N")
        ->capture_default_str();
    if (auto exit = parseCommandLine(app, args)) return *exit;
    if (logDir.empty()) logDir = positional;
    if (logDir.empty()) {
        std::cerr << "aiotune report: --log_dir DIR is required (see 'aiotune report --help')\n";
        return kExitUsage;
    }
    if (top < 1 || top > 1000) {
        std::cerr << "aiotune report: --top " << top << ": give a number of configurations from 1 to 1000\n";
        return kExitUsage;
    }

    if (isFleetFolder(logDir)) return reportFleetFolder(logDir, output, force, top);

    // A sweep writing there is refused, and none starts while this reads (sweep/folder_lock.h).
    const auto lock = FolderLock::acquireForReading(logDir, "report");
    if (!lock) {
        std::cerr << "aiotune report: " << lock.error() << "\n";
        return kExitFailure;
    }
    auto results = LogFolderReader().read(logDir);
    if (!results) {
        std::cerr << "aiotune report: " << results.error() << "\n";
        return kExitFailure;
    }
    ReportFileOptions fileOptions;
    fileOptions.replaceExisting = force;
    // Refuse before the work of rendering, and again (inside writeReportFile) just before writing.
    if (auto ok = checkReportOutput(output, logDir, *results, fileOptions); !ok) {
        std::cerr << "aiotune report: " << ok.error() << "\n";
        return kExitFailure;
    }
    const Recommendation rec = analyze(*results);
    HtmlReportOptions options;
    options.logFolder = logDir;
    options.chartRows = top;
    options.linkLimits = recordedLinkLimits(*results, [] { return discoverForLinkLimits(); });
    options.generatedAt = nowUtc();
    auto written = writeReportFile(output, renderHtmlReport(*results, rec, options), logDir, *results, fileOptions);
    if (!written) {
        std::cerr << "aiotune report: " << written.error() << "\n";
        return kExitFailure;
    }
    for (const auto& s : results->skipped)
        std::cerr << "skipped " << printableName(s.file) << ": " << printableName(s.reason) << "\n";
    if (written->backup) std::cerr << "kept the previous file as " << written->backup->string() << "\n";
    if (rec.best)
        std::cout << "Wrote " << output << ": best " << rec.best->key.tag() << " of " << rec.configsWithBoth
                  << " configuration" << (rec.configsWithBoth == 1 ? "" : "s") << "\n";
    else
        std::cout << "Wrote " << output << " (no best configuration: "
                  << (rec.message.empty() ? "no configuration has both a read and a write figure" : printableName(rec.message))
                  << ")\n";
    return kExitOk;
}

} // namespace aiotune::cli
