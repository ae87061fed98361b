#include "results/analysis.h"
#include "results/log_folder_reader.h"

#include <QtTest>

#include <fstream>

using namespace aiotune;

namespace {
const std::string kFixtures = AIOTUNE_TEST_FIXTURES "/deepspeed";

nlohmann::json expected() {
    std::ifstream in(kFixtures + "/expected.json");
    return nlohmann::json::parse(in);
}

void writeFile(const QString& path, const QByteArray& body) {
    QDir().mkpath(QFileInfo(path).absolutePath());
    QFile f(path);
    QVERIFY(f.open(QIODevice::WriteOnly));
    f.write(body);
}

QByteArray dsBody(const char* op, const char* speed) {
    return QByteArray("Testing deepspeed_aio python frontend\nargs = Namespace(io_size='400M', "
                      "read=True)\n") +
           "E2E " + op + " Latency = 0.1 sec\nE2E " + op + " Speed = " + speed + " GB/sec\n";
}

std::vector<std::string> files(const std::vector<SkippedFile>& skipped) {
    std::vector<std::string> out;
    for (const auto& s : skipped)
        out.push_back(s.file);
    return out;
}
std::vector<std::string> tags(const std::vector<ConfigResult>& configs) {
    std::vector<std::string> out;
    for (const auto& c : configs)
        out.push_back(c.key.tag());
    return out;
}
} // namespace

class TestLogFolderReader : public QObject {
    Q_OBJECT
  private slots:
    // Every shared fixture gives exactly the answer in its expected.json.
    void fixtures_data() {
        QTest::addColumn<QString>("name");
        QTest::addRow("ds-0.15-sweep") << "ds-0.15-sweep";
        QTest::addRow("ds-0.4-sweep") << "ds-0.4-sweep";
        QTest::addRow("ds-messy") << "ds-messy";
    }
    void fixtures() {
        QFETCH(QString, name);
        const auto want = expected().at(name.toStdString());
        auto rs = LogFolderReader().read(kFixtures + "/" + name.toStdString());
        QVERIFY2(rs.ok(), rs.error().c_str());
        QCOMPARE(rs->engine, std::string("deepspeed"));
        const Recommendation rec = analyze(*rs);
        QVERIFY(rec.best.has_value());
        QCOMPARE(rec.configsWithBoth, want.at("configs_with_both").get<int>());
        const AioConfig& b = rec.best->key.aio;
        const auto& wb = want.at("best");
        QCOMPARE(b.block_size, wb.at("block_size").get<std::uint64_t>());
        QCOMPARE(b.queue_depth, wb.at("queue_depth").get<int>());
        QCOMPARE(b.intra_op_parallelism, wb.at("intra_op_parallelism").get<int>());
        QCOMPARE(b.overlap_events, wb.at("overlap_events").get<bool>());
        QCOMPARE(b.single_submit, wb.at("single_submit").get<bool>());
        // Exact: the figures are the logs' own decimal text.
        QCOMPARE(*rec.best->readGiBps, want.at("read").get<double>());
        QCOMPARE(*rec.best->writeGiBps, want.at("write").get<double>());
        QCOMPARE(rec.best->samples.front().bytes, std::uint64_t(400) << 20);
        QVERIFY(rec.best->samples.front().seconds > 0.1 && rec.best->samples.front().seconds < 0.2);
        // Single samples of a factorial grid: the model's residuals stand in
        // for the noise, so the answer has an interval and is not partial.
        QVERIFY(rec.noiseKnown);
        QVERIFY(rec.answer.interval.has_value());
        QVERIFY(!rec.answer.partial);
    }

    void messyFolderListsWhatItCouldNotUse() {
        auto rs = LogFolderReader().read(kFixtures + "/ds-messy");
        QVERIFY2(rs.ok(), rs.error().c_str());
        const std::vector<std::string> want = {
            "_aio_bench_read_logs/.DS_Store",
            "_aio_bench_read_logs/read_block_overlap_ftd1_d32_bs1M_p1.txt",
            "_aio_bench_write_logs/notes.md",
        };
        QCOMPARE(files(rs->skipped), want);
        QVERIFY(rs->skipped[0].reason.find("hidden") != std::string::npos);
        QVERIFY(rs->skipped[1].reason.find("E2E Read Speed") != std::string::npos);
        QVERIFY(rs->skipped[2].reason.find("not a benchmark log") != std::string::npos);

        const Recommendation rec = analyze(*rs);
        QCOMPARE(tags(rec.readOnly),
                 std::vector<std::string>{"block_sequential_ftd1_d32_bs128K_p8"});
        QCOMPARE(tags(rec.writeOnly), std::vector<std::string>{"block_overlap_ftd1_d32_bs1M_p1"});
        QVERIFY(rec.failed.empty());
    }

