#pragma once
// What a DeepSpeed config asks of NVMe offload, as DeepSpeed would read it:
// the ZeRO stage, the offload_param / offload_optimizer sections, the aio
// settings the target version really uses, and the tensor sizes the swap
// buffers are counted in. The config check fills it; the swap-buffer,
// nvme_path and machine checks read it.
#include "config/aio_config.h"

#include <cstdint>
#include <optional>
#include <string>

namespace aiotune {

struct OffloadSection {
    bool present = false;
    std::string path;                    // "zero_optimization.offload_param"
    std::string device = "none";         // "none", "cpu", "nvme" (or what the file says)
    std::optional<std::string> nvmePath; // as written
    std::uint64_t bufferCount = 0;       // DeepSpeed's default for the section
    std::uint64_t bufferSize = 0;        // elements per buffer (offload_param only)
    std::uint64_t maxInCpu = 1000000000; // offload_param only: elements kept in pinned CPU buffers
    bool pinMemory = true;
    bool pipelineRead = false;           // offload_optimizer only
    bool pipelineWrite = false;
    bool fastInit = false; // offload_optimizer only
    double ratio = 1.0;    // offload_optimizer only (0.12.3+)

    bool nvme() const { return present && device == "nvme"; }
};

struct OffloadSettings {
    int zeroStage = 0;
    OffloadSection param;     // defaults: buffer_count 5, buffer_size 1e8 elements
    OffloadSection optimizer; // default: buffer_count 4
    bool aioPresent = false;  // a top-level "aio" object (not missing, not null)
    AioConfig aio;            // the settings the target DeepSpeed version uses
    int paramElementBytes = 4;   // 2 with fp16 or bf16 enabled: the swapped parameters' dtype
    std::string optimizerType;   // "optimizer.type" as written, lower case; empty if none
    int optimizerStateTensors = 3; // tensors swapped per parameter: the fp32 copy + states
    // zero_optimization.sub_group_size: bounds the largest sub-group, which sizes
    // each optimizer swap buffer (default 1e9 from DeepSpeed 0.4.1, 1e12 before).
    std::uint64_t subGroupSize = 1000000000;

    bool anyNvme() const { return param.nvme() || optimizer.nvme(); }
};

} // namespace aiotune
