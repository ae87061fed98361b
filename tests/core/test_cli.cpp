// The headless commands as a user runs them: exit codes, messages naming the
// path, JSON shapes and values, files written and kept.
#include "../tools/fault_env.h"

#include "config/aio_config.h"
#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QRegularExpression>
#include <QStandardPaths>
#include <QTemporaryDir>

#include <QtTest>

#include <csignal>

#include <sys/stat.h>
#include <sys/statvfs.h>

using namespace aiotune::testing;

namespace {
struct Run {
    int code = -1;
    QByteArray out, err;
};
Run runCli(const QStringList& args) {
    QProcess p;
    p.start(AIOTUNE_CLI, args);
    p.waitForFinished(120000);
    return {p.exitStatus() == QProcess::NormalExit ? p.exitCode() : -1, p.readAllStandardOutput(),
            p.readAllStandardError()};
}
// As a user on a server: no display, HOME in a scratch folder (so a wrongly
// started Quick sweep would land there, not in the real cache), a deadline.
Run runNoDisplay(const QString& program, const QStringList& args, const QString& home, int ms = 20000) {
    QProcess p;
    QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
    for (const char* v : {"DISPLAY", "WAYLAND_DISPLAY", "QT_QPA_PLATFORM"}) env.remove(v);
    env.insert("HOME", home);
    env.insert("XDG_CACHE_HOME", home + "/cache");
    p.setProcessEnvironment(env);
    p.start(program, args);
    if (!p.waitForFinished(ms)) {
        p.kill();
        p.waitForFinished();
        return {-2, p.readAllStandardOutput(), p.readAllStandardError()};
    }
    return {p.exitStatus() == QProcess::NormalExit ? p.exitCode() : -1, p.readAllStandardOutput(),
            p.readAllStandardError()};
}
QString windowProgram() { return QFileInfo(AIOTUNE_CLI).dir().filePath("aiotune-window"); }
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
        const Run r = runCli({"analyze", "--log_dir", fixture(name), "--json"});
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
        QCOMPARE(j.value("profile").toString(), QString("unknown (DeepSpeed logs)"));
        for (const auto& s : j.value("skipped").toArray()) {
            QVERIFY(!s.toObject().value("file").toString().isEmpty());
            QVERIFY(!s.toObject().value("reason").toString().isEmpty());
        }
    }

    void analyzeTextIsDeepSpeedLike() {
        const Run r = runCli({"analyze", "--log_dir", fixture("ds-0.15-sweep")});
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
        QTest::addRow("report -o -") << QStringList{"report", "--log_dir", "/tmp", "-o", "-"} << 2
                                     << "is not standard output here";
        // An unsigned option took "-1" as 2^64 - 1 and recorded that.
        QTest::addRow("sweep: negative seed") << QStringList{"sweep", "--nvme_dir", "/tmp", "--seed", "-1"} << 2
                                              << "\"-1\" is not a whole number";
        QTest::addRow("fleet: negative seed") << QStringList{"fleet", "--hosts", "a", "--seed", "-1", "--", "--nvme_dir", "/tmp"}
                                              << 2 << "\"-1\" is not a whole number";
        // One validator: what sweep refuses, io refuses too, naming the value and the fix.
        QTest::addRow("io: uneven split") << QStringList{"io", "--folder", "/tmp", "--io_size", "1M", "--io_parallel", "3"}
                                          << 2 << "does not split evenly into 3 slices";
        QTest::addRow("io: block above io_size") << QStringList{"io", "--folder", "/tmp", "--io_size", "1M", "--block_size", "8M"}
                                                 << 2 << "block_size 8M is larger than io_size 1M";
        QTest::addRow("io: queue depth cap") << QStringList{"io", "--folder", "/tmp", "--io_size", "1M", "--block_size", "4K",
                                                            "--queue_depth", "40000"}
                                             << 2 << "queue_depth 40000 is above 32768";
        QTest::addRow("io: block of 4 GiB") << QStringList{"io", "--folder", "/tmp", "--io_size", "8G", "--block_size", "4G"}
                                            << 2 << "block_size 4G (4294967296 bytes) is above 1G";
        QTest::addRow("io: not a number") << QStringList{"io", "--folder", "/tmp", "--queue_depth", "8x"} << 2 << "8x";
        QTest::addRow("io: bad engine") << QStringList{"io", "--folder", "/tmp", "--engine", "spdk"} << 2 << "spdk";
        QTest::addRow("sweep: queue depth cap") << QStringList{"sweep", "--nvme_dir", "/tmp", "--queue_depth", "8,40000"}
                                                << 2 << "queue_depth 40000";
        QTest::addRow("sweep: block above a slice") << QStringList{"sweep", "--nvme_dir", "/tmp", "--io_size", "16M",
                                                                   "--block_size", "8M", "--io_parallel", "4"}
                                                    << 2 << "16M / intra_op_parallelism 4 = 4M";
        QTest::addRow("sweep: empty log dir") << QStringList{"sweep", "--nvme_dir", "/tmp", "--log_dir", ""} << 2 << "--log_dir";
        QTest::addRow("sweep: bad host") << QStringList{"sweep", "--nvme_dir", "/tmp", "--host", "a/b"} << 2 << "a/b";
        QTest::addRow("sweep: bad bool") << QStringList{"sweep", "--nvme_dir", "/tmp", "--single_submit", "maybe"}
                                         << 2 << "maybe";
        QTest::addRow("sweep: /dev/zero as sweep config")
            << QStringList{"sweep", "--nvme_dir", "/tmp", "--sweep_config", "/dev/zero"} << 1 << "not a regular file";
        QTest::addRow("devices: stray word") << QStringList{"devices", "extra"} << 2 << "extra";
        QTest::addRow("export: no log dir") << QStringList{"export"} << 2 << "--log_dir";
        QTest::addRow("top level: unknown option") << QStringList{"--bogus"} << 2 << "unknown option '--bogus'";
        QTest::addRow("top level: -v") << QStringList{"-v"} << 2 << "unknown option '-v'";
    }
    void badInputNamesThePath() {
        QFETCH(QStringList, args);
        QFETCH(int, code);
        QFETCH(QString, inMessage);
        const Run r = runCli(args);
        QCOMPARE(r.code, code);
        QVERIFY2(QString::fromUtf8(r.err).contains(inMessage), r.err.constData());
        QVERIFY(!r.err.contains("terminate called"));
    }

    // Every command documents its options (both spellings) and exits 0.
    void helpOnEveryCommand_data() {
        QTest::addColumn<QString>("command");
        QTest::addColumn<QString>("mention");
        QTest::addRow("io") << "io" << "--io_size,--io-size";
        QTest::addRow("sweep") << "sweep" << "--host";
        QTest::addRow("analyze") << "analyze" << "--log_dir";
        QTest::addRow("export") << "export" << "--deepspeed_version";
        QTest::addRow("devices") << "devices" << "--all";
    }
    void helpOnEveryCommand() {
        QFETCH(QString, command);
        QFETCH(QString, mention);
        for (const char* help : {"--help", "-h"}) {
            const Run r = runCli({command, "--json", help});
            QCOMPARE(r.code, 0);
            QVERIFY2(r.out.contains(("aiotune " + command).toUtf8()), r.out.constData());
            QVERIFY2(r.out.contains(mention.toUtf8()), r.out.constData());
            QVERIFY(r.err.isEmpty());
        }
    }

    void versionAndUsage() {
        Run r = runCli({"--version"});
        QCOMPARE(r.code, 0);
        QCOMPARE(r.out, QByteArray("aiotune " AIOTUNE_VERSION "\n"));
        r = runCli({"--help"});
        QCOMPARE(r.code, 0);
        QVERIFY(r.out.contains("sweep"));
    }

    // Only a bare start may run the headless Quick sweep; options, typos,
    // help and version never do (each once wrote 512 MiB into the cache).
    void noDisplayOnlyBareStartSweeps_data() {
        QTest::addColumn<bool>("window"); // run aiotune-window itself
        QTest::addColumn<QStringList>("args");
        QTest::addColumn<int>("code");
        QTest::addColumn<QString>("out");
        QTest::addRow("aiotune --bogus") << false << QStringList{"--bogus"} << 2 << "Usage: aiotune";
        QTest::addRow("aiotune -v") << false << QStringList{"-v"} << 2 << "Usage: aiotune";
        QTest::addRow("aiotune --open") << false << QStringList{"--open"} << 2 << "needs a value";
        QTest::addRow("window --help") << true << QStringList{"--help"} << 0 << "Usage: aiotune";
        QTest::addRow("window -h") << true << QStringList{"-h"} << 0 << "Usage: aiotune";
        QTest::addRow("window --version") << true << QStringList{"--version"} << 0 << "aiotune " AIOTUNE_VERSION;
        QTest::addRow("window --bogus") << true << QStringList{"--bogus"} << 2 << "unknown option '--bogus'";
        QTest::addRow("window -v") << true << QStringList{"-v"} << 2 << "unknown option '-v'";
    }
    void noDisplayOnlyBareStartSweeps() {
        QFETCH(bool, window);
        QFETCH(QStringList, args);
        QFETCH(int, code);
        QFETCH(QString, out);
        if (window && !QFileInfo::exists(windowProgram())) QSKIP("aiotune-window is not built (AIOTUNE_BUILD_UI off)");
        QTemporaryDir home;
        const Run r = runNoDisplay(window ? windowProgram() : QString(AIOTUNE_CLI), args, home.path());
        QCOMPARE(r.code, code);
        QVERIFY2((r.out + r.err).contains(out.toUtf8()), (r.out + r.err).constData());
        QVERIFY2(!r.err.contains("Running the Quick sweep"), r.err.constData());
        QCOMPARE(entriesOf(home.path()), QStringList{}); // no scratch folder, no logs
    }

    // A folder name that is not text in the locale (a 0xff byte) is named
    // as such; decoded, it became another name that "does not exist".
    void windowFolderNameThatIsNoText() {
        if (!QFileInfo::exists(windowProgram())) QSKIP("aiotune-window is not built (AIOTUNE_BUILD_UI off)");
        QTemporaryDir home;
        const Run r = runNoDisplay("/bin/sh", {"-c", "exec \"$0\" \"$(printf '/tmp/ff\\377byte')\"", windowProgram()},
                                   home.path());
        QCOMPARE(r.code, 2);
        QVERIFY2(r.err.contains("(/tmp/ff\\xffbyte) is not valid text in this locale"), r.err.constData());
    }

    // SIGTERM (kill, a logout) closes the window as its close button does:
    // the settings are saved and the process exits 0 (it died with them lost).
    void windowClosesOnSigterm() {
        if (!QFileInfo::exists(windowProgram())) QSKIP("aiotune-window is not built (AIOTUNE_BUILD_UI off)");
        QTemporaryDir home;
        QProcess p;
        QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
        env.insert("QT_QPA_PLATFORM", "offscreen");
        env.insert("HOME", home.path());
        env.insert("XDG_CONFIG_HOME", home.path() + "/config");
        p.setProcessEnvironment(env);
        p.start(windowProgram(), {fixture("ds-0.15-sweep")});
        QVERIFY(p.waitForStarted());
        // Signalled once it catches SIGTERM (its handler is installed).
        const QString status = QString("/proc/%1/status").arg(p.processId());
        bool catching = false;
        for (int i = 0; i < 400 && !catching; ++i) {
            QFile f(status);
            if (f.open(QIODevice::ReadOnly))
                for (const QByteArray& line : f.readAll().split('\n'))
                    if (line.startsWith("SigCgt:"))
                        catching = (line.mid(7).trimmed().toULongLong(nullptr, 16) >> (SIGTERM - 1)) & 1;
            if (!catching) QTest::qWait(25);
        }
        QVERIFY(catching);
        QVERIFY(::kill(static_cast<pid_t>(p.processId()), SIGTERM) == 0);
        QVERIFY(p.waitForFinished(20000));
        QCOMPARE(p.exitStatus(), QProcess::NormalExit);
        QCOMPARE(p.exitCode(), 0);
        QVERIFY2(readAll(home.path() + "/config/aiotune/aiotune.conf").contains("geometry"),
                 p.readAllStandardError().constData());
    }

    // A display nobody answers (a stale DISPLAY after ssh): a message and
    // status 1, not Qt's abort with a core dump.
    void unreachableDisplayIsAMessage() {
        if (!QFileInfo::exists(windowProgram())) QSKIP("aiotune-window is not built (AIOTUNE_BUILD_UI off)");
        if (QFileInfo::exists("/tmp/.X11-unix/X57")) QSKIP("display :57 exists here");
        QTemporaryDir home;
        QProcess p;
        QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
        for (const char* v : {"WAYLAND_DISPLAY", "QT_QPA_PLATFORM"}) env.remove(v);
        env.insert("DISPLAY", ":57");
        env.insert("HOME", home.path());
        p.setProcessEnvironment(env);
        p.start(windowProgram(), {fixture("ds-0.15-sweep")});
        QVERIFY(p.waitForFinished(20000));
        QCOMPARE(p.exitStatus(), QProcess::NormalExit);
        QCOMPARE(p.exitCode(), 1);
        const QByteArray err = p.readAllStandardError();
        QVERIFY2(err.contains("cannot open the display (DISPLAY=:57") && err.contains("/tmp/.X11-unix/X57"),
                 err.constData());
    }

    // A bare start without a display runs the Quick preset through
    // `aiotune sweep` itself: its answer on stdout, its log folder where the
    // window keeps sweeps (so File > Open finds it), the scratch file gone.
    void noDisplayQuickSweepIsTheCommandLinesSweep() {
        if (!QFileInfo::exists(windowProgram())) QSKIP("aiotune-window is not built (AIOTUNE_BUILD_UI off)");
        QTemporaryDir home;
        const Run r = runNoDisplay(windowProgram(), {}, home.path(), 120000);
        QVERIFY2(r.code == 0, r.err.constData());
        QVERIFY2(r.err.contains("Running the Quick sweep"), r.err.constData());
        // The command line's own words and output: stdout holds the aio section.
        QVERIFY2(r.out.contains("\"queue_depth\""), r.out.constData());
        QVERIFY2(r.out.contains("Measured with the faithful profile"), r.out.constData());
        QVERIFY2(r.out.contains("Grid: 1 loop(s)"), r.out.constData()); // the preset's one loop
        const QDir sweeps(home.filePath(".local/share/aiotune/sweeps"));
        const QStringList logs = sweeps.entryList({"sweep-*"}, QDir::Dirs);
        QCOMPARE(logs.size(), 1);
        QVERIFY(QFileInfo(sweeps.filePath(logs[0] + "/sweep.json")).isFile());
        // The Quick preset's 8 points, each read and written once.
        QCOMPARE(QDir(sweeps.filePath(logs[0] + "/_aio_bench_read_logs")).entryList(QDir::Files).size(), 8);
        QCOMPARE(QDir(home.filePath("cache/aiotune/scratch")).entryList(QDir::Files | QDir::Hidden), QStringList{});
    }

    // DeepSpeed's spellings: --io_size and --io-size, lists with commas, as
    // separate words or with the flag repeated.
    void listSpellingsAgree() {
        QTemporaryDir dir, logs;
        const Run r = runCli({"sweep", "--nvme-dir", dir.path(), "--io-size", "1M", "--block_size", "128K",
                               "--block-size", "256K", "--queue_depth", "2", "4", "--io_parallel=1", "--single_submit", "false",
                               "--overlap_events", "true",
                               "--loops", "1", "--log_dir", logs.filePath("l"), "--host", "node-07", "--json"});
        QVERIFY2(r.code == 0, r.err.constData());
        const QJsonObject j = QJsonDocument::fromJson(r.out).object();
        QCOMPARE(j.value("configs_with_both").toInt(), 4);
        QCOMPARE(QDir(logs.filePath("l/_aio_bench_read_logs")).entryList(QDir::Files).size(), 4);
    }

    // Two outputs naming one file, by any spelling, are refused before
    // anything is written: the config is never overwritten with CSV.
    void exportRefusesTheSameFileTwice_data() {
        QTest::addColumn<QString>("how");
        QTest::addRow("same path") << "same";
        QTest::addRow("./ spelling") << "dot";
        QTest::addRow("symlink") << "link";
        QTest::addRow("hard link") << "hard";
        QTest::addRow("output and csv, new file") << "new";
    }
    void exportRefusesTheSameFileTwice() {
        QFETCH(QString, how);
        QTemporaryDir dir;
        const QString config = dir.filePath("ds_config.json");
        const QByteArray original = "{\"train_batch_size\": 8}\n";
        QFile f(config);
        QVERIFY(f.open(QIODevice::WriteOnly));
        f.write(original);
        f.close();
        QString other = config;
        if (how == "dot") other = dir.path() + "/./ds_config.json";
        if (how == "link") QVERIFY(QFile::link(config, other = dir.filePath("link.json")));
        if (how == "hard") QCOMPARE(::link(config.toLocal8Bit().constData(), (other = dir.filePath("hard.json")).toLocal8Bit().constData()), 0);
        QStringList args{"export", "--log_dir", fixture("ds-0.15-sweep"), "--force"};
        if (how == "new") args << "--output" << dir.filePath("new.json") << "--csv" << dir.filePath("sub/../new.json");
        else args << "--config" << config << "--csv" << other;
        const Run r = runCli(args);
        QCOMPARE(r.code, 2);
        QVERIFY2(r.err.contains("same file"), r.err.constData());
        QCOMPARE(readAll(config), original);
        QVERIFY(!QFileInfo::exists(dir.filePath("new.json")));
        QVERIFY(!QFileInfo::exists(config + ".bak"));
    }

    // A read-only config is the owner saying "do not change": refused without
    // --force; with it, mode and owner stay as they were.
    void mergeRespectsReadOnlyAndOwner() {
        QTemporaryDir dir;
        const QString config = dir.filePath("ds_config.json");
        const QByteArray original = "{\"train_batch_size\": 8}\n";
        QFile f(config);
        QVERIFY(f.open(QIODevice::WriteOnly));
        f.write(original);
        f.close();
        const QByteArray path = config.toLocal8Bit();
        QCOMPARE(::chmod(path.constData(), 0444), 0);
        const bool root = runningAsRoot();
        if (root) QCOMPARE(::chown(path.constData(), 12345, 54321), 0);

        Run r = runCli({"export", "--log_dir", fixture("ds-0.15-sweep"), "--config", config});
        QCOMPARE(r.code, 1);
        QVERIFY2(r.err.contains("read-only") && r.err.contains("--force") && r.err.contains(path), r.err.constData());
        QCOMPARE(readAll(config), original);
        QCOMPARE(entriesOf(dir.path()), QStringList{"ds_config.json"});

        r = runCli({"export", "--log_dir", fixture("ds-0.15-sweep"), "--config", config, "--force"});
        QVERIFY2(r.code == 0, r.err.constData());
        QVERIFY(readAll(config).contains("\"aio\""));
        struct stat st {};
        QCOMPARE(::stat(path.constData(), &st), 0);
        QCOMPARE(st.st_mode & 07777, mode_t(0444));
        if (!root) QSKIP("owner preservation needs root (a merge as root once handed the file to root)");
        QCOMPARE(st.st_uid, uid_t(12345));
        QCOMPARE(st.st_gid, gid_t(54321));
    }

    // Free space is checked before the scratch file is preallocated: a small
    // filesystem is never filled to the brim.
    void ioChecksFreeSpaceFirst() {
        if (!runningAsRoot()) QSKIP("mounting a small tmpfs needs root");
        ScopedMount small("tmpfs", "size=100m");
        if (!small.ok()) QSKIP(qPrintable(small.error()));
        const Run r = runCli({"io", "--folder", small.path(), "--io_size", "48M", "--block_size", "1M"});
        QCOMPARE(r.code, 1);
        QVERIFY2(r.err.contains("not enough free space in " + small.path().toUtf8()), r.err.constData());
        struct statvfs vfs {};
        QCOMPARE(::statvfs(small.path().toLocal8Bit().constData(), &vfs), 0);
        QCOMPARE(vfs.f_bfree, vfs.f_blocks); // nothing was ever allocated there
    }

    // Without O_DIRECT (ramfs) io fails at a 4 KiB probe, before io_size
    // bytes are put into memory (ramfs keeps them in RAM).
    void ioProbesDirectIoFirst() {
        if (!runningAsRoot()) QSKIP("mounting ramfs needs root");
        if (QStandardPaths::findExecutable("strace").isEmpty()) QSKIP("strace is not installed");
        ScopedMount ram("ramfs", QString());
        if (!ram.ok()) QSKIP(qPrintable(ram.error()));
        QTemporaryDir traceDir;
        const QString trace = traceDir.filePath("trace");
        QProcess p;
        p.start("strace", {"-f", "-qq", "-o", trace, "-e", "trace=fallocate,pwrite64,ftruncate",
                           AIOTUNE_CLI, "io", "--folder", ram.path(), "--io_size", "256M"});
        QVERIFY(p.waitForFinished(60000));
        QCOMPARE(p.exitCode(), 1);
        const QByteArray err = p.readAllStandardError();
        QVERIFY2(err.contains("O_DIRECT"), err.constData());
        const QByteArray calls = readAll(trace);
        QVERIFY2(!calls.contains("268435456"), calls.left(2000).constData()); // io_size never requested
        QVERIFY2(calls.count("pwrite64(") < 16, calls.left(2000).constData());
    }

    void emptyLogFolderIsAnError() {
        QTemporaryDir dir;
        QDir(dir.path()).mkdir("_aio_bench_read_logs");
        QDir(dir.path()).mkdir("_aio_bench_write_logs");
        const Run r = runCli({"analyze", "--log_dir", dir.path()});
        QCOMPARE(r.code, 1);
        QVERIFY2(r.err.contains(dir.path().toUtf8()), r.err.constData());
    }

    void ioPrintsDeepSpeedLinesAndJson() {
        QTemporaryDir dir;
        Run r = runCli({"io", "--folder", dir.path(), "--read", "--io_size", "2M", "--block_size", "256K",
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
        r = runCli({"io", "--folder", dir.path(), "--io_size", "2M", "--block_size", "256K", "--json",
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
        QCOMPARE(j.value("warmup").toBool(), true);
        QCOMPARE(QDir(dir.path()).entryList(QDir::AllEntries | QDir::NoDotAndDotDot | QDir::Hidden).size(), 0);

        // --no_warmup times the fresh buffer's first pass; a read always has
        // its untimed write (the data under it).
        r = runCli({"io", "--folder", dir.path(), "--io_size", "1M", "--block_size", "256K", "--json", "--no_warmup"});
        QVERIFY2(r.code == 0, r.err.constData());
        QCOMPARE(QJsonDocument::fromJson(r.out).object().value("warmup").toBool(), false);
        r = runCli({"io", "--folder", dir.path(), "--io_size", "1M", "--block_size", "256K", "--json", "--read",
                    "--no-warmup"});
        QVERIFY2(r.code == 0, r.err.constData());
        QCOMPARE(QJsonDocument::fromJson(r.out).object().value("warmup").toBool(), true);
    }


    // Adaptive search is the default: "search" beside "aio", the profile, and
    // sweep.json holds every sample the search counted.
    void sweepDefaultsToAdaptiveSearch() {
        QTemporaryDir dir, logs;
        const QString logDir = logs.filePath("l");
        const Run r = runCli({"sweep", "--nvme_dir", dir.path(), "--io_size", "1M", "--block_size", "128K,256K",
                              "--queue_depth", "2,4", "--io_parallel", "1", "--single_submit", "false",
                              "--overlap_events", "true", "--log_dir", logDir, "--seed", "5", "--json"});
        QVERIFY2(r.code == 0, r.err.constData());
        const QJsonObject j = QJsonDocument::fromJson(r.out).object();
        const QJsonObject search = j.value("answer").toObject();
        const QJsonObject file = QJsonDocument::fromJson(readAll(logDir + "/sweep.json")).object();
        QCOMPARE(search.value("strategy").toString(), QString("adaptive"));
        QVERIFY(QStringList({"converged", "budget"}).contains(search.value("stopped_because").toString()));
        // Default budget on so small a grid: a three-loop grid of 4 points x
        // write + read (24), the libaio check's share (up to 12) included.
        const int checked = file.value("confirmation").toObject().value("configs").toArray().size() > 0 ? 1 : 0;
        QVERIFY(search.value("transfers").toInt() >= 8 && search.value("transfers").toInt() <= (checked ? 12 : 24));
        QCOMPARE(search.value("tolerance").toDouble(), 0.03);
        // "aio" and "recommended" are the answer's sections.
        const QJsonObject best = search.value("best").toObject();
        QCOMPARE(j.value("aio").toObject().value("block_size").toInt(), best.value("block_size").toInt());
        QCOMPARE(j.value("aio").toObject().value("queue_depth").toInt(), best.value("queue_depth").toInt());
        QCOMPARE(j.value("recommended").isNull(), search.value("recommended").isNull());
        QCOMPARE(j.value("partial").toBool(), search.value("partial").toBool());
        QCOMPARE(j.value("profile").toObject().value("name").toString(), QString("faithful"));
        QVERIFY(j.contains("huge_pages"));
        QCOMPARE(file.value("strategy").toString(), QString("adaptive"));
        int samples = 0;
        for (const auto& c : file.value("configs").toArray()) samples += c.toObject().value("samples").toArray().size();
        QCOMPARE(samples, search.value("transfers").toInt());
        // sweep.json stores the same answer, and how to run the search again alike.
        QCOMPARE(file.value("answer").toObject(), search);
        const QJsonObject settings = file.value("meta").toObject().value("search").toObject();
        QCOMPARE(settings.value("strategy").toString(), QString("adaptive"));
        QCOMPARE(settings.value("seed").toInt(), 5);
        QCOMPARE(settings.value("tolerance").toDouble(), 0.03);
        QVERIFY(settings.value("budget_transfers").toInt() >= search.value("transfers").toInt());
        QVERIFY(r.err.contains("adaptive search over 4 points"));
    }

    // Replay: deterministic for a seed, no I/O, cost against a three-loop grid;
    // "3%" and "0.03" are the same tolerance.
    void replayIsDeterministic() {
        QTemporaryDir dir, logs;
        const QString logDir = logs.filePath("l");
        Run r = runCli({"sweep", "--nvme_dir", dir.path(), "--io_size", "1M", "--block_size", "128K,256K",
                        "--queue_depth", "2,4", "--io_parallel", "1", "--single_submit", "false", "--overlap_events",
                        "true", "--search", "grid", "--loops", "3", "--log_dir", logDir, "--json"});
        QVERIFY2(r.code == 0, r.err.constData());
        QCOMPARE(QJsonDocument::fromJson(r.out).object().value("answer").toObject().value("transfers").toInt(), 24);
        const Run a = runCli({"sweep", "--replay", logDir, "--seed", "7", "--tolerance", "3%", "--json"});
        const Run b = runCli({"sweep", "--replay", logDir, "--seed", "7", "--tolerance", "0.03", "--json"});
        QVERIFY2(a.code == 0, a.err.constData());
        QCOMPARE(a.out, b.out);
        const QJsonObject j = QJsonDocument::fromJson(a.out).object();
        const QJsonObject search = j.value("answer").toObject();
        QCOMPARE(search.value("strategy").toString(), QString("adaptive"));
        QCOMPARE(search.value("tolerance").toDouble(), 0.03);
        QVERIFY(search.value("transfers").toInt() <= 24); // no more than the grid's 24 (a grid this small)
        QVERIFY(j.value("aio").toObject().value("block_size").toInt() > 0);
        const Run text = runCli({"sweep", "--replay", logDir, "--seed", "7"});
        QVERIFY2(text.out.contains("a three-loop grid: 24 transfers"), text.out.constData());
        QVERIFY(text.out.contains("Recommended"));
        QVERIFY(text.out.contains("Confidence: "));
    }

    void searchRefusals_data() {
        QTest::addColumn<QStringList>("args");
        QTest::addColumn<int>("code");
        QTest::addColumn<QString>("inMessage");
        QTest::addRow("tolerance 0") << QStringList{"sweep", "--nvme_dir", "/tmp", "--tolerance", "0"} << 2 << "\"0\"";
        QTest::addRow("tolerance 60 percent") << QStringList{"sweep", "--nvme_dir", "/tmp", "--tolerance", "60%"} << 2 << "60%";
        QTest::addRow("tolerance word") << QStringList{"sweep", "--nvme_dir", "/tmp", "--tolerance", "x%"} << 2 << "x%";
        QTest::addRow("budget below first pass") << QStringList{"sweep", "--nvme_dir", "/tmp", "--budget", "5"} << 2
                                                 << "--budget 5";
        QTest::addRow("budget unit") << QStringList{"sweep", "--nvme_dir", "/tmp", "--budget", "5d"} << 2 << "5d";
        QTest::addRow("loops with adaptive")
            << QStringList{"sweep", "--nvme_dir", "/tmp", "--search", "adaptive", "--loops", "3"} << 2 << "--loops";
        QTest::addRow("unknown search") << QStringList{"sweep", "--nvme_dir", "/tmp", "--search", "random"} << 2
                                        << "random";
        QTest::addRow("replay DeepSpeed logs") << QStringList{"sweep", "--replay", fixture("ds-0.15-sweep")} << 1
                                               << "--loops 3";
        QTest::addRow("replay missing") << QStringList{"sweep", "--replay", "/nonexistent/r"} << 1 << "/nonexistent/r";
        QTest::addRow("no folder") << QStringList{"sweep"} << 2 << "--nvme_dir";
        QTest::addRow("huge and no huge") << QStringList{"io", "--folder", "/tmp", "--huge_pages", "--no_huge_pages"}
                                          << 2 << "huge_pages";
    }
    void searchRefusals() {
        QFETCH(QStringList, args);
        QFETCH(int, code);
        QFETCH(QString, inMessage);
        const Run r = runCli(args);
        QCOMPARE(r.code, code);
        QVERIFY2(r.err.contains(inMessage.toUtf8()), r.err.constData());
        QVERIFY(r.out.isEmpty());
    }

    // --huge_pages is the what-if profile; the default is faithful.
    void ioReportsItsProfile_data() {
        QTest::addColumn<QStringList>("extra");
        QTest::addColumn<QString>("pages");
        QTest::addColumn<bool>("registered");
        QTest::addRow("default") << QStringList{} << "kernel" << false;
        QTest::addRow("huge_pages") << QStringList{"--huge_pages"} << "huge" << true;
        QTest::addRow("no_huge_pages") << QStringList{"--no_huge_pages"} << "normal" << false;
    }
    void ioReportsItsProfile() {
        QFETCH(QStringList, extra);
        QFETCH(QString, pages);
        QFETCH(bool, registered);
        QTemporaryDir dir;
        const Run r = runCli(QStringList{"io", "--folder", dir.path(), "--io_size", "1M", "--block_size", "128K",
                                         "--queue_depth", "2", "--json"} + extra);
        QVERIFY2(r.code == 0, r.err.constData());
        const QJsonObject profile = QJsonDocument::fromJson(r.out).object().value("profile").toObject();
        QCOMPARE(profile.value("pages").toString(), pages);
        QCOMPARE(profile.value("registered").toBool(), registered);
    }

    void sweepThenAnalyzeAgree() {
        QTemporaryDir dir, logs;
        const QString logDir = logs.filePath("_aio_bench_logs");
        const Run r = runCli({"sweep", "--nvme_dir", dir.path(), "--io_size", "1M", "--block_size", "128K,256K",
                               "--queue_depth", "2,4", "--io_parallel", "1", "--single_submit", "false",
                               "--overlap_events", "true", "--loops", "2", "--log_dir", logDir,
                               "--json"});
        QVERIFY2(r.code == 0, r.err.constData());
        const QJsonObject j = QJsonDocument::fromJson(r.out).object();
        QCOMPARE(j.value("status").toString(), QString("finished"));
        QCOMPARE(j.value("configs_with_both").toInt(), 4);
        QVERIFY(j.value("read").toDouble() > 0 && j.value("write").toDouble() > 0);
        QVERIFY(j.value("aio").toObject().value("block_size").toInt() > 0);
        // Two loops of four configurations: too few repeats to know the noise,
        // so the answer is partial and claims no recommendation.
        QVERIFY(j.value("recommended").isNull());
        QCOMPARE(j.value("partial").toBool(), true);
        QVERIFY(j.value("skipped").isArray());
        QVERIFY(QDir(logDir + "/_aio_bench_read_logs").entryList(QDir::Files).size() == 4);
        QCOMPARE(QDir(dir.path()).entryList(QDir::AllEntries | QDir::NoDotAndDotDot | QDir::Hidden).size(), 0);

        const Run a = runCli({"analyze", "--log_dir", logDir, "--json"});
        QCOMPARE(a.code, 0);
        const QJsonObject again = QJsonDocument::fromJson(a.out).object();
        QCOMPARE(again.value("profile").toObject().value("name").toString(), QString("faithful"));
        QCOMPARE(again.value("aio"), j.value("aio"));
        QCOMPARE(again.value("read").toDouble(), j.value("read").toDouble());
        QCOMPARE(again.value("answer"), j.value("answer"));
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
        const Run r = runCli({"export", "--log_dir", fixture("ds-0.15-sweep"), "--config", config});
        QVERIFY2(r.code == 0, r.err.constData());
        QCOMPARE(readAll(config + ".bak"), original);
        const QJsonObject merged = QJsonDocument::fromJson(readAll(config)).object();
        QCOMPARE(merged.value("train_batch_size").toInt(), 32);
        QCOMPARE(merged.value("zero_optimization").toObject().value("stage").toInt(), 3);
        const QJsonObject aio = merged.value("aio").toObject();
        QCOMPARE(aio.value("block_size").toInt(), 1048576);
        QCOMPARE(aio.value("intra_op_parallelism").toInt(), 8);
        // The user's legacy key is a name of the measured count: kept, in step.
        QCOMPARE(aio.value("thread_count").toInt(), 8);
    }

    // Without --deepspeed_version: the installed DeepSpeed (its package
    // metadata, here an active virtualenv), said on stderr and in --json.
    void exportTargetsInstalledDeepSpeed() {
        QProcess p;
        QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
        env.insert("VIRTUAL_ENV", QStringLiteral(AIOTUNE_TEST_FIXTURES) + "/python/venv-0.16.3");
        p.setProcessEnvironment(env);
        p.start(AIOTUNE_CLI, {"export", "--log_dir", fixture("ds-0.15-sweep"), "--json"});
        QVERIFY(p.waitForFinished(120000));
        const QByteArray err = p.readAllStandardError();
        QCOMPARE(p.exitCode(), 0);
        QVERIFY2(err.contains("target DeepSpeed 0.16.3 (installed: "), err.constData());
        const QJsonObject j = QJsonDocument::fromJson(p.readAllStandardOutput()).object();
        QCOMPARE(j.value("deepspeed_version").toString(), QString("0.16.3"));
        QVERIFY(j.value("target").toString().contains("deepspeed-0.16.3.dist-info"));
        const QJsonObject aio = j.value("aio").toObject();
        QCOMPARE(aio.value("thread_count").toInt(), 8); // 0.16.3 reads thread_count only
        QVERIFY(!aio.contains("intra_op_parallelism"));

        // "any": a section every release reads the same.
        const Run any =
            runCli({"export", "--log_dir", fixture("ds-0.15-sweep"), "--deepspeed_version", "any"});
        QCOMPARE(any.code, 0);
        QVERIFY(any.out.contains("\"intra_op_parallelism\": 8") &&
                any.out.contains("\"thread_count\": 8"));
        QVERIFY2(any.err.contains("target every DeepSpeed release"), any.err.constData());
    }

    // One size limit for DeepSpeed configs: check and export's merge refuse
    // the same file with the same figure.
    void configSizeLimitShared() {
        QTemporaryDir dir;
        const QString config = dir.filePath("big.json");
        QFile f(config);
        QVERIFY(f.open(QIODevice::WriteOnly));
        const QByteArray pad(int(aiotune::kMaxDeepSpeedConfigBytes), ' ');
        f.write("{\"a\": 1" + pad + "}");
        f.close();
        const Run check = runCli({"check", "--config", config});
        QCOMPARE(check.code, 2);
        const Run merge =
            runCli({"export", "--log_dir", fixture("ds-0.15-sweep"), "--config", config});
        QCOMPARE(merge.code, 1);
        const QByteArray limit =
            QByteArray::number(qulonglong(aiotune::kMaxDeepSpeedConfigBytes >> 20)) + " MiB";
        QVERIFY2(check.err.contains(limit), check.err.constData());
        QVERIFY2(merge.err.contains(limit), merge.err.constData());
        QVERIFY(!QFile::exists(config + ".bak"));
    }

    void exportTargetsOldDeepSpeedAndRefusesOverwrite() {
        QTemporaryDir dir;
        const QString out = dir.filePath("aio.json");
        Run r = runCli({"export", "--log_dir", fixture("ds-0.4-sweep"), "--deepspeed_version", "0.14.0",
                         "--output", out});
        QVERIFY2(r.code == 0, r.err.constData());
        const QJsonObject aio = QJsonDocument::fromJson(readAll(out)).object().value("aio").toObject();
        QCOMPARE(aio.value("thread_count").toInt(), 8);
        QVERIFY(!aio.contains("intra_op_parallelism"));
        QCOMPARE(aio.value("overlap_events"), QJsonValue(true));
        const QByteArray before = readAll(out);
        r = runCli({"export", "--log_dir", fixture("ds-0.15-sweep"), "--output", out});
        QCOMPARE(r.code, 1);
        QVERIFY2(r.err.contains(out.toUtf8()), r.err.constData());
        QCOMPARE(readAll(out), before);
        r = runCli({"export", "--log_dir", fixture("ds-0.15-sweep"), "--csv", dir.filePath("all.csv")});
        QCOMPARE(r.code, 0);
        QCOMPARE(readAll(dir.filePath("all.csv")).count('\n'), 17); // header + 16 configurations

        r = runCli({"export", "--log_dir", fixture("ds-0.15-sweep"), "--output", dir.filePath("b.json"), "--json"});
        QCOMPARE(r.code, 0);
        const QJsonObject j = QJsonDocument::fromJson(r.out).object();
        QCOMPARE(j.value("written").toString(), dir.filePath("b.json"));
        QCOMPARE(j.value("aio").toObject().value("intra_op_parallelism").toInt(), 8);
        QCOMPARE(j.value("engine").toString(), QString("deepspeed"));
    }
};

QTEST_GUILESS_MAIN(TestCli)
#include "test_cli.moc"
