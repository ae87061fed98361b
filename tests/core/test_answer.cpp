// One sweep, one answer: the rule of results/answer.h, its storage in
// sweep.json, answerFor() (stored while the samples are unchanged, decided
// again otherwise), and every core reader giving that one answer.
#include "check/measured_check.h"
#include "report/html_report.h"
#include "results/analysis.h"
#include "results/answer.h"
#include "results/estimates.h"
#include "results/log_folder_reader.h"
#include "results/sweep_file.h"
#include "sweep/grid_strategy.h"
#include "sweep/replay.h"
#include "sweep/sweep_runner.h"
#include "sweep/sweep_sinks.h"

#include "../tools/visit_samples.h"

#include <QFile>
#include <QJsonDocument>
#include <QJsonObject>
#include <QTemporaryDir>
#include <QtTest>

#include <cmath>

using namespace aiotune;
using namespace aiotune::testing;

namespace {
const QString kFixtures = QStringLiteral(AIOTUNE_TEST_FIXTURES);

ResultSet readFolder(const QString& folder) {
    auto r = LogFolderReader().read(folder.toStdString());
    if (!r) qFatal("%s", r.error().c_str());
    return *r;
}

ResultSet roundTrip(const ResultSet& rs) {
    auto back = parseSweepFileText(sweepFileJson(rs).dump(), "sweep.json");
    if (!back) qFatal("%s", back.error().c_str());
    return *back;
}


} // namespace

class TestAnswer : public QObject {
    Q_OBJECT
private slots:
    // DeepSpeed's logs, one figure per configuration: the best is DeepSpeed's
    // own pick (highest read + write), as each fixture's expected.json says.
    void deepSpeedLogsKeepDeepSpeedsPick_data() {
        QTest::addColumn<QString>("name");
        for (const char* n : {"ds-0.15-sweep", "ds-0.4-sweep", "ds-messy"})
            QTest::newRow(n) << QString(n);
    }
    void deepSpeedLogsKeepDeepSpeedsPick() {
        QFETCH(QString, name);
        QFile f(kFixtures + "/deepspeed/expected.json");
        QVERIFY(f.open(QIODevice::ReadOnly));
        const QJsonObject best =
            QJsonDocument::fromJson(f.readAll()).object().value(name).toObject().value("best").toObject();
        const Answer a = answerFor(readFolder(kFixtures + "/deepspeed/" + name));
        QVERIFY(a.found);
        QCOMPARE(qint64(a.best.aio.block_size), qint64(best.value("block_size").toInteger()));
        QCOMPARE(a.best.aio.queue_depth, best.value("queue_depth").toInt());
        QCOMPARE(a.best.aio.intra_op_parallelism, best.value("intra_op_parallelism").toInt());
        QCOMPARE(a.best.aio.overlap_events, best.value("overlap_events").toBool());
        QCOMPARE(a.best.aio.single_submit, best.value("single_submit").toBool());
        QCOMPARE(a.strategy, std::string("deepspeed"));
        // One figure each: the interval comes from the model's residuals, never zero-wide.
        if (a.interval) QVERIFY(a.interval->low < a.bestGiBps && a.bestGiBps < a.interval->high);
        // Every configuration has a standing, the best first.
        QCOMPARE(a.configs.front().state, ConfigState::Best);
        QCOMPARE(a.configs.front().key, a.best);
    }

