#pragma once
// The libaio engine: the kernel interface DeepSpeed's async_io op uses
// (io_setup / io_submit / io_getevents), with its request semantics: per
// thread one context of queue_depth; overlap_events false submits batches of
// queue_depth and waits for the whole batch, true keeps queue_depth in flight
// and refills as events arrive; single_submit makes one io_submit per request.
// libaio is loaded at run time (dlopen) so aiotune runs where it is missing;
// then this engine refuses every transfer with a message instead of another
// engine quietly measuring in its place.
#include "engine/io_engine.h"

#include <string>
#include <vector>

namespace aiotune {

class LibaioEngine : public IoEngine {
  public:
    LibaioEngine() = default;
    // Test seam: the library names to try instead of Debian's libaio.so.1 / libaio.so.1t64.
    explicit LibaioEngine(std::vector<std::string> libraryNames)
        : m_libraryNames(std::move(libraryNames)) {}

    std::string name() const override { return "libaio"; }
    Result<TransferResult> transfer(const TransferParams& params, const ScratchFile& file,
                                    AlignedBuffer& buffer,
                                    const std::atomic<bool>* cancel = nullptr) override;
    Result<std::unique_ptr<IoHandle>> open(const TransferParams& params, const ScratchFile& file,
                                           AlignedBuffer& buffer) override;

  private:
    std::vector<std::string> m_libraryNames;
};

// Whether libaio loads and an AIO context can be created here; the error says
// what to install or raise. libraryNames empty: the system's libaio.
Result<void> probeLibaio(const std::vector<std::string>& libraryNames = {});

} // namespace aiotune
