#pragma once
// Value types for measured results: one transfer (Sample), the samples of one
// configuration (ConfigResult), a whole sweep or log folder (ResultSet) and the
// verdict drawn from it (Recommendation). Plain values: copyable, comparable,
// safe to pass across threads and through queued signals.
#include "config/aio_config.h"
#include "engine/measurement_profile.h"

#include <nlohmann/json.hpp>

#include <compare>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace aiotune {

enum class IoOp { Read, Write };

// How a sweep ended (or that it still runs, as a killed one's sweep.json says).
// None: the results do not come from an aiotune sweep (DeepSpeed's logs).
enum class SweepStatus { None, Running, Finished, Cancelled, Failed };
// "running", "finished", "cancelled", "failed"; "" for None.
std::string_view sweepStatusName(SweepStatus s);
// The inverse; anything else (an old or damaged file) reads as None.
SweepStatus parseSweepStatus(std::string_view name);

// "read" / "write": the first tag of a DeepSpeed log file name.
std::string_view ioOpName(IoOp op);

// What a configuration is: the aio settings plus how many folders (drives) were
// driven at once, one process each (DeepSpeed's `ftd<N>` tag, `t<N>` in older logs).
// The transfer size is not part of the key: DeepSpeed's read and write logs of
// one configuration pair up whatever their size.
struct ConfigKey {
    AioConfig aio;
    int folders = 1;

    bool operator==(const ConfigKey& other) const = default;
    // Orders by block size, queue depth, threads, submit, overlap, gds, folders.
    std::strong_ordering operator<=>(const ConfigKey& other) const;

    // DeepSpeed naming scheme D without the operation:
    // "block_overlap_ftd1_d32_bs1M_p8" (a trailing "_gds" only when use_gds).
    std::string tag() const;
    // Short human label: "1M, qd 32, 8 threads, block, overlap" (+ ", 2 folders").
    std::string label() const;
};

// One measured transfer.
struct Sample {
    IoOp op = IoOp::Read;
    int loop = 0;                       // 0-based repetition index
    std::string folder;                 // folder the transfer ran in; empty when unknown
    std::uint64_t bytes = 0;            // transfer size; 0 when unknown
    double seconds = 0.0;               // end to end
    double gibPerSec = 0.0;             // bytes / 1024^3 / seconds (DeepSpeed's "GB/sec")
    std::optional<double> latencyP50Us; // per request, microseconds; DeepSpeed logs have none
    std::optional<double> latencyP99Us;
    std::optional<double> latencyMaxUs;
    std::optional<double> cpuSeconds; // user + system time of the transfer
    std::int64_t finishedAtMs = 0;    // Unix epoch milliseconds; 0 when unknown
    std::optional<double> ioSeconds;  // first submit to last completion (DeepSpeed's "Task" line)
    // Untimed opening of the handle (threads, rings or contexts, descriptors)
    // on the visit's first transfer; 0 on the ones that reused it.
    std::optional<double> setupSeconds;
    std::string profile;              // measurement profile name ("faithful", "what-if: ...")
    std::optional<double> hugePageShare; // 0..1 of the buffer on huge pages (smaps)
    std::string notes;                // engine remarks, e.g. "registration skipped above 1 GiB"
    std::string sourceFile;           // log file it was read from; empty otherwise
    std::string error;                // non-empty: the transfer failed, numbers are void

    bool failed() const { return !error.empty(); }
    bool operator==(const Sample&) const = default;
};

// Range of the successful samples of one operation.
struct Spread {
    double min = 0.0;
    double max = 0.0;
    int count = 0; // successful samples behind it

    double width() const { return max - min; }
    // width / median; 0 with fewer than two samples.
    double relativeTo(double median) const { return median > 0.0 ? width() / median : 0.0; }
    bool operator==(const Spread&) const = default;
};

// All samples of one configuration and the figures derived from them.
struct ConfigResult {
    ConfigKey key;
    std::vector<Sample> samples;
    // When key.folders > 1: each folder's own sample behind every aggregated
    // one (same op and loop, Sample::folder set). Not used for the figures.
    std::vector<Sample> folderSamples;

