// `aiotune fleet` end to end with the real pdsh: `pdsh -R exec` runs each
// node's command on this machine with %h substituted, so three named nodes
// sweep their own small scratch folders into <shared>/<host>/. One node's
// scratch folder is missing: it fails and is reported while the others'
// results and the fleet pick stand. Also: refusals before any node is
// reached, an unreachable node (a stand-in ssh), srun when Slurm is present.
#include "fleet/fleet_answer.h"
#include "results/answer.h"
#include "results/log_folder_reader.h"

#include <QDir>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QtTest>

#include <unistd.h>

namespace {
struct Run {
    int code = -1;
    QByteArray out, err;
};

Run runAiotune(const QStringList& args, const QProcessEnvironment& env = QProcessEnvironment::systemEnvironment()) {
    QProcess p;
    p.setProcessEnvironment(env);
    p.start(AIOTUNE_CLI, args);
    p.waitForFinished(240000);
    return {p.exitStatus() == QProcess::NormalExit ? p.exitCode() : -1, p.readAllStandardOutput(),
            p.readAllStandardError()};
}

QJsonObject nodeOf(const QJsonObject& j, const QString& host) {
    for (const auto& n : j.value("nodes").toArray())
        if (n.toObject().value("host").toString() == host) return n.toObject();
    return {};
}

void writeScript(const QString& path, const QByteArray& body) {
    QFile f(path);
    QVERIFY(f.open(QIODevice::WriteOnly));
    f.write(body);
    f.close();
    f.setPermissions(QFile::ReadOwner | QFile::WriteOwner | QFile::ExeOwner);
}

// Tiny sweeps: two block sizes, two loops, 1 MiB per transfer.
const QStringList kSweep{"--io_size", "1M", "--block_size", "256K,1M", "--queue_depth", "4",
                         "--io_parallel", "1", "--single_submit", "false",
                         "--overlap_events", "true", "--loops", "2"};
} // namespace

class TestFleetRun : public QObject {
    Q_OBJECT
  private slots:
    void initTestCase() {
        if (QStandardPaths::findExecutable("pdsh").isEmpty())
            QSKIP("pdsh is not installed (apt install pdsh): the fleet run cannot be tested");
    }

    void threeNodesOneFailing() {
        QTemporaryDir tmp;
        QVERIFY(tmp.isValid());
        QDir(tmp.path()).mkpath("scratch/n1");
        QDir(tmp.path()).mkpath("scratch/n3"); // n2's is missing
        const QString shared = tmp.filePath("shared");
        const Run r = runAiotune(QStringList{"fleet", "--hosts", "n[1-3]", "--rcmd", "exec", "--aiotune", AIOTUNE_CLI,
                                          "--log_dir", shared, "--json", "--", "--nvme_dir",
                                          tmp.filePath("scratch") + "/%h"} +
                              kSweep);
        QVERIFY2(r.code == 1, r.err.constData()); // a node failed
        const QJsonObject j = QJsonDocument::fromJson(r.out).object();
        QVERIFY2(!j.isEmpty(), r.out.constData());
        QCOMPARE(nodeOf(j, "n1").value("state").toString(), QString("finished"));
        QCOMPARE(nodeOf(j, "n3").value("state").toString(), QString("finished"));
        QCOMPARE(nodeOf(j, "n2").value("state").toString(), QString("failed"));
        const QString why = nodeOf(j, "n2").value("error").toString();
        QVERIFY2(why.contains("exited with exit code 1") && why.contains(tmp.filePath("scratch/n2")), qPrintable(why));
        QVERIFY2(r.err.contains("n2: FAILED"), r.err.constData());
        QVERIFY2(r.err.contains("2 of 3 node(s) finished; failed: n2"), r.err.constData());

        QVERIFY(QFile::exists(shared + "/n1/sweep.json"));
        QVERIFY(QFile::exists(shared + "/n3/sweep.json"));
        QVERIFY(!QFile::exists(shared + "/n2/sweep.json"));
        // The nodes' scratch files are gone.
        QCOMPARE(QDir(tmp.filePath("scratch/n1")).entryList(QDir::Files | QDir::Hidden).size(), 0);

        // The pick: the highest worst-node figure, each node's figure its own answer's.
        const auto n1 = aiotune::LogFolderReader().read((shared + "/n1").toStdString());
        const auto n3 = aiotune::LogFolderReader().read((shared + "/n3").toStdString());
        // Every node's sweep.json records how it searched (a grid here: --loops).
        for (const auto* node : {&n1, &n3}) {
            QVERIFY(node->ok());
            QVERIFY((*node)->meta.contains("search"));
            QCOMPARE((*node)->meta.at("search").value("strategy", std::string()), (*node)->strategy);
        }
        QVERIFY(n1.ok() && n3.ok());
        QCOMPARE(n1->configsWithBoth(), 2);
        const aiotune::Answer a1 = aiotune::answerFor(*n1), a3 = aiotune::answerFor(*n3);
        double bestMin = -1;
        qint64 bestBlock = 0;
        QString worst;
        for (const auto& c : n1->configs) {
            const auto* s1 = a1.standing(c.key);
            const auto* s3 = a3.standing(c.key);
            QVERIFY(s1 && s3 && s1->gibps && s3->gibps);
            const double m = std::min(*s1->gibps, *s3->gibps);
            if (m > bestMin) {
                bestMin = m;
                bestBlock = static_cast<qint64>(c.key.aio.block_size);
                worst = *s1->gibps <= *s3->gibps ? "n1" : "n3";
            }
        }
        const QJsonObject fleet = j.value("fleet").toObject();
        QCOMPARE(fleet.value("aio").toObject().value("block_size").toInteger(), bestBlock);
        QCOMPARE(fleet.value("worst_host").toString(), worst);
        QVERIFY(qFuzzyCompare(fleet.value("min_combined").toDouble(), bestMin));
        QCOMPARE(fleet.value("measured_everywhere").toInt(), 2);
        // Stored beside the host folders, for the run's finished hosts.
        const auto stored = aiotune::readFleetFile(shared.toStdString());
        QVERIFY2(stored.ok() && stored->has_value(), stored.ok() ? "no fleet.json" : stored.error().c_str());
        QCOMPARE((*stored)->hosts, (std::vector<std::string>{"n1", "n3"}));
        QCOMPARE(static_cast<qint64>((*stored)->best.aio.block_size), bestBlock);
        QCOMPARE(j.value("hosts").toArray().size(), 2);
        QVERIFY(j.value("outliers").isArray());

        // The same folder read back by `aiotune analyze` gives the same pick.
        const Run a = runAiotune({"analyze", "--log_dir", shared, "--json"});
        QVERIFY2(a.code == 0, a.err.constData());
        const QJsonObject aj = QJsonDocument::fromJson(a.out).object();
        QCOMPARE(aj.value("fleet").toObject().value("aio"), fleet.value("aio"));
    }

