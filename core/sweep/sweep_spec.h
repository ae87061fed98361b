#pragma once
// What to sweep: target folders, a value list per aio parameter, io size,
// loops and operations. Built from CLI lists, a DeepSpeed sweep-config JSON
// or a preset; expands to the grid of configurations.
#include "config/aio_config.h"
#include "util/result.h"

#include <nlohmann/json.hpp>

#include <cstdint>
#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

namespace aiotune {

struct SweepSpec {
    std::vector<std::filesystem::path> folders;
    std::vector<std::uint64_t> blockSizes{1048576};
    std::vector<int> queueDepths{8};
    std::vector<bool> singleSubmit{false};
    std::vector<bool> overlapEvents{true};
    std::vector<int> threads{1}; // intra_op_parallelism
    std::uint64_t ioSize = 400ull << 20;
    int loops = 1;
    bool read = true;
    bool write = true;

    // Every combination, block size outermost, in a stable order.
    std::vector<AioConfig> expand() const;
    std::size_t pointCount() const;
    // No folder, or what validateRanges refuses: a message naming the value.
    Result<void> validate() const;
    // The ranges alone (the window checks them before folders are chosen):
    // empty lists, no operation, and every combination by checkTransferShape
    // (config/transfer_limits.h).
    Result<void> validateRanges() const;

    // {"block_size": ["128K", "1M"], "queue_depth": [8, 32], ...} with every
    // historical key (overlap_events / sequential_requests, io_parallel /
    // threads); values may be scalars or lists, sizes strings or numbers.
    // Keys it cannot use become warnings.
    static Result<SweepSpec> fromDeepSpeedSweepConfig(const nlohmann::json& doc,
                                                      std::string_view sourceName,
                                                      std::vector<std::string>* warnings = nullptr);
    static Result<SweepSpec> fromDeepSpeedSweepConfigFile(const std::filesystem::path& file,
                                                          std::vector<std::string>* warnings = nullptr);

    // aiotune's own form (presets, remembered settings, sweep.json): the same
    // keys as DeepSpeed's sweep config plus io_size, loops, read, write, folders.
    nlohmann::json toJson() const;
    static Result<SweepSpec> fromJson(const nlohmann::json& doc, std::string_view sourceName);

    bool operator==(const SweepSpec&) const = default;
};

} // namespace aiotune
