#include "sweep/sweep_runner.h"

#include "devices/folder_target.h"
#include "engine/aligned_buffer.h"
#include "engine/scratch_file.h"
#include "results/log_folder_writer.h"
#include "util/byte_size.h"

#include <chrono>
#include <optional>
#include <cmath>
#include <map>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <sys/utsname.h>
#include <thread>
#include <unistd.h>

namespace aiotune {

namespace {

using Clock = std::chrono::steady_clock;

std::int64_t nowEpochMs() {
    return std::chrono::duration_cast<std::chrono::milliseconds>(
               std::chrono::system_clock::now().time_since_epoch())
        .count();
}

std::string formatSeconds(double s) {
    if (s < 90) return std::to_string(static_cast<int>(std::ceil(s))) + " s";
    if (s < 5400) return std::to_string(static_cast<int>(std::ceil(s / 60))) + " min";
    return std::to_string(static_cast<int>(s / 3600)) + " h " +
           std::to_string(static_cast<int>(std::fmod(s, 3600) / 60)) + " min";
}

Sample toSample(IoOp op, int loop, const std::string& folder, const Result<TransferResult>& r) {
    Sample s;
    s.op = op;
    s.loop = loop;
    s.folder = folder;
    s.finishedAtMs = nowEpochMs();
    if (!r) {
        s.error = r.error();
        return s;
    }
    s.bytes = r->bytes;
    s.seconds = r->seconds;
    s.gibPerSec = r->gibPerSec;
    s.latencyP50Us = r->latency.p50Us;
    s.latencyP99Us = r->latency.p99Us;
    s.latencyMaxUs = r->latency.maxUs;
    s.cpuSeconds = r->cpuSeconds;
    return s;
}

struct FolderState {
    std::filesystem::path folder;
    ScratchFile file;
    AlignedBuffer buffer;
};

} // namespace

std::string SweepPlan::summary() const {
    std::string s = std::to_string(points) + (points == 1 ? " point, " : " points, ") +
                    formatByteSizeHuman(bytesWritten) + " written, about " + formatSeconds(estimatedSeconds);
    for (const auto& f : folders)
        s += "; " + f.folder.string() + ": " + formatByteSizeHuman(f.freeBytes) + " free";
    return s;
}

SweepPlan planSweep(const SweepSpec& spec, double assumedGiBps) {
    SweepPlan plan;
    plan.points = spec.pointCount();
    const std::size_t ops = (spec.read ? 1 : 0) + (spec.write ? 1 : 0);
    const std::size_t perFolder = plan.points * static_cast<std::size_t>(spec.loops);
    plan.transfers = perFolder * ops * spec.folders.size();
    const std::uint64_t nf = spec.folders.size();
    plan.bytesWritten = spec.write ? perFolder * spec.ioSize * nf : (spec.read ? spec.ioSize * nf : 0);
    plan.bytesRead = spec.read ? perFolder * spec.ioSize * nf : 0;
    // Folders run in parallel, so time follows one folder's bytes.
    const double perFolderBytes = static_cast<double>((plan.bytesWritten + plan.bytesRead) / std::max<std::uint64_t>(nf, 1));
    plan.estimatedSeconds = perFolderBytes / (assumedGiBps * 1024.0 * 1024.0 * 1024.0);

    if (auto ok = spec.validate(); !ok) plan.problem = ok.error();
    // Scratch files of folders on one filesystem share its free space.
    std::map<dev_t, std::uint64_t> neededPerFilesystem;
    std::vector<dev_t> devices(spec.folders.size(), 0);
    for (std::size_t i = 0; i < spec.folders.size(); ++i) {
        struct stat st {};
        if (::stat(spec.folders[i].c_str(), &st) == 0) {
            devices[i] = st.st_dev;
            neededPerFilesystem[st.st_dev] += spec.ioSize;
        }
    }
    for (std::size_t i = 0; i < spec.folders.size(); ++i) {
        const auto& folder = spec.folders[i];
        FolderPlan fp;
        fp.folder = folder;
        fp.neededBytes = spec.ioSize;
        // The probe is closed (and so gone) before free space is read.
        auto probed = [&]() -> Result<void> {
            if (auto ok = checkScratchFolder(folder); !ok) return ok;
            if (auto probe = ScratchFile::create(folder, 4096); !probe) return makeError(probe.error());
            return {};
        }();
        if (!probed) {
            fp.problem = probed.error(); // not a usable folder, O_DIRECT refused, no permission
        } else {
            struct statvfs vfs {};
            const bool sized = ::statvfs(folder.c_str(), &vfs) == 0 && vfs.f_blocks > 0;
            if (sized) fp.freeBytes = static_cast<std::uint64_t>(vfs.f_bavail) * vfs.f_frsize;
            // Keep a margin so the sweep never fills the drive to the brim.
            const std::uint64_t margin = 64ull << 20;
            const std::uint64_t shared = neededPerFilesystem[devices[i]];
            if (sized && fp.freeBytes < shared + margin)
                fp.problem = "not enough free space in " + folder.string() + ": the sweep needs " +
                             formatByteSizeHuman(shared + margin) +
                             (shared > spec.ioSize ? " (its folders share this filesystem)" : "") +
                             ", " + formatByteSizeHuman(fp.freeBytes) +
                             " free; free space or lower the io size";
        }
        if (plan.problem.empty() && !fp.problem.empty()) plan.problem = fp.problem;
        plan.folders.push_back(std::move(fp));
    }
    for (std::size_t i = 0; i < spec.folders.size(); ++i)
        for (std::size_t j = 0; j < i; ++j)
            if (std::filesystem::equivalent(spec.folders[i], spec.folders[j]) && plan.problem.empty())
                plan.problem = spec.folders[i].string() + " is listed twice: give each folder once";
    return plan;
}

SweepRunner::SweepRunner(SweepSpec spec, EngineKind engine) : m_spec(std::move(spec)), m_engineKind(engine) {}

Result<ResultSet> SweepRunner::run(const SweepCallbacks& cb, const std::atomic<bool>* cancel) {
    const SweepPlan plan = planSweep(m_spec);
    if (!plan.ok()) return makeError(plan.problem);

    std::string fallback;
    auto engine = createEngine(m_engineKind, &fallback);
    if (!fallback.empty() && cb.message) cb.message(fallback);

    std::vector<FolderState> folders;
    for (const auto& f : m_spec.folders) {
        auto file = ScratchFile::create(f, m_spec.ioSize);
        if (!file) return makeError(file.error());
        AlignedBuffer buffer(m_spec.ioSize, m_hugePages);
        if (!buffer.valid())
            return makeError("cannot allocate " + formatByteSizeHuman(m_spec.ioSize) +
                             " of memory per folder: lower the io size");
        buffer.fillRepeatingPattern(folders.size() + 1);
        folders.push_back({f, std::move(file).value(), std::move(buffer)});
    }

    ResultSet results;
    results.source = "aiotune sweep";
    results.engine = engine->name();
    results.status = "running";
    results.meta = {{"spec", m_spec.toJson()}, {"system", systemFingerprint(m_spec.folders)}};
    results.meta["system"]["engine"] = engine->name();
    results.meta["system"]["huge_pages"] = m_hugePages;
    if (!fallback.empty()) results.meta["system"]["engine_fallback_reason"] = fallback;
    results.meta["per_folder"] = nlohmann::json::array();

    std::optional<LogFolderWriter> writer;
    if (!m_logFolder.empty()) {
        auto w = LogFolderWriter::create(m_logFolder, engine->name(), results.meta);
        if (!w) return makeError(w.error());
        writer = std::move(w).value();
    }
    bool logFailureReported = false;

    const auto points = m_spec.expand();
    const int nf = static_cast<int>(folders.size());
    SweepProgress progress;
    progress.total = points.size() * static_cast<std::size_t>(m_spec.loops) *
                     ((m_spec.read ? 1 : 0) + (m_spec.write ? 1 : 0));
    const auto start = Clock::now();
    double bytesDone = 0;
    m_ioSeconds = 0;
    auto cancelled = [&] { return cancel && cancel->load(); };

    // Runs one operation of one configuration on every folder at once.
    auto runOp = [&](const AioConfig& aio, IoDirection dir, int loop, bool record) -> bool {
        TransferParams p;
        p.direction = dir;
        p.ioSize = m_spec.ioSize;
        p.aio = aio;
        std::vector<Result<TransferResult>> out(folders.size(), Result<TransferResult>(Error{"not run"}));
        if (nf == 1) {
            out[0] = engine->transfer(p, folders[0].file, folders[0].buffer, cancel);
        } else {
            std::vector<std::jthread> threads;
            for (int i = 0; i < nf; ++i)
                threads.emplace_back([&, i] { out[i] = engine->transfer(p, folders[i].file, folders[i].buffer, cancel); });
        }
        for (const auto& r : out)
            if (!r && r.error() == "cancelled") return false;
        if (!record) return true;

        const IoOp op = dir == IoDirection::Read ? IoOp::Read : IoOp::Write;
        ConfigKey key{aio, nf};
        Sample s;
        if (nf == 1) {
            s = toSample(op, loop, folders[0].folder.string(), out[0]);
        } else {
            // The aggregate is what DeepSpeed's folder-to-device mapping sees:
            // all bytes over the slowest folder's time.
            s.op = op;
            s.loop = loop;
            s.finishedAtMs = nowEpochMs();
            double slowest = 0, p99 = 0, maxLat = 0, cpu = 0;
            for (int i = 0; i < nf; ++i) {
                const Sample one = toSample(op, loop, folders[i].folder.string(), out[i]);
                results.meta["per_folder"].push_back({{"tag", key.tag()}, {"sample", nlohmann::json{
                    {"op", std::string(ioOpName(op))}, {"loop", loop}, {"folder", one.folder},
                    {"gibps", one.gibPerSec}, {"seconds", one.seconds}, {"error", one.error}}}});
                if (one.failed()) {
                    if (s.error.empty()) s.error = one.error;
                    continue;
                }
                s.bytes += one.bytes;
                slowest = std::max(slowest, one.seconds);
                p99 = std::max(p99, *one.latencyP99Us);
                maxLat = std::max(maxLat, *one.latencyMaxUs);
                cpu += *one.cpuSeconds;
            }
            if (s.error.empty()) {
                s.seconds = slowest;
                s.gibPerSec = static_cast<double>(s.bytes) / slowest / (1024.0 * 1024.0 * 1024.0);
                s.latencyP99Us = p99;
                s.latencyMaxUs = maxLat;
                s.cpuSeconds = cpu;
            }
        }
        for (const auto& r : out)
            if (r) {
                m_ioSeconds += r->ioSeconds / nf;
                bytesDone += static_cast<double>(r->bytes) / nf;
            }
        results.add(key, s);
        if (writer) {
            if (auto ok = writer->add(key, {s}); !ok && !logFailureReported && cb.message) {
                // The measurement goes on; only the log on disk is incomplete.
                cb.message("cannot write the sweep log: " + ok.error());
                logFailureReported = true;
            }
        }
        if (cb.sample) cb.sample(key, s);
        ++progress.done;
        progress.elapsedSeconds = std::chrono::duration<double>(Clock::now() - start).count();
        if (progress.done > 0)
            progress.etaSeconds = progress.elapsedSeconds / static_cast<double>(progress.done) *
                                  static_cast<double>(progress.total - progress.done);
        if (cb.progress) cb.progress(progress);
        return true;
    };

    // A read-only sweep still needs real data under the reads: unwritten
    // extents read back as zeros without touching the drive.
    if (!m_spec.write && m_spec.read) {
        AioConfig fill;
        fill.queue_depth = 32;
        runOp(fill, IoDirection::Write, 0, false);
    }

    bool stopped = false;
    for (int loop = 0; loop < m_spec.loops && !stopped; ++loop) {
        for (const auto& aio : points) {
            if (cancelled()) { stopped = true; break; }
            const std::string label = ConfigKey{aio, nf}.label() +
                                      (m_spec.loops > 1 ? " (loop " + std::to_string(loop + 1) + "/" +
                                                              std::to_string(m_spec.loops) + ")"
                                                        : std::string());
            if (m_spec.write) {
                progress.current = "write " + label;
                if (cb.progress) cb.progress(progress);
                if (!runOp(aio, IoDirection::Write, loop, true)) { stopped = true; break; }
            }
            if (m_spec.read) {
                progress.current = "read " + label;
                if (cb.progress) cb.progress(progress);
                if (!runOp(aio, IoDirection::Read, loop, true)) { stopped = true; break; }
            }
        }
    }
    results.status = stopped ? "cancelled" : "finished";
    if (writer)
        if (auto ok = writer->finish(results.status); !ok && cb.message)
            cb.message("cannot finish the sweep log: " + ok.error());
    results.meta["finished_at_ms"] = nowEpochMs();
    results.meta["started_at_ms"] = results.meta["finished_at_ms"].get<std::int64_t>() -
                                    static_cast<std::int64_t>(progress.elapsedSeconds * 1000);
    return results;
}

nlohmann::json systemFingerprint(const std::vector<std::filesystem::path>& folders) {
    nlohmann::json j;
    utsname u{};
    if (::uname(&u) == 0) {
        j["host"] = u.nodename;
        j["kernel"] = std::string(u.sysname) + " " + u.release;
        j["machine"] = u.machine;
    }
    j["aiotune_version"] = AIOTUNE_VERSION;
    j["liburing_version"] = AIOTUNE_LIBURING_VERSION;
    j["cpus"] = std::thread::hardware_concurrency();
    j["folders"] = nlohmann::json::array();
    DiscoveryOptions options;
    options.includeVirtual = true;
    auto report = DeviceDiscovery(options).discover();
    for (const auto& f : folders) {
        nlohmann::json entry = {{"path", f.string()}};
        if (report) {
            const FolderTarget t = inspectFolder(f.string(), *report);
            entry["mount_point"] = t.mountPoint;
            entry["filesystem"] = t.fstype;
            entry["device"] = t.device;
            entry["nvme"] = t.nvme;
            for (const auto& d : report->devices)
                if (d.name == t.disk) {
                    entry["disk"] = d.name;
                    entry["model"] = d.model;
                    entry["firmware"] = d.firmware;
                    if (d.numaNode) entry["numa_node"] = *d.numaNode;
                }
        }
        j["folders"].push_back(entry);
    }
    return j;
}

} // namespace aiotune
