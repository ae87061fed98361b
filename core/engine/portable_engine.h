#pragma once
// The fallback where io_uring is unavailable: one thread per slice moving
// block_size requests with pread/pwrite. queue_depth, single_submit and
// overlap_events cannot apply to synchronous calls; results say so.
#include "engine/io_engine.h"

namespace aiotune {

class PortableEngine : public IoEngine {
  public:
    std::string name() const override { return "portable (pread/pwrite)"; }
    Result<TransferResult> transfer(const TransferParams& params, const ScratchFile& file,
                                    AlignedBuffer& buffer,
                                    const std::atomic<bool>* cancel = nullptr) override;
    Result<std::unique_ptr<IoHandle>> open(const TransferParams& params, const ScratchFile& file,
                                           AlignedBuffer& buffer) override;
};

} // namespace aiotune
