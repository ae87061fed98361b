#pragma once
// What NVMe offload keeps on disk under its nvme_path on one node, to compare
// with the free space there. The swap files, as DeepSpeed writes them (read
// in deepspeedai/DeepSpeed v0.19.5; the same files since v0.3.15):
//
// - Parameters (runtime/swap_tensor/partitioned_param_swapper.py): one file
//   per parameter partition, <nvme_path>/zero_stage_3/<dtype>params/rank<r>/,
//   in the model's dtype (2 bytes with fp16/bf16, else 4). ZeRO-3 splits each
//   parameter over all ranks, so a rank writes 1/world-size of the model and
//   a node (its ranks together) 1/nodes of it. Partitions below max(1 MiB,
//   block_size) stay in memory, and each file is padded to 1024 x
//   intra_op_parallelism bytes: the figure is the model's full size, a little
//   high for small tensors.
// - Optimizer (runtime/swap_tensor/optimizer_utils.py,
//   partitioned_optimizer_swapper.py, pipelined_optimizer_swapper.py; files
//   <nvme_path>/zero_stage_3/optimizer/rank<r>/): per sub-group the fp32
//   copy of its parameters and each optimizer state (Adam: exp_avg,
//   exp_avg_sq), plus its fp32 gradients (swap_out_gradients): 16 bytes per
//   parameter with Adam, 4 per swapped tensor in general, again split over
//   the ranks.
//
// Without the model's size only the config speaks: the parameter swap
// buffers (buffer_count x aligned buffer_size x dtype bytes) are what a rank
// writes out at least once they are all used; the optimizer's files need the
// model's size.
#include "check/offload_settings.h"
#include "util/result.h"

#include <cstdint>
#include <optional>
#include <string>

namespace aiotune {

struct ModelSize {
    double parameters = 0.0; // the whole model's parameter count, e.g. 7e9
    int nodes = 1;           // nodes the ranks run on (each holds 1/nodes on its drive)
};

// Limits of what `--model-params` / `--nodes` take (no model has 1e15 parameters).
inline constexpr double kMaxModelParameters = 1e15;
inline constexpr int kMaxNodes = 100000;

struct SwapFootprint {
    bool fromModel = false;           // false: the config's parameter buffers alone
    std::uint64_t paramBytes = 0;     // on one node's parameter nvme_path
    std::uint64_t optimizerBytes = 0; // on one node's optimizer nvme_path
    std::string paramText;            // how the figure was reached; empty when not offloaded
    std::string optimizerText;
};

// ranksPerNode (at least 1; the GPUs seen) multiplies the per-rank buffers
// when no model size is given; with one, the node's share is the model's / nodes.
SwapFootprint swapFootprint(const OffloadSettings& settings, const std::optional<ModelSize>& model,
                            int ranksPerNode = 1);

// Errors name the value and the range (for the command line and the window).
Result<ModelSize> parseModelSize(const std::string& parameters, const std::string& nodes);

} // namespace aiotune
