// SweepController: real (tiny) sweeps on a temporary folder through the worker
// thread, cancel within a second leaving the folder untouched, superseded jobs
// dropped, refusals reported, progress throttled.
#include "results/results_table_model.h"
#include "engine/libaio_engine.h"
#include "sweep/sweep_controller.h"
#include "sweep/sweep_runner.h"

Q_DECLARE_METATYPE(aiotune::MeasurementProfile)

#include <QAbstractItemModelTester>
#include <QDir>
#include <QElapsedTimer>
#include <QFileInfo>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>

using aiotune::SweepSpec;

namespace {

// Every entry with its size: "exactly as it was" means names and sizes.
QStringList snapshot(const QString& folder) {
    QStringList out;
    const auto entries = QDir(folder).entryInfoList(QDir::AllEntries | QDir::Hidden | QDir::System |
                                                    QDir::NoDotAndDotDot);
    for (const QFileInfo& e : entries)
        out << e.fileName() + ":" + QString::number(e.size());
    return out;
}

SweepSpec tinySpec(const QString& folder, std::uint64_t io, std::vector<std::uint64_t> blocks,
                   std::vector<int> depths) {
    SweepSpec s;
    s.folders = {folder.toStdString()};
    s.ioSize = io;
    s.blockSizes = std::move(blocks);
    s.queueDepths = std::move(depths);
    s.loops = 1;
    return s;
}

// What arrived through sampleReady, as the window's model would hold it.
struct Collector {
    aiotune::ResultSet results;
    int samples = 0;
    void connect(SweepController& c) {
        QObject::connect(&c, &SweepController::sampleReady,
                         [this](const aiotune::ConfigKey& k, const aiotune::Sample& s) {
                             results.add(k, s);
                             ++samples;
                         });
    }
};

} // namespace

class TestSweepController : public QObject {
    Q_OBJECT
  private slots:
    void initTestCase() {
        QTemporaryDir dir;
        const auto plan = aiotune::planSweep(tinySpec(dir.path(), 64 << 10, {4096}, {1}));
        if (!plan.ok())
            QSKIP(qPrintable("the temporary folder cannot take O_DIRECT scratch files: " +
                             QString::fromStdString(plan.problem)));
    }

    void tinySweep_data() {
        QTest::addColumn<quint64>("io");
        QTest::addColumn<std::vector<std::uint64_t>>("blocks");
        QTest::addColumn<std::vector<int>>("depths");
        QTest::addColumn<int>("rows");
        QTest::addRow("64K, two block sizes")
            << quint64(64 << 10) << std::vector<std::uint64_t>{4096, 16384} << std::vector<int>{4}
            << 2;
        QTest::addRow("1M, two queue depths")
            << quint64(1 << 20) << std::vector<std::uint64_t>{131072} << std::vector<int>{1, 8}
            << 2;
    }
    void tinySweep() {
        QFETCH(quint64, io);
        QFETCH(std::vector<std::uint64_t>, blocks);
        QFETCH(std::vector<int>, depths);
        QFETCH(int, rows);
        QTemporaryDir dir;
        const QStringList before = snapshot(dir.path());
        SweepController controller;
        controller.setSearch(SweepController::Search::Grid);
        Collector got;
        got.connect(controller);
        ResultsTableModel model;
        QAbstractItemModelTester tester(&model);
        connect(&controller, &SweepController::sampleReady, &model, &ResultsTableModel::addSample);
        QSignalSpy finished(&controller, &SweepController::finished);
        QSignalSpy running(&controller, &SweepController::runningChanged);
        QSignalSpy progress(&controller, &SweepController::progressChanged);
        QSignalSpy started(&controller, &SweepController::started);
        std::vector<aiotune::EndedEvent> ended;
        connect(&controller, &SweepController::ended,
                [&](quint64, const aiotune::EndedEvent& e) { ended.push_back(e); });
        int races = 0, contenders = 0;
        connect(&controller, &SweepController::raceChanged, [&](const aiotune::RaceEvent& r) {
            ++races;
            contenders = int(r.contenders.size());
        });
        const quint64 job = controller.start(tinySpec(dir.path(), io, blocks, depths));
        QVERIFY(job > 0);
        QVERIFY(controller.isRunning());
        QTRY_COMPARE_WITH_TIMEOUT(finished.count(), 1, 30000);
        QCOMPARE(started.count(), 1);
        QCOMPARE(started.first().at(1).toInt(), rows * 2); // a write and a read per point
        QCOMPARE(int(got.results.configs.size()), rows);
        QCOMPARE(model.rowCount(), rows);
        QVERIFY(model.recommendation().best.has_value());
        QCOMPARE(got.samples, rows * 2);
        for (const auto& c : got.results.configs) {
            QVERIFY2(c.hasBoth(), c.firstError().c_str());
            QVERIFY(*c.readGiBps > 0 && *c.writeGiBps > 0);
        }
        const auto results = finished.first().at(0).value<aiotune::ResultSet>();
        QCOMPARE(results.status, aiotune::SweepStatus::Finished);
        QCOMPARE(ended.size(), std::size_t(1));
        QCOMPARE(ended[0].status, aiotune::SweepStatus::Finished);
        QCOMPARE(races, 1); // the grid's race never changes after the start
        QCOMPARE(contenders, rows);
        QCOMPARE(results.configs.size(), got.results.configs.size());
        QVERIFY(!progress.isEmpty());
        QCOMPARE(progress.last().at(0).toInt(), 1000);
        QTRY_VERIFY(!controller.isRunning());
        QCOMPARE(running.count(), 2); // true, then false
        QCOMPARE(running.last().at(0).toBool(), false);
        QCOMPARE(snapshot(dir.path()), before);
    }

