#include "devices/device_discovery.h"

#include <algorithm>
#include <cctype>
#include <charconv>
#include <filesystem>
#include <fstream>
#include <map>
#include <optional>
#include <sstream>

namespace fs = std::filesystem;

namespace aiotune {

namespace {

bool isDigit(char c) { return c >= '0' && c <= '9'; }

std::string_view trim(std::string_view s) {
    while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front()))) s.remove_prefix(1);
    while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) s.remove_suffix(1);
    return s;
}

// A sysfs attribute, trimmed; nullopt when missing, unreadable, a directory
// or empty. Model strings come space-padded from the drive.
std::optional<std::string> readAttr(const fs::path& path) {
    std::error_code ec;
    if (!fs::is_regular_file(path, ec)) return std::nullopt;
    std::ifstream in(path, std::ios::binary);
    if (!in) return std::nullopt;
    std::ostringstream text;
    text << in.rdbuf();
    if (in.bad()) return std::nullopt;
    std::string value(trim(text.str()));
    if (value.empty()) return std::nullopt;
    return value;
}

// First candidate that has a value.
std::string firstAttr(std::initializer_list<fs::path> candidates) {
    for (const auto& p : candidates)
        if (auto v = readAttr(p)) return *v;
    return {};
}

template <typename T> std::optional<T> parseInt(const std::optional<std::string>& text) {
    if (!text) return std::nullopt;
    T value{};
    const char* begin = text->data();
    const char* end = begin + text->size();
    const auto [ptr, ec] = std::from_chars(begin, end, value);
    if (ec != std::errc() || ptr != end) return std::nullopt;
    return value;
}

template <typename T> std::optional<T> firstInt(std::initializer_list<fs::path> candidates) {
    for (const auto& p : candidates)
        if (auto v = parseInt<T>(readAttr(p))) return v;
    return std::nullopt;
}

// "259:1" -> {259, 1}
std::optional<std::pair<unsigned, unsigned>> readDevNumber(const fs::path& path) {
    const auto text = readAttr(path);
    if (!text) return std::nullopt;
    const auto colon = text->find(':');
    if (colon == std::string::npos) return std::nullopt;
    const auto major = parseInt<unsigned>(text->substr(0, colon));
    const auto minor = parseInt<unsigned>(text->substr(colon + 1));
    if (!major || !minor) return std::nullopt;
    return std::make_pair(*major, *minor);
}

// Subdirectories (or symlinks to directories) of a sysfs folder, by name.
std::vector<std::string> listDirs(const fs::path& dir) {
    std::vector<std::string> names;
    std::error_code ec;
    fs::directory_iterator it(dir, ec);
    if (ec) return names;
    for (const auto& entry : it) {
        std::error_code statEc;
        if (entry.is_directory(statEc)) names.push_back(entry.path().filename().string());
    }
    std::sort(names.begin(), names.end(),
              [](const std::string& a, const std::string& b) { return naturalLess(a, b); });
    return names;
}

// "nvme0c1n2" -> "nvme0n2": the per-path node of a multipath namespace names
// the same namespace as its head disk.
std::string withoutPathIndex(const std::string& name) {
    const auto c = name.find('c', 4);
    const auto n = name.rfind('n');
    if (c == std::string::npos || n == std::string::npos || n < c) return name;
    return name.substr(0, c) + name.substr(n);
}

// "nvme3n1" -> "nvme3"
std::string controllerOf(const std::string& ns) {
    std::size_t i = 4;
    while (i < ns.size() && isDigit(ns[i])) ++i;
    return ns.substr(0, i);
}

struct Controller {
    fs::path dir;
};

struct MountSource {
    std::string name;            // disk or partition
    std::optional<std::pair<unsigned, unsigned>> dev;
};

} // namespace

bool naturalLess(std::string_view a, std::string_view b) {
    std::size_t i = 0, j = 0;
    while (i < a.size() && j < b.size()) {
        if (isDigit(a[i]) && isDigit(b[j])) {
            std::size_t ie = i, je = j;
            while (ie < a.size() && isDigit(a[ie])) ++ie;
            while (je < b.size() && isDigit(b[je])) ++je;
            // Compare digit runs as numbers without parsing: strip leading
            // zeros, then the longer run is larger, else lexicographic.
            std::string_view na = a.substr(i, ie - i), nb = b.substr(j, je - j);
            while (na.size() > 1 && na.front() == '0') na.remove_prefix(1);
            while (nb.size() > 1 && nb.front() == '0') nb.remove_prefix(1);
            if (na.size() != nb.size()) return na.size() < nb.size();
            if (na != nb) return na < nb;
            i = ie;
            j = je;
        } else {
            if (a[i] != b[j]) return a[i] < b[j];
            ++i;
            ++j;
        }
    }
    return (a.size() - i) < (b.size() - j);
}

