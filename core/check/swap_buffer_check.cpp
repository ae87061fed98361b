#include "check/swap_buffer_check.h"

#include "util/byte_size.h"

#include <algorithm>
#include <cstdint>
#include <optional>

namespace aiotune {

namespace {

constexpr std::uint64_t kMinSwapBytes = 1ull << 20;   // DeepSpeed's MIN_AIO_BYTES
constexpr std::uint64_t kAlignedBytes = 1024;         // DeepSpeed's AIO_ALIGNED_BYTES
constexpr std::uint64_t kParamBufferCountDefault = 5;
constexpr std::uint64_t kParamBufferSizeDefault = 100000000;
constexpr std::uint64_t kTorchSizeMax = 9223372036854775807ull; // int64

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
        // partitioned_param_swapper.py: torch.empty(int(aligned_elements_per_buffer *
        // param_buffer_count)); torch's numel and byte size are int64.
        std::uint64_t bufferBytes = 0, allElements = 0, allBytes = 0;
        const bool overflow = __builtin_mul_overflow(elements, elem, &bufferBytes) ||
                              __builtin_mul_overflow(elements, s.param.bufferCount, &allElements) ||
                              __builtin_mul_overflow(bufferBytes, s.param.bufferCount, &allBytes) ||
                              allBytes > kTorchSizeMax;
        if (overflow) {
            needs.paramBuffersOverflow = true;
        } else {
            needs.paramBufferBytes = bufferBytes;
            needs.paramPinnedBytes = allBytes;
        }
    }
    if (s.optimizer.nvme()) {
        const int pipelined = (s.optimizer.pipelineRead ? 1 : 0) + (s.optimizer.pipelineWrite ? 1 : 0);
        needs.optimizerBuffersNeeded = (s.optimizerStateTensors + 1) * (1 + pipelined);
    }
    return needs;
}

namespace {

// a x b, or nullopt beyond torch's int64 sizes.
std::optional<std::uint64_t> torchProduct(std::uint64_t a, std::uint64_t b) {
    std::uint64_t r = 0;
    if (__builtin_mul_overflow(a, b, &r) || r > kTorchSizeMax) return std::nullopt;
    return r;
}

} // namespace