    // The window's default: adaptive search over the spec's grid; its answer
    // arrives before `finished`, its cost is what was measured.
    void adaptiveByDefault() {
        QTemporaryDir dir;
        SweepController controller;
        QCOMPARE(controller.search(), SweepController::Search::Adaptive);
        Collector got;
        got.connect(controller);
        QStringList order;
        std::optional<aiotune::Answer> verdict;
        connect(&controller, &SweepController::answerReady, [&](const aiotune::Answer& v) {
            verdict = v;
            order << "answer";
        });
        std::optional<aiotune::ResultSet> finishedResults;
        connect(&controller, &SweepController::finished, [&](const aiotune::ResultSet& r) {
            finishedResults = r;
            order << "finished";
        });
        std::optional<aiotune::RaceEvent> lastRace;
        connect(&controller, &SweepController::raceChanged,
                [&](const aiotune::RaceEvent& r) { lastRace = r; });
        controller.start(tinySpec(dir.path(), 64 << 10, {4096, 16384}, {1, 4}));
        QTRY_COMPARE_WITH_TIMEOUT(order.size(), 2, 30000);
        QCOMPARE(order, (QStringList{"answer", "finished"}));
        QVERIFY(verdict.has_value());
        QCOMPARE(verdict->strategy, std::string("adaptive"));
        QCOMPARE(verdict->configurations, std::size_t(4));
        QCOMPARE(verdict->tolerance, SweepController::kTolerance);
        QVERIFY(verdict->found);
        QCOMPARE(int(verdict->transfers), got.samples); // one folder: a sample per transfer
        QVERIFY(verdict->stoppedBecause == "converged" || verdict->stoppedBecause == "budget");
        QVERIFY(got.results.find(verdict->best) != nullptr);
        // The finished results carry the same answer, stored, and answerFor gives it.
        QVERIFY(finishedResults && finishedResults->answer.has_value());
        QVERIFY(*finishedResults->answer == *verdict);
        QVERIFY(aiotune::answerFor(*finishedResults) == *verdict);
        QVERIFY(lastRace.has_value());
        QCOMPARE(lastRace->contenders.size() + lastRace->dropouts.size(), std::size_t(4));
        // The libaio check of the finalists comes out of the search's budget,
        // as on the command line (the window's strategy used to keep it all):
        // search and check together within the default budget (24 here).
        std::size_t checks = 0;
        for (const aiotune::ConfigResult& c : finishedResults->confirmation.configs) checks += c.samples.size();
        if (aiotune::probeLibaio()) QVERIFY(checks > 0);
        QVERIFY2(verdict->transfers + checks <= 24,
                 qPrintable(QString("%1 + %2 transfers").arg(verdict->transfers).arg(checks)));
    }

    // A grid over the chosen configurations only, `loops` times each.
    void remeasureChosen() {
        QTemporaryDir dir;
        SweepController controller;
        Collector got;
        got.connect(controller);
        QSignalSpy finished(&controller, &SweepController::finished);
        QSignalSpy answers(&controller, &SweepController::answerReady);
        QSignalSpy started(&controller, &SweepController::started);
        const auto spec = tinySpec(dir.path(), 64 << 10, {4096, 16384}, {1, 4});
        const auto all = spec.expand();
        controller.remeasure(spec, {all[1], all[3]}, 3);
        QTRY_COMPARE_WITH_TIMEOUT(finished.count(), 1, 30000);
        QCOMPARE(answers.count(), 1); // the remeasure's own; the window decides again over all samples
        QCOMPARE(started.first().at(1).toInt(), 2 * 3 * 2);
        QCOMPARE(got.samples, 2 * 3 * 2);
        QCOMPARE(int(got.results.configs.size()), 2);
        for (const auto& c : got.results.configs) {
            QVERIFY(c.key.aio == all[1] || c.key.aio == all[3]);
            QCOMPARE(int(c.samples.size()), 6);
        }
    }

