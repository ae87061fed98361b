// `aiotune sweep`: the whole tuning run headless, ds_nvme_tune's flags. Progress
// on stderr (a live line on a terminal), the best aio section on stdout.
#include "cli_common.h"
#include "commands.h"
#include "sweep_printer.h"

#include "config/transfer_limits.h"
#include "results/analysis.h"
#include "results/log_folder_reader.h"
#include "sweep/sweep_runner.h"
#include "util/byte_size.h"
#include "util/physical_memory.h"

#include <algorithm>
#include <atomic>
#include <cctype>
#include <csignal>
#include <cstdio>
#include <iostream>
#include <unistd.h>

namespace aiotune::cli {

namespace {

std::atomic<bool> g_interrupted{false};
std::atomic<int> g_signal{0};
extern "C" void onInterrupt(int sig) {
    g_signal = sig;
    g_interrupted = true;
}

// A host label names a folder in a fleet's results: a plain name.
std::string checkHostLabel(std::string& host) {
    if (host.empty() || host.size() > 253) return "must be 1 to 253 characters, e.g. node07";
    for (char c : host)
        if (!(std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '.' || c == '_'))
            return "\"" + host + "\" may hold only letters, digits, '-', '.' and '_'";
    if (host == "." || host == "..") return "\"" + host + "\" is not a host name";
    return {};
}

int fail(const std::string& message, int code = 1) {
    std::cerr << "aiotune sweep: " << message << "\n";
    return code;
}

} // namespace

int runSweep(const std::vector<std::string>& argv) {
    CLI::App app = makeCommand("sweep", "Measures every combination of the given settings and prints the best "
                                        "aio section (DeepSpeed ds_nvme_tune's flags).");
    std::vector<std::string> folders, blockSizes, singleSubmit, overlapEvents, sequentialRequests;
    std::vector<int> queueDepths, threads;
    std::string sweepConfig, ioSizeText, logDir = "_aio_bench_logs", engineName = "auto", host;
    int loops = 3;
    bool noRead = false, noWrite = false, noHugePages = false, json = false;
    app.add_option(flagNames("nvme_dir"), folders, "folders to test, one per drive (driven at once)")
        ->required()
        ->delimiter(',')
        ->check(nonEmptyValidator());
    app.add_option(flagNames("sweep_config"), sweepConfig,
                   "DeepSpeed sweep-config JSON: each setting mapped to a list")
        ->check(nonEmptyValidator());
    // Lists: "--block_size 128K,1M", "--block_size 128K 1M" or the flag repeated.
    app.add_option(flagNames("block_size"), blockSizes, "block sizes to try (default 1M,8M)")
        ->delimiter(',')
        ->check(sizeValidator());
    app.add_option(flagNames("queue_depth"), queueDepths, "queue depths to try (default 32,128)")->delimiter(',');
    app.add_option(flagNames("io_parallel") + "," + flagNames("intra_op_parallelism"), threads,
                   "intra_op_parallelism values to try (default 1,8)")
        ->delimiter(',');
    app.add_option(flagNames("single_submit"), singleSubmit, "single_submit values to try (default false)")
        ->delimiter(',')
        ->check(boolValidator());
    auto* overlap = app.add_option(flagNames("overlap_events"), overlapEvents,
                                   "overlap_events values to try (default true)")
                        ->delimiter(',')
                        ->check(boolValidator());
    app.add_option(flagNames("sequential_requests"), sequentialRequests,
                   "the inverse of overlap_events, DeepSpeed's sweep name")
        ->delimiter(',')
        ->check(boolValidator())
        ->excludes(overlap);
    app.add_option(flagNames("io_size"), ioSizeText, "bytes per transfer (default 400M)")->check(sizeValidator());
    app.add_option("--loops", loops, "repetitions, interleaved over points")
        ->check(CLI::Range(1, 1000))
        ->capture_default_str();
    auto* readOff = app.add_flag(flagNames("no_read"), noRead, "skip reads");
    app.add_flag(flagNames("no_write"), noWrite, "skip writes (reads still need one unmeasured write)")
        ->excludes(readOff);
    app.add_option(flagNames("log_dir"), logDir, "where to write the DeepSpeed-format logs")
        ->check(nonEmptyValidator())
        ->capture_default_str();
    app.add_option("--engine", engineName, "io_uring, libaio, portable or auto")
        ->check(engineValidator())
        ->capture_default_str();
    app.add_option("--host", host, "this machine's name in a fleet's results (recorded in sweep.json)")
        ->check(CLI::Validator(checkHostLabel, "NAME"));
    app.add_flag(flagNames("no_huge_pages"), noHugePages,
                 "buffers on normal pages, as PyTorch's pinned tensors usually are");
    app.add_flag("--json", json, "print one JSON object with the analysis at the end");
    if (auto exit = parseCommandLine(app, argv)) return *exit;

    // DeepSpeed ds_nvme_tune's defaults, then a sweep config, then explicit lists.
    SweepSpec spec;
    spec.blockSizes = {1ull << 20, 8ull << 20};
    spec.queueDepths = {32, 128};
    spec.threads = {1, 8};
    spec.loops = 3;
    if (!sweepConfig.empty()) {
        std::vector<std::string> warnings;
        auto fromFile = SweepSpec::fromDeepSpeedSweepConfigFile(sweepConfig, &warnings);
        if (!fromFile) return fail(fromFile.error());
        for (const auto& w : warnings) std::cerr << "warning: " << w << "\n";
        spec = *fromFile;
    }
    for (const auto& d : folders) spec.folders.emplace_back(d);
    if (!blockSizes.empty()) {
        spec.blockSizes.clear();
        for (const auto& s : blockSizes) spec.blockSizes.push_back(*parseByteSize(s));
    }
    if (!queueDepths.empty()) spec.queueDepths = queueDepths;
    if (!threads.empty()) spec.threads = threads;
    if (!singleSubmit.empty()) parseBoolList(singleSubmit, spec.singleSubmit);
    if (!overlapEvents.empty()) parseBoolList(overlapEvents, spec.overlapEvents);
    if (!sequentialRequests.empty()) {
        std::vector<bool> seq;
        parseBoolList(sequentialRequests, seq);
        spec.overlapEvents.clear();
        for (bool s : seq) spec.overlapEvents.push_back(!s);
    }
    if (!ioSizeText.empty()) spec.ioSize = *parseByteSize(ioSizeText);
    spec.loops = loops;
    spec.read = !noRead;
    spec.write = !noWrite;
    if (auto ok = spec.validateRanges(); !ok) return fail(ok.error(), kExitUsage);
    if (auto ok = checkBuffersFitMemory(spec.ioSize, spec.folders.size(), physicalMemoryBytes()); !ok)
        return fail(ok.error());

    EngineKind kind = EngineKind::Auto;
    parseEngineKind(engineName, kind);

    const SweepPlan plan = planSweep(spec);
    if (!plan.ok()) return fail(plan.problem);
    std::cerr << "aiotune sweep: " << plan.summary() << "\n";

    SweepRunner runner(spec, kind);
    runner.setLogFolder(logDir);
    if (!host.empty()) runner.setHostLabel(host);
    // Until --huge_pages lands: --no_huge_pages forces normal pages, else faithful.
    MeasurementProfile profile;
    if (noHugePages) profile.pages = PagePolicy::Normal;
    runner.setProfile(profile);

    struct sigaction sa {};
    sa.sa_handler = onInterrupt;
    sigemptyset(&sa.sa_mask);
    ::sigaction(SIGINT, &sa, nullptr);
    ::sigaction(SIGTERM, &sa, nullptr);

    SweepPrinter printer(stderr, "aiotune sweep", ::isatty(STDERR_FILENO));
    auto results = runner.run({&printer}, &g_interrupted);
    if (!results) return fail(results.error());
    if (results->status == SweepStatus::Cancelled)
        std::cerr << "aiotune sweep: interrupted; " << results->configs.size()
                  << " configurations measured so far are in " << logDir << "\n";
    else if (results->status == SweepStatus::Failed)
        std::cerr << "aiotune sweep: the sweep failed (" << results->error << "); what was measured before is in "
                  << logDir << "\n";
    else
        std::cerr << "aiotune sweep: logs in " << logDir << " (read them again with: aiotune analyze --log_dir "
                  << logDir << ")\n";
    if (!json) printer.printTop(*results, 5);

    const Recommendation rec = analyze(*results);
    if (json) {
        auto j = analysisJson(*results, rec);
        j["log_dir"] = logDir;
        j["status"] = sweepStatusName(results->status);
        if (!results->error.empty()) j["error"] = results->error;
        std::cout << j.dump(2) << "\n";
    } else {
        printAnalysis(std::cout, std::cerr, *results, rec);
    }
    // The shell's convention: 128 + the signal (130 for Ctrl-C, 143 for SIGTERM).
    if (results->status == SweepStatus::Cancelled) return 128 + (g_signal ? g_signal.load() : SIGINT);
    if (results->status == SweepStatus::Failed) return 1;
    return rec.best || !(spec.read && spec.write) ? 0 : 1;
}

} // namespace aiotune::cli
