#include "sweep/sweep_runner.h"

#include "util/file_identity.h"

#include "devices/folder_target.h"
#include "util/process_pause.h"
#include "util/trusted_path.h"
#include "engine/aligned_buffer.h"
#include "engine/libaio_engine.h"
#include "engine/scratch_file.h"
#include "results/log_folder_reader.h"
#include "results/log_folder_writer.h"
#include "sweep/adaptive_strategy.h"
#include "sweep/folder_lock.h"
#include "sweep/grid_strategy.h"
#include "sweep/sweep_sinks.h"
#include "util/byte_size.h"
#include "util/duration_format.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <optional>
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

} // namespace

std::string SweepPlan::summary() const {
    std::string s;
    if (budgetTransfers > 0) {
        char speed[32];
        std::snprintf(speed, sizeof speed, "%.1f", assumedGiBps);
        s = "Adaptive search over " + std::to_string(points) + (points == 1 ? " point" : " points") +
            ": at most " + std::to_string(budgetTransfers) + " transfers (first pass " +
            std::to_string(firstPassTransfers) + "), up to " + formatByteSizeHuman(bytesWritten + bytesRead) +
            " moved, at most about " + formatDuration(estimatedSeconds) + " at an assumed " + speed +
            " GiB/s; it stops sooner when the race is decided";
    } else {
        s = std::to_string(points) + (points == 1 ? " point, " : " points, ") + formatByteSizeHuman(bytesWritten) +
            " written, about " + formatDuration(estimatedSeconds);
    }
    if (const std::string check = confirmationText(); !check.empty()) s += "; " + check;
    for (const auto& f : folders)
        s += "; " + f.folder.string() + ": " + formatByteSizeHuman(f.freeBytes) + " free";
    return s;
}

std::string SweepPlan::confirmationText() const {
    if (confirmTransfers > 0)
        return budgetTransfers > 0 ? "up to " + std::to_string(confirmTransfers) +
                                         " of those transfers check the finalists on libaio, DeepSpeed's interface"
                                   : "then up to " + std::to_string(confirmTransfers) +
                                         " more transfers after the grid check the finalists on libaio, "
                                         "DeepSpeed's interface";
    if (!notConfirmed.empty()) return "the answer will not be checked on libaio: " + notConfirmed;
    return {};
}

std::size_t confirmationTransfers(const SweepSpec& spec) {
    const std::size_t ops = (spec.read ? 1 : 0) + (spec.write ? 1 : 0);
    return kConfirmationVisits * ops;
}

std::string confirmationUnavailable(const std::string& searchEngine, bool enabled,
                                    const std::vector<std::string>& libraryNames) {
    if (!enabled) return "the check was switched off (--no-confirm)";
    if (searchEngine == "libaio") return "the search itself measured with libaio";
    if (auto ok = probeLibaio(libraryNames); !ok) return ok.error();
    return {};
}

void planConfirmation(SweepPlan& plan, const SweepSpec& spec, EngineKind engine, bool enabled) {
    // Auto measures with io_uring or the portable engine: never libaio.
    plan.notConfirmed = confirmationUnavailable(engine == EngineKind::Libaio ? "libaio" : "", enabled);
    plan.confirmTransfers = plan.notConfirmed.empty() ? confirmationTransfers(spec) : 0;
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
            // Not std::filesystem::equivalent: it throws for a folder that does not exist.
            if (plan.problem.empty() && isSameFile(spec.folders[i], spec.folders[j]))
                plan.problem = spec.folders[i].string() + " is listed twice: give each folder once";
    return plan;
}

