#pragma once
// The PCIe link of a drive's PCI function as sysfs reports it
// (<pci device>/current_link_speed, max_link_speed, current_link_width,
// max_link_width), and what such a link can carry. The preflight flags a link
// trained below its maximum; the plausibility checks flag figures above it.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace aiotune {

struct PcieLink {
    std::string pciAddress;              // "0000:3d:00.0", the folder name; empty if unknown
    std::optional<double> currentGTps;   // per lane, GT/s: 2.5, 5, 8, 16, 32, 64
    std::optional<double> maxGTps;
    std::optional<int> currentWidth;     // lanes: 1, 2, 4, 8, 16
    std::optional<int> maxWidth;

    // Trained slower or narrower than the device can: a riser, a slot wired
    // with fewer lanes, a bad seat, or a power-saving state.
    bool belowMax() const;
    // Bytes per second the current link carries in one direction after line
    // encoding; nullopt when speed or width is unknown.
    std::optional<double> currentBytesPerSecond() const;
    // "16 GT/s x4 (max 16 GT/s x4)", "unknown" when nothing was readable.
    std::string describe() const;
    // The current link alone: "16 GT/s x4" ("? GT/s x4" for an unknown part).
    std::string describeCurrent() const;
};

// "8.0 GT/s PCIe", "8 GT/s", "16.0 GT/s" -> GT/s; "Unknown", "" or junk -> nullopt.
std::optional<double> parseLinkSpeed(std::string_view text);

// One direction, bytes per second, of `lanes` lanes at `gtps`: 8b/10b encoding
// up to 5 GT/s (PCIe 1 and 2), 128b/130b from 8 GT/s (PCIe 3 to 5); PCIe 6's
// FLIT mode is counted as 242/256.
double pcieBytesPerSecond(double gtps, int lanes);

// Reads the link of one PCI function folder ("/sys/bus/pci/devices/0000:3d:00.0"
// or the controller's "device" link); nullopt when none of the four attributes exist
// (virtio and other non-PCIe devices).
std::optional<PcieLink> readPcieLink(const std::string& pciDeviceDir);

} // namespace aiotune
