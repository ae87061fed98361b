// A hostile machine and hostile files (issue 17): links planted by other
// users, names that carry line breaks and terminal escapes, numbers that are
// not numbers, outputs that cannot be written, a process killed mid-write.
// Each case is refused cleanly or handled, and nothing outside what the user
// named is written. Cases that need root (another user's files) skip when
// not run as root.
#include "config/aio_config.h"
#include "devices/folder_target.h"
#include "devices/fs_space.h"
#include "engine/io_engine.h"
#include "engine/scratch_file.h"
#include "fleet/fleet_launch.h"
#include "fleet/fleet_monitor.h"
#include "results/log_folder_reader.h"
#include "results/log_folder_writer.h"
#include "results/sweep_file.h"
#include "sweep/replay.h"
#include "sweep/sweep_runner.h"
#include "util/atomic_file.h"
#include "util/printable_text.h"
#include "util/strict_number.h"
#include "util/trusted_path.h"

#include <QDir>
#include <QFile>
#include <QProcess>
#include <QTemporaryDir>
#include <QtTest>

#include <cmath>
#include <csignal>
#include <fcntl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

using namespace aiotune;

namespace {

constexpr uid_t kNobody = 65534;

struct Run {
    int code = -1;
    QByteArray out, err;
};

Run runCli(const QStringList& args, const QString& stdoutFile = {}) {
    QProcess p;
    if (!stdoutFile.isEmpty()) p.setStandardOutputFile(stdoutFile);
    p.start(AIOTUNE_CLI, args);
    p.waitForFinished(120000);
    return {p.exitStatus() == QProcess::NormalExit ? p.exitCode() : -1, p.readAllStandardOutput(),
            p.readAllStandardError()};
}

// Runs a shell line (with $AIOTUNE set to the CLI) for what QProcess cannot
// arrange, such as a closed stdout.
Run runShell(const QString& line) {
    QProcess p;
    QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
    env.insert("AIOTUNE", AIOTUNE_CLI);
    p.setProcessEnvironment(env);
    p.start("/bin/sh", {"-c", line});
    p.waitForFinished(120000);
    return {p.exitStatus() == QProcess::NormalExit ? p.exitCode() : -1, p.readAllStandardOutput(),
            p.readAllStandardError()};
}

bool writeFile(const QString& path, const QByteArray& bytes) {
    QFile f(path);
    return f.open(QIODevice::WriteOnly) && f.write(bytes) == bytes.size();
}

QByteArray readFile(const QString& path) {
    QFile f(path);
    return f.open(QIODevice::ReadOnly) ? f.readAll() : QByteArray("<unreadable>");
}

std::string thisHostName() {
    char name[256] = {};
    ::gethostname(name, sizeof name - 1);
    std::string host(name);
    for (char& c : host)
        if (!std::isalnum(static_cast<unsigned char>(c)) && c != '.' && c != '_') c = '_';
    return host;
}

// A pid that no process has: a child that has exited and been reaped.
pid_t deadPid() {
    const pid_t pid = ::fork();
    if (pid == 0) ::_exit(0);
    int status = 0;
    ::waitpid(pid, &status, 0);
    return pid;
}

ConfigKey key(std::uint64_t block, int depth, int threads) {
    ConfigKey k;
    k.aio.block_size = block;
    k.aio.queue_depth = depth;
    k.aio.intra_op_parallelism = threads;
    return k;
}

Sample sample(IoOp op, int loop, double gib, std::string folder = "/mnt/nvme0") {
    Sample s;
    s.op = op;
    s.loop = loop;
    s.folder = std::move(folder);
    s.bytes = 400ull << 20;
    s.gibPerSec = gib;
    s.seconds = 400.0 / 1024.0 / gib;
    return s;
}

// A finished sweep with `loops` loops of `configs` configurations in folder.
bool writeSweep(const QString& folder, int configs, int loops, const std::string& host = "node1") {
    ResultSet header;
    header.engine = "io_uring";
    header.host = host;
    auto w = LogFolderWriter::create(folder.toStdString(), header);
    if (!w) return false;
    for (int c = 0; c < configs; ++c)
        for (int l = 0; l < loops; ++l)
            if (!w->add(key(1u << 20, 8 << c, 1),
                        {sample(IoOp::Read, l, 3.0 + 0.1 * c + 0.01 * l),
                         sample(IoOp::Write, l, 2.0 + 0.1 * c - 0.01 * l)}))
                return false;
    return w->finish(SweepStatus::Finished).ok();
}

// A world-writable sticky folder (like /tmp or a shared folder) with a link
// in it owned by nobody, pointing at victim.
struct PlantedLink {
    QTemporaryDir base;
    QString shared, victim, link;
    bool ok = false;
    explicit PlantedLink(const QString& linkName = "node1") {
        shared = base.filePath("shared");
        victim = base.filePath("victim");
        link = shared + "/" + linkName;
        ok = QDir().mkdir(shared) && QDir().mkdir(victim) &&
             ::chmod(shared.toLocal8Bit(), 01777) == 0 &&
             ::symlink(victim.toLocal8Bit(), link.toLocal8Bit()) == 0 &&
             ::lchown(link.toLocal8Bit(), kNobody, kNobody) == 0;
    }
};

} // namespace

