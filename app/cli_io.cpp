// `aiotune io`: one transfer, DeepSpeed ds_io flag names, DeepSpeed's metric
// lines (or one JSON object) on stdout.
#include "cli_common.h"
#include "util/json_text.h"
#include "commands.h"

#include "devices/fs_space.h"

#include "config/transfer_limits.h"
#include "engine/aligned_buffer.h"
#include "engine/io_engine.h"
#include "engine/scratch_file.h"
#include "sweep/sweep_runner.h"
#include "util/byte_size.h"
#include "util/physical_memory.h"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <cstdio>
#include <iostream>

namespace aiotune::cli {

namespace {

int fail(const std::string& message, int code = 1) {
    std::cerr << "aiotune io: " << message << "\n";
    return code;
}

nlohmann::ordered_json toJson(const TransferResult& r) {
    return {{"bytes", r.bytes},
            {"seconds", r.seconds},
            {"io_seconds", r.ioSeconds},
            {"gib_per_s", r.gibPerSec},
            {"io_gib_per_s", r.ioGibPerSec},
            {"latency_us", {{"p50", r.latency.p50Us}, {"p99", r.latency.p99Us}, {"max", r.latency.maxUs}}},
            {"requests", r.latency.requests},
            {"cpu_seconds", r.cpuSeconds}};
}

} // namespace

int runIo(const std::vector<std::string>& argv) {
    CLI::App app = makeCommand("io", "Runs one O_DIRECT transfer with DeepSpeed's aio semantics and prints "
                                     "DeepSpeed's metric lines (or one JSON object).");
    std::string folder, ioSizeText = "400M", blockText = "1M", engineName = "auto";
    TransferParams params;
    params.aio.queue_depth = 32;
    int loops = 1;
    bool read = false, singleSubmit = false, sequential = false, noHugePages = false, hugePages = false, json = false,
         noWarmup = false;
    app.add_option("--folder", folder, "folder on the drive to test (a nameless scratch file goes there)")
        ->required()
        ->check(nonEmptyValidator());
    app.add_flag("--read", read, "measure reads (default: writes)");
    app.add_option(flagNames("io_size"), ioSizeText, "bytes per transfer, e.g. 400M")
        ->check(sizeValidator())
        ->capture_default_str();
    app.add_option(flagNames("block_size"), blockText, "bytes per request")
        ->check(sizeValidator())
        ->capture_default_str();
    app.add_option(flagNames("queue_depth"), params.aio.queue_depth, "requests in flight per thread")
        ->capture_default_str();
    app.add_option(flagNames("io_parallel") + "," + flagNames("intra_op_parallelism"),
                   params.aio.intra_op_parallelism, "threads per transfer (intra_op_parallelism)")
        ->capture_default_str();
    app.add_flag(flagNames("single_submit"), singleSubmit, "one submit call per request");
    app.add_flag(flagNames("sequential_requests"), sequential, "overlap_events false: lock-step batches");
    app.add_option("--loops", loops, "transfers to run; figures are the median")
        ->check(CLI::Range(1, 1000))
        ->capture_default_str();
    app.add_option("--engine", engineName, "io_uring, libaio, portable or auto")
        ->check(engineValidator())
        ->capture_default_str();
    auto* hugeFlag = app.add_flag(flagNames("huge_pages"), hugePages,
                                  "what-if: forced huge pages and registered buffers (default: faithful, "
                                  "allocated as DeepSpeed allocates its buffers)");
    app.add_flag(flagNames("no_huge_pages"), noHugePages, "force normal pages")->excludes(hugeFlag);
    app.add_flag(flagNames("no_warmup"), noWarmup,
                 "measure the buffer's first pass too (default: one untimed write first, as a sweep does)");
    app.add_flag("--json", json, "print one JSON object instead of DeepSpeed's metric lines");
    if (auto exit = parseCommandLine(app, argv)) return *exit;

    params.direction = read ? IoDirection::Read : IoDirection::Write;
    params.ioSize = *parseByteSize(ioSizeText);
    params.aio.block_size = *parseByteSize(blockText);
    params.aio.single_submit = singleSubmit;
    params.aio.overlap_events = !sequential;
    if (auto ok = checkTransferShape(params.ioSize, params.aio); !ok) return fail(ok.error(), kExitUsage);
    if (auto ok = checkBuffersFitMemory(params.ioSize, 1, physicalMemoryBytes()); !ok) return fail(ok.error());

    // Before anything is allocated: the folder is one aiotune may use, takes
    // O_DIRECT (a 4 KiB probe: ramfs must not receive io_size first) and has
    // room for the scratch file with a margin, by the same check as a sweep.
    SweepSpec one;
    one.folders = {folder};
    one.blockSizes = {params.aio.block_size};
    one.queueDepths = {params.aio.queue_depth};
    one.threads = {params.aio.intra_op_parallelism};
    one.ioSize = params.ioSize;
    one.read = read;
    one.write = !read;
    if (const SweepPlan plan = planSweep(one); !plan.ok()) return fail(plan.problem);
    if (const std::string fstype = memoryFilesystemType(folder); !fstype.empty())
        std::cerr << "aiotune io: warning: " << memoryFolderWarning(folder, fstype) << "\n";

    EngineKind kind = EngineKind::Auto;
    parseEngineKind(engineName, kind);
    if (auto ok = probeEngine(kind); !ok && kind == EngineKind::Libaio) return fail(ok.error());
    std::string fallbackReason;
    auto engine = createEngine(kind, &fallbackReason);
    if (!fallbackReason.empty()) std::cerr << "aiotune io: " << fallbackReason << "\n";

    auto file = ScratchFile::create(folder, params.ioSize);
    if (!file) return fail(file.error());
    MeasurementProfile profile = hugePages ? MeasurementProfile::hugePageWhatIf() : MeasurementProfile::faithful();
    if (noHugePages) profile.pages = PagePolicy::Normal;
    params.profile = profile;
    AlignedBuffer buffer(params.ioSize, profile);
    if (!buffer.valid()) return fail("cannot allocate " + formatByteSizeHuman(params.ioSize) + " of memory");
    buffer.fillPattern(7);

    // One handle for every transfer, as DeepSpeed's ds_io creates its aio
    // handle before the timed loops: its setup is reported, not timed.
    const bool warmup = params.direction == IoDirection::Read || !noWarmup;
    auto handle = engine->open(warmup ? TransferParams{IoDirection::Write, params.ioSize, params.aio, params.profile}
                                      : params,
                               *file, buffer);
    if (!handle) return fail(handle.error());
    double setupSeconds = 0;

    // One untimed write first. A read needs data under it (read back and
    // compared below); a write measured on a fresh buffer would time the
    // kernel pinning each page the first time (large on normal pages),
    // which DeepSpeed pays once per run, not per swap.
    if (warmup) {
        auto w = (*handle)->transfer(IoDirection::Write);
        if (!w) return fail(w.error());
        setupSeconds += w->setupSeconds;
    }

    std::vector<TransferResult> runs;
    for (int i = 0; i < loops; ++i) {
        if (params.direction == IoDirection::Read) buffer.fill(std::byte{0});
        auto r = (*handle)->transfer(params.direction);
        if (!r) return fail(r.error());
        setupSeconds += r->setupSeconds;
        if (params.direction == IoDirection::Read) {
            if (auto bad = buffer.firstPatternMismatch(7, params.ioSize))
                return fail("data read back from " + folder + " differs from what was written at byte " +
                            std::to_string(*bad) + ": the drive or filesystem returned wrong data");
        }
        runs.push_back(*r);
    }
    // The median run by end-to-end speed represents the loops.
    std::vector<TransferResult> sorted = runs;
    std::sort(sorted.begin(), sorted.end(),
              [](const auto& a, const auto& b) { return a.gibPerSec < b.gibPerSec; });
    const TransferResult& m = sorted[sorted.size() / 2];
    const char* op = params.direction == IoDirection::Read ? "Read" : "Write";

    if (json) {
        nlohmann::ordered_json j = toJson(m);
        nlohmann::ordered_json head = {{"op", params.direction == IoDirection::Read ? "read" : "write"},
                                       {"engine", m.engine},
                                       {"folder", folder},
                                       {"profile", profile.toJson()},
                                       {"warmup", warmup},
                                       {"setup_seconds", setupSeconds},
                                       {"huge_pages", m.hugePageShare ? nlohmann::ordered_json(*m.hugePageShare)
                                                                      : nlohmann::ordered_json()}};
        head.update(j);
        head["aio"] = {{"block_size", params.aio.block_size},
                       {"queue_depth", params.aio.queue_depth},
                       {"intra_op_parallelism", params.aio.intra_op_parallelism},
                       {"single_submit", params.aio.single_submit},
                       {"overlap_events", params.aio.overlap_events}};
        head["loops"] = nlohmann::json::array();
        for (const auto& r : runs) head["loops"].push_back(toJson(r));
        if (!m.notes.empty()) head["notes"] = m.notes;
        std::cout << jsonText(head, 2) << "\n";
    } else {
        // DeepSpeed's lines, so its log parsers read this output; "GB" means 1024^3.
        std::printf("Task %s Latency = %.17g sec\n", op, m.ioSeconds);
        std::printf("Task %s Speed = %.17g GB/sec\n", op, m.ioGibPerSec);
        std::printf("E2E %s Latency = %.17g sec\n", op, m.seconds);
        std::printf("E2E %s Speed = %.17g GB/sec\n", op, m.gibPerSec);
        // DeepSpeed's parsers read only the lines above; the profile goes to stderr.
        std::fprintf(stderr, "aiotune io: measured with the %s profile\n", profile.name().c_str());
        std::fprintf(stderr,
                     "aiotune io: handle set up in %.3f ms before the clock (threads, rings or contexts, "
                     "descriptors), as DeepSpeed's handle is\n",
                     setupSeconds * 1e3);
    }
    return 0;
}

} // namespace aiotune::cli
