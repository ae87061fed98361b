#include "config/transfer_limits.h"

#include "config/aio_config.h"
#include "util/byte_size.h"

#include <string>

namespace aiotune {

using namespace limits;

namespace {

std::string sizeText(std::uint64_t bytes) {
    const std::string tag = formatByteSizeTag(bytes);
    return tag == std::to_string(bytes) ? tag : tag + " (" + std::to_string(bytes) + " bytes)";
}

// The nearest multiple of `step` at or below `value`, but at least `step`.
std::uint64_t roundDown(std::uint64_t value, std::uint64_t step) {
    const std::uint64_t down = value / step * step;
    return down == 0 ? step : down;
}

} // namespace

Result<void> checkBlockSize(std::uint64_t b) {
    if (b == 0)
        return makeError("block_size 0 is not a request size: use a positive multiple of 4096 "
                         "bytes, e.g. 1M");
    if (b % kAlignment != 0)
        return makeError("block_size " + std::to_string(b) +
                         " is not a multiple of 4096 bytes, which O_DIRECT needs: use " +
                         sizeText(roundDown(b, kAlignment)) + " or " +
                         sizeText(roundDown(b, kAlignment) + kAlignment));
    if (b > kMaxBlockSize)
        return makeError("block_size " + sizeText(b) +
                         " is above 1G, more than Linux moves in one request: use at most 1G");
    return {};
}

Result<void> checkQueueDepth(long long q) {
    if (q < 1)
        return makeError("queue_depth " + std::to_string(q) +
                         " must be at least 1 (requests in flight per thread): use e.g. 8 or 32");
    if (q > kMaxQueueDepth)
        return makeError("queue_depth " + std::to_string(q) + " is above " +
                         std::to_string(kMaxQueueDepth) +
                         ", the largest ring io_uring accepts: use at most " +
                         std::to_string(kMaxQueueDepth) + " (DeepSpeed's sweeps use 32 or 128)");
    return {};
}

Result<void> checkParallelism(long long p) {
    if (p < 1)
        return makeError("intra_op_parallelism " + std::to_string(p) +
                         " (io_parallel, threads per transfer) must be at least 1: use e.g. 1 or 8");
    if (p > kMaxParallelism)
        return makeError("intra_op_parallelism " + std::to_string(p) +
                         " (io_parallel, threads per transfer) is above " +
                         std::to_string(kMaxParallelism) + ": use at most " +
                         std::to_string(kMaxParallelism));
    return {};
}

Result<void> checkIoSize(std::uint64_t s) {
    if (s == 0) return makeError("io_size is 0: give the bytes per transfer, e.g. 400M");
    if (s % kAlignment != 0)
        return makeError("io_size " + std::to_string(s) +
                         " is not a multiple of 4096 bytes, which O_DIRECT needs: use " +
                         formatByteSizeTag(roundDown(s, kAlignment)));
    if (s > kMaxIoSize)
        return makeError("io_size " + sizeText(s) +
                         " is above 1T; the whole transfer is one buffer in memory: use a smaller "
                         "io_size, e.g. 1G");
    return {};
}

Result<void> checkAioLimits(const AioConfig& aio) {
    if (auto ok = checkBlockSize(aio.block_size); !ok) return ok;
    if (auto ok = checkQueueDepth(aio.queue_depth); !ok) return ok;
    return checkParallelism(aio.intra_op_parallelism);
}

Result<void> checkTransferShape(std::uint64_t ioSize, const AioConfig& aio, SplitRule rule) {
    if (auto ok = checkIoSize(ioSize); !ok) return ok;
    if (auto ok = checkAioLimits(aio); !ok) return ok;
    const auto p = static_cast<std::uint64_t>(aio.intra_op_parallelism);
    if (rule == SplitRule::EngineSafe) {
        if (ioSize / kAlignment < p)
            return makeError("io_size " + sizeText(ioSize) + " is too small to split over " +
                             std::to_string(p) + " threads (each needs at least 4096 bytes)");
        return {};
    }
    const std::uint64_t unit = kAlignment * p; // one page per thread
    if (ioSize % unit != 0)
        return makeError("io_size " + sizeText(ioSize) + " does not split evenly into " +
                         std::to_string(p) + " slices of whole 4 KiB pages (intra_op_parallelism " +
                         std::to_string(p) + "), as DeepSpeed requires: use an io_size that is " +
                         "a multiple of " + formatByteSizeTag(unit) + ", e.g. " +
                         formatByteSizeTag(roundDown(ioSize, unit)));
    const std::uint64_t slice = ioSize / p;
    if (aio.block_size > slice)
        return makeError("block_size " + formatByteSizeTag(aio.block_size) +
                         " is larger than " +
                         (p == 1 ? "io_size " + formatByteSizeTag(ioSize)
                                 : "each thread's slice (io_size " + formatByteSizeTag(ioSize) +
                                       " / intra_op_parallelism " + std::to_string(p) + " = " +
                                       formatByteSizeTag(slice) + ")") +
                         ", so no request would be that big: use block_size " +
                         formatByteSizeTag(slice) + " or less, or a larger io_size");
    return {};
}

Result<void> checkBuffersFitMemory(std::uint64_t ioSize, std::uint64_t buffers,
                                   std::uint64_t memoryBytes) {
    if (memoryBytes == 0 || buffers == 0) return {};
    // ioSize <= 1 TiB and buffers is a folder count, so this cannot overflow.
    const std::uint64_t needed = ioSize * buffers;
    if (needed <= memoryBytes) return {};
    return makeError("io_size " + formatByteSizeTag(ioSize) +
                     (buffers > 1 ? " for each of " + std::to_string(buffers) + " folders" : std::string()) +
                     " needs " + formatByteSizeHuman(needed) +
                     " of buffer memory, more than this machine's " +
                     formatByteSizeHuman(memoryBytes) + ": use a smaller io_size");
}

} // namespace aiotune
