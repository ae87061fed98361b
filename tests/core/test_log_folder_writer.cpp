#include "results/analysis.h"
#include "results/log_folder_reader.h"
#include "results/log_folder_writer.h"

#include <QDir>
#include <QFileInfo>
#include <QTemporaryDir>
#include <QtTest>

using namespace aiotune;

namespace {

ConfigKey key(std::uint64_t block, int depth, int threads, bool overlap = true, int folders = 1) {
    ConfigKey k;
    k.aio.block_size = block;
    k.aio.queue_depth = depth;
    k.aio.intra_op_parallelism = threads;
    k.aio.overlap_events = overlap;
    k.folders = folders;
    return k;
}

Sample sample(IoOp op, int loop, double gib, std::string error = {}) {
    Sample s;
    s.op = op;
    s.loop = loop;
    s.folder = "/mnt/nvme0/it's here";
    s.bytes = 400ull << 20;
    s.gibPerSec = gib;
    s.seconds = error.empty() ? 400.0 / 1024.0 / gib : 0.0;
    s.latencyP50Us = 812.25 + loop;
    s.latencyP99Us = 1503.5;
    s.latencyMaxUs = 2210.0 + 1.0 / 3.0;
    s.cpuSeconds = 0.0123456789;
    s.finishedAtMs = 1767225600000 + loop;
    s.error = std::move(error);
    return s;
}

std::string readText(const QString& path) {
    QFile f(path);
    if (!f.open(QIODevice::ReadOnly)) return {};
    return f.readAll().toStdString();
}

const nlohmann::json kMeta = {{"spec", {{"block_size", {"128K", "1M"}}, {"loops", 3}}},
                              {"system", {{"kernel", "6.1.0"}, {"drives", {"nvme0n1"}}}}};

} // namespace

class TestLogFolderWriter : public QObject {
    Q_OBJECT
  private slots:
    void namesFilesInSchemeD_data() {
        QTest::addColumn<bool>("read");
        QTest::addColumn<quint64>("block");
        QTest::addColumn<int>("depth");
        QTest::addColumn<int>("threads");
        QTest::addColumn<bool>("overlap");
        QTest::addColumn<int>("folders");
        QTest::addColumn<QString>("name");
        QTest::addRow("read") << true << quint64(1 << 20) << 32 << 8 << true << 1
                              << "read_block_overlap_ftd1_d32_bs1M_p8.txt";
        QTest::addRow("write") << false << quint64(128 << 10) << 4 << 1 << false << 2
                               << "write_block_sequential_ftd2_d4_bs128K_p1.txt";
        QTest::addRow("odd size") << true << quint64(12288) << 1 << 1 << true << 1
                                  << "read_block_overlap_ftd1_d1_bs12K_p1.txt";
    }
    void namesFilesInSchemeD() {
        QFETCH(bool, read);
        QFETCH(quint64, block);
        QFETCH(int, depth);
        QFETCH(int, threads);
        QFETCH(bool, overlap);
        QFETCH(int, folders);
        QFETCH(QString, name);
        const ConfigKey k = key(block, depth, threads, overlap, folders);
        const std::string file = LogFolderWriter::logFileName(read ? IoOp::Read : IoOp::Write, k);
        QCOMPARE(file, name.toStdString());
        // ...and the reader maps the name back to the same key.
        auto parsed = LogFolderReader::parseFileName(file);
        QVERIFY2(parsed.ok(), parsed.error().c_str());
        QVERIFY(parsed->key == k);
    }

