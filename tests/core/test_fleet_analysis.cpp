// Fleet analysis over fixture folders (tests/fixtures/fleet/README.md has the
// figures): each host's best, the fleet pick over configurations measured on
// every host, losses, outliers, a host missing configurations, a damaged host.
#include "fleet/fleet_analysis.h"
#include "results/sweep_file.h"
#include "util/atomic_file.h"

#include <QTemporaryDir>
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
        QVERIFY(qFuzzyCompare(fa.minCombinedGiBps, 4.6));
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
        QVERIFY(qFuzzyCompare(j["fleet"]["min_combined"].get<double>(), 4.6));
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

    void noCommonConfiguration() {
        const FleetAnalysis fa =
            analyzeFleet({host("h1", {{key(1 << 20, 8), 6.0}}), host("h2", {{key(1 << 20, 32), 6.0}})});
        QVERIFY(!fa.pick);
        QVERIFY(fa.message.find("every host") != std::string::npos);
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
