#pragma once
// The io_uring engine: one ring and one descriptor per thread, batched
// submission, many completions reaped per wait, short I/O and -EAGAIN requeued.
#include "engine/io_engine.h"

namespace aiotune {

class UringEngine : public IoEngine {
public:
    std::string name() const override { return "io_uring"; }
    Result<TransferResult> transfer(const TransferParams& params, const ScratchFile& file,
                                    AlignedBuffer& buffer,
                                    const std::atomic<bool>* cancel = nullptr) override;
};

} // namespace aiotune
