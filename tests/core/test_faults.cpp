// Safety under faults: aiotune runs on machines holding weeks of training
// data, so a full disk, a folder that turns read-only or disappears, missing
// permissions, a filesystem without O_DIRECT, kill -9 and cancel must each
// end in a clear message or a clean stop, and never leave a file of ours
// behind. The mount-based cases need root (CI runs as root) and skip otherwise.
#include "../tools/fault_env.h"

#include "engine/scratch_file.h"
#include "results/log_folder_reader.h"
#include "sweep/sweep_runner.h"
#include "sweep/sweep_sinks.h"
#include "util/atomic_file.h"

#include <QElapsedTimer>
#include <QFile>
#include <QProcess>
#include <QTemporaryDir>
#include <QThread>
#include <QtTest>

#include <atomic>
#include <chrono>
#include <csignal>
#include <fcntl.h>
#include <grp.h>
#include <optional>
#include <sys/wait.h>
#include <thread>

using namespace aiotune;
using namespace aiotune::testing;

namespace {

constexpr std::uint64_t MiB = 1ull << 20;
// planSweep keeps this much free beyond the scratch file (sweep_runner.cpp).
constexpr std::uint64_t kPlanMargin = 64 * MiB;

#define REQUIRE_ROOT()                                                                             \
    do {                                                                                           \
        if (!runningAsRoot()) QSKIP("needs root to mount a small filesystem (CI runs as root)");   \
    } while (0)

SweepSpec smallSpec(const std::string& folder, std::uint64_t ioSize) {
    SweepSpec spec;
    spec.folders = {folder};
    spec.blockSizes = {64 * 1024, 256 * 1024};
    spec.queueDepths = {1, 4};
    spec.ioSize = ioSize;
    spec.loops = 1;
    return spec;
}

int openFiller(const QString& folder) {
    return ::open((folder + "/filler").toLocal8Bit().constData(),
                  O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
}

QStringList logTempFiles(const QString& logFolder) {
    QStringList left;
    for (const QString& sub :
         {QString(kReadLogDir.data()), QString(kWriteLogDir.data()), QString()})
        for (const QString& e : entriesOf(logFolder + "/" + sub))
            if (isAtomicWriteTempName(e.toStdString()))
                left << sub + "/" + e;
    return left;
}

} // namespace

class TestFaults : public QObject {
    Q_OBJECT
  private slots:
    // --- disk full ------------------------------------------------------------

    void planRefusesIoSizeBeyondFreeSpace_data() {
        QTest::addColumn<quint64>("ioSize");
        QTest::addRow("larger than the disk") << quint64(16 * MiB);
        QTest::addRow("fits, but not with the safety margin") << quint64(4 * MiB);
        QTest::addRow("far larger") << quint64(1024 * MiB);
    }
    void planRefusesIoSizeBeyondFreeSpace() {
        REQUIRE_ROOT();
        QFETCH(quint64, ioSize);
        ScopedMount disk("tmpfs", "size=8m");
        QVERIFY2(disk.ok(), qPrintable(disk.error()));
        const SweepPlan plan = planSweep(smallSpec(disk.stdPath(), ioSize));
        QVERIFY(!plan.ok());
        VERIFY_CONTAINS(plan.problem, "not enough free space in " + disk.stdPath());
        QCOMPARE(plan.folders.size(), std::size_t(1));
        QCOMPARE(plan.folders[0].freeBytes, quint64(8 * MiB));
        QCOMPARE(plan.folders[0].neededBytes, ioSize);
        // The runner refuses the same way, before creating anything.
        SweepRunner runner(smallSpec(disk.stdPath(), ioSize));
        auto r = runner.run({});
        QVERIFY(!r.ok());
        QCOMPARE(r.error(), plan.problem);
        QCOMPARE(entriesOf(disk.path()), QStringList());
    }

    void scratchFileOnAFullDiskSaysNoSpace() {
        REQUIRE_ROOT();
        ScopedMount disk("tmpfs", "size=8m");
        QVERIFY2(disk.ok(), qPrintable(disk.error()));
        const int filler = openFiller(disk.path());
        QVERIFY(filler >= 0);
        // Leave 1 MiB: less than the 4 MiB the scratch file needs.
        QCOMPARE(::posix_fallocate(filler, 0, 7 * MiB), 0);
        ::close(filler);
        auto file = ScratchFile::create(disk.stdPath(), 4 * MiB);
        QVERIFY(!file.ok());
        VERIFY_CONTAINS(file.error(), "no space left on " + disk.stdPath());
        QCOMPARE(entriesOf(disk.path()), QStringList{"filler"});
    }

