#pragma once
// The one place that decides which block_size, queue_depth,
// intra_op_parallelism (io_parallel) and io_size aiotune accepts, alone and
// together. `aiotune io`, `aiotune sweep` (SweepSpec::validate), the aio config
// parser (validateAioConfig), the window's ranges and the engines all ask here,
// so one input never passes in one place and fails in another. Every message
// names the setting, its value and what to use instead.
#include "util/result.h"

#include <cstdint>

namespace aiotune {

struct AioConfig;

namespace limits {
// O_DIRECT needs requests aligned to the logical block; 4 KiB covers every
// NVMe format in use and is what DeepSpeed's own tuner assumes.
inline constexpr std::uint64_t kAlignment = 4096;
// Linux moves at most 2 GiB - 4 KiB in one read or write (MAX_RW_COUNT); a
// larger block would silently become several requests. 1 GiB stays below it.
inline constexpr std::uint64_t kMaxBlockSize = 1ull << 30;
// io_uring refuses rings of more than 32768 entries (IORING_MAX_ENTRIES) and
// each thread's ring holds queue_depth entries; libaio's io_setup accepts as
// many under the default fs.aio-max-nr (65536).
inline constexpr int kMaxQueueDepth = 32768;
// Each thread owns a ring and a file descriptor; far past any useful count.
inline constexpr int kMaxParallelism = 256;
// The whole io_size is one buffer in memory; 1 TiB is beyond any machine
// aiotune tunes, and keeps every product of sizes far from overflow.
inline constexpr std::uint64_t kMaxIoSize = 1ull << 40;
} // namespace limits

// How strictly the relation between io_size, intra_op_parallelism and
// block_size is checked.
enum class SplitRule {
    // What DeepSpeed requires and a fair comparison needs: io_size splits into
    // intra_op_parallelism equal slices of whole 4 KiB pages, and a block is
    // no larger than one slice. Used for everything a user asks for.
    DeepSpeed,
    // What the engines can move safely: every slice at least 4 KiB (uneven
    // slices and a block larger than its slice are allowed, so engine tests
    // can exercise the remainder paths).
    EngineSafe,
};

// One value alone: zero, unaligned and above-the-cap values are errors.
Result<void> checkBlockSize(std::uint64_t blockSize);
Result<void> checkQueueDepth(long long queueDepth);
Result<void> checkParallelism(long long intraOpParallelism);
Result<void> checkIoSize(std::uint64_t ioSize);

// block_size, queue_depth and intra_op_parallelism of a config alone (no io size).
Result<void> checkAioLimits(const AioConfig& aio);

// Every value and their relations for one transfer of ioSize bytes.
Result<void> checkTransferShape(std::uint64_t ioSize, const AioConfig& aio,
                                SplitRule rule = SplitRule::DeepSpeed);

// buffers × ioSize must fit in memoryBytes (the machine's physical memory,
// passed in so tests choose it); memoryBytes 0 means unknown and passes.
Result<void> checkBuffersFitMemory(std::uint64_t ioSize, std::uint64_t buffers,
                                   std::uint64_t memoryBytes);

} // namespace aiotune
