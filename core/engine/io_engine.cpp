#include "engine/io_engine.h"

#include "config/transfer_limits.h"

#include "engine/portable_engine.h"
#include "engine/uring_engine.h"

namespace aiotune {

Result<void> validateTransfer(const TransferParams& p) {
    return checkTransferShape(p.ioSize, p.aio, SplitRule::EngineSafe);
}

std::unique_ptr<IoEngine> createEngine(EngineKind kind, std::string* reason) {
    if (kind == EngineKind::Portable) return std::make_unique<PortableEngine>();
    if (kind == EngineKind::IoUring) return std::make_unique<UringEngine>();
    if (auto ok = probeIoUring(); !ok) {
        if (reason) *reason = ok.error() + "; using the portable pread/pwrite engine";
        return std::make_unique<PortableEngine>();
    }
    return std::make_unique<UringEngine>();
}

} // namespace aiotune