    // Derived by recompute(): medians of the successful samples, absent when
    // an operation has none.
    std::optional<double> readGiBps;
    std::optional<double> writeGiBps;
    std::optional<Spread> readSpread;
    std::optional<Spread> writeSpread;
    std::optional<double> combinedGiBps; // read + write, only when both exist
    int errors = 0;                      // failed samples

    void recompute();
    bool hasBoth() const { return combinedGiBps.has_value(); }
    bool readOnly() const { return readGiBps && !writeGiBps; }
    bool writeOnly() const { return writeGiBps && !readGiBps; }
    // Most samples of one op: 1 means the noise of this configuration is unknown.
    int loops() const;
    // First error message, for tables; empty when none.
    std::string firstError() const;
    bool operator==(const ConfigResult&) const = default;
};

// A file of a log folder that could not be used, and why.
struct SkippedFile {
    std::string file;   // path as found
    std::string reason; // what is wrong and, where useful, what to do
    bool operator==(const SkippedFile&) const = default;
};

// A configuration that left an adaptive search's race, and when.
struct Dropout {
    AioConfig config;
    std::size_t afterTransfers = 0; // transfers made by the whole search when it dropped
    std::string reason;             // "upper bound 3.1 GiB/s below leader's lower bound 3.4"
    bool operator==(const Dropout&) const = default;
};

struct ResultSet {
    std::vector<ConfigResult> configs; // kept sorted by key
    std::vector<SkippedFile> skipped;
    std::string source;  // e.g. "DeepSpeed log folder /data/_aio_bench_logs"
    std::string engine;  // "deepspeed" for DeepSpeed's logs, else aiotune's engine name
    nlohmann::json meta; // caller's blob from sweep.json (spec, system); null otherwise
    // What an aiotune sweep recorded besides its samples (defaults otherwise).
    SweepStatus status = SweepStatus::None;
    std::string error;   // why a failed sweep ended; empty otherwise
    std::string host;    // the machine (or the fleet's label for it)
    std::string strategy; // "grid", "adaptive"
    std::optional<MeasurementProfile> profile;
    std::int64_t startedAtMs = 0;  // Unix epoch milliseconds; 0 when unknown
    std::int64_t finishedAtMs = 0; // 0 while running or unknown
    std::vector<Dropout> dropouts;

    const ConfigResult* find(const ConfigKey& key) const;
    // Adds a sample to its configuration (created in key order when new) and
    // recomputes that configuration's figures.
    ConfigResult& add(const ConfigKey& key, Sample sample);
    // The same, keeping each folder's sample behind an aggregated one.
    ConfigResult& add(const ConfigKey& key, Sample sample, const std::vector<Sample>& perFolder);
    int configsWithBoth() const;
    bool operator==(const ResultSet&) const = default;
};

enum class Confidence { Low, Medium, High };
std::string_view confidenceName(Confidence c); // "low" / "medium" / "high"

// The verdict over a ResultSet (see analysis.h for how it is drawn).
struct Recommendation {
    // Highest read + write, DeepSpeed's own rule; absent when no configuration
    // has both a read and a write figure.
    std::optional<ConfigResult> best;
    std::optional<ConfigResult> runnerUp;
    // The cheapest configuration (fewest threads, then lowest queue depth) whose
    // combined figure is within the measured noise of the best; equals best when
    // the noise is unknown or nothing cheaper is close enough.
    std::optional<ConfigResult> recommended;
    double noiseGiBps = 0.0; // tolerance used for `recommended`; 0 when unknown
    bool noiseKnown = false; // some configuration was measured more than once
    Confidence confidence = Confidence::Low;
    std::string confidenceText;          // one or two sentences for the user
    std::vector<ConfigResult> readOnly;  // a read figure but no write figure
    std::vector<ConfigResult> writeOnly; // a write figure but no read figure
    std::vector<ConfigResult> failed;    // samples, but every one failed
    int configsWithBoth = 0;
    std::string message; // why there is no best, when there is none
};

} // namespace aiotune
