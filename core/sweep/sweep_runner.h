#pragma once
// Runs a SweepSpec as its search strategy directs: one scratch file and
// buffer per folder, created once and reused by every visit; each visit
// measures a write, then a read, on every folder at once (one set of threads
// each). What happens goes out as typed events (sweep_events.h) to a list of
// sinks from the running thread; cancel is checked within and between transfers.
#include "engine/io_engine.h"
#include "results/answer.h"
#include "results/result_model.h"
#include "sweep/search_strategy.h"
#include "sweep/sweep_events.h"
#include "sweep/sweep_spec.h"

#include <atomic>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace aiotune {

struct FolderPlan {
    std::filesystem::path folder;
    std::uint64_t freeBytes = 0;
    std::uint64_t neededBytes = 0; // the scratch file
    std::string problem;           // why this folder is refused; empty when fine
};

struct SweepPlan {
    std::size_t points = 0;        // configurations
    std::size_t transfers = 0;     // points x loops x ops x folders
    std::uint64_t bytesWritten = 0;
    std::uint64_t bytesRead = 0;
    double estimatedSeconds = 0;   // at the assumed speed
    std::vector<FolderPlan> folders;
    std::string problem;           // first reason the sweep cannot start; empty when it can
    // An adaptive search's plan (planAdaptiveSweep): the transfers its budget
    // allows and its first pass; 0 for a grid.
    std::size_t budgetTransfers = 0;
    std::size_t firstPassTransfers = 0;
    double assumedGiBps = 1.5;
    // The answer's check on libaio after the search (planConfirmation): the
    // transfers it takes (adaptive: out of the budget above; grid: on top of
    // the grid), or why there is none.
    std::size_t confirmTransfers = 0;
    std::string notConfirmed;

    bool ok() const { return problem.empty(); }
    // Grid: "32 points, 12.5 GiB written, about 40 s; /mnt/nvme0: 800 GiB free".
    // Adaptive: "Adaptive search over 64 points: at most 96 transfers (first
    // pass 64), up to 12 GiB moved, at most about 40 s at an assumed 1.5 GiB/s; ...".
    std::string summary() const;
    // The check's clause of summary(): "12 of those transfers check the
    // finalists on libaio, ..." / "then up to 12 more transfers after the
    // grid ..." / "the answer will not be checked on libaio: <why>"; empty
    // when planConfirmation() was not called.
    std::string confirmationText() const;
};

// Checks the spec and every folder (a real writable directory, O_DIRECT, free
// space for the scratch file) without leaving anything behind.
SweepPlan planSweep(const SweepSpec& spec, double assumedGiBps = 1.5);
// Transfers the answer's check on libaio takes at most (results/answer.h:
// kMaxFinalists x kConfirmVisits x operations).
std::size_t confirmationTransfers(const SweepSpec& spec);
// Why a sweep measuring with `searchEngine` ("io_uring", "libaio", ...) will
// not check its answer on libaio: switched off, the search is on libaio
// already, or libaio does not load here (with how to install it); empty when
// it will. libraryNames: LibaioEngine's test seam.
std::string confirmationUnavailable(const std::string& searchEngine, bool enabled,
                                    const std::vector<std::string>& libraryNames = {});
// Fills plan.confirmTransfers / notConfirmed for a sweep with that engine.
void planConfirmation(SweepPlan& plan, const SweepSpec& spec, EngineKind engine, bool enabled);

struct AdaptiveOptions;
// The same checks, with the figures of what the adaptive search's budget
// allows (its loops are its own: the spec's are not used).
SweepPlan planAdaptiveSweep(const SweepSpec& spec, const AdaptiveOptions& options, double assumedGiBps = 1.5);

class SweepRunner {
public:
    explicit SweepRunner(SweepSpec spec, EngineKind engine = EngineKind::Auto);
    ~SweepRunner();
    SweepRunner(SweepRunner&&) noexcept;
    SweepRunner& operator=(SweepRunner&&) noexcept;

    // Blocks until the sweep ends, sending every event to each sink in turn
    // (after the runner's own: the result set, then the log folder), on this
    // thread. Returns the result set the events built: status Finished,
    // Cancelled (what finished before the cancel) or Failed (a log write
    // failed; the error says why). An error only for sweeps that cannot start
    // (plan, lock, log folder, memory); sinks then get an EndedEvent
    // {Failed, CannotStart} and no StartedEvent.
    Result<ResultSet> run(const SweepSinks& sinks = {}, const std::atomic<bool>* cancel = nullptr);

    // What to measure next; default: GridStrategy over the spec (every
    // configuration spec.loops times, interleaved). Used by one run().
    void setStrategy(std::unique_ptr<SearchStrategy> strategy);
    // Write a DeepSpeed-compatible log folder (plus sweep.json) as points
    // finish; a killed sweep leaves every finished point readable there. The
    // folder must hold no logs yet; an empty path is refused, not ignored.
    void setLogFolder(std::filesystem::path folder) { m_logFolder = std::move(folder); }
    // How buffers are allocated and registered (default: faithful).
    void setProfile(const MeasurementProfile& profile) { m_profile = profile; }
    // The machine's name in sweep.json (fleets label their hosts); default: uname's.
    void setHostLabel(std::string host) { m_hostLabel = std::move(host); }
    // Measures with this engine instead of creating one (tests inject faults with it).
    void setEngine(std::unique_ptr<IoEngine> engine);
    // After the search, measure the answer's finalists again with libaio,
    // DeepSpeed's own interface, interleaved, kConfirmVisits each, within an
    // adaptive search's budget (reserved from it before the search starts;
    // a grid's come after it). On by default; off, or where libaio does not
    // load, the answer says it was not checked and why.
    void setConfirm(bool confirm) { m_confirm = confirm; }
    // Test seam: the library names libaio is loaded from, for EngineKind::Libaio
    // and the check (LibaioEngine's); a missing one makes libaio "not installed".
    void setLibaioLibrary(std::vector<std::string> names) { m_libaioLibrary = std::move(names); }

    // Total I/O seconds of the transfers run so far (benchmarks compare wall time to it).
    double ioSeconds() const { return m_ioSeconds; }

private:
    friend class SweepSession;
    SweepSpec m_spec;
    EngineKind m_engineKind;
    std::unique_ptr<IoEngine> m_engine;
    std::unique_ptr<SearchStrategy> m_strategy;
    std::optional<std::filesystem::path> m_logFolder;
    MeasurementProfile m_profile;
    std::string m_hostLabel;
    bool m_confirm = true;
    std::vector<std::string> m_libaioLibrary;
    double m_ioSeconds = 0;
};

// Host, kernel, liburing, aiotune version, folders: what a sweep.json records.
nlohmann::json systemFingerprint(const std::vector<std::filesystem::path>& folders);

} // namespace aiotune