class TestHostile : public QObject {
    Q_OBJECT
  private slots:
    // --- 1: the fleet's probe -------------------------------------------------

    // The check stage's probe file has no guessable name: links another user
    // planted for every likely pid never make it truncate their target.
    void fleetProbeIgnoresPlantedLinks() {
        QTemporaryDir tmp;
        const QString victim = tmp.filePath("victim.json");
        QVERIFY(writeFile(victim, "{\"keep\": true}"));
        const QString shared = tmp.filePath("shared");
        QVERIFY(QDir().mkdir(shared));
        for (int pid = 2; pid < 4000; ++pid)
            QVERIFY(::symlink(victim.toLocal8Bit(),
                              (shared + "/.aiotune-fleet-probe-node1-" + QString::number(pid))
                                  .toLocal8Bit()) == 0);
        FleetLaunchSpec spec;
        spec.hosts = {"node1"};
        spec.aiotune = AIOTUNE_CLI;
        spec.sharedDir = shared.toStdString();
        std::string script = fleetNodeScript(spec, FleetStage::Check);
        script.replace(script.find("%h"), 2, "node1");
        const Run r = runShell(QString::fromStdString(script));
        QVERIFY2(r.out.contains("aiotune-fleet: ready"), r.out + r.err);
        QCOMPARE(readFile(victim), QByteArray("{\"keep\": true}"));
        // Nothing of the probe's is left, and the planted links are as they were.
        QCOMPARE(QDir(shared).entryList(QDir::Files | QDir::Hidden | QDir::System).size(), 3998);
    }

    // --- 2: links planted by another user --------------------------------------

    void logFolderRefusesAnotherUsersLink() {
        if (::geteuid() != 0) QSKIP("needs root: the planted link must belong to another user");
        PlantedLink planted;
        QVERIFY(planted.ok);
        auto w = LogFolderWriter::create(planted.link.toStdString(), "io_uring", nullptr);
        QVERIFY(!w.ok());
        QVERIFY2(w.error().find(planted.link.toStdString()) != std::string::npos,
                 w.error().c_str());
        QVERIFY2(w.error().find("uid 65534") != std::string::npos, w.error().c_str());
        QVERIFY2(w.error().find("symbolic link") != std::string::npos, w.error().c_str());
        QCOMPARE(QDir(planted.victim)
                     .entryList(QDir::AllEntries | QDir::NoDotAndDotDot | QDir::Hidden)
                     .size(),
                 0);
        // The same under a folder below the link, and for a report written there.
        auto below =
            LogFolderWriter::create((planted.link + "/run1").toStdString(), "io_uring", nullptr);
        QVERIFY(!below.ok());
        AtomicWriteOptions options;
        auto report =
            writeFileAtomically((planted.link + "/r.html").toStdString(), "<html>", options);
        QVERIFY(!report.ok());
        QVERIFY2(report.error().find("uid 65534") != std::string::npos, report.error().c_str());
        QCOMPARE(QDir(planted.victim)
                     .entryList(QDir::AllEntries | QDir::NoDotAndDotDot | QDir::Hidden)
                     .size(),
                 0);
    }

    // The whole way: root's fleet run into a shared folder where another user
    // planted <shared>/<host> -> victim. The node refuses, and says why.
    void fleetRefusesPlantedHostFolder() {
        if (::geteuid() != 0) QSKIP("needs root: the planted link must belong to another user");
        PlantedLink planted;
        QVERIFY(planted.ok);
        QVERIFY(QDir().mkdir(planted.base.filePath("scratch")));
        QProcess p;
        p.start(AIOTUNE_CLI, {"fleet",
                              "--hosts",
                              "node1",
                              "--rcmd",
                              "exec",
                              "--aiotune",
                              AIOTUNE_CLI,
                              "--log_dir",
                              planted.shared,
                              "--",
                              "--nvme_dir",
                              planted.base.filePath("scratch"),
                              "--io_size",
                              "1M",
                              "--block_size",
                              "1M",
                              "--queue_depth",
                              "1",
                              "--io_parallel",
                              "1",
                              "--single_submit",
                              "false",
                              "--overlap_events",
                              "true",
                              "--search",
                              "grid",
                              "--loops",
                              "1"});
        QVERIFY(p.waitForFinished(120000));
        const QByteArray err = p.readAllStandardError();
        QCOMPARE(p.exitCode(), 1);
        QVERIFY2(err.contains("uid 65534") && err.contains("node1"), err.constData());
        QCOMPARE(QDir(planted.victim)
                     .entryList(QDir::AllEntries | QDir::NoDotAndDotDot | QDir::Hidden)
                     .size(),
                 0);
    }

    // The rule, not a ban on links: one owned by this user (or by the folder's
    // owner) is followed, as the kernel's protected_symlinks does.
    void ownLinkIsFollowed() {
        QTemporaryDir tmp;
        const QString shared = tmp.filePath("shared"), real = tmp.filePath("real");
        QVERIFY(QDir().mkdir(shared) && QDir().mkdir(real));
        QVERIFY(::chmod(shared.toLocal8Bit(), 01777) == 0);
        QVERIFY(::symlink(real.toLocal8Bit(), (shared + "/mine").toLocal8Bit()) == 0);
        auto resolved = resolveTrustedPath((shared + "/mine/logs/").toStdString());
        QVERIFY2(resolved.ok(), resolved.error().c_str());
        QCOMPARE(QString::fromStdString(resolved->string()), QDir(real).canonicalPath() + "/logs");
        auto w = LogFolderWriter::create((shared + "/mine").toStdString(), "io_uring", nullptr);
        QVERIFY2(w.ok(), w.error().c_str());
        QVERIFY(QFile::exists(real + "/sweep.json"));
    }