    void textHasDeepSpeedLines() {
        ConfigResult c;
        c.key = key(1 << 20, 32, 8);
        c.samples = {sample(IoOp::Read, 0, 3.0), sample(IoOp::Read, 1, 3.5),
                     sample(IoOp::Read, 2, 3.25), sample(IoOp::Write, 0, 2.0)};
        c.recompute();
        const std::string t = LogFolderWriter::deepSpeedLogText(c, IoOp::Read, "io_uring");
        QVERIFY2(t.find("\nE2E Read Speed = 3.25 GB/sec\n") != std::string::npos, t.c_str());
        QVERIFY(t.find("\nTask Read Speed = 3.25 GB/sec\n") != std::string::npos);
        QVERIFY(t.find("\nE2E Read Latency = ") != std::string::npos);
        QVERIFY(t.find("\nTask Read Latency = ") != std::string::npos);
        QVERIFY(t.find("args = Namespace(") != std::string::npos);
        QVERIFY(t.find("io_size='400M'") != std::string::npos);
        QVERIFY(t.find("queue_depth=32") != std::string::npos);
        QVERIFY(t.find("io_parallel=8") != std::string::npos);
        QVERIFY(t.find("sequential_requests=False") != std::string::npos);
        QVERIFY(t.find("loops=3") != std::string::npos);
        QVERIFY(t.find("'/mnt/nvme0/it\\'s here:0'") != std::string::npos);
        QVERIFY(t.find("Write") == std::string::npos);
        // Whole numbers keep Python's look.
        const std::string w = LogFolderWriter::deepSpeedLogText(c, IoOp::Write, "io_uring");
        QVERIFY2(w.find("E2E Write Speed = 2.0 GB/sec\n") != std::string::npos, w.c_str());
        // The reader takes the exact figure back.
        const auto f = LogFolderReader::parseBody(t, IoOp::Read);
        QCOMPARE(*f.e2eGiBps, 3.25);
        QCOMPARE(f.ioBytes, std::uint64_t(400) << 20);
    }

    // Every value of every sample survives writer -> sweep.json -> reader, and
    // the DeepSpeed text logs alone give the same medians.
    void roundTrip() {
        QTemporaryDir tmp;
        const std::filesystem::path dir = (tmp.path() + "/logs").toStdString();
        auto w = LogFolderWriter::create(dir, "io_uring", kMeta);
        QVERIFY2(w.ok(), w.error().c_str());

        const ConfigKey a = key(1 << 20, 32, 8), b = key(128 << 10, 8, 1, false),
                        c = key(8 << 20, 128, 4);
        QVERIFY(w->add(a, {sample(IoOp::Write, 0, 3.1), sample(IoOp::Read, 0, 3.61)}).ok());
        QVERIFY(w->add(b, {sample(IoOp::Write, 0, 0.75), sample(IoOp::Read, 0, 0.9)}).ok());
        // More loops of `a` later: the text log holds the median so far (even count: mean of middle
        // two).
        QVERIFY(w->add(a, {sample(IoOp::Write, 1, 3.0), sample(IoOp::Read, 1, 3.4)}).ok());
        // A configuration whose writes failed, with an awkward message.
        QVERIFY(w->add(c, {sample(IoOp::Write, 0, 0, "io_uring: EINVAL, \"O_DIRECT\"\nrefused"),
                           sample(IoOp::Read, 0, 2.5)})
                    .ok());

        auto back = LogFolderReader().read(dir);
        QVERIFY2(back.ok(), back.error().c_str());
        QCOMPARE(back->configs.size(), size_t(3));
        QVERIFY(back->configs == w->results().configs);
        QCOMPARE(back->meta, kMeta);
        QCOMPARE(back->engine, std::string("io_uring"));
        QCOMPARE(back->status, SweepStatus::Running);
        QVERIFY(back->skipped.empty());
        const ConfigResult* ra = back->find(a);
        QVERIFY(ra);
        QCOMPARE(ra->samples.size(), size_t(4));
        QCOMPARE(*ra->samples[0].latencyMaxUs, 2210.0 + 1.0 / 3.0);
        QCOMPARE(*ra->readGiBps, (3.61 + 3.4) / 2);
        QCOMPARE(back->find(c)->errors, 1);
        QVERIFY(back->find(c)->readOnly());

        QVERIFY(w->finish(SweepStatus::Finished).ok());
        QCOMPARE(LogFolderReader().read(dir)->status, SweepStatus::Finished);

        // DeepSpeed's view: one figure per file, the median; the failed write has no metric.
        auto ds = LogFolderReader().readDeepSpeedLogs(dir);
        QVERIFY2(ds.ok(), ds.error().c_str());
        QCOMPARE(ds->configs.size(), size_t(3));
        for (const ConfigResult& mine : w->results().configs) {
            const ConfigResult* theirs = ds->find(mine.key);
            QVERIFY(theirs);
            QCOMPARE(theirs->readGiBps, mine.readGiBps);
            QCOMPARE(theirs->writeGiBps, mine.writeGiBps);
            QCOMPARE(theirs->samples.front().bytes, std::uint64_t(400) << 20);
        }
        QCOMPARE(ds->skipped.size(), size_t(1));
        QCOMPARE(ds->skipped[0].file,
                 "_aio_bench_write_logs/" + LogFolderWriter::logFileName(IoOp::Write, c));
        const std::string failedText = readText(QString::fromStdString(
            (dir / "_aio_bench_write_logs" / LogFolderWriter::logFileName(IoOp::Write, c))
                .string()));
        QVERIFY(failedText.find("EINVAL") != std::string::npos);
        QVERIFY(failedText.find("E2E") == std::string::npos);
        QCOMPARE(analyze(*ds).best->key, a);
    }

