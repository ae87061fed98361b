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
#include "report/html_escape.h"
#include "results/log_folder_reader.h"
#include "results/log_folder_writer.h"
#include "results/sweep_file.h"
#include "results/answer.h"
#include "sweep/folder_lock.h"
#include "sweep/replay.h"
#include "sweep/sweep_runner.h"
#include "util/atomic_file.h"
#include "util/json_input.h"
#include "util/printable_text.h"
#include "util/strict_number.h"
#include "util/trusted_path.h"

#include "../tools/fault_env.h"

#include <QDir>
#include <QFile>
#include <QProcess>
#include <QTemporaryDir>
#include <QJsonDocument>
#include <QJsonParseError>
#include <QtTest>

#include <cmath>
#include <csignal>
#include <fcntl.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <cstddef>
#include <sys/syscall.h>
#include <sys/prctl.h>
#include <linux/seccomp.h>
#include <linux/filter.h>
#include <sys/statvfs.h>
#include <sys/sysmacros.h>
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

// The answer a sweep stores, as the runner stores it (writeSweep's writer
// leaves it to the reader to decide).
void storeAnswer(nlohmann::json& doc) {
    if (doc.contains("answer")) return;
    auto rs = parseSweepFileText(doc.dump(), "sweep.json");
    if (!rs) qFatal("%s", rs.error().c_str());
    doc["answer"] = answerToJson(answerFor(*rs));
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

    // A log subfolder that is a link is refused whoever owns it: root
    // sweeping into a folder another user owns would trust that user's link
    // by the folder rule, and write (and clean up) where it points.
    void subfolderLinkIsRefusedWhoeverOwnsIt() {
        QTemporaryDir tmp;
        const QString logs = tmp.filePath("logs"), victim = tmp.filePath("victim");
        QVERIFY(QDir().mkdir(logs) && QDir().mkdir(victim));
        const QString bait = victim + "/.job.aiotune-" + QString::fromStdString(thisHostName()) + "-" +
                             QString::number(deadPid()) + "-0123456789abcdef.tmp";
        QVERIFY(writeFile(bait, "precious"));
        QVERIFY(::symlink(victim.toLocal8Bit(), (logs + "/" + QString::fromLatin1(kWriteLogDir.data(), int(kWriteLogDir.size()))).toLocal8Bit()) == 0);
        if (::geteuid() == 0) {
            // The folder and its link both another user's, as in a shared scratch area.
            QVERIFY(::chown(logs.toLocal8Bit(), kNobody, kNobody) == 0);
            QVERIFY(::lchown((logs + "/_aio_bench_write_logs").toLocal8Bit(), kNobody, kNobody) == 0);
        }
        auto w = LogFolderWriter::create(logs.toStdString(), "io_uring", nullptr);
        QVERIFY(!w.ok());
        QVERIFY2(w.error().find("_aio_bench_write_logs") != std::string::npos, w.error().c_str());
        QVERIFY2(w.error().find("symbolic link") != std::string::npos, w.error().c_str());
        QCOMPARE(QDir(victim).entryList(QDir::AllEntries | QDir::NoDotAndDotDot | QDir::Hidden).size(), 1);
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
        // Bytes that are not UTF-8 are escaped too (a lone 0xff, a cut
        // sequence, an overlong form, a surrogate); text that is stays.
        QCOMPARE(printableName("ff\xff" "byte"), std::string("ff\\xffbyte"));
        QCOMPARE(printableName("cut\xe2\x82"), std::string("cut\\xe2\\x82"));
        QCOMPARE(printableName("\xc0\xaf"), std::string("\\xc0\\xaf"));
        QCOMPARE(printableName("\xed\xa0\x80"), std::string("\\xed\\xa0\\x80"));
        QCOMPARE(printableName("caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80"), std::string("caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80"));
        // Characters that disguise text (a right-to-left override turned a
        // host name around, a line separator split a table row) are escaped
        // here and replaced in the report.
        QCOMPARE(printableName("rtl\xe2\x80\xae" "abc"), std::string("rtl\\u202eabc"));
        QCOMPARE(printableName("ls\xe2\x80\xa8" "x"), std::string("ls\\u2028x"));
        QCOMPARE(escapeHtml("rtl\xe2\x80\xae" "abc \xc2\x9b" "31m"), std::string("rtl\xef\xbf\xbd" "abc \xef\xbf\xbd" "31m"));
        // The message filter keeps line breaks and tabs; a carriage return and
        // "erase line" are escaped (a name's "\r\033[K" erased what came
        // before it): aiotune's own status line is written around the filter.
        ControlEscaper messages;
        std::string out;
        for (const char c : std::string("cannot use nx\r\033[Kfine\n\tnext\x1b[31m"))
            messages.feed(c, out);
        messages.finish(out);
        QCOMPARE(out, std::string("cannot use nx\\r\\x1b[Kfine\n\tnext\\x1b[31m"));
    }

    // The whole way: a folder name that would erase its message and forge an
    // error line arrives escaped on one line of standard error.
    void folderNameCannotEraseItsMessage() {
        QTemporaryDir tmp;
        const QString folder = tmp.filePath("nx\r\033[Kfine\nerror: FORGED");
        const Run r = runCli({"io", "--folder", folder, "--io_size", "1M"});
        QVERIFY(r.code > 0);
        QVERIFY2(!r.err.contains('\r') && !r.err.contains('\x1b'), r.err.constData());
        QVERIFY2(r.err.contains("nx\\r\\x1b[Kfine\\nerror: FORGED"), r.err.constData());
        QVERIFY2(!r.err.contains("\nerror: FORGED"), r.err.constData());
    }

    // --json when a name is not UTF-8 (a byte 0xff): valid JSON with U+FFFD
    // in its place, never an abort (nlohmann's dump() threw), and for export
    // a file written and a success reported together.
    void jsonOutputOfNamesThatAreNotUtf8() {
        QTemporaryDir tmp;
        QVERIFY(writeSweep(tmp.filePath("logs"), 2, 2));
        const QString dir = tmp.path();
        const Run exported = runShell("cd '" + dir + "' && \"$AIOTUNE\" export --log_dir logs --json --output \"$(printf 'bad\\377.json')\"");
        QVERIFY2(exported.code == 0, exported.err.constData());
        QJsonParseError error{};
        QJsonDocument::fromJson(exported.out, &error);
        QVERIFY2(error.error == QJsonParseError::NoError, exported.out.constData());
        QVERIFY(exported.out.contains("bad\xef\xbf\xbd.json"));
        QCOMPARE(runShell("cd '" + dir + "' && test -s \"$(printf 'bad\\377.json')\"").code, 0);
        const Run checked = runShell("cd '" + dir + "' && \"$AIOTUNE\" check --json --config \"$(printf 'no\\377.json')\"");
        QVERIFY2(checked.code == 1 || checked.code == 2, checked.err.constData()); // refused, not aborted (134)
        QJsonDocument::fromJson(checked.out, &error);
        QVERIFY2(error.error == QJsonParseError::NoError, checked.out.constData());
        // The message names the file escaped (printableName: "\xff"), JSON-quoted.
        QVERIFY2(checked.out.contains("no\\\\xff.json"), checked.out.constData());
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
        QTest::addRow("check") << QStringList{"check", "--config", "CONFIG"};
        QTest::addRow("check json") << QStringList{"check", "--config", "CONFIG", "--json"};
    }
    void outputToFullDiskFails() {
        QFETCH(QStringList, args);
        QTemporaryDir tmp, cfg;
        QVERIFY(writeSweep(tmp.path(), 3, 3));
        QVERIFY(writeFile(cfg.filePath("ds.json"), "{\"train_batch_size\": 1}"));
        args.replaceInStrings("LOGS", tmp.path());
        args.replaceInStrings("CONFIG", cfg.filePath("ds.json"));
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
        // A merge writes its --config in place (it added "aio" to sweep.json).
        QTest::addRow("config sweep.json") << "--config"
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

    // An export that is refused writes nothing: its --csv was written (and
    // with --force the old one replaced) before --output or --config failed.
    void refusedExportWritesNoCsv_data() {
        QTest::addColumn<QStringList>("args");
        QTest::addColumn<QString>("mentions");
        QTest::addRow("output exists") << QStringList{"--output", "exist.json"} << "already exists";
        QTest::addRow("config not json") << QStringList{"--config", "bad.json"} << "not valid JSON";
        QTest::addRow("config not json, forced") << QStringList{"--config", "bad.json", "--force"} << "not valid JSON";
        QTest::addRow("config read-only") << QStringList{"--config", "ro.json"} << "read-only";
        QTest::addRow("output folder missing") << QStringList{"--output", "nowhere/out.json"} << "does not exist";
    }
    void refusedExportWritesNoCsv() {
        QFETCH(QStringList, args);
        QFETCH(QString, mentions);
        QTemporaryDir tmp;
        QVERIFY(writeSweep(tmp.filePath("logs"), 2, 2));
        QVERIFY(writeFile(tmp.filePath("exist.json"), "{}"));
        QVERIFY(writeFile(tmp.filePath("bad.json"), "{bad"));
        QVERIFY(writeFile(tmp.filePath("old.csv"), "mine"));
        QVERIFY(writeFile(tmp.filePath("ro.json"), "{\"train_batch_size\": 1}"));
        QVERIFY(::chmod(tmp.filePath("ro.json").toLocal8Bit(), 0444) == 0);
        QStringList full{"export", "--log_dir", tmp.filePath("logs"), "--csv", tmp.filePath("old.csv")};
        for (const QString& a : args) full << (a.endsWith(".json") ? tmp.filePath(a) : a);
        if (!args.contains("--force")) full[4] = tmp.filePath("new.csv");
        const Run r = runCli(full);
        QCOMPARE(r.code, 1);
        QVERIFY2(r.err.contains(mentions.toUtf8()), r.err.constData());
        QVERIFY(!QFile::exists(tmp.filePath("new.csv")));
        QCOMPARE(readFile(tmp.filePath("old.csv")), QByteArray("mine"));
        QVERIFY(!QFile::exists(tmp.filePath("old.csv.bak")));
        QCOMPARE(readFile(tmp.filePath("exist.json")), QByteArray("{}"));
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

    // Only aiotune's own names, and only this user's files: a user's
    // ".plan.aiotune-draft.tmp" stays, and in a shared folder another user's
    // file named like a killed writer's temporary stays too.
    void cleanupSparesOthersAndLookalikes() {
        QTemporaryDir tmp;
        const std::string dead = thisHostName() + "-" + std::to_string(deadPid()) + "-0123456789abcdef";
        const QString lookalike = ".plan.aiotune-draft.tmp";
        const QString older = ".sweep.json.aiotune-0123456789abcdef.tmp"; // an older aiotune's, this user's
        const QString others = QString::fromStdString(".report.aiotune-" + dead + ".tmp");
        for (const QString& name : {lookalike, older, others})
            QVERIFY(writeFile(tmp.filePath(name), "x"));
        QVERIFY(!atomicWriteTempOwner(lookalike.toStdString()));
        const bool root = ::geteuid() == 0;
        if (root) QVERIFY(::chown(tmp.filePath(others).toLocal8Bit(), kNobody, kNobody) == 0);
        QVERIFY(LogFolderWriter::create(tmp.path().toStdString(), "io_uring", nullptr).ok());
        QVERIFY(QFile::exists(tmp.filePath(lookalike)));
        QVERIFY(!QFile::exists(tmp.filePath(older)));
        // Not root: the file is this user's and stale, so it goes.
        QCOMPARE(QFile::exists(tmp.filePath(others)), root);
    }

    // Two folders that do not exist: named, not a crash (std::filesystem::equivalent threw).
    void sweepOfMissingFoldersSaysSo() {
        QTemporaryDir tmp;
        const Run r = runCli({"sweep", "--nvme_dir", tmp.filePath("nx1") + "," + tmp.filePath("nx2"),
                              "--io_size", "1M", "--block_size", "1M", "--queue_depth", "1",
                              "--io_parallel", "1", "--log_dir", tmp.filePath("logs")});
        QVERIFY2(r.code > 0, r.err.constData()); // -1: it crashed
        QVERIFY2(r.err.contains("nx1"), r.err.constData());
        QVERIFY(!r.err.contains("terminate"));
    }

    // A writer killed mid-write leaves no temporary behind: it has no name
    // until its bytes are written (O_TMPFILE). A named one stayed, full
    // size, until the next write of that file. The child is killed at a fixed
    // point: its file-size limit (SIGXFSZ) stops it 1 MiB into 8 MiB.
    void killedWriterLeavesNoTemporary() {
        QTemporaryDir tmp;
        const std::string target = tmp.filePath("report.html").toStdString();
        const pid_t child = ::fork();
        if (child == 0) {
            const rlimit limit{1 << 20, 1 << 20};
            ::setrlimit(RLIMIT_FSIZE, &limit);
            ::signal(SIGXFSZ, SIG_DFL);
            AtomicWriteOptions options;
            writeFileAtomically(target, std::string(8 << 20, 'x'), options);
            ::_exit(0);
        }
        QVERIFY(child > 0);
        int status = 0;
        QVERIFY(::waitpid(child, &status, 0) == child);
        QVERIFY2(WIFSIGNALED(status) && WTERMSIG(status) == SIGXFSZ, "the writer was not stopped mid-write");
        QCOMPARE(aiotune::testing::entriesOf(tmp.path()), QStringList());
    }

    // Where a nameless temporary cannot be named (no /proc, and linkat's
    // AT_EMPTY_PATH needing a capability before Linux 6.10), the file is
    // written again under a name: the write still succeeds, whole. Here a
    // seccomp filter makes every linkat fail with EPERM in a child.
    void unnamableTemporaryFallsBackToANamedOne() {
        QTemporaryDir tmp;
        const std::string target = tmp.filePath("out.json").toStdString();
        const pid_t child = ::fork();
        if (child == 0) {
            sock_filter filter[] = {
                BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(seccomp_data, nr)),
                BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, __NR_linkat, 0, 1),
                BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ERRNO | EPERM),
                BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
            };
            sock_fprog prog{static_cast<unsigned short>(sizeof filter / sizeof filter[0]), filter};
            if (::prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0 ||
                ::prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, &prog) != 0)
                ::_exit(3);
            AtomicWriteOptions options;
            options.existing = ExistingFilePolicy::Replace;
            ::_exit(writeFileAtomically(target, "{\"whole\": true}\n", options).ok() ? 0 : 1);
        }
        int status = 0;
        QVERIFY(::waitpid(child, &status, 0) == child);
        QVERIFY(WIFEXITED(status));
        if (WEXITSTATUS(status) == 3) QSKIP("seccomp is not available here");
        QCOMPARE(WEXITSTATUS(status), 0);
        QCOMPARE(readFile(QString::fromStdString(target)), QByteArray("{\"whole\": true}\n"));
        QCOMPARE(aiotune::testing::entriesOf(tmp.path()), QStringList{"out.json"});
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

    // A key given twice in one object of sweep.json (a second "gibps" of
    // 1000) is refused with the key named: nlohmann kept the last one, which
    // then won.
    void duplicateKeyInSweepFileIsRefused() {
        QTemporaryDir tmp;
        QVERIFY(writeSweep(tmp.path(), 2, 2));
        QByteArray text = readFile(tmp.filePath("sweep.json"));
        const int at = text.indexOf("\"gibps\"");
        QVERIFY(at > 0);
        text.insert(at, "\"gibps\": 1000, ");
        auto parsed = parseSweepFileText(text.toStdString(), "sweep.json");
        QVERIFY(!parsed.ok());
        QVERIFY2(parsed.error().find("\"gibps\" appears twice") != std::string::npos, parsed.error().c_str());
        // An object of many keys is checked as fast (hashed past a few).
        std::string many = "{";
        for (int i = 0; i < 200000; ++i) many += (i ? ",\"k" : "\"k") + std::to_string(i) + "\":0";
        many += ",\"k7\":1}";
        auto big = parseJsonText(many, "many.json");
        QVERIFY(!big.ok());
        QVERIFY2(big.error().find("\"k7\" appears twice") != std::string::npos, big.error().c_str());
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

    // A configuration outside the aio limits (a block of 3 bytes, a million
    // threads) is skipped with its reason, never ranked: it won and export
    // printed it on standard output with status 0.
    void impossibleSettingIsSkippedNotRanked() {
        QTemporaryDir tmp;
        QVERIFY(writeSweep(tmp.path(), 4, 2));
        auto doc = nlohmann::json::parse(readFile(tmp.filePath("sweep.json")).toStdString());
        doc["configs"][1]["key"]["block_size"] = 3;
        doc["configs"][2]["key"]["intra_op_parallelism"] = 1000000;
        for (auto& s : doc["configs"][1]["samples"]) s["gibps"] = 900.0; // would win
        doc.erase("answer");
        QVERIFY(writeFile(tmp.filePath("sweep.json"), QByteArray::fromStdString(doc.dump())));
        auto parsed = parseSweepFileText(doc.dump(), "sweep.json");
        QVERIFY2(parsed.ok(), parsed.error().c_str());
        QCOMPARE(parsed->configs.size(), std::size_t(2));
        QCOMPARE(parsed->skipped.size(), std::size_t(2));
        for (const auto& skipped : parsed->skipped)
            QVERIFY2(skipped.reason.find("names a setting aiotune will not export") != std::string::npos,
                     skipped.reason.c_str());
        const Run exported = runCli({"export", "--log_dir", tmp.path()});
        QVERIFY2(exported.code == 0, exported.err.constData());
        QVERIFY2(!exported.out.contains("\"block_size\": 3,") && !exported.out.contains("1000000"),
                 exported.out.constData());
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
    // === A second round (issue 17, "Done when"): the same classes against
    // what landed since: the stored answer, the event stream, check's
    // version-aware rules and new messages, the folder lock. ===

    // The answer sweep.json stores is read like every other figure: one an
    // edited file makes absurd (huge, negative, a float where a count stands,
    // the wrong type, nested) is refused with its reason and decided again
    // from the samples, so no reader shows "inf" or a count that wrapped.
    void storedAnswerIsCheckedWhereRead_data() {
        QTest::addColumn<QString>("field"); // a JSON pointer into "answer"
        QTest::addColumn<QString>("value"); // JSON
        QTest::addColumn<QString>("reason");
        QTest::addRow("gibps huge") << "/gibps" << "1e308" << "\"gibps\"";
        QTest::addRow("gibps negative") << "/gibps" << "-4" << "\"gibps\"";
        QTest::addRow("visits float") << "/visits" << "1e300" << "\"visits\" must be a whole number";
        QTest::addRow("visits negative") << "/visits" << "-5" << "\"visits\" must be a whole number";
        QTest::addRow("transfers fraction") << "/transfers" << "2.5" << "\"transfers\"";
        QTest::addRow("measured beyond configurations") << "/measured" << "99999" << "\"measured\" is beyond";
        QTest::addRow("tolerance negative") << "/tolerance" << "-1" << "\"tolerance\"";
        QTest::addRow("interval reversed") << "/interval_gibps" << "[9, 1]" << "\"interval_gibps\"";
        QTest::addRow("interval huge") << "/interval_gibps" << "[1, 1e308]" << "\"high\"";
        QTest::addRow("confidence unknown") << "/confidence" << "\"certain\"" << "\"confidence\"";
        QTest::addRow("possible gain huge negative") << "/possible_gain" << "-1e308" << "\"possible_gain\"";
        QTest::addRow("config gibps a string") << "/configs/0/gibps" << "\"fast\"" << "\"gibps\" must be a number";
        QTest::addRow("config visits an object") << "/configs/0/visits" << "{\"n\": 1}" << "\"visits\"";
        QTest::addRow("answer an array") << "" << "[1, 2]" << "\"answer\" must be an object";
        QTest::addRow("answer nested deep") << "/tied" << QString("[").repeated(90) + QString("]").repeated(90)
                                            << "\"answer\" is damaged";
    }
    void storedAnswerIsCheckedWhereRead() {
        QFETCH(QString, field);
        QFETCH(QString, value);
        QFETCH(QString, reason);
        QTemporaryDir tmp;
        QVERIFY(writeSweep(tmp.path(), 4, 3));
        auto doc = nlohmann::json::parse(readFile(tmp.filePath("sweep.json")).toStdString());
        storeAnswer(doc);
        // Stored as trusted (its digest matches its samples) before the edit.
        auto before = parseSweepFileText(doc.dump(), "sweep.json");
        QVERIFY(before.ok() && before->answer);
        const Answer decided = answerFor(*before);
        doc["answer"][nlohmann::json::json_pointer(field.toStdString())] =
            nlohmann::json::parse(value.toStdString());
        QVERIFY(writeFile(tmp.filePath("sweep.json"), QByteArray::fromStdString(doc.dump())));
        auto parsed = parseSweepFileText(doc.dump(), "sweep.json");
        QVERIFY2(parsed.ok(), parsed.error().c_str());
        QVERIFY(!parsed->answer);
        QVERIFY(!parsed->skipped.empty());
        QVERIFY2(parsed->skipped.back().reason.find(reason.toStdString()) != std::string::npos,
                 parsed->skipped.back().reason.c_str());
        // Decided again from the samples: the answer the unedited file gave.
        const Answer again = answerFor(*parsed);
        QVERIFY(again.found);
        QCOMPARE(again.best, decided.best);
        QVERIFY(std::isfinite(again.bestGiBps) && again.bestGiBps < 10.0);
        const Run analyze = runCli({"analyze", "--log_dir", tmp.path()});
        QCOMPARE(analyze.code, 0);
        QVERIFY2(!analyze.out.contains("inf") && !analyze.out.contains("nan") && !analyze.out.contains("e+308"),
                 analyze.out.constData());
    }

    // Its texts are another user's bytes too: every printer shows them escaped.
    void storedAnswerTextsAreEscaped() {
        QTemporaryDir tmp;
        QVERIFY(writeSweep(tmp.path(), 4, 3));
        auto doc = nlohmann::json::parse(readFile(tmp.filePath("sweep.json")).toStdString());
        storeAnswer(doc);
        const std::string evil = "x\x1b]0;PWNED\a\nerror: FORGED";
        doc["answer"]["decided_by"] = evil;
        doc["answer"]["confidence_text"] = evil;
        doc["engine"] = evil;
        QVERIFY(writeFile(tmp.filePath("sweep.json"), QByteArray::fromStdString(doc.dump())));
        auto parsed = parseSweepFileText(doc.dump(), "sweep.json");
        QVERIFY(parsed.ok() && parsed->answer); // still trusted: the texts are not figures
        for (const QStringList& args : {QStringList{"analyze", "--log_dir", tmp.path()},
                                        QStringList{"export", "--log_dir", tmp.path()}}) {
            const Run r = runCli(args);
            QVERIFY2(r.code == 0, r.err.constData());
            const QByteArray all = r.out + r.err;
            QVERIFY2(all.contains("PWNED") && !all.contains('\x1b') && !all.contains('\a'), all.constData());
            QVERIFY2(!all.contains("\nerror: FORGED"), all.constData());
        }
    }

    // `sweep --events` to what is not a plain file: a FIFO nobody reads is
    // refused at once (it blocked forever), a full device and a reader that
    // went away stop the stream, never the sweep (a closed pipe killed it
    // with SIGPIPE), and a link another user planted is not followed.
    void eventStreamToFifoWithoutReader() {
        QTemporaryDir tmp;
        const QString fifo = tmp.filePath("events.fifo");
        QVERIFY(::mkfifo(fifo.toLocal8Bit(), 0600) == 0);
        QDir(tmp.path()).mkpath("scratch");
        const Run r = runCli({"sweep", "--nvme_dir", tmp.filePath("scratch"), "--log_dir", tmp.filePath("logs"),
                              "--events", fifo, "--io_size", "1M", "--block_size", "1M", "--queue_depth", "4",
                              "--io_parallel", "1", "--search", "grid", "--loops", "1"});
        QCOMPARE(r.code, 1);
        QVERIFY2(r.err.contains("no program reads the FIFO"), r.err.constData());
        QVERIFY(!QFile::exists(tmp.filePath("logs/sweep.json")));
    }
    void eventStreamThatStopsDoesNotStopTheSweep_data() {
        QTest::addColumn<QString>("redirect"); // how the shell line sends the stream
        QTest::addColumn<QString>("reason");
        QTest::addColumn<int>("code");
        QTest::addRow("full device") << "--events /dev/full" << "No space left on device" << 0;
        // The stream was its standard output: the sweep ends, then says that
        // output did not arrive (issue 17 #6), as every command does.
        QTest::addRow("closed pipe") << "--events - | head -c 1 >/dev/null" << "Broken pipe" << 1;
    }
    void eventStreamThatStopsDoesNotStopTheSweep() {
        QFETCH(QString, redirect);
        QFETCH(QString, reason);
        QFETCH(int, code);
        QTemporaryDir tmp;
        QDir(tmp.path()).mkpath("scratch");
        // The sweep's own status, whatever the pipe's last command returns.
        const QString sweep = "\"$AIOTUNE\" sweep --nvme_dir '" + tmp.filePath("scratch") + "' --log_dir '" +
                              tmp.filePath("logs") +
                              "' --io_size 1M --block_size 256K,1M --queue_depth 4 --io_parallel 1 --search grid "
                              "--loops 2 --single_submit false --overlap_events true";
        const QString line = redirect.startsWith("--events -")
                                 ? "{ " + sweep + " --events -; echo \"rc=$?\" >&2; } | head -c 1 >/dev/null"
                                 : sweep + " " + redirect + "; echo \"rc=$?\" >&2";
        const Run r = runShell(line);
        QVERIFY2(r.err.contains("rc=" + QByteArray::number(code)), r.err.right(600).constData());
        if (code != 0) QVERIFY(r.err.contains("could not be written to standard output"));
        QVERIFY2(r.err.contains("event stream") && r.err.contains(reason.toUtf8()), r.err.constData());
        auto done = LogFolderReader().read(tmp.filePath("logs").toStdString());
        QVERIFY2(done.ok(), done.error().c_str());
        QCOMPARE(done->status, SweepStatus::Finished);
        QCOMPARE(done->configs.size(), std::size_t(2));
    }
    void eventStreamRefusesAPlantedLink() {
        if (::geteuid() != 0) QSKIP("needs root to plant another user's link");
        PlantedLink planted("events.jsonl");
        QVERIFY(planted.ok);
        const QString victimFile = planted.victim + "/config.json";
        QVERIFY(writeFile(victimFile, "{\"precious\": true}"));
        QVERIFY(::unlink(planted.link.toLocal8Bit()) == 0 &&
                ::symlink(victimFile.toLocal8Bit(), planted.link.toLocal8Bit()) == 0 &&
                ::lchown(planted.link.toLocal8Bit(), kNobody, kNobody) == 0);
        QDir(planted.base.path()).mkpath("scratch");
        const Run r = runCli({"sweep", "--nvme_dir", planted.base.filePath("scratch"), "--log_dir",
                              planted.base.filePath("logs"), "--events", planted.link, "--io_size", "1M",
                              "--block_size", "1M", "--queue_depth", "4", "--io_parallel", "1", "--search",
                              "grid", "--loops", "1"});
        QCOMPARE(r.code, 1);
        QVERIFY2(r.err.contains("uid 65534"), r.err.constData());
        QCOMPARE(readFile(victimFile), QByteArray("{\"precious\": true}"));
    }

    // Names in check's findings come from the config (nvme_path): printed
    // escaped on one line, so a path cannot forge a finding or retitle the terminal.
    void checkFindingsEscapeConfigNames() {
        QTemporaryDir tmp;
        const std::string evil = tmp.path().toStdString() + "/d\x1b]0;PWNED\a\nerror FAKE_FINDING";
        nlohmann::json cfg = {{"zero_optimization",
                               {{"stage", 3},
                                {"offload_param", {{"device", "nvme"}, {"nvme_path", evil}}},
                                {"offload_optimizer", {{"device", "nvme"}, {"nvme_path", evil}}}}}};
        QVERIFY(writeFile(tmp.filePath("ds.json"), QByteArray::fromStdString(cfg.dump())));
        const Run r = runCli({"check", "--config", tmp.filePath("ds.json"), "--deepspeed_version", "0.16.4"});
        QVERIFY2(r.code == 0 || r.code == 1, r.err.constData());
        QVERIFY2(r.out.contains("PWNED"), r.out.constData()); // shown, escaped
        QVERIFY2(!r.out.contains('\x1b') && !r.out.contains('\a'), r.out.constData());
        QVERIFY2(!r.out.contains("\nerror FAKE_FINDING"), r.out.constData());
        // JSON escapes by itself, and keeps the name exact.
        const Run j = runCli({"check", "--config", tmp.filePath("ds.json"), "--deepspeed_version", "0.16.4", "--json"});
        QVERIFY(j.out.contains("\\u001b]0;PWNED\\u0007\\nerror FAKE_FINDING"));
    }

    // check's version-aware rules and options with absurd values: each is a
    // finding (or a usage error) naming the key, never a crash or a silent pass.
    void checkAbsurdValues_data() {
        QTest::addColumn<QString>("offload"); // JSON merged into offload_optimizer
        QTest::addColumn<QString>("zero");    // JSON merged into zero_optimization
        QTest::addColumn<QString>("names");
        QTest::addRow("sub_group_size negative") << "{}" << "{\"sub_group_size\": -1}" << "sub_group_size";
        QTest::addRow("sub_group_size string") << "{}" << "{\"sub_group_size\": \"1e9\"}" << "sub_group_size";
        QTest::addRow("sub_group_size fraction") << "{}" << "{\"sub_group_size\": 1.5}" << "sub_group_size";
        QTest::addRow("ratio an object") << "{\"ratio\": {\"a\": 1}}" << "{}" << "ratio";
        QTest::addRow("ratio negative") << "{\"ratio\": -1}" << "{}" << "ratio";
        QTest::addRow("ratio huge") << "{\"ratio\": 1e308}" << "{}" << "ratio";
        QTest::addRow("cpuadam_cores_perc huge") << "{\"cpuadam_cores_perc\": 1e308}" << "{}" << "cpuadam_cores_perc";
        QTest::addRow("buffer_count float") << "{\"buffer_count\": 4.5}" << "{}" << "buffer_count";
    }
    void checkAbsurdValues() {
        QFETCH(QString, offload);
        QFETCH(QString, zero);
        QFETCH(QString, names);
        QTemporaryDir tmp;
        nlohmann::json cfg = {{"zero_optimization",
                               {{"stage", 3},
                                {"offload_optimizer", {{"device", "nvme"}, {"nvme_path", tmp.path().toStdString()}}}}}};
        cfg["zero_optimization"].merge_patch(nlohmann::json::parse(zero.toStdString()));
        cfg["zero_optimization"]["offload_optimizer"].merge_patch(nlohmann::json::parse(offload.toStdString()));
        QVERIFY(writeFile(tmp.filePath("ds.json"), QByteArray::fromStdString(cfg.dump())));
        const Run r = runCli({"check", "--config", tmp.filePath("ds.json"), "--deepspeed_version", "0.19.5",
                              "--model-params", "7e9"});
        QCOMPARE(r.code, 1); // an error finding
        const QByteArray out = r.out;
        // An error whose subject is the key.
        const QRegularExpression named("(^|\\n)error [A-Z_]+  [^\\n]*" + QRegularExpression::escape(names));
        QVERIFY2(named.match(QString::fromUtf8(out)).hasMatch(), out.constData());
        QVERIFY(!out.contains("inf ") && !out.contains("nan"));
    }
    void checkOptionValues_data() {
        QTest::addColumn<QStringList>("args");
        QTest::addColumn<QString>("names");
        QTest::addRow("model 1e400") << QStringList{"--model-params", "1e400"} << "--model-params";
        QTest::addRow("model nan") << QStringList{"--model-params", "nan"} << "--model-params";
        QTest::addRow("model negative") << QStringList{"--model-params", "-7e9"} << "--model-params";
        QTest::addRow("model escape") << QStringList{"--model-params", "7\x1b[31m"} << "--model-params";
        QTest::addRow("nodes zero") << QStringList{"--model-params", "7e9", "--nodes", "0"} << "--nodes";
        QTest::addRow("nodes alone") << QStringList{"--nodes", "2"} << "--model-params too";
    }
    void checkOptionValues() {
        QFETCH(QStringList, args);
        QFETCH(QString, names);
        QTemporaryDir tmp;
        QVERIFY(writeFile(tmp.filePath("ds.json"), "{\"train_batch_size\": 1}"));
        const Run r = runCli(QStringList{"check", "--config", tmp.filePath("ds.json")} + args);
        QCOMPARE(r.code, 2);
        QVERIFY2(r.err.contains(names.toUtf8()), r.err.constData());
        QVERIFY(!r.err.contains('\x1b'));
    }

    // Every command that touches a log folder honours the sweep's lock:
    // export and report refuse a folder being swept and name who sweeps it
    // (pid and host, as the kernel's lock table records them); a sweep does
    // not start into a folder they are reading, and names them.
    void readersRefuseAFolderBeingSwept_data() {
        QTest::addColumn<QStringList>("args");
        QTest::addRow("export") << QStringList{"export", "--log_dir", "LOGS"};
        QTest::addRow("report") << QStringList{"report", "--log_dir", "LOGS", "-o", "OUT"};
    }
    void readersRefuseAFolderBeingSwept() {
        QFETCH(QStringList, args);
        QTemporaryDir tmp, out;
        QVERIFY(writeSweep(tmp.path(), 3, 3));
        args.replaceInStrings("LOGS", tmp.path());
        args.replaceInStrings("OUT", out.filePath("r.html"));
        {
            auto sweeping = FolderLock::acquire(tmp.path().toStdString(), "log folder");
            QVERIFY2(sweeping.ok(), sweeping.error().c_str());
            const Run r = runCli(args);
            QCOMPARE(r.code, 1);
            QVERIFY2(r.err.contains("is being swept right now, by pid " + QByteArray::number(::getpid()) + " on "),
                     r.err.constData());
            QVERIFY2(r.err.contains("test_hostile"), r.err.constData()); // the holder's command
            QVERIFY(r.out.isEmpty() && !QFile::exists(out.filePath("r.html")));
        }
        const Run free = runCli(args);
        QVERIFY2(free.code == 0, free.err.constData());
    }
    void sweepRefusesAFolderBeingRead() {
        QTemporaryDir tmp;
        QDir(tmp.path()).mkpath("scratch");
        QDir(tmp.path()).mkpath("logs");
        auto reading = FolderLock::acquire(tmp.filePath("logs").toStdString(), "log folder", FolderLock::Mode::Shared);
        QVERIFY2(reading.ok(), reading.error().c_str());
        // Two readers at once are fine.
        QVERIFY(FolderLock::acquireForReading(tmp.filePath("logs").toStdString(), "export").ok());
        const Run r = runCli({"sweep", "--nvme_dir", tmp.filePath("scratch"), "--log_dir", tmp.filePath("logs"),
                              "--io_size", "1M", "--block_size", "1M", "--queue_depth", "4", "--io_parallel", "1",
                              "--search", "grid", "--loops", "1"});
        QCOMPARE(r.code, 1);
        QVERIFY2(r.err.contains("aiotune is reading the log folder") &&
                     r.err.contains("pid " + QByteArray::number(::getpid())),
                 r.err.constData());
        QVERIFY(!QFile::exists(tmp.filePath("logs/sweep.json")));
    }
    // The holder as /proc/locks lists it: the writer named before readers,
    // waiters and other files ignored, the command line escaped.
    void lockHolderFromTheKernelsTable() {
        QTemporaryDir tmp, proc;
        struct stat st {};
        QVERIFY(::stat(tmp.path().toLocal8Bit(), &st) == 0);
        const QString id = QString::asprintf("%02x:%02x:%llu", major(st.st_dev), minor(st.st_dev),
                                             static_cast<unsigned long long>(st.st_ino));
        QVERIFY(writeFile(proc.filePath("locks"),
                          ("1: POSIX  ADVISORY  WRITE 11 " + id + " 0 EOF\n"
                           "2: FLOCK  ADVISORY  READ  22 " + id + " 0 EOF\n"
                           "2: -> FLOCK  ADVISORY  WRITE 44 " + id + " 0 EOF\n"
                           "3: FLOCK  ADVISORY  WRITE 33 " + id + " 0 EOF\n"
                           "4: FLOCK  ADVISORY  WRITE 55 00:00:1 0 EOF\n")
                              .toUtf8()));
        QDir(proc.path()).mkpath("33");
        QVERIFY(writeFile(proc.filePath("33/cmdline"), QByteArray("aiotune\0sweep\0--log_dir\0d\x1b]0;X\a", 31)));
        const auto holder = folderLockHolder(tmp.path().toStdString(), proc.path().toStdString());
        QVERIFY(holder);
        QCOMPARE(holder->pid, 33L);
        QVERIFY(holder->exclusive);
        QVERIFY2(holder->command == "aiotune sweep --log_dir d\\x1b]0;X\\x07", holder->command.c_str());
        QVERIFY(holder->describe().find("pid 33 on ") == 0);
        // Nothing listed for this folder: no holder.
        QVERIFY(writeFile(proc.filePath("locks"), "1: FLOCK  ADVISORY  WRITE 55 00:00:1 0 EOF\n"));
        QVERIFY(!folderLockHolder(tmp.path().toStdString(), proc.path().toStdString()));
    }

    // #10 from the command line: Ctrl-C during a replay ends it with 130,
    // also when the launcher started aiotune with SIGINT blocked (pdsh does):
    // the signal, pending before aiotune runs, is taken once it can be.
    void replayStopsOnSigint() {
        QTemporaryDir tmp;
        QVERIFY(writeSweep(tmp.path(), 6, 3));
        const QByteArray cli = AIOTUNE_CLI, dir = tmp.path().toLocal8Bit();
        const QString errFile = tmp.filePath("err.txt");
        const pid_t pid = ::fork();
        if (pid == 0) {
            sigset_t block;
            sigemptyset(&block);
            sigaddset(&block, SIGINT);
            ::sigprocmask(SIG_BLOCK, &block, nullptr);
            ::signal(SIGINT, SIG_DFL);
            ::raise(SIGINT); // pending, as a Ctrl-C that came before aiotune could take it
            const int err = ::open(errFile.toLocal8Bit(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
            ::dup2(err, 2);
            const int null = ::open("/dev/null", O_WRONLY);
            ::dup2(null, 1);
            ::execl(cli.constData(), cli.constData(), "sweep", "--replay", dir.constData(), "--json",
                    static_cast<char*>(nullptr));
            ::_exit(127);
        }
        int status = 0;
        QCOMPARE(::waitpid(pid, &status, 0), pid);
        QVERIFY2(WIFEXITED(status), qPrintable(QString::number(status)));
        QCOMPARE(WEXITSTATUS(status), 130);
        QVERIFY2(readFile(errFile).contains("replay interrupted"), readFile(errFile).constData());
    }
};

QTEST_GUILESS_MAIN(TestHostile)
#include "test_hostile.moc"
