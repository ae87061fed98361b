#pragma once
// The io_uring engine: one ring and one descriptor per thread, batched
// submission, many completions reaped per wait, short I/O and -EAGAIN requeued.
#include "engine/io_engine.h"
#include "engine/parallel_transfer.h"

#include <functional>

struct io_uring;

namespace aiotune {

// Submits what is queued on the ring and waits for waitFor completions, with
// io_uring_submit_and_wait's contract: the number of SQEs the kernel took
// (possibly fewer than queued), or -errno (-EAGAIN, -EBUSY: reap, then retry).
using UringSubmitFn = std::function<int(io_uring* ring, unsigned waitFor)>;

class UringEngine : public IoEngine {
  public:
    UringEngine() = default;
    // Test seams: how SQEs are submitted and how slice threads are started.
    explicit UringEngine(UringSubmitFn submit, ThreadStarter startThread = {})
        : m_submit(std::move(submit)), m_startThread(std::move(startThread)) {}

    std::string name() const override { return "io_uring"; }
    Result<TransferResult> transfer(const TransferParams& params, const ScratchFile& file,
                                    AlignedBuffer& buffer,
                                    const std::atomic<bool>* cancel = nullptr) override;
    Result<std::unique_ptr<IoHandle>> open(const TransferParams& params, const ScratchFile& file,
                                           AlignedBuffer& buffer) override;

  private:
    UringSubmitFn m_submit;
    ThreadStarter m_startThread;
};

} // namespace aiotune