    // The fleet's one seed reaches every node's adaptive search and is kept
    // in its sweep.json (meta "search"), so the nodes can be replayed alike.
    void seedIsRecordedOnEveryNode() {
        QTemporaryDir tmp;
        QVERIFY(tmp.isValid());
        QDir(tmp.path()).mkpath("scratch/n1");
        QDir(tmp.path()).mkpath("scratch/n2");
        const QString shared = tmp.filePath("shared");
        const Run r = runAiotune({"fleet", "--hosts", "n[1-2]", "--rcmd", "exec", "--aiotune", AIOTUNE_CLI, "--log_dir",
                                  shared, "--seed", "7", "--", "--nvme_dir", tmp.filePath("scratch") + "/%h",
                                  "--io_size", "1M", "--block_size", "256K,1M", "--queue_depth", "4", "--io_parallel",
                                  "1", "--single_submit", "false", "--overlap_events", "true", "--no-confirm"});
        QVERIFY2(r.code == 0, r.err.constData());
        for (const QString host : {"n1", "n2"}) {
            const auto node = aiotune::LogFolderReader().read((shared + "/" + host).toStdString());
            QVERIFY2(node.ok(), node.ok() ? "" : node.error().c_str());
            const auto& search = node->meta.at("search");
            QCOMPARE(search.value("strategy", std::string()), std::string("adaptive"));
            QCOMPARE(search.value("seed", -1), 7);
            QCOMPARE(search.value("tolerance", 0.0), 0.03);
        }
        // Run again into the same folder: refused before any node starts, and
        // the stored fleet answer is left as it was (it was rewritten as an
        // answer of no nodes).
        QFile stored(shared + "/fleet.json");
        QVERIFY(stored.open(QIODevice::ReadOnly));
        const QByteArray before = stored.readAll();
        stored.close();
        const Run again = runAiotune({"fleet", "--hosts", "n[1-2]", "--rcmd", "exec", "--aiotune", AIOTUNE_CLI,
                                      "--log_dir", shared, "--", "--nvme_dir", tmp.filePath("scratch") + "/%h",
                                      "--io_size", "1M", "--block_size", "256K,1M", "--queue_depth", "4",
                                      "--io_parallel", "1", "--single_submit", "false", "--overlap_events", "true"});
        QCOMPARE(again.code, 2);
        QVERIFY2(again.err.contains("already holds a sweep's logs") && again.err.contains("node n1"),
                 again.err.constData());
        QVERIFY(stored.open(QIODevice::ReadOnly));
        QCOMPARE(stored.readAll(), before);
    }

