// Fleet analysis over fixture folders (tests/fixtures/fleet/README.md has the
// figures): each host's best, the fleet pick over configurations measured on
// every host, losses, outliers, a host missing configurations, a damaged host.
#include "fleet/fleet_analysis.h"
#include "results/sweep_file.h"
#include "util/atomic_file.h"

#include <QTemporaryDir>

#include <cmath>
#include <QtTest>

using namespace aiotune;

namespace {
const std::filesystem::path kBasic = AIOTUNE_TEST_FIXTURES "/fleet/basic";

ConfigKey key(std::uint64_t blockSize, int queueDepth) {
    ConfigKey k;
    k.aio.block_size = blockSize;
    k.aio.queue_depth = queueDepth;
    return k;
}

// A host whose every configuration has the given combined figures (read 60%,
// write 40%), `loops` samples each at ±spread.
HostSweep host(const std::string& name, const std::vector<std::pair<ConfigKey, double>>& figures, int loops = 2,
               double spread = 0.01) {
    HostSweep s{name, {}, ResultSet{}, {}};
    for (const auto& [k, combined] : figures)
        for (int loop = 0; loop < loops; ++loop) {
            const double f = loops == 1 ? 1.0 : (loop == 0 ? 1 - spread : 1 + spread);
            Sample r;
            r.op = IoOp::Read;
            r.loop = loop;
            r.gibPerSec = combined * 0.6 * f;
            Sample w = r;
            w.op = IoOp::Write;
            w.gibPerSec = combined * 0.4 * f;
            s.results->add(k, r);
            s.results->add(k, w);
        }
    return s;
}
} // namespace

class TestFleetAnalysis : public QObject {
    Q_OBJECT
  private slots:
    void recognisesFleetFolders() {
        QVERIFY(isFleetFolder(kBasic));
        QVERIFY(!isFleetFolder(kBasic / "node1"));
        QVERIFY(!isFleetFolder(AIOTUNE_TEST_FIXTURES "/deepspeed/ds-0.15-sweep"));
        QVERIFY(isFleetFolder(AIOTUNE_TEST_FIXTURES "/deepspeed")); // folders of DeepSpeed sweeps count too
        QVERIFY(!isFleetFolder("/nonexistent"));
        QVERIFY(!isFleetFolder("/dev/zero"));
    }

    void readsEveryHostFolder() {
        const auto sweeps = readFleetFolder(kBasic);
        QVERIFY2(sweeps.ok(), sweeps.error().c_str());
        QCOMPARE(sweeps->size(), 5u); // "notes" is no log folder
        QCOMPARE((*sweeps)[4].host, std::string("node5"));
        QVERIFY(!(*sweeps)[4].results);
        QVERIFY2((*sweeps)[4].error.find("node5/sweep.json") != std::string::npos, (*sweeps)[4].error.c_str());
        const auto none = readFleetFolder(kBasic / "notes");
        QVERIFY(!none.ok());
        QVERIFY(none.error().find("holds no host folder") != std::string::npos);
    }

    void fixtureFleet() {
        auto sweeps = readFleetFolder(kBasic);
        QVERIFY(sweeps.ok());
        const FleetAnalysis fa = analyzeFleet(std::move(sweeps.value()));
        QVERIFY2(fa.pick.has_value(), fa.message.c_str());
        QCOMPARE(*fa.pick, key(8 << 20, 8)); // C: best worst-node, though D is faster on node1/2
        QCOMPARE(fa.common, (std::vector<ConfigKey>{key(1 << 20, 8), key(8 << 20, 8)}));
        QCOMPARE(fa.configs.size(), 4u);
        QCOMPARE(fa.worstHost, std::string("node3"));
        // The fleet answer's figure: node3's mean over its visits (geometric, as every answer's).
        QVERIFY(std::abs(fa.minCombinedGiBps - 4.6) < 0.001);
        QCOMPARE(fa.answer.best, *fa.pick);
        QVERIFY(fa.answer.partial); // node5 has no answer of its own
        QVERIFY(fa.answer.partialReason.find("node5") != std::string::npos);
        QVERIFY(qFuzzyCompare(fa.medianGiBps, 6.45));
        QVERIFY(fa.noiseKnown);
        QVERIFY(qFuzzyCompare(fa.noiseGiBps, 0.02 * 6.45));

        QCOMPARE(fa.hosts.size(), 5u);
        const FleetHostFigures* n1 = fa.host("node1");
        QVERIFY(n1 && n1->best);
        QCOMPARE(n1->best->key, key(8 << 20, 32));
        QVERIFY(qFuzzyCompare(*n1->atPick->combinedGiBps, 6.5));
        QVERIFY(qFuzzyCompare(n1->lossGiBps, 0.5));
        QVERIFY(qFuzzyCompare(n1->lossFraction, 0.5 / 7.0));
        QVERIFY(n1->missing.empty());
        QVERIFY(n1->recordedHost.empty());

        const FleetHostFigures* n4 = fa.host("node4");
        QCOMPARE(n4->missing, (std::vector<ConfigKey>{key(1 << 20, 32), key(8 << 20, 32)}));
        QCOMPARE(n4->recordedHost, std::string("gpu-node-4.cluster"));
        QCOMPARE(n4->lossGiBps, 0.0);

        const FleetHostFigures* n5 = fa.host("node5");
        QVERIFY(!n5->best && !n5->atPick);
        QVERIFY(!n5->error.empty());

        QCOMPARE(fa.outliers.size(), 1u);
        QCOMPARE(fa.outliers[0].host, std::string("node3"));
        QVERIFY(qFuzzyCompare(fa.outliers[0].gapGiBps, 1.85));
        QVERIFY(qFuzzyCompare(fa.outliers[0].gapFraction, 1.85 / 6.45));

        const auto ranking = fa.ranking();
        QCOMPARE(ranking.size(), 5u);
        QCOMPARE(ranking[0]->host, std::string("node4"));
        QCOMPARE(ranking[3]->host, std::string("node3"));
        QCOMPARE(ranking[4]->host, std::string("node5"));
        QVERIFY(qFuzzyCompare(*fa.combined("node2", key(1 << 20, 32)), 6.2));
        QVERIFY(!fa.combined("node4", key(1 << 20, 32)));
    }

