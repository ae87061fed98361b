#include "devices/link_limits.h"

#include "devices/folder_target.h"

#include <filesystem>

#include <sys/utsname.h>

namespace aiotune {

const DriveLink* LinkLimits::find(const std::string& folder) const {
    const auto it = byFolder.find(folder);
    return it == byFolder.end() ? nullptr : &it->second;
}

LinkLimits linkLimitsForFolders(const std::vector<std::string>& folders,
                                const DiscoveryReport& report) {
    LinkLimits limits;
    for (const auto& folder : folders) {
        if (folder.empty() || limits.byFolder.count(folder)) continue;
        // No free-space query: only the folder's drive is wanted.
        const FolderTarget target = inspectFolder(folder, report, nullptr);
        if (target.disk.empty() || !target.nvme) continue;
        for (const BlockDevice& d : report.devices) {
            if (d.name != target.disk || !d.pcieLink) continue;
            const auto bytes = d.pcieLink->currentBytesPerSecond();
            if (bytes && *bytes > 0)
                limits.byFolder[folder] = {d.name, *bytes, d.pcieLink->describeCurrent()};
        }
    }
    return limits;
}

LinkLimits linkLimitsForRecordedFolders(const std::vector<std::string>& folders,
                                        std::string_view recordedHost, std::string_view thisHost,
                                        const DiscoveryReport& report) {
    if (recordedHost.empty() || recordedHost != thisHost) return {};
    std::vector<std::string> present;
    for (const auto& f : folders) {
        std::error_code ec;
        if (!f.empty() && std::filesystem::is_directory(f, ec)) present.push_back(f);
    }
    return linkLimitsForFolders(present, report);
}

std::string thisHostName() {
    utsname u{};
    return ::uname(&u) == 0 ? std::string(u.nodename) : std::string();
}

DiscoveryReport discoverForLinkLimits(DiscoveryOptions options) {
    options.includeVirtual = true; // a folder on a loop device is named, then left without a limit
    options.fsSpace = nullptr;
    auto report = DeviceDiscovery(options).discover();
    return report ? std::move(report).value() : DiscoveryReport{};
}

} // namespace aiotune
