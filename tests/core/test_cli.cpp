// The headless commands as a user runs them: exit codes, messages naming the
// path, JSON shapes and values, files written and kept.
#include <QDir>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QRegularExpression>
#include <QTemporaryDir>
#include <QtTest>

namespace {
struct Run {
    int code = -1;
    QByteArray out, err;
};
Run aiotune(const QStringList& args) {
    QProcess p;
    p.start(AIOTUNE_CLI, args);
    p.waitForFinished(120000);
    return {p.exitStatus() == QProcess::NormalExit ? p.exitCode() : -1, p.readAllStandardOutput(),
            p.readAllStandardError()};
}
QString fixture(const QString& name) { return QStringLiteral(AIOTUNE_TEST_FIXTURES "/deepspeed/") + name; }
QJsonObject expected(const QString& name) {
    QFile f(fixture("expected.json"));
    f.open(QIODevice::ReadOnly);
    return QJsonDocument::fromJson(f.readAll()).object().value(name).toObject();
}
QByteArray readAll(const QString& path) {
    QFile f(path);
    return f.open(QIODevice::ReadOnly) ? f.readAll() : QByteArray();
}
} // namespace

class TestCli : public QObject {
    Q_OBJECT
private slots:
    void analyzeMatchesDeepSpeedFixtures_data() {
        QTest::addColumn<QString>("name");
        QTest::addColumn<int>("skipped");
        QTest::addRow("ds-0.15-sweep") << "ds-0.15-sweep" << 0;
        QTest::addRow("ds-0.4-sweep") << "ds-0.4-sweep" << 0;
        QTest::addRow("ds-messy") << "ds-messy" << 3;
    }
    void analyzeMatchesDeepSpeedFixtures() {
        QFETCH(QString, name);
        QFETCH(int, skipped);
        const Run r = aiotune({"analyze", "--log_dir", fixture(name), "--json"});
        QVERIFY2(r.code == 0, r.err.constData());
        const QJsonObject j = QJsonDocument::fromJson(r.out).object();
        const QJsonObject want = expected(name);
        QCOMPARE(j.value("read").toDouble(), want.value("read").toDouble());
        QCOMPARE(j.value("write").toDouble(), want.value("write").toDouble());
        QCOMPARE(j.value("configs_with_both").toInt(), want.value("configs_with_both").toInt());
        const QJsonObject aio = j.value("aio").toObject();
        const QJsonObject best = want.value("best").toObject();
        for (const QString& key : best.keys()) QCOMPARE(aio.value(key), best.value(key));
        QVERIFY(aio.value("single_submit").isBool());
        QVERIFY(j.value("recommended").isObject());
        QCOMPARE(j.value("skipped").toArray().size(), skipped);
        for (const auto& s : j.value("skipped").toArray()) {
            QVERIFY(!s.toObject().value("file").toString().isEmpty());
            QVERIFY(!s.toObject().value("reason").toString().isEmpty());
        }
    }

    void analyzeTextIsDeepSpeedLike() {
        const Run r = aiotune({"analyze", "--log_dir", fixture("ds-0.15-sweep")});
        QCOMPARE(r.code, 0);
        QVERIFY2(r.out.startsWith("Best performance (GiB/s): read = 3.53095, write = 3.12577"), r.out.constData());
        QVERIFY(r.out.contains("\"intra_op_parallelism\": 8"));
    }