    void storedAnswerLeadsWhileSamplesAreUnchanged() {
        ResultSet rs = readFolder(kFixtures + "/sweeps/dev-disk-64x5");
        AnswerContext context;
        context.tolerance = 0.05;
        context.decidedBy = "a test";
        rs.answer = decideAnswer(rs, context);
        const Answer stored = *rs.answer;
        QVERIFY(stored.found);
        // Written and read back (sweep.json), it is the same answer, and answerFor gives it.
        const ResultSet back = roundTrip(rs);
        QVERIFY(back.answer.has_value());
        QVERIFY(*back.answer == stored);
        QVERIFY(answerFor(back) == stored);
        QCOMPARE(analyze(back).answer.decidedBy, std::string("a test"));
        // A new sample: decided again by the same rule, and it says so.
        ResultSet more = back;
        Sample s;
        s.op = IoOp::Read;
        s.loop = 9;
        s.gibPerSec = 0.5;
        more.add(more.configs.front().key, s);
        const Answer again = answerFor(more);
        QVERIFY(again.decidedBy.find("decided again") != std::string::npos);
        QCOMPARE(again.tolerance, 0.05); // the stored answer's context carries over
        QVERIFY(again.samplesDigest != stored.samplesDigest);
        // A damaged stored answer is not fatal: it is decided again, and the file says why.
        nlohmann::json doc = sweepFileJson(rs);
        doc["answer"]["configs"] = 7;
        auto damaged = parseSweepFile(doc, "damaged/sweep.json");
        QVERIFY(damaged.ok());
        QVERIFY(!damaged->answer);
        QVERIFY(!damaged->skipped.empty());
        QVERIFY(answerFor(*damaged).found);
        // A stored answer naming a configuration its samples never measured is not trusted.
        ResultSet forged = back;
        forged.answer->best.aio.block_size = 4096;
        QVERIFY(answerFor(forged).best == stored.best);
        QVERIFY(answerFor(forged).decidedBy.find("decided again") != std::string::npos);
    }

    // One figure per configuration: what the answer shows for a measured
    // configuration (the best's figure, every standing, both engines' figures
    // of the libaio check) is the table's, median read + median write, so the
    // Best panel and the table's Combined never differ (they did by ~1%: the
    // answer showed the geometric mean of its visits).
    void oneFigurePerConfiguration() {
        ResultSet rs = readFolder(kFixtures + "/sweeps/dev-disk-64x5");
        const Answer a = answerFor(rs);
        QVERIFY(a.found);
        const ConfigResult* best = rs.find(a.best);
        QVERIFY(best && best->combinedGiBps);
        QCOMPARE(a.bestGiBps, *best->combinedGiBps);
        QCOMPARE(a.bestGiBps, *best->readGiBps + *best->writeGiBps);
        QVERIFY(a.interval && a.interval->low < a.bestGiBps && a.bestGiBps < a.interval->high);
        int measured = 0, differs = 0;
        for (const ConfigStanding& s : a.configs) {
            if (s.visits == 0 || !s.gibps) continue;
            const ConfigResult* c = rs.find(s.key);
            QVERIFY(c && c->combinedGiBps);
            QCOMPARE(*s.gibps, *c->combinedGiBps);
            ++measured;
            const VisitStatistics stats = visitStatistics(rs);
            if (const VisitEstimate* e = stats.find(s.key); e && std::abs(e->gibps() - *s.gibps) > 1e-9) ++differs;
        }
        QCOMPARE(measured, 64);
        QVERIFY(differs > 0); // the fixture's visits spread: the two statistics really differ there
        // The libaio check's figures likewise, from its own samples.
        ResultSet checked;
        checked.engine = "io_uring";
        const AioConfig x = aio(1 << 20, 8, 1), y = aio(1 << 20, 8, 2);
        addVisits(checked, x, 10.0, 6, 0.04);
        addVisits(checked, y, 9.9, 6, 0.04);
        addConfirmVisits(checked, x, 9.0, 3, 0.05);
        addConfirmVisits(checked, y, 8.8, 3, 0.05);
        const Answer c = answerFor(checked);
        QVERIFY(c.confirmation && c.confirmation->done);
        for (const ConfirmedFinalist& f : c.confirmation->finalists) {
            const ConfigResult* own = checked.confirmation.find(f.key);
            QVERIFY(own && own->combinedGiBps && f.confirmGiBps);
            QCOMPARE(*f.confirmGiBps, *own->combinedGiBps);
            QCOMPARE(f.searchGiBps, *checked.find(f.key)->combinedGiBps);
        }
    }

