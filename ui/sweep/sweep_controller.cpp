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
    const bool hugePages = m_hugePages;
    m_future = QtConcurrent::run([this, job, engine, logFolder, hugePages] {
        using Clock = std::chrono::steady_clock;
        const auto minGap = std::chrono::milliseconds(1000 / kMaxProgressPerSecond);
        Clock::time_point lastProgress{};
        const quint64 id = job->id;

        aiotune::SweepCallbacks cb;
        cb.progress = [&](const aiotune::SweepProgress& p) {
            // Throttled at the source; the last transfer always gets through.
            const auto now = Clock::now();
            if (p.done < p.total && now - lastProgress < minGap) return;
            lastProgress = now;
            const int permille = p.total ? static_cast<int>(p.done * 1000 / p.total) : 0;
            const QString current = QString::fromStdString(p.current);
            const double eta = p.etaSeconds, elapsed = p.elapsedSeconds;
            QMetaObject::invokeMethod(
                this,
                [this, id, permille, current, eta, elapsed] {
                    if (isCurrent(id)) emit progressChanged(permille, current, eta, elapsed);
                },
                Qt::QueuedConnection);
        };
        cb.sample = [&](const aiotune::ConfigKey& key, const aiotune::Sample& sample) {
            QMetaObject::invokeMethod(
                this,
                [this, id, key, sample] {
                    if (isCurrent(id)) emit sampleReady(key, sample);
                },
                Qt::QueuedConnection);
        };
        cb.message = [&](const std::string& text) {
            const QString q = QString::fromStdString(text);
            QMetaObject::invokeMethod(
                this,
                [this, id, q] {
                    if (isCurrent(id)) emit message(q, false);
                },
                Qt::QueuedConnection);
        };

        aiotune::SweepRunner runner(job->spec, engine);
        runner.setHugePages(hugePages);
        if (!logFolder.isEmpty())
            runner.setLogFolder(std::filesystem::path(logFolder.toStdString()));
        auto result = runner.run(cb, &job->cancel);
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
        else if (results && results->status == "cancelled")
            emit cancelled();
        else if (results)
            emit finished(*results);
    } else if (wasCancelled) {
        emit cancelled();
    }
    emit runningChanged(false);
}