SweepPlan planAdaptiveSweep(const SweepSpec& spec, const AdaptiveOptions& options, double assumedGiBps) {
    SweepSpec once = spec;
    once.loops = 1;
    SweepPlan plan = planSweep(once, assumedGiBps);
    if (!plan.ok()) return plan;
    AdaptiveOptions o = options;
    o.read = spec.read;
    o.write = spec.write;
    auto strategy = AdaptiveStrategy::create(spec.expand(), o);
    if (!strategy) {
        plan.problem = strategy.error();
        return plan;
    }
    // Every folder moves each transfer at once; time follows one folder's bytes.
    const std::size_t ops = (spec.read ? 1 : 0) + (spec.write ? 1 : 0);
    plan.budgetTransfers = strategy->budgetTransfers();
    plan.firstPassTransfers = AdaptiveStrategy::firstPassTransfers(spec.expand(), o);
    plan.transfers = plan.budgetTransfers * spec.folders.size();
    const std::uint64_t perFolder = plan.budgetTransfers * spec.ioSize;
    plan.bytesWritten = spec.write ? perFolder / ops * spec.folders.size() : 0;
    plan.bytesRead = spec.read ? perFolder / ops * spec.folders.size() : 0;
    plan.assumedGiBps = assumedGiBps;
    plan.estimatedSeconds = static_cast<double>(perFolder) / (assumedGiBps * 1024.0 * 1024.0 * 1024.0);
    return plan;
}

SweepRunner::SweepRunner(SweepSpec spec, EngineKind engine) : m_spec(std::move(spec)), m_engineKind(engine) {}
SweepRunner::~SweepRunner() = default;
SweepRunner::SweepRunner(SweepRunner&&) noexcept = default;
SweepRunner& SweepRunner::operator=(SweepRunner&&) noexcept = default;

void SweepRunner::setStrategy(std::unique_ptr<SearchStrategy> strategy) {
    m_strategy = std::move(strategy);
}

void SweepRunner::setEngine(std::unique_ptr<IoEngine> engine) {
    m_engine = std::move(engine);
}

// One run() of a SweepRunner, in the order a reader follows it: prepare
// (plan, locks, engine, buffers, log folder), prime (one untimed write), then
// per visit measure (every folder at once), aggregate the folders, emit.
class SweepSession {
public:
    SweepSession(SweepRunner& runner, const SweepSinks& sinks, const std::atomic<bool>* cancel)
        : m_runner(runner), m_spec(runner.m_spec), m_cancel(cancel), m_userSinks(sinks) {}

    Result<ResultSet> run() {
        if (auto ok = prepare(); !ok) {
            // The folders made here go again while empty (the log folder's
            // two subfolders, itself, the parents made on the way to it):
            // nothing is left behind, nothing else is touched.
            if (m_createdLogFolder) {
                std::error_code ec;
                for (const std::string_view sub : {kReadLogDir, kWriteLogDir})
                    std::filesystem::remove(*m_runner.m_logFolder / sub, ec);
            }
            for (auto it = m_madeFolders.rbegin(); it != m_madeFolders.rend(); ++it) {
                std::error_code ec;
                if (!std::filesystem::remove(*it, ec)) break;
            }
            EndedEvent e{SweepStatus::Failed, SweepErrorCode::CannotStart, ok.error(), StopReason::Failed, nowEpochMs()};
            for (SweepSink* s : m_userSinks) s->onEnded(e);
            return makeError(ok.error());
        }
        emitStarted();
        prime();
        const EndedEvent ended = measureAll();
        emitAnswer(ended);
        emit(&SweepSink::onEnded, ended);
        ResultSet results = m_resultSink.take();
        // A sink that could not record the end (the final sweep.json write)
        // makes the sweep failed for whoever reads the returned results.
        for (SweepSink* s : m_sinks)
            if (auto f = s->failure(); f && results.status != SweepStatus::Failed) {
                results.status = SweepStatus::Failed;
                results.error = f->message;
            }
        return results;
    }

private:
    struct Folder {
        std::filesystem::path path;
        ScratchFile file;
        AlignedBuffer buffer;
    };

    // A visit's handles, one per folder (see transferThroughHandles).
    using VisitHandles = std::vector<Result<std::unique_ptr<IoHandle>>>;

    bool cancelled() const { return m_cancel && m_cancel->load(); }

    template <typename Event> void emit(void (SweepSink::*handler)(const Event&), const Event& e) {
        for (SweepSink* s : m_sinks) (s->*handler)(e);
    }
    void message(Severity severity, std::string text) {
        emit(&SweepSink::onMessage, MessageEvent{severity, std::move(text)});
    }

    // --- prepare -------------------------------------------------------------

