// Fleet plumbing without nodes: host lists, DeepSpeed hostfiles, the pdsh and
// srun command lines (also run through a real shell), and reading launcher output.
#include "fleet/fleet_launch.h"
#include "fleet/fleet_monitor.h"
#include "fleet/host_list.h"
#include "fleet/hostfile.h"

#include <QProcess>
#include <QTemporaryDir>
#include <QtTest>

using namespace aiotune;

Q_DECLARE_METATYPE(std::vector<std::string>)

namespace {
std::vector<std::string> words(const QString& s) {
    std::vector<std::string> out;
    for (const auto& w : s.split(' ', Qt::SkipEmptyParts)) out.push_back(w.toStdString());
    return out;
}
} // namespace

class TestFleet : public QObject {
    Q_OBJECT
  private slots:
    void expandsHostLists_data() {
        QTest::addColumn<QString>("list");
        QTest::addColumn<QString>("hosts");
        QTest::addRow("plain") << "node1" << "node1";
        QTest::addRow("commas") << "a,b,c" << "a b c";
        QTest::addRow("range") << "node[1-3]" << "node1 node2 node3";
        QTest::addRow("range and single") << "node[1-3,10]" << "node1 node2 node3 node10";
        QTest::addRow("zero padded") << "gpu[08-11]" << "gpu08 gpu09 gpu10 gpu11";
        QTest::addRow("suffix") << "n[1-2]-ib" << "n1-ib n2-ib";
        QTest::addRow("two groups") << "r[1-2]n[1-2]" << "r1n1 r1n2 r2n1 r2n2";
        QTest::addRow("mixed") << "login,node[2-3],x.y" << "login node2 node3 x.y";
        QTest::addRow("duplicates dropped") << "a,node[1-2],node1,a" << "a node1 node2";
    }
    void expandsHostLists() {
        QFETCH(QString, list);
        QFETCH(QString, hosts);
        const auto r = expandHostList(list.toStdString());
        QVERIFY2(r.ok(), r.error().c_str());
        QCOMPARE(*r, words(hosts));
    }

    void refusesBadHostLists_data() {
        QTest::addColumn<QString>("list");
        QTest::addColumn<QString>("inMessage");
        QTest::addRow("empty") << "" << "empty";
        QTest::addRow("unclosed") << "node[1-3" << "never closed";
        QTest::addRow("stray close") << "node1-3]" << "']' without '['";
        QTest::addRow("nested") << "n[1[2]]" << "nested";
        QTest::addRow("backwards") << "node[3-1]" << "runs backwards";
        QTest::addRow("letters in range") << "node[a-c]" << "not a number";
        QTest::addRow("empty range") << "node[]" << "not a number";
        QTest::addRow("empty name") << "a,,b" << "empty name";
        QTest::addRow("shell characters") << "node1;rm" << "not a host name";
        QTest::addRow("space") << "node 1" << "not a host name";
        QTest::addRow("option-like") << "-oProxyCommand=x" << "not a host name";
        QTest::addRow("huge") << "n[1-99999999]" << "more than";
        QTest::addRow("huge product") << "a[1-1000]b[1-1000]" << "more than";
    }
    void refusesBadHostLists() {
        QFETCH(QString, list);
        QFETCH(QString, inMessage);
        const auto r = expandHostList(list.toStdString());
        QVERIFY(!r.ok());
        QVERIFY2(QString::fromStdString(r.error()).contains(inMessage), r.error().c_str());
    }

    void parsesDeepSpeedHostfiles() {
        const auto r = parseHostfile("# DeepSpeed hostfile\n"
                                     "worker-1 slots=8\n"
                                     "\n"
                                     "  worker-2   slots=4   # second box\n"
                                     "worker-3\n",
                                     "hosts.txt");
        QVERIFY2(r.ok(), r.error().c_str());
        QCOMPARE(r->size(), 3u);
        QCOMPARE((*r)[0], (HostfileEntry{"worker-1", 8}));
        QCOMPARE((*r)[1], (HostfileEntry{"worker-2", 4}));
        QCOMPARE((*r)[2], (HostfileEntry{"worker-3", 1}));
    }

