// `aiotune sweep`: the whole tuning run headless, ds_nvme_tune's flags. Progress
// on stderr (a live line on a terminal), the best aio section on stdout.
#include "cli_args.h"
#include "cli_common.h"
#include "commands.h"

#include "results/analysis.h"
#include "results/log_folder_reader.h"
#include "sweep/sweep_runner.h"
#include "util/byte_size.h"

#include <algorithm>
#include <atomic>
#include <csignal>
#include <cstdio>
#include <iostream>
#include <unistd.h>

namespace aiotune::cli {

namespace {

std::atomic<bool> g_interrupted{false};
extern "C" void onInterrupt(int) { g_interrupted = true; }

int fail(const std::string& message, int code = 1) {
    std::cerr << "aiotune sweep: " << message << "\n";
    return code;
}

std::string formatEta(double s) {
    if (s < 0) return "?";
    if (s < 90) return std::to_string(static_cast<int>(s + 0.5)) + " s";
    return std::to_string(static_cast<int>(s / 60 + 0.5)) + " min";
}

} // namespace

int runSweep(const std::vector<std::string>& argv) {
    const std::vector<FlagSpec> flags = {
        {"nvme_dir", true, true, "folders to test, one per drive (driven at once)", "DIR"},
        {"sweep_config", true, false, "DeepSpeed sweep-config JSON: each setting mapped to a list", "FILE"},
        {"block_size", true, true, "block sizes to try (default 1M,8M)", "SIZES"},
        {"queue_depth", true, true, "queue depths to try (default 32,128)", "N,N"},
        {"io_parallel", true, true, "intra_op_parallelism values to try (default 1,8)", "N,N"},
        {"single_submit", true, true, "single_submit values to try (default false)", "BOOLS"},
        {"overlap_events", true, true, "overlap_events values to try (default true)", "BOOLS"},
        {"sequential_requests", true, true, "the inverse of overlap_events, DeepSpeed's sweep name", "BOOLS"},
        {"io_size", true, false, "bytes per transfer (default 400M)", "SIZE"},
        {"loops", true, false, "repetitions, interleaved over points (default 3)", "N"},
        {"no_read", false, false, "skip reads"},
        {"no_write", false, false, "skip writes (reads still need one unmeasured write)"},
        {"log_dir", true, false, "where to write the DeepSpeed-format logs (default ./_aio_bench_logs)", "DIR"},
        {"engine", true, false, "io_uring, libaio, portable or auto (default auto)", "NAME"},
        {"no_huge_pages", false, false, "buffers on normal pages, as PyTorch's pinned tensors usually are"},
        {"json", false, false, "print one JSON object with the analysis at the end"},
    };
    const std::string usage = "aiotune sweep --nvme_dir DIR [DIR...] [--sweep_config FILE] [lists...] "
                              "[--io_size 400M] [--loops 3] [--no_read] [--no_write] [--log_dir DIR]";
    if (std::find(argv.begin(), argv.end(), "--help") != argv.end()) {
        std::cout << formatHelp(usage, "Measures every combination of the given settings and prints the best "
                                       "aio section.", flags);
        return 0;
    }
    std::string error;
    auto args = Args::parse(argv, flags, error);
    if (!args) return fail(error, 2);
    if (!args->positional().empty()) return fail("unexpected argument " + args->positional()[0], 2);

    // DeepSpeed ds_nvme_tune's defaults, then a sweep config, then explicit lists.
    SweepSpec spec;
    spec.blockSizes = {1ull << 20, 8ull << 20};
    spec.queueDepths = {32, 128};
    spec.threads = {1, 8};
    spec.loops = 3;
    if (args->has("sweep_config")) {
        std::vector<std::string> warnings;
        auto fromFile = SweepSpec::fromDeepSpeedSweepConfigFile(args->value("sweep_config"), &warnings);
        if (!fromFile) return fail(fromFile.error());
        for (const auto& w : warnings) std::cerr << "warning: " << w << "\n";
        fromFile->loops = spec.loops;
        spec = *fromFile;
    }
    for (const auto& d : args->values("nvme_dir")) spec.folders.emplace_back(d);
    if (spec.folders.empty()) return fail("--nvme_dir DIR is required: a folder on each drive to test", 2);
    if (args->has("block_size")) {
        spec.blockSizes.clear();
        for (const auto& s : args->values("block_size")) {
            auto v = parseByteSize(s);
            if (!v) return fail("--block_size: " + v.error(), 2);
            spec.blockSizes.push_back(*v);
        }
    }
    if (args->has("queue_depth") && !parseIntList(args->values("queue_depth"), spec.queueDepths))
        return fail("--queue_depth takes whole numbers >= 1, e.g. 8,32", 2);
    if (args->has("io_parallel") && !parseIntList(args->values("io_parallel"), spec.threads))
        return fail("--io_parallel takes whole numbers >= 1, e.g. 1,8", 2);
    if (args->has("single_submit") && !parseBoolList(args->values("single_submit"), spec.singleSubmit))
        return fail("--single_submit takes true/false values, e.g. false,true", 2);
    if (args->has("overlap_events") && !parseBoolList(args->values("overlap_events"), spec.overlapEvents))
        return fail("--overlap_events takes true/false values, e.g. true,false", 2);
    if (args->has("sequential_requests")) {
        std::vector<bool> seq;
        if (!parseBoolList(args->values("sequential_requests"), seq))
            return fail("--sequential_requests takes true/false values", 2);
        spec.overlapEvents.clear();
        for (bool s : seq) spec.overlapEvents.push_back(!s);
    }
    if (args->has("io_size")) {
        auto v = parseByteSize(args->value("io_size"));
        if (!v) return fail("--io_size: " + v.error(), 2);
        spec.ioSize = *v;
    }
    if (args->has("loops")) {
        std::vector<int> loops;
        if (!parseIntList({args->value("loops")}, loops)) return fail("--loops takes a whole number >= 1", 2);
        spec.loops = loops[0];
    }
    spec.read = !args->has("no_read");
    spec.write = !args->has("no_write");

    EngineKind kind = EngineKind::Auto;
    if (!parseEngineKind(args->value("engine", "auto"), kind))
        return fail("--engine must be io_uring, libaio, portable or auto, got " + args->value("engine"), 2);

    const SweepPlan plan = planSweep(spec);
    if (!plan.ok()) return fail(plan.problem);
    std::cerr << "aiotune sweep: " << plan.summary() << "\n";

    const std::string logDir = args->value("log_dir", "_aio_bench_logs");
    SweepRunner runner(spec, kind);
    runner.setLogFolder(logDir);
    runner.setHugePages(!args->has("no_huge_pages"));

    struct sigaction sa {};
    sa.sa_handler = onInterrupt;
    sigemptyset(&sa.sa_mask);
    ::sigaction(SIGINT, &sa, nullptr);
    ::sigaction(SIGTERM, &sa, nullptr);

    const bool tty = ::isatty(STDERR_FILENO);
    SweepCallbacks cb;
    cb.progress = [&](const SweepProgress& p) {
        if (!tty) return;
        std::fprintf(stderr, "\r\033[K[%zu/%zu] ETA %s  %s", p.done, p.total, formatEta(p.etaSeconds).c_str(),
                     p.current.c_str());
        std::fflush(stderr);
    };
    std::size_t done = 0;
    const std::size_t total = plan.transfers / std::max<std::size_t>(spec.folders.size(), 1);
    cb.sample = [&](const ConfigKey& key, const Sample& s) {
        ++done;
        if (tty && s.error.empty()) return;
        if (tty) std::fprintf(stderr, "\r\033[K");
        std::fprintf(stderr, "[%zu/%zu] %s %s: ", done, total, std::string(ioOpName(s.op)).c_str(),
                     key.label().c_str());
        if (s.failed()) std::fprintf(stderr, "FAILED: %s\n", s.error.c_str());
        else std::fprintf(stderr, "%.3f GiB/s\n", s.gibPerSec);
    };
    cb.message = [&](const std::string& m) { std::cerr << (tty ? "\r\033[K" : "") << "aiotune sweep: " << m << "\n"; };

    auto results = runner.run(cb, &g_interrupted);
    if (tty) std::fprintf(stderr, "\r\033[K");
    if (!results) return fail(results.error());
    if (results->status == "cancelled")
        std::cerr << "aiotune sweep: interrupted; " << results->configs.size()
                  << " configurations measured so far are in " << logDir << "\n";
    else
        std::cerr << "aiotune sweep: logs in " << logDir << " (read them again with: aiotune analyze --log_dir "
                  << logDir << ")\n";

    const Recommendation rec = analyze(*results);
    if (args->has("json")) {
        auto j = analysisJson(*results, rec);
        j["log_dir"] = logDir;
        j["status"] = results->status;
        std::cout << j.dump(2) << "\n";
    } else {
        printAnalysis(std::cout, std::cerr, *results, rec);
    }
    if (results->status == "cancelled") return 130;
    return rec.best || !(spec.read && spec.write) ? 0 : 1;
}

} // namespace aiotune::cli