    void plantedSubfolderLinkIsRefused() {
        if (::geteuid() != 0) QSKIP("needs root: the planted link must belong to another user");
        PlantedLink planted(QString::fromLatin1(kReadLogDir.data(), int(kReadLogDir.size())));
        QVERIFY(planted.ok);
        // A file in the victim's folder named like a killed writer's temporary:
        // the cleanup must not reach it through the link.
        const QString bait = planted.victim + "/.data.aiotune-0123456789abcdef.tmp";
        QVERIFY(writeFile(bait, "precious"));
        auto w = LogFolderWriter::create(planted.shared.toStdString(), "io_uring", nullptr);
        QVERIFY(!w.ok());
        QVERIFY2(w.error().find("_aio_bench_read_logs") != std::string::npos, w.error().c_str());
        QVERIFY2(w.error().find("uid 65534") != std::string::npos, w.error().c_str());
        QCOMPARE(
            QDir(planted.victim).entryList(QDir::AllEntries | QDir::NoDotAndDotDot | QDir::Hidden),
            QStringList{".data.aiotune-0123456789abcdef.tmp"});
        QCOMPARE(readFile(bait), QByteArray("precious"));
    }

    // _aio_bench_logs, the default log folder, planted in the working folder.
    void sweepRefusesPlantedDefaultLogFolder() {
        if (::geteuid() != 0) QSKIP("needs root: the planted link must belong to another user");
        PlantedLink planted("_aio_bench_logs");
        QVERIFY(planted.ok);
        const Run r = runShell(
            "cd '" + planted.shared + "' && \"$AIOTUNE\" sweep --nvme_dir '" + planted.base.path() +
            "' --io_size 1M --block_size 1M --queue_depth 1 "
            "--io_parallel 1 --single_submit false --overlap_events true --search grid --loops 1");
        QVERIFY2(r.code != 0, r.err.constData());
        QVERIFY2(r.err.contains("_aio_bench_logs") && r.err.contains("uid 65534"),
                 r.err.constData());
        QCOMPARE(QDir(planted.victim)
                     .entryList(QDir::AllEntries | QDir::NoDotAndDotDot | QDir::Hidden)
                     .size(),
                 0);
    }

    // --- 11: a failed sweep leaves the user's link -----------------------------

    void failedSweepKeepsDanglingLink_data() {
        QTest::addColumn<bool>("loop");
        QTest::addRow("dangling") << false;
        QTest::addRow("loop") << true;
    }
    void failedSweepKeepsDanglingLink() {
        QFETCH(bool, loop);
        QTemporaryDir tmp;
        const QString link = tmp.filePath("logs");
        QVERIFY(::symlink(loop ? link.toLocal8Bit().constData() : "/nonexistent/aiotune-target",
                          link.toLocal8Bit()) == 0);
        SweepSpec spec;
        spec.folders = {tmp.path().toStdString()};
        spec.blockSizes = {1 << 20};
        spec.queueDepths = {1};
        spec.threads = {1};
        spec.ioSize = 1 << 20;
        SweepRunner runner(spec, EngineKind::Portable);
        runner.setLogFolder(link.toStdString());
        auto r = runner.run();
        QVERIFY(!r.ok());
        QVERIFY2(r.error().find(link.toStdString()) != std::string::npos, r.error().c_str());
        QVERIFY2(r.error().find(loop ? "loop" : "points nowhere") != std::string::npos,
                 r.error().c_str());
        struct stat st {};
        QVERIFY2(::lstat(link.toLocal8Bit(), &st) == 0 && S_ISLNK(st.st_mode),
                 "the user's link is gone");
    }

    // --- 3: names cannot add lines to a log ------------------------------------

    void folderNameCannotInjectFigures() {
        const std::string evil =
            "d\nE2E Read Speed = 9999 GB/sec\nE2E Write Speed = 9999 GB/sec\r\x1b";
        ConfigResult c;
        c.key = key(1 << 20, 8, 1);
        c.samples = {sample(IoOp::Read, 0, 3.25, evil)};
        c.samples[0].error.clear();
        c.recompute();
        const std::string text =
            LogFolderWriter::deepSpeedLogText(c, IoOp::Read, "io_uring\nE2E Read Speed = 1 GB/sec");
        QVERIFY2(text.find("\nE2E Read Speed = 9999") == std::string::npos, text.c_str());
        QVERIFY2(text.find("\nE2E Read Speed = 1 ") == std::string::npos, text.c_str());
        // The name is still there, escaped as Python's repr does.
        QVERIFY2(
            text.find(
                "'d\\nE2E Read Speed = 9999 GB/sec\\nE2E Write Speed = 9999 GB/sec\\r\\x1b:0'") !=
                std::string::npos,
            text.c_str());
        const LogFileFigures f = LogFolderReader::parseBody(text, IoOp::Read);
        QVERIFY(f.e2eGiBps.has_value());
        QCOMPARE(*f.e2eGiBps, 3.25);
    }

