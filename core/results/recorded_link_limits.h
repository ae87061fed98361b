#pragma once
// Which PCIe links bound the figures of recorded results (a sweep.json read
// back, a folder opened in the window): this machine's links describe them
// only when the sweep ran here and its folders still exist. Elsewhere, and
// for DeepSpeed's logs (which name no folder), there are none and only the
// read/write ratio is judged.
#include "devices/link_limits.h"
#include "results/result_model.h"

#include <functional>
#include <string>

namespace aiotune {

// `discover` is called only when limits can apply (it reads sysfs).
LinkLimits recordedLinkLimits(const ResultSet& results,
                              const std::function<DiscoveryReport()>& discover,
                              const std::string& thisHost = thisHostName());

} // namespace aiotune