    void fleetJsonShape() {
        auto sweeps = readFleetFolder(kBasic);
        const auto j = fleetJson(analyzeFleet(std::move(sweeps.value())));
        QCOMPARE(j["fleet"]["aio"]["block_size"].get<int>(), 8 << 20);
        QCOMPARE(j["fleet"]["aio"]["queue_depth"].get<int>(), 8);
        QCOMPARE(j["fleet"]["worst_host"].get<std::string>(), std::string("node3"));
        QVERIFY(std::abs(j["fleet"]["min_combined"].get<double>() - 4.6) < 0.001);
        QCOMPARE(j["answer"]["aio"], j["fleet"]["aio"]);
        QCOMPARE(j["hosts"].size(), 5u);
        QCOMPARE(j["hosts"][0]["host"].get<std::string>(), std::string("node1"));
        QCOMPARE(j["hosts"][0]["aio"]["queue_depth"].get<int>(), 32);
        QVERIFY(qFuzzyCompare(j["hosts"][0]["best"]["combined"].get<double>(), 7.0));
        QCOMPARE(j["hosts"][3]["missing"].size(), 2u);
        QVERIFY(j["hosts"][4]["best"].is_null());
        QVERIFY(j["hosts"][4].contains("error"));
        QCOMPARE(j["outliers"].size(), 1u);
        QCOMPARE(j["outliers"][0]["host"].get<std::string>(), std::string("node3"));
        QVERIFY(qFuzzyCompare(j["outliers"][0]["gap"].get<double>(), 1.85));
    }

    // The rules on small synthetic fleets.
    void pickAndOutliers_data() {
        QTest::addColumn<int>("loops");
        QTest::addColumn<double>("slowFigure");
        QTest::addColumn<bool>("slowIsOutlier");
        // Noise 2% of the median (6.0): 5.9 is within it, 5.7 is not.
        QTest::addRow("within noise") << 2 << 5.9 << false;
        QTest::addRow("beyond noise") << 2 << 5.7 << true;
        // Measured once: noise unknown, 10% of the median.
        QTest::addRow("once, within 10 percent") << 1 << 5.5 << false;
        QTest::addRow("once, beyond 10 percent") << 1 << 5.3 << true;
    }
    void pickAndOutliers() {
        QFETCH(int, loops);
        QFETCH(double, slowFigure);
        QFETCH(bool, slowIsOutlier);
        const ConfigKey a = key(1 << 20, 8), b = key(1 << 20, 32);
        std::vector<HostSweep> sweeps{host("h1", {{a, 6.0}, {b, 7.0}}, loops),
                                      host("h2", {{a, 6.0}, {b, 6.9}}, loops),
                                      host("h3", {{a, slowFigure}, {b, 5.0}}, loops)};
        const FleetAnalysis fa = analyzeFleet(std::move(sweeps));
        QCOMPARE(*fa.pick, a); // min 5.x beats b's 5.0
        QCOMPARE(fa.worstHost, std::string("h3"));
        QCOMPARE(fa.noiseKnown, loops > 1);
        QCOMPARE(fa.outliers.size(), slowIsOutlier ? 1u : 0u);
        if (slowIsOutlier) QCOMPARE(fa.outliers[0].host, std::string("h3"));
    }