    // A grid of thousands of values of one parameter (a hand-made or hostile
    // sweep.json) gets no model of as many columns (8.6 GB and a frozen window
    // for 44,000): its figures decide, as without a model.
    void hugeFactorIsNotModelled() {
        ResultSet rs;
        rs.engine = "io_uring";
        std::vector<ConfigKey> grid;
        for (int qd = 1; qd <= 3000; ++qd) {
            const AioConfig c = aio(1 << 20, qd, 1);
            addVisits(rs, c, 1.0 + qd * 1e-4, 2, 0.01);
            grid.push_back(ConfigKey{c, 1});
        }
        const ConfigEstimates est = estimateConfigs(grid, rs, 0.03);
        QVERIFY(!est.modelled);
        const Answer a = answerFor(rs);
        QVERIFY(a.found);
        QCOMPARE(a.best.aio.queue_depth, 3000);
        // A DeepSpeed-sized grid is still modelled.
        ResultSet small;
        small.engine = "io_uring";
        std::vector<ConfigKey> few;
        for (int qd : {4, 8, 16, 32})
            for (int t : {1, 2, 4, 8}) {
                addVisits(small, aio(1 << 20, qd, t), 1.0 + qd * 0.01 + t * 0.1, 2, 0.01);
                few.push_back(ConfigKey{aio(1 << 20, qd, t), 1});
            }
        QVERIFY(estimateConfigs(few, small, 0.03).modelled);
    }

    // Replays over many seeds: the answer the search stored is what every
    // core reader gives for its samples (after a trip through sweep.json).
    void everyReaderGivesTheStoredAnswer() {
        const ResultSet recorded = readFolder(kFixtures + "/sweeps/synthetic-nvme-64x5");
        for (std::uint64_t seed = 0; seed < 24; ++seed) {
            auto outcome = replaySearch(recorded, AdaptiveOptions{}, seed);
            QVERIFY2(outcome.ok(), outcome.ok() ? "" : outcome.error().c_str());
            const Answer& stored = outcome->answer;
            QVERIFY(stored.found);
            const ResultSet read = roundTrip(outcome->searched);
            const Recommendation rec = analyze(read);
            QVERIFY2(rec.answer == stored, ("seed " + std::to_string(seed)).c_str());
            QVERIFY(rec.best && rec.best->key == stored.best);
            if (stored.recommended) QCOMPARE(rec.recommended->key, *stored.recommended);
            // The report names it.
            const std::string html = renderHtmlReport(read, rec);
            QVERIFY(html.find(stored.best.label()) != std::string::npos);
            // check: a config holding the answer's section matches what was measured.
            const auto findings = checkAgainstMeasurements({{"", read}}, "replay", stored.pick(true).aio,
                                                           "/nvme", "", "ds.json");
            QCOMPARE(findings.size(), std::size_t{1});
            QCOMPARE(findings.front().code, std::string("MATCHES_MEASURED"));
        }
    }

