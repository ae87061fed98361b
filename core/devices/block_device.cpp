#include "devices/block_device.h"

#include <nlohmann/json.hpp>

namespace aiotune {

namespace {
template <typename T> nlohmann::ordered_json orNull(const std::optional<T>& v) {
    return v ? nlohmann::ordered_json(*v) : nlohmann::ordered_json(nullptr);
}
} // namespace

nlohmann::ordered_json toJson(const BlockDevice& d) {
    nlohmann::ordered_json mounts = nlohmann::ordered_json::array();
    for (const auto& m : d.mounts)
        mounts.push_back({{"path", m.path},
                          {"fstype", m.fstype},
                          {"device", m.source},
                          {"read_only", m.readOnly},
                          {"free_bytes", orNull(m.freeBytes)},
                          {"total_bytes", orNull(m.totalBytes)}});
    return {{"name", d.name},
            {"model", d.model},
            {"serial", d.serial},
            {"firmware", d.firmware},
            {"size_bytes", orNull(d.sizeBytes)},
            {"logical_block_size", orNull(d.logicalBlockSize)},
            {"numa_node", orNull(d.numaNode)},
            {"scheduler", d.scheduler},
            {"rotational", orNull(d.rotational)},
            {"nvme", d.nvme},
            {"virtual", d.virtualDisk},
            {"partitions", d.partitions},
            {"mounts", std::move(mounts)}};
}

} // namespace aiotune
