#pragma once
// `aiotune sweep --events FILE|-`: the runner's events for other programs,
// one JSON object per line, flushed as each happens. Every line carries the
// stream's name and version and the event's type:
//
//   {"format": "aiotune-events", "version": 1, "event": "started", "at_ms": ..., ...}
//
// Field names are sweep.json's (results/sweep_file.h): "started" holds the
// file's header fields (engine, host, strategy, profile, started_at_ms, meta)
// plus planned_transfers and log_dir; "sample" a config's tag and key and one
// of its samples; "confirmation_sample" the same plus "engine" for a finalist
// measured again with libaio after the search (sweep.json's "confirmation",
// never one of the search's samples); "race" the contenders' keys and the dropouts so far;
// "progress" done, total, elapsed_seconds, eta_seconds (null until known),
// current; "message" severity and text; "ended" status, error, message,
// stop_reason, finished_at_ms. A new field may appear in any version; a
// field's meaning or a type's removal changes the version.
//
// A reader that goes away does not stop the sweep: the sink stops writing and
// says why in writeError().
#include "sweep/sweep_events.h"
#include "util/result.h"

#include <nlohmann/json.hpp>

#include <cstdio>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

namespace aiotune {

inline constexpr std::string_view kEventStreamFormat = "aiotune-events";
inline constexpr int kEventStreamVersion = 1;

class EventStreamSink : public SweepSink {
  public:
    // "-" is standard output; anything else a file created (or emptied) for it.
    static Result<std::unique_ptr<EventStreamSink>> open(const std::string& target);
    // Writes to `out` without owning it.
    explicit EventStreamSink(std::FILE* out) : m_out(out) {}
    ~EventStreamSink() override;
    EventStreamSink(const EventStreamSink&) = delete;
    EventStreamSink& operator=(const EventStreamSink&) = delete;

    void onStarted(const StartedEvent& e) override;
    void onSample(const SampleEvent& e) override;
    void onConfirmationSample(const ConfirmationSampleEvent& e) override;
    void onProgress(const ProgressEvent& e) override;
    void onMessage(const MessageEvent& e) override;
    void onRace(const RaceEvent& e) override;
    // {"event": "answer", "answer": {...}}: the answer as sweep.json stores it.
    void onAnswer(const AnswerEvent& e) override;
    void onEnded(const EndedEvent& e) override;

    // Empty while every line was written.
    const std::string& writeError() const { return m_writeError; }

  private:
    void write(std::string_view event, nlohmann::ordered_json fields);

    std::FILE* m_out = nullptr;
    bool m_owned = false;
    std::string m_target; // for messages
    std::string m_writeError;
};

// One line of a stream, parsed: the object when it is an event of a version
// this aiotune reads, nothing for any other line (a person's text, another
// program's JSON, a damaged line).
std::optional<nlohmann::json> parseEventLine(std::string_view line);

} // namespace aiotune
