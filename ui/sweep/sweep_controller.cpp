#include "sweep/sweep_controller.h"

#include "sweep/adaptive_strategy.h"
#include "sweep/borrowed_strategy.h"
#include "sweep/grid_strategy.h"
#include "sweep/sweep_runner.h"

#include <QCoreApplication>
#include <QThread>
#include <QtConcurrent/QtConcurrentRun>

#include <algorithm>
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
    job->spec = spec;
    job->search = m_search;
    return submit(std::move(job));
}

quint64 SweepController::remeasure(const aiotune::SweepSpec& spec,
                                   std::vector<aiotune::AioConfig> configs, int loops) {
    auto job = std::make_shared<Job>();
    job->spec = spec;
    job->spec.loops = std::max(1, loops);
    job->search = Search::Grid;
    job->only = std::move(configs);
    return submit(std::move(job));
}

quint64 SweepController::submit(std::shared_ptr<Job> job) {
    job->id = ++m_job;
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
        m_lastElapsed = p.elapsedSeconds;
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
        // An adaptive search that converges ends before its estimated total:
        // a finished sweep still reads 100%.
        if (e.status == aiotune::SweepStatus::Finished) {
            const double elapsed = m_lastElapsed;
            post([elapsed](SweepController* c) { emit c->progressChanged(1000, QString(), 0.0, elapsed); });
        }
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
    double m_lastElapsed = 0.0;
};

void SweepController::launch(const std::shared_ptr<Job>& job) {
    m_active = job;
    const bool wasRunning = m_running;
    m_running = true;
    if (!wasRunning) emit runningChanged(true);

    // The strategy is built here (cheap) so its expected cost can be announced;
    // a refusal (duplicate points, a bad tolerance) ends the job as a failure.
    const std::size_t ops = (job->spec.read ? 1 : 0) + (job->spec.write ? 1 : 0);
    std::shared_ptr<aiotune::SearchStrategy> strategy;
    QString refusal;
    if (job->only) {
        strategy = std::make_shared<aiotune::GridStrategy>(*job->only, job->spec.loops);
    } else if (job->search == Search::Adaptive) {
        aiotune::AdaptiveOptions options;
        options.tolerance = kTolerance;
        options.read = job->spec.read;
        options.write = job->spec.write;
        auto created = aiotune::AdaptiveStrategy::create(job->spec.expand(), options);
        if (created) {
            strategy = std::make_shared<aiotune::AdaptiveStrategy>(std::move(created).value());
        } else {
            refusal = QString::fromStdString(created.error());
        }
    } else {
        strategy = std::make_shared<aiotune::GridStrategy>(job->spec);
    }
    const std::size_t total = strategy ? strategy->remainingVisits() * ops : 0;
    emit started(job->id, static_cast<int>(total));

    const aiotune::EngineKind engine = m_engine;
    const QString logFolder = m_logFolder;
    const aiotune::MeasurementProfile profile = m_profile;
    m_future = QtConcurrent::run([this, job, engine, logFolder, profile, strategy, refusal] {
        const quint64 id = job->id;
        QString error = refusal;
        std::optional<aiotune::ResultSet> results;
        if (strategy) {
            Bridge bridge(this, id);
            aiotune::SweepRunner runner(job->spec, engine);
            runner.setProfile(profile);
            // The runner owns its strategy; this one lends it the shared one the
            // controller announced the cost of (kept alive by this closure).
            runner.setStrategy(std::make_unique<aiotune::BorrowedStrategy>(*strategy));
            if (!logFolder.isEmpty())
                runner.setLogFolder(std::filesystem::path(logFolder.toStdString()));
            auto result = runner.run({&bridge}, &job->cancel);
            if (result)
                results = std::move(result).value();
            else
                error = QString::fromStdString(result.error());
        }
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
    // The answer the runner decided (partial after a cancel), before how it ended.
    if ((current || wasCancelled) && error.isEmpty() && results && results->answer)
        emit answerReady(*results->answer);
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