    void profileReachesTheRunner_data() {
        QTest::addColumn<int>("how"); // 0: default, 1: setHugePages(true), 2: setHugePages(false)
        QTest::addColumn<aiotune::MeasurementProfile>("expected");
        QTest::addRow("faithful by default") << 0 << aiotune::MeasurementProfile::faithful();
        QTest::addRow("huge pages") << 1 << aiotune::MeasurementProfile::hugePageWhatIf();
        QTest::addRow("normal pages")
            << 2 << aiotune::MeasurementProfile{aiotune::PagePolicy::Normal, true, false};
    }
    void profileReachesTheRunner() {
        QFETCH(int, how);
        QFETCH(aiotune::MeasurementProfile, expected);
        QTemporaryDir dir;
        SweepController controller;
        if (how > 0) controller.setHugePages(how == 1);
        QSignalSpy finished(&controller, &SweepController::finished);
        // 4 MiB: above the size where buffers come from mmap and the page kind matters.
        controller.start(tinySpec(dir.path(), 4 << 20, {1 << 20}, {4}));
        QTRY_COMPARE_WITH_TIMEOUT(finished.count(), 1, 30000);
        const auto results = finished.first().at(0).value<aiotune::ResultSet>();
        QVERIFY(results.profile && *results.profile == expected);
        QCOMPARE(int(results.configs.size()), 1);
        QVERIFY(results.configs[0].hasBoth());
        for (const auto& s : results.configs[0].samples) QCOMPARE(s.profile, expected.name());
    }

    // A log folder that already holds a sweep: refused before any I/O, the
    // reason reaches the window through failed().
    void logFolderHoldingLogsIsRefused() {
        QTemporaryDir dir, logs;
        QFile old(logs.filePath("sweep.json"));
        QVERIFY(old.open(QIODevice::WriteOnly));
        old.write("{}");
        old.close();
        SweepController controller;
        controller.setLogFolder(logs.path());
        QSignalSpy failed(&controller, &SweepController::failed);
        QSignalSpy finished(&controller, &SweepController::finished);
        controller.start(tinySpec(dir.path(), 64 << 10, {4096}, {1}));
        QTRY_COMPARE_WITH_TIMEOUT(failed.count(), 1, 30000);
        const QString why = failed.first().at(0).toString();
        QVERIFY2(why.contains(logs.path()) && why.contains("already holds"), qPrintable(why));
        QCOMPARE(finished.count(), 0);
        QCOMPARE(snapshot(logs.path()), QStringList{"sweep.json:2"});
    }

    void cancelMidSweep_data() {
        QTest::addColumn<quint64>("io");
        QTest::addColumn<int>("waitForSamples"); // 0: cancel inside the first transfer
        QTest::addRow("within a transfer") << quint64(256ull << 20) << 0;
        QTest::addRow("between points") << quint64(1ull << 20) << 3;
    }
    void cancelMidSweep() {
        QFETCH(quint64, io);
        QFETCH(int, waitForSamples);
        QTemporaryDir dir;
        // Something of the user's is in the folder: it must stay as it is.
        QFile mine(dir.filePath("notes.txt"));
        QVERIFY(mine.open(QIODevice::WriteOnly));
        mine.write("keep me\n");
        mine.close();
        const QStringList before = snapshot(dir.path());
        SweepController controller;
        // Huge, unregistered pages: first-touching 256 MiB of normal pages (the faithful
        // default) or registering them takes seconds on a loaded 2-core machine before any
        // transfer starts; this test is about stopping a transfer.
        controller.setProfile({aiotune::PagePolicy::Huge, false, false});
        Collector got;
        got.connect(controller);
        QSignalSpy finished(&controller, &SweepController::finished);
        QSignalSpy cancelled(&controller, &SweepController::cancelled);
        QSignalSpy running(&controller, &SweepController::runningChanged);
        // Small requests at low depth over many points: far longer than the test waits.
        controller.start(
            tinySpec(dir.path(), io, {4096, 8192, 16384, 32768}, {1, 2, 4, 8, 16, 32}));
        if (waitForSamples == 0)
            QTest::qWait(300);
        else
            QTRY_VERIFY_WITH_TIMEOUT(got.samples >= waitForSamples, 30000);
        QVERIFY(controller.isRunning());
        const int samplesAtCancel = got.samples;
        QElapsedTimer timer;
        timer.start();
        controller.cancel();
        QTRY_COMPARE_WITH_TIMEOUT(cancelled.count(), 1, 5000);
        QVERIFY2(timer.elapsed() < 1000,
                 qPrintable(QString("cancel took %1 ms").arg(timer.elapsed())));
        QVERIFY(!controller.isRunning());
        QCOMPARE(running.last().at(0).toBool(), false);
        QCOMPARE(finished.count(), 0);
        QVERIFY(got.samples <= samplesAtCancel + 0); // nothing after the cancel
        QCOMPARE(snapshot(dir.path()), before);
    }

