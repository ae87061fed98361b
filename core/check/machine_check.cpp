#include "check/machine_check.h"

#include "util/byte_size.h"

#include <algorithm>
#include <charconv>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <sstream>

#include <dlfcn.h>
#include <sys/resource.h>
#include <unistd.h>

namespace fs = std::filesystem;

namespace aiotune {

namespace {

std::optional<std::string> readText(const fs::path& path, std::size_t limit = 1 << 20) {
    std::error_code ec;
    if (!fs::is_regular_file(path, ec)) return std::nullopt;
    std::ifstream in(path, std::ios::binary);
    if (!in) return std::nullopt;
    std::string text(limit, '\0');
    in.read(text.data(), static_cast<std::streamsize>(limit));
    text.resize(static_cast<std::size_t>(in.gcount()));
    return text;
}

std::optional<std::uint64_t> parseU64(std::string_view s) {
    while (!s.empty() && (s.back() == '\n' || s.back() == ' ')) s.remove_suffix(1);
    std::uint64_t n = 0;
    const auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), n);
    if (ec != std::errc() || end != s.data() + s.size() || s.empty()) return std::nullopt;
    return n;
}

// memory.max ("max" = none) or v1's memory.limit_in_bytes (a huge number = none).
std::optional<std::uint64_t> readLimit(const fs::path& file) {
    const auto text = readText(file, 64);
    if (!text) return std::nullopt;
    const auto n = parseU64(*text);
    if (!n || *n >= (1ull << 60)) return std::nullopt;
    return n;
}

std::string human(std::uint64_t bytes) { return formatByteSizeHuman(bytes); }

} // namespace

bool MachineCheckOptions::defaultLibaioLoadable() {
    void* handle = ::dlopen("libaio.so.1", RTLD_LAZY | RTLD_LOCAL);
    if (!handle) return false;
    ::dlclose(handle);
    return true;
}

std::optional<std::uint64_t> MachineCheckOptions::defaultMemlockLimit() {
    if (::geteuid() == 0) return std::nullopt; // CAP_IPC_LOCK: mlock is not limited
    struct rlimit rl {};
    if (::getrlimit(RLIMIT_MEMLOCK, &rl) != 0 || rl.rlim_cur == RLIM_INFINITY) return std::nullopt;
    return static_cast<std::uint64_t>(rl.rlim_cur);
}

MemoryFacts readMemoryFacts(const MachineCheckOptions& options) {
    MemoryFacts facts;
    if (options.memlockLimit) facts.memlockLimit = options.memlockLimit();
    if (const auto meminfo = readText(fs::path(options.procRoot) / "meminfo")) {
        std::istringstream lines(*meminfo);
        std::string line;
        while (std::getline(lines, line)) {
            if (line.rfind("MemAvailable:", 0) != 0) continue;
            std::istringstream fields(line.substr(13));
            std::uint64_t kib = 0;
            if (fields >> kib) facts.memAvailable = kib * 1024;
        }
    }
    // The cgroup of this process, then every limit from it up to the root.
    if (const auto cgroups = readText(fs::path(options.procRoot) / "self" / "cgroup")) {
        std::istringstream lines(*cgroups);
        std::string line;
        while (std::getline(lines, line)) {
            const auto first = line.find(':');
            const auto second = first == std::string::npos ? first : line.find(':', first + 1);
            if (second == std::string::npos) continue;
            const std::string controllers = line.substr(first + 1, second - first - 1);
            const std::string path = line.substr(second + 1);
            fs::path base;
            std::string file;
            if (line.rfind("0::", 0) == 0) {
                base = options.cgroupRoot;
                file = "memory.max";
            } else if (controllers.find("memory") != std::string::npos) {
                base = fs::path(options.cgroupRoot) / "memory";
                file = "memory.limit_in_bytes";
            } else {
                continue;
            }
            fs::path dir = (base / fs::path(path).relative_path()).lexically_normal();
            const fs::path top = base.lexically_normal();
            for (int depth = 0; depth < 64; ++depth) {
                if (const auto limit = readLimit(dir / file)) {
                    if (!facts.cgroupLimit || *limit < *facts.cgroupLimit) {
                        facts.cgroupLimit = limit;
                        facts.cgroupLimitFile = (dir / file).string();
                    }
                }
                if (dir == top || dir.parent_path() == dir || dir.string().size() <= top.string().size()) break;
                dir = dir.parent_path();
            }
        }
    }
    std::error_code ec;
    for (fs::directory_iterator it(fs::path(options.procRoot) / "driver" / "nvidia" / "gpus", ec), end;
         !ec && it != end; it.increment(ec))
        ++facts.gpus;
    return facts;
}

