#pragma once
// The config half of `aiotune check`: the "aio" section as the target
// DeepSpeed version reads it (ignored keys, wrong JSON types, values out of
// range, blocks nested where they are never read) and the ZeRO offload
// sections (device, nvme_path, buffer settings, stage), without looking at
// the machine.
#include "check/check_finding.h"
#include "check/offload_settings.h"
#include "config/aio_config.h"

#include <nlohmann/json.hpp>

#include <vector>

namespace aiotune {

struct ConfigCheckOutcome {
    OffloadSettings settings;
    std::vector<CheckFinding> findings;
};

// root must be the parsed config (an object; anything else is one error finding).
ConfigCheckOutcome checkDeepSpeedConfig(const nlohmann::ordered_json& root,
                                        const DeepSpeedVersion& version);

} // namespace aiotune