    void parsesFileNames_data() {
        QTest::addColumn<QString>("name");
        QTest::addColumn<bool>("read");
        QTest::addColumn<quint64>("block");
        QTest::addColumn<int>("depth");
        QTest::addColumn<int>("threads");
        QTest::addColumn<bool>("single");
        QTest::addColumn<bool>("overlap");
        QTest::addColumn<int>("folders");
        QTest::addColumn<quint64>("ioBytes");
        QTest::addRow("D") << "read_block_overlap_ftd1_d32_bs1M_p8.txt" << true << quint64(1 << 20)
                           << 32 << 8 << false << true << 1 << quint64(0);
        QTest::addRow("C") << "read_block_overlap_t1_p2_d4_bs128K.txt" << true << quint64(128 << 10)
                           << 4 << 2 << false << true << 1 << quint64(0);
        QTest::addRow("A'") << "write_400MB_block_sequential_t8_p1_d1_bs512K.txt" << false
                            << quint64(512 << 10) << 1 << 1 << false << false << 8
                            << quint64(400ull << 20);
        QTest::addRow("order free")
            << "write_bs8M_p4_single_d128_ftd2_sequential.txt" << false << quint64(8 << 20) << 128
            << 4 << true << false << 2 << quint64(0);
        QTest::addRow("G block") << "read_bs1G.txt" << true << quint64(1) << 1 << 1 << false << true
                                 << 1 << quint64(0);
        // Absent overlap tag: overlap in scheme D, sequential in scheme C.
        QTest::addRow("D defaults") << "read_ftd4.txt" << true << quint64(1 << 20) << 1 << 1
                                    << false << true << 4 << quint64(0);
        QTest::addRow("C defaults") << "read_t2_d8.txt" << true << quint64(1 << 20) << 8 << 1
                                    << false << false << 2 << quint64(0);
    }
    void parsesFileNames() {
        QFETCH(QString, name);
        QFETCH(bool, read);
        QFETCH(quint64, block);
        QFETCH(int, depth);
        QFETCH(int, threads);
        QFETCH(bool, single);
        QFETCH(bool, overlap);
        QFETCH(int, folders);
        QFETCH(quint64, ioBytes);
        if (block == 1) block = 1ull << 30;
        auto r = LogFolderReader::parseFileName(name.toStdString());
        QVERIFY2(r.ok(), r.error().c_str());
        QCOMPARE(r->op == IoOp::Read, read);
        QCOMPARE(quint64(r->key.aio.block_size), block);
        QCOMPARE(r->key.aio.queue_depth, depth);
        QCOMPARE(r->key.aio.intra_op_parallelism, threads);
        QCOMPARE(r->key.aio.single_submit, single);
        QCOMPARE(r->key.aio.overlap_events, overlap);
        QCOMPARE(r->key.folders, folders);
        QCOMPARE(quint64(r->ioBytes), ioBytes);
    }

    void rejectsBadNames_data() {
        QTest::addColumn<QString>("name");
        QTest::addColumn<QString>("mentions");
        QTest::addRow("backup") << "read_block_d8.txt~"
                                << "backup";
        QTest::addRow("hidden") << ".DS_Store"
                                << "hidden";
        QTest::addRow("markdown") << "notes.md"
                                  << "not a benchmark log";
        QTest::addRow("no op") << "block_overlap_d8.txt"
                               << "read_";
        QTest::addRow("unknown tag") << "read_block_turbo_d8.txt"
                                     << "\"turbo\"";
        QTest::addRow("bad size") << "read_bs12Q.txt"
                                  << "bs12Q";
        QTest::addRow("zero depth") << "read_d0.txt"
                                    << "\"d0\"";
        QTest::addRow("twice") << "read_d8_d16.txt"
                               << "queue depth";
        QTest::addRow("two schemes") << "read_t1_ftd1.txt"
                                     << "schemes";
        QTest::addRow("empty tag") << "read__d8.txt"
                                   << "empty tag";
    }
    void rejectsBadNames() {
        QFETCH(QString, name);
        QFETCH(QString, mentions);
        auto r = LogFolderReader::parseFileName(name.toStdString());
        QVERIFY(!r.ok());
        QVERIFY2(r.error().find(mentions.toStdString()) != std::string::npos, r.error().c_str());
    }

