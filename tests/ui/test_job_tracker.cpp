// The window's background jobs: a newer job of a kind supersedes the older
// one (its result is dropped), cancel drops the pending one, kinds are apart.
#include "jobs/job_tracker.h"

#include <QSignalSpy>
#include <QTest>
#include <QThread>

#include <memory>

class TestJobTracker : public QObject {
    Q_OBJECT
  private slots:
    void newerJobSupersedes() {
        JobTracker jobs;
        QSignalSpy running(&jobs, &JobTracker::runningChanged);
        QList<int> delivered;
        const quint64 first = jobs.run(
            JobTracker::Kind::Open, this,
            [] {
                QThread::msleep(150); // still reading when the second open starts
                return 1;
            },
            [&](int v) { delivered << v; });
        const quint64 second =
            jobs.run(JobTracker::Kind::Open, this, [] { return 2; }, [&](int v) { delivered << v; });
        QVERIFY(second > first);
        QCOMPARE(jobs.currentId(JobTracker::Kind::Open), second);
        QVERIFY(jobs.isRunning(JobTracker::Kind::Open));
        QTRY_COMPARE(delivered, QList<int>{2});
        QVERIFY(!jobs.isRunning(JobTracker::Kind::Open));
        QTest::qWait(250); // the first job ends too: its result must not arrive
        QCOMPARE(delivered, QList<int>{2});
        // One "started" and one "ended", not one per job.
        QCOMPARE(running.count(), 2);
        QCOMPARE(running.at(0).at(1).toBool(), true);
        QCOMPARE(running.at(1).at(1).toBool(), false);
    }

    void cancelDropsTheResult() {
        JobTracker jobs;
        int delivered = 0;
        jobs.run(
            JobTracker::Kind::Compare, this,
            [] {
                QThread::msleep(50);
                return 7;
            },
            [&](int) { ++delivered; });
        jobs.cancel(JobTracker::Kind::Compare);
        QVERIFY(!jobs.isRunning(JobTracker::Kind::Compare));
        QVERIFY(!jobs.isBusy());
        QTest::qWait(150);
        QCOMPARE(delivered, 0);
    }

    void kindsAreIndependent() {
        JobTracker jobs;
        QList<int> delivered;
        jobs.run(JobTracker::Kind::Plan, this, [] { return 1; }, [&](int v) { delivered << v; });
        jobs.run(JobTracker::Kind::Discovery, this, [] { return 2; }, [&](int v) { delivered << v; });
        QVERIFY(jobs.isBusy());
        QTRY_COMPARE(delivered.size(), 2);
        QVERIFY(delivered.contains(1) && delivered.contains(2));
        QVERIFY(!jobs.isBusy());
    }

    void deletedReceiverGetsNothing() {
        JobTracker jobs;
        int delivered = 0;
        auto receiver = std::make_unique<QObject>();
        jobs.run(
            JobTracker::Kind::Open, receiver.get(),
            [] {
                QThread::msleep(50);
                return 1;
            },
            [&](int) { ++delivered; });
        receiver.reset();
        QTRY_VERIFY(!jobs.isRunning(JobTracker::Kind::Open));
        QCOMPARE(delivered, 0);
    }
};

QTEST_MAIN(TestJobTracker)
#include "test_job_tracker.moc"
