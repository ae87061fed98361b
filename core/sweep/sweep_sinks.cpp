#include "sweep/sweep_sinks.h"

namespace aiotune {

// Declared in sweep_events.h (which has no .cpp of its own).
std::string_view sweepErrorCodeName(SweepErrorCode c) {
    switch (c) {
    case SweepErrorCode::None: return "";
    case SweepErrorCode::CannotStart: return "cannot_start";
    case SweepErrorCode::LogWrite: return "log_write";
    case SweepErrorCode::Sink: return "sink";
    }
    return "";
}

void ResultSetSink::onStarted(const StartedEvent& e) {
    m_results = e.header;
    m_results.status = SweepStatus::Running;
}

void ResultSetSink::onSample(const SampleEvent& e) {
    m_results.add(e.key, e.sample, e.perFolder);
}

void ResultSetSink::onConfirmationSample(const ConfirmationSampleEvent& e) {
    m_results.confirmation.engine = e.engine;
    m_results.confirmation.add(e.key, e.sample);
}

void ResultSetSink::onRace(const RaceEvent& e) {
    m_results.dropouts = e.dropouts;
}

void ResultSetSink::onEnded(const EndedEvent& e) {
    m_results.status = e.status;
    m_results.error = e.message;
    m_results.finishedAtMs = e.finishedAtMs;
}

void LogFolderSink::onSample(const SampleEvent& e) {
    if (m_failure) return;
    if (auto r = m_writer.add(e.key, {e.sample}, e.perFolder); !r)
        m_failure = SinkFailure{SweepErrorCode::LogWrite, "cannot write the sweep log: " + r.error()};
}

void LogFolderSink::onConfirmationSample(const ConfirmationSampleEvent& e) {
    if (m_failure) return;
    if (auto r = m_writer.addConfirmation(e.engine, e.key, e.sample); !r)
        m_failure = SinkFailure{SweepErrorCode::LogWrite, "cannot write the sweep log: " + r.error()};
}

void LogFolderSink::onRace(const RaceEvent& e) {
    if (m_failure || e.dropouts == m_writer.results().dropouts) return;
    if (auto r = m_writer.setDropouts(e.dropouts); !r)
        m_failure = SinkFailure{SweepErrorCode::LogWrite, "cannot write the sweep log: " + r.error()};
}

void LogFolderSink::onEnded(const EndedEvent& e) {
    // Written whatever happened before: the folder must say how the sweep ended.
    if (auto r = m_writer.finish(e.status, e.message, e.finishedAtMs); !r && !m_failure)
        m_failure = SinkFailure{SweepErrorCode::LogWrite, "cannot finish the sweep log: " + r.error()};
}

} // namespace aiotune