bool isVirtualDiskName(std::string_view name) {
    const auto startsWith = [&](std::string_view p) { return name.substr(0, p.size()) == p; };
    return startsWith("loop") || startsWith("ram") || startsWith("zram");
}

bool isNvmeNamespaceName(std::string_view name) {
    // nvme<digits>[c<digits>]n<digits>
    if (name.substr(0, 4) != "nvme") return false;
    std::size_t i = 4;
    const auto digits = [&]() {
        const std::size_t start = i;
        while (i < name.size() && isDigit(name[i])) ++i;
        return i > start;
    };
    if (!digits()) return false;
    if (i < name.size() && name[i] == 'c') {
        ++i;
        if (!digits()) return false;
    }
    if (i >= name.size() || name[i] != 'n') return false;
    ++i;
    return digits() && i == name.size();
}

std::string parentDiskName(std::string_view name) {
    std::size_t end = name.size();
    while (end > 0 && isDigit(name[end - 1])) --end;
    if (end == name.size() || end == 0) return std::string(name); // no trailing number
    // Disks whose own name ends in a digit mark partitions with "p":
    // nvme0n1p1, mmcblk0p1, nbd0p1, loop0p1.
    if (name[end - 1] == 'p' && end >= 2 && isDigit(name[end - 2]))
        return std::string(name.substr(0, end - 1));
    // sda1, vda1, xvda1, hdb2: letters then the partition number. A name
    // ending in a digit that has no letters-only stem (nvme0n1, md0, dm-0,
    // loop0) is a disk, not a partition.
    const std::string_view stem = name.substr(0, end);
    const bool lettersOnly = std::all_of(stem.begin(), stem.end(), [](char c) {
        return std::isalpha(static_cast<unsigned char>(c)) != 0;
    });
    static constexpr std::string_view kLetterDisks[] = {"sd", "vd", "xvd", "hd"};
    for (auto prefix : kLetterDisks)
        if (lettersOnly && stem.size() > prefix.size() && stem.substr(0, prefix.size()) == prefix)
            return std::string(stem);
    return std::string(name);
}

std::string activeScheduler(std::string_view text) {
    const auto open = text.find('[');
    if (open != std::string_view::npos) {
        const auto close = text.find(']', open);
        if (close == std::string_view::npos) return {};
        return std::string(trim(text.substr(open + 1, close - open - 1)));
    }
    const std::string_view t = trim(text);
    if (t.empty() || t.find_first_of(" \t") != std::string_view::npos) return {};
    return std::string(t);
}

DeviceDiscovery::DeviceDiscovery(DiscoveryOptions options) : m_options(std::move(options)) {}