    void parsesBodies_data() {
        QTest::addColumn<QByteArray>("body");
        QTest::addColumn<bool>("read");
        QTest::addColumn<double>("speed"); // < 0: no figure
        QTest::addColumn<quint64>("bytes");
        QTest::addRow("plain") << QByteArray(
                                      "args = Namespace(io_size='400M', read=True)\n"
                                      "Task Read Speed = 9.0 GB/sec\nE2E Read Speed = 3.5 GB/sec\n")
                               << true << 3.5 << quint64(400ull << 20);
        QTest::addRow("first counts")
            << QByteArray("E2E Write Speed = 1.25 GB/sec\nE2E Write Speed = 7 GB/sec") << false
            << 1.25 << quint64(0);
        QTest::addRow("crlf") << QByteArray("E2E Read Speed = 2.5 GB/sec\r\n") << true << 2.5
                              << quint64(0);
        QTest::addRow("other op only")
            << QByteArray("E2E Write Speed = 2.5 GB/sec\n") << true << -1.0 << quint64(0);
        QTest::addRow("indented is not a start")
            << QByteArray("  E2E Read Speed = 2.5 GB/sec\n") << true << -1.0 << quint64(0);
        QTest::addRow("garbage number")
            << QByteArray("E2E Read Speed = nan GB/sec\n") << true << -1.0 << quint64(0);
        QTest::addRow("write_size")
            << QByteArray("args = Namespace(write_file='x', write_size='400M')\n"
                          "E2E Write Speed = 3 GB/sec")
            << false << 3.0 << quint64(400ull << 20);
        QTest::addRow("empty") << QByteArray() << true << -1.0 << quint64(0);
    }
    void parsesBodies() {
        QFETCH(QByteArray, body);
        QFETCH(bool, read);
        QFETCH(double, speed);
        QFETCH(quint64, bytes);
        const auto f =
            LogFolderReader::parseBody(std::string_view(body.constData(), size_t(body.size())),
                                       read ? IoOp::Read : IoOp::Write);
        QCOMPARE(f.e2eGiBps.has_value(), speed >= 0);
        if (speed >= 0) QCOMPARE(*f.e2eGiBps, speed);
        QCOMPARE(quint64(f.ioBytes), bytes);
    }

    // Inline folders in schemes C and A', and mixed with strays, read end to end.
    void readsInlineSchemes() {
        QTemporaryDir tmp;
        const QString d = tmp.path();
        writeFile(d + "/_aio_bench_read_logs/read_block_overlap_t1_p2_d4_bs128K.txt",
                  dsBody("Read", "2.0"));
        writeFile(d + "/_aio_bench_write_logs/write_block_overlap_t1_p2_d4_bs128K.txt",
                  dsBody("Write", "1.0"));
        writeFile(d + "/_aio_bench_read_logs/read_block_sequential_t8_p1_d1_bs512K.txt",
                  dsBody("Read", "4.0"));
        writeFile(d + "/_aio_bench_write_logs/write_400MB_block_sequential_t8_p1_d1_bs512K.txt",
                  dsBody("Write", "3.0"));
        writeFile(d + "/_aio_bench_write_logs/write_block_overlap_t1_p2_d4_bs128K.txt~",
                  dsBody("Write", "9"));
        writeFile(d + "/_aio_bench_write_logs/read_block_d8.txt", dsBody("Read", "9"));
        QDir().mkpath(d + "/_aio_bench_read_logs/subdir.txt");
        QDir().mkpath(d + "/_aio_bench_read_logs/read_block_d4.txt"); // a folder with a log's name

        // Pointing at a subfolder or at a parent of _aio_bench_logs works too.
        for (const QString& at : {d, d + "/_aio_bench_read_logs", d + "/"}) {
            auto rs = LogFolderReader().read(at.toStdString());
            QVERIFY2(rs.ok(), rs.error().c_str());
            QCOMPARE(rs->configs.size(), size_t(2));
            QCOMPARE(rs->configsWithBoth(), 2);
            QCOMPARE(rs->skipped.size(), size_t(4));
            QCOMPARE(rs->skipped[0].file, std::string("_aio_bench_read_logs/read_block_d4.txt"));
            QCOMPARE(rs->skipped[0].reason, std::string("is not a regular file"));
            const Recommendation rec = analyze(*rs);
            QCOMPARE(rec.best->key.tag(), std::string("block_sequential_ftd8_d1_bs512K_p1"));
            QCOMPARE(*rec.best->combinedGiBps, 7.0);
        }
        QTemporaryDir parent;
        QVERIFY(QDir().rename(d, parent.path() + "/_aio_bench_logs"));
        auto rs = LogFolderReader().read(parent.path().toStdString());
        QVERIFY2(rs.ok(), rs.error().c_str());
        QCOMPARE(rs->configs.size(), size_t(2));
    }