    void nodeWithAnotherVersion() {
        QTemporaryDir tmp;
        const QString fake = tmp.filePath("old-aiotune");
        writeScript(fake, "#!/bin/sh\necho 'aiotune 0.0.1'\n");
        const Run r = runAiotune({"fleet", "--hosts", "a,b", "--rcmd", "exec", "--aiotune", fake, "--log_dir",
                               tmp.filePath("shared"), "--", "--nvme_dir", tmp.path()});
        QCOMPARE(r.code, 1);
        QVERIFY2(r.err.contains("a: FAILED: " + fake.toUtf8() + " on this node is 'aiotune 0.0.1', expected aiotune "),
                 r.err.constData());
        QVERIFY(r.err.contains("b: FAILED"));
        QVERIFY(r.err.contains("0 of 2 node(s) ready"));
        QVERIFY(!QDir(tmp.filePath("shared/a")).exists()); // no sweep started
    }

    void nodeWithoutAiotune() {
        QTemporaryDir tmp;
        const Run r = runAiotune({"fleet", "--hosts", "a", "--rcmd", "exec", "--aiotune", "/nonexistent/aiotune",
                               "--log_dir", tmp.filePath("shared"), "--", "--nvme_dir", tmp.path()});
        QCOMPARE(r.code, 1);
        QVERIFY2(r.err.contains("a: FAILED: cannot run /nonexistent/aiotune on this node"), r.err.constData());
    }

    void sharedFolderNotWritable() {
        if (::geteuid() == 0) QSKIP("root writes into a read-only folder: run as a user to test this");
        QTemporaryDir tmp;
        const QString shared = tmp.filePath("shared");
        QDir().mkpath(shared);
        QFile::setPermissions(shared, QFile::ReadOwner | QFile::ExeOwner);
        const Run r = runAiotune({"fleet", "--hosts", "a", "--rcmd", "exec", "--aiotune", AIOTUNE_CLI, "--log_dir",
                               shared, "--", "--nvme_dir", tmp.path()});
        QFile::setPermissions(shared, QFile::ReadOwner | QFile::WriteOwner | QFile::ExeOwner);
        QCOMPARE(r.code, 1);
        QVERIFY2(r.err.contains("is not writable from this node"), r.err.constData());
    }

    // pdsh -R ssh through a stand-in ssh: one node answers, one is unreachable.
    void unreachableNode() {
        QTemporaryDir tmp;
        writeScript(tmp.filePath("ssh"),
                    "#!/bin/sh\n"
                    "# pdsh calls: ssh [options] HOST COMMAND; run COMMAND here unless HOST is 'down'\n"
                    "for a; do shift; case \"$a\" in -*) ;; *) host=$a; break;; esac; done\n"
                    "[ \"$host\" = down ] && { echo \"ssh: connect to host down port 22: No route to host\" >&2; exit 255; }\n"
                    "exec sh -c \"$*\"\n");
        QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
        env.insert("PATH", tmp.path() + ":" + env.value("PATH"));
        QDir(tmp.path()).mkpath("scratch");
        const Run r = runAiotune(QStringList{"fleet", "--hosts", "up,down", "--aiotune", AIOTUNE_CLI, "--log_dir",
                                          tmp.filePath("shared"), "--json", "--", "--nvme_dir",
                                          tmp.filePath("scratch")} +
                                  kSweep,
                              env);
        QCOMPARE(r.code, 1);
        const QJsonObject j = QJsonDocument::fromJson(r.out).object();
        QCOMPARE(nodeOf(j, "up").value("state").toString(), QString("finished"));
        QCOMPARE(nodeOf(j, "down").value("state").toString(), QString("failed"));
        const QString why = nodeOf(j, "down").value("error").toString();
        QVERIFY2(why.contains("No route to host"), qPrintable(why));
        QVERIFY2(r.err.contains("down: FAILED: ") && r.err.contains("1 of 2 node(s) ready"), r.err.constData());
        QVERIFY(QFile::exists(tmp.filePath("shared/up/sweep.json")));
        QVERIFY(!j.value("fleet").toObject().value("aio").isNull());
    }