    // The whole way: a sweep into such a folder, sweep.json removed, analyze
    // reads the DeepSpeed logs and finds the real figures only.
    void injectedFolderNameThroughAnalyze() {
        QTemporaryDir tmp;
        const QString folder =
            tmp.filePath("d\nE2E Read Speed = 9999 GB/sec\nE2E Write Speed = 9999 GB/sec");
        ResultSet header;
        header.engine = "io_uring";
        auto w = LogFolderWriter::create(folder.toStdString(), header);
        QVERIFY(w.ok());
        QVERIFY(w->add(key(1 << 20, 8, 1), {sample(IoOp::Read, 0, 3.5, folder.toStdString()),
                                            sample(IoOp::Write, 0, 2.5, folder.toStdString())}));
        QVERIFY(w->finish(SweepStatus::Finished).ok());
        QVERIFY(QFile::remove(folder + "/sweep.json"));
        const Run r = runCli({"analyze", "--log_dir", folder, "--json"});
        QVERIFY2(r.code == 0, r.err.constData());
        QVERIFY2(r.out.contains("\"read\": 3.5") && r.out.contains("\"write\": 2.5"),
                 r.out.constData());
        QVERIFY(!r.out.contains("9999"));
    }

    // An echoed line that merely starts like a metric is no figure.
    void onlyRealMetricLinesCount() {
        const LogFileFigures f = LogFolderReader::parseBody(
            "E2E Read Speed = 9999 GB/sec from folder x\nE2E Read Speed = 3.5 GB/sec\n",
            IoOp::Read);
        QVERIFY(!f.e2eGiBps.has_value());
        QVERIFY2(f.speedProblem.find("not a metric line") != std::string::npos,
                 f.speedProblem.c_str());
    }

    // --- 7: numbers as strictly as Python's float() ----------------------------

    void logNumbersAreStrict_data() {
        QTest::addColumn<QString>("figure");
        QTest::addColumn<double>("value"); // < 0: skipped
        QTest::addColumn<QString>("reason");
        QTest::addRow("plain") << "3.5" << 3.5 << "";
        QTest::addRow("plus sign") << "+4" << 4.0 << "";
        QTest::addRow("exponent") << "1.5e1" << 15.0 << "";
        QTest::addRow("hex") << "0x10" << -1.0 << "\"0x10\" is not a number";
        QTest::addRow("two points") << "1.5.5" << -1.0 << "\"1.5.5\" is not a number";
        QTest::addRow("junk") << "2.5junk" << -1.0 << "\"2.5junk\" is not a number";
        QTest::addRow("nan") << "nan" << -1.0 << "is not a number (nan)";
        QTest::addRow("negative") << "-3" << -1.0 << "is negative";
        QTest::addRow("inf") << "inf" << -1.0 << "is infinite";
        QTest::addRow("overflow") << "1e400" << -1.0 << "is infinite";
        QTest::addRow("zero") << "0" << -1.0 << "is zero";
        QTest::addRow("huge") << "1e308" << -1.0 << "beyond any real machine";
        QTest::addRow("fullwidth") << QString::fromUtf8("\xef\xbc\x93") << -1.0 << "non-ASCII";
        QTest::addRow("underscores") << "1_000" << -1.0 << "groups its digits";
    }
    void logNumbersAreStrict() {
        QFETCH(QString, figure);
        QFETCH(double, value);
        QFETCH(QString, reason);
        const std::string body = "E2E Read Speed = " + figure.toStdString() + " GB/sec\n";
        const LogFileFigures f = LogFolderReader::parseBody(body, IoOp::Read);
        if (value >= 0) {
            QVERIFY2(f.e2eGiBps.has_value(), f.speedProblem.c_str());
            QCOMPARE(*f.e2eGiBps, value);
            return;
        }
        QVERIFY(!f.e2eGiBps.has_value());
        QVERIFY2(f.speedProblem.find(reason.toStdString()) != std::string::npos,
                 f.speedProblem.c_str());
        // The reader gives that reason, not "has no E2E Read Speed line".
        QTemporaryDir tmp;
        QVERIFY(QDir(tmp.path()).mkdir("_aio_bench_read_logs"));
        QVERIFY(
            writeFile(tmp.filePath("_aio_bench_read_logs/read_block_overlap_ftd1_d8_bs1M_p1.txt"),
                      QByteArray::fromStdString(body)));
        QVERIFY(
            writeFile(tmp.filePath("_aio_bench_read_logs/read_block_overlap_ftd1_d16_bs1M_p1.txt"),
                      "E2E Read Speed = 2.0 GB/sec\n"));
        auto rs = LogFolderReader().readDeepSpeedLogs(tmp.path().toStdString());
        QVERIFY2(rs.ok(), rs.error().c_str());
        QCOMPARE(rs->skipped.size(), std::size_t(1));
        QVERIFY2(rs->skipped[0].reason.find(reason.toStdString()) != std::string::npos,
                 rs->skipped[0].reason.c_str());
    }

    void pythonFloatSyntax() {
        QCOMPARE(*parsePythonFloat("-.5"), -0.5);
        QCOMPARE(*parsePythonFloat("5."), 5.0);
        QVERIFY(std::isinf(*parsePythonFloat("-Infinity")));
        QVERIFY(!parsePythonFloat("").ok());
        QVERIFY(!parsePythonFloat(".").ok());
        QVERIFY(!parsePythonFloat("1e").ok());
        QVERIFY(!parsePythonFloat("++1").ok());
    }