    void badInputNamesThePath_data() {
        QTest::addColumn<QStringList>("args");
        QTest::addColumn<int>("code");
        QTest::addColumn<QString>("inMessage");
        QTest::addRow("missing log dir") << QStringList{"analyze", "--log_dir", "/nonexistent/logs"} << 1
                                         << "/nonexistent/logs";
        QTest::addRow("no flag") << QStringList{"analyze"} << 2 << "--log_dir";
        QTest::addRow("unknown flag") << QStringList{"sweep", "--nvme_dir", "/tmp", "--bogus", "1"} << 2 << "--bogus";
        QTest::addRow("bad size") << QStringList{"io", "--folder", "/tmp", "--block_size", "12Q"} << 2 << "12Q";
        QTest::addRow("missing folder") << QStringList{"io", "--folder", "/nonexistent/x", "--io_size", "1M"} << 1
                                        << "/nonexistent/x";
        QTest::addRow("sweep missing folder") << QStringList{"sweep", "--nvme_dir", "/nonexistent/y"} << 1
                                              << "/nonexistent/y";
        QTest::addRow("bad sweep config") << QStringList{"sweep", "--nvme_dir", "/tmp", "--sweep_config",
                                                         "/nonexistent/s.json"} << 1 << "/nonexistent/s.json";
        QTest::addRow("unknown command") << QStringList{"frobnicate"} << 2 << "frobnicate";
    }
    void badInputNamesThePath() {
        QFETCH(QStringList, args);
        QFETCH(int, code);
        QFETCH(QString, inMessage);
        const Run r = aiotune(args);
        QCOMPARE(r.code, code);
        QVERIFY2(QString::fromUtf8(r.err).contains(inMessage), r.err.constData());
        QVERIFY(!r.err.contains("terminate called"));
    }

    void emptyLogFolderIsAnError() {
        QTemporaryDir dir;
        QDir(dir.path()).mkdir("_aio_bench_read_logs");
        QDir(dir.path()).mkdir("_aio_bench_write_logs");
        const Run r = aiotune({"analyze", "--log_dir", dir.path()});
        QCOMPARE(r.code, 1);
        QVERIFY2(r.err.contains(dir.path().toUtf8()), r.err.constData());
    }

    void ioPrintsDeepSpeedLinesAndJson() {
        QTemporaryDir dir;
        Run r = aiotune({"io", "--folder", dir.path(), "--read", "--io_size", "2M", "--block_size", "256K",
                         "--queue_depth", "4", "--io-parallel", "2"});
        QVERIFY2(r.code == 0, r.err.constData());
        const QStringList lines = QString::fromUtf8(r.out).trimmed().split('\n');
        QCOMPARE(lines.size(), 4);
        const QStringList names = {"Task Read Latency", "Task Read Speed", "E2E Read Latency", "E2E Read Speed"};
        for (int i = 0; i < 4; ++i) {
            QRegularExpression re("^" + names[i] + " = ([0-9.e+-]+) (sec|GB/sec)$");
            const auto m = re.match(lines[i]);
            QVERIFY2(m.hasMatch(), qPrintable(lines[i]));
            QVERIFY(m.captured(1).toDouble() > 0);
        }
        r = aiotune({"io", "--folder", dir.path(), "--io_size", "2M", "--block_size", "256K", "--json",
                     "--sequential_requests", "--single_submit", "--loops", "3"});
        QVERIFY2(r.code == 0, r.err.constData());
        const QJsonObject j = QJsonDocument::fromJson(r.out).object();
        QCOMPARE(j.value("op").toString(), QString("write"));
        QCOMPARE(j.value("bytes").toInteger(), qint64(2 << 20));
        QVERIFY(j.value("seconds").toDouble() > 0);
        QVERIFY(j.value("gib_per_s").toDouble() > 0);
        const QJsonObject lat = j.value("latency_us").toObject();
        QVERIFY(lat.value("p50").toDouble() > 0);
        QVERIFY(lat.value("p99").toDouble() >= lat.value("p50").toDouble());
        QVERIFY(lat.value("max").toDouble() >= lat.value("p99").toDouble());
        QCOMPARE(j.value("loops").toArray().size(), 3);
        QCOMPARE(j.value("aio").toObject().value("overlap_events").toBool(), false);
        QCOMPARE(j.value("aio").toObject().value("single_submit").toBool(), true);
        QCOMPARE(QDir(dir.path()).entryList(QDir::AllEntries | QDir::NoDotAndDotDot | QDir::Hidden).size(), 0);
    }