    // The same configuration logged twice (old and new naming) gives two loops.
    void duplicatesBecomeLoops() {
        QTemporaryDir tmp;
        writeFile(tmp.path() + "/_aio_bench_read_logs/read_block_overlap_t1_p1_d8_bs1M.txt",
                  dsBody("Read", "2"));
        writeFile(tmp.path() + "/_aio_bench_read_logs/read_block_overlap_ftd1_d8_bs1M_p1.txt",
                  dsBody("Read", "4"));
        auto rs = LogFolderReader().read(tmp.path().toStdString());
        QVERIFY2(rs.ok(), rs.error().c_str());
        QCOMPARE(rs->configs.size(), size_t(1));
        const ConfigResult& c = rs->configs[0];
        QCOMPARE(c.samples.size(), size_t(2));
        QCOMPARE(c.samples[1].loop, 1);
        QCOMPARE(*c.readGiBps, 3.0);
        QCOMPARE(c.readSpread->width(), 2.0);
        QVERIFY(!c.writeGiBps);
    }

    void errorsNameThePath_data() {
        QTest::addColumn<QString>("setup"); // what to create in the temp dir
        QTest::addColumn<QString>("mentions");
        QTest::addRow("missing") << "missing"
                                 << "does not exist";
        QTest::addRow("no subfolders") << "plain"
                                       << "holds neither";
        QTest::addRow("empty subfolders") << "empty"
                                          << "has no log files";
        QTest::addRow("only junk") << "junk"
                                   << "no usable log";
        QTest::addRow("a file") << "file"
                                << "is a file";
    }
    void errorsNameThePath() {
        QFETCH(QString, setup);
        QFETCH(QString, mentions);
        QTemporaryDir tmp;
        QString target = tmp.path() + "/logs";
        QDir().mkpath(target);
        if (setup == "missing") target = tmp.path() + "/nope";
        if (setup == "empty") {
            QDir().mkpath(target + "/_aio_bench_read_logs");
            QDir().mkpath(target + "/_aio_bench_write_logs");
        }
        if (setup == "junk") writeFile(target + "/_aio_bench_read_logs/read_d8.txt", "killed\n");
        if (setup == "file") {
            target = tmp.path() + "/f.txt";
            writeFile(target, "x");
        }
        auto rs = LogFolderReader().read(target.toStdString());
        QVERIFY(!rs.ok());
        QVERIFY2(rs.error().find(mentions.toStdString()) != std::string::npos, rs.error().c_str());
        QVERIFY2(rs.error().find(QFileInfo(target).fileName().toStdString()) != std::string::npos,
                 rs.error().c_str());
    }

    void damagedSweepFileFallsBackToLogs() {
        QTemporaryDir tmp;
        writeFile(tmp.path() + "/_aio_bench_read_logs/read_d8.txt", dsBody("Read", "2"));
        writeFile(tmp.path() + "/sweep.json", "{\"format\": \"aiotune-sweep\", \"configs\": [");
        auto rs = LogFolderReader().read(tmp.path().toStdString());
        QVERIFY2(rs.ok(), rs.error().c_str());
        QCOMPARE(rs->configs.size(), size_t(1));
        QCOMPARE(rs->skipped.size(), size_t(1));
        QCOMPARE(rs->skipped[0].file, std::string("sweep.json"));
        QVERIFY(rs->skipped[0].reason.find("not valid JSON") != std::string::npos);
    }
};

QTEST_GUILESS_MAIN(TestLogFolderReader)
#include "test_log_folder_reader.moc"