    // --- 4: control characters in names ----------------------------------------

    void printableNameEscapesControls() {
        const std::string evil = "\x1b]0;PWNED\a\x1b[31mnode9\n\xc2\x9b"
                                 "2J";
        const std::string shown = printableName(evil);
        for (const char c : shown)
            QVERIFY2(static_cast<unsigned char>(c) >= 0x20 && c != 0x7f, shown.c_str());
        QVERIFY2(shown.find("node9") != std::string::npos, shown.c_str());
        QCOMPARE(shown, std::string("\\x1b]0;PWNED\\x07\\x1b[31mnode9\\n\\u009b2J"));
        // The status line redraw aiotune writes itself passes the message filter.
        ControlEscaper messages;
        std::string out;
        for (const char c : std::string("\r\033[K[1/2] ok\n\x1b[31m"))
            messages.feed(c, out);
        messages.finish(out);
        QCOMPARE(out, std::string("\r\033[K[1/2] ok\n\\x1b[31m"));
    }

    // analyze of a fleet folder whose host folder is named with escapes.
    void analyzePrintsEscapedHostNames() {
        QTemporaryDir tmp;
        const QString evil = QString::fromLatin1("\x1b]0;PWNED\a\x1b[31mnode9");
        QVERIFY(writeSweep(tmp.filePath(evil), 2, 1, evil.toStdString()));
        QVERIFY(writeSweep(tmp.filePath("node1"), 2, 1));
        for (const QStringList& args :
             {QStringList{"analyze", "--log_dir", tmp.path()},
              QStringList{"report", "--log_dir", tmp.path(), "-o", tmp.filePath("r.html")}}) {
            const Run r = runCli(args);
            QVERIFY2(!r.out.contains('\x1b') && !r.err.contains('\x1b') && !r.err.contains('\a'),
                     (r.out + r.err).toHex().constData());
            QVERIFY2((r.out + r.err).contains("\\x1b]0;PWNED"), (r.out + r.err).constData());
        }
    }

    // --- 21: report on a fleet's folder gives the fleet answer ---------------

    void reportOnFleetFolderSaysSo() {
        QTemporaryDir tmp;
        QVERIFY(writeSweep(tmp.filePath("node1"), 2, 1));
        QVERIFY(writeSweep(tmp.filePath("node2"), 2, 1, "node2"));
        const Run r = runCli({"report", "--log_dir", tmp.path(), "-o", tmp.filePath("r.html")});
        QCOMPARE(r.code, 0);
        QVERIFY2(r.out.contains("fleet of 2 host(s)"), r.out.constData());
        QFile page(tmp.filePath("r.html"));
        QVERIFY(page.open(QIODevice::ReadOnly));
        QVERIFY(page.readAll().contains("<h2>Fleet answer</h2>"));
    }

    // --- 6: output that cannot be written is an error --------------------------

    void outputToFullDiskFails_data() {
        QTest::addColumn<QStringList>("args");
        QTest::addRow("analyze") << QStringList{"analyze", "--log_dir", "LOGS"};
        QTest::addRow("analyze json") << QStringList{"analyze", "--log_dir", "LOGS", "--json"};
        QTest::addRow("export") << QStringList{"export", "--log_dir", "LOGS"};
        QTest::addRow("replay json") << QStringList{"sweep", "--replay", "LOGS", "--json"};
        QTest::addRow("version") << QStringList{"--version"};
    }
    void outputToFullDiskFails() {
        QFETCH(QStringList, args);
        QTemporaryDir tmp;
        QVERIFY(writeSweep(tmp.path(), 3, 3));
        args.replaceInStrings("LOGS", tmp.path());
        const Run ok = runCli(args);
        QVERIFY2(!ok.out.isEmpty() && !ok.err.contains("standard output"), ok.err.constData());
        const Run full = runCli(args, "/dev/full");
        QCOMPARE(full.code, 1);
        QVERIFY2(full.err.contains("could not be written to standard output"),
                 full.err.constData());
        QVERIFY2(full.err.contains("No space left on device"), full.err.constData());
        QString line = "\"$AIOTUNE\"";
        for (const QString& a : args)
            line += " '" + a + "'";
        const Run closed = runShell(line + " >&-");
        QCOMPARE(closed.code, 1);
        QVERIFY2(closed.err.contains("it is closed"), closed.err.constData());
    }

    // --- 8: one path rule, trailing slashes included ------------------------

    void trailingSlashDoesNotBypassLinkRefusal() {
        QTemporaryDir tmp;
        const QString real = tmp.filePath("real"), link = tmp.filePath("link");
        QVERIFY(QDir().mkdir(real));
        QVERIFY(::symlink(real.toLocal8Bit(), link.toLocal8Bit()) == 0);
        for (const QString& given : {link, link + "/", link + "//"}) {
            auto ok = checkScratchFolder(given.toStdString());
            QVERIFY2(!ok.ok(), qPrintable(given));
            QVERIFY2(ok.error().find("symbolic link") != std::string::npos, ok.error().c_str());
            const FolderTarget t = inspectFolder(given.toStdString(), DiscoveryReport{});
            QVERIFY(t.isSymlink);
        }
        const Run io = runCli({"io", "--folder", link + "/", "--io_size", "1M"});
        QCOMPARE(io.code, 1);
        QVERIFY2(io.err.contains("symbolic link"), io.err.constData());
    }