    // The disk fills up after planning passed: the real scratch file's
    // preallocation fails. The fill happens while the runner's open of that
    // file waits on a fanotify permission event, so there is no race.
    void diskFillsAfterPlanning() {
        REQUIRE_ROOT();
        const std::uint64_t ioSize = 8 * MiB;
        ScopedMount disk("tmpfs", QStringLiteral("size=%1").arg(ioSize + kPlanMargin + 4 * MiB));
        QVERIFY2(disk.ok(), qPrintable(disk.error()));
        const int filler = openFiller(disk.path());
        QVERIFY(filler >= 0);
        int fillErrno = 0;
        quint64 filled = 0;
        {
            // Open 1: planSweep's 4 KiB O_DIRECT probe. Open 2: the real scratch file.
            OpenHook hook(disk.path(), 2, [&] { filled = fillFilesystem(filler, &fillErrno); });
            if (!hook.ok()) QSKIP(qPrintable("fanotify unavailable: " + hook.error()));
            SweepRunner runner(smallSpec(disk.stdPath(), ioSize));
            std::vector<std::string> messages;
            CallbackSink cb;
            cb.message = [&](const MessageEvent& m) { messages.push_back(m.text); };
            auto r = runner.run({&cb});
            QVERIFY(hook.fired());
            QCOMPARE(fillErrno, ENOSPC);
            QVERIFY(filled > 0);
            QVERIFY2(!r.ok(), "the sweep should stop: its scratch file cannot be preallocated");
            VERIFY_CONTAINS(r.error(), "no space left on " + disk.stdPath());
        }
        ::close(filler);
        QCOMPARE(entriesOf(disk.path()), QStringList{"filler"});
    }

    // Two folders on one filesystem: each alone has room for its scratch
    // file, both together do not. planSweep checks them one by one.
    void twoFoldersOnOneFilesystem() {
        REQUIRE_ROOT();
        const std::uint64_t ioSize = 80 * MiB;
        ScopedMount disk("tmpfs", QStringLiteral("size=%1").arg(ioSize + kPlanMargin + 4 * MiB));
        QVERIFY2(disk.ok(), qPrintable(disk.error()));
        QVERIFY(QDir(disk.path()).mkdir("a"));
        QVERIFY(QDir(disk.path()).mkdir("b"));
        SweepSpec spec = smallSpec(disk.stdPath() + "/a", ioSize);
        spec.folders.push_back(disk.stdPath() + "/b");
        spec.blockSizes = {1 * MiB};
        spec.queueDepths = {8};

        SweepRunner runner(spec);
        auto r = runner.run({});
        // The planner adds up the scratch files sharing the filesystem and refuses up front.
        QVERIFY(!r.ok());
        VERIFY_CONTAINS(r.error(), "not enough free space in " + disk.stdPath() + "/a");
        VERIFY_CONTAINS(r.error(), "share this filesystem");
        QCOMPARE(entriesOf(disk.path()), (QStringList{"a", "b"}));
        QCOMPARE(entriesOf(disk.path() + "/a"), QStringList());
        QCOMPARE(entriesOf(disk.path() + "/b"), QStringList());

        const SweepPlan plan = planSweep(spec);
        QVERIFY2(!plan.ok(), plan.summary().c_str());
    }

