// `aiotune fleet --launcher srun` on a real Slurm: a throwaway cluster of
// three nodes on this machine (throwaway_slurm.sh: munged, slurmctld, one
// slurmd per node), driven with the README's own Slurm lines: salloc, an
// sbatch script, and scancel of one node's sweep. Needs root (the daemons);
// CI runs as root.
#include "results/log_folder_reader.h"

#include <QDir>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QRegularExpression>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QThread>
#include <QtTest>

#include <unistd.h>

namespace {

const QString kScript = QStringLiteral(AIOTUNE_TESTS_DIR "/core/throwaway_slurm.sh");
const QString kReadme = QStringLiteral(AIOTUNE_TESTS_DIR "/../README.md");

struct Run {
    int code = -1;
    QByteArray out, err;
};

// Tiny sweeps: two configurations, 1 MiB per transfer.
QString tinySweep(int loops) {
    return "--io_size 1M --block_size 256K,1M --queue_depth 4 --io_parallel 1 --single_submit "
           "false "
           "--overlap_events true --search grid --loops " +
           QString::number(loops);
}

QJsonObject nodeOf(const QJsonObject& j, const QString& host) {
    for (const auto& n : j.value("nodes").toArray())
        if (n.toObject().value("host").toString() == host) return n.toObject();
    return {};
}

// The README's Slurm lines: the salloc line and the sbatch script.
QString readmeSallocLine(const QString& readme) {
    for (const QString& line : readme.split('\n'))
        if (line.trimmed().startsWith("salloc ") && line.contains("aiotune fleet --launcher srun"))
            return line.trimmed();
    return {};
}
QString readmeSbatchScript(const QString& readme) {
    QStringList script;
    for (const QString& line : readme.split('\n')) {
        if (script.isEmpty() && line.trimmed() != "#!/bin/sh") continue;
        if (!script.isEmpty() && !line.startsWith("    ")) break;
        script << line.trimmed();
    }
    return script.join('\n') + "\n";
}
QString readmeScancelLine(const QString& readme) {
    for (const QString& line : readme.split('\n'))
        if (line.trimmed().startsWith("scancel ")) return line.trimmed();
    return {};
}

} // namespace

class TestFleetSlurm : public QObject {
    Q_OBJECT
  private:
    QTemporaryDir m_tmp;
    QString m_cluster, m_shared;
    QProcessEnvironment m_env;
    bool m_up = false;

    Run run(const QString& program, const QStringList& args, int timeoutMs = 120000) {
        QProcess p;
        p.setProcessEnvironment(m_env);
        p.setWorkingDirectory(m_tmp.path());
        p.start(program, args);
        if (!p.waitForFinished(timeoutMs)) {
            p.kill();
            p.waitForFinished(5000);
        }
        return {p.exitStatus() == QProcess::NormalExit ? p.exitCode() : -1,
                p.readAllStandardOutput(), p.readAllStandardError()};
    }
    Run shell(const QString& line, int timeoutMs = 120000) {
        return run("sh", {"-c", line}, timeoutMs);
    }

    // Checks one node's sweep folder: labelled, complete, both configurations.
    void checkNodeSweep(const QString& shared, const QString& host, aiotune::SweepStatus status) {
        const auto rs = aiotune::LogFolderReader().read((shared + "/" + host).toStdString());
        QVERIFY2(rs.ok(), rs.error().c_str());
        QCOMPARE(QString::fromStdString(rs->host), host);
        QCOMPARE(rs->status, status);
        if (status == aiotune::SweepStatus::Finished) QCOMPARE(rs->configsWithBoth(), 2);
    }

    // The fleet's JSON: every node's state, and a pick over the finished ones.
    void checkFleet(const QJsonObject& j, const QString& shared, const QStringList& finished) {
        for (const QString& host : finished) {
            QCOMPARE(nodeOf(j, host).value("state").toString(), QString("finished"));
            checkNodeSweep(shared, host, aiotune::SweepStatus::Finished);
        }
        QCOMPARE(j.value("hosts").toArray().size(), finished.size());
        const QJsonObject fleet = j.value("fleet").toObject();
        QVERIFY2(fleet.value("aio").isObject(), QJsonDocument(j).toJson().constData());
        QVERIFY(finished.contains(fleet.value("worst_host").toString()));
        // `aiotune analyze` reads the same answer back from the folder (fleet.json).
        const Run a = run(AIOTUNE_CLI, {"analyze", "--log_dir", shared, "--json"});
        const QJsonObject aj = QJsonDocument::fromJson(a.out).object();
        QCOMPARE(aj.value("fleet").toObject().value("aio"), fleet.value("aio"));
    }