    // Tied, still contending, eliminated and never measured read apart.
    void statesAreDistinct() {
        ResultSet rs;
        rs.status = SweepStatus::Finished;
        const AioConfig best = aio(1 << 20, 32, 8), tied = aio(1 << 20, 32, 4), slow = aio(128 << 10, 8, 1),
                        once = aio(1 << 20, 8, 8), never = aio(128 << 10, 32, 8);
        addVisits(rs, best, 10.0, 12, 0.03);
        addVisits(rs, tied, 9.97, 12, 0.03);
        addVisits(rs, slow, 6.0, 12, 0.03);
        addVisits(rs, once, 9.9, 1, 0.0);
        rs.dropouts.push_back({tied, 40, "cannot beat the leader by more than the tolerance"});
        AnswerContext context;
        context.grid = {best, tied, slow, once, never};
        const Answer a = decideAnswer(rs, context);
        QVERIFY(a.found);
        QCOMPARE(a.best.aio, best);
        const auto state = [&](const AioConfig& c) { return a.standing(ConfigKey{c, 1})->state; };
        QCOMPARE(state(best), ConfigState::Best);
        QCOMPARE(state(tied), ConfigState::Tied); // left the race, still tied: never drawn as dropped
        QCOMPARE(state(slow), ConfigState::Eliminated);
        QCOMPARE(state(once), ConfigState::Contending);
        QCOMPARE(state(never), ConfigState::Predicted);
        QVERIFY(a.standing(ConfigKey{tied, 1})->reason.find("left the search's race") != std::string::npos);
        // The recommendation is the cheapest shown within the tolerance: 4 threads, not 8.
        QVERIFY(a.recommended.has_value());
        QCOMPARE(a.recommended->aio, tied);
        // Tied and contending are listed with the best; the eliminated one is not.
        QCOMPARE(a.tied.size(), std::size_t{2});
        // A budget that ran out with a contender left makes the answer partial.
        context.stop = "budget";
        const Answer budget = decideAnswer(rs, context);
        QVERIFY(budget.partial);
        QVERIFY(!budget.recommended);
        QVERIFY(budget.partialReason.find("budget") != std::string::npos);
    }

    // One visit of everything and no model: no interval is claimed, nor a recommendation.
    void singleVisitIsPartial() {
        ResultSet rs;
        rs.status = SweepStatus::Finished;
        addVisits(rs, aio(1 << 20, 8, 1), 5.0, 1, 0.0);
        addVisits(rs, aio(1 << 20, 8, 2), 4.0, 1, 0.0);
        addVisits(rs, aio(1 << 20, 8, 3), 3.0, 1, 0.0);
        const Answer a = answerFor(rs);
        QVERIFY(a.found);
        QVERIFY(a.partial);
        QVERIFY(!a.interval);
        QVERIFY(!a.recommended);
        QCOMPARE(a.confidence, Confidence::Low);
        QVERIFY(a.partialReason.find("noise is unknown") != std::string::npos);
    }

    // A real (tiny) sweep cancelled after a few transfers: its stored answer
    // is partial, claims no recommendation and no zero-width interval.
    void cancelledSweepIsPartial() {
        QTemporaryDir dir, logs;
        SweepSpec spec;
        spec.folders = {dir.path().toStdString()};
        spec.blockSizes = {64 * 1024, 256 * 1024};
        spec.queueDepths = {2, 4};
        spec.threads = {1, 2};
        spec.ioSize = 1 << 20;
        spec.loops = 2;
        SweepRunner runner(spec);
        runner.setLogFolder((logs.path() + "/l").toStdString());
        std::atomic<bool> cancel{false};
        int samples = 0;
        std::optional<Answer> sent;
        CallbackSink cb;
        cb.sample = [&](const SampleEvent&) {
            if (++samples == 6) cancel = true;
        };
        cb.answer = [&](const AnswerEvent& e) { sent = e.answer; };
        auto results = runner.run({&cb}, &cancel);
        QVERIFY2(results.ok(), results.ok() ? "" : results.error().c_str());
        QCOMPARE(results->status, SweepStatus::Cancelled);
        QVERIFY(sent.has_value());
        QVERIFY(results->answer.has_value());
        QVERIFY(*results->answer == *sent);
        const Answer& a = *sent;
        QVERIFY(a.partial);
        QVERIFY(a.partialReason.find("cancelled") != std::string::npos);
        QVERIFY(!a.recommended);
        if (a.interval) QVERIFY(a.interval->high > a.interval->low);
        // sweep.json stores it, and a reader gets the same.
        const ResultSet read = readFolder(logs.path() + "/l");
        QVERIFY(read.answer.has_value());
        QVERIFY(answerFor(read) == a);
    }
};

QTEST_GUILESS_MAIN(TestAnswer)
#include "test_answer.moc"
