// SweepSpec parsing/expansion and a real (tiny) SweepRunner on a temp folder.
#include "results/analysis.h"
#include "results/log_folder_reader.h"
#include "sweep/sweep_runner.h"
#include "sweep/sweep_spec.h"

#include <QDir>
#include <QTemporaryDir>
#include <QtTest>

using namespace aiotune;
using nlohmann::json;

namespace {
int entriesIn(const QString& dir) {
    return QDir(dir).entryList(QDir::AllEntries | QDir::NoDotAndDotDot | QDir::Hidden | QDir::System).size();
}
SweepSpec tinySpec(const QString& folder) {
    SweepSpec spec;
    spec.folders = {folder.toStdString()};
    spec.blockSizes = {64 * 1024, 256 * 1024};
    spec.queueDepths = {2};
    spec.threads = {1, 2};
    spec.ioSize = 1 << 20;
    spec.loops = 2;
    return spec;
}
} // namespace

class TestSweep : public QObject {
    Q_OBJECT
private slots:
    void readsDeepSpeedSweepConfigs_data() {
        QTest::addColumn<QString>("text");
        QTest::addColumn<int>("points");
        QTest::addColumn<bool>("firstOverlap");
        QTest::addColumn<int>("firstThreads");
        QTest::addRow("0.17 keys") << R"({"block_size": ["128K", "1M"], "queue_depth": [8, 32],
            "single_submit": [false], "sequential_requests": [true, false], "io_parallel": [1, 8]})"
                                   << 16 << false << 1;
        QTest::addRow("old keys") << R"({"block_size": ["1M"], "queue_depth": [4],
            "overlap_events": [true], "threads": [1], "single_submit": [true, false]})"
                                  << 2 << true << 1;
        QTest::addRow("scalars and numbers") << R"({"block_size": 1048576, "queue_depth": 32, "io_parallel": 2})"
                                             << 1 << true << 2;
        QTest::addRow("duplicates dropped") << R"({"queue_depth": [8, 8, 32]})" << 2 << true << 1;
    }
    void readsDeepSpeedSweepConfigs() {
        QFETCH(QString, text);
        QFETCH(int, points);
        QFETCH(bool, firstOverlap);
        QFETCH(int, firstThreads);
        auto spec = SweepSpec::fromDeepSpeedSweepConfig(json::parse(text.toStdString()), "sweep.json");
        QVERIFY2(spec.ok(), spec.error().c_str());
        QCOMPARE(int(spec->pointCount()), points);
        const auto grid = spec->expand();
        QCOMPARE(int(grid.size()), points);
        QCOMPARE(grid.front().overlap_events, firstOverlap);
        QCOMPARE(grid.front().intra_op_parallelism, firstThreads);
    }

    void rejectsBadSweepConfigs_data() {
        QTest::addColumn<QString>("text");
        QTest::addColumn<QString>("expected");
        QTest::addRow("string bool") << R"({"single_submit": ["false"]})" << "single_submit";
        QTest::addRow("bad size") << R"({"block_size": ["12Q"]})" << "12Q";
        QTest::addRow("zero depth") << R"({"queue_depth": [0]})" << "queue_depth";
        QTest::addRow("both overlap keys") << R"({"overlap_events": [true], "sequential_requests": [true]})"
                                           << "keep one";
        QTest::addRow("not an object") << R"([1, 2])" << "JSON object";
    }
    void rejectsBadSweepConfigs() {
        QFETCH(QString, text);
        QFETCH(QString, expected);
        auto spec = SweepSpec::fromDeepSpeedSweepConfig(json::parse(text.toStdString()), "my_sweep.json");
        QVERIFY(!spec.ok());
        QVERIFY2(spec.error().find(expected.toStdString()) != std::string::npos, spec.error().c_str());
        QVERIFY2(spec.error().find("my_sweep.json") != std::string::npos, spec.error().c_str());
    }

    void warnsAboutKeysItCannotUse() {
        std::vector<std::string> warnings;
        auto spec = SweepSpec::fromDeepSpeedSweepConfig(json::parse(R"({"threads": [1, 2], "gpu": [true]})"),
                                                        "s.json", &warnings);
        QVERIFY(spec.ok());
        QCOMPARE(int(warnings.size()), 2);
    }

    void validatesSpecs_data() {
        QTest::addColumn<QString>("field");
        QTest::addColumn<QString>("expected");
        QTest::addRow("no folders") << "folders" << "no folder";
        QTest::addRow("uneven split") << "threads" << "split evenly";
        QTest::addRow("nothing to do") << "ops" << "nothing to measure";
        QTest::addRow("unaligned io") << "io" << "multiple of 4096";
    }
    void validatesSpecs() {
        QFETCH(QString, field);
        QFETCH(QString, expected);
        SweepSpec spec = tinySpec("/tmp");
        if (field == "folders") spec.folders.clear();
        if (field == "threads") { spec.threads = {3}; spec.ioSize = 1 << 20; }
        if (field == "ops") spec.read = spec.write = false;
        if (field == "io") spec.ioSize = 1000;
        auto ok = spec.validate();
        QVERIFY(!ok.ok());
        QVERIFY2(ok.error().find(expected.toStdString()) != std::string::npos, ok.error().c_str());
    }

    void jsonFormRoundTrips() {
        SweepSpec spec = tinySpec("/data/nvme0");
        spec.singleSubmit = {false, true};
        spec.overlapEvents = {false};
        auto back = SweepSpec::fromJson(spec.toJson(), "preset");
        QVERIFY2(back.ok(), back.error().c_str());
        QCOMPARE(*back, spec);
    }

    void planNamesWhatIsWrong() {
        SweepSpec spec = tinySpec("/nonexistent/aiotune-folder");
        const SweepPlan plan = planSweep(spec);
        QVERIFY(!plan.ok());
        QVERIFY2(plan.problem.find("/nonexistent/aiotune-folder") != std::string::npos, plan.problem.c_str());

        QTemporaryDir dir;
        spec.folders = {dir.path().toStdString()};
        const SweepPlan good = planSweep(spec);
        QVERIFY2(good.ok(), good.problem.c_str());
        QCOMPARE(good.points, std::size_t(4));
        QCOMPARE(good.transfers, std::size_t(16));
        QCOMPARE(good.bytesWritten, std::uint64_t(8) << 20);
        QVERIFY(good.folders[0].freeBytes > 0);
        QCOMPARE(entriesIn(dir.path()), 0); // the O_DIRECT probe left nothing
    }

    void runsASweepAndLogsIt() {
        QTemporaryDir dir, logs;
        SweepSpec spec = tinySpec(dir.path());
        SweepRunner runner(spec);
        runner.setLogFolder(logs.filePath("_aio_bench_logs").toStdString());
        std::vector<std::pair<ConfigKey, Sample>> seen;
        int progressCalls = 0;
        SweepProgress last;
        SweepCallbacks cb;
        cb.sample = [&](const ConfigKey& k, const Sample& s) { seen.emplace_back(k, s); };
        cb.progress = [&](const SweepProgress& p) { ++progressCalls; last = p; };
        auto results = runner.run(cb);
        QVERIFY2(results.ok(), results.error().c_str());
        QCOMPARE(results->status, std::string("finished"));
        QCOMPARE(int(results->configs.size()), 4);
        QCOMPARE(int(seen.size()), 16);
        QCOMPARE(last.done, std::size_t(16));
        QCOMPARE(last.total, std::size_t(16));
        QVERIFY(progressCalls >= 16);
        for (const auto& [key, s] : seen) QVERIFY2(!s.failed(), s.error.c_str());
        // Interleaved: every point's first loop comes before any second loop.
        for (std::size_t i = 0; i < 8; ++i) QCOMPARE(seen[i].second.loop, 0);
        for (std::size_t i = 8; i < 16; ++i) QCOMPARE(seen[i].second.loop, 1);
        QCOMPARE(seen[0].second.op, IoOp::Write);
        QCOMPARE(seen[1].second.op, IoOp::Read);
        for (const auto& c : results->configs) {
            QCOMPARE(c.loops(), 2);
            QVERIFY(c.hasBoth());
        }
        QCOMPARE(entriesIn(dir.path()), 0);

        // What the log folder says is what the sweep measured.
        auto back = LogFolderReader().read(logs.filePath("_aio_bench_logs").toStdString());
        QVERIFY2(back.ok(), back.error().c_str());
        QCOMPARE(back->status, std::string("finished"));
        QCOMPARE(back->configs.size(), results->configs.size());
        for (std::size_t i = 0; i < back->configs.size(); ++i) {
            QCOMPARE(back->configs[i].key, results->configs[i].key);
            QCOMPARE(*back->configs[i].readGiBps, *results->configs[i].readGiBps);
        }
        QCOMPARE(analyze(*back).best->key, analyze(*results).best->key);
        // DeepSpeed's own text logs alone name the same configurations.
        auto text = LogFolderReader().readDeepSpeedLogs(logs.filePath("_aio_bench_logs").toStdString());
        QVERIFY2(text.ok(), text.error().c_str());
        QCOMPARE(text->configsWithBoth(), 4);
    }

    void drivesSeveralFoldersAtOnce() {
        QTemporaryDir a, b;
        SweepSpec spec = tinySpec(a.path());
        spec.folders.push_back(b.path().toStdString());
        spec.blockSizes = {128 * 1024};
        spec.threads = {1};
        spec.loops = 1;
        auto results = SweepRunner(spec).run({});
        QVERIFY2(results.ok(), results.error().c_str());
        QCOMPARE(int(results->configs.size()), 1);
        QCOMPARE(results->configs[0].key.folders, 2);
        QCOMPARE(results->configs[0].samples[0].bytes, std::uint64_t(2) << 20);
        QCOMPARE(int(results->meta["per_folder"].size()), 4); // 2 folders x write + read
        QCOMPARE(entriesIn(a.path()) + entriesIn(b.path()), 0);
    }

    void cancelKeepsFinishedPoints() {
        QTemporaryDir dir;
        SweepSpec spec = tinySpec(dir.path());
        spec.loops = 50;
        std::atomic<bool> cancel{false};
        int samples = 0;
        SweepCallbacks cb;
        cb.sample = [&](const ConfigKey&, const Sample&) {
            if (++samples == 5) cancel = true;
        };
        auto results = SweepRunner(spec).run(cb, &cancel);
        QVERIFY2(results.ok(), results.error().c_str());
        QCOMPARE(results->status, std::string("cancelled"));
        QVERIFY(samples >= 5 && samples < 400);
        QVERIFY(!results->configs.empty());
        QCOMPARE(entriesIn(dir.path()), 0);
    }

    void portableEngineIsNamed() {
        QTemporaryDir dir;
        SweepSpec spec = tinySpec(dir.path());
        spec.loops = 1;
        auto results = SweepRunner(spec, EngineKind::Portable).run({});
        QVERIFY2(results.ok(), results.error().c_str());
        QVERIFY2(results->engine.find("portable") != std::string::npos, results->engine.c_str());
        QCOMPARE(results->meta["system"]["engine"].get<std::string>(), results->engine);
    }
};

QTEST_GUILESS_MAIN(TestSweep)
#include "test_sweep.moc"