    void sweepThenAnalyzeAgree() {
        QTemporaryDir dir, logs;
        const QString logDir = logs.filePath("_aio_bench_logs");
        const Run r = aiotune({"sweep", "--nvme_dir", dir.path(), "--io_size", "1M", "--block_size", "128K,256K",
                               "--queue_depth", "2,4", "--io_parallel", "1", "--loops", "2", "--log_dir", logDir,
                               "--json"});
        QVERIFY2(r.code == 0, r.err.constData());
        const QJsonObject j = QJsonDocument::fromJson(r.out).object();
        QCOMPARE(j.value("status").toString(), QString("finished"));
        QCOMPARE(j.value("configs_with_both").toInt(), 4);
        QVERIFY(j.value("read").toDouble() > 0 && j.value("write").toDouble() > 0);
        QVERIFY(j.value("aio").toObject().value("block_size").toInt() > 0);
        QVERIFY(j.value("recommended").isObject());
        QVERIFY(j.value("skipped").isArray());
        QVERIFY(QDir(logDir + "/_aio_bench_read_logs").entryList(QDir::Files).size() == 4);
        QCOMPARE(QDir(dir.path()).entryList(QDir::AllEntries | QDir::NoDotAndDotDot | QDir::Hidden).size(), 0);

        const Run a = aiotune({"analyze", "--log_dir", logDir, "--json"});
        QCOMPARE(a.code, 0);
        const QJsonObject again = QJsonDocument::fromJson(a.out).object();
        QCOMPARE(again.value("aio"), j.value("aio"));
        QCOMPARE(again.value("read").toDouble(), j.value("read").toDouble());
    }

    void exportMergesKeepingForeignKeys() {
        QTemporaryDir dir;
        const QString config = dir.filePath("ds_config.json");
        const QByteArray original = "{\n  \"train_batch_size\": 32,\n  \"zero_optimization\": {\"stage\": 3},\n"
                                    "  \"aio\": {\"block_size\": 131072, \"thread_count\": 2}\n}\n";
        QFile f(config);
        QVERIFY(f.open(QIODevice::WriteOnly));
        f.write(original);
        f.close();
        const Run r = aiotune({"export", "--log_dir", fixture("ds-0.15-sweep"), "--config", config});
        QVERIFY2(r.code == 0, r.err.constData());
        QCOMPARE(readAll(config + ".bak"), original);
        const QJsonObject merged = QJsonDocument::fromJson(readAll(config)).object();
        QCOMPARE(merged.value("train_batch_size").toInt(), 32);
        QCOMPARE(merged.value("zero_optimization").toObject().value("stage").toInt(), 3);
        const QJsonObject aio = merged.value("aio").toObject();
        QCOMPARE(aio.value("block_size").toInt(), 1048576);
        QCOMPARE(aio.value("intra_op_parallelism").toInt(), 8);
        QVERIFY(!aio.contains("thread_count"));
    }

    void exportTargetsOldDeepSpeedAndRefusesOverwrite() {
        QTemporaryDir dir;
        const QString out = dir.filePath("aio.json");
        Run r = aiotune({"export", "--log_dir", fixture("ds-0.4-sweep"), "--deepspeed_version", "0.14.0",
                         "--output", out});
        QVERIFY2(r.code == 0, r.err.constData());
        const QJsonObject aio = QJsonDocument::fromJson(readAll(out)).object().value("aio").toObject();
        QCOMPARE(aio.value("thread_count").toInt(), 8);
        QVERIFY(!aio.contains("intra_op_parallelism"));
        QCOMPARE(aio.value("overlap_events"), QJsonValue(true));
        const QByteArray before = readAll(out);
        r = aiotune({"export", "--log_dir", fixture("ds-0.15-sweep"), "--output", out});
        QCOMPARE(r.code, 1);
        QVERIFY2(r.err.contains(out.toUtf8()), r.err.constData());
        QCOMPARE(readAll(out), before);
        r = aiotune({"export", "--log_dir", fixture("ds-0.15-sweep"), "--csv", dir.filePath("all.csv")});
        QCOMPARE(r.code, 0);
        QCOMPARE(readAll(dir.filePath("all.csv")).count('\n'), 17); // header + 16 configurations

        r = aiotune({"export", "--log_dir", fixture("ds-0.15-sweep"), "--output", dir.filePath("b.json"), "--json"});
        QCOMPARE(r.code, 0);
        const QJsonObject j = QJsonDocument::fromJson(r.out).object();
        QCOMPARE(j.value("written").toString(), dir.filePath("b.json"));
        QCOMPARE(j.value("aio").toObject().value("intra_op_parallelism").toInt(), 8);
        QCOMPARE(j.value("engine").toString(), QString("deepspeed"));
    }
};

QTEST_GUILESS_MAIN(TestCli)
#include "test_cli.moc"