    // Three "nodes" on one machine's drive at once (as in the tests): the slow
    // one is contention, not a bad node. Apart in time, or on another drive, it counts.
    void sameDriveAtOnceIsNoFleet_data() {
        QTest::addColumn<QString>("machine3");
        QTest::addColumn<QString>("device3");
        QTest::addColumn<qint64>("start3");
        QTest::addColumn<bool>("shared");
        QTest::addRow("one drive, at once") << "box" << "/dev/nvme0n1" << qint64(1500) << true;
        QTest::addRow("one drive, later") << "box" << "/dev/nvme0n1" << qint64(5000) << false;
        QTest::addRow("another drive") << "box" << "/dev/nvme1n1" << qint64(1500) << false;
        QTest::addRow("another machine") << "other" << "/dev/nvme0n1" << qint64(1500) << false;
    }
    void sameDriveAtOnceIsNoFleet() {
        QFETCH(QString, machine3);
        QFETCH(QString, device3);
        QFETCH(qint64, start3);
        QFETCH(bool, shared);
        const ConfigKey a = key(1 << 20, 8);
        std::vector<HostSweep> sweeps{host("h1", {{a, 6.0}}), host("h2", {{a, 6.0}}), host("h3", {{a, 4.0}})};
        auto place = [](HostSweep& s, const std::string& machine, const std::string& device, std::int64_t start) {
            s.results->meta = {{"system",
                                {{"host", machine}, {"folders", {{{"path", "/scratch"}, {"device", device}}}}}}};
            s.results->startedAtMs = start;
            s.results->finishedAtMs = start + 2000;
        };
        place(sweeps[0], "box", "/dev/nvme0n1", 1000);
        place(sweeps[1], "box", "/dev/nvme0n1", 1200);
        place(sweeps[2], machine3.toStdString(), device3.toStdString(), start3);
        const FleetAnalysis fa = analyzeFleet(std::move(sweeps));
        QCOMPARE(*fa.pick, a);
        QCOMPARE(fa.sharedDrives.size(), 1u);
        const auto expected = shared ? std::vector<std::string>{"h1", "h2", "h3"} : std::vector<std::string>{"h1", "h2"};
        QCOMPARE(fa.sharedDrives[0].hosts, expected);
        QCOMPARE(fa.sharedDrives[0].machine, std::string("box"));
        QCOMPARE(fa.sharedDrives[0].drive, std::string("/dev/nvme0n1"));
        // h3 at 4.0 against a median of 6.0 is an outlier only as a node of its own.
        QCOMPARE(fa.outliers.size(), shared ? 0u : 1u);
        const auto j = fleetJson(fa);
        QCOMPARE(j["shared_drives"][0]["hosts"].size(), expected.size());
    }

    void noCommonConfiguration() {
        const FleetAnalysis fa =
            analyzeFleet({host("h1", {{key(1 << 20, 8), 6.0}}), host("h2", {{key(1 << 20, 32), 6.0}})});
        QVERIFY(!fa.pick);
        QVERIFY2(fa.message.find("every usable node") != std::string::npos, fa.message.c_str());
        QCOMPARE(fa.host("h1")->missing, std::vector<ConfigKey>{key(1 << 20, 32)});
    }

    void tiesGoToTheCheaperConfiguration() {
        const FleetAnalysis fa = analyzeFleet(
            {host("h1", {{key(1 << 20, 32), 6.0}, {key(1 << 20, 8), 6.0}}), host("h2", {{key(1 << 20, 32), 6.0}, {key(1 << 20, 8), 6.0}})});
        QCOMPARE(*fa.pick, key(1 << 20, 8));
    }

    void onlyDamagedHosts() {
        QTemporaryDir tmp;
        const std::filesystem::path root = tmp.path().toStdString();
        std::filesystem::create_directories(root / "a");
        QVERIFY(writeFileAtomically(root / "a" / "sweep.json", "{\"format\": \"aiotune-sweep\"").ok());
        auto sweeps = readFleetFolder(root);
        QVERIFY(sweeps.ok());
        const FleetAnalysis fa = analyzeFleet(std::move(sweeps.value()));
        QVERIFY(!fa.pick);
        QCOMPARE(fa.hosts.size(), 1u);
        QVERIFY(!fa.hosts[0].error.empty());
        QVERIFY(!fa.message.empty());
    }
};

QTEST_GUILESS_MAIN(TestFleetAnalysis)
#include "test_fleet_analysis.moc"