Result<DiscoveryReport> DeviceDiscovery::discover() const {
    DiscoveryReport report;
    const fs::path sys(m_options.sysRoot);
    const fs::path blockDir = sys / "block";
    {
        std::error_code ec;
        if (!fs::is_directory(blockDir, ec))
            return makeError("cannot list block devices in " + blockDir.string() +
                             ": check that sysfs is mounted (or pass the right --sys_root)");
    }

    // Which controller serves each namespace, from <sys>/class/nvme/nvmeX/nvmeXnY.
    std::map<std::string, Controller> controllers;
    for (const auto& ctrl : listDirs(sys / "class" / "nvme")) {
        const fs::path dir = sys / "class" / "nvme" / ctrl;
        for (const auto& child : listDirs(dir))
            if (isNvmeNamespaceName(child)) controllers.emplace(withoutPathIndex(child), Controller{dir});
    }

    auto loaded = MountTable::load(m_options.procRoot);
    if (loaded) {
        report.mounts = std::move(loaded).value();
        if (report.mounts.skippedLines() > 0)
            report.warnings.push_back(std::to_string(report.mounts.skippedLines()) +
                                      " line(s) of " + m_options.procRoot +
                                      "/self/mountinfo were not understood and were skipped");
    } else {
        report.warnings.push_back(loaded.error() + "; mount points are not shown");
    }

    for (const auto& name : listDirs(blockDir)) {
        const fs::path dir = blockDir / name;
        if (readAttr(dir / "hidden").value_or("0") == "1") continue; // multipath per-path nodes
        BlockDevice d;
        d.name = name;
        d.virtualDisk = isVirtualDiskName(name);
        if (d.virtualDisk && !m_options.includeVirtual) continue;

        std::optional<fs::path> ctrl;
        if (const auto it = controllers.find(name); it != controllers.end()) ctrl = it->second.dir;
        else if (isNvmeNamespaceName(name)) {
            std::error_code ec;
            const fs::path guess = sys / "class" / "nvme" / controllerOf(name);
            if (fs::is_directory(guess, ec)) ctrl = guess;
        }
        d.nvme = isNvmeNamespaceName(name) || ctrl.has_value();
        const fs::path dev = dir / "device";
        const fs::path c = ctrl.value_or(dev); // falls back to device/ when no controller is known

        d.model = firstAttr({dev / "model", c / "model"});
        d.serial = firstAttr({dev / "serial", c / "serial", dir / "serial"});
        d.firmware = firstAttr({dev / "firmware_rev", c / "firmware_rev", dev / "rev"});
        // NVMe controllers carry numa_node themselves; other disks inherit it
        // from the PCI device above them (device/.. for virtio).
        d.numaNode = firstInt<int>({c / "numa_node", dev / "numa_node", dev / "device" / "numa_node",
                                    dev / ".." / "numa_node"});
        if (const auto sectors = parseInt<std::uint64_t>(readAttr(dir / "size")))
            d.sizeBytes = *sectors * 512; // sysfs counts 512-byte sectors whatever the LBA size
        d.logicalBlockSize = parseInt<std::uint32_t>(readAttr(dir / "queue" / "logical_block_size"));
        if (const auto sched = readAttr(dir / "queue" / "scheduler")) d.scheduler = activeScheduler(*sched);
        if (const auto rot = parseInt<int>(readAttr(dir / "queue" / "rotational"))) d.rotational = *rot != 0;
        if (d.nvme) {
            // The controller's "device" link is its PCI function; a namespace's
            // own "device" is the controller (whose "device" is the function).
            for (const fs::path& pci : {c / "device", dev / "device"}) {
                std::error_code ec;
                if (!fs::is_directory(pci, ec)) continue;
                d.pcieLink = readPcieLink(pci.string());
                d.iommuType = readAttr(pci / "iommu_group" / "type").value_or("");
                if (d.pcieLink || !d.iommuType.empty()) break;
            }
        }

        // The disk and its partitions, each with its device number, so that
        // mounts can be matched by number first and by /dev name second.
        std::vector<MountSource> sources{{name, readDevNumber(dir / "dev")}};
        for (const auto& child : listDirs(dir)) {
            std::error_code ec;
            if (!fs::exists(dir / child / "partition", ec)) continue;
            d.partitions.push_back(child);
            sources.push_back({child, readDevNumber(dir / child / "dev")});
        }

        for (const auto& m : report.mounts.entries()) {
            const MountSource* hit = nullptr;
            for (const auto& s : sources)
                if (m.major != 0 && s.dev && s.dev->first == m.major && s.dev->second == m.minor) hit = &s;
            if (!hit)
                for (const auto& s : sources)
                    if (m.source == "/dev/" + s.name) hit = &s;
            if (!hit) continue;
            DeviceMount dm;
            dm.path = m.mountPoint;
            dm.fstype = m.fstype;
            dm.source = hit->name;
            dm.readOnly = m.readOnly();
            dm.mountId = m.mountId;
            if (m_options.fsSpace)
                if (const auto space = m_options.fsSpace(m.mountPoint)) {
                    dm.freeBytes = space->freeBytes;
                    dm.totalBytes = space->totalBytes;
                }
            d.mounts.push_back(std::move(dm));
        }
        report.devices.push_back(std::move(d));
    }

    std::stable_sort(report.devices.begin(), report.devices.end(),
                     [](const BlockDevice& a, const BlockDevice& b) {
                         if (a.nvme != b.nvme) return a.nvme;
                         return naturalLess(a.name, b.name);
                     });
    return report;
}

} // namespace aiotune
