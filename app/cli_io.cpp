// `aiotune io`: one transfer, DeepSpeed ds_io flag names, DeepSpeed's metric
// lines (or one JSON object) on stdout.
#include "cli_args.h"
#include "cli_common.h"
#include "commands.h"

#include "engine/aligned_buffer.h"
#include "engine/io_engine.h"
#include "engine/scratch_file.h"
#include "util/byte_size.h"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <charconv>
#include <cstdio>
#include <iostream>

namespace aiotune::cli {

namespace {

const std::vector<FlagSpec> kFlags = {
    {"folder", true, false, "folder on the drive to test (a nameless scratch file goes there)", "DIR"},
    {"read", false, false, "measure reads (default: writes)"},
    {"io_size", true, false, "bytes per transfer, e.g. 400M (default 400M)", "SIZE"},
    {"block_size", true, false, "bytes per request (default 1M)", "SIZE"},
    {"queue_depth", true, false, "requests in flight per thread (default 32)", "N"},
    {"io_parallel", true, false, "intra_op_parallelism: threads per transfer (default 1)", "N"},
    {"single_submit", false, false, "one submit call per request"},
    {"sequential_requests", false, false, "overlap_events false: lock-step batches"},
    {"loops", true, false, "transfers to run; figures are the median (default 1)", "N"},
    {"engine", true, false, "io_uring, libaio, portable or auto (default auto)", "NAME"},
    {"no_huge_pages", false, false, "buffer on normal pages, as PyTorch's pinned tensors usually are"},
    {"json", false, false, "print one JSON object instead of DeepSpeed's metric lines"},
};

bool parseInt(const std::string& text, int& out) {
    const auto* end = text.data() + text.size();
    auto [p, ec] = std::from_chars(text.data(), end, out);
    return ec == std::errc() && p == end;
}

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
    const std::string usage = "aiotune io --folder DIR [--read] [--io_size 400M] [--block_size 1M] "
                              "[--queue_depth 32] [--io_parallel 1] [--single_submit] "
                              "[--sequential_requests] [--loops N] [--json]";
    if (std::find(argv.begin(), argv.end(), "--help") != argv.end()) {
        std::cout << formatHelp(usage, "Runs one O_DIRECT transfer with DeepSpeed's aio semantics.", kFlags);
        return 0;
    }
    std::string error;
    auto args = Args::parse(argv, kFlags, error);
    if (!args) return fail(error, 2);
    if (!args->positional().empty()) return fail("unexpected argument " + args->positional()[0], 2);
    if (!args->has("folder")) return fail("--folder DIR is required (a folder on the drive to test)", 2);

    TransferParams params;
    params.direction = args->has("read") ? IoDirection::Read : IoDirection::Write;
    auto ioSize = parseByteSize(args->value("io_size", "400M"));
    if (!ioSize) return fail("--io_size: " + ioSize.error(), 2);
    params.ioSize = *ioSize;
    auto block = parseByteSize(args->value("block_size", "1M"));
    if (!block) return fail("--block_size: " + block.error(), 2);
    params.aio.block_size = *block;
    int loops = 1;
    if (!parseInt(args->value("queue_depth", "32"), params.aio.queue_depth))
        return fail("--queue_depth must be a whole number, got " + args->value("queue_depth"), 2);
    if (!parseInt(args->value("io_parallel", "1"), params.aio.intra_op_parallelism))
        return fail("--io_parallel must be a whole number, got " + args->value("io_parallel"), 2);
    if (!parseInt(args->value("loops", "1"), loops) || loops < 1 || loops > 1000)
        return fail("--loops must be 1..1000, got " + args->value("loops"), 2);
    params.aio.single_submit = args->has("single_submit");
    params.aio.overlap_events = !args->has("sequential_requests");
    if (auto ok = validateTransfer(params); !ok) return fail(ok.error(), 2);

    EngineKind kind = EngineKind::Auto;
    if (!parseEngineKind(args->value("engine", "auto"), kind))
        return fail("--engine must be io_uring, libaio, portable or auto, got " + args->value("engine"), 2);
    if (auto ok = probeEngine(kind); !ok && kind == EngineKind::Libaio) return fail(ok.error());
    std::string fallbackReason;
    auto engine = createEngine(kind, &fallbackReason);
    if (!fallbackReason.empty()) std::cerr << "aiotune io: " << fallbackReason << "\n";

    const std::string folder = args->value("folder");
    auto file = ScratchFile::create(folder, params.ioSize);
    if (!file) return fail(file.error());
    AlignedBuffer buffer(params.ioSize, !args->has("no_huge_pages"));
    if (!buffer.valid()) return fail("cannot allocate " + formatByteSizeHuman(params.ioSize) + " of memory");
    buffer.fillPattern(7);

    if (params.direction == IoDirection::Read) {
        // A read needs data: write the pattern first (not measured), read it back, compare.
        TransferParams fill = params;
        fill.direction = IoDirection::Write;
        if (auto w = engine->transfer(fill, *file, buffer); !w) return fail(w.error());
    }

    std::vector<TransferResult> runs;
    for (int i = 0; i < loops; ++i) {
        if (params.direction == IoDirection::Read) buffer.fill(std::byte{0});
        auto r = engine->transfer(params, *file, buffer);
        if (!r) return fail(r.error());
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

    if (args->has("json")) {
        nlohmann::ordered_json j = toJson(m);
        nlohmann::ordered_json head = {{"op", params.direction == IoDirection::Read ? "read" : "write"},
                                       {"engine", m.engine},
                                       {"folder", folder},
                                       {"huge_pages", !args->has("no_huge_pages")}};
        head.update(j);
        head["aio"] = {{"block_size", params.aio.block_size},
                       {"queue_depth", params.aio.queue_depth},
                       {"intra_op_parallelism", params.aio.intra_op_parallelism},
                       {"single_submit", params.aio.single_submit},
                       {"overlap_events", params.aio.overlap_events}};
        head["loops"] = nlohmann::json::array();
        for (const auto& r : runs) head["loops"].push_back(toJson(r));
        if (!m.notes.empty()) head["notes"] = m.notes;
        std::cout << head.dump(2) << "\n";
    } else {
        // DeepSpeed's lines, so its log parsers read this output; "GB" means 1024^3.
        std::printf("Task %s Latency = %.17g sec\n", op, m.ioSeconds);
        std::printf("Task %s Speed = %.17g GB/sec\n", op, m.ioGibPerSec);
        std::printf("E2E %s Latency = %.17g sec\n", op, m.seconds);
        std::printf("E2E %s Speed = %.17g GB/sec\n", op, m.gibPerSec);
    }
    return 0;
}

} // namespace aiotune::cli