std::vector<CheckFinding> checkLibaio(const MachineCheckOptions& options) {
    std::vector<CheckFinding> out;
    if (options.libaioLoadable && !options.libaioLoadable())
        out.push_back({FindingSeverity::Error, "LIBAIO_MISSING", "libaio.so.1",
                       "libaio.so.1 cannot be loaded, so DeepSpeed's async_io op (every NVMe swap) "
                       "cannot load: DeepSpeed stops when it sets up NVMe offload",
                       "install libaio (Debian/Ubuntu: apt install libaio1 libaio-dev; RHEL: dnf "
                       "install libaio libaio-devel)"});
    bool header = false;
    for (const auto& dir : options.includeDirs) {
        std::error_code ec;
        if (fs::is_regular_file(fs::path(dir) / "libaio.h", ec)) header = true;
    }
    if (!header)
        out.push_back({FindingSeverity::Warning, "LIBAIO_DEV_MISSING", "libaio.h",
                       "libaio.h is not installed: unless your DeepSpeed was built with its ops "
                       "(DS_BUILD_AIO=1), it compiles async_io on first use and that build fails",
                       "install the libaio development files (Debian/Ubuntu: libaio-dev; RHEL: "
                       "libaio-devel), or set CFLAGS/LDFLAGS to where libaio is"});
    return out;
}

std::vector<CheckFinding> checkPinnedMemory(std::uint64_t perRank, const MemoryFacts& facts,
                                            bool optimizerUnknown) {
    PinnedMemoryNeeds needs;
    needs.lockedExact = needs.lockedUpTo = perRank;
    needs.what =
        "parameter swap buffers " + human(perRank) +
        (optimizerUnknown ? " plus the optimizer's swap buffers (buffer_count x the largest "
                            "parameter partition x 4 bytes, which only the model knows)"
                          : "");
    return checkPinnedMemory(needs, facts);
}

std::vector<CheckFinding> checkPinnedMemory(const PinnedMemoryNeeds& n, const MemoryFacts& facts) {
    std::vector<CheckFinding> out;
    if (n.upTo() == 0) return out;
    const std::uint64_t ranks = facts.gpus > 0 ? static_cast<std::uint64_t>(facts.gpus) : 1;
    // Per rank the figures are below 2^63 (torch sizes); times the ranks they
    // could still wrap, so a product that does is reported as "more than".
    const auto times = [&](std::uint64_t v) -> std::optional<std::uint64_t> {
        std::uint64_t r = 0;
        if (__builtin_mul_overflow(v, ranks, &r)) return std::nullopt;
        return r;
    };
    const auto total = [&](std::uint64_t v) {
        const auto t = times(v);
        return t ? human(*t) : "more than " + human(UINT64_MAX);
    };
    const bool bounded = n.upTo() > n.exact();
    const std::string who = facts.gpus > 0 ? std::to_string(ranks) + " ranks (one per GPU seen)"
                                           : std::string("one rank (no GPU seen; multiply by ranks per node)");
    const std::string totalAmount =
        bounded ? total(n.exact()) + " to " + total(n.upTo()) : total(n.upTo());
    const std::string detail = " (" + n.what + ")";
    const std::string fixSizes =
        "lower buffer_count / buffer_size (or sub_group_size for the optimizer's buffers)";
    if (facts.memlockLimit && n.lockedUpTo > *facts.memlockLimit) {
        const bool certain = n.lockedExact > *facts.memlockLimit;
        out.push_back(
            {certain ? FindingSeverity::Error : FindingSeverity::Warning, "PINNED_OVER_MEMLOCK",
             "RLIMIT_MEMLOCK",
             "each rank mlocks " +
                 (n.lockedUpTo > n.lockedExact ? human(n.lockedExact) + " to " + human(n.lockedUpTo)
                                               : human(n.lockedUpTo)) +
                 detail + ", but this user may lock only " + human(*facts.memlockLimit) +
                 " (ulimit -l): " +
                 (certain ? "mlock fails and DeepSpeed cannot allocate its buffers"
                          : "mlock fails if the model's largest sub-group needs the upper figure") +
                 (n.lockNote.empty() ? "" : "; " + n.lockNote),
             "raise the limit (ulimit -l unlimited, or memlock in "
             "/etc/security/limits.conf; LimitMEMLOCK= for services), or " +
                 fixSizes});
    }
    const auto over = [&](std::uint64_t v, std::uint64_t limit) {
        const auto t = times(v);
        return !t || *t > limit;
    };
    if (facts.cgroupLimit && over(n.upTo(), *facts.cgroupLimit)) {
        const bool certain = over(n.exact(), *facts.cgroupLimit);
        out.push_back({certain ? FindingSeverity::Error : FindingSeverity::Warning,
                       "PINNED_OVER_CGROUP", facts.cgroupLimitFile,
                       who + " page-lock " + totalAmount + detail +
                           ", more than this cgroup's memory limit of " +
                           human(*facts.cgroupLimit) +
                           (certain ? ": the job is killed for running out of memory"
                                    : ": the job is killed if the model needs the upper figure"),
                       "ask for more memory in the job (e.g. Slurm --mem) or " + fixSizes});
    } else if (facts.memAvailable && over(n.upTo(), *facts.memAvailable)) {
        out.push_back(
            {FindingSeverity::Warning, "PINNED_OVER_FREE_RAM", "MemAvailable",
             who + " page-lock " + totalAmount + detail + ", more than the " +
                 human(*facts.memAvailable) +
                 " of memory available now: locking it pushes everything else out, or fails",
             "free memory, or " + fixSizes});
    } else {
        out.push_back(
            {FindingSeverity::Note, "PINNED_MEMORY", "zero_optimization",
             who + " page-lock " + totalAmount + detail +
                 (facts.memAvailable ? "; " + human(*facts.memAvailable) + " available now"
                                     : std::string()) +
                 (n.lockNote.empty() ? "" : "; " + n.lockNote),
             ""});
    }
    return out;
}

