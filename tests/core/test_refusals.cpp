// Never touch what is not ours: aiotune refuses devices, symlinks and plain
// files as target folders (without ever opening them), never overwrites a
// user's file without keeping the old bytes, and leaves foreign files in a log
// folder byte for byte as they were. Every refusal names the path.
#include "../tools/fault_env.h"

#include "config/deepspeed_config_merge.h"
#include "engine/scratch_file.h"
#include "results/log_folder_reader.h"
#include "results/log_folder_writer.h"
#include "sweep/sweep_runner.h"

#include <QCryptographicHash>
#include <QDirIterator>
#include <QFile>
#include <QMap>
#include <QRandomGenerator>
#include <QTemporaryDir>
#include <QtTest>

#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/un.h>

using namespace aiotune;
using namespace aiotune::testing;

namespace {

bool writeFile(const QString& path, const QByteArray& bytes) {
    QFile f(path);
    return f.open(QIODevice::WriteOnly) && f.write(bytes) == bytes.size();
}

QByteArray readFile(const QString& path) {
    QFile f(path);
    return f.open(QIODevice::ReadOnly) ? f.readAll() : QByteArray("<unreadable>");
}

// Relative path -> SHA-256 of every regular file below folder; links as their
// target text, anything else (devices, fifos, sockets) as its type and mode,
// which are never opened.
QMap<QString, QByteArray> snapshot(const QString& folder) {
    QMap<QString, QByteArray> out;
    QDirIterator it(folder, QDir::AllEntries | QDir::NoDotAndDotDot | QDir::Hidden | QDir::System,
                    QDirIterator::Subdirectories);
    while (it.hasNext()) {
        const QString path = it.next();
        const QString rel = QDir(folder).relativeFilePath(path);
        struct stat st {};
        if (::lstat(path.toLocal8Bit().constData(), &st) != 0) {
            out[rel] = "lstat failed";
        } else if (S_ISREG(st.st_mode)) {
            out[rel] = QCryptographicHash::hash(readFile(path), QCryptographicHash::Sha256).toHex();
        } else if (S_ISLNK(st.st_mode)) {
            out[rel] = "link:" + QFile::symLinkTarget(path).toUtf8();
        } else {
            out[rel] = "mode:" + QByteArray::number(st.st_mode, 8) +
                       " rdev:" + QByteArray::number(quint64(st.st_rdev));
        }
    }
    return out;
}

SweepSpec specFor(const std::string& folder) {
    SweepSpec spec;
    spec.folders = {folder};
    spec.blockSizes = {64 * 1024};
    spec.queueDepths = {1, 4};
    spec.ioSize = 2 << 20;
    return spec;
}

AioConfig tunedConfig() {
    AioConfig c;
    c.block_size = 262144;
    c.queue_depth = 32;
    c.intra_op_parallelism = 4;
    c.overlap_events = true;
    return c;
}

const QByteArray kUserConfig = R"({
  // my training run, hand-tuned
  "train_batch_size": 64,
  "aio": { "block_size": 1048576, "queue_depth": 8 },
  "zero_optimization": { "stage": 3 }
}
)";

} // namespace

class TestRefusals : public QObject {
    Q_OBJECT
  private slots:
    // --- target folders ---------------------------------------------------------