    // --- 12: no command writes into the folder it reads --------------------

    void exportRefusesToWriteIntoItsInput_data() {
        QTest::addColumn<QString>("flag");
        QTest::addColumn<QString>("file");
        QTest::addRow("output sweep.json") << "--output"
                                           << "sweep.json";
        QTest::addRow("csv in read logs") << "--csv"
                                          << "_aio_bench_read_logs/x.txt";
        QTest::addRow("csv sweep.json") << "--csv"
                                        << "sweep.json";
    }
    void exportRefusesToWriteIntoItsInput() {
        QFETCH(QString, flag);
        QFETCH(QString, file);
        QTemporaryDir tmp;
        QVERIFY(writeSweep(tmp.path(), 2, 1));
        const QByteArray before = readFile(tmp.filePath("sweep.json"));
        const Run r =
            runCli({"export", "--log_dir", tmp.path(), flag, tmp.filePath(file), "--force"});
        QCOMPARE(r.code, 1);
        QVERIFY2(r.err.contains(flag.toUtf8()) && r.err.contains(tmp.filePath(file).toUtf8()),
                 r.err.constData());
        QCOMPARE(readFile(tmp.filePath("sweep.json")), before);
        QVERIFY(!QFile::exists(tmp.filePath("_aio_bench_read_logs/x.txt")));
    }

    // --- 13, 14, 18: temporaries and backups ----------------------------------

    // A killed writer's temporary goes with the next write of that file; a
    // live writer's (this process) and another host's stay.
    void onlyStaleTemporariesAreRemoved() {
        QTemporaryDir tmp;
        const std::string host = thisHostName();
        const QString dead =
            QString::fromStdString(".out.json.aiotune-" + host + "-" + std::to_string(deadPid()) +
                                   "-0123456789abcdef.tmp");
        const QString live =
            QString::fromStdString(".out.json.aiotune-" + host + "-" + std::to_string(::getpid()) +
                                   "-0123456789abcdef.tmp");
        const QString other = ".out.json.aiotune-some-other-host-1-0123456789abcdef.tmp";
        for (const QString& name : {dead, live, other})
            QVERIFY(writeFile(tmp.filePath(name), "{\"half"));
        AtomicWriteOptions options;
        options.existing = ExistingFilePolicy::ReplaceKeepBackup;
        QVERIFY(writeFileAtomically(tmp.filePath("out.json").toStdString(), "{}", options).ok());
        QVERIFY(!QFile::exists(tmp.filePath(dead)));
        QVERIFY(QFile::exists(tmp.filePath(live)));
        QVERIFY(QFile::exists(tmp.filePath(other)));
        QCOMPARE(atomicWriteTempOwner(other.toStdString())->host, std::string("some-other-host"));
        QCOMPARE(atomicWriteTempOwner(other.toStdString())->pid, pid_t(1));
        // A sweep creating its log folder spares the live one as well (issue 14).
        QTemporaryDir logs;
        QVERIFY(writeFile(logs.filePath(live), "<html>"));
        QVERIFY(writeFile(logs.filePath(dead), "<html>"));
        QVERIFY(LogFolderWriter::create(logs.path().toStdString(), "io_uring", nullptr).ok());
        QVERIFY(QFile::exists(logs.filePath(live)));
        QVERIFY(!QFile::exists(logs.filePath(dead)));
    }

    // A backup is complete once it has its name, and no temporary is left.
    void backupIsCompleteAndAlone() {
        QTemporaryDir tmp;
        const QByteArray original(200000, 'x');
        QVERIFY(writeFile(tmp.filePath("c.json"), original));
        AtomicWriteOptions options;
        options.existing = ExistingFilePolicy::ReplaceKeepBackup;
        auto r = writeFileAtomically(tmp.filePath("c.json").toStdString(), "{}", options);
        QVERIFY2(r.ok(), r.error().c_str());
        QVERIFY(r->backup.has_value());
        QCOMPARE(readFile(QString::fromStdString(r->backup->string())), original);
        QCOMPARE(QDir(tmp.path()).entryList(QDir::Files | QDir::Hidden).size(), 2);
    }

    void backupKeepsOwnerAndMode() {
        if (::geteuid() != 0) QSKIP("needs root: the config must belong to another user");
        QTemporaryDir tmp;
        const QString config = tmp.filePath("ds.json");
        QVERIFY(writeFile(config, "{\"train_batch_size\": 8}"));
        QVERIFY(::chown(config.toLocal8Bit(), kNobody, kNobody) == 0);
        QVERIFY(::chmod(config.toLocal8Bit(), 0604) == 0);
        AtomicWriteOptions options;
        options.existing = ExistingFilePolicy::ReplaceKeepBackup;
        auto r = writeFileAtomically(config.toStdString(), "{\"train_batch_size\": 16}", options);
        QVERIFY2(r.ok(), r.error().c_str());
        for (const std::string& file : {config.toStdString(), r->backup->string()}) {
            struct stat st {};
            QVERIFY(::stat(file.c_str(), &st) == 0);
            QCOMPARE(st.st_uid, kNobody);
            QCOMPARE(st.st_gid, gid_t(kNobody));
            QCOMPARE(st.st_mode & 07777, mode_t(0604));
        }
    }