PinnedMemoryNeeds pinnedMemoryNeeds(const OffloadSettings& s, const DeepSpeedVersion& version) {
    PinnedMemoryNeeds n;
    const SwapBufferNeeds swap = swapBufferNeeds(s);
    // Swap buffers are mlock'd (aio handle new_cpu_locked_tensor ->
    // csrc/aio/common/deepspeed_aio_utils.cpp ds_page_aligned_alloc) from
    // v0.19.4 (swap_tensor/partitioned_param_swapper.py, swap_tensor/utils.py
    // SwapBufferManager); before, get_accelerator().pin_memory: CUDA pinned
    // memory, which RLIMIT_MEMLOCK does not limit.
    const bool mlocked = version >= DeepSpeedVersion{0, 19, 4};
    // With use_gds (read from v0.15.0) the parameter buffers are GPU memory
    // (partitioned_param_swapper.py: device=get_accelerator().device_name()).
    const bool paramOnGpu = version.readsUseGds() && s.aio.use_gds;
    n.lockNote = mlocked
                     ? "DeepSpeed " + version.toString() + " mlocks its swap buffers (from 0.19.4)"
                     : "DeepSpeed " + version.toString() +
                           " allocates its swap buffers as CUDA pinned memory, which ulimit -l "
                           "does not limit (mlock from 0.19.4)";
    const auto addSwap = [&](std::uint64_t exact, std::uint64_t upTo) {
        (mlocked ? n.lockedExact : n.pinnedExact) += exact;
        (mlocked ? n.lockedUpTo : n.pinnedUpTo) += upTo;
    };
    const auto part = [&](const std::string& text) {
        n.what += (n.what.empty() ? "" : ", ") + text;
    };
    if (s.param.nvme()) {
        if (paramOnGpu) {
            part("parameter swap buffers " + formatByteSizeHuman(swap.paramPinnedBytes) +
                 " in GPU memory (use_gds), not host memory");
        } else if (swap.paramPinnedBytes > 0) {
            addSwap(swap.paramPinnedBytes, swap.paramPinnedBytes);
            part("parameter swap buffers " + formatByteSizeHuman(swap.paramPinnedBytes));
        }
        // stage3.py _create_param_groups_fp16_flat_cpu_memory: up to max_in_cpu
        // elements of the model's dtype, always get_accelerator().pin_memory.
        if (auto bytes =
                torchProduct(s.param.maxInCpu, static_cast<std::uint64_t>(s.paramElementBytes));
            bytes && *bytes > 0) {
            n.pinnedUpTo += *bytes;
            part("parameters kept in CPU (max_in_cpu) up to " + formatByteSizeHuman(*bytes));
        }
    }
    if (s.optimizer.nvme() && s.optimizer.bufferCount > 0) {
        // swap_tensor/optimizer_utils.py: buffer_count buffers of the largest
        // sub-group's fp32 elements (aligned); a sub-group closes once it holds
        // sub_group_size elements, so it is about sub_group_size at most.
        const std::uint64_t threads =
            static_cast<std::uint64_t>(std::max(1, s.aio.intra_op_parallelism));
        const std::uint64_t align = std::max<std::uint64_t>(1, kAlignedBytes * threads / 4);
        const std::uint64_t largest = roundUp(std::min(s.subGroupSize, kTorchSizeMax / 8), align);
        if (auto elements = torchProduct(largest, s.optimizer.bufferCount))
            if (auto bytes = torchProduct(*elements, 4)) {
                addSwap(0, *bytes);
                part("optimizer swap buffers up to " + formatByteSizeHuman(*bytes) + " (" +
                     std::to_string(s.optimizer.bufferCount) + " x sub_group_size " +
                     std::to_string(s.subGroupSize) +
                     " x 4 bytes; the model's largest sub-group decides)");
            }
    }
    return n;
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
        if (needs.paramBuffersOverflow)
            add(FindingSeverity::Error, "PARAM_BUFFERS_TOO_LARGE", countKey,
                "buffer_count " + std::to_string(s.param.bufferCount) + " x buffer_size " +
                    std::to_string(s.param.bufferSize) + " " + elemText +
                    " elements is beyond 2^63-1 bytes, the largest tensor torch can size: "
                    "DeepSpeed "
                    "fails allocating its parameter swap buffers",
                "lower buffer_count or buffer_size (DeepSpeed's defaults: 5 and 100000000)");
        // partitioned_param_swapper.py: buffer_count 0 fails while partitioning
        // ("No swap buffers to allocate"); with any count, a fetch of more large
        // parameters than free buffers fails ("Not enough buffers", #3062 with 5).
        if (s.param.bufferCount == 0)
            add(FindingSeverity::Error, "PARAM_BUFFER_COUNT_ZERO", countKey,
                "no parameter swap buffers: DeepSpeed stops while partitioning the model with \"No "
                "swap buffers to allocate\"",
                "set buffer_count to at least 5 (DeepSpeed's default), and more if one module "
                "swaps in "
                "more large parameters at once");
        else if (s.param.bufferCount < kParamBufferCountDefault)
            add(FindingSeverity::Warning, "PARAM_BUFFER_COUNT_LOW", countKey,
                "buffer_count " + std::to_string(s.param.bufferCount) +
                    " is below DeepSpeed's default of 5: a module that swaps in more large "
                    "parameters at once than there are free buffers stops DeepSpeed with \"Not "
                    "enough buffers\"",
                "raise buffer_count to at least the number of large parameters in one module; the "
                "default 5 is no guarantee either (\"Not enough buffers 0 for swapping 1\" is "
                "reported "
                "with it when buffers are still held)");
        std::uint64_t bufferBytes = 0;
        if (__builtin_mul_overflow(s.param.bufferSize,
                                   static_cast<std::uint64_t>(s.paramElementBytes), &bufferBytes))
            bufferBytes = UINT64_MAX; // reported above as too large, never below the minimum
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
    // swap_tensor/optimizer_utils.py _initialize_from_swapped_fp16_params (every
    // release since 0.3.15): with parameters on NVMe and fast_init, the
    // parameter swap buffers must each hold the largest sub-group (aligned),
    // or "numel of fp16 buffers ... is too small for initializing fp32 params".
    if (s.param.nvme() && s.optimizer.nvme() && s.optimizer.fastInit &&
        !needs.paramBuffersOverflow && s.paramElementBytes > 0) {
        const std::uint64_t paramElements =
            needs.paramBufferBytes / static_cast<std::uint64_t>(s.paramElementBytes);
        const std::uint64_t threads =
            static_cast<std::uint64_t>(std::max(1, s.aio.intra_op_parallelism));
        const std::uint64_t largest =
            roundUp(std::min(s.subGroupSize, kTorchSizeMax / 8),
                    std::max<std::uint64_t>(1, kAlignedBytes * threads / 4));
        if (paramElements < largest)
            add(FindingSeverity::Warning, "FAST_INIT_BUFFER_TOO_SMALL",
                s.optimizer.path + ".fast_init",
                "fast_init fills the optimizer's fp32 copy through the parameter swap buffers, "
                "which hold " +
                    std::to_string(paramElements) +
                    " elements each; a sub-group can be as large as "
                    "sub_group_size (" +
                    std::to_string(s.subGroupSize) +
                    "), and one larger than a buffer stops DeepSpeed with \"numel of fp16 buffers "
                    "... is "
                    "too small for initializing fp32 params\"",
                "make offload_param.buffer_size at least sub_group_size (or lower sub_group_size "
                "to "
                "buffer_size), or remove fast_init");
    }
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
