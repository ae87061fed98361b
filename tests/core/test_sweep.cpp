// SweepSpec parsing/expansion, the grid strategy, and a real (tiny)
// SweepRunner on a temp folder: its events, strategy hooks and log folder.
#include "results/analysis.h"
#include "results/log_folder_reader.h"
#include "engine/aligned_buffer.h"
#include "engine/scratch_file.h"
#include "sweep/folder_lock.h"
#include "sweep/grid_strategy.h"
#include "sweep/sweep_runner.h"
#include "sweep/sweep_sinks.h"
#include "sweep/sweep_spec.h"
#include "../tools/fault_env.h"

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
        runner.setConfirm(false); // the grid's own transfers only (the check on libaio: test_confirmation)
        runner.setLogFolder(logs.filePath("_aio_bench_logs").toStdString());
        std::vector<SampleEvent> seen;
        std::vector<std::string> order; // event kinds as they came
        int progressCalls = 0;
        ProgressEvent last;
        std::optional<EndedEvent> ended;
        CallbackSink cb;
        cb.started = [&](const StartedEvent& e) {
            order.push_back("started");
            QCOMPARE(e.plannedTransfers, std::size_t(16));
            QCOMPARE(e.header.strategy, std::string("grid"));
        };
        cb.sample = [&](const SampleEvent& e) { seen.push_back(e); order.push_back("sample"); };
        cb.progress = [&](const ProgressEvent& p) { ++progressCalls; last = p; };
        cb.ended = [&](const EndedEvent& e) { ended = e; order.push_back("ended"); };
        auto results = runner.run({&cb});
        QVERIFY2(results.ok(), results.error().c_str());
        QCOMPARE(results->status, SweepStatus::Finished);
        QVERIFY(ended);
        QCOMPARE(ended->status, SweepStatus::Finished);
        QCOMPARE(ended->error, SweepErrorCode::None);
        QCOMPARE(ended->stopReason, StopReason::Exhausted);
        QCOMPARE(order.front(), std::string("started"));
        QCOMPARE(order.back(), std::string("ended"));
        QCOMPARE(int(std::count(order.begin(), order.end(), "ended")), 1);
        QCOMPARE(int(results->configs.size()), 4);
        QCOMPARE(int(seen.size()), 16);
        QCOMPARE(last.done, std::size_t(16));
        QCOMPARE(last.total, std::size_t(16));
        QVERIFY(progressCalls >= 16);
        for (const auto& e : seen) {
            QVERIFY2(!e.sample.failed(), e.sample.error.c_str());
            QVERIFY(e.perFolder.empty()); // one folder: the sample is the folder's
            QCOMPARE(e.sample.loop, e.visit.loop);
            QVERIFY(e.sample.ioSeconds && *e.sample.ioSeconds > 0 && *e.sample.ioSeconds <= e.sample.seconds);
            QCOMPARE(e.sample.profile, MeasurementProfile::faithful().name());
            // One handle per visit, opened before its write (untimed, reported), reused by its read.
            QVERIFY(e.sample.setupSeconds);
            if (e.sample.op == IoOp::Write) QVERIFY(*e.sample.setupSeconds > 0);
            else QCOMPARE(*e.sample.setupSeconds, 0.0);
        }
        // Interleaved: every point's first loop comes before any second loop.
        for (std::size_t i = 0; i < 8; ++i) QCOMPARE(seen[i].sample.loop, 0);
        for (std::size_t i = 8; i < 16; ++i) QCOMPARE(seen[i].sample.loop, 1);
        QCOMPARE(seen[0].sample.op, IoOp::Write);
        QCOMPARE(seen[1].sample.op, IoOp::Read);
        for (const auto& c : results->configs) {
            QCOMPARE(c.loops(), 2);
            QVERIFY(c.hasBoth());
        }
        QVERIFY(results->startedAtMs > 0);
        QVERIFY(results->finishedAtMs >= results->startedAtMs);
        QCOMPARE(entriesIn(dir.path()), 0);

        // What the log folder says is what the sweep held in memory, all of it.
        auto back = LogFolderReader().read(logs.filePath("_aio_bench_logs").toStdString());
        QVERIFY2(back.ok(), back.error().c_str());
        QCOMPARE(back->status, SweepStatus::Finished);
        back->source = results->source; // names where it was read from
        QVERIFY(*back == *results);
        QCOMPARE(analyze(*back).best->key, analyze(*results).best->key);
        // DeepSpeed's own text logs alone name the same configurations.
        auto text = LogFolderReader().readDeepSpeedLogs(logs.filePath("_aio_bench_logs").toStdString());
        QVERIFY2(text.ok(), text.error().c_str());
        QCOMPARE(text->configsWithBoth(), 4);
        // Only the logs: no lock file or other leftover of the run.
        QCOMPARE(QDir(logs.filePath("_aio_bench_logs"))
                     .entryList(QDir::AllEntries | QDir::NoDotAndDotDot | QDir::Hidden),
                 (QStringList{"_aio_bench_read_logs", "_aio_bench_write_logs", "sweep.json"}));
    }

    void drivesSeveralFoldersAtOnce() {
        QTemporaryDir a, b, logs;
        SweepSpec spec = tinySpec(a.path());
        spec.folders.push_back(b.path().toStdString());
        spec.blockSizes = {128 * 1024};
        spec.threads = {1};
        spec.loops = 1;
        SweepRunner runner(spec);
        runner.setLogFolder(logs.path().toStdString());
        std::vector<SampleEvent> seen;
        CallbackSink cb;
        cb.sample = [&](const SampleEvent& e) { seen.push_back(e); };
        auto results = runner.run({&cb});
        QVERIFY2(results.ok(), results.error().c_str());
        QCOMPARE(int(results->configs.size()), 1);
        QCOMPARE(results->configs[0].key.folders, 2);
        QCOMPARE(results->configs[0].samples[0].bytes, std::uint64_t(2) << 20);
        QCOMPARE(int(seen.size()), 2);
        QCOMPARE(int(seen[0].perFolder.size()), 2);
        QCOMPARE(seen[0].perFolder[0].folder, a.path().toStdString());
        QCOMPARE(seen[0].perFolder[1].folder, b.path().toStdString());
        QCOMPARE(seen[0].perFolder[0].bytes + seen[0].perFolder[1].bytes, seen[0].sample.bytes);
        QCOMPARE(int(results->configs[0].folderSamples.size()), 4); // 2 folders x write + read
        QCOMPARE(entriesIn(a.path()) + entriesIn(b.path()), 0);
        // Each folder's own figures survive reopening the folder.
        auto back = LogFolderReader().read(logs.path().toStdString());
        QVERIFY2(back.ok(), back.error().c_str());
        back->source = results->source;
        QCOMPARE(back->configs[0].folderSamples, results->configs[0].folderSamples);
        QVERIFY(*back == *results);
    }

    void cancelKeepsFinishedPoints() {
        QTemporaryDir dir, logs;
        SweepSpec spec = tinySpec(dir.path());
        spec.loops = 50;
        std::atomic<bool> cancel{false};
        int samples = 0;
        std::optional<EndedEvent> ended;
        CallbackSink cb;
        cb.sample = [&](const SampleEvent&) {
            if (++samples == 5) cancel = true;
        };
        cb.ended = [&](const EndedEvent& e) { ended = e; };
        SweepRunner runner(spec);
        runner.setLogFolder(logs.path().toStdString());
        auto results = runner.run({&cb}, &cancel);
        QVERIFY2(results.ok(), results.error().c_str());
        QCOMPARE(results->status, SweepStatus::Cancelled);
        QVERIFY(ended && ended->status == SweepStatus::Cancelled);
        QCOMPARE(ended->stopReason, StopReason::Cancelled);
        QVERIFY(samples >= 5 && samples < 400);
        QVERIFY(!results->configs.empty());
        QCOMPARE(entriesIn(dir.path()), 0);
        auto back = LogFolderReader().read(logs.path().toStdString());
        QVERIFY2(back.ok(), back.error().c_str());
        QCOMPARE(back->status, SweepStatus::Cancelled);
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

    // Profile and host label reach every sample, the result set and sweep.json.
    void recordsProfileAndHost() {
        QTemporaryDir dir, logs;
        SweepSpec spec = tinySpec(dir.path());
        spec.loops = 1;
        spec.threads = {1};
        SweepRunner runner(spec);
        const MeasurementProfile normal{PagePolicy::Normal, false, false};
        runner.setProfile(normal);
        runner.setHostLabel("rack7-node3");
        runner.setLogFolder(logs.path().toStdString());
        auto results = runner.run();
        QVERIFY2(results.ok(), results.error().c_str());
        QCOMPARE(results->host, std::string("rack7-node3"));
        QVERIFY(results->profile && *results->profile == normal);
        for (const auto& c : results->configs)
            for (const auto& s : c.samples) QCOMPARE(s.profile, normal.name());
        auto back = LogFolderReader().read(logs.path().toStdString());
        QVERIFY2(back.ok(), back.error().c_str());
        QCOMPARE(back->host, std::string("rack7-node3"));
        QVERIFY(back->profile && *back->profile == normal);
    }

    void gridVisitsLoopMajor() {
        AioConfig a, b;
        b.queue_depth = 32;
        GridStrategy grid({a, b}, 3);
        QCOMPARE(grid.name(), std::string_view("grid"));
        QCOMPARE(grid.remainingVisits(), std::size_t(6));
        std::vector<Visit> all;
        for (auto batch = grid.nextBatch(); !batch.empty(); batch = grid.nextBatch())
            for (const Visit& v : batch) {
                all.push_back(v);
                QCOMPARE(grid.stopReason(), StopReason::Running);
                grid.observe(v, {});
            }
        const std::vector<Visit> expected = {{a, 0, 0}, {b, 0, 0}, {a, 1, 0}, {b, 1, 0}, {a, 2, 0}, {b, 2, 0}};
        QVERIFY(all == expected);
        QCOMPARE(grid.remainingVisits(), std::size_t(0));
        QCOMPARE(grid.stopReason(), StopReason::Exhausted);
        QCOMPARE(int(grid.contenders().size()), 2);
        QCOMPARE(stopReasonName(StopReason::Converged), std::string_view("converged"));
    }

    // Another strategy plugs in: the runner measures exactly its visits, in
    // its order, tells it every sample, and records its dropouts.
    void followsAGivenStrategy() {
        struct Scripted : SearchStrategy {
            std::vector<std::vector<Visit>> batches;
            std::vector<std::pair<Visit, std::size_t>> observed;
            std::vector<Dropout> dropped;
            std::string_view name() const override { return "scripted"; }
            std::vector<Visit> nextBatch() override {
                if (batches.empty()) return {};
                auto b = batches.front();
                batches.erase(batches.begin());
                return b;
            }
            void observe(const Visit& v, const std::vector<Sample>& s) override {
                observed.emplace_back(v, s.size());
                if (observed.size() == 2) dropped.push_back({v.config, 4, "slower than the leader"});
            }
            StopReason stopReason() const override { return batches.empty() ? StopReason::Converged : StopReason::Running; }
            std::size_t remainingVisits() const override {
                std::size_t n = 0;
                for (const auto& b : batches) n += b.size();
                return n;
            }
            std::vector<AioConfig> contenders() const override { return {}; }
            std::vector<Dropout> dropouts() const override { return dropped; }
        };
        QTemporaryDir dir, logs;
        SweepSpec spec = tinySpec(dir.path());
        AioConfig a, b;
        a.block_size = 64 * 1024;
        a.queue_depth = 2;
        b = a;
        b.intra_op_parallelism = 2;
        auto strategy = std::make_unique<Scripted>();
        Scripted* seen = strategy.get();
        strategy->batches = {{{a, 0, 0}, {b, 0, 0}}, {{a, 1, 512 * 1024}}};
        SweepRunner runner(spec);
        runner.setStrategy(std::move(strategy));
        runner.setLogFolder(logs.path().toStdString());
        std::vector<RaceEvent> races;
        std::optional<EndedEvent> ended;
        CallbackSink cb;
        cb.race = [&](const RaceEvent& r) { races.push_back(r); };
        cb.ended = [&](const EndedEvent& e) { ended = e; };
        auto results = runner.run({&cb});
        QVERIFY2(results.ok(), results.error().c_str());
        QCOMPARE(int(seen->observed.size()), 3);
        for (const auto& [v, n] : seen->observed) QCOMPARE(n, std::size_t(2)); // write + read
        QCOMPARE(int(results->configs.size()), 2);
        const ConfigResult* ca = results->find(ConfigKey{a, 1});
        QVERIFY(ca);
        QCOMPARE(int(ca->samples.size()), 4);
        QCOMPARE(ca->samples.back().bytes, std::uint64_t(512 * 1024)); // the visit's own io size
        QCOMPARE(results->strategy, std::string("scripted"));
        QCOMPARE(int(results->dropouts.size()), 1);
        QCOMPARE(results->dropouts[0].reason, std::string("slower than the leader"));
        QVERIFY(ended && ended->stopReason == StopReason::Converged);
        QCOMPARE(int(races.size()), 2); // at the start and when one dropped
        auto back = LogFolderReader().read(logs.path().toStdString());
        QVERIFY2(back.ok(), back.error().c_str());
        QVERIFY(back->dropouts == results->dropouts);
        QCOMPARE(back->strategy, std::string("scripted"));
    }

    // Two sweeps at once into one scratch or log folder: the second is refused
    // before it writes anything, naming the folder.
    void refusesAFolderAnotherSweepUses_data() {
        QTest::addColumn<bool>("logFolder");
        QTest::addRow("scratch folder") << false;
        QTest::addRow("log folder") << true;
    }
    void refusesAFolderAnotherSweepUses() {
        QFETCH(bool, logFolder);
        QTemporaryDir dir, logs;
        const QString busy = logFolder ? logs.path() : dir.path();
        auto held = FolderLock::acquire(busy.toStdString(), "test");
        QVERIFY2(held.ok(), held.error().c_str());
        SweepRunner runner(tinySpec(dir.path()));
        runner.setLogFolder(logs.path().toStdString());
        std::optional<EndedEvent> ended;
        CallbackSink cb;
        cb.ended = [&](const EndedEvent& e) { ended = e; };
        auto r = runner.run({&cb});
        QVERIFY(!r.ok());
        VERIFY_CONTAINS(r.error(), "another aiotune sweep is using the " +
                                       std::string(logFolder ? "log folder " : "scratch folder ") + busy.toStdString());
        QVERIFY(ended && ended->status == SweepStatus::Failed && ended->error == SweepErrorCode::CannotStart);
        QCOMPARE(entriesIn(dir.path()) + entriesIn(logs.path()), 0);
        // Once the other sweep ends, the folder is free again.
        held.value().release();
        auto again = runner.run();
        QVERIFY2(again.ok(), again.error().c_str());
    }

    // An empty log path is refused, not taken as "no logs".
    void refusesAnEmptyLogFolder() {
        QTemporaryDir dir;
        SweepRunner runner(tinySpec(dir.path()));
        runner.setLogFolder("");
        auto r = runner.run();
        QVERIFY(!r.ok());
        VERIFY_CONTAINS(r.error(), "no log folder given");
        QCOMPARE(entriesIn(dir.path()), 0);
    }

    // Every sweep moves each buffer once, untimed, before the first measured
    // visit (a fresh buffer's first pass costs more than DeepSpeed's reused
    // swap buffers ever pay): one write more than the measured ones, first.
    void primesOnceBeforeMeasuring() {
        struct Counting : IoEngine {
            std::vector<IoDirection> seen;
            std::string name() const override { return "counting"; }
            Result<TransferResult> transfer(const TransferParams& p, const ScratchFile&, AlignedBuffer&,
                                            const std::atomic<bool>*) override {
                seen.push_back(p.direction);
                TransferResult r;
                r.bytes = p.ioSize;
                r.seconds = r.ioSeconds = 0.01;
                r.gibPerSec = r.ioGibPerSec = static_cast<double>(p.ioSize) / 0.01 / (1 << 30);
                return r;
            }
        };
        QTemporaryDir dir;
        SweepSpec spec = tinySpec(dir.path());
        spec.loops = 2;
        auto engine = std::make_unique<Counting>();
        Counting* counted = engine.get();
        SweepRunner runner(spec);
        runner.setEngine(std::move(engine));
        auto results = runner.run();
        QVERIFY2(results.ok(), results.error().c_str());
        const std::size_t measured = spec.pointCount() * 2 /*loops*/ * 2 /*ops*/;
        QCOMPARE(counted->seen.size(), measured + 1);
        QCOMPARE(counted->seen.front(), IoDirection::Write);
        std::size_t samples = 0;
        for (const auto& c : results->configs) samples += c.samples.size();
        QCOMPARE(samples, measured); // the untimed write is not a sample
    }

    // A read-only sweep whose priming write fails: every read fails with the
    // write's reason, and no read touches the unwritten file.
    void failedPrimeFailsTheReads() {
        struct WritesFail : IoEngine {
            int reads = 0;
            std::string name() const override { return "writes-fail"; }
            Result<TransferResult> transfer(const TransferParams& p, const ScratchFile&, AlignedBuffer&,
                                            const std::atomic<bool>*) override {
                if (p.direction == IoDirection::Write) return makeError("injected: No space left on device");
                ++reads;
                TransferResult r;
                r.bytes = p.ioSize;
                r.seconds = r.ioSeconds = 0.01;
                r.gibPerSec = r.ioGibPerSec = static_cast<double>(p.ioSize) / 0.01 / (1 << 30);
                return r;
            }
        };
        QTemporaryDir dir;
        SweepSpec spec = tinySpec(dir.path());
        spec.write = false;
        spec.loops = 1;
        auto engine = std::make_unique<WritesFail>();
        WritesFail* seen = engine.get();
        SweepRunner runner(spec);
        runner.setEngine(std::move(engine));
        std::vector<MessageEvent> messages;
        CallbackSink cb;
        cb.message = [&](const MessageEvent& m) { messages.push_back(m); };
        auto results = runner.run({&cb});
        QVERIFY2(results.ok(), results.error().c_str());
        QCOMPARE(seen->reads, 0);
        QCOMPARE(int(results->configs.size()), 4);
        for (const auto& c : results->configs) {
            QCOMPARE(c.errors, 1);
            VERIFY_CONTAINS(c.firstError(), "No space left on device");
            VERIFY_CONTAINS(c.firstError(), "write that puts data under the reads");
        }
        QVERIFY(!messages.empty());
        QCOMPARE(messages[0].severity, Severity::Error);
    }
};

QTEST_GUILESS_MAIN(TestSweep)
#include "test_sweep.moc"