    // The log folder's disk fills after the first point: measuring on without
    // a record would waste the user's time, so the sweep ends "failed", the
    // user is told why, sweep.json says "failed" (written in place) and keeps
    // the finished point, and no temporary file is left among the logs.
    void logDiskFillsMidSweep() {
        REQUIRE_ROOT();
        ScopedMount logDisk("tmpfs", "size=1m");
        QVERIFY2(logDisk.ok(), qPrintable(logDisk.error()));
        QTemporaryDir scratch;
        QVERIFY(scratch.isValid());
        const QString logFolder = logDisk.path() + "/logs";
        const int filler = openFiller(logDisk.path());
        QVERIFY(filler >= 0);

        SweepRunner runner(smallSpec(scratch.path().toStdString(), 4 * MiB));
        runner.setLogFolder(logFolder.toStdString());
        std::vector<std::string> messages;
        int samples = 0, fillErrno = 0;
        std::optional<EndedEvent> ended;
        CallbackSink cb;
        cb.message = [&](const MessageEvent& m) { messages.push_back(m.text); };
        cb.sample = [&](const SampleEvent&) {
            if (++samples == 2) fillFilesystem(filler, &fillErrno); // after the first point
        };
        cb.ended = [&](const EndedEvent& e) { ended = e; };
        auto r = runner.run({&cb});
        ::close(filler);
        QVERIFY2(r.ok(), r.error().c_str());
        QCOMPARE(fillErrno, ENOSPC);
        QCOMPARE(r->status, SweepStatus::Failed);
        QVERIFY(ended);
        QCOMPARE(ended->status, SweepStatus::Failed);
        QCOMPARE(ended->error, SweepErrorCode::LogWrite);
        QCOMPARE(samples, 3); // the first sample whose log could not be written ends it
        VERIFY_CONTAINS(r->error, "No space left on device");

        QVERIFY(!messages.empty());
        VERIFY_CONTAINS(messages.front(), "cannot write the sweep log");
        VERIFY_CONTAINS(messages.front(), logFolder.toStdString());
        VERIFY_CONTAINS(messages.front(), "No space left on device");
        QCOMPARE(logTempFiles(logFolder), QStringList());
        QCOMPARE(entriesOf(scratch.path()), QStringList());

        auto read = LogFolderReader().read(logFolder.toStdString());
        QVERIFY2(read.ok(), read.error().c_str());
        QCOMPARE(read->status, SweepStatus::Failed);
        VERIFY_CONTAINS(read->error, "No space left on device");
        QCOMPARE(int(read->configs.size()), 1);
        QVERIFY(read->configs.front().hasBoth());
    }

    // The same through the command line: a non-zero exit, and the log
    // folder's sweep.json says "failed".
    void cliSweepFailsWhenTheLogDiskFills() {
        REQUIRE_ROOT();
        const QString cli = QStringLiteral(AIOTUNE_CLI);
        if (!QFile::exists(cli)) QSKIP("the aiotune CLI was not built");
        ScopedMount logDisk("tmpfs", "size=96k"); // a 4 KiB page per text log: full after a few points
        QVERIFY2(logDisk.ok(), qPrintable(logDisk.error()));
        QTemporaryDir scratch;
        const QString logs = logDisk.path() + "/logs";
        QProcess sweep;
        sweep.setProcessChannelMode(QProcess::MergedChannels);
        sweep.start(cli, {"sweep", "--nvme_dir", scratch.path(), "--log_dir", logs, "--block_size",
                          "4K,8K,16K,32K", "--queue_depth", "1,2,4,8", "--io_parallel", "1", "--single_submit", "false",
                          "--overlap_events", "true", "--io_size",
                          "256K", "--loops", "1"});
        QVERIFY(sweep.waitForFinished(60000));
        const QByteArray out = sweep.readAll();
        QCOMPARE(sweep.exitStatus(), QProcess::NormalExit);
        QVERIFY2(sweep.exitCode() == 1, out.constData());
        QVERIFY2(out.contains("No space left on device"), out.constData());
        auto read = LogFolderReader().read(logs.toStdString());
        QVERIFY2(read.ok(), read.error().c_str());
        QCOMPARE(read->status, SweepStatus::Failed);
        QVERIFY(read->configs.size() < 16);
        QCOMPARE(logTempFiles(logs), QStringList());
        QCOMPARE(entriesOf(scratch.path()), QStringList());
    }

    // --- read-only and vanished folders ----------------------------------------

    // Linux refuses to remount a filesystem read-only while a file is open for
    // writing on it, and the nameless scratch file is: the sweep cannot be
    // pulled out from under itself. Where the remount does succeed (another
    // kernel) every later point must fail with a message, not crash.
    void remountReadOnlyMidSweep() {
        REQUIRE_ROOT();
        const std::uint64_t ioSize = 4 * MiB;
        ScopedMount disk("tmpfs", QStringLiteral("size=%1").arg(ioSize + kPlanMargin + 4 * MiB));
        QVERIFY2(disk.ok(), qPrintable(disk.error()));
        SweepRunner runner(smallSpec(disk.stdPath(), ioSize));
        int samples = 0, remountErr = -1;
        CallbackSink cb;
        cb.sample = [&](const SampleEvent&) {
            if (++samples == 1) remountErr = disk.remount(true);
        };
        auto r = runner.run({&cb});
        QVERIFY2(r.ok(), r.error().c_str());
        QCOMPARE(r->status, SweepStatus::Finished);
        QCOMPARE(samples, 8);
        if (remountErr == 0) {
            for (const auto& c : r->configs)
                for (const auto& s : c.samples)
                    if (s.failed()) QVERIFY(!s.error.empty());
            QCOMPARE(disk.remount(false), 0);
        } else {
            QCOMPARE(remountErr, EBUSY);
            for (const auto& c : r->configs)
                QCOMPARE(c.errors, 0);
        }
        QCOMPARE(entriesOf(disk.path()), QStringList());
        // Once the sweep closed its file the remount goes through (io_uring
        // drops its file references from a kernel worker, a moment later).
        QTRY_COMPARE_WITH_TIMEOUT(disk.remount(true), 0, 5000);
        QCOMPARE(disk.remount(false), 0);
    }

