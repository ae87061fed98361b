#pragma once
// The sinks every caller may use: the in-memory result set (what run()
// returns), the log folder, and one built from lambdas (tests, small tools).
#include "results/log_folder_writer.h"
#include "sweep/sweep_events.h"

#include <functional>
#include <optional>

namespace aiotune {

// Builds the ResultSet the runner returns, from the events alone: the same
// events build sweep.json (LogFolderSink), so the two cannot drift.
class ResultSetSink : public SweepSink {
public:
    void onStarted(const StartedEvent& e) override;
    void onSample(const SampleEvent& e) override;
    void onConfirmationSample(const ConfirmationSampleEvent& e) override;
    void onRace(const RaceEvent& e) override;
    void onAnswer(const AnswerEvent& e) override { m_results.answer = e.answer; }
    void onEnded(const EndedEvent& e) override;
    const ResultSet& results() const { return m_results; }
    ResultSet take() { return std::move(m_results); }

private:
    ResultSet m_results;
};

// Writes the log folder (DeepSpeed text logs + sweep.json) as samples arrive.
// A write that fails is a failure(): the runner then ends the sweep "failed",
// and the sink writes that final status as its last act.
class LogFolderSink : public SweepSink {
public:
    explicit LogFolderSink(LogFolderWriter writer) : m_writer(std::move(writer)) {}
    void onSample(const SampleEvent& e) override;
    void onConfirmationSample(const ConfirmationSampleEvent& e) override;
    void onRace(const RaceEvent& e) override;
    void onAnswer(const AnswerEvent& e) override { m_writer.setAnswer(e.answer); }
    void onEnded(const EndedEvent& e) override;
    std::optional<SinkFailure> failure() const override { return m_failure; }
    const LogFolderWriter& writer() const { return m_writer; }

private:
    LogFolderWriter m_writer;
    std::optional<SinkFailure> m_failure;
};

// Forwards to whichever functions are set.
struct CallbackSink : SweepSink {
    std::function<void(const StartedEvent&)> started;
    std::function<void(const SampleEvent&)> sample;
    std::function<void(const ConfirmationSampleEvent&)> confirmationSample;
    std::function<void(const ProgressEvent&)> progress;
    std::function<void(const MessageEvent&)> message;
    std::function<void(const RaceEvent&)> race;
    std::function<void(const AnswerEvent&)> answer;
    std::function<void(const EndedEvent&)> ended;

    void onStarted(const StartedEvent& e) override { if (started) started(e); }
    void onSample(const SampleEvent& e) override { if (sample) sample(e); }
    void onConfirmationSample(const ConfirmationSampleEvent& e) override {
        if (confirmationSample) confirmationSample(e);
    }
    void onProgress(const ProgressEvent& e) override { if (progress) progress(e); }
    void onMessage(const MessageEvent& e) override { if (message) message(e); }
    void onRace(const RaceEvent& e) override { if (race) race(e); }
    void onAnswer(const AnswerEvent& e) override { if (answer) answer(e); }
    void onEnded(const EndedEvent& e) override { if (ended) ended(e); }
};

} // namespace aiotune
