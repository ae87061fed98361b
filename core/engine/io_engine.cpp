#include "engine/io_engine.h"

#include "config/transfer_limits.h"

#include "engine/libaio_engine.h"
#include "engine/portable_engine.h"
#include "engine/uring_engine.h"

namespace aiotune {

Result<void> validateTransfer(const TransferParams& p) {
    return checkTransferShape(p.ioSize, p.aio, SplitRule::EngineSafe);
}

namespace {
// A handle for engines that set nothing up ahead: every transfer is the engine's.
class PerTransferHandle : public IoHandle {
  public:
    PerTransferHandle(IoEngine& engine, const TransferParams& params, const ScratchFile& file,
                      AlignedBuffer& buffer)
        : m_engine(engine), m_params(params), m_file(file), m_buffer(buffer) {}
    Result<TransferResult> transfer(IoDirection direction,
                                    const std::atomic<bool>* cancel) override {
        m_params.direction = direction;
        return m_engine.transfer(m_params, m_file, m_buffer, cancel);
    }

  private:
    IoEngine& m_engine;
    TransferParams m_params;
    const ScratchFile& m_file;
    AlignedBuffer& m_buffer;
};
} // namespace

Result<std::unique_ptr<IoHandle>> IoEngine::open(const TransferParams& params,
                                                 const ScratchFile& file, AlignedBuffer& buffer) {
    return std::unique_ptr<IoHandle>(
        std::make_unique<PerTransferHandle>(*this, params, file, buffer));
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
    case EngineKind::IoUring:
        return probeIoUring();
    case EngineKind::Libaio:
        if (auto ok = probeLibaio(); !ok) return makeError(ok.error() + ", or measure with --engine io_uring");
        return {};
    case EngineKind::Auto:
    case EngineKind::Portable:
        break;
    }
    return {};
}

std::optional<EngineKind> engineKindFromName(const std::string& name) {
    for (EngineKind k :
         {EngineKind::Auto, EngineKind::IoUring, EngineKind::Portable, EngineKind::Libaio})
        if (name == engineKindName(k)) return k;
    return std::nullopt;
}

const char* engineKindName(EngineKind kind) {
    switch (kind) {
    case EngineKind::IoUring:
        return "io_uring";
    case EngineKind::Portable:
        return "portable";
    case EngineKind::Libaio:
        return "libaio";
    case EngineKind::Auto:
        break;
    }
    return "auto";
}

} // namespace aiotune