    Result<void> prepare() {
        watchForPauses(); // see measureVisit
        const SweepPlan plan = planSweep(m_spec);
        if (!plan.ok()) return makeError(plan.problem);
        if (auto ok = lockFolders(); !ok) return ok;
        if (auto ok = createEngine(); !ok) return ok;
        if (auto ok = prepareFolders(); !ok) return ok;
        m_strategy = std::move(m_runner.m_strategy);
        if (!m_strategy) m_strategy = std::make_unique<GridStrategy>(m_spec);
        planConfirmation();
        m_header = makeHeader();
        if (auto ok = prepareLogFolder(); !ok) return ok;
        m_sinks.push_back(&m_resultSink);
        if (m_logSink) m_sinks.push_back(&*m_logSink);
        m_sinks.insert(m_sinks.end(), m_userSinks.begin(), m_userSinks.end());
        return {};
    }

    // Two sweeps at once into one scratch or log folder would measure each
    // other and mix their logs: the second is refused.
    Result<void> lockFolders() {
        for (const auto& f : m_spec.folders) {
            auto lock = FolderLock::acquire(f, "scratch folder");
            if (!lock) return makeError(lock.error());
            m_locks.push_back(std::move(lock).value());
        }
        if (!m_runner.m_logFolder || m_runner.m_logFolder->empty()) return {};
        const std::filesystem::path& logs = *m_runner.m_logFolder;
        // Locked before LogFolderWriter::create looks into it (and removes a
        // killed run's temporaries, which a live sweep's could otherwise be).
        // Links planted by others are refused, and only a folder made here is
        // removed again when the sweep cannot start (never the user's link).
        auto made = createFolderNoFollow(logs);
        if (!made) return makeError("log folder: " + made.error());
        // What was made here is removed on a failed start only while this run
        // holds the folder: a sweep that took the lock first may be using it.
        const auto own = [&] {
            m_createdLogFolder = made->created;
            m_madeFolders = made->made;
        };
        std::error_code ec;
        for (const auto& f : m_spec.folders)
            if (std::filesystem::equivalent(f, logs, ec)) { // locked above
                own();
                return {};
            }
        auto lock = FolderLock::acquire(logs, "log folder");
        if (!lock) return makeError(lock.error());
        m_locks.push_back(std::move(lock).value());
        own();
        return {};
    }

    Result<void> createEngine() {
        if (m_runner.m_engine) {
            m_engine = m_runner.m_engine.get();
            return {};
        }
        // Asked for by name and missing: refused before any I/O, with how to install it.
        if (m_runner.m_engineKind == EngineKind::Libaio) {
            if (auto ok = probeLibaio(m_runner.m_libaioLibrary); !ok)
                return makeError(ok.error() + ", or measure with --engine io_uring");
            m_ownEngine = std::make_unique<LibaioEngine>(m_runner.m_libaioLibrary);
            m_engine = m_ownEngine.get();
            return {};
        }
        m_ownEngine = aiotune::createEngine(m_runner.m_engineKind, &m_fallback);
        if (!m_ownEngine) return makeError("no I/O engine could be created");
        m_engine = m_ownEngine.get();
        return {};
    }

    // The check on libaio is paid for before the search starts: an adaptive
    // search gets its budget less the check's transfers.
    void planConfirmation() {
        m_notConfirmed =
            confirmationUnavailable(m_engine->name(), m_runner.m_confirm, m_runner.m_libaioLibrary);
        if (!m_notConfirmed.empty()) return;
        const std::size_t wanted = kConfirmationVisits;
        const auto reserved = m_strategy->reserveTransfers(wanted * opsPerVisit());
        m_confirmVisits = reserved ? *reserved / opsPerVisit() : wanted;
        if (m_confirmVisits == 0) {
            m_notConfirmed = "the budget left no room for it after the search's first pass (raise the budget)";
            return;
        }
        m_confirmEngine = std::make_unique<LibaioEngine>(m_runner.m_libaioLibrary);
    }

