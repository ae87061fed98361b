// One fleet answer (fleet/fleet_answer.h): the rule over the nodes' own
// answers (the worst node's figure, measured or estimated, with margins), its
// counts, its tie and partial rules, the shared-drive note instead of an
// outlier, and fleet.json (round trip, trust rule, the host set it names).
#include "fleet/fleet_analysis.h"
#include "fleet/fleet_answer.h"
#include "results/answer.h"
#include "results/sweep_file.h"
#include "util/atomic_file.h"

#include <QTemporaryDir>
#include <QtTest>

#include <cmath>
#include <fstream>

using namespace aiotune;

namespace {
const std::filesystem::path kBasic = AIOTUNE_TEST_FIXTURES "/fleet/basic";

ConfigKey key(std::uint64_t blockSize, int queueDepth, int threads = 1) {
    ConfigKey k;
    k.aio.block_size = blockSize;
    k.aio.queue_depth = queueDepth;
    k.aio.intra_op_parallelism = threads;
    return k;
}

struct Figure {
    ConfigKey key;
    double gibps;
    int visits; // 0: the search's estimate only
};

// A node's answer as decideAnswer states one: the best first with a 90%
// interval of +-margin (log scale), the others with their upper gain against
// the best at the same margin (combined as decideAnswer does).
Answer nodeAnswer(const std::vector<Figure>& figures, double margin = 0.01) {
    Answer a;
    a.found = true;
    a.strategy = "adaptive";
    a.noise = 0.02;
    const auto best =
        std::max_element(figures.begin(), figures.end(), [](const Figure& x, const Figure& y) {
            return (x.visits > 0 ? x.gibps : 0.0) < (y.visits > 0 ? y.gibps : 0.0);
        });
    a.best = best->key;
    a.bestGiBps = best->gibps;
    a.bestVisits = best->visits;
    a.interval = AnswerInterval{best->gibps * std::exp(-margin), best->gibps * std::exp(margin)};
    a.possibleGain = 0.0;
    a.confidence = Confidence::High;
    for (const Figure& f : figures) {
        ConfigStanding s;
        s.key = f.key;
        s.visits = f.visits;
        s.gibps = f.gibps;
        if (f.key == best->key) {
            s.state = ConfigState::Best;
        } else {
            const double upper = std::log(f.gibps / best->gibps) + std::sqrt(2.0) * margin;
            s.upperGain = std::expm1(upper);
            s.state = f.visits == 0 ? ConfigState::Predicted
                      : upper >= 0  ? ConfigState::Tied
                                    : ConfigState::Eliminated;
        }
        a.configs.push_back(s);
    }
    a.configurations = a.measured = figures.size();
    return a;
}

// A host folder whose every configuration has the given combined figures
// (read 60%, write 40%), `loops` samples each at +-spread.
HostSweep host(const std::string& name, const std::vector<std::pair<ConfigKey, double>>& figures,
               int loops = 2, double spread = 0.01) {
    HostSweep s{name, {}, ResultSet{}, {}};
    s.results->status = SweepStatus::Finished;
    for (const auto& [k, combined] : figures)
        for (int loop = 0; loop < loops; ++loop) {
            const double f = loops == 1 ? 1.0 : (loop % 2 == 0 ? 1 - spread : 1 + spread);
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

void writeHost(const std::filesystem::path& root, const HostSweep& h) {
    std::filesystem::create_directories(root / h.host);
    ResultSet rs = *h.results;
    rs.host = h.host;
    QVERIFY(writeFileAtomically(root / h.host / kSweepFileName, sweepFileJson(rs).dump(),
                                {ExistingFilePolicy::Replace})
                .ok());
}
} // namespace

class TestFleetAnswer : public QObject {
    Q_OBJECT
  private slots:
    // X is measured on n1 and n3 and only estimated by n2's search; it is
    // still every node's faster choice, and the fleet picks it: the pick is not
    // limited to what every node happened to measure (that would be Y).
    void configEstimatedOnOneNodeCanWin() {
        const ConfigKey x = key(8 << 20, 32), y = key(1 << 20, 8), z = key(1 << 20, 32);
        const std::vector<FleetNode> nodes{
            {"n1", nodeAnswer({{x, 10.0, 8}, {y, 8.0, 8}, {z, 7.0, 8}}), {}},
            {"n2", nodeAnswer({{x, 9.6, 0}, {y, 8.2, 8}, {z, 7.1, 8}}), {}},
            {"n3", nodeAnswer({{x, 9.9, 8}, {y, 7.9, 8}}), {}}, // z: not in its grid
        };
        const FleetAnswer a = decideFleetAnswer(nodes);
        QVERIFY2(a.found, a.message.c_str());
        QCOMPARE(a.best, x);
        QCOMPARE(a.bestGiBps, 9.6);
        QCOMPARE(a.worstHost, std::string("n2"));
        QCOMPARE(a.bestEstimatedOn, std::vector<std::string>{"n2"});
        QVERIFY(a.interval && a.interval->low < 9.6 && a.interval->high > 9.6);
        // Counts: x estimated on n2, y measured on every node, z known on two nodes only.
        QCOMPARE(a.configurations, std::size_t{2});
        QCOMPARE(a.measuredEverywhere, std::size_t{1});
        QCOMPARE(a.estimated, std::size_t{1});
        QCOMPARE(a.incomplete, std::size_t{1});
        QCOMPARE(a.usableHosts, std::size_t{3});
        QVERIFY2(a.countsText().find("1 measured on every node, 1 estimated") != std::string::npos,
                 a.countsText().c_str());
        const FleetConfigFigure* fz = a.figure(z);
        QVERIFY(fz);
        QCOMPARE(fz->state, ConfigState::Failed);
        QCOMPARE(fz->missingOn, std::vector<std::string>{"n3"});
        const FleetConfigFigure* fy = a.figure(y);
        QCOMPARE(fy->gibps, 7.9);
        QCOMPARE(fy->worstHost, std::string("n3"));
        QCOMPARE(fy->measuredOn, std::size_t{3});
        QCOMPARE(fy->state, ConfigState::Eliminated); // 7.9 against 9.6, margins of 1-2%
        QVERIFY(!a.partial);
        QVERIFY(a.recommended.has_value());
        QCOMPARE(*a.recommended, x); // nothing cheaper within the tolerance
        QCOMPARE(a.confidence, Confidence::High);
    }

    // A configuration predicted on every node and measured on none is listed,
    // never the answer (as in decideAnswer); with nothing measured on every
    // node there is no answer at all.
    void pureEstimateIsNeverTheAnswer() {
        const ConfigKey x = key(8 << 20, 32), y = key(1 << 20, 8);
        const FleetAnswer a = decideFleetAnswer(std::vector<FleetNode>{
            {"n1", nodeAnswer({{x, 12.0, 0}, {y, 8.0, 8}}), {}},
            {"n2", nodeAnswer({{x, 12.0, 0}, {y, 8.0, 8}}), {}},
        });
        QCOMPARE(a.best, y);
        QCOMPARE(a.figure(x)->state, ConfigState::Predicted);
        QCOMPARE(a.estimated, std::size_t{1});
        const FleetAnswer none = decideFleetAnswer(std::vector<FleetNode>{
            {"n1", nodeAnswer({{x, 12.0, 8}}), {}},
            {"n2", nodeAnswer({{y, 8.0, 8}}), {}},
        });
        QVERIFY(!none.found);
        QCOMPARE(none.incomplete, std::size_t{2});
        QVERIFY(none.message.find("every usable node") != std::string::npos);
    }

    // Ties and the recommendation follow decideAnswer: within the margins is
    // tied; the cheaper one, measured on every node and shown within the
    // tolerance, is recommended; a partial node makes the fleet partial.
    void tiesAndRecommendation() {
        const ConfigKey fast = key(1 << 20, 32, 8), cheap = key(1 << 20, 32, 4);
        std::vector<FleetNode> nodes{
            {"n1", nodeAnswer({{fast, 10.0, 8}, {cheap, 9.95, 8}}, 0.005), {}},
            {"n2", nodeAnswer({{fast, 10.1, 8}, {cheap, 10.0, 8}}, 0.005), {}},
        };
        FleetAnswer a = decideFleetAnswer(nodes);
        QCOMPARE(a.best, fast);
        QCOMPARE(a.figure(cheap)->state, ConfigState::Tied);
        QCOMPARE(a.tied, std::vector<ConfigKey>{cheap});
        QVERIFY(a.recommended);
        QCOMPARE(*a.recommended, cheap);
        // Equal figures: the cheaper one is the best.
        const FleetAnswer even = decideFleetAnswer(
            std::vector<FleetNode>{{"n1", nodeAnswer({{fast, 10.0, 8}, {cheap, 10.0, 8}}), {}}});
        QCOMPARE(even.best, cheap);
        // A node whose own answer is partial, or a host without one: partial, nothing recommended.
        nodes[1].answer->partial = true;
        nodes[1].answer->partialReason = "the sweep was cancelled";
        a = decideFleetAnswer(nodes);
        QVERIFY(a.partial);
        QVERIFY(!a.recommended);
        QVERIFY(a.partialReason.find("n2 (the sweep was cancelled)") != std::string::npos);
        QCOMPARE(a.confidence, Confidence::Low);
        nodes[1].answer.reset();
        nodes[1].error = "sweep.json is damaged";
        a = decideFleetAnswer(nodes);
        QVERIFY(a.partial);
        QCOMPARE(a.leftOut, std::vector<std::string>{"n2: sweep.json is damaged"});
        QCOMPARE(a.usableHosts, std::size_t{1});
    }

    // Nodes measured at the same time on one drive of one machine are no
    // real fleet: the answer says so and names none of them an outlier.
    void sharedDriveIsNotedNotFlagged_data() {
        QTest::addColumn<bool>("sameDrive");
        QTest::addRow("one drive at once") << true;
        QTest::addRow("separate drives") << false;
    }
    void sharedDriveIsNotedNotFlagged() {
        QFETCH(bool, sameDrive);
        const ConfigKey k = key(1 << 20, 8);
        std::vector<HostSweep> sweeps{host("h1", {{k, 6.0}}), host("h2", {{k, 6.0}}),
                                      host("h3", {{k, 4.0}})};
        for (std::size_t i = 0; i < sweeps.size(); ++i) {
            const std::string device =
                sameDrive ? "/dev/nvme0n1" : "/dev/nvme" + std::to_string(i) + "n1";
            sweeps[i].results->meta = {
                {"system", {{"host", "box"}, {"folders", {{{"path", "/s"}, {"device", device}}}}}}};
            sweeps[i].results->startedAtMs = 1000 + 100 * static_cast<std::int64_t>(i);
            sweeps[i].results->finishedAtMs = 3000;
        }
        const FleetAnswer a = decideFleetAnswer(sweeps);
        QVERIFY(a.found);
        QCOMPARE(a.worstHost, std::string("h3"));
        if (sameDrive) {
            QVERIFY(a.outliers.empty());
            QCOMPARE(a.sharedDrives.size(), std::size_t{1});
            QVERIFY2(
                a.sharedDriveNote.find("h1, h2, h3 were measured at the same time on one drive") !=
                    std::string::npos,
                a.sharedDriveNote.c_str());
        } else {
            QVERIFY(a.sharedDriveNote.empty());
            QCOMPARE(a.outliers.size(), std::size_t{1});
            QCOMPARE(a.outliers[0].host, std::string("h3"));
        }
        // The views say the same (fleetRecommendation's words).
        const Recommendation rec = fleetRecommendation(analyzeFleet(sweeps));
        QCOMPARE(rec.answer.confidenceText.find("Not a real fleet") != std::string::npos,
                 sameDrive);
    }

    // fleet.json keeps every field; the trust rule mirrors answerFor().
    void fleetFileRoundTripAndTrust() {
        QTemporaryDir tmp;
        const std::filesystem::path root = tmp.path().toStdString();
        const ConfigKey a = key(1 << 20, 8), b = key(1 << 20, 32);
        std::vector<HostSweep> sweeps{host("h1", {{a, 6.0}, {b, 7.0}}),
                                      host("h2", {{a, 6.1}, {b, 5.0}})};
        const FleetAnswer decided = decideFleetAnswer(sweeps);
        QVERIFY(decided.found);
        QCOMPARE(decided.best, a);
        QCOMPARE(decided.samplesDigest, fleetSamplesDigest(sweeps));
        QVERIFY(writeFleetFile(root, decided).ok());
        const auto back = readFleetFile(root);
        QVERIFY2(back.ok(), back.error().c_str());
        QVERIFY(back->has_value());
        QCOMPARE(**back, decided);

        // Unchanged samples: the stored answer stands (even its own words).
        FleetAnswer stored = decided;
        stored.decidedBy = "stored";
        QCOMPARE(fleetAnswerFor(sweeps, stored).decidedBy, std::string("stored"));
        // A changed sample: decided again, and said so.
        std::vector<HostSweep> changed = sweeps;
        Sample extra;
        extra.op = IoOp::Read;
        extra.loop = 2;
        extra.gibPerSec = 1.0;
        changed[1].results->add(b, extra);
        const FleetAnswer again = fleetAnswerFor(changed, stored);
        QVERIFY(again.decidedBy.find("decided again") != std::string::npos);
        QCOMPARE(again.best, a);
        // An edited fleet.json naming a configuration nobody measured: decided again.
        FleetAnswer edited = decided;
        edited.best = key(8 << 20, 128);
        QCOMPARE(fleetAnswerFor(sweeps, edited).best, a);
        // The host set is part of the digest.
        QVERIFY(fleetSamplesDigest({sweeps[0]}) != fleetSamplesDigest(sweeps));

        // Damaged or foreign files are refused by name, never trusted.
        QVERIFY(writeFileAtomically(root / kFleetFileName, "{\"answer\": 1",
                                    {ExistingFilePolicy::Replace})
                    .ok());
        const auto damaged = readFleetFile(root);
        QVERIFY(!damaged.ok());
        QVERIFY(damaged.error().find("fleet.json") != std::string::npos);
        const auto missing = readFleetFile(root / "nonexistent");
        QVERIFY(missing.ok() && !missing->has_value()); // no fleet.json: nothing stored, no error
        QVERIFY(!checkNotTheFleetFile(root / kFleetFileName, root).ok());
        QVERIFY(!checkNotTheFleetFile(root / "h1" / ".." / kFleetFileName, root).ok());
        QVERIFY(checkNotTheFleetFile(root / "report.html", root).ok());
    }

    // A host folder that is a link to another counts once: the real folder
    // counts, the link is listed as unusable (it moved the median).
    void linkedHostFolderCountsOnce() {
        QTemporaryDir tmp;
        const std::filesystem::path root = tmp.path().toStdString();
        const ConfigKey a = key(1 << 20, 8), b = key(1 << 20, 32);
        writeHost(root, host("node1", {{a, 6.0}, {b, 7.0}}));
        writeHost(root, host("node2", {{a, 6.1}, {b, 5.0}}));
        std::filesystem::create_directory_symlink(root / "node1", root / "dup1");
        auto sweeps = readFleetFolder(root);
        QVERIFY(sweeps.ok());
        QCOMPARE(sweeps->size(), std::size_t{3});
        const HostSweep& dup = sweeps->front();
        QCOMPARE(dup.host, std::string("dup1"));
        QVERIFY(!dup.results);
        QVERIFY2(dup.error.find("the same folder as host node1") != std::string::npos, dup.error.c_str());
        QVERIFY(sweeps->at(1).results && sweeps->at(2).results);
        QCOMPARE(decideFleetAnswer(*sweeps).usableHosts, std::size_t{2});
    }

    // fleetAnalysisFor(folder): the stored answer while the samples are
    // unchanged, only the hosts fleet.json names (an earlier run's folder, or
    // a node cancelled midway, is left out and listed), decided again when a
    // host folder changed, and a damaged fleet.json said so.
    void folderReadersUseTheStoredAnswer() {
        QTemporaryDir tmp;
        const std::filesystem::path root = tmp.path().toStdString();
        const ConfigKey a = key(1 << 20, 8), b = key(1 << 20, 32);
        const HostSweep h1 = host("h1", {{a, 6.0}, {b, 7.0}}),
                        h2 = host("h2", {{a, 6.1}, {b, 5.0}}),
                        old = host("old", {{a, 1.0}, {b, 9.0}});
        writeHost(root, h1);
        writeHost(root, h2);
        writeHost(root, old);
        // The run's hosts are h1 and h2, as `aiotune fleet` stores them.
        auto run = readFleetFolder(root);
        QVERIFY(run.ok());
        std::vector<HostSweep> hosts;
        for (auto& s : *run)
            if (s.host != "old") hosts.push_back(s);
        FleetAnswer stored = decideFleetAnswer(hosts);
        stored.decidedBy = "the fleet run";
        QVERIFY(writeFleetFile(root, stored).ok());

        auto fa = fleetAnalysisFor(root);
        QVERIFY2(fa.ok(), fa.error().c_str());
        QCOMPARE(fa->answer.decidedBy, std::string("the fleet run"));
        QCOMPARE(fa->notInRun, std::vector<std::string>{"old"});
        QCOMPARE(fa->hosts.size(), std::size_t{2});
        QCOMPARE(*fa->pick, a);
        QCOMPARE(fleetJson(*fa)["answer"]["decided_by"].get<std::string>(),
                 std::string("the fleet run"));

        // h2 measured again: decided again over the same hosts.
        HostSweep h2b = h2;
        h2b.results = host("h2", {{a, 4.0}, {b, 5.0}}).results;
        writeHost(root, h2b);
        fa = fleetAnalysisFor(root);
        QVERIFY(fa->answer.decidedBy.find("decided again") != std::string::npos);
        QCOMPARE(*fa->pick, b); // a's worst node is now 4.0
        QCOMPARE(fa->notInRun, std::vector<std::string>{"old"});

        // Another fleet's fleet.json linked in: not this folder's answer, so
        // it neither decides nor picks the hosts.
        {
            QTemporaryDir elsewhere;
            const std::filesystem::path foreign = std::filesystem::path(elsewhere.path().toStdString()) / kFleetFileName;
            QVERIFY(writeFileAtomically(foreign, "{}", {ExistingFilePolicy::Replace}).ok());
            std::filesystem::rename(root / kFleetFileName, foreign);
            std::filesystem::create_symlink(foreign, root / kFleetFileName);
            fa = fleetAnalysisFor(root);
            QVERIFY(fa.ok());
            QVERIFY2(fa->storedNote.find("is a link") != std::string::npos, fa->storedNote.c_str());
            QCOMPARE(fa->hosts.size(), std::size_t{3});
            std::filesystem::remove(root / kFleetFileName);
            std::filesystem::rename(foreign, root / kFleetFileName);
        }
        // A damaged fleet.json: every host folder, and the reason.
        QVERIFY(
            writeFileAtomically(root / kFleetFileName, "not json", {ExistingFilePolicy::Replace})
                .ok());
        fa = fleetAnalysisFor(root);
        QVERIFY(fa.ok());
        QCOMPARE(fa->hosts.size(), std::size_t{3});
        QVERIFY(fa->storedNote.find("fleet.json is not valid JSON") != std::string::npos);
    }
};

QTEST_GUILESS_MAIN(TestFleetAnswer)
#include "test_fleet_answer.moc"