    void refusesBadHostfiles_data() {
        QTest::addColumn<QString>("text");
        QTest::addColumn<QString>("inMessage");
        QTest::addRow("no hosts") << "# only a comment\n\n" << "lists no host";
        QTest::addRow("bad slots") << "a slots=x\n" << "line 1: 'slots=x'";
        QTest::addRow("zero slots") << "a slots=0\n" << "slots=N";
        QTest::addRow("not slots") << "a\nb gpus=2\n" << "line 2";
        QTest::addRow("extra word") << "a slots=2 b\n" << "unexpected 'b'";
        QTest::addRow("twice") << "a slots=1\na slots=2\n" << "listed twice";
        QTest::addRow("bad name") << "a$(reboot) slots=1\n" << "not a host name";
    }
    void refusesBadHostfiles() {
        QFETCH(QString, text);
        QFETCH(QString, inMessage);
        const auto r = parseHostfile(text.toStdString(), "hosts.txt");
        QVERIFY(!r.ok());
        const QString e = QString::fromStdString(r.error());
        QVERIFY2(e.contains("hosts.txt") && e.contains(inMessage), r.error().c_str());
    }

    void hostfileThatIsNoFile() {
        const auto dir = readHostfile("/tmp");
        QVERIFY(!dir.ok());
        QVERIFY2(QString::fromStdString(dir.error()).contains("not a regular file"), dir.error().c_str());
        const auto missing = readHostfile("/nonexistent/hostfile");
        QVERIFY(!missing.ok());
        QVERIFY(QString::fromStdString(missing.error()).contains("/nonexistent/hostfile"));
        const auto fifo = readHostfile("/dev/zero");
        QVERIFY(!fifo.ok());
    }

    void pdshCommandLines() {
        FleetLaunchSpec spec;
        spec.hosts = {"node1", "node2"};
        spec.sharedDir = "/shared/fleet";
        spec.expectedVersion = "aiotune 1.2.3";
        spec.sweepArgs = {"--nvme_dir", "/local/nvme", "--io_size", "1M"};
        auto argv = fleetCommand(spec, FleetStage::Sweep);
        QCOMPARE(std::vector<std::string>(argv.begin(), argv.begin() + 7),
                 (std::vector<std::string>{"pdsh", "-R", "ssh", "-f", "2", "-w", "node1,node2"}));
        // ssh: one word, the remote shell's command line.
        QCOMPARE(argv.size(), 8u);
        QVERIFY(argv[7].rfind("sh -c '", 0) == 0);
        QVERIFY(argv[7].find("h=%h;") != std::string::npos);
        QVERIFY(argv[7].find("--log_dir \"$d\" --nvme_dir /local/nvme --io_size 1M") != std::string::npos);

        spec.pdshRcmd = "exec";
        argv = fleetCommand(spec, FleetStage::Check);
        QCOMPARE(argv.size(), 10u);
        QCOMPARE(argv[2], std::string("exec"));
        QCOMPARE(argv[7], std::string("sh"));
        QCOMPARE(argv[8], std::string("-c"));
        QVERIFY(argv[9].find("'aiotune 1.2.3'") != std::string::npos);
    }