std::vector<CheckFinding> checkAioEvents(const AioEventNeeds& n, int gpus,
                                         const std::string& procRoot) {
    std::vector<CheckFinding> out;
    if (n.handles <= 0) return out;
    const auto maxText = readText(fs::path(procRoot) / "sys" / "fs" / "aio-max-nr", 64);
    const auto usedText = readText(fs::path(procRoot) / "sys" / "fs" / "aio-nr", 64);
    if (!maxText || !usedText) return out;
    const auto max = parseU64(*maxText);
    const auto used = parseU64(*usedText);
    if (!max || !used) return out;
    const std::uint64_t ranks = gpus > 0 ? static_cast<std::uint64_t>(gpus) : 1;
    const std::uint64_t perRank = static_cast<std::uint64_t>(n.handles) *
                                  static_cast<std::uint64_t>(std::max(1, n.threads) + 1) *
                                  static_cast<std::uint64_t>(std::max(1, n.queueDepth));
    const std::uint64_t need = perRank * ranks;
    const std::uint64_t free = *max > *used ? *max - *used : 0;
    const std::string who =
        gpus > 0 ? std::to_string(ranks) + " ranks (one per GPU seen)" : std::string("one rank");
    const std::string sum =
        who + " reserve " + std::to_string(need) + " kernel AIO events (" +
        std::to_string(n.handles) + " handles x (" + std::to_string(std::max(1, n.threads)) +
        " threads + 1) x queue_depth " + std::to_string(n.queueDepth) + " each)";
    if (need > free)
        out.push_back({FindingSeverity::Error, "AIO_MAX_NR_LOW", "/proc/sys/fs/aio-max-nr",
                       sum + ", but only " + std::to_string(free) + " of aio-max-nr " +
                           std::to_string(*max) + " are free (aio-nr " + std::to_string(*used) +
                           "): io_setup fails with EAGAIN and DeepSpeed's swaps fail "
                           "(\"submit_ret\" asserts)",
                       "raise it: sysctl -w fs.aio-max-nr=" +
                           std::to_string(std::max<std::uint64_t>(*used + need * 2, 1048576)) +
                           " (and in /etc/sysctl.d to keep it), or lower queue_depth / "
                           "intra_op_parallelism"});
    return out;
}

int countNumaNodes(const std::string& sysRoot) {
    int n = 0;
    std::error_code ec;
    for (fs::directory_iterator it(fs::path(sysRoot) / "devices" / "system" / "node", ec), end;
         !ec && it != end; it.increment(ec)) {
        const std::string name = it->path().filename().string();
        if (name.size() > 4 && name.rfind("node", 0) == 0 &&
            name.find_first_not_of("0123456789", 4) == std::string::npos)
            ++n;
    }
    return n;
}