    // Read-only between the plan and the run: the runner re-checks and refuses.
    void readOnlyBeforeTheRun() {
        REQUIRE_ROOT();
        const std::uint64_t ioSize = 4 * MiB;
        ScopedMount disk("tmpfs", QStringLiteral("size=%1").arg(ioSize + kPlanMargin + 4 * MiB));
        QVERIFY2(disk.ok(), qPrintable(disk.error()));
        const SweepSpec spec = smallSpec(disk.stdPath(), ioSize);
        QVERIFY2(planSweep(spec).ok(), planSweep(spec).problem.c_str());
        QCOMPARE(disk.remount(true), 0);
        SweepRunner runner(spec);
        auto r = runner.run({});
        QVERIFY(!r.ok());
        VERIFY_CONTAINS(r.error(), disk.stdPath());
        VERIFY_CONTAINS(r.error(), "Read-only file system");
        QCOMPARE(disk.remount(false), 0);
        QCOMPARE(entriesOf(disk.path()), QStringList());
    }

    // A sweep that cannot start because its log disk is full takes away the
    // folders it made for the logs: the log folder, its two subfolders, and
    // the parents made on the way (they were left, empty).
    void fullLogDiskLeavesNoFolders() {
        REQUIRE_ROOT();
        ScopedMount logDisk("tmpfs", "size=64k");
        QVERIFY2(logDisk.ok(), qPrintable(logDisk.error()));
        const int filler = openFiller(logDisk.path());
        QVERIFY(filler >= 0);
        int err = 0;
        fillFilesystem(filler, &err);
        QCOMPARE(err, ENOSPC);
        QTemporaryDir scratch;
        QVERIFY(scratch.isValid());
        SweepRunner runner(smallSpec(scratch.path().toStdString(), 4 * MiB));
        runner.setLogFolder((logDisk.path() + "/p1/p2/logs").toStdString());
        auto r = runner.run({});
        ::close(filler);
        QVERIFY(!r.ok());
        VERIFY_CONTAINS(r.error(), "No space left on device");
        QCOMPARE(entriesOf(logDisk.path()), QStringList{"filler"});
    }

    // The log folder's filesystem turns read-only after the first point.
    void logFolderTurnsReadOnlyMidSweep() {
        REQUIRE_ROOT();
        ScopedMount logDisk("tmpfs", "size=4m");
        QVERIFY2(logDisk.ok(), qPrintable(logDisk.error()));
        QTemporaryDir scratch;
        const QString logFolder = logDisk.path() + "/logs";
        SweepRunner runner(smallSpec(scratch.path().toStdString(), 4 * MiB));
        runner.setLogFolder(logFolder.toStdString());
        std::vector<std::string> messages;
        int samples = 0, remountErr = -1;
        CallbackSink cb;
        cb.message = [&](const MessageEvent& m) { messages.push_back(m.text); };
        cb.sample = [&](const SampleEvent&) {
            if (++samples == 2) remountErr = logDisk.remount(true);
        };
        auto r = runner.run({&cb});
        QVERIFY2(r.ok(), r.error().c_str());
        QCOMPARE(remountErr, 0);
        // The next sample's log cannot be written: the sweep ends there.
        QCOMPARE(r->status, SweepStatus::Failed);
        VERIFY_CONTAINS(r->error, "Read-only file system");
        QCOMPARE(samples, 3);
        QVERIFY(!messages.empty());
        VERIFY_CONTAINS(messages.front(), "cannot write the sweep log");
        VERIFY_CONTAINS(messages.front(), logFolder.toStdString());
        VERIFY_CONTAINS(messages.front(), "Read-only file system");
        QCOMPARE(logDisk.remount(false), 0);
        QCOMPARE(logTempFiles(logFolder), QStringList());
        auto read = LogFolderReader().read(logFolder.toStdString());
        QVERIFY2(read.ok(), read.error().c_str());
        QCOMPARE(int(read->configs.size()), 1); // the point finished before the remount
    }

