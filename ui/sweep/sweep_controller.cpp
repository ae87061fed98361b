#include "sweep/sweep_controller.h"

#include "sweep/sweep_runner.h"

#include <QCoreApplication>
#include <QThread>
#include <QtConcurrent/QtConcurrentRun>

#include <chrono>
#include <filesystem>

SweepController::SweepController(QObject* parent) : QObject(parent) {}

SweepController::~SweepController() {
    m_pending.reset();
    if (m_active) m_active->cancel = true;
    m_future.waitForFinished();
}

quint64 SweepController::start(const aiotune::SweepSpec& spec) {
    auto job = std::make_shared<Job>();
    job->id = ++m_job;
    job->spec = spec;
    m_cancelRequested = false;
    if (m_running) {
        // Superseded: the old job's output is dropped from now on (its id is stale).
        if (m_active) m_active->cancel = true;
        m_pending = job; // replaces a pending job that never started
        return job->id;
    }
    launch(job);
    return job->id;
}

void SweepController::cancel() {
    if (!m_running) return;
    m_cancelRequested = true;
    m_pending.reset();
    if (m_active) m_active->cancel = true;
}

void SweepController::waitForStopped() {
    // A pending job would start from onWorkerEnded, which runs on the UI
    // thread after this returns; waiting covers the worker running now.
    m_future.waitForFinished();
}

// The runner's sink on the worker thread: every event is queued to the UI
// thread and emitted there only while its job is current, so a late event
// never lands in the next sweep's views.
class SweepController::Bridge : public aiotune::SweepSink {
  public:
    Bridge(SweepController* owner, quint64 id) : m_owner(owner), m_id(id) {}

    void onSample(const aiotune::SampleEvent& e) override {
        post([e](SweepController* c) {
            emit c->sampleReady(e.key, e.sample);
            emit c->sampleEvent(e);
        });
    }
    void onProgress(const aiotune::ProgressEvent& p) override {
        // Throttled at the source; the last transfer always gets through.
        const auto now = Clock::now();
        if (p.done < p.total && now - m_lastProgress < std::chrono::milliseconds(1000 / kMaxProgressPerSecond))
            return;
        m_lastProgress = now;
        const int permille = p.total ? static_cast<int>(p.done * 1000 / p.total) : 0;
        const QString current = QString::fromStdString(p.current);
        post([=](SweepController* c) { emit c->progressChanged(permille, current, p.etaSeconds, p.elapsedSeconds); });
    }
    void onMessage(const aiotune::MessageEvent& e) override {
        const QString text = QString::fromStdString(e.text);
        const bool isError = e.severity == aiotune::Severity::Error;
        post([=](SweepController* c) { emit c->message(text, isError); });
    }
    void onRace(const aiotune::RaceEvent& e) override {
        post([e](SweepController* c) { emit c->raceChanged(e); });
    }
    void onEnded(const aiotune::EndedEvent& e) override {
        const quint64 id = m_id;
        post([e, id](SweepController* c) { emit c->ended(id, e); });
    }

  private:
    using Clock = std::chrono::steady_clock;
    template <typename F> void post(F f) {
        SweepController* owner = m_owner;
        const quint64 id = m_id;
        QMetaObject::invokeMethod(
            owner, [owner, id, f] { if (owner->isCurrent(id)) f(owner); }, Qt::QueuedConnection);
    }
    SweepController* m_owner;
    quint64 m_id;
    Clock::time_point m_lastProgress{};
};

void SweepController::launch(const std::shared_ptr<Job>& job) {
    m_active = job;
    const bool wasRunning = m_running;
    m_running = true;
    if (!wasRunning) emit runningChanged(true);

    const std::size_t ops = (job->spec.read ? 1 : 0) + (job->spec.write ? 1 : 0);
    emit started(job->id, static_cast<int>(job->spec.pointCount() *
                                           static_cast<std::size_t>(job->spec.loops) * ops));

    const aiotune::EngineKind engine = m_engine;
    const QString logFolder = m_logFolder;
    const aiotune::MeasurementProfile profile = m_profile;
    m_future = QtConcurrent::run([this, job, engine, logFolder, profile] {
        const quint64 id = job->id;
        Bridge bridge(this, id);
        aiotune::SweepRunner runner(job->spec, engine);
        runner.setProfile(profile);
        if (!logFolder.isEmpty())
            runner.setLogFolder(std::filesystem::path(logFolder.toStdString()));
        auto result = runner.run({&bridge}, &job->cancel);
        QString error;
        std::optional<aiotune::ResultSet> results;
        if (result)
            results = std::move(result).value();
        else
            error = QString::fromStdString(result.error());
        QMetaObject::invokeMethod(
            this, [this, id, error, results] { onWorkerEnded(id, error, results); },
            Qt::QueuedConnection);
    });
}

void SweepController::onWorkerEnded(quint64 id, const QString& error,
                                    std::optional<aiotune::ResultSet> results) {
    Q_ASSERT(QThread::currentThread() == thread());
    const bool current = isCurrent(id);
    const bool wasCancelled = m_active && m_active->id == id && m_cancelRequested;
    m_active.reset();
    if (m_pending) {
        auto next = std::move(m_pending);
        m_pending.reset();
        launch(next);
        return;
    }
    m_running = false;
    m_cancelRequested = false;
    if (current) {
        if (!error.isEmpty())
            emit failed(error);
        else if (results && results->status == aiotune::SweepStatus::Cancelled)
            emit cancelled();
        else if (results && results->status == aiotune::SweepStatus::Failed)
            emit failed(QString::fromStdString(results->error));
        else if (results)
            emit finished(*results);
    } else if (wasCancelled) {
        emit cancelled();
    }
    emit runningChanged(false);
}