    void srunCommandLines() {
        FleetLaunchSpec spec;
        spec.launcher = FleetLauncher::Srun;
        spec.hosts = {"gpu01", "gpu02", "gpu03"};
        spec.sharedDir = "/shared/fleet";
        const auto argv = fleetCommand(spec, FleetStage::Sweep);
        // One step per node, named after it: sh -c LOOP aiotune-fleet SCRIPT HOST...
        QCOMPARE(argv.size(), 8u);
        QCOMPARE(std::vector<std::string>(argv.begin(), argv.begin() + 2), (std::vector<std::string>{"sh", "-c"}));
        QVERIFY2(argv[2].find("srun --nodes=1 --ntasks=1 --nodelist=\"$h\" --job-name=\"aiotune-$h\" "
                              "--kill-on-bad-exit=0 sh -c \"$s\" &") != std::string::npos,
                 argv[2].c_str());
        QVERIFY(argv[4].rfind("trap '' INT TERM; h=$SLURMD_NODENAME;", 0) == 0);
        QVERIFY(argv[4].find("--events -") != std::string::npos);
        QCOMPARE(std::vector<std::string>(argv.begin() + 5, argv.end()),
                 (std::vector<std::string>{"gpu01", "gpu02", "gpu03"}));
        QCOMPARE(launcherProgram(spec.launcher), std::string("srun"));
        QCOMPARE(commandLineText({"srun", "a b", "it's"}), std::string("srun 'a b' 'it'\\''s'"));
    }

    // The generated scripts run in a real sh: srun's stand-in is SLURMD_NODENAME
    // and the script's own line prefix; the sweep's arguments arrive intact.
    void scriptsRunInARealShell() {
        QTemporaryDir tmp;
        QVERIFY(tmp.isValid());
        const QString fake = tmp.filePath("fake-aiotune");
        {
            QFile f(fake);
            QVERIFY(f.open(QIODevice::WriteOnly));
            f.write("#!/bin/sh\n"
                    "[ \"$1\" = --version ] && { echo 'aiotune 9.9'; exit 0; }\n"
                    "[ \"$2\" = --help ] && { echo '  --host TEXT'; echo '  --events TEXT'; exit 0; }\n"
                    "for a in \"$@\"; do echo \"arg=$a\"; done\n"
                    "exit 3\n");
            f.close();
            f.setPermissions(QFile::ReadOwner | QFile::WriteOwner | QFile::ExeOwner);
        }
        FleetLaunchSpec spec;
        spec.launcher = FleetLauncher::Srun;
        spec.hosts = {"gpu01"};
        spec.aiotune = fake.toStdString();
        spec.expectedVersion = "aiotune 9.9";
        spec.sharedDir = tmp.path().toStdString();
        spec.sweepArgs = {"--nvme_dir", "/a b/it's", "--io_size", "1M"};
        auto run = [&](FleetStage stage) {
            QProcess p;
            QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
            env.insert("SLURMD_NODENAME", "gpu01");
            p.setProcessEnvironment(env);
            p.start("sh", {"-c", QString::fromStdString(fleetNodeScript(spec, stage))});
            p.waitForFinished(20000);
            return QString::fromUtf8(p.readAllStandardOutput());
        };
        QCOMPARE(run(FleetStage::Check), QString("gpu01: aiotune-fleet: ready aiotune 9.9\n"));
        const QString sweep = run(FleetStage::Sweep);
        QVERIFY2(sweep.contains("gpu01: arg=sweep\n"), qPrintable(sweep));
        QVERIFY2(sweep.contains("gpu01: arg=--log_dir\ngpu01: arg=" + tmp.path() + "/gpu01\n"), qPrintable(sweep));
        QVERIFY2(sweep.contains("gpu01: arg=/a b/it's\n"), qPrintable(sweep));
        // This aiotune knows --host and --events: the node is labelled and streams its events.
        QVERIFY2(sweep.contains("gpu01: arg=--host\ngpu01: arg=gpu01\ngpu01: arg=--events\ngpu01: arg=-\n"),
                 qPrintable(sweep));
        QVERIFY2(sweep.endsWith("gpu01: aiotune-fleet: exit 3\n"), qPrintable(sweep));
        // pdsh: the sweep replaces the shell; pdsh reports its exit status.
        spec.launcher = FleetLauncher::Pdsh;
        const std::string pdshScript = fleetNodeScript(spec, FleetStage::Sweep);
        QVERIFY(pdshScript.find("trap '' PIPE; exec \"$a\" sweep") != std::string::npos);
        QVERIFY(pdshScript.find(kFleetMarker) == std::string::npos);
        spec.launcher = FleetLauncher::Srun;

        spec.expectedVersion = "aiotune 1.0";
        QVERIFY(run(FleetStage::Check).contains("gpu01: aiotune-fleet: error " + fake +
                                                " on this node is 'aiotune 9.9', expected aiotune 1.0"));
        spec.aiotune = "/nonexistent/aiotune";
        QVERIFY(run(FleetStage::Check).contains("gpu01: aiotune-fleet: error cannot run /nonexistent/aiotune"));
        spec.aiotune = fake.toStdString();
        spec.expectedVersion.clear();
        spec.sharedDir = "/nonexistent/shared";
        QVERIFY(run(FleetStage::Check).contains("error /nonexistent/shared does not exist on this node"));
    }