    // The scratch folder is removed while the sweep runs. That rmdir succeeds
    // at all proves the folder held no file of ours mid-sweep; the sweep
    // goes on with its nameless file. The log folder vanishing is reported.
    void foldersRemovedMidSweep() {
        QTemporaryDir root;
        QVERIFY(root.isValid());
        const QString scratch = root.filePath("scratch");
        const QString logFolder = root.filePath("logs");
        QVERIFY(QDir(root.path()).mkdir("scratch"));
        SweepRunner runner(smallSpec(scratch.toStdString(), 4 * MiB));
        runner.setLogFolder(logFolder.toStdString());
        std::vector<std::string> messages;
        int samples = 0;
        bool scratchRemoved = false, logsRemoved = false;
        CallbackSink cb;
        cb.message = [&](const MessageEvent& m) { messages.push_back(m.text); };
        cb.sample = [&](const SampleEvent&) {
            if (++samples == 1) scratchRemoved = QDir(root.path()).rmdir("scratch");
            if (samples == 3) logsRemoved = QDir(logFolder).removeRecursively();
        };
        auto r = runner.run({&cb});
        QVERIFY2(r.ok(), r.error().c_str());
        QVERIFY(scratchRemoved);
        QVERIFY(logsRemoved);
        // The sweep goes on without its scratch folder's name, but not
        // without its log: the next sample ends it.
        QCOMPARE(r->status, SweepStatus::Failed);
        QCOMPARE(samples, 4);
        QCOMPARE(int(r->configs.size()), 2);
        for (const auto& c : r->configs)
            QCOMPARE(c.errors, 0);
        QVERIFY(!messages.empty());
        VERIFY_CONTAINS(messages.front(), "cannot write the sweep log");
        VERIFY_CONTAINS(messages.front(), logFolder.toStdString());
        VERIFY_CONTAINS(messages.front(), "does not exist");
        QCOMPARE(entriesOf(root.path()), QStringList());

        // A folder that is gone before the start: a clean refusal naming it.
        SweepRunner again(smallSpec(scratch.toStdString(), 4 * MiB));
        auto refused = again.run({});
        QVERIFY(!refused.ok());
        VERIFY_CONTAINS(refused.error(), "cannot use " + scratch.toStdString());
        QCOMPARE(entriesOf(root.path()), QStringList());
    }

    // --- permissions ------------------------------------------------------------

    void permissionDenied_data() {
        QTest::addColumn<int>("mode");
        QTest::addRow("chmod 000") << 0000;
        QTest::addRow("chmod 555 (read-only)") << 0555;
        QTest::addRow("chmod 111 (enter only)") << 0111;
    }
    // Root passes access() whatever the mode, so as root the check runs in a
    // child that has become nobody (uid/gid 65534).
    void permissionDenied() {
        QFETCH(int, mode);
        QTemporaryDir root;
        QVERIFY(root.isValid());
        QVERIFY(::chmod(root.path().toLocal8Bit().constData(), 0755) == 0);
        const std::string folder = root.filePath("locked").toStdString();
        QVERIFY(QDir(root.path()).mkdir("locked"));
        QVERIFY(::chmod(folder.c_str(), static_cast<mode_t>(mode)) == 0);

        const ChildOutcome child = runInChild([&](int out) {
            if (runningAsRoot() &&
                (::setgroups(0, nullptr) != 0 || ::setgid(65534) != 0 || ::setuid(65534) != 0))
                return 3;
            if (runningAsRoot()) return 4;
            const auto check = checkScratchFolder(folder);
            const auto file = ScratchFile::create(folder, 4096);
            const SweepPlan plan = planSweep(smallSpec(folder, 4 * MiB));
            writeAll(out, (check.ok() ? std::string("ok") : check.error()) + "\n" +
                              (file.ok() ? std::string("ok") : file.error()) + "\n" + plan.problem +
                              "\n");
            return 0;
        });
        QCOMPARE(child.signal, 0);
        QCOMPARE(child.exitCode, 0);
        const QStringList lines = QString::fromStdString(child.output).split('\n');
        QCOMPARE(lines.size(), 4);
        for (int i = 0; i < 3; ++i) {
            const std::string line = lines[i].toStdString();
            VERIFY_CONTAINS(line, "cannot write in " + folder);
            VERIFY_CONTAINS(line, "Permission denied");
        }
        QVERIFY(::chmod(folder.c_str(), 0700) == 0);
        QCOMPARE(entriesOf(QString::fromStdString(folder)), QStringList());
    }

    // --- no O_DIRECT ------------------------------------------------------------

