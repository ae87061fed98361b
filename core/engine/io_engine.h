#pragma once
// One transfer: io_size bytes between a page-aligned buffer and a scratch
// file, with DeepSpeed's meaning of every aio key (see core/README.md).
#include "config/aio_config.h"
#include "engine/measurement_profile.h"
#include "util/result.h"

#include <atomic>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>

namespace aiotune {

class AlignedBuffer;
class ScratchFile;

enum class IoDirection { Read, Write };

struct TransferParams {
    IoDirection direction = IoDirection::Write;
    std::uint64_t ioSize = 0;   // bytes; a multiple of 4096
    AioConfig aio;              // block_size, queue_depth, single_submit, overlap_events, threads
    MeasurementProfile profile; // registered buffers only when the profile asks for them
};

struct LatencySummary {
    double p50Us = 0;
    double p99Us = 0;
    double maxUs = 0;
    std::uint64_t requests = 0;
};

struct TransferResult {
    std::uint64_t bytes = 0;
    // End to end as DeepSpeed's handle sees a swap: from handing the transfer
    // to the handle's threads until the last of them is done. The threads,
    // their rings or contexts and descriptors exist before (setupSeconds).
    double seconds = 0;
    double ioSeconds = 0; // first submit to last completion
    double gibPerSec = 0; // bytes / seconds / 2^30 (DeepSpeed's "E2E ... GB/sec")
    // Opening the handle (threads, rings or contexts, descriptors), untimed:
    // on the handle's first transfer; 0 on the transfers that reused it.
    double setupSeconds = 0;
    double ioGibPerSec = 0;
    LatencySummary latency;
    double cpuSeconds = 0;               // user + system time of the transfer's threads
    std::string engine;                  // which engine measured it
    std::string notes;                   // e.g. "registered buffers refused by RLIMIT_MEMLOCK"
    std::optional<double> hugePageShare; // 0..1 of the buffer on huge pages, when known (smaps)
    // What measured it: pages and locking as the buffer was asked for,
    // registration as the params asked; notes say where reality fell short.
    MeasurementProfile profile;
};

// Checks the parameters against each other and the buffer/file sizes; the
// message names the value and what to change.
Result<void> validateTransfer(const TransferParams& params);

// What DeepSpeed's aio handle holds from one swap to the next: for one
// configuration and io size, the threads, each with its ring or context and
// descriptor, ready before a transfer starts (DeepSpeed 0.17.1 to 0.19.5,
// csrc/aio/py_lib/deepspeed_py_io_handle.cpp: the constructor starts the
// threads, deepspeed_aio_thread.cpp gives each its aio_context, which
// io_queue_init's in deepspeed_aio_types.cpp; deepspeed/nvme/io_engine.py
// times only the main task, after the "pre" task created handle and buffers).
// Must not outlive its engine, file or buffer.
class IoHandle {
  public:
    virtual ~IoHandle() = default;
    // Moves the handle's io size between buffer and file; cancel, when set,
    // stops it early with an error "cancelled". After a failed transfer the
    // handle still serves the next one.
    virtual Result<TransferResult> transfer(IoDirection direction,
                                            const std::atomic<bool>* cancel = nullptr) = 0;
};

class IoEngine {
  public:
    virtual ~IoEngine() = default;
    virtual std::string name() const = 0;
    // One transfer with a handle of its own: params.ioSize bytes between
    // buffer[0..ioSize) and file[0..ioSize); setupSeconds says what opening
    // the handle took. cancel, when set, stops the transfer early with an error "cancelled".
    virtual Result<TransferResult> transfer(const TransferParams& params, const ScratchFile& file,
                                            AlignedBuffer& buffer,
                                            const std::atomic<bool>* cancel = nullptr) = 0;
    // A handle for params' configuration and io size (params.direction only
    // names the first transfer in messages). The default runs transfer() each
    // time, for engines with nothing to set up ahead.
    virtual Result<std::unique_ptr<IoHandle>> open(const TransferParams& params,
                                                   const ScratchFile& file, AlignedBuffer& buffer);
};

enum class EngineKind { Auto, IoUring, Portable, Libaio };

// Auto picks io_uring when the kernel allows it (probeIoUring), else the
// portable engine. reason receives why io_uring was not used, if it was not.
// An engine asked for by name is never swapped for another: a libaio engine
// where libaio is missing fails every transfer with probeEngine's message.
std::unique_ptr<IoEngine> createEngine(EngineKind kind, std::string* reason = nullptr);

// Whether io_uring can be used here (a disabled sysctl or a seccomp filter
// makes io_uring_setup fail); the error says why.
Result<void> probeIoUring();

// Whether the engine of that kind can run here (io_uring: probeIoUring;
// libaio: the library loads and io_setup works); refuse before any I/O on error.
Result<void> probeEngine(EngineKind kind);

// "auto", "io_uring", "portable", "libaio" <-> EngineKind; nullopt for others.
std::optional<EngineKind> engineKindFromName(const std::string& name);
const char* engineKindName(EngineKind kind);

} // namespace aiotune