    void monitorFollowsNodes() {
        FleetMonitor m({"n1", "n2", "n3", "n4"});
        m.feed("n1: aiotune-fleet: ready aiotune 1.0");
        m.feed("n2: aiotune-fleet: ready aiotune 1.0");
        m.feed("n3: aiotune-fleet: error /shared is not writable from this node: fix it");
        m.feed("pdsh@here: n3: sh exited with exit code 125");
        m.feed("n4: ssh: connect to host n4 port 22: No route to host");
        m.feed("pdsh@here: n4: ssh exited with exit code 255");
        m.feed("something pdsh said");
        m.finish();
        QCOMPARE(m.nodes()[0].state, NodeState::Ready);
        QCOMPARE(m.nodes()[0].version, std::string("aiotune 1.0"));
        QCOMPARE(m.nodes()[2].state, NodeState::Failed);
        QCOMPARE(m.nodes()[2].error, std::string("/shared is not writable from this node: fix it"));
        QCOMPARE(m.nodes()[3].state, NodeState::Failed);
        QVERIFY2(m.nodes()[3].error.find("ssh exited with exit code 255") != std::string::npos &&
                     m.nodes()[3].error.find("No route to host") != std::string::npos,
                 m.nodes()[3].error.c_str());
        QCOMPARE(m.otherLines(), std::vector<std::string>{"something pdsh said"});

        m.beginSweep();
        QCOMPARE(m.hostsIn(NodeState::Running), (std::vector<std::string>{"n1", "n2"}));
        // Progress comes from the event stream, not from the text for people.
        QCOMPARE(m.feed("n1: [3/8] read 1M, qd 8: 1.000 GiB/s"), std::optional<std::size_t>(0));
        QCOMPARE(m.nodes()[0].done, 0u);
        QCOMPARE(m.feed(R"(n1: {"format":"aiotune-events","version":1,"event":"progress","at_ms":1,"done":3,)"
                        R"("total":8,"elapsed_seconds":1.5,"eta_seconds":null,"current":"read 1M, qd 8"})"),
                 std::optional<std::size_t>(0));
        QCOMPARE(m.nodes()[0].done, 3u);
        QCOMPARE(m.nodes()[0].total, 8u);
        QCOMPARE(m.nodes()[0].current, std::string("read 1M, qd 8"));
        // Another version, another program's JSON, or a field of the wrong type: ignored.
        m.feed(R"(n1: {"format":"aiotune-events","version":99,"event":"progress","done":7,"total":8})");
        m.feed(R"(n1: {"event":"progress","done":7,"total":8})");
        m.feed(R"(n1: {"format":"aiotune-events","version":1,"event":"progress","done":"7","total":8})");
        QCOMPARE(m.nodes()[0].done, 3u);
        QCOMPARE(m.nodes()[0].state, NodeState::Running);
        m.feed("n2: [1/8] write 1M, qd 8: FAILED: No space left on device");
        m.feed("pdsh@here: n2: sh exited with exit code 1");
        QCOMPARE(m.nodes()[1].state, NodeState::Failed); // at once, not at the end
        // pdsh says nothing about a node that succeeded: its results on disk decide.
        std::vector<std::string> checked;
        m.finish("pdsh exited with status 1", [&](const std::string& host) {
            checked.push_back(host);
            return std::string();
        });
        QCOMPARE(checked, std::vector<std::string>{"n1"});
        QCOMPARE(m.nodes()[0].state, NodeState::Finished);
        QCOMPARE(m.nodes()[1].exitCode, std::optional<int>(1));
        QCOMPARE(m.nodes()[1].error,
                 std::string("sh exited with exit code 1; last output: [1/8] write 1M, qd 8: FAILED: No space left on device"));
        QCOMPARE(m.hostsIn(NodeState::Failed), (std::vector<std::string>{"n2", "n3", "n4"}));
    }