    void refusalsBeforeAnyNode_data() {
        QTest::addColumn<QStringList>("args");
        QTest::addColumn<bool>("noPdsh");
        QTest::addColumn<int>("code");
        QTest::addColumn<QString>("inMessage");
        QTest::addRow("bad host list") << QStringList{"--hosts", "node[3-1]", "--log_dir", "/tmp/x"} << false << 2
                                       << "range '3-1' runs backwards";
        QTest::addRow("no hosts") << QStringList{"--log_dir", "/tmp/x"} << false << 2 << "--hostfile FILE or --hosts";
        QTest::addRow("both") << QStringList{"--hosts", "a", "--hostfile", "/etc/hosts", "--log_dir", "/tmp/x"}
                              << false << 2 << "excludes";
        QTest::addRow("missing hostfile") << QStringList{"--hostfile", "/nonexistent/hf", "--log_dir", "/tmp/x"}
                                          << false << 2 << "/nonexistent/hf does not exist";
        QTest::addRow("no log dir") << QStringList{"--hosts", "a"} << false << 2 << "--log_dir";
        QTest::addRow("log dir in sweep args")
            << QStringList{"--hosts", "a", "--log_dir", "/tmp/x", "--", "--log_dir", "/y"} << false << 2
            << "--log_dir is set by aiotune fleet";
        QTest::addRow("seed in sweep args")
            << QStringList{"--hosts", "a", "--log_dir", "/tmp/x", "--", "--nvme_dir", "/nvme", "--seed", "3"} << false
            << 2 << "one seed for all: give aiotune fleet --seed N";
        QTest::addRow("pdsh missing") << QStringList{"--hosts", "a", "--log_dir", "/tmp/x", "--", "--nvme_dir", "/nvme"}
                                      << true << 1 << "pdsh is not installed here";
        QTest::addRow("bad sweep argument")
            << QStringList{"--hosts", "a", "--log_dir", "/tmp/x", "--", "--nvme_dir", "/nvme", "--queue_depth", "0"}
            << false << 2 << "before launching";
        QTest::addRow("no nvme_dir") << QStringList{"--hosts", "a", "--log_dir", "/tmp/x"} << false << 2
                                     << "--nvme_dir is required";
        QTest::addRow("bad launcher") << QStringList{"--hosts", "a", "--log_dir", "/tmp/x", "--launcher", "mpirun"}
                                      << false << 2 << "--launcher";
    }
    void refusalsBeforeAnyNode() {
        QFETCH(QStringList, args);
        QFETCH(bool, noPdsh);
        QFETCH(int, code);
        QFETCH(QString, inMessage);
        QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
        if (noPdsh) env.insert("PATH", "/nonexistent");
        const Run r = runAiotune(QStringList{"fleet"} + args, env);
        QCOMPARE(r.code, code);
        QVERIFY2(r.err.contains(inMessage.toUtf8()), r.err.constData());
    }

    void dryRunShowsBothLaunchers() {
        Run r = runAiotune({"fleet", "--hosts", "gpu[01-02]", "--log_dir", "/shared/aio", "--dry_run", "--", "--nvme_dir",
                         "/local nvme"});
        QCOMPARE(r.code, 0);
        const QList<QByteArray> lines = r.out.trimmed().split('\n');
        QCOMPARE(lines.size(), 2);
        QVERIFY2(lines[1].startsWith("pdsh -R ssh -f 2 -w gpu01,gpu02 'sh -c '"), lines[1].constData());
        QVERIFY(lines[1].contains("/shared/aio"));
        // One seed for every node (0 unless given): their searches screen the same half.
        QVERIFY2(lines[1].contains(" --seed 0"), lines[1].constData());
        r = runAiotune({"fleet", "--hosts", "gpu[01-02]", "--log_dir", "/shared/aio", "--seed", "7", "--dry_run", "--",
                        "--nvme_dir", "/local_nvme"});
        QCOMPARE(r.code, 0);
        QVERIFY2(r.out.contains(" --seed 7") && !r.out.contains("--seed 0"), r.out.constData());
        r = runAiotune({"fleet", "--launcher", "srun", "--hosts", "gpu[01-02]", "--log_dir", "/shared/aio", "--dry_run",
                        "--", "--nvme_dir", "/local_nvme"});
        QCOMPARE(r.code, 0);
        // One srun step per node, all started by one shell.
        QVERIFY2(r.out.startsWith("sh -c 's=$1; shift; for h; do srun --nodes=1 --ntasks=1 --nodelist=\"$h\" "),
                 r.out.constData());
        QVERIFY2(r.out.trimmed().endsWith(" gpu01 gpu02"), r.out.constData());
    }

    void srunInsideAnAllocation() {
        if (QStandardPaths::findExecutable("srun").isEmpty() || qEnvironmentVariableIsEmpty("SLURM_JOB_ID"))
            QSKIP("no Slurm here (srun and an allocation): the srun launcher is covered by its command lines only");
        QTemporaryDir tmp;
        QDir(tmp.path()).mkpath("scratch");
        const Run r = runAiotune(QStringList{"fleet", "--launcher", "srun", "--aiotune", AIOTUNE_CLI, "--log_dir",
                                          tmp.filePath("shared"), "--json", "--", "--nvme_dir", tmp.filePath("scratch")} +
                              kSweep);
        QVERIFY2(r.code == 0, r.err.constData());
        const QJsonObject j = QJsonDocument::fromJson(r.out).object();
        QVERIFY(!j.value("fleet").toObject().value("aio").isNull());
    }
};

QTEST_GUILESS_MAIN(TestFleetRun)
#include "test_fleet_run.moc"