    // A sweep killed mid-way: finished points are readable, a leftover
    // temporary file is named as such, no log name holds half a file.
    void killedSweepLeavesFinishedPoints() {
        QTemporaryDir tmp;
        const std::filesystem::path dir = tmp.path().toStdString();
        auto w = LogFolderWriter::create(dir, "io_uring", nullptr);
        QVERIFY(w.ok());
        const ConfigKey a = key(1 << 20, 32, 8);
        QVERIFY(w->add(a, {sample(IoOp::Write, 0, 3.1)}).ok());
        QVERIFY(w->add(a, {sample(IoOp::Read, 0, 3.6)}).ok());
        // What a kill during the next point's write leaves behind.
        const QString leftover =
            tmp.path() +
            "/_aio_bench_read_logs/.read_block_overlap_ftd1_d8_bs1M_p1.txt.aiotune-0123456789abcdef.tmp";
        QFile f(leftover);
        QVERIFY(f.open(QIODevice::WriteOnly));
        f.write("Testing aio");
        f.close();

        auto ds = LogFolderReader().readDeepSpeedLogs(dir);
        QVERIFY2(ds.ok(), ds.error().c_str());
        QCOMPARE(ds->configsWithBoth(), 1);
        QCOMPARE(ds->skipped.size(), size_t(1));
        QVERIFY(ds->skipped[0].reason.find("interrupted") != std::string::npos);
        auto js = LogFolderReader().read(dir);
        QVERIFY(js.ok());
        QCOMPARE(js->status, SweepStatus::Running);
        QCOMPARE(*js->configs[0].combinedGiBps, 3.1 + 3.6);
        // No temporary file of our own is left after successful writes.
        QCOMPARE(QDir(tmp.path())
                     .entryList(QStringList{"*.aiotune-tmp"}, QDir::Hidden | QDir::Files)
                     .size(),
                 0);
    }

    // Everything a sweep holds survives writer -> sweep.json -> reader: the
    // new sample fields, each folder's samples, dropouts, host, strategy,
    // profile, times and the final status with its reason.
    void sweepFileHoldsEverything() {
        QTemporaryDir tmp;
        const std::filesystem::path dir = (tmp.path() + "/logs").toStdString();
        ResultSet header;
        header.engine = "io_uring";
        header.meta = kMeta;
        header.host = "rack7-node3";
        header.strategy = "adaptive";
        header.profile = MeasurementProfile::hugePageWhatIf();
        header.startedAtMs = 1767225600000;
        auto w = LogFolderWriter::create(dir, header);
        QVERIFY2(w.ok(), w.error().c_str());
        const ConfigKey two = key(1 << 20, 32, 8, true, 2);
        Sample agg = sample(IoOp::Write, 0, 6.0);
        agg.ioSeconds = 0.0625;
        agg.profile = "what-if: huge pages, registered buffers";
        agg.hugePageShare = 0.75;
        agg.notes = "registration skipped above 1 GiB";
        Sample a = sample(IoOp::Write, 0, 3.0), b = sample(IoOp::Write, 0, 3.1);
        a.folder = "/mnt/a";
        b.folder = "/mnt/b";
        b.ioSeconds = 0.06;
        QVERIFY(w->add(two, {agg}, {a, b}).ok());
        Dropout d;
        d.config = key(128 << 10, 8, 1).aio;
        d.afterTransfers = 12;
        d.reason = "upper bound 3.1 GiB/s below leader's lower bound 3.4";
        QVERIFY(w->setDropouts({d}).ok());
        QVERIFY(w->finish(SweepStatus::Failed, "cannot write the sweep log: disk full", 1767225609999).ok());

        auto back = LogFolderReader().read(dir);
        QVERIFY2(back.ok(), back.error().c_str());
        back->source = w->results().source;
        QVERIFY(*back == w->results());
        QCOMPARE(back->status, SweepStatus::Failed);
        QCOMPARE(back->error, std::string("cannot write the sweep log: disk full"));
        QCOMPARE(back->host, std::string("rack7-node3"));
        QCOMPARE(back->strategy, std::string("adaptive"));
        QVERIFY(back->profile == MeasurementProfile::hugePageWhatIf());
        QCOMPARE(back->startedAtMs, std::int64_t(1767225600000));
        QCOMPARE(back->finishedAtMs, std::int64_t(1767225609999));
        QCOMPARE(back->configs[0].folderSamples, (std::vector<Sample>{a, b}));
        QCOMPARE(back->configs[0].samples[0], agg);
        QCOMPARE(int(back->dropouts.size()), 1);
        QVERIFY(back->dropouts[0] == d);
    }

