#pragma once
// Swap buffers against DeepSpeed's rules (its parameter and optimizer
// swappers), and the page-locked memory they take.
//
// The rules, as DeepSpeed's swap code applies them:
// - Parameter swapping keeps offload_param.buffer_count buffers of
//   offload_param.buffer_size elements each (in the model's dtype), every one
//   page-locked. A parameter partition is swapped only when it is at least
//   max(1 MiB, aio.block_size) bytes; such a partition must fit one buffer
//   ("More elements N than buffer size M"), and one fetch must find as many
//   free buffers as it swaps in parameters ("Not enough buffers").
// - Buffer lengths are rounded up to 1024 bytes times intra_op_parallelism
//   (each thread moves an equal, aligned slice).
// - Optimizer swapping needs, per parameter, one buffer for the fp32 copy,
//   one per optimizer state (Adam: two) and one for the gradient; with
//   pipeline_read or pipeline_write the next or previous parameter's set is
//   held as well. Fewer than that and DeepSpeed stops with an assertion
//   ("ran out of swap buffers"). Each optimizer buffer holds the largest
//   parameter partition in fp32, which only the model knows.
#include "check/check_finding.h"
#include "check/machine_check.h"
#include "check/offload_settings.h"

#include <cstdint>
#include <vector>

namespace aiotune {

struct SwapBufferNeeds {
    std::uint64_t paramPinnedBytes = 0;     // per process (rank)
    std::uint64_t paramBufferBytes = 0;     // one parameter buffer, after alignment
    int optimizerBuffersNeeded = 0;         // 0 without optimizer NVMe offload
    std::uint64_t minimumSwappedBytes = 0;  // smaller tensors stay in memory
    // buffer_count x aligned buffer_size x element bytes is beyond 2^63-1:
    // torch cannot size the buffer (its sizes are int64); the byte figures
    // above are then 0, never a wrapped or capped number.
    bool paramBuffersOverflow = false;
};

SwapBufferNeeds swapBufferNeeds(const OffloadSettings& settings);

// The host memory one rank keeps page-locked for NVMe offload, as the given
// DeepSpeed version allocates it (see swap_buffer_check.cpp for the sources).
PinnedMemoryNeeds pinnedMemoryNeeds(const OffloadSettings& settings,
                                    const DeepSpeedVersion& version);

std::vector<CheckFinding> checkSwapBuffers(const OffloadSettings& settings);

} // namespace aiotune