    // One scratch file and one buffer per folder, reused by every visit.
    Result<void> prepareFolders() {
        for (const auto& f : m_spec.folders) {
            auto file = ScratchFile::create(f, m_spec.ioSize);
            if (!file) return makeError(file.error());
            AlignedBuffer buffer(m_spec.ioSize, m_runner.m_profile);
            if (!buffer.valid())
                return makeError("cannot allocate " + formatByteSizeHuman(m_spec.ioSize) +
                                 " of memory per folder: lower the io size");
            buffer.fillRepeatingPattern(m_folders.size() + 1);
            m_folders.push_back({f, std::move(file).value(), std::move(buffer)});
        }
        return {};
    }

    ResultSet makeHeader() const {
        ResultSet h;
        h.source = "aiotune sweep";
        h.engine = m_engine->name();
        h.status = SweepStatus::Running;
        h.meta = {{"spec", m_spec.toJson()}, {"system", systemFingerprint(m_spec.folders)}};
        h.meta["system"]["engine"] = h.engine;
        h.meta["search"] = m_strategy->settingsJson();
        if (!m_fallback.empty()) h.meta["system"]["engine_fallback_reason"] = m_fallback;
        h.host = !m_runner.m_hostLabel.empty() ? m_runner.m_hostLabel : h.meta["system"].value("host", std::string());
        h.strategy = std::string(m_strategy->name());
        h.profile = m_runner.m_profile;
        h.startedAtMs = nowEpochMs();
        return h;
    }

    Result<void> prepareLogFolder() {
        if (!m_runner.m_logFolder) return {};
        auto w = LogFolderWriter::create(*m_runner.m_logFolder, m_header);
        if (!w) return makeError(w.error());
        m_logSink.emplace(std::move(w).value());
        return {};
    }

    void emitStarted() {
        m_start = Clock::now();
        m_runner.m_ioSeconds = 0;
        StartedEvent e;
        e.header = m_header;
        e.plannedTransfers = (m_strategy->remainingVisits() + m_confirmVisits) * opsPerVisit();
        if (m_runner.m_logFolder) e.logFolder = m_runner.m_logFolder->string();
        emit(&SweepSink::onStarted, e);
        if (!m_fallback.empty()) message(Severity::Warning, m_fallback);
        emitRace();
    }

    // --- prime ---------------------------------------------------------------

    // One untimed write over every buffer and scratch file before the first
    // measured visit. DeepSpeed reuses its swap buffers for a whole run, so
    // the one-time cost of a fresh buffer's first pass (large on normal
    // pages: the kernel pins each page the first time) must not land on the
    // first configuration measured. A read-only sweep also needs real data
    // under its reads: unwritten extents read back as zeros without touching
    // the drive, so if this write fails every read fails with its reason.
    void prime() {
        AioConfig fill;
        fill.queue_depth = 32;
        const auto out = transferOnEveryFolder(fill, IoDirection::Write, m_spec.ioSize);
        for (std::size_t i = 0; i < out.size(); ++i)
            if (!out[i] && !cancelled()) {
                const std::string reason = out[i].error();
                if (m_spec.write) { // the measured writes will report their own errors
                    message(Severity::Warning, "the untimed first write in " + m_folders[i].path.string() +
                                                   " failed: " + reason);
                    return;
                }
                m_primeError = "the write that puts data under the reads failed in " + m_folders[i].path.string() +
                               ": " + reason;
                message(Severity::Error, m_primeError);
                return;
            }
    }

    // --- measure -------------------------------------------------------------

    std::size_t opsPerVisit() const { return (m_spec.write ? 1 : 0) + (m_spec.read ? 1 : 0); }

    EndedEvent measureAll() {
        EndedEvent ended;
        ended.status = SweepStatus::Finished;
        // A strategy may drop configurations while planning its next round,
        // not only while observing: the sinks (sweep.json) hear of those too.
        auto nextBatch = [this] {
            const std::size_t droppedBefore = m_strategy->dropouts().size();
            auto batch = m_strategy->nextBatch();
            if (m_strategy->dropouts().size() != droppedBefore) emitRace();
            return batch;
        };
        for (auto batch = nextBatch(); !batch.empty(); batch = nextBatch()) {
            for (const Visit& visit : batch) {
                if (cancelled()) return finish(SweepStatus::Cancelled, StopReason::Cancelled);
                if (auto stopped = endAfter(measureVisit(visit))) return *stopped;
            }
        }
        const StopReason why = m_strategy->stopReason();
        if (auto stopped = confirm()) return *stopped;
        return finish(SweepStatus::Finished, why == StopReason::Running ? StopReason::Exhausted : why);
    }

