#pragma once
// Runs one SweepRunner at a time on a worker thread and hands its output to
// the UI thread (heaptrack's Parser pattern): commands in, one signal per
// result kind out. It is the runner's Qt sink: each typed event the runner
// sends (sweep_events.h) is queued to the UI thread and re-emitted there. Every job gets an id; output of a job that was cancelled
// or superseded is dropped on arrival (hotspot's job tracker), so a late
// sample never lands in the next sweep's table.
#include "engine/io_engine.h"
#include "results/result_model.h"
#include "sweep/sweep_events.h"
#include "sweep/sweep_spec.h"

#include <QElapsedTimer>
#include <QFuture>
#include <QObject>
#include <QString>

#include <atomic>
#include <memory>
#include <optional>
#include <vector>

class SweepController : public QObject {
    Q_OBJECT
  public:
    explicit SweepController(QObject* parent = nullptr);
    // Cancels a running sweep and waits for its worker (about a second at most).
    ~SweepController() override;

    // Starts a sweep and returns its job id. A sweep already running is
    // cancelled first; the new one starts as soon as the old worker has ended,
    // so two sweeps never compete for the same drives.
    quint64 start(const aiotune::SweepSpec& spec);
    // Measures only `configs`, `loops` times each (a grid over them, whatever
    // the search setting): "measure the top N again". Same job rules as start().
    quint64 remeasure(const aiotune::SweepSpec& spec, std::vector<aiotune::AioConfig> configs,
                      int loops);
    // Asks the running job to stop; `stopped` follows once the worker has ended.
    void cancel();
    bool isRunning() const { return m_running; }
    quint64 currentJob() const { return m_job; }
    // Blocks until no worker runs (window close, tests). Output still queued
    // for the UI thread is delivered by the event loop as usual.
    void waitForStopped();

    void setEngine(aiotune::EngineKind engine) { m_engine = engine; }
    // Adaptive (the default): AdaptiveStrategy over the spec's grid with
    // default options and kTolerance; Grid: every point spec.loops times.
    enum class Search { Adaptive, Grid };
    void setSearch(Search search) { m_search = search; }
    Search search() const { return m_search; }
    static constexpr double kTolerance = 0.03;
    // Where sweeps write a DeepSpeed-compatible log folder (and sweep.json); empty: nowhere.
    void setLogFolder(const QString& folder) { m_logFolder = folder; }
    // How buffers are allocated (default: faithful, as DeepSpeed's swapper gets them).
    void setProfile(const aiotune::MeasurementProfile& profile) { m_profile = profile; }
    // Kept until the window switches to setProfile: on = forced huge pages, off = normal pages.
    void setHugePages(bool on) {
        m_profile = on ? aiotune::MeasurementProfile::hugePageWhatIf()
                       : aiotune::MeasurementProfile{aiotune::PagePolicy::Normal, true, false};
    }
    aiotune::MeasurementProfile profile() const { return m_profile; }
    QString logFolder() const { return m_logFolder; }

    // Most progress updates per second forwarded to the UI.
    static constexpr int kMaxProgressPerSecond = 20;

  signals:
    void started(quint64 job, int totalTransfers);
    // permille 0..1000; etaSeconds < 0 while unknown.
    void progressChanged(int permille, const QString& current, double etaSeconds,
                         double elapsedSeconds);
    void sampleReady(const aiotune::ConfigKey& key, const aiotune::Sample& sample);
    // The whole sample event (visit, each folder's own sample) for views that need more.
    void sampleEvent(const aiotune::SampleEvent& event);
    // Who is still in the race (adaptive search drops configurations).
    void raceChanged(const aiotune::RaceEvent& race);
    // How the job ended, typed, before finished / failed / cancelled.
    void ended(quint64 job, const aiotune::EndedEvent& event);
    void message(const QString& text, bool isError);
    // The answer the runner decided when the job ended (results/answer.h):
    // before finished, and before cancelled (then partial).
    void answerReady(const aiotune::Answer& answer);
    // The job ran to its end.
    void finished(const aiotune::ResultSet& results);
    // The job could not start (bad folder, no space...) or stopped on an error
    // (its log could not be written): the reason, for the user.
    void failed(const QString& error);
    // The job stopped early at the user's request.
    void cancelled();
    void runningChanged(bool running);

  private:
    struct Job {
        quint64 id = 0;
        aiotune::SweepSpec spec;
        Search search = Search::Adaptive;
        std::optional<std::vector<aiotune::AioConfig>> only; // remeasure: these, spec.loops times
        std::atomic<bool> cancel{false};
    };
    quint64 submit(std::shared_ptr<Job> job);
    void launch(const std::shared_ptr<Job>& job);
    class Bridge;
    void onWorkerEnded(quint64 id, const QString& error, std::optional<aiotune::ResultSet> results);
    bool isCurrent(quint64 id) const { return id == m_job && !m_cancelRequested; }

    aiotune::EngineKind m_engine = aiotune::EngineKind::Auto;
    aiotune::MeasurementProfile m_profile;
    Search m_search = Search::Adaptive;
    QString m_logFolder;
    quint64 m_job = 0;
    bool m_running = false;
    bool m_cancelRequested = false;
    std::shared_ptr<Job> m_active;
    std::shared_ptr<Job> m_pending; // waits for the active worker to end
    QFuture<void> m_future;
};
