#pragma once
// The most a folder's drive can move in one direction: its NVMe controller's
// current PCIe link (speed x width from sysfs). The plausibility checks
// (results/plausibility.h) flag figures above it; they take these limits as
// a parameter, so building them is the only part that reads the machine.
#include "devices/device_discovery.h"

#include <map>
#include <string>
#include <string_view>
#include <vector>

namespace aiotune {

struct DriveLink {
    std::string drive;         // "nvme0n1": folders on one drive share its link
    double bytesPerSecond = 0; // one direction, after line encoding
    std::string link;          // "16 GT/s x4"
};

// Folder path, as a sweep recorded it (Sample::folder, SweepSpec::folders),
// to its drive's link. Folders whose drive or link is unknown are absent.
struct LinkLimits {
    std::map<std::string, DriveLink> byFolder;

    const DriveLink* find(const std::string& folder) const;
    bool empty() const { return byFolder.empty(); }
};

// The links of the NVMe drives holding these folders, as discovery saw them.
// A folder need not exist: its mount is then found by its path alone.
LinkLimits linkLimitsForFolders(const std::vector<std::string>& folders,
                                const DiscoveryReport& report);

// The same for folders a recorded sweep ran on, which this machine's links
// describe only when the sweep ran here: nothing unless recordedHost equals
// thisHost, and only the folders that still exist (a folder recorded
// elsewhere, or since removed, may now sit on another drive or none).
LinkLimits linkLimitsForRecordedFolders(const std::vector<std::string>& folders,
                                        std::string_view recordedHost, std::string_view thisHost,
                                        const DiscoveryReport& report);

// uname's node name, what a sweep records as its host; empty when unknown.
std::string thisHostName();

// Discovers this machine's drives (virtual ones too, no free-space queries)
// for the functions above; an empty report when /sys cannot be read.
DiscoveryReport discoverForLinkLimits(DiscoveryOptions options = {});

} // namespace aiotune
