#pragma once
// What a running sweep tells the world, as typed events, and the interface
// of whoever listens (a sink). SweepRunner::run sends every event, in order,
// from its own thread, to each sink of its list: the in-memory result set,
// the log folder, the window's Qt bridge, the command line's printer.
//
// Order: Started once (unless the sweep cannot start), then Sample, Progress,
// Message and Race in the order things happen, then the confirmation's
// ConfirmationSample events (with Progress), then Answer and Ended exactly
// once each (a sweep that cannot start sends Ended alone).
#include "results/answer.h"
#include "results/result_model.h"
#include "sweep/search_strategy.h"

#include <cstddef>
#include <optional>
#include <string>
#include <vector>

namespace aiotune {

// Why a sweep failed; None when it did not.
enum class SweepErrorCode {
    None,
    CannotStart, // refused before any measurement (plan, lock, log folder, memory)
    LogWrite,    // the log folder could not be written (disk full, permission)
    Sink,        // another sink could not keep its record
};
std::string_view sweepErrorCodeName(SweepErrorCode c); // "", "cannot_start", "log_write", "sink"

struct StartedEvent {
    // Everything known before the first sample: engine, meta (spec, system),
    // host, strategy, profile, start time; status Running, no configs.
    ResultSet header;
    std::size_t plannedTransfers = 0; // best guess (the strategy's), one per op and visit
    std::string logFolder;            // empty when none is written
};

struct SampleEvent {
    ConfigKey key;
    Visit visit;
    // One operation of one visit; with several folders, the aggregate DeepSpeed's
    // folder mapping sees (all bytes over the slowest folder's time). Failed
    // samples too (sample.error set).
    Sample sample;
    // Each folder's own sample when key.folders > 1; empty with one folder.
    std::vector<Sample> perFolder;
};

// One operation of one visit of the answer's confirmation: a finalist
// measured again after the search with another engine (libaio, DeepSpeed's
// interface). Its own event, so no listener mixes it into the search's figures.
struct ConfirmationSampleEvent {
    ConfigKey key;
    Visit visit;        // visit.loop: the finalist's confirmation visit, 0-based
    std::string engine; // "libaio"
    Sample sample;      // aggregated over folders as SampleEvent's
};

struct ProgressEvent {
    std::size_t done = 0;   // transfers finished (failed ones included)
    std::size_t total = 0;  // done + what the strategy expects still to come
    double elapsedSeconds = 0;
    double etaSeconds = -1; // -1 until something was measured
    std::string current;    // "write 1M, qd 32, 8 threads, block, overlap (loop 1/3)"
};

enum class Severity { Info, Warning, Error };

struct MessageEvent {
    Severity severity = Severity::Warning;
    std::string text;
};

// Who is still in the race, after every visit whose observation changed it
// (grid: never changes; adaptive: configurations drop out).
struct RaceEvent {
    std::vector<AioConfig> contenders;
    std::vector<Dropout> dropouts; // all so far, in the order they dropped
};

// The answer decided when the measuring is over (results/answer.h), sent
// once, just before Ended, also after a cancel or a failure (then partial).
struct AnswerEvent {
    Answer answer;
};

struct EndedEvent {
    SweepStatus status = SweepStatus::Finished; // Finished, Cancelled or Failed
    SweepErrorCode error = SweepErrorCode::None;
    std::string message;                        // why it failed; empty otherwise
    StopReason stopReason = StopReason::Exhausted;
    std::int64_t finishedAtMs = 0;
};

// A failure a sink reports back: the runner ends the sweep with it, since
// measuring on without a record (a full log disk) wastes the user's time.
struct SinkFailure {
    SweepErrorCode code = SweepErrorCode::Sink;
    std::string message;
};

class SweepSink {
public:
    virtual ~SweepSink() = default;
    virtual void onStarted(const StartedEvent&) {}
    virtual void onSample(const SampleEvent&) {}
    virtual void onConfirmationSample(const ConfirmationSampleEvent&) {}
    virtual void onProgress(const ProgressEvent&) {}
    virtual void onMessage(const MessageEvent&) {}
    virtual void onRace(const RaceEvent&) {}
    virtual void onAnswer(const AnswerEvent&) {}
    virtual void onEnded(const EndedEvent&) {}
    // Checked after every sample; set once the sink cannot go on.
    virtual std::optional<SinkFailure> failure() const { return std::nullopt; }
};

using SweepSinks = std::vector<SweepSink*>;

} // namespace aiotune