    // After the search: the answer's finalists again with libaio, DeepSpeed's
    // interface, visited round-robin so a drift over time touches each alike.
    // Returns the end when a cancel or a sink failure stopped it.
    std::optional<EndedEvent> confirm() {
        if (!m_confirmEngine) return std::nullopt;
        AnswerContext context = m_strategy->answerContext();
        context.status = SweepStatus::Finished;
        std::vector<ConfigKey> finalists = answerFinalists(decideAnswer(m_resultSink.results(), context));
        if (finalists.empty()) {
            m_notConfirmed = "the search found no answer to check";
            m_confirmVisits = 0;
            return std::nullopt;
        }
        if (finalists.size() > m_confirmVisits) finalists.resize(m_confirmVisits);
        const std::size_t each =
            std::min<std::size_t>(m_confirmVisits / finalists.size(), static_cast<std::size_t>(kConfirmMaxVisits));
        m_confirmVisits = each * finalists.size();
        m_confirmEach = static_cast<int>(each);
        // One libaio handle per finalist for all its visits, as DeepSpeed keeps
        // one for a run; closed together at the end (io_destroy waits out an
        // RCU grace period, 30-60 ms, which per visit added up to 4% of a sweep).
        std::vector<VisitHandles> handles(finalists.size());
        for (std::size_t v = 0; v < each; ++v)
            for (std::size_t f = 0; f < finalists.size(); ++f) {
                if (cancelled()) return finish(SweepStatus::Cancelled, StopReason::Cancelled);
                const VisitOutcome outcome =
                    measureVisit(Visit{finalists[f].aio, static_cast<int>(v), 0}, true, &handles[f]);
                --m_confirmVisits;
                if (auto stopped = endAfter(outcome)) return stopped;
            }
        std::vector<std::jthread> closing;
        for (VisitHandles& h : handles)
            closing.emplace_back([owned = std::move(h)]() mutable { owned.clear(); });
        return std::nullopt;
    }

    EndedEvent finish(SweepStatus status, StopReason why) const {
        EndedEvent e;
        e.status = status;
        e.stopReason = why;
        e.finishedAtMs = nowEpochMs();
        return e;
    }

    enum class VisitOutcome { Done, Cancelled, SinkFailed };

    // The sweep's end when a visit was cancelled or a sink failed; none when it was done.
    std::optional<EndedEvent> endAfter(VisitOutcome outcome) {
        if (outcome == VisitOutcome::Cancelled) return finish(SweepStatus::Cancelled, StopReason::Cancelled);
        if (outcome != VisitOutcome::SinkFailed) return std::nullopt;
        EndedEvent e = finish(SweepStatus::Failed, StopReason::Failed);
        e.error = m_failure->code;
        e.message = m_failure->message;
        message(Severity::Error, e.message);
        return e;
    }

