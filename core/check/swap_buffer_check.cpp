#include "check/swap_buffer_check.h"

#include "util/byte_size.h"

#include <algorithm>

namespace aiotune {

namespace {

constexpr std::uint64_t kMinSwapBytes = 1ull << 20;   // DeepSpeed's MIN_AIO_BYTES
constexpr std::uint64_t kAlignedBytes = 1024;         // DeepSpeed's AIO_ALIGNED_BYTES
constexpr std::uint64_t kParamBufferCountDefault = 5;
constexpr std::uint64_t kParamBufferSizeDefault = 100000000;

std::uint64_t roundUp(std::uint64_t n, std::uint64_t to) {
    return to == 0 ? n : (n + to - 1) / to * to;
}

} // namespace

SwapBufferNeeds swapBufferNeeds(const OffloadSettings& s) {
    SwapBufferNeeds needs;
    const std::uint64_t threads = static_cast<std::uint64_t>(std::max(1, s.aio.intra_op_parallelism));
    needs.minimumSwappedBytes = std::max<std::uint64_t>(kMinSwapBytes, s.aio.block_size);
    if (s.param.nvme()) {
        const std::uint64_t elem = static_cast<std::uint64_t>(s.paramElementBytes);
        const std::uint64_t alignElements = std::max<std::uint64_t>(1, kAlignedBytes * threads / elem);
        const std::uint64_t elements = roundUp(s.param.bufferSize, alignElements);
        needs.paramBufferBytes = elements * elem;
        needs.paramPinnedBytes = needs.paramBufferBytes * s.param.bufferCount;
    }
    if (s.optimizer.nvme()) {
        const int pipelined = (s.optimizer.pipelineRead ? 1 : 0) + (s.optimizer.pipelineWrite ? 1 : 0);
        needs.optimizerBuffersNeeded = (s.optimizerStateTensors + 1) * (1 + pipelined);
    }
    return needs;
}

std::vector<CheckFinding> checkSwapBuffers(const OffloadSettings& s) {
    std::vector<CheckFinding> out;
    const SwapBufferNeeds needs = swapBufferNeeds(s);
    const auto add = [&](FindingSeverity sev, std::string code, std::string subject, std::string message,
                         std::string fix) {
        out.push_back({sev, std::move(code), std::move(subject), std::move(message), std::move(fix)});
    };
    const std::string elemText = std::to_string(s.paramElementBytes) + "-byte";

    if (s.param.nvme()) {
        const std::string countKey = s.param.path + ".buffer_count";
        const std::string sizeKey = s.param.path + ".buffer_size";
        if (s.param.bufferCount == 0)
            add(FindingSeverity::Error, "PARAM_BUFFER_COUNT_ZERO", countKey,
                "no parameter swap buffers: the first parameter swapped in stops DeepSpeed with "
                "\"Not enough buffers 0 for swapping 1\"",
                "set buffer_count to at least 5 (DeepSpeed's default)");
        else if (s.param.bufferCount < kParamBufferCountDefault)
            add(FindingSeverity::Warning, "PARAM_BUFFER_COUNT_LOW", countKey,
                "buffer_count " + std::to_string(s.param.bufferCount) +
                    " is below DeepSpeed's default of 5: a module that swaps in more large "
                    "parameters at once than there are free buffers stops DeepSpeed with \"Not "
                    "enough buffers\"",
                "raise buffer_count to at least the number of large parameters in one module "
                "(5 is DeepSpeed's default)");
        const std::uint64_t bufferBytes = s.param.bufferSize * static_cast<std::uint64_t>(s.paramElementBytes);
        if (bufferBytes < needs.minimumSwappedBytes)
            add(FindingSeverity::Error, "PARAM_BUFFER_BELOW_SWAP_MINIMUM", sizeKey,
                "a buffer holds " + std::to_string(s.param.bufferSize) + " " + elemText +
                    " elements (" + formatByteSizeHuman(bufferBytes) +
                    "), but DeepSpeed swaps only partitions of at least " +
                    formatByteSizeHuman(needs.minimumSwappedBytes) +
                    " (1 MiB or block_size, whichever is larger): every partition it swaps stops "
                    "it with \"More elements ... than buffer size\"",
                "raise buffer_size to at least " +
                    std::to_string(needs.minimumSwappedBytes / static_cast<std::uint64_t>(s.paramElementBytes)) +
                    " elements; DeepSpeed's default is 100000000");
        else if (s.param.bufferSize < kParamBufferSizeDefault)
            add(FindingSeverity::Warning, "PARAM_BUFFER_SIZE_SMALL", sizeKey,
                "buffer_size " + std::to_string(s.param.bufferSize) +
                    " elements is below DeepSpeed's default of 100000000: any parameter whose "
                    "per-rank partition (its element count / data-parallel ranks) is larger stops "
                    "DeepSpeed with \"More elements ... than buffer size\"",
                "make buffer_size at least the element count of the largest parameter (often the "
                "embedding, vocabulary x hidden size) divided by the number of ranks");
        const std::uint64_t threads = static_cast<std::uint64_t>(std::max(1, s.aio.intra_op_parallelism));
        const std::uint64_t slice = needs.paramBufferBytes / threads;
        if (needs.paramBufferBytes > 0 && (needs.paramBufferBytes % threads != 0 || slice % s.aio.block_size != 0))
            add(FindingSeverity::Note, "SWAP_BUFFER_NOT_BLOCK_ALIGNED", sizeKey,
                "a full parameter buffer is " + std::to_string(needs.paramBufferBytes) +
                    " bytes; split over " + std::to_string(threads) + " thread(s) that is not a "
                    "whole number of " + formatByteSizeTag(s.aio.block_size) +
                    " blocks, so each thread's last request is a short one",
                "for whole requests make buffer_size x " + std::to_string(s.paramElementBytes) +
                    " bytes a multiple of block_size x intra_op_parallelism (" +
                    std::to_string(s.aio.block_size * threads) + " bytes)");
    }
    if (s.anyNvme() && s.aio.block_size > kMinSwapBytes)
        add(FindingSeverity::Note, "BLOCK_SIZE_LIMITS_SWAP", "aio.block_size",
            "DeepSpeed swaps only tensors of at least block_size (" +
                formatByteSizeTag(s.aio.block_size) + "); smaller ones stay in CPU memory",
            "");
    if (s.optimizer.nvme()) {
        const std::string countKey = s.optimizer.path + ".buffer_count";
        const std::uint64_t need = static_cast<std::uint64_t>(needs.optimizerBuffersNeeded);
        const std::string optimizer = s.optimizerType.empty() ? "an Adam-like optimizer (assumed: no \"optimizer.type\")"
                                                               : "\"" + s.optimizerType + "\"";
        const bool pipelined = s.optimizer.pipelineRead || s.optimizer.pipelineWrite;
        if (s.optimizer.bufferCount < need)
            add(FindingSeverity::Error, "OPTIMIZER_BUFFER_COUNT_LOW", countKey,
                "buffer_count " + std::to_string(s.optimizer.bufferCount) + " is too few: with " +
                    optimizer + " DeepSpeed swaps " + std::to_string(s.optimizerStateTensors) +
                    " tensors per parameter plus its gradient" +
                    (pipelined ? ", and pipelining holds " +
                                     std::to_string(need / static_cast<std::uint64_t>(s.optimizerStateTensors + 1)) +
                                     " parameters' sets at once"
                               : std::string()) +
                    ", so it needs " + std::to_string(need) +
                    " buffers and stops with an assertion when it runs out",
                "set buffer_count to at least " + std::to_string(need));
    }
    return out;
}

} // namespace aiotune