    // ramfs has no O_DIRECT (and tmpfs had none before Linux 6.6).
    void filesystemWithoutDirectIo() {
        REQUIRE_ROOT();
        ScopedMount disk("ramfs", {});
        QVERIFY2(disk.ok(), qPrintable(disk.error()));
        auto file = ScratchFile::create(disk.stdPath(), 1 * MiB);
        QVERIFY(!file.ok());
        VERIFY_CONTAINS(file.error(),
                        "the filesystem of " + disk.stdPath() + " does not support O_DIRECT");
        QCOMPARE(entriesOf(disk.path()), QStringList());

        const SweepPlan plan = planSweep(smallSpec(disk.stdPath(), 1 * MiB));
        QVERIFY(!plan.ok());
        VERIFY_CONTAINS(plan.problem, disk.stdPath());
        // ramfs reports 0 blocks in statvfs (no size limit): the O_DIRECT
        // problem is what the user must hear about.
        QVERIFY2(contains(plan.problem, "does not support O_DIRECT"), plan.problem.c_str());
        QCOMPARE(entriesOf(disk.path()), QStringList());
    }

    // --- damaged files ---------------------------------------------------------

    // A sweep.json cut short by a full disk, edited by hand or damaged: reading
    // the folder must end in a message naming the file, never a crash or a
    // number made up from an out-of-range value. Each read runs in a child so
    // a crash is seen as one.
    void damagedSweepFile_data() {
        QTest::addColumn<QByteArray>("json");
        QTest::addRow("cut short")
            << QByteArray(R"({"format":"aiotune-sweep","configs":[{"key":{)");
        QTest::addRow("configs not a list")
            << QByteArray(R"({"format":"aiotune-sweep","configs":"x"})");
        QTest::addRow("sample op unknown")
            << QByteArray(
                   R"({"format":"aiotune-sweep","configs":[{"key":{},"samples":[{"op":"trim"}]}]})");
        QTest::addRow("format not a string")
            << QByteArray(R"({"format":1})");
        QTest::addRow("bytes 1e300")
            << QByteArray(
                   R"({"format":"aiotune-sweep","configs":[{"key":{},"samples":[{"op":"read","bytes":1e300,"gibps":1,"seconds":1}]}]})");
        QTest::addRow("queue_depth 1e20")
            << QByteArray(
                   R"({"format":"aiotune-sweep","configs":[{"key":{"queue_depth":1e20},"samples":[{"op":"read","gibps":1,"seconds":1}]}]})");
    }
    void damagedSweepFile() {
        QFETCH(QByteArray, json);
        QTemporaryDir logs;
        QVERIFY(logs.isValid());
        QVERIFY(QDir(logs.path()).mkdir(kReadLogDir.data()));
        QVERIFY(QDir(logs.path()).mkdir(kWriteLogDir.data()));
        QFile f(logs.filePath("sweep.json"));
        QVERIFY(f.open(QIODevice::WriteOnly));
        f.write(json);
        f.close();
        const std::string folder = logs.path().toStdString();
        const ChildOutcome child = runInChild([&](int out) {
            auto r = LogFolderReader().read(folder);
            writeAll(out, r.ok() ? "ok" : r.error());
            return 0;
        });
        QVERIFY2(child.signal == 0 && child.exitCode == 0 && child.output != "ok",
                 qPrintable(QStringLiteral("signal %1, exit %2, reader said: %3")
                                .arg(child.signal)
                                .arg(child.exitCode)
                                .arg(QString::fromStdString(child.output))));
        VERIFY_CONTAINS(child.output, folder + "/sweep.json");
    }

    // --- kill -9 ----------------------------------------------------------------

    // A sweep killed mid-way leaves nothing in the scratch folder and every
    // finished point readable in the log folder. Runs SweepRunner in a
    // forked child; the same test through the CLI follows.
    void killedSweepLeavesNothingBehind() {
        QTemporaryDir root;
        QVERIFY(root.isValid());
        const QString scratch = root.filePath("scratch");
        const QString logs = root.filePath("logs");
        QVERIFY(QDir(root.path()).mkdir("scratch"));
        SweepSpec spec = smallSpec(scratch.toStdString(), 8 * MiB);
        spec.blockSizes = {4096, 8192};
        spec.queueDepths = {1, 2};
        spec.loops = 50;

        const pid_t pid = ::fork();
        QVERIFY(pid >= 0);
        if (pid == 0) {
            SweepRunner runner(spec);
            runner.setLogFolder(logs.toStdString());
            auto r = runner.run({});
            ::_exit(r.ok() ? 0 : 1);
        }
        const bool finishedPoint = waitForFinishedPoint(logs, 30000);
        ::kill(pid, SIGKILL);
        int status = 0;
        ::waitpid(pid, &status, 0);
        QVERIFY2(finishedPoint, "no point finished within 30 s");
        QVERIFY2(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL,
                 "the sweep ended before it was killed");
        checkAfterKill(scratch, logs);
    }