    // Write, then read, of one visit; the samples go to the strategy, or,
    // when `confirming`, out as the confirmation's own (measured with libaio).
    VisitOutcome measureVisit(const Visit& visit, bool confirming = false, VisitHandles* kept = nullptr) {
        IoEngine* engine = confirming ? m_confirmEngine.get() : m_engine;
        const int nf = static_cast<int>(m_folders.size());
        const ConfigKey key{visit.config, nf};
        const std::uint64_t ioSize = visit.ioSize ? visit.ioSize : m_spec.ioSize;
        std::vector<Sample> samples;
        m_opsThisVisit = 0;
        // Opened before the visit's first transfer, kept for the rest (and,
        // when the caller keeps them, for its later visits).
        VisitHandles own;
        VisitHandles& handles = kept ? *kept : own;
        // A handle that could not open (io_setup's EAGAIN while another job
        // holds the system's aio contexts) is tried again, not kept failing.
        if (std::any_of(handles.begin(), handles.end(), [](const auto& h) { return !h; })) handles.clear();
        for (const IoOp op : {IoOp::Write, IoOp::Read}) {
            if (op == IoOp::Write ? !m_spec.write : !m_spec.read) continue;
            progress(std::string(ioOpName(op)) + " " +
                     (confirming ? key.label() + " (check on libaio " + std::to_string(visit.loop + 1) + "/" +
                                       std::to_string(m_confirmEach) + ")"
                                 : visitLabel(key, visit)));
            SampleEvent e;
            e.key = key;
            e.visit = visit;
            if (auto refused = refuseVisit(op, ioSize); !refused.empty()) {
                e.sample = failedSample(op, visit.loop, refused);
            } else {
                const IoDirection dir = op == IoOp::Read ? IoDirection::Read : IoDirection::Write;
                std::uint64_t pauses = pauseCount();
                auto out = transferThroughHandles(*engine, handles, visit.config, dir, ioSize);
                // Stopped from outside mid-transfer (SIGSTOP, Ctrl-Z): the time
                // measured the pause. Measured again, and flagged if it recurs.
                for (int again = 0; again < 2 && pauseCount() != pauses && !cancelled(); ++again) {
                    pauses = pauseCount();
                    out = transferThroughHandles(*engine, handles, visit.config, dir, ioSize);
                }
                // A transfer stopped by the cancel flag measured nothing.
                if (cancelled() && std::any_of(out.begin(), out.end(), [](const auto& r) { return !r.ok(); }))
                    return VisitOutcome::Cancelled;
                aggregateFolders(op, visit.loop, out, e);
                if (pauseCount() != pauses)
                    e.sample.notes += std::string(e.sample.notes.empty() ? "" : "; ") +
                                      "the process was stopped from outside (SIGSTOP or Ctrl-Z) during this "
                                      "transfer, three times running: its time includes the pause";
            }
            samples.push_back(e.sample);
            ++m_done;
            ++m_opsThisVisit;
            if (confirming)
                emit(&SweepSink::onConfirmationSample,
                     ConfirmationSampleEvent{key, visit, m_confirmEngine->name(), e.sample});
            else
                emit(&SweepSink::onSample, e);
            progress(m_current);
            for (SweepSink* s : m_sinks)
                if (auto f = s->failure()) {
                    m_failure = f;
                    return VisitOutcome::SinkFailed;
                }
        }
        if (confirming) return VisitOutcome::Done;
        const std::size_t droppedBefore = m_strategy->dropouts().size();
        m_strategy->observe(visit, samples);
        if (m_strategy->dropouts().size() != droppedBefore) emitRace();
        return VisitOutcome::Done;
    }

    // Why this operation cannot be measured at all; empty when it can.
    std::string refuseVisit(IoOp op, std::uint64_t ioSize) const {
        if (op == IoOp::Read && !m_primeError.empty()) return m_primeError;
        if (ioSize > m_spec.ioSize || ioSize % 4096 != 0)
            return "the search asked for " + formatByteSizeHuman(ioSize) + " per transfer; the buffers hold " +
                   formatByteSizeHuman(m_spec.ioSize) + " and transfers are multiples of 4 KiB";
        return {};
    }

    std::string visitLabel(const ConfigKey& key, const Visit& visit) const {
        std::string label = key.label();
        if (m_strategy->name() == "grid" && m_spec.loops > 1)
            label += " (loop " + std::to_string(visit.loop + 1) + "/" + std::to_string(m_spec.loops) + ")";
        else if (visit.loop > 0)
            label += " (visit " + std::to_string(visit.loop + 1) + ")";
        return label;
    }

