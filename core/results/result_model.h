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

enum class Confidence { Low, Medium, High };
std::string_view confidenceName(Confidence c); // "low" / "medium" / "high"

// --- The answer (decided in results/answer.h, stored with the sweep) ---

// Where a configuration stands in the answer. Precedence as listed: a
// configuration tied with the best is Tied even if it left the search's race.
enum class ConfigState {
    Best,
    Contending, // could still be faster than the best by more than the tolerance
    Tied,       // not shown to be slower than the best, nor able to beat it by the tolerance
    Eliminated, // shown to be slower than the best
    Predicted,  // never measured: the model's estimate only
    Failed,     // measured, but no visit succeeded in every operation
};
std::string_view configStateName(ConfigState s); // "best", "contending", "tied", ...
std::optional<ConfigState> parseConfigState(std::string_view name);

struct ConfigStanding {
    ConfigKey key;
    ConfigState state = ConfigState::Eliminated;
    int visits = 0;                 // full visits behind the estimate (0: predicted or failed)
    std::optional<double> gibps;    // measured: median read + median write (the table's); predicted: the model's; absent when failed
    std::optional<double> upperGain; // how much faster than the best it could be at 95% (0.04 = 4%)
    std::string reason;             // one sentence for tooltips and --json
    bool operator==(const ConfigStanding&) const = default;
};

// The answer's finalists measured again after the search through DeepSpeed's
// own interface (libaio), and what that changed (results/answer.h).
struct ConfirmedFinalist {
    ConfigKey key;
    double searchGiBps = 0.0;            // the search engine's figure (median read + median write, as the tables show)
    int searchVisits = 0;
    std::optional<double> confirmGiBps;  // the confirming engine's; absent when no visit succeeded
    int confirmVisits = 0;               // its full visits
    std::string error;                   // why the confirming engine could not measure it; empty otherwise
    bool operator==(const ConfirmedFinalist&) const = default;
};

struct Confirmation {
    bool done = false;         // false: not confirmed, `whyNot` says why and how to get it
    std::string engine;        // the confirming engine ("libaio")
    std::string searchEngine;  // the engine the search measured with ("io_uring")
    std::string whyNot;        // empty when done
    std::vector<ConfirmedFinalist> finalists; // the search's best first
    // The confirming engine ranked another finalist ahead of the search's best
    // beyond the noise: the answer follows it (its best is that finalist).
    bool overturned = false;
    std::optional<ConfigKey> searchBest; // the search's own pick, when overturned
    bool operator==(const Confirmation&) const = default;
};

struct AnswerInterval {
    double low = 0, high = 0;
    bool operator==(const AnswerInterval&) const = default;
};

struct Answer {
    bool found = false;  // false: no configuration has a successful visit of every operation
    std::string message; // why there is no answer, when none

    ConfigKey best;
    double bestGiBps = 0.0;                // its figure: median read + median write (the table's), or a model's
    std::optional<AnswerInterval> interval; // 90%; absent when the data cannot support one
    int bestVisits = 0;
    std::vector<ConfigKey> tied;            // fastest first (details in `configs`)
    std::optional<ConfigKey> recommended;   // absent when the answer is partial
    double recommendedGiBps = 0.0;
    Confidence confidence = Confidence::Low;
    std::string confidenceText;
    std::optional<double> possibleGain; // at 95%; absent when unknown
    std::optional<double> noise;        // per visit, share of the figure; absent when unknown
    double tolerance = 0.03;
    bool partial = false;
    std::string partialReason;

    // How it was decided, and what it cost.
    std::string strategy;      // "adaptive", "grid", "deepspeed" (DeepSpeed's logs), ...
    std::string decidedBy;     // one sentence: "the adaptive search", "decided again from all samples ..."
    std::string stoppedBecause; // stopReasonName(), or "" when not a search
    std::size_t transfers = 0;
    std::uint64_t bytes = 0;
    double seconds = 0.0;
    std::size_t configurations = 0; // in the grid
    std::size_t measured = 0;       // with at least one full visit

    std::vector<ConfigStanding> configs; // every configuration of the grid, best first
    std::string samplesDigest;           // of the samples it was decided on
    // The check of the finalists on DeepSpeed's interface; absent when the
    // results come from no aiotune sweep that planned one (DeepSpeed's logs, older sweeps).
    std::optional<Confirmation> confirmation;

    const ConfigStanding* standing(const ConfigKey& key) const;
    // The section to export: recommended when claimed and `preferRecommended`, else best.
    const ConfigKey& pick(bool preferRecommended) const;
    bool operator==(const Answer&) const = default;
};

// Samples a sweep measured after its search with another engine (libaio,
// DeepSpeed's interface) to confirm the answer's finalists. Kept apart from
// ResultSet::configs, so they never mix into the search engine's figures.
struct ConfirmationSamples {
    std::string engine;                // "libaio"
    std::vector<ConfigResult> configs; // kept sorted by key

    bool empty() const { return configs.empty(); }
    const ConfigResult* find(const ConfigKey& key) const;
    ConfigResult& add(const ConfigKey& key, Sample sample);
    bool operator==(const ConfirmationSamples&) const = default;
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
    ConfirmationSamples confirmation; // empty when the sweep confirmed nothing
    // The answer decided when the sweep ended (answer.h); absent for
    // DeepSpeed's logs and older sweeps. Read it through answerFor().
    std::optional<Answer> answer;

    const ConfigResult* find(const ConfigKey& key) const;
    // Adds a sample to its configuration (created in key order when new) and
    // recomputes that configuration's figures.
    ConfigResult& add(const ConfigKey& key, Sample sample);
    // The same, keeping each folder's sample behind an aggregated one.
    ConfigResult& add(const ConfigKey& key, Sample sample, const std::vector<Sample>& perFolder);
    int configsWithBoth() const;
    bool operator==(const ResultSet&) const = default;
};


// The answer over a ResultSet (answerFor) with its configurations' figures:
// what the tables, the report and the printers show.
struct Recommendation {
    Answer answer; // the one answer; the fields below are its figures
    // The answer's best; absent when it has none or it lacks a read or a write figure.
    std::optional<ConfigResult> best;
    std::optional<ConfigResult> runnerUp; // the next in the answer's order
    // The answer's recommendation; the best when none is claimed (a partial answer).
    std::optional<ConfigResult> recommended;
    double noiseGiBps = 0.0; // the answer's noise per visit, at the best's figure; 0 when unknown
    bool noiseKnown = false;
    Confidence confidence = Confidence::Low;
    std::string confidenceText;          // one or two sentences for the user
    std::vector<ConfigResult> readOnly;  // a read figure but no write figure
    std::vector<ConfigResult> writeOnly; // a write figure but no read figure
    std::vector<ConfigResult> failed;    // samples, but every one failed
    int configsWithBoth = 0;
    std::string message; // why there is no best, when there is none
};

} // namespace aiotune