    void refusesWhatIsNoFolderOfOurs_data() {
        QTest::addColumn<QString>("kind");
        QTest::addColumn<QString>("expected");
        QTest::addRow("block device node (loop)") << "blockdev"
                                                  << "it is a device";
        QTest::addRow("the machine's disk /dev/vda") << "/dev/vda"
                                                     << "it is a device";
        QTest::addRow("/dev/loop0") << "/dev/loop0"
                                    << "it is a device";
        QTest::addRow("character device /dev/null") << "/dev/null"
                                                    << "it is a device";
        QTest::addRow("symlink to a folder") << "symlink-dir"
                                             << "symbolic link";
        QTest::addRow("symlink to a block device") << "symlink-dev"
                                                   << "symbolic link";
        QTest::addRow("dangling symlink") << "symlink-dangling"
                                          << "symbolic link";
        QTest::addRow("regular file") << "file"
                                      << "not a folder";
        QTest::addRow("fifo") << "fifo"
                              << "not a folder";
        QTest::addRow("unix socket") << "socket"
                                     << "not a folder";
        QTest::addRow("missing") << "missing"
                                 << "create the folder first";
    }
    void refusesWhatIsNoFolderOfOurs() {
        QFETCH(QString, kind);
        QFETCH(QString, expected);
        QTemporaryDir dir;
        QVERIFY(dir.isValid());
        QVERIFY(QDir(dir.path()).mkdir("real"));
        QString target = dir.filePath("target");
        const QByteArray target8 = target.toLocal8Bit();
        if (kind.startsWith('/')) {
            if (!QFileInfo::exists(kind)) QSKIP(qPrintable(kind + " does not exist here"));
            target = kind;
        } else if (kind == "blockdev") {
            if (!runningAsRoot()) QSKIP("mknod needs root");
            // A loop minor that does not exist: even a buggy open could not reach a disk.
            QCOMPARE(::mknod(target8.constData(), S_IFBLK | 0600, makedev(7, 250)), 0);
        } else if (kind == "symlink-dir") {
            QVERIFY(QFile::link(dir.filePath("real"), target));
        } else if (kind == "symlink-dev") {
            QVERIFY(QFile::link("/dev/null", target));
        } else if (kind == "symlink-dangling") {
            QVERIFY(QFile::link(dir.filePath("nowhere"), target));
        } else if (kind == "file") {
            QVERIFY(writeFile(target, "weeks of training data"));
        } else if (kind == "fifo") {
            QCOMPARE(::mkfifo(target8.constData(), 0600), 0);
        } else if (kind == "socket") {
            const int s = ::socket(AF_UNIX, SOCK_STREAM, 0);
            sockaddr_un addr{};
            addr.sun_family = AF_UNIX;
            if (target8.size() >= int(sizeof addr.sun_path))
                QSKIP("temporary path too long for a socket");
            std::memcpy(addr.sun_path, target8.constData(),
                        static_cast<std::size_t>(target8.size()));
            QCOMPARE(::bind(s, reinterpret_cast<sockaddr*>(&addr), sizeof addr), 0);
            ::close(s);
        }
        const auto before = snapshot(dir.path());
        const std::string path = target.toStdString();
        struct stat stBefore {};
        const bool existed = ::lstat(path.c_str(), &stBefore) == 0;

        const auto check = checkScratchFolder(path);
        QVERIFY(!check.ok());
        VERIFY_CONTAINS(check.error(), path);
        VERIFY_CONTAINS(check.error(), expected.toStdString());

        const auto file = ScratchFile::create(path, 4096);
        QVERIFY(!file.ok());
        QCOMPARE(file.error(), check.error());

        const SweepPlan plan = planSweep(specFor(path));
        QVERIFY(!plan.ok());
        QCOMPARE(plan.problem, check.error());
        QCOMPARE(plan.folders.at(0).problem, check.error());

        SweepRunner runner(specFor(path));
        const auto run = runner.run({});
        QVERIFY(!run.ok());
        QCOMPARE(run.error(), check.error());

        // Nothing changed: not the folder, not the target, not what a link points to.
        QCOMPARE(snapshot(dir.path()), before);
        if (existed) {
            struct stat stAfter {};
            QCOMPARE(::lstat(path.c_str(), &stAfter), 0);
            QCOMPARE(stAfter.st_mode, stBefore.st_mode);
            QCOMPARE(stAfter.st_size, stBefore.st_size);
            QCOMPARE(stAfter.st_mtim.tv_sec, stBefore.st_mtim.tv_sec);
            QCOMPARE(stAfter.st_mtim.tv_nsec, stBefore.st_mtim.tv_nsec);
        }
    }

    // One bad folder among good ones stops the whole sweep before it writes anywhere.
    void oneBadFolderStopsTheSweep() {
        QTemporaryDir dir;
        QVERIFY(QDir(dir.path()).mkdir("good"));
        QVERIFY(QFile::link(dir.filePath("good"), dir.filePath("link")));
        SweepSpec spec = specFor(dir.filePath("good").toStdString());
        spec.folders.push_back(dir.filePath("link").toStdString());
        const SweepPlan plan = planSweep(spec);
        QVERIFY(!plan.ok());
        VERIFY_CONTAINS(plan.problem, dir.filePath("link").toStdString());
        QVERIFY(plan.folders.at(0).problem.empty());
        SweepRunner runner(spec);
        QVERIFY(!runner.run({}).ok());
        QCOMPARE(entriesOf(dir.filePath("good")), QStringList());
    }