    // --- 5, 17: figures in sweep.json ----------------------------------------

    void sweepFileRefusesImpossibleFigures_data() {
        QTest::addColumn<QString>("gibps");
        QTest::addColumn<QString>("reason");
        QTest::addRow("1e308") << "1e308"
                               << "beyond any real machine";
        QTest::addRow("negative") << "-2.5"
                                  << "is negative";
        QTest::addRow("zero") << "0"
                              << "is zero";
        QTest::addRow("missing") << ""
                                 << "has no \"gibps\"";
        QTest::addRow("null") << "null"
                              << "has no \"gibps\"";
    }
    void sweepFileRefusesImpossibleFigures() {
        QFETCH(QString, gibps);
        QFETCH(QString, reason);
        QTemporaryDir tmp;
        QVERIFY(writeSweep(tmp.path(), 3, 2));
        auto doc = nlohmann::json::parse(readFile(tmp.filePath("sweep.json")).toStdString());
        for (auto& c : doc["configs"])
            for (auto& s : c["samples"]) {
                if (gibps.isEmpty())
                    s.erase("gibps");
                else
                    s["gibps"] = nlohmann::json::parse(gibps.toStdString());
            }
        QVERIFY(writeFile(tmp.filePath("sweep.json"), QByteArray::fromStdString(doc.dump())));
        auto parsed = parseSweepFileText(doc.dump(), tmp.filePath("sweep.json").toStdString());
        QVERIFY(!parsed.ok());
        QVERIFY2(parsed.error().find(reason.toStdString()) != std::string::npos,
                 parsed.error().c_str());
        QVERIFY2(parsed.error().find(tmp.filePath("sweep.json").toStdString()) != std::string::npos,
                 parsed.error().c_str());
        // Replay refuses with that reason (and does not crash, as it did on 1e308).
        const Run replay = runCli({"sweep", "--replay", tmp.path(), "--json"});
        QCOMPARE(replay.code, 1);
        QVERIFY2(replay.err.contains(reason.toUtf8()), replay.err.constData());
        // analyze reads the DeepSpeed logs beside it and says why sweep.json was skipped.
        const Run analyze = runCli({"analyze", "--log_dir", tmp.path()});
        QVERIFY2(analyze.err.contains(reason.toUtf8()), analyze.err.constData());
        QVERIFY(!analyze.out.contains("inf") && !analyze.out.contains("nan"));
    }

    void unknownConfigurationKeyIsListedAsSkipped() {
        QTemporaryDir tmp;
        QVERIFY(writeSweep(tmp.path(), 4, 2));
        auto doc = nlohmann::json::parse(readFile(tmp.filePath("sweep.json")).toStdString());
        doc["configs"][1]["key"] = {{"foo", 1}};
        auto parsed = parseSweepFileText(doc.dump(), "sweep.json");
        QVERIFY2(parsed.ok(), parsed.error().c_str());
        QCOMPARE(parsed->configs.size(), std::size_t(3));
        QCOMPARE(parsed->skipped.size(), std::size_t(1));
        QVERIFY2(parsed->skipped[0].reason.find("unknown field \"foo\"") != std::string::npos,
                 parsed->skipped[0].reason.c_str());
        QCOMPARE(parsed->skipped[0].file, std::string("sweep.json configs[1]"));
        // A repeated configuration is listed too, not merged silently.
        doc["configs"][1] = doc["configs"][0];
        auto repeated = parseSweepFileText(doc.dump(), "sweep.json");
        QVERIFY(repeated.ok());
        QCOMPARE(repeated->configs.size(), std::size_t(3));
        QVERIFY(repeated->skipped[0].reason.find("repeats") != std::string::npos);
    }

    // --- 10: replay stops when asked, and reads large sets in linear time -----

    void replayStopsWhenCancelled() {
        QTemporaryDir tmp;
        QVERIFY(writeSweep(tmp.path(), 6, 3));
        std::atomic<bool> cancel{true};
        AdaptiveOptions options;
        auto r = replaySearchFolder(tmp.path().toStdString(), options, 1, &cancel);
        QVERIFY(!r.ok());
        QVERIFY2(r.error().find("interrupted") != std::string::npos, r.error().c_str());
        cancel = false;
        QVERIFY(replaySearchFolder(tmp.path().toStdString(), options, 1, &cancel).ok());
    }

    // --- 16: a transfer stopped from outside is measured again or flagged ---

