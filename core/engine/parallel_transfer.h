#pragma once
// What every engine shares: splitting a transfer into one contiguous slice per
// thread (intra_op_parallelism), starting the threads together, timing,
// CPU accounting and latency percentiles. Engines supply the per-slice loop.
#include "engine/io_engine.h"

#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <vector>

namespace aiotune {

struct Slice {
    std::uint64_t offset = 0;
    std::uint64_t length = 0;
};

// Contiguous 4096-aligned slices covering ioSize; the last may be shorter.
std::vector<Slice> splitIntoSlices(std::uint64_t ioSize, int threads);

struct SliceJob {
    Slice slice;
    int fd = -1;               // this thread's own descriptor of the file
    std::byte* memory = nullptr; // buffer + slice.offset
    IoDirection direction = IoDirection::Write;
    const AioConfig* aio = nullptr;
};

class SliceWorker {
public:
    virtual ~SliceWorker() = default;
    // Before the clock starts: rings, registrations.
    virtual Result<void> setup(const SliceJob& job) = 0;
    // The timed I/O; appends one latency (microseconds) per completed request.
    virtual Result<void> run(const std::atomic<bool>* cancel, std::vector<float>& latenciesUs) = 0;
    // Anything worth telling the user (a fallback taken), or empty.
    virtual std::string note() const { return {}; }
};

using SliceWorkerFactory = std::function<std::unique_ptr<SliceWorker>()>;

Result<TransferResult> runParallelTransfer(const TransferParams& params, const ScratchFile& file,
                                           AlignedBuffer& buffer, const std::atomic<bool>* cancel,
                                           const std::string& engineName,
                                           const SliceWorkerFactory& makeWorker);

// p50/p99/max of the latencies (the vector is reordered).
LatencySummary summarizeLatencies(std::vector<float>& latenciesUs);

} // namespace aiotune