    // A log folder that is a file: refused, the file untouched.
    void logFolderThatIsAFile() {
        QTemporaryDir dir;
        QTemporaryDir scratch;
        const QString file = dir.filePath("results");
        QVERIFY(writeFile(file, "not a folder"));
        auto w = LogFolderWriter::create(file.toStdString(), "io_uring", nlohmann::json::object());
        QVERIFY(!w.ok());
        VERIFY_CONTAINS(w.error(), file.toStdString());
        SweepRunner runner(specFor(scratch.path().toStdString()));
        runner.setLogFolder(file.toStdString());
        const auto run = runner.run({});
        QVERIFY(!run.ok());
        VERIFY_CONTAINS(run.error(), file.toStdString());
        QCOMPARE(readFile(file), QByteArray("not a folder"));
        QCOMPARE(entriesOf(dir.path()), QStringList{"results"});
        QCOMPARE(entriesOf(scratch.path()), QStringList());
    }

    // --- exports ----------------------------------------------------------------

    void exportNeverOverwritesSilently() {
        QTemporaryDir dir;
        const QString target = dir.filePath("ds_aio.json");
        const QByteArray user = "{\"aio\": {\"block_size\": 4096}} // the user's own\n";
        QVERIFY(writeFile(target, user));

        auto refused = writeAioExportFile(target.toStdString(), tunedConfig());
        QVERIFY(!refused.ok());
        VERIFY_CONTAINS(refused.error(), target.toStdString());
        VERIFY_CONTAINS(refused.error(), "already exists");
        QCOMPARE(readFile(target), user);
        QCOMPARE(entriesOf(dir.path()), QStringList{"ds_aio.json"});

        auto first = writeAioExportFile(target.toStdString(), tunedConfig(), {}, true);
        QVERIFY2(first.ok(), first.error().c_str());
        QVERIFY(first->backup.has_value());
        QCOMPARE(QString::fromStdString(first->backup->string()), target + ".bak");
        QCOMPARE(readFile(target + ".bak"), user);
        const QByteArray exported = readFile(target);
        QCOMPARE(exported, QByteArray::fromStdString(aioExportText(tunedConfig())));

        // Again: the first backup stays, the second goes to .bak.1.
        AioConfig other = tunedConfig();
        other.queue_depth = 8;
        auto second = writeAioExportFile(target.toStdString(), other, {}, true);
        QVERIFY2(second.ok(), second.error().c_str());
        QCOMPARE(QString::fromStdString(second->backup.value().string()), target + ".bak.1");
        QCOMPARE(readFile(target + ".bak"), user);
        QCOMPARE(readFile(target + ".bak.1"), exported);
        QCOMPARE(entriesOf(dir.path()),
                 (QStringList{"ds_aio.json", "ds_aio.json.bak", "ds_aio.json.bak.1"}));
    }

    void exportRefusesLinksAndFolders_data() {
        QTest::addColumn<QString>("kind");
        QTest::addRow("symlink to a user file") << "link";
        QTest::addRow("a folder") << "folder";
        QTest::addRow("a device") << "device";
    }
    void exportRefusesLinksAndFolders() {
        QFETCH(QString, kind);
        QTemporaryDir dir;
        const QString userFile = dir.filePath("precious.json");
        QVERIFY(writeFile(userFile, kUserConfig));
        QString target = dir.filePath("export.json");
        if (kind == "link")
            QVERIFY(QFile::link(userFile, target));
        else if (kind == "folder")
            QVERIFY(QDir(dir.path()).mkdir("export.json"));
        else
            target = "/dev/null";
        const auto before = snapshot(dir.path());
        for (bool overwrite : {false, true}) {
            auto r = writeAioExportFile(target.toStdString(), tunedConfig(), {}, overwrite);
            QVERIFY(!r.ok());
            VERIFY_CONTAINS(r.error(), target.toStdString());
            auto m = mergeAioIntoConfigFile(target.toStdString(), tunedConfig());
            QVERIFY(!m.ok());
            VERIFY_CONTAINS(m.error(), target.toStdString());
        }
        QCOMPARE(snapshot(dir.path()), before);
        QCOMPARE(readFile(userFile), kUserConfig);
    }

