#include "results/recorded_link_limits.h"

#include "results/plausibility.h"

namespace aiotune {

LinkLimits recordedLinkLimits(const ResultSet& results,
                              const std::function<DiscoveryReport()>& discover,
                              const std::string& thisHost) {
    const auto folders = recordedFolders(results);
    const std::string host = recordingHost(results);
    if (folders.empty() || host.empty() || host != thisHost || !discover) return {};
    return linkLimitsForRecordedFolders(folders, host, thisHost, discover());
}

} // namespace aiotune
