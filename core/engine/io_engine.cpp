#include "engine/io_engine.h"

#include "engine/libaio_engine.h"
#include "engine/portable_engine.h"
#include "engine/uring_engine.h"

namespace aiotune {

namespace {
constexpr std::uint64_t kAlign = 4096;
} // namespace

Result<void> validateTransfer(const TransferParams& p) {
    const AioConfig& a = p.aio;
    if (p.ioSize == 0) return makeError("io_size is 0: give a size such as 400M");
    if (p.ioSize % kAlign != 0)
        return makeError("io_size " + std::to_string(p.ioSize) +
                         " is not a multiple of 4096 bytes, which O_DIRECT needs: round it");
    if (a.block_size == 0 || a.block_size % kAlign != 0)
        return makeError("block_size " + std::to_string(a.block_size) +
                         " must be a positive multiple of 4096 (e.g. 128K, 1M)");
    if (a.queue_depth < 1 || a.queue_depth > 4096)
        return makeError("queue_depth " + std::to_string(a.queue_depth) + " must be 1..4096");
    if (a.intra_op_parallelism < 1 || a.intra_op_parallelism > 256)
        return makeError("intra_op_parallelism " + std::to_string(a.intra_op_parallelism) +
                         " must be 1..256");
    if (p.ioSize / kAlign < static_cast<std::uint64_t>(a.intra_op_parallelism))
        return makeError("io_size " + std::to_string(p.ioSize) + " is too small to split over " +
                         std::to_string(a.intra_op_parallelism) +
                         " threads (each needs at least 4096 bytes)");
    return {};
}

std::unique_ptr<IoEngine> createEngine(EngineKind kind, std::string* reason) {
    if (kind == EngineKind::Portable) return std::make_unique<PortableEngine>();
    if (kind == EngineKind::Libaio) return std::make_unique<LibaioEngine>();
    if (kind == EngineKind::IoUring) return std::make_unique<UringEngine>();
    if (auto ok = probeIoUring(); !ok) {
        if (reason) *reason = ok.error() + "; using the portable pread/pwrite engine";
        return std::make_unique<PortableEngine>();
    }
    return std::make_unique<UringEngine>();
}

Result<void> probeEngine(EngineKind kind) {
    switch (kind) {
    case EngineKind::IoUring: return probeIoUring();
    case EngineKind::Libaio: return probeLibaio();
    case EngineKind::Auto:
    case EngineKind::Portable: break;
    }
    return {};
}

std::optional<EngineKind> engineKindFromName(const std::string& name) {
    for (EngineKind k : {EngineKind::Auto, EngineKind::IoUring, EngineKind::Portable, EngineKind::Libaio})
        if (name == engineKindName(k)) return k;
    return std::nullopt;
}

const char* engineKindName(EngineKind kind) {
    switch (kind) {
    case EngineKind::IoUring: return "io_uring";
    case EngineKind::Portable: return "portable";
    case EngineKind::Libaio: return "libaio";
    case EngineKind::Auto: break;
    }
    return "auto";
}

} // namespace aiotune
