#pragma once
// Runs a SweepSpec: one scratch file and buffer per folder, created once and
// reused by every point; each loop visits every point (write, then read) so
// drift spreads evenly over configurations. Folders are driven at once, one
// set of threads each. Progress, samples and messages go to callbacks from
// the running thread; cancel is checked within and between transfers.
#include "engine/io_engine.h"
#include "results/result_model.h"
#include "sweep/sweep_spec.h"

#include <atomic>
#include <cstdint>
#include <functional>
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

    bool ok() const { return problem.empty(); }
    // "32 points, 12.5 GiB written, about 40 s; /mnt/nvme0: 800 GiB free"
    std::string summary() const;
};

// Checks the spec and every folder (a real writable directory, O_DIRECT, free
// space for the scratch file) without leaving anything behind.
SweepPlan planSweep(const SweepSpec& spec, double assumedGiBps = 1.5);

struct SweepProgress {
    std::size_t done = 0;  // transfers finished (failed ones included)
    std::size_t total = 0;
    double elapsedSeconds = 0;
    double etaSeconds = -1; // -1 until something was measured
    std::string current;    // "write 1M, qd 32, 8 threads, block, overlap (loop 1/3)"
};

struct SweepCallbacks {
    std::function<void(const SweepProgress&)> progress;
    // After every transfer, failed ones too (sample.error set).
    std::function<void(const ConfigKey&, const Sample&)> sample;
    std::function<void(const std::string&)> message; // warnings worth showing
};

class SweepRunner {
public:
    explicit SweepRunner(SweepSpec spec, EngineKind engine = EngineKind::Auto);

    // Blocks until the sweep ends. A cancelled sweep returns what finished,
    // with status "cancelled"; errors are only for sweeps that cannot start.
    Result<ResultSet> run(const SweepCallbacks& callbacks, const std::atomic<bool>* cancel = nullptr);

    // Write a DeepSpeed-compatible log folder (plus sweep.json) as points
    // finish; a killed sweep leaves every finished point readable there.
    void setLogFolder(std::filesystem::path folder) { m_logFolder = std::move(folder); }

    // Buffers on transparent huge pages (the default) or normal pages, as
    // PyTorch's pinned tensors usually are (see AlignedBuffer).
    void setHugePages(bool on) { m_hugePages = on; }

    // Total I/O seconds of the transfers run so far (benchmarks compare wall time to it).
    double ioSeconds() const { return m_ioSeconds; }

private:
    SweepSpec m_spec;
    EngineKind m_engineKind;
    std::filesystem::path m_logFolder;
    bool m_hugePages = true;
    double m_ioSeconds = 0;
};

// Host, kernel, liburing, aiotune version, folders: what a sweep.json records.
nlohmann::json systemFingerprint(const std::vector<std::filesystem::path>& folders);

} // namespace aiotune