std::vector<CheckFinding> checkDrive(const BlockDevice& d, int numaNodes, int intraOpParallelism) {
    std::vector<CheckFinding> out;
    // DeepSpeed sizes swap tensors in multiples of AIO_ALIGNED_BYTES (1024) x
    // intra_op_parallelism (swap_tensor/constants.py, utils.py, every release);
    // O_DIRECT on a drive with larger logical blocks (4Kn) refuses other
    // lengths, and the short writes go unchecked until a read fails
    // ("buffer nbytes != file bytes"). aiotune's own 4 KiB probe passes there.
    if (d.logicalBlockSize && *d.logicalBlockSize > 1024) {
        const std::uint64_t aligned =
            1024ull * static_cast<std::uint64_t>(std::max(1, intraOpParallelism));
        if (aligned % *d.logicalBlockSize != 0) {
            const std::uint64_t factor = *d.logicalBlockSize / 1024;
            out.push_back(
                {FindingSeverity::Error, "DRIVE_BLOCK_ABOVE_1024", d.name,
                 d.name + " has " + std::to_string(*d.logicalBlockSize) +
                     "-byte logical blocks, but DeepSpeed sizes its swap files in multiples of "
                     "1024 x "
                     "intra_op_parallelism = " +
                     std::to_string(aligned) +
                     " bytes: O_DIRECT refuses other lengths, the failed writes go unchecked and a "
                     "later read stops DeepSpeed (\"buffer nbytes != file bytes\")",
                 "set intra_op_parallelism to a multiple of " + std::to_string(factor) +
                     " (1024 x it must be a multiple of " + std::to_string(*d.logicalBlockSize) +
                     "), or format the drive with 512-byte sectors"});
        }
    }
    if (d.pcieLink && d.pcieLink->belowMax()) {
        std::string lost;
        if (const auto now = d.pcieLink->currentBytesPerSecond()) {
            PcieLink full = *d.pcieLink;
            full.currentGTps = full.maxGTps;
            full.currentWidth = full.maxWidth;
            if (const auto max = full.currentBytesPerSecond())
                lost = ": at most " + human(static_cast<std::uint64_t>(*now)) + "/s instead of " +
                       human(static_cast<std::uint64_t>(*max)) + "/s";
        }
        out.push_back({FindingSeverity::Warning, "PCIE_LINK_DEGRADED", d.name,
                       d.name + "'s PCIe link (" + d.pcieLink->pciAddress + ") runs at " +
                           d.pcieLink->describe() + lost +
                           "; DeepSpeed's swaps are capped by it",
                       "check the slot (lanes wired, riser, seating) and BIOS link settings; "
                       "re-read under load, as some platforms lower the speed when idle"});
    }
    if (!d.scheduler.empty() && d.scheduler != "none")
        out.push_back({d.scheduler == "bfq" ? FindingSeverity::Warning : FindingSeverity::Note, "IO_SCHEDULER",
                       d.name,
                       d.name + " uses the \"" + d.scheduler + "\" I/O scheduler; NVMe drives "
                       "usually run fastest with \"none\", which spends no CPU per request",
                       "echo none > /sys/block/" + d.name + "/queue/scheduler (as root; a udev "
                       "rule makes it stick), then measure again"});
    if (d.iommuType == "DMA")
        out.push_back({FindingSeverity::Note, "IOMMU_STRICT", d.name,
                       d.name + " sits behind an IOMMU in strict translation mode (\"DMA\"): "
                       "every I/O maps and unmaps its pages, which costs CPU at high request rates",
                       "if the machine's policy allows, boot with iommu.strict=0 (lazy) or "
                       "iommu=pt (passthrough) and measure again"});
    if (numaNodes > 1 && d.numaNode && *d.numaNode >= 0)
        out.push_back({FindingSeverity::Note, "NUMA_NODE", d.name,
                       d.name + " is attached to NUMA node " + std::to_string(*d.numaNode) +
                           " of " + std::to_string(numaNodes) +
                           ": ranks on other nodes cross the interconnect for every swap",
                       "bind the ranks that swap to it near node " + std::to_string(*d.numaNode) +
                           " (numactl --cpunodebind=" + std::to_string(*d.numaNode) +
                           " --membind=" + std::to_string(*d.numaNode) + ")"});
    return out;
}

} // namespace aiotune