    // One operation on every folder at once, one set of threads each.
    std::vector<Result<TransferResult>> transferOnEveryFolder(const AioConfig& aio, IoDirection dir,
                                                              std::uint64_t ioSize) {
        TransferParams p;
        p.direction = dir;
        p.ioSize = ioSize;
        p.aio = aio;
        p.profile = m_runner.m_profile;
        std::vector<Result<TransferResult>> out(m_folders.size(), Result<TransferResult>(Error{"not run"}));
        if (m_folders.size() == 1) {
            out[0] = m_engine->transfer(p, m_folders[0].file, m_folders[0].buffer, m_cancel);
        } else {
            std::vector<std::jthread> threads;
            for (std::size_t i = 0; i < m_folders.size(); ++i)
                threads.emplace_back(
                    [&, i] { out[i] = m_engine->transfer(p, m_folders[i].file, m_folders[i].buffer, m_cancel); });
        }
        return out;
    }

    // One handle per folder for a visit, as DeepSpeed creates its aio handle
    // once and reuses it for every swap: the threads, rings or contexts and
    // descriptors are ready before the clock, which then times the transfer
    // alone (the figure ranked); what opening took goes to setupSeconds.
    std::vector<Result<TransferResult>> transferThroughHandles(IoEngine& engine, VisitHandles& handles,
                                                               const AioConfig& aio, IoDirection dir,
                                                               std::uint64_t ioSize) {
        if (handles.empty()) {
            TransferParams p;
            p.direction = dir;
            p.ioSize = ioSize;
            p.aio = aio;
            p.profile = m_runner.m_profile;
            for (auto& f : m_folders) handles.push_back(engine.open(p, f.file, f.buffer));
        }
        std::vector<Result<TransferResult>> out(m_folders.size(), Result<TransferResult>(Error{"not run"}));
        auto one = [&](std::size_t i) {
            out[i] = handles[i] ? (*handles[i])->transfer(dir, m_cancel) : Result<TransferResult>(Error{handles[i].error()});
        };
        if (m_folders.size() == 1) {
            one(0);
        } else {
            std::vector<std::jthread> threads;
            for (std::size_t i = 0; i < m_folders.size(); ++i) threads.emplace_back(one, i);
        }
        return out;
    }

    Sample toSample(IoOp op, int loop, const std::string& folder, const Result<TransferResult>& r) const {
        Sample s;
        s.op = op;
        s.loop = loop;
        s.folder = folder;
        s.finishedAtMs = nowEpochMs();
        s.profile = m_runner.m_profile.name();
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
        s.ioSeconds = r->ioSeconds;
        s.setupSeconds = r->setupSeconds;
        s.hugePageShare = r->hugePageShare;
        s.notes = r->notes;
        return s;
    }

    Sample failedSample(IoOp op, int loop, const std::string& error) const {
        Sample s = toSample(op, loop, m_folders.size() == 1 ? m_folders[0].path.string() : std::string(),
                            Result<TransferResult>(Error{error}));
        return s;
    }

    // The aggregate of several folders is what DeepSpeed's folder-to-device
    // mapping sees: all bytes over the slowest folder's time.
    void aggregateFolders(IoOp op, int loop, const std::vector<Result<TransferResult>>& out, SampleEvent& e) {
        const int nf = static_cast<int>(m_folders.size());
        for (const auto& r : out)
            if (r) {
                m_runner.m_ioSeconds += r->ioSeconds / nf;
                m_bytesDone += static_cast<double>(r->bytes) / nf;
            }
        if (nf == 1) {
            e.sample = toSample(op, loop, m_folders[0].path.string(), out[0]);
            return;
        }
        Sample& s = e.sample;
        s.op = op;
        s.loop = loop;
        s.finishedAtMs = nowEpochMs();
        s.profile = m_runner.m_profile.name();
        double slowest = 0, slowestIo = 0, p99 = 0, maxLat = 0, cpu = 0, share = 0, setup = 0;
        int shares = 0;
        for (int i = 0; i < nf; ++i) {
            const Sample one = toSample(op, loop, m_folders[i].path.string(), out[i]);
            e.perFolder.push_back(one);
            if (one.failed()) {
                if (s.error.empty()) s.error = one.folder + ": " + one.error;
                continue;
            }
            s.bytes += one.bytes;
            slowest = std::max(slowest, one.seconds);
            slowestIo = std::max(slowestIo, one.ioSeconds.value_or(0));
            p99 = std::max(p99, one.latencyP99Us.value_or(0));
            maxLat = std::max(maxLat, one.latencyMaxUs.value_or(0));
            cpu += one.cpuSeconds.value_or(0);
            setup += one.setupSeconds.value_or(0); // the folders' handles open one after another
            if (one.hugePageShare) share += *one.hugePageShare, ++shares;
            if (!one.notes.empty() && s.notes.find(one.notes) == std::string::npos)
                s.notes += (s.notes.empty() ? "" : "; ") + one.notes;
        }
        if (!s.error.empty()) {
            s.bytes = 0;
            s.notes.clear();
            return;
        }
        s.seconds = slowest;
        s.gibPerSec = static_cast<double>(s.bytes) / slowest / (1024.0 * 1024.0 * 1024.0);
        s.ioSeconds = slowestIo;
        s.latencyP99Us = p99;
        s.latencyMaxUs = maxLat;
        s.cpuSeconds = cpu;
        s.setupSeconds = setup;
        if (shares > 0) s.hugePageShare = share / shares;
    }