    void pausedTransferIsRepeatedOrFlagged_data() {
        QTest::addColumn<int>("pausedCalls"); // how many transfers in a row "were stopped"
        QTest::addColumn<bool>("flagged");
        QTest::addRow("once") << 1 << false;
        QTest::addRow("every time") << 1000 << true;
    }
    void pausedTransferIsRepeatedOrFlagged() {
        QFETCH(int, pausedCalls);
        QFETCH(bool, flagged);
        // An engine during whose transfers the process "is continued": SIGCONT,
        // which the kernel sends after a SIGSTOP, raised here.
        struct Paused : IoEngine {
            int paused = 0, calls = 0;
            std::string name() const override { return "paused"; }
            Result<TransferResult> transfer(const TransferParams& p, const ScratchFile&,
                                            AlignedBuffer&, const std::atomic<bool>*) override {
                // The first call is the sweep's untimed priming write.
                const bool pause = ++calls >= 2 && calls < 2 + paused;
                if (pause) ::raise(SIGCONT);
                TransferResult r;
                r.bytes = p.ioSize;
                r.seconds = r.ioSeconds = pause ? 5.0 : 0.001;
                r.gibPerSec = r.ioGibPerSec = double(p.ioSize) / r.seconds / (1 << 30);
                return r;
            }
        };
        QTemporaryDir tmp;
        SweepSpec spec;
        spec.folders = {tmp.path().toStdString()};
        spec.blockSizes = {1 << 20};
        spec.queueDepths = {1};
        spec.threads = {1};
        spec.singleSubmit = {false};
        spec.overlapEvents = {true};
        spec.loops = 1;
        spec.ioSize = 1 << 20;
        spec.read = false;
        auto engine = std::make_unique<Paused>();
        engine->paused = pausedCalls;
        Paused* seen = engine.get();
        SweepRunner runner(spec);
        runner.setEngine(std::move(engine));
        auto results = runner.run();
        QVERIFY2(results.ok(), results.error().c_str());
        QCOMPARE(results->configs.size(), std::size_t(1));
        const Sample& s = results->configs[0].samples.at(0);
        QCOMPARE(seen->calls, 1 + (flagged ? 3 : 2)); // priming, then measured again after a pause
        QCOMPARE(s.notes.find("stopped from outside") != std::string::npos, flagged);
        if (!flagged) QVERIFY(s.seconds < 1.0); // the repeat's figure, not the paused one
    }

    // --- 15: memory filesystems are named, as check does --------------------

    void memoryFilesystemIsWarnedAbout() {
        if (!QFileInfo("/dev/shm").isDir()) QSKIP("no /dev/shm here");
        QCOMPARE(memoryFilesystemType("/dev/shm"), std::string("tmpfs"));
        QVERIFY(memoryFilesystemType(QDir::currentPath().toStdString()) != "ramfs");
        const std::string w = memoryFolderWarning("\"/dev/shm\"", "tmpfs");
        QVERIFY(w.find("RAM, not a drive") != std::string::npos);
        QTemporaryDir shm("/dev/shm/aiotune-test-XXXXXX");
        const Run io =
            runCli({"io", "--folder", shm.path(), "--io_size", "1M", "--block_size", "1M"});
        // Either tmpfs takes O_DIRECT (Linux 6.6+) and io warns, or io refuses it.
        if (io.code == 0)
            QVERIFY2(io.err.contains("is in memory (tmpfs)"), io.err.constData());
        else
            QVERIFY2(io.err.contains("O_DIRECT"), io.err.constData());
    }

    // --- 19: fleet checks the sweep's arguments first, and shows a node's words

    void fleetChecksSweepArgumentsBeforeLaunching() {
        QTemporaryDir tmp;
        const Run r = runCli({"fleet", "--hosts", "node1", "--rcmd", "exec", "--log_dir",
                              tmp.path(), "--", "--nvme_dir", "/local_nvme", "--block_size", "3Q"});
        QCOMPARE(r.code, 2);
        QVERIFY2(r.err.contains("3Q") && r.err.contains("before launching"), r.err.constData());
        QVERIFY2(!r.err.contains("checking 1 node"), r.err.constData());
    }

    void fleetShowsTheNodesOwnMessage() {
        FleetMonitor m({"a"});
        m.feed("a: aiotune-fleet: ready aiotune 1");
        m.beginSweep();
        m.feed("a: aiotune sweep: --nvme_dir /x: no such folder on this node");
        m.feed("a: (see 'aiotune sweep --help')");
        m.feed("pdsh@here: a: sh exited with exit code 2");
        QCOMPARE(m.nodes()[0].state, NodeState::Failed);
        QVERIFY2(m.nodes()[0].error.find("no such folder on this node") != std::string::npos,
                 m.nodes()[0].error.c_str());
    }

    // --- 21: messages --------------------------------------------------------

    void clearMessages() {
        auto big = parseDeepSpeedConfigText("{\"aio\": {\"block_size\": 1e309}}", "ds.json");
        QVERIFY(!big.ok());
        QVERIFY2(big.error().find("too large") != std::string::npos &&
                     big.error().find("json.exception") == std::string::npos,
                 big.error().c_str());
        const Run budget = runCli({"sweep", "--nvme_dir", "/tmp", "--budget", "10000000000"});
        QCOMPARE(budget.code, 2);
        QVERIFY2(budget.err.contains("largest budget"), budget.err.constData());
        // A log folder path longer than Linux takes is refused up front.
        QTemporaryDir tmp;
        QString deep = tmp.path();
        while (deep.size() < 4200)
            deep += "/" + QString(200, 'd');
        auto w = LogFolderWriter::create(deep.toStdString(), "io_uring", nullptr);
        QVERIFY(!w.ok());
        QVERIFY2(w.error().find("shorter") != std::string::npos, w.error().c_str());
    }
};

QTEST_GUILESS_MAIN(TestHostile)
#include "test_hostile.moc"
