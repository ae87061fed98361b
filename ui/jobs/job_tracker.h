#pragma once
// The window's background jobs (reading a folder, reading a folder to compare,
// drive discovery, sweep planning) in one place, as hotspot's JobTracker does:
// every job gets an id; a newer job of the same kind supersedes the older one,
// whose result is dropped on arrival instead of overwriting newer state. The
// work runs on Qt's thread pool; its result comes back on the UI thread.
// (Sweeps have their own tracker with a stop flag: SweepController.)
#include <QObject>
#include <QPointer>
#include <QtConcurrent/QtConcurrentRun>

#include <map>
#include <type_traits>
#include <utility>

class JobTracker : public QObject {
    Q_OBJECT
  public:
    enum class Kind { Open, Compare, Discovery, Plan };
    Q_ENUM(Kind)

    explicit JobTracker(QObject* parent = nullptr);

    // Runs `work()` off the UI thread as the newest job of `kind`, then
    // `done(result)` on the UI thread unless a newer job of that kind started,
    // cancel(kind) was called, or `receiver` was deleted meanwhile. `work`
    // must capture values only. Returns the job's id.
    template <typename Work, typename Done>
    quint64 run(Kind kind, QObject* receiver, Work work, Done done) {
        using R = std::invoke_result_t<Work>;
        const quint64 id = begin(kind);
        // Always through the event loop: a continuation attached after the
        // work already finished would otherwise run inside run() itself,
        // before the caller is ready for the result.
        QtConcurrent::run(std::move(work))
            .then(this, [this, kind, id, guard = QPointer<QObject>(receiver),
                         done = std::move(done)](R result) mutable {
                QMetaObject::invokeMethod(
                    this,
                    [this, kind, id, guard, done = std::move(done), result = std::move(result)]() mutable {
                        if (finish(kind, id) && guard) done(std::move(result));
                    },
                    Qt::QueuedConnection);
            });
        return id;
    }

    // The pending result of `kind`, if any, will be dropped.
    void cancel(Kind kind);
    // A job of `kind` runs whose result is still wanted.
    bool isRunning(Kind kind) const;
    bool isBusy() const; // any kind
    quint64 currentId(Kind kind) const;

  signals:
    void runningChanged(JobTracker::Kind kind, bool running);

  private:
    quint64 begin(Kind kind);
    // True when `id` is still the wanted job of `kind`; marks it ended either way.
    bool finish(Kind kind, quint64 id);

    quint64 m_lastId = 0;
    std::map<Kind, quint64> m_wanted; // id whose result is wanted; 0: none
};