    void mergeKeepsTheOriginalAsBackup() {
        QTemporaryDir dir;
        const QString config = dir.filePath("ds_config.json");
        QVERIFY(writeFile(config, kUserConfig));
        auto r = mergeAioIntoConfigFile(config.toStdString(), tunedConfig());
        QVERIFY2(r.ok(), r.error().c_str());
        QCOMPARE(QString::fromStdString(r->backup.value().string()), config + ".bak");
        QCOMPARE(readFile(config + ".bak"), kUserConfig);
        const QByteArray merged = readFile(config);
        QVERIFY(merged.contains("// my training run, hand-tuned"));
        QVERIFY(merged.contains("\"zero_optimization\": { \"stage\": 3 }"));
        QVERIFY(merged.contains("262144"));
        auto reparsed = parseDeepSpeedConfigText(merged.toStdString(), "merged");
        QVERIFY2(reparsed.ok(), reparsed.error().c_str());
        QCOMPARE(reparsed->config, tunedConfig());

        // A file edited between the preview and the write is not clobbered.
        AioConfig other = tunedConfig();
        other.queue_depth = 4;
        auto preview = previewAioMerge(config.toStdString(), other);
        QVERIFY2(preview.ok(), preview.error().c_str());
        const QByteArray edited = merged + "\n";
        QVERIFY(writeFile(config, edited));
        auto late = applyAioMerge(*preview);
        QVERIFY(!late.ok());
        VERIFY_CONTAINS(late.error(), config.toStdString());
        VERIFY_CONTAINS(late.error(), "changed since it was read");
        QCOMPARE(readFile(config), edited);
        QCOMPARE(entriesOf(dir.path()), (QStringList{"ds_config.json", "ds_config.json.bak"}));
    }

    // A config that is not JSON is refused, not "repaired".
    void mergeRefusesBrokenConfig() {
        QTemporaryDir dir;
        const QString config = dir.filePath("ds_config.json");
        const QByteArray broken = "{ \"train_batch_size\": 64, \"aio\": { \"block_size\": ";
        QVERIFY(writeFile(config, broken));
        auto r = mergeAioIntoConfigFile(config.toStdString(), tunedConfig());
        QVERIFY(!r.ok());
        VERIFY_CONTAINS(r.error(), config.toStdString());
        QCOMPARE(readFile(config), broken);
        QCOMPARE(entriesOf(dir.path()), QStringList{"ds_config.json"});
    }

    // --- log folders ------------------------------------------------------------

    // A sweep logging into a folder that already holds other things: every
    // foreign file keeps its bytes, and only log files and sweep.json are added.
    void logWriterKeepsForeignFiles() {
        QTemporaryDir dir;
        QTemporaryDir scratch;
        const QString logs = dir.path();
        QVERIFY(QDir(logs).mkpath("checkpoints/step_100"));
        QVERIFY(QDir(logs).mkpath(QString(kReadLogDir.data())));
        QByteArray weights(256 * 1024, Qt::Uninitialized);
        QRandomGenerator(42).fillRange(reinterpret_cast<quint32*>(weights.data()),
                                       weights.size() / 4);
        QVERIFY(writeFile(logs + "/checkpoints/step_100/model.bin", weights));
        QVERIFY(writeFile(logs + "/notes.txt", "do not delete\n"));
        QVERIFY(writeFile(logs + "/.hidden", "x"));
        // A file that is no log inside a log subfolder (a log would refuse the
        // folder: two sweeps never mix, see test_log_folder_writer).
        const QString oldNote = logs + "/" + kReadLogDir.data() + "/README.md";
        QVERIFY(writeFile(oldNote, "read logs of the last sweep\n"));
        QVERIFY(QFile::link(logs + "/notes.txt", logs + "/notes-link"));
        const auto before = snapshot(logs);

        SweepRunner runner(specFor(scratch.path().toStdString()));
        runner.setLogFolder(logs.toStdString());
        auto r = runner.run({});
        QVERIFY2(r.ok(), r.error().c_str());

        const auto after = snapshot(logs);
        for (auto it = before.begin(); it != before.end(); ++it)
            QVERIFY2(after.value(it.key()) == it.value(), qPrintable(it.key() + " changed"));
        // What was added is ours: the logs of the two points and sweep.json.
        QStringList added;
        for (auto it = after.begin(); it != after.end(); ++it)
            if (!before.contains(it.key())) added << it.key();
        added.sort();
        QStringList ours{QString(kWriteLogDir.data()),
                         QString(kReadLogDir.data()) + "/read_block_overlap_ftd1_d1_bs64K_p1.txt",
                         QString(kReadLogDir.data()) + "/read_block_overlap_ftd1_d4_bs64K_p1.txt",
                         QString(kWriteLogDir.data()) + "/write_block_overlap_ftd1_d1_bs64K_p1.txt",
                         QString(kWriteLogDir.data()) + "/write_block_overlap_ftd1_d4_bs64K_p1.txt",
                         "sweep.json"};
        ours.sort();
        QCOMPARE(added, ours);
        QCOMPARE(entriesOf(scratch.path()), QStringList());
    }
};

QTEST_GUILESS_MAIN(TestRefusals)
#include "test_refusals.moc"