    void killedCliSweepLeavesNothingBehind() {
        const QString cli = QStringLiteral(AIOTUNE_CLI);
        if (!QFile::exists(cli)) QSKIP("the aiotune CLI was not built");
        QProcess help;
        help.start(cli, {"sweep", "--help"});
        QVERIFY(help.waitForFinished(10000));
        if (help.exitCode() != 0) QSKIP("this aiotune has no `sweep` command yet");

        QTemporaryDir root;
        QVERIFY(root.isValid());
        const QString scratch = root.filePath("scratch");
        const QString logs = root.filePath("logs");
        QVERIFY(QDir(root.path()).mkdir("scratch"));
        QProcess sweep;
        sweep.setProcessChannelMode(QProcess::MergedChannels);
        sweep.start(cli, {"sweep", "--nvme_dir", scratch, "--log_dir", logs, "--block_size",
                          "4K,8K", "--queue_depth", "1,2", "--io_size", "8M", "--loops", "50"});
        QVERIFY(sweep.waitForStarted(10000));
        const bool finishedPoint = waitForFinishedPoint(logs, 30000);
        const bool stillRunning = sweep.state() == QProcess::Running;
        ::kill(static_cast<pid_t>(sweep.processId()), SIGKILL);
        QVERIFY(sweep.waitForFinished(10000));
        QVERIFY2(finishedPoint, sweep.readAll().constData());
        QVERIFY2(stillRunning, sweep.readAll().constData());
        QCOMPARE(sweep.exitStatus(), QProcess::CrashExit);
        checkAfterKill(scratch, logs);
    }

    // Ctrl-C or a polite kill: the CLI stops within a second, says so with
    // the shell's exit code (128 + the signal), and the log folder records "cancelled".
    void interruptedCliSweepStopsCleanly_data() {
        QTest::addColumn<int>("sig");
        QTest::addColumn<bool>("blockedByLauncher");
        QTest::addRow("SIGINT") << int(SIGINT) << false;
        QTest::addRow("SIGTERM") << int(SIGTERM) << false;
        // pdsh starts its commands with SIGINT blocked; the mask survives exec.
        QTest::addRow("SIGINT, blocked by the launcher") << int(SIGINT) << true;
    }
    void interruptedCliSweepStopsCleanly() {
        QFETCH(int, sig);
        QFETCH(bool, blockedByLauncher);
        const QString cli = QStringLiteral(AIOTUNE_CLI);
        if (!QFile::exists(cli)) QSKIP("the aiotune CLI was not built");
        QTemporaryDir root;
        QVERIFY(root.isValid());
        const QString scratch = root.filePath("scratch");
        const QString logs = root.filePath("logs");
        QVERIFY(QDir(root.path()).mkdir("scratch"));
        QProcess sweep;
        sweep.setProcessChannelMode(QProcess::MergedChannels);
        if (blockedByLauncher)
            sweep.setChildProcessModifier([] {
                sigset_t stops;
                sigemptyset(&stops);
                sigaddset(&stops, SIGINT);
                sigaddset(&stops, SIGTERM);
                ::sigprocmask(SIG_BLOCK, &stops, nullptr);
            });
        sweep.start(cli, {"sweep", "--nvme_dir", scratch, "--log_dir", logs, "--block_size",
                          "4K,8K", "--queue_depth", "1,2", "--io_size", "8M", "--loops", "50"});
        QVERIFY(sweep.waitForStarted(10000));
        QVERIFY2(waitForFinishedPoint(logs, 30000), sweep.readAll().constData());
        QElapsedTimer t;
        t.start();
        ::kill(static_cast<pid_t>(sweep.processId()), sig);
        QVERIFY(sweep.waitForFinished(10000));
        const qint64 ms = t.elapsed();
        const QByteArray out = sweep.readAll();
        QVERIFY2(ms < 1000, qPrintable(QStringLiteral("took %1 ms").arg(ms)));
        QCOMPARE(sweep.exitStatus(), QProcess::NormalExit);
        QVERIFY2(sweep.exitCode() == 128 + sig, out.constData()); // 130 for SIGINT, 143 for SIGTERM
        QVERIFY2(out.contains("interrupted"), out.constData());
        QCOMPARE(entriesOf(scratch), QStringList());
        auto read = LogFolderReader().read(logs.toStdString());
        QVERIFY2(read.ok(), read.error().c_str());
        QCOMPARE(read->status, SweepStatus::Cancelled);
        QCOMPARE(logTempFiles(logs), QStringList());
    }