    void monitorChecksSilentNodesOnDisk() {
        FleetMonitor m({"a"});
        m.feed("a: aiotune-fleet: ready aiotune 1.0");
        m.beginSweep();
        m.feed("a: [8/8] read 1M: 1.0 GiB/s");
        m.finish({}, [](const std::string& host) { return "no sweep in /shared/" + host; });
        QCOMPARE(m.nodes()[0].state, NodeState::Failed);
        QCOMPARE(m.nodes()[0].error, std::string("no sweep in /shared/a (unreachable or killed?): last output: "
                                                 "[8/8] read 1M: 1.0 GiB/s"));
    }

    // The "ended" event decides cancelled and failed, whatever the exit status says after it.
    void monitorReadsEndedEvents() {
        FleetMonitor m({"a", "b", "c"});
        for (const char* line : {"a: aiotune-fleet: ready aiotune 1.0", "b: aiotune-fleet: ready aiotune 1.0",
                                 "c: aiotune-fleet: ready aiotune 1.0"})
            m.feed(line);
        m.beginSweep();
        m.feed(R"(a: {"format":"aiotune-events","version":1,"event":"ended","status":"cancelled","stop_reason":"cancelled"})");
        QCOMPARE(m.nodes()[0].state, NodeState::Cancelled);
        m.feed("a: aiotune-fleet: exit 143");
        QCOMPARE(m.nodes()[0].state, NodeState::Cancelled);
        QCOMPARE(m.nodes()[0].exitCode, std::optional<int>(143));
        m.feed(R"(b: {"format":"aiotune-events","version":1,"event":"ended","status":"failed","error":"log_write",)"
               R"("message":"cannot write /shared/b/sweep.json: No space left on device","stop_reason":"failed"})");
        m.feed("b: aiotune-fleet: exit 1");
        QCOMPARE(m.nodes()[1].state, NodeState::Failed);
        QCOMPARE(m.nodes()[1].error,
                 std::string("the sweep failed: cannot write /shared/b/sweep.json: No space left on device"));
        m.feed(R"(c: {"format":"aiotune-events","version":1,"event":"ended","status":"finished","stop_reason":"converged"})");
        QCOMPARE(m.nodes()[2].state, NodeState::Running); // its exit status or the disk decides
        m.feed("c: aiotune-fleet: exit 0");
        m.finish();
        QCOMPARE(m.nodes()[2].state, NodeState::Finished);
        QCOMPARE(m.hostsIn(NodeState::Cancelled), std::vector<std::string>{"a"});
        QCOMPARE(nodeStateName(NodeState::Cancelled), std::string_view("cancelled"));
    }

    // srun: the script prints the sweep's exit status.
    void monitorReadsSweepFailure() {
        FleetMonitor m({"a"});
        m.feed("a: aiotune-fleet: ready aiotune 1.0");
        m.beginSweep();
        m.feed("a: aiotune sweep: /scratch/a does not exist");
        m.feed("a: aiotune-fleet: exit 1");
        m.finish();
        QCOMPARE(m.nodes()[0].state, NodeState::Failed);
        QCOMPARE(m.nodes()[0].exitCode, std::optional<int>(1));
        QCOMPARE(m.nodes()[0].error,
                 std::string("aiotune sweep exited with status 1: aiotune sweep: /scratch/a does not exist"));
    }
};

QTEST_GUILESS_MAIN(TestFleet)
#include "test_fleet.moc"
