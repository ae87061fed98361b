#include "results/analysis.h"
#include "results/log_folder_reader.h"
#include "results/log_folder_writer.h"

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
        QCOMPARE(back->status, std::string("running"));
        QVERIFY(back->skipped.empty());
        const ConfigResult* ra = back->find(a);
        QVERIFY(ra);
        QCOMPARE(ra->samples.size(), size_t(4));
        QCOMPARE(*ra->samples[0].latencyMaxUs, 2210.0 + 1.0 / 3.0);
        QCOMPARE(*ra->readGiBps, (3.61 + 3.4) / 2);
        QCOMPARE(back->find(c)->errors, 1);
        QVERIFY(back->find(c)->readOnly());

        QVERIFY(w->finish("finished").ok());
        QCOMPARE(LogFolderReader().read(dir)->status, std::string("finished"));

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
        QCOMPARE(js->status, std::string("running"));
        QCOMPARE(*js->configs[0].combinedGiBps, 3.1 + 3.6);
        // No temporary file of our own is left after successful writes.
        QCOMPARE(QDir(tmp.path())
                     .entryList(QStringList{"*.aiotune-tmp"}, QDir::Hidden | QDir::Files)
                     .size(),
                 0);
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