  private slots:
    void initTestCase() {
        if (::geteuid() != 0)
            QSKIP(
                "needs root to start its own munged, slurmctld and slurmd: run as root (CI does)");
        for (const char* p :
             {"munged", "slurmctld", "slurmd", "srun", "salloc", "sbatch", "scancel", "squeue"})
            QVERIFY2(!QStandardPaths::findExecutable(p).isEmpty(),
                     qPrintable(QString(p) + " is not installed: run packaging/install-deps.sh"));
        QVERIFY(m_tmp.isValid());
        m_cluster = m_tmp.filePath("cluster");
        m_shared = m_tmp.filePath("shared");
        // Our own cluster only, even when the tests run inside a real Slurm job.
        m_env = QProcessEnvironment::systemEnvironment();
        for (const QString& k : m_env.keys())
            if (k.startsWith("SLURM_") || k.startsWith("SALLOC_") || k.startsWith("SBATCH_") ||
                k.startsWith("SRUN_"))
                m_env.remove(k);
        m_env.insert("SLURM_CONF", m_cluster + "/slurm.conf");
        // The nodes share this machine, so each gets its own scratch folder
        // (a real node has its own /local_nvme): `aiotune` on PATH is the
        // aiotune under test with %h in a sweep's arguments set to the node.
        QDir(m_tmp.path()).mkpath("bin");
        for (const char* n : {"n1", "n2", "n3"})
            QDir(m_tmp.path()).mkpath(QString("scratch/") + n);
        QFile w(m_tmp.filePath("bin/aiotune"));
        QVERIFY(w.open(QIODevice::WriteOnly));
        w.write("#!/bin/sh\n"
                "if [ \"$1\" = sweep ] && [ -n \"$SLURMD_NODENAME\" ]; then\n"
                "  for a; do shift; set -- \"$@\" \"$(printf '%s' \"$a\" | sed "
                "\"s/%h/$SLURMD_NODENAME/g\")\"; done\n"
                "fi\n"
                "exec " AIOTUNE_CLI " \"$@\"\n");
        w.close();
        w.setPermissions(QFile::ReadOwner | QFile::WriteOwner | QFile::ExeOwner);
        m_env.insert("PATH", m_tmp.filePath("bin") + ":" + m_env.value("PATH"));

        const Run up = run("sh", {kScript, "start", m_cluster, "3"}, 60000);
        m_up = up.code == 0;
        QVERIFY2(m_up, up.err.constData());
    }

    void cleanupTestCase() {
        if (!m_up) return;
        m_up = false;
        const Run down = run("sh", {kScript, "stop", m_cluster}, 60000);
        QVERIFY2(down.code == 0, down.err.constData());
        QVERIFY(!QDir(m_cluster).exists());
    }

  public:
    // Should cleanupTestCase not run, the daemons still go.
    ~TestFleetSlurm() override {
        if (m_up) QProcess::execute("sh", {kScript, "stop", m_cluster});
    }

  private slots:

    // salloc: the README's line, with this machine's paths and a tiny sweep.
    void fleetThroughSalloc() {
        QFile f(kReadme);
        QVERIFY(f.open(QIODevice::ReadOnly));
        QString line = readmeSallocLine(QString::fromUtf8(f.readAll()));
        QVERIFY2(line.contains("--nodes=8") && line.contains("/shared/aio") &&
                     line.contains("--nvme_dir /local_nvme"),
                 qPrintable("README's salloc line changed: " + line));
        const QString shared = m_shared + "/salloc";
        line.replace("--nodes=8", "--nodes=3")
            .replace("/shared/aio", shared)
            .replace("--nvme_dir /local_nvme",
                     "--nvme_dir " + m_tmp.filePath("scratch") + "/%h " + tinySweep(2));
        line.replace("aiotune fleet ", "aiotune fleet --json ");
        const Run r = shell(line);
        QVERIFY2(r.code == 0, (line + "\n" + r.err).toUtf8().constData());
        QVERIFY2(r.err.contains("3 of 3 node(s) finished"), r.err.constData());
        const QJsonObject j = QJsonDocument::fromJson(r.out).object();
        QVERIFY2(!j.isEmpty(), r.out.constData());
        checkFleet(j, shared, {"n1", "n2", "n3"});
        // Progress came from the nodes' event streams.
        QVERIFY2(QRegularExpression("n[123]: \\[\\d+/\\d+\\] ")
                     .match(QString::fromUtf8(r.err))
                     .hasMatch(),
                 r.err.constData());
    }

    // sbatch: the README's script as it is, but three nodes and this machine's paths.
    void fleetThroughSbatch() {
        QFile f(kReadme);
        QVERIFY(f.open(QIODevice::ReadOnly));
        QString script = readmeSbatchScript(QString::fromUtf8(f.readAll()));
        QVERIFY2(script.contains("#SBATCH --nodes=8\n") && script.contains("/shared/aio") &&
                     script.contains("--nvme_dir /local_nvme") && script.contains("> fleet.json"),
                 qPrintable("README's sbatch script changed:\n" + script));
        const QString shared = m_shared + "/sbatch";
        script.replace("#SBATCH --nodes=8", "#SBATCH --nodes=3")
            .replace("/shared/aio", shared)
            .replace("--nvme_dir /local_nvme",
                     "--nvme_dir " + m_tmp.filePath("scratch") + "/%h " + tinySweep(2));
        QFile s(m_tmp.filePath("fleet.sh"));
        QVERIFY(s.open(QIODevice::WriteOnly));
        s.write(script.toUtf8());
        s.close();
        const Run r = run("sbatch", {"--wait", "--output=" + m_tmp.filePath("sbatch.out"),
                                     m_tmp.filePath("fleet.sh")});
        QFile out(m_tmp.filePath("sbatch.out"));
        out.open(QIODevice::ReadOnly);
        const QByteArray log = out.readAll();
        QVERIFY2(r.code == 0, (r.err + "\n" + log).constData());
        QVERIFY2(log.contains("3 of 3 node(s) finished"), log.constData());
        QFile result(m_tmp.filePath("fleet.json")); // the script writes it in its working folder
        QVERIFY(result.open(QIODevice::ReadOnly));
        const QJsonObject j = QJsonDocument::fromJson(result.readAll()).object();
        QVERIFY(!j.isEmpty());
        checkFleet(j, shared, {"n1", "n2", "n3"});
    }