    // --- emit ----------------------------------------------------------------

    void progress(std::string current) {
        m_current = std::move(current);
        ProgressEvent p;
        p.done = m_done;
        // What the strategy still expects, less what this visit already did.
        const std::size_t ahead = (m_strategy->remainingVisits() + m_confirmVisits) * opsPerVisit();
        p.total = m_done + (ahead > m_opsThisVisit ? ahead - m_opsThisVisit : 0);
        p.current = m_current;
        p.elapsedSeconds = std::chrono::duration<double>(Clock::now() - m_start).count();
        if (m_done > 0)
            p.etaSeconds = p.elapsedSeconds / static_cast<double>(m_done) * static_cast<double>(p.total - p.done);
        emit(&SweepSink::onProgress, p);
    }

    // The answer is decided here, once, from what the sinks recorded.
    void emitAnswer(const EndedEvent& ended) {
        AnswerContext context = m_strategy->answerContext();
        context.status = ended.status;
        if (ended.status != SweepStatus::Finished) context.stop = std::string(stopReasonName(ended.stopReason));
        context.searchEngine = m_engine->name();
        if (m_confirmEngine && m_notConfirmed.empty() && m_resultSink.results().confirmation.empty())
            m_notConfirmed = "the sweep was " + std::string(sweepStatusName(ended.status)) +
                             " before the finalists were checked";
        context.notConfirmed = m_notConfirmed;
        emit(&SweepSink::onAnswer, AnswerEvent{decideAnswer(m_resultSink.results(), context)});
    }

    void emitRace() {
        emit(&SweepSink::onRace, RaceEvent{m_strategy->contenders(), m_strategy->dropouts()});
    }

    SweepRunner& m_runner;
    const SweepSpec& m_spec;
    const std::atomic<bool>* m_cancel;
    SweepSinks m_userSinks;
    SweepSinks m_sinks; // result set, log folder, then the caller's

    std::vector<FolderLock> m_locks;
    bool m_createdLogFolder = false;
    std::vector<std::filesystem::path> m_madeFolders; // made for the log folder, outermost first
    std::unique_ptr<IoEngine> m_ownEngine;
    IoEngine* m_engine = nullptr;
    std::string m_fallback;
    std::unique_ptr<IoEngine> m_confirmEngine; // libaio, when the answer is checked on it
    std::string m_notConfirmed;                // why it is not; empty when it is
    std::size_t m_confirmVisits = 0;           // the check's visits still to come
    int m_confirmEach = 0;                     // visits per finalist
    std::vector<Folder> m_folders;
    std::unique_ptr<SearchStrategy> m_strategy;
    ResultSet m_header;
    ResultSetSink m_resultSink;
    std::optional<LogFolderSink> m_logSink;

    std::string m_primeError;
    Clock::time_point m_start;
    std::size_t m_done = 0;
    std::size_t m_opsThisVisit = 0;
    double m_bytesDone = 0;
    std::string m_current;
    std::optional<SinkFailure> m_failure;
};

Result<ResultSet> SweepRunner::run(const SweepSinks& sinks, const std::atomic<bool>* cancel) {
    return SweepSession(*this, sinks, cancel).run();
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
