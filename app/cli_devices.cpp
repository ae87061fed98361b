// `aiotune devices`: the drives aiotune can test, as a table or as JSON.
#include "cli_common.h"
#include "util/json_text.h"
#include "commands.h"

#include "devices/device_discovery.h"
#include "util/byte_size.h"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <iostream>

namespace aiotune::cli {

namespace {

std::string orDash(const std::string& s) { return s.empty() ? "-" : s; }

std::string describeMount(const DeviceMount& m) {
    std::string text = m.path + " (" + m.fstype;
    if (m.source.size() > 0) text += " on " + m.source;
    if (m.readOnly) text += ", read-only";
    if (m.freeBytes && m.totalBytes)
        text += ", " + formatByteSizeHuman(*m.freeBytes) + " free of " +
                formatByteSizeHuman(*m.totalBytes);
    return text + ")";
}

void printTable(const std::vector<BlockDevice>& devices) {
    const std::vector<std::string> header{"NAME", "TYPE", "SIZE", "MODEL", "FIRMWARE",
                                          "NUMA", "SCHEDULER", "MOUNTS"};
    std::vector<std::vector<std::string>> rows;
    for (const auto& d : devices) {
        const std::string type = d.nvme ? "NVMe" : d.virtualDisk ? "virtual"
                                 : d.rotational.value_or(false) ? "disk (rotational)"
                                                                : "disk";
        std::vector<std::string> row{
            d.name,
            type,
            d.sizeBytes ? formatByteSizeHuman(*d.sizeBytes) : "-",
            orDash(d.model),
            orDash(d.firmware),
            d.numaNode ? std::to_string(*d.numaNode) : "-",
            orDash(d.scheduler),
            d.mounts.empty() ? "-" : describeMount(d.mounts.front()),
        };
        rows.push_back(std::move(row));
        // Further mounts on their own lines, under the MOUNTS column.
        for (std::size_t i = 1; i < d.mounts.size(); ++i) {
            std::vector<std::string> more(header.size());
            more.back() = describeMount(d.mounts[i]);
            rows.push_back(std::move(more));
        }
    }
    std::vector<std::size_t> width(header.size());
    for (std::size_t c = 0; c < header.size(); ++c) {
        width[c] = header[c].size();
        for (const auto& r : rows) width[c] = std::max(width[c], r[c].size());
    }
    const auto printRow = [&](const std::vector<std::string>& r) {
        std::string line;
        for (std::size_t c = 0; c < r.size(); ++c) {
            line += r[c];
            if (c + 1 < r.size()) line += std::string(width[c] - r[c].size() + 2, ' ');
        }
        while (!line.empty() && line.back() == ' ') line.pop_back();
        std::cout << line << "\n";
    };
    printRow(header);
    for (const auto& r : rows) printRow(r);
}

} // namespace

int runDevices(const std::vector<std::string>& argv) {
    CLI::App app = makeCommand(
        "devices",
        "Lists NVMe namespaces (and other disks, marked as such) with model, size, NUMA node,\n"
        "I/O scheduler and where their filesystems are mounted, with free space.");
    DiscoveryOptions options;
    options.sysRoot = "/sys";
    options.procRoot = "/proc";
    bool json = false, all = false;
    app.add_flag("--json", json, "print a JSON array instead of a table");
    app.add_flag("--all", all, "also list loop, ram and zram devices");
    app.add_option(flagNames("sys_root"), options.sysRoot, "read sysfs from DIR instead of /sys (for tests)")
        ->check(nonEmptyValidator());
    app.add_option(flagNames("proc_root"), options.procRoot, "read procfs from DIR instead of /proc (for tests)")
        ->check(nonEmptyValidator());
    if (auto exit = parseCommandLine(app, argv)) return *exit;
    options.includeVirtual = all;
    const auto report = DeviceDiscovery(options).discover();
    if (!report) {
        std::cerr << "aiotune devices: " << report.error() << "\n";
        return 1;
    }
    for (const auto& w : report->warnings) std::cerr << "aiotune devices: warning: " << w << "\n";

    if (json) {
        nlohmann::ordered_json out = nlohmann::ordered_json::array();
        for (const auto& d : report->devices) out.push_back(toJson(d));
        std::cout << jsonText(out, 2) << "\n";
        return 0;
    }
    if (report->devices.empty()) {
        std::cout << "No block devices found in " << options.sysRoot << "/block.\n";
        return 0;
    }
    printTable(report->devices);
    if (std::none_of(report->devices.begin(), report->devices.end(),
                     [](const BlockDevice& d) { return d.nvme; }))
        std::cout << "\nNo NVMe drive found: sweeps can still run on a folder of another disk,\n"
                     "but the results will describe that disk.\n";
    return 0;
}

} // namespace aiotune::cli
