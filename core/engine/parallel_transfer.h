#pragma once
// What every engine shares: a handle that splits a transfer into one
// contiguous slice per thread (intra_op_parallelism), keeps the threads and
// their workers from one transfer to the next, starts them together, times,
// accounts CPU and latency percentiles. Engines supply the per-slice loop.
#include "engine/io_engine.h"

#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <thread>
#include <vector>

namespace aiotune {

struct Slice {
    std::uint64_t offset = 0;
    std::uint64_t length = 0;
};

// The most bytes one kernel request asks for: Linux moves at most MAX_RW_COUNT
// (2 GiB - 4 KiB) per read or write, so a longer block goes in pieces, each
// resubmitted as a short transfer would be. Lengths stay 64-bit until here.
constexpr std::uint64_t kMaxBytesPerRequest = 0x7ffff000;

// Contiguous 4096-aligned slices covering ioSize; the last may be shorter.
std::vector<Slice> splitIntoSlices(std::uint64_t ioSize, int threads);

struct SliceJob {
    Slice slice;
    int fd = -1;                 // this thread's own descriptor of the file
    std::byte* memory = nullptr; // buffer + slice.offset
    const AioConfig* aio = nullptr;
    bool registerBuffers = false; // the profile's what-if; engines without registration ignore it
};

class SliceWorker {
  public:
    virtual ~SliceWorker() = default;
    // Once per handle, before any clock: rings, contexts, registrations.
    virtual Result<void> setup(const SliceJob& job) = 0;
    // The timed I/O of one transfer, run again for every transfer of the
    // handle; appends one latency (microseconds) per completed request.
    // After an error the worker is discarded and a fresh one set up.
    virtual Result<void> run(IoDirection direction, const std::atomic<bool>* cancel,
                             std::vector<float>& latenciesUs) = 0;
    // Anything worth telling the user (a fallback taken), or empty.
    virtual std::string note() const { return {}; }
};

using SliceWorkerFactory = std::function<std::unique_ptr<SliceWorker>()>;

// Starts body on a new thread; throws std::system_error when the system
// refuses (RLIMIT_NPROC, pids.max), as std::jthread does. A test seam.
using ThreadStarter = std::function<std::jthread(std::function<void()> body)>;

// Opens a handle: the descriptors, one thread per slice but the first (the
// calling thread moves slice 0 of each transfer), every worker set up; returns
// once all are ready. A thread that cannot be started or set up fails the
// open with the reason; the threads already started are released, never left waiting.
Result<std::unique_ptr<IoHandle>> openParallelHandle(const TransferParams& params,
                                                     const ScratchFile& file, AlignedBuffer& buffer,
                                                     const std::string& engineName,
                                                     SliceWorkerFactory makeWorker,
                                                     ThreadStarter startThread = {});

// IoEngine::transfer for engines with handles: open, one transfer, close.
Result<TransferResult> transferWithOwnHandle(IoEngine& engine, const TransferParams& params,
                                             const ScratchFile& file, AlignedBuffer& buffer,
                                             const std::atomic<bool>* cancel);

// p50/p99/max of the latencies (the vector is reordered).
LatencySummary summarizeLatencies(std::vector<float>& latenciesUs);

} // namespace aiotune
