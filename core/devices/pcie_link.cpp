#include "devices/pcie_link.h"

#include <charconv>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <sstream>

namespace fs = std::filesystem;

namespace aiotune {

namespace {

std::optional<std::string> readSmallFile(const fs::path& path) {
    std::error_code ec;
    if (!fs::is_regular_file(path, ec)) return std::nullopt;
    std::ifstream in(path, std::ios::binary);
    if (!in) return std::nullopt;
    std::string text(256, '\0');
    in.read(text.data(), static_cast<std::streamsize>(text.size()));
    text.resize(static_cast<std::size_t>(in.gcount()));
    while (!text.empty() && (text.back() == '\n' || text.back() == ' ')) text.pop_back();
    return text;
}

std::string formatGTps(double gtps) {
    std::ostringstream out;
    out << gtps;
    return out.str() + " GT/s";
}

} // namespace

std::optional<double> parseLinkSpeed(std::string_view text) {
    while (!text.empty() && text.front() == ' ') text.remove_prefix(1);
    double value = 0.0;
    const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
    if (ec != std::errc() || end == text.data() || !std::isfinite(value) || value <= 0.0)
        return std::nullopt;
    std::string_view rest(end, static_cast<std::size_t>(text.data() + text.size() - end));
    while (!rest.empty() && rest.front() == ' ') rest.remove_prefix(1);
    if (rest.substr(0, 4) != "GT/s") return std::nullopt;
    return value;
}

double pcieBytesPerSecond(double gtps, int lanes) {
    double efficiency = 128.0 / 130.0;
    if (gtps <= 5.0) efficiency = 8.0 / 10.0;
    else if (gtps >= 64.0) efficiency = 242.0 / 256.0;
    return gtps * 1e9 * efficiency / 8.0 * lanes;
}

bool PcieLink::belowMax() const {
    // A small tolerance: kernels print 2.5 as "2.5" and 8 as "8.0".
    const bool slower = currentGTps && maxGTps && *currentGTps + 0.01 < *maxGTps;
    const bool narrower = currentWidth && maxWidth && *currentWidth < *maxWidth;
    return slower || narrower;
}

std::optional<double> PcieLink::currentBytesPerSecond() const {
    if (!currentGTps || !currentWidth || *currentWidth <= 0) return std::nullopt;
    return pcieBytesPerSecond(*currentGTps, *currentWidth);
}

namespace {
std::string describePart(const std::optional<double>& speed, const std::optional<int>& width) {
    return (speed ? formatGTps(*speed) : std::string("? GT/s")) + " x" +
           (width ? std::to_string(*width) : std::string("?"));
}
} // namespace

std::string PcieLink::describe() const {
    if (!currentGTps && !currentWidth && !maxGTps && !maxWidth) return "unknown";
    return describeCurrent() + " (max " + describePart(maxGTps, maxWidth) + ")";
}

std::string PcieLink::describeCurrent() const { return describePart(currentGTps, currentWidth); }

std::optional<PcieLink> readPcieLink(const std::string& pciDeviceDir) {
    const fs::path dir(pciDeviceDir);
    const auto speed = readSmallFile(dir / "current_link_speed");
    const auto maxSpeed = readSmallFile(dir / "max_link_speed");
    const auto width = readSmallFile(dir / "current_link_width");
    const auto maxWidth = readSmallFile(dir / "max_link_width");
    if (!speed && !maxSpeed && !width && !maxWidth) return std::nullopt;
    const auto toInt = [](const std::optional<std::string>& text) -> std::optional<int> {
        if (!text) return std::nullopt;
        int n = 0;
        const auto [end, ec] = std::from_chars(text->data(), text->data() + text->size(), n);
        // 0 and 255 are what some kernels show for a link that is down.
        if (ec != std::errc() || end != text->data() + text->size() || n <= 0 || n > 32)
            return std::nullopt;
        return n;
    };
    PcieLink link;
    std::error_code ec;
    const fs::path resolved = fs::canonical(dir, ec);
    link.pciAddress = (ec ? dir : resolved).filename().string();
    if (speed) link.currentGTps = parseLinkSpeed(*speed);
    if (maxSpeed) link.maxGTps = parseLinkSpeed(*maxSpeed);
    link.currentWidth = toInt(width);
    link.maxWidth = toInt(maxWidth);
    return link;
}

} // namespace aiotune