    // scancel of one node's step (the README's line): that node is cancelled
    // and keeps what it measured, the others finish and make the pick.
    void scancelOneNode() {
        QFile f(kReadme);
        QVERIFY(f.open(QIODevice::ReadOnly));
        const QString readme = QString::fromUtf8(f.readAll());
        QString cancel = readmeScancelLine(readme);
        QVERIFY2(cancel.contains("JOBID.STEP"),
                 qPrintable("README's scancel line changed: " + cancel));
        QString line = readmeSallocLine(readme);
        const QString shared = m_shared + "/cancel";
        line.replace("--nodes=8", "--nodes=3")
            .replace("/shared/aio", shared)
            .replace("--nvme_dir /local_nvme",
                     "--nvme_dir " + m_tmp.filePath("scratch") + "/%h " + tinySweep(150));
        QProcess fleet;
        fleet.setProcessEnvironment(m_env);
        fleet.setWorkingDirectory(m_tmp.path());
        line.replace("aiotune fleet ", "aiotune fleet --json ");
        fleet.start("sh", {"-c", line});
        QVERIFY(fleet.waitForStarted());
        // Once n2 measures, its step is the newest one named aiotune-n2.
        QString step;
        for (int i = 0; i < 600 && step.isEmpty(); ++i) {
            QThread::msleep(100);
            if (!QFile::exists(shared + "/n2/sweep.json")) continue;
            const Run q = run("squeue", {"-s", "-h", "-o", "%i %j"});
            for (const QString& l : QString::fromUtf8(q.out).split('\n', Qt::SkipEmptyParts)) {
                const QStringList f = l.split(' ');
                // The newest: the check stage's step of the same name may linger.
                if (f.size() == 2 && f[1] == "aiotune-n2" &&
                    (step.isEmpty() || f[0].section('.', 1).toInt() > step.section('.', 1).toInt()))
                    step = f[0];
            }
        }
        QVERIFY2(!step.isEmpty(), "n2's sweep step never showed in squeue");
        cancel.replace("JOBID.STEP", step);
        // Slurm 22.05's scancel delivers a signal to a step and then exits 225
        // with "Kill job error on job step id N: Invalid job id specified"
        // (checked by hand): its effect is what counts.
        const Run c = shell(cancel);
        QVERIFY2(c.code == 0 || c.err.contains("Invalid job id specified"), c.err.constData());
        QVERIFY(fleet.waitForFinished(180000));
        const QByteArray err = fleet.readAllStandardError();
        QCOMPARE(fleet.exitCode(), 1); // not every node finished
        const QJsonObject j = QJsonDocument::fromJson(fleet.readAllStandardOutput()).object();
        QVERIFY2(!j.isEmpty(), err.constData());
        QCOMPARE(nodeOf(j, "n2").value("state").toString(), QString("cancelled"));
        QVERIFY2(err.contains("2 of 3 node(s) finished; cancelled: n2"), err.constData());
        checkNodeSweep(shared, "n2", aiotune::SweepStatus::Cancelled);
        // fleet.json names the run's finished hosts (n1, n3): `aiotune analyze`
        // gives that answer and lists n2's partial sweep as not part of it.
        checkFleet(j, shared, {"n1", "n3"});
        const Run a = run(AIOTUNE_CLI, {"analyze", "--log_dir", shared, "--json"});
        const QJsonObject aj = QJsonDocument::fromJson(a.out).object();
        QCOMPARE(aj.value("not_in_run").toArray(), (QJsonArray{"n2"}));
        QVERIFY2(aj.value("answer").toObject().value("shared_drive_note").toString().contains("n1, n3"),
                 a.out.constData());
        // n1 and n3 measured one drive of this machine at once (seconds each):
        // not separate nodes, so neither is called an outlier.
        const QJsonArray drives = j.value("shared_drives").toArray();
        QCOMPARE(drives.size(), 1);
        QCOMPARE(drives[0].toObject().value("hosts").toArray(), (QJsonArray{"n1", "n3"}));
        QVERIFY(j.value("outliers").toArray().isEmpty());
    }
};

QTEST_GUILESS_MAIN(TestFleetSlurm)
#include "test_fleet_slurm.moc"