    // sweep.json of version 1: per-folder figures lived in meta.per_folder and
    // the buffer kind in meta.system.huge_pages; both still come back.
    void readsVersion1SweepFiles() {
        auto rs = LogFolderReader().read(AIOTUNE_TEST_FIXTURES "/sweep-json/v1-two-folders");
        QVERIFY2(rs.ok(), rs.error().c_str());
        QCOMPARE(rs->status, SweepStatus::Cancelled);
        QCOMPARE(int(rs->configs.size()), 1);
        const ConfigResult& c = rs->configs[0];
        QCOMPARE(c.key.folders, 2);
        QCOMPARE(*c.writeGiBps, 2.5);
        QCOMPARE(c.errors, 1);
        QCOMPARE(int(c.folderSamples.size()), 4);
        QCOMPARE(c.folderSamples[1].folder, std::string("/mnt/b"));
        QCOMPARE(c.folderSamples[1].gibPerSec, 1.25);
        QCOMPARE(c.folderSamples[3].error, std::string("EIO"));
        QVERIFY(rs->profile);
        QCOMPARE(rs->profile->pages, PagePolicy::Normal);
        QVERIFY(rs->profile->registeredBuffers); // the engine of that time registered them
    }

    // DeepSpeed's Task lines time the I/O alone, E2E lines the whole transfer.
    void taskLinesTimeTheIoAlone() {
        ConfigResult c;
        c.key = key(1 << 20, 32, 8);
        Sample s = sample(IoOp::Read, 0, 2.0); // 400 MiB at 2 GiB/s: 0.1953125 s end to end
        s.ioSeconds = 0.15625;                 // 2.5 GiB/s for the I/O alone
        c.samples = {s};
        c.recompute();
        const std::string t = LogFolderWriter::deepSpeedLogText(c, IoOp::Read, "io_uring");
        QVERIFY2(t.find("Task Read Latency = 0.15625 sec\n") != std::string::npos, t.c_str());
        QVERIFY2(t.find("Task Read Speed = 2.5 GB/sec\n") != std::string::npos, t.c_str());
        QVERIFY2(t.find("E2E Read Latency = 0.1953125 sec\n") != std::string::npos, t.c_str());
        QVERIFY2(t.find("E2E Read Speed = 2.0 GB/sec\n") != std::string::npos, t.c_str());
    }