    void newJobSupersedesRunningOne() {
        QTemporaryDir dir;
        SweepController controller;
        Collector got;
        got.connect(controller);
        QSignalSpy finished(&controller, &SweepController::finished);
        QSignalSpy cancelled(&controller, &SweepController::cancelled);
        QSignalSpy running(&controller, &SweepController::runningChanged);
        const quint64 first =
            controller.start(tinySpec(dir.path(), 256ull << 20, {4096}, {1, 2, 3, 4}));
        const quint64 second = controller.start(tinySpec(dir.path(), 64 << 10, {65536}, {2}));
        QVERIFY(second > first);
        QCOMPARE(controller.currentJob(), second);
        QTRY_COMPARE_WITH_TIMEOUT(finished.count(), 1, 30000);
        QTRY_VERIFY(!controller.isRunning());
        QCOMPARE(cancelled.count(), 0);
        // Only the second job's point arrived.
        QCOMPARE(int(got.results.configs.size()), 1);
        QCOMPARE(got.results.configs[0].key.aio.block_size, std::uint64_t(65536));
        QCOMPARE(got.results.configs[0].key.aio.queue_depth, 2);
        // The UI saw one continuous run.
        QCOMPARE(running.count(), 2);
    }

    void refusedFolderFails_data() {
        QTest::addColumn<QString>("sub");
        QTest::addRow("missing") << "missing";
    }
    void refusedFolderFails() {
        QFETCH(QString, sub);
        QTemporaryDir dir;
        SweepController controller;
        QSignalSpy failed(&controller, &SweepController::failed);
        QSignalSpy finished(&controller, &SweepController::finished);
        controller.start(tinySpec(dir.filePath(sub), 64 << 10, {4096}, {1}));
        QTRY_COMPARE_WITH_TIMEOUT(failed.count(), 1, 5000);
        QVERIFY2(failed.first().at(0).toString().contains(dir.filePath(sub)),
                 qPrintable(failed.first().at(0).toString()));
        QCOMPARE(finished.count(), 0);
        QTRY_VERIFY(!controller.isRunning());
    }

    void progressIsThrottled() {
        QTemporaryDir dir;
        SweepController controller;
        QSignalSpy progress(&controller, &SweepController::progressChanged);
        QSignalSpy finished(&controller, &SweepController::finished);
        // Many tiny transfers: far more runner updates than 20 per second.
        QElapsedTimer timer;
        timer.start();
        controller.start(tinySpec(dir.path(), 64 << 10, {4096, 8192, 16384, 32768, 65536},
                                  {1, 2, 4, 8, 16, 32}));
        QTRY_COMPARE_WITH_TIMEOUT(finished.count(), 1, 60000);
        const double seconds = timer.elapsed() / 1000.0;
        const int allowed = static_cast<int>(seconds * SweepController::kMaxProgressPerSecond) + 2;
        QVERIFY2(progress.count() <= allowed,
                 qPrintable(QString("%1 updates in %2 s").arg(progress.count()).arg(seconds)));
        QVERIFY(progress.count() >= 1);
        QCOMPARE(progress.last().at(0).toInt(), 1000);
        // 30 points x 2 transfers, each announced and finished: 120 runner updates.
        QVERIFY(progress.count() < 120);
    }

    void destructorStopsWorker() {
        QTemporaryDir dir;
        const QStringList before = snapshot(dir.path());
        QElapsedTimer timer;
        {
            SweepController controller;
            // Huge, unregistered pages: first-touching 256 MiB of normal pages (the faithful
            // default) or registering them takes seconds on a loaded 2-core machine before any
            // transfer starts; this test is about stopping a transfer.
            controller.setProfile({aiotune::PagePolicy::Huge, false, false});
            controller.start(tinySpec(dir.path(), 256ull << 20, {4096}, {1}));
            QTest::qWait(200);
            timer.start();
        }
        QVERIFY2(timer.elapsed() < 1000, qPrintable(QString("%1 ms").arg(timer.elapsed())));
        QCOMPARE(snapshot(dir.path()), before);
    }
};

QTEST_MAIN(TestSweepController)
#include "test_sweep_controller.moc"
