// `aiotune report`: one self-contained HTML page about a sweep log folder,
// to attach to a bug report or a team wiki.
#include "commands.h"

#include "report/html_report.h"
#include "report/report_file.h"
#include "report/sweep_facts.h"
#include "results/analysis.h"
#include "results/log_folder_reader.h"

#include <CLI/CLI.hpp>

#include <chrono>
#include <iostream>

namespace aiotune::cli {

int runReport(const std::vector<std::string>& args) {
    CLI::App app("Writes one self-contained HTML report of a sweep log folder (aiotune's or "
                 "DeepSpeed's): the best and recommended aio sections, confidence, measurement "
                 "profile, machine and drives, a chart of the top configurations and the ranked "
                 "table. It loads nothing from the network.",
                 "aiotune report");
    std::string logDir;
    std::string output;
    bool force = false;
    int top = 20;
    app.add_option("--log_dir,--log-dir", logDir, "sweep log folder (aiotune's or DeepSpeed's)")
        ->type_name("DIR");
    app.add_option("dir", logDir, "the log folder, instead of --log_dir")->type_name("DIR");
    app.add_option("-o,--output", output, "HTML file to write (refused if it exists, unless --force)")
        ->type_name("FILE")
        ->required();
    app.add_flag("--force", force, "replace an existing file (one that is not an aiotune report is kept as .bak)");
    app.add_option("--top", top, "configurations in the chart (the table lists all)")
        ->type_name("N")
        ->capture_default_str();

    // CLI11 wants argv-style input; args is what followed "report".
    std::vector<std::string> words{"aiotune report"};
    words.insert(words.end(), args.begin(), args.end());
    std::vector<char*> argv;
    for (auto& w : words) argv.push_back(w.data());
    try {
        app.parse(static_cast<int>(argv.size()), argv.data());
    } catch (const CLI::CallForHelp&) {
        std::cout << app.help();
        return 0;
    } catch (const CLI::ParseError& e) {
        std::cerr << "aiotune report: " << e.what() << "\nRun 'aiotune report --help' for the options.\n";
        return 2;
    }
    if (top < 1 || top > 1000) {
        std::cerr << "aiotune report: --top " << top << ": give a number of configurations from 1 to 1000\n";
        return 2;
    }
    if (logDir.empty()) {
        std::cerr << "aiotune report: --log_dir DIR is required\nRun 'aiotune report --help' for the options.\n";
        return 2;
    }

    auto results = LogFolderReader().read(logDir);
    if (!results) {
        std::cerr << "aiotune report: " << results.error() << "\n";
        return 1;
    }
    ReportFileOptions fileOptions;
    fileOptions.replaceExisting = force;
    // Refuse before the work of rendering, and again (inside writeReportFile) just before writing.
    if (auto ok = checkReportOutput(output, logDir, *results, fileOptions); !ok) {
        std::cerr << "aiotune report: " << ok.error() << "\n";
        return 1;
    }
    const Recommendation rec = analyze(*results);
    HtmlReportOptions options;
    options.logFolder = logDir;
    options.chartRows = top;
    const auto now = std::chrono::duration_cast<std::chrono::milliseconds>(
        std::chrono::system_clock::now().time_since_epoch());
    options.generatedAt = formatUtcMinutes(now.count());
    auto written = writeReportFile(output, renderHtmlReport(*results, rec, options), logDir, *results, fileOptions);
    if (!written) {
        std::cerr << "aiotune report: " << written.error() << "\n";
        return 1;
    }
    for (const auto& s : results->skipped) std::cerr << "skipped " << s.file << ": " << s.reason << "\n";
    if (written->backup) std::cerr << "kept the previous file as " << written->backup->string() << "\n";
    if (rec.best)
        std::cout << "Wrote " << output << ": best " << rec.best->key.tag() << " of " << rec.configsWithBoth
                  << " configuration" << (rec.configsWithBoth == 1 ? "" : "s") << "\n";
    else
        std::cout << "Wrote " << output << " (no best configuration: "
                  << (rec.message.empty() ? "no configuration has both a read and a write figure" : rec.message)
                  << ")\n";
    return 0;
}

} // namespace aiotune::cli