    // One folder, one sweep: a folder holding logs is refused, untouched.
    void refusesAFolderHoldingLogs_data() {
        QTest::addColumn<QString>("file");
        QTest::addColumn<bool>("refused");
        QTest::addRow("sweep.json") << "sweep.json" << true;
        QTest::addRow("a read log") << "_aio_bench_read_logs/read_block_overlap_ftd1_d8_bs1M_p1.txt" << true;
        QTest::addRow("a write log") << "_aio_bench_write_logs/write_block_overlap_ftd1_d8_bs1M_p1.txt" << true;
        QTest::addRow("other files") << "notes.txt" << false;
        QTest::addRow("an empty log subfolder") << "_aio_bench_read_logs/" << false;
    }
    void refusesAFolderHoldingLogs() {
        QFETCH(QString, file);
        QFETCH(bool, refused);
        QTemporaryDir tmp;
        const QString path = tmp.filePath(file);
        QVERIFY(QDir().mkpath(QFileInfo(path).path()));
        if (!file.endsWith('/')) {
            QFile f(path);
            QVERIFY(f.open(QIODevice::WriteOnly));
            f.write("E2E Read Speed = 3.1 GB/sec\n");
        }
        const auto before = QDir(tmp.path()).entryList(QDir::AllEntries | QDir::NoDotAndDotDot | QDir::Hidden);
        auto w = LogFolderWriter::create(tmp.path().toStdString(), "io_uring", kMeta);
        QCOMPARE(!w.ok(), refused);
        if (refused) {
            QVERIFY2(w.error().find(tmp.path().toStdString()) != std::string::npos, w.error().c_str());
            QVERIFY2(w.error().find("choose another log folder") != std::string::npos, w.error().c_str());
            QCOMPARE(QDir(tmp.path()).entryList(QDir::AllEntries | QDir::NoDotAndDotDot | QDir::Hidden), before);
        }
    }

    void refusesAnEmptyPath() {
        auto w = LogFolderWriter::create("", "io_uring", kMeta);
        QVERIFY(!w.ok());
        QVERIFY2(w.error().find("no log folder given") != std::string::npos, w.error().c_str());
    }

    // What a killed writer left (its temporaries) goes; everything else stays.
    void removesTemporariesOfAKilledRun() {
        QTemporaryDir tmp;
        const QStringList leftovers = {".sweep.json.aiotune-0123456789abcdef.tmp",
                                       "_aio_bench_read_logs/.read_block_overlap_ftd1_d8_bs1M_p1.txt.aiotune-00ff00ff00ff00ff.tmp"};
        QVERIFY(QDir(tmp.path()).mkdir("_aio_bench_read_logs"));
        for (const QString& name : leftovers + QStringList{"keep.tmp", ".sweep.json.tmp"}) {
            QFile f(tmp.filePath(name));
            QVERIFY(f.open(QIODevice::WriteOnly));
            f.write("{\"format\": \"aiotune-sw");
        }
        auto w = LogFolderWriter::create(tmp.path().toStdString(), "io_uring", kMeta);
        QVERIFY2(w.ok(), w.error().c_str());
        for (const QString& name : leftovers) QVERIFY2(!QFile::exists(tmp.filePath(name)), qPrintable(name));
        QVERIFY(QFile::exists(tmp.filePath("keep.tmp")));        // not one of ours
        QVERIFY(QFile::exists(tmp.filePath(".sweep.json.tmp"))); // no aiotune marker

        // The folder of a killed sweep is refused (it holds logs), and its
        // temporaries go all the same; the logs stay as they are.
        QTemporaryDir killed;
        const QString leftover = killed.filePath(".sweep.json.aiotune-0123456789abcdef.tmp");
        for (const QString& name : {leftover, killed.filePath("sweep.json")}) {
            QFile f(name);
            QVERIFY(f.open(QIODevice::WriteOnly));
            f.write("{\"format\": \"aiotune-sweep\"}");
        }
        auto refused = LogFolderWriter::create(killed.path().toStdString(), "io_uring", kMeta);
        QVERIFY(!refused.ok());
        QVERIFY(!QFile::exists(leftover));
        QCOMPARE(readText(killed.filePath("sweep.json")), std::string("{\"format\": \"aiotune-sweep\"}"));
    }

    void createFailsWithThePath() {
        QTemporaryDir tmp;
        QFile blocker(tmp.path() + "/plainfile");
        QVERIFY(blocker.open(QIODevice::WriteOnly));
        blocker.close();
        auto w = LogFolderWriter::create((tmp.path() + "/plainfile/logs").toStdString(), "io_uring",
                                         nullptr);
        QVERIFY(!w.ok());
        QVERIFY2(w.error().find("plainfile/logs") != std::string::npos, w.error().c_str());
    }
};

QTEST_GUILESS_MAIN(TestLogFolderWriter)
#include "test_log_folder_writer.moc"
