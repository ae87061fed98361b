#pragma once
// The window's side of the plausibility checks (results/plausibility.h):
// which PCIe links bound the results shown, and the Log tab's warnings.
#include "devices/device_discovery.h"
#include "devices/link_limits.h"
#include "results/plausibility.h"

#include <optional>
#include <vector>

class LogPane;

// The links of the drives the results were measured on, from the drives
// panel's discovery: only when they were recorded on this machine (a sweep
// just run, or a folder of one) and their folders still exist; none
// otherwise, and before discovery finished (the read/write ratio is judged
// without them).
aiotune::LinkLimits recordedLinkLimits(const aiotune::ResultSet& results,
                                       const std::optional<aiotune::DiscoveryReport>& discovery);

// Each flag as a warning line in the Log tab.
void logPlausibility(LogPane& log, const std::vector<aiotune::PlausibilityFlag>& flags);