    // --- cancel -----------------------------------------------------------------

    void cancelReturnsWithinOneSecond_data() {
        QTest::addColumn<bool>("portable");
        QTest::addColumn<int>("delayMs");
        for (bool portable : {false, true})
            for (int delay : {0, 40, 230, 610, 1300})
                QTest::addRow("%s, after %d ms", portable ? "portable" : "auto", delay)
                    << portable << delay;
    }
    void cancelReturnsWithinOneSecond() {
        QFETCH(bool, portable);
        QFETCH(int, delayMs);
        QTemporaryDir scratch;
        QVERIFY(scratch.isValid());
        // Two quick points (1 MiB requests), then slow ones: 64 MiB in 4 KiB
        // requests, one at a time; 20 loops, so the cancel always lands mid-sweep.
        SweepSpec spec = smallSpec(scratch.path().toStdString(), 64 * MiB);
        spec.blockSizes = {1 * MiB, 4096};
        spec.queueDepths = {1, 2};
        spec.loops = 20;
        SweepRunner runner(spec, portable ? EngineKind::Portable : EngineKind::Auto);
        // Huge pages: first-touching 64 MiB of normal pages (the faithful
        // default) takes most of a second on a loaded 2-core machine, before
        // any transfer; this test is about stopping transfers.
        runner.setProfile(MeasurementProfile{PagePolicy::Huge, false, false});
        std::atomic<bool> cancel{false};
        std::atomic<int> samples{0};
        CallbackSink cb;
        cb.sample = [&](const SampleEvent&) { ++samples; };

        std::optional<Result<ResultSet>> result;
        std::chrono::steady_clock::time_point returned;
        std::thread worker([&] {
            result.emplace(runner.run({&cb}, &cancel));
            returned = std::chrono::steady_clock::now();
        });
        std::this_thread::sleep_for(std::chrono::milliseconds(delayMs));
        const auto cancelledAt = std::chrono::steady_clock::now();
        cancel.store(true);
        worker.join();
        const double seconds = std::chrono::duration<double>(returned - cancelledAt).count();
        qInfo("run() returned %.3f s after cancel, %d transfers finished", seconds, samples.load());
        QVERIFY2(seconds < 1.0, qPrintable(QStringLiteral("took %1 s").arg(seconds)));

        QVERIFY(result.has_value());
        QVERIFY2(result->ok(), result->error().c_str());
        const ResultSet& rs = result->value();
        QCOMPARE(rs.status, SweepStatus::Cancelled);
        int kept = 0;
        for (const auto& c : rs.configs)
            for (const auto& s : c.samples) {
                QVERIFY2(!s.failed(),
                         s.error.c_str()); // a cancelled transfer is dropped, not failed
                ++kept;
            }
        QCOMPARE(kept, samples.load());
        QCOMPARE(entriesOf(scratch.path()), QStringList());
    }

  private:
    // True once the log folder, read the way a user would, holds a point with
    // both figures. (Text logs of a point land just before sweep.json, which
    // the reader prefers, so the files alone would be a moment early.)
    static bool waitForFinishedPoint(const QString& logs, int timeoutMs) {
        QElapsedTimer t;
        t.start();
        while (t.elapsed() < timeoutMs) {
            if (auto read = LogFolderReader().read(logs.toStdString()))
                for (const auto& c : read->configs)
                    if (c.hasBoth()) return true;
            QThread::msleep(20);
        }
        return false;
    }

    static void checkAfterKill(const QString& scratch, const QString& logs) {
        QCOMPARE(entriesOf(scratch), QStringList());
        auto read = LogFolderReader().read(logs.toStdString());
        QVERIFY2(read.ok(), read.error().c_str());
        int finished = 0;
        for (const auto& c : read->configs)
            if (c.hasBoth()) ++finished;
        QVERIFY2(finished >= 1,
                 qPrintable(QStringLiteral("%1 configurations, none with both figures")
                                .arg(read->configs.size())));
        // Only a temporary file being written at the kill may remain beside the logs.
        QVERIFY(logTempFiles(logs).size() <= 1);
    }
};

QTEST_GUILESS_MAIN(TestFaults)
#include "test_faults.moc"
