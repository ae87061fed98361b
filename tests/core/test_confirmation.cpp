// The answer confirmed on DeepSpeed's own interface: after the search the
// finalists are measured again with libaio (interleaved, within the budget),
// kept apart from the search's samples; the rule that follows libaio when it
// ranks another finalist ahead beyond the noise; what the answer says when
// libaio is missing or the check is off; sweep.json, the event stream and
// the command line carry it.
#include "engine/libaio_engine.h"
#include "report/html_report.h"
#include "results/analysis.h"
#include "results/answer.h"
#include "results/log_folder_reader.h"
#include "results/sweep_file.h"
#include "sweep/adaptive_strategy.h"
#include "sweep/borrowed_strategy.h"
#include "sweep/event_stream_sink.h"
#include "sweep/sweep_runner.h"
#include "sweep/sweep_sinks.h"

#include "../tools/cli_run.h"
#include "../tools/fault_env.h"
#include "../tools/visit_samples.h"

#include <QFile>
#include <QTemporaryDir>
#include <QtTest>

#include <cstdio>
#include <set>

using namespace aiotune;
using aiotune::testing::aio;
using aiotune::testing::addVisits;
using aiotune::testing::addConfirmVisits;
using aiotune::testing::runAiotune;

namespace {




const AioConfig kBest = aio(1 << 20, 32, 8), kTied = aio(1 << 20, 32, 4), kSlow = aio(128 << 10, 8, 1);

// A finished search: kBest narrowly ahead of kTied (tied within the noise), kSlow far behind.
ResultSet searched() {
    ResultSet rs;
    rs.status = SweepStatus::Finished;
    rs.engine = "io_uring";
    rs.strategy = "grid";
    addVisits(rs, kBest, 10.0, 12, 0.03);
    addVisits(rs, kTied, 9.95, 12, 0.03);
    addVisits(rs, kSlow, 6.0, 12, 0.03);
    return rs;
}

ResultSet roundTrip(const ResultSet& rs) {
    auto back = parseSweepFileText(sweepFileJson(rs).dump(), "sweep.json");
    if (!back) qFatal("%s", back.error().c_str());
    return *back;
}

SweepSpec tinySpec(const QString& folder) {
    SweepSpec spec;
    spec.folders = {folder.toStdString()};
    spec.blockSizes = {64 * 1024, 256 * 1024};
    spec.queueDepths = {2, 4};
    spec.threads = {1};
    spec.ioSize = 1 << 20;
    spec.loops = 2;
    return spec;
}

// tinySpec swept by an adaptive search of 40 transfers, the libaio check
// paid from them (the strategy is kept to read its budget afterwards).
struct BudgetedSweep {
    explicit BudgetedSweep(const QString& folder)
        : spec(tinySpec(folder)), strategy(AdaptiveStrategy::create(spec.expand(), options()).value()), runner(spec) {
        runner.setStrategy(std::make_unique<BorrowedStrategy>(strategy));
    }
    static AdaptiveOptions options() {
        AdaptiveOptions o;
        o.budgetTransfers = 40;
        return o;
    }
    SweepSpec spec;
    AdaptiveStrategy strategy;
    SweepRunner runner;
};

} // namespace

class TestConfirmation : public QObject {
    Q_OBJECT
  private slots:
    // libaio ranks the tied finalist ahead beyond the noise: the answer
    // follows it, says so, and the search's figures stay the search's.
    void answerFollowsLibaioBeyondTheNoise() {
        ResultSet rs = searched();
        const Answer search = decideAnswer(rs);
        QCOMPARE(search.best.aio, kBest);
        QCOMPARE(search.standing(ConfigKey{kTied, 1})->state, ConfigState::Tied);
        QVERIFY(!search.confirmation); // no check planned, none reported
        const std::vector<ConfigKey> finalists = answerFinalists(search);
        QCOMPARE(finalists.size(), std::size_t{2}); // the slow one is not a finalist
        QCOMPARE(finalists[0].aio, kBest);
        QCOMPARE(finalists[1].aio, kTied);

        addConfirmVisits(rs, kBest, 7.0, 2, 0.01);
        addConfirmVisits(rs, kTied, 9.0, 2, 0.01);
        const Answer a = decideAnswer(rs);
        QVERIFY(a.found);
        QCOMPARE(a.best.aio, kTied);
        QCOMPARE(a.standing(ConfigKey{kTied, 1})->state, ConfigState::Best);
        QVERIFY(a.confirmation && a.confirmation->done);
        const Confirmation& c = *a.confirmation;
        QVERIFY(c.overturned);
        QVERIFY(c.searchBest && c.searchBest->aio == kBest);
        QCOMPARE(c.engine, std::string("libaio"));
        QCOMPARE(c.searchEngine, std::string("io_uring"));
        QCOMPARE(c.finalists.size(), std::size_t{2});
        QCOMPARE(c.finalists[0].key.aio, kBest); // the search's pick first
        QCOMPARE(c.finalists[0].confirmVisits, 2);
        QVERIFY(std::abs(*c.finalists[0].confirmGiBps - 7.0) < 0.01);
        QVERIFY(std::abs(*c.finalists[1].confirmGiBps - 9.0) < 0.01);
        // The search engine's figures are the search's alone: libaio's 7 and 9
        // did not move them.
        QCOMPARE(c.finalists[0].searchGiBps, *search.standing(search.best)->gibps);
        QCOMPARE(*a.standing(ConfigKey{kBest, 1})->gibps, *search.standing(search.best)->gibps);
        QCOMPARE(a.bestGiBps, *search.standing(ConfigKey{kTied, 1})->gibps);
        QVERIFY2(a.decidedBy.find("follows libaio") != std::string::npos, a.decidedBy.c_str());
        const std::string sentence = confirmationSentence(a);
        QVERIFY2(sentence.find("Checked with libaio, DeepSpeed's interface: 9.00 GiB/s vs") == 0, sentence.c_str());
        QVERIFY2(sentence.find("measured with io_uring") != std::string::npos, sentence.c_str());
        QVERIFY2(sentence.find("so the answer follows libaio") != std::string::npos, sentence.c_str());
        // The cost is the search's; the check's visits are the finalists'.
        QCOMPARE(a.transfers, search.transfers);
    }

    // Within the noise libaio changes nothing: the search's best stays, confirmed.
    void answerStaysWithinTheNoise() {
        ResultSet rs = searched();
        addConfirmVisits(rs, kBest, 8.0, 2, 0.03);
        addConfirmVisits(rs, kTied, 8.1, 2, 0.03);
        const Answer a = decideAnswer(rs);
        QCOMPARE(a.best.aio, kBest);
        QVERIFY(a.confirmation && a.confirmation->done);
        QVERIFY(!a.confirmation->overturned);
        QVERIFY(!a.confirmation->searchBest);
        QVERIFY(a.decidedBy.find("follows libaio") == std::string::npos);
        const std::string sentence = confirmationSentence(a);
        QVERIFY2(sentence.find("Checked with libaio, DeepSpeed's interface: 8.00 GiB/s vs 10.00 GiB/s measured with "
                               "io_uring for the best") == 0,
                 sentence.c_str());
        QVERIFY2(sentence.find("; the other finalist is not ahead on libaio beyond the noise.") != std::string::npos, sentence.c_str());
    }

    // sweep.json keeps the confirmation's samples apart and the answer's
    // record of it; the digest covers them, so a changed one is decided again.
    void confirmationRoundTrips() {
        ResultSet rs = searched();
        addConfirmVisits(rs, kBest, 7.0, 2, 0.01);
        addConfirmVisits(rs, kTied, 9.0, 2, 0.01);
        rs.answer = decideAnswer(rs);
        auto json = answerToJson(*rs.answer);
        QCOMPARE(json.at("confirmation").at("overturned").get<bool>(), true);
        QCOMPARE(json.at("confirmation").at("sentence").get<std::string>(), confirmationSentence(*rs.answer));
        auto back = answerFromJson(json);
        QVERIFY2(back.ok(), back.ok() ? "" : back.error().c_str());
        QVERIFY(*back == *rs.answer);

        const ResultSet read = roundTrip(rs);
        QCOMPARE(read.confirmation, rs.confirmation);
        QCOMPARE(read.configs, rs.configs); // nothing of libaio's in the search's configs
        QVERIFY(answerFor(read) == *rs.answer);

        // The digest covers the confirmation's samples.
        ResultSet changed = read;
        changed.confirmation.configs.front().samples.front().gibPerSec *= 0.5;
        QVERIFY(samplesDigest(changed) != samplesDigest(read));
        const Answer again = answerFor(changed);
        QVERIFY(again.decidedBy.find("decided again") != std::string::npos);
        QVERIFY(again.confirmation && again.confirmation->done);
        // A sweep without a check keeps the digest it always had.
        ResultSet plain = searched();
        const std::string before = samplesDigest(plain);
        plain.confirmation.engine = "libaio";
        QCOMPARE(samplesDigest(plain), before);

        // Not confirmed: the reason survives the file and a decision again.
        ResultSet missing = searched();
        AnswerContext context;
        context.notConfirmed = "libaio is not installed (tried libaio.so.1): install libaio1 to get it (apt-get "
                               "install libaio1)";
        missing.answer = decideAnswer(missing, context);
        QVERIFY(missing.answer->confirmation && !missing.answer->confirmation->done);
        const ResultSet missingRead = roundTrip(missing);
        QVERIFY(answerFor(missingRead) == *missing.answer);
        ResultSet edited = missingRead;
        edited.configs.front().samples.front().gibPerSec *= 1.01;
        const Answer redecided = answerFor(edited);
        QVERIFY(redecided.confirmation && !redecided.confirmation->done);
        QCOMPARE(redecided.confirmation->whyNot, context.notConfirmed);
    }

    // A real sweep on a temporary folder: the finalists are measured again
    // with libaio after the search, within the budget, interleaved, and only
    // as the confirmation's samples.
    void adaptiveSweepConfirmsWithinBudget() {
        if (!probeLibaio()) QSKIP("libaio does not load here (apt-get install libaio1)");
        QTemporaryDir dir, logs;
        BudgetedSweep sweep(dir.path());
        const SweepSpec& spec = sweep.spec;
        AdaptiveStrategy* strategy = &sweep.strategy;
        SweepRunner& runner = sweep.runner;
        const QString logFolder = logs.path() + "/l";
        runner.setLogFolder(logFolder.toStdString());
        std::size_t searchSamples = 0;
        std::vector<ConfirmationSampleEvent> checks;
        std::optional<Answer> sent;
        std::FILE* stream = std::tmpfile();
        EventStreamSink events(stream);
        CallbackSink cb;
        cb.sample = [&](const SampleEvent&) {
            QVERIFY(checks.empty()); // the check comes after the search
            ++searchSamples;
        };
        cb.confirmationSample = [&](const ConfirmationSampleEvent& e) { checks.push_back(e); };
        cb.answer = [&](const AnswerEvent& e) { sent = e.answer; };
        auto results = runner.run({&cb, &events});
        QVERIFY2(results.ok(), results.ok() ? "" : results.error().c_str());
        QCOMPARE(results->status, SweepStatus::Finished);
        QVERIFY(results->engine != "libaio");

        // Within the budget: the search got 40 less the check's 12.
        QCOMPARE(strategy->budgetTransfers(), std::size_t{28});
        QVERIFY(strategy->transfers() <= 28);
        std::size_t inConfigs = 0;
        for (const ConfigResult& c : results->configs) inConfigs += c.samples.size();
        QCOMPARE(inConfigs, strategy->transfers()); // no libaio sample among the search's
        QCOMPARE(inConfigs, searchSamples);
        QVERIFY(inConfigs + checks.size() <= 40);

        // The finalists, interleaved, each visited the same number of times.
        QCOMPARE(results->confirmation.engine, std::string("libaio"));
        QVERIFY(sent && sent->confirmation && sent->confirmation->done);
        const Confirmation& c = *sent->confirmation;
        QVERIFY(!c.finalists.empty() && c.finalists.size() <= kMaxFinalists);
        QCOMPARE(c.searchEngine, results->engine);
        const std::size_t finalists = c.finalists.size();
        const std::size_t each = checks.size() / (2 * finalists);
        QVERIFY(each >= 2 && each <= 3);
        QCOMPARE(checks.size(), each * 2 * finalists);
        for (std::size_t i = 0; i < checks.size(); ++i) {
            const ConfirmationSampleEvent& e = checks[i];
            QCOMPARE(e.engine, std::string("libaio"));
            QVERIFY2(!e.sample.failed(), e.sample.error.c_str());
            QCOMPARE(e.sample.bytes, spec.ioSize);
            QCOMPARE(e.sample.op, i % 2 == 0 ? IoOp::Write : IoOp::Read);
            // Round-robin: visit v of every finalist before visit v + 1 of any.
            QCOMPARE(e.visit.loop, static_cast<int>(i / (2 * finalists)));
            QCOMPARE(e.key, checks[(i % (2 * finalists)) / 2 * 2].key);
            QVERIFY(results->find(e.key)); // a configuration the search measured
            // One libaio handle per finalist for all its visits, as DeepSpeed
            // keeps one: only the first transfer through it opened it.
            const bool opens = i < 2 * finalists && e.sample.op == IoOp::Write;
            QVERIFY2(opens == (e.sample.setupSeconds.value_or(0.0) > 0.0),
                     qPrintable(QString("check %1: setup %2 s").arg(i).arg(e.sample.setupSeconds.value_or(-1))));
        }
        for (const ConfirmedFinalist& f : c.finalists) {
            QCOMPARE(f.confirmVisits, static_cast<int>(each));
            QVERIFY(f.confirmGiBps && *f.confirmGiBps > 0.0);
            QVERIFY(f.searchVisits > 0);
        }
        // The best is one of the finalists, the first unless libaio overturned it.
        if (!c.overturned) QCOMPARE(c.finalists.front().key, sent->best);
        QVERIFY(confirmationSentence(*sent).rfind("Checked with libaio, DeepSpeed's interface: ", 0) == 0);

        // sweep.json and the returned results say the same; a reader gets the stored answer.
        QVERIFY(*results->answer == *sent);
        auto read = LogFolderReader().read(logFolder.toStdString());
        QVERIFY2(read.ok(), read.ok() ? "" : read.error().c_str());
        QCOMPARE(read->confirmation, results->confirmation);
        QVERIFY(answerFor(*read) == *sent);
        // The report shows the sentence (HTML-escaped).
        const std::string html = renderHtmlReport(*read, analyze(*read));
        QVERIFY(html.find("<p class=\"confirmation\">Checked with libaio, DeepSpeed&#39;s interface: ") !=
                std::string::npos);

        // The event stream carries the check as its own events.
        std::rewind(stream);
        std::string text;
        for (int ch; (ch = std::fgetc(stream)) != EOF;) text += static_cast<char>(ch);
        std::fclose(stream);
        std::size_t streamed = 0;
        bool answerHasIt = false;
        for (const QString& line : QString::fromStdString(text).split('\n', Qt::SkipEmptyParts)) {
            const auto e = parseEventLine(line.toStdString());
            QVERIFY(e.has_value());
            if (e->at("event") == "confirmation_sample") {
                ++streamed;
                QCOMPARE(e->at("engine").get<std::string>(), std::string("libaio"));
            }
            if (e->at("event") == "answer")
                answerHasIt = e->at("answer").at("confirmation").at("done").get<bool>();
        }
        QCOMPARE(streamed, checks.size());
        QVERIFY(answerHasIt);
    }

    // A finalist whose libaio handle cannot open (io_setup's EAGAIN: another
    // job holds the machine's aio contexts) loses that visit, and its next
    // visit opens a handle again instead of keeping the failed one.
    void failedHandleOpensAgainNextVisit() {
        if (!probeLibaio()) QSKIP("libaio does not load here (apt-get install libaio1)");
        // Probed first (a success is remembered, so the sweep probes no more):
        // call 1 after the variable is set is the first context of the first
        // finalist's first handle.
        QVERIFY(probeLibaio({AIOTUNE_FLAKY_LIBAIO}).ok());
        static int run = 0; // a new value each run, so the count starts again
        qputenv("FLAKY_LIBAIO_FAIL_SETUP", "1@" + QByteArray::number(++run));
        QTemporaryDir dir;
        BudgetedSweep sweep(dir.path());
        SweepRunner& runner = sweep.runner;
        runner.setLibaioLibrary({AIOTUNE_FLAKY_LIBAIO});
        std::vector<ConfirmationSampleEvent> checks;
        std::optional<Answer> sent;
        CallbackSink cb;
        cb.confirmationSample = [&](const ConfirmationSampleEvent& e) { checks.push_back(e); };
        cb.answer = [&](const AnswerEvent& e) { sent = e.answer; };
        auto results = runner.run({&cb});
        qunsetenv("FLAKY_LIBAIO_FAIL_SETUP");
        QVERIFY2(results.ok(), results.ok() ? "" : results.error().c_str());
        QVERIFY(sent && sent->confirmation && sent->confirmation->done);
        const Confirmation& c = *sent->confirmation;
        const std::size_t finalists = c.finalists.size();
        QVERIFY(finalists >= 1 && !checks.empty());
        const std::size_t each = checks.size() / (2 * finalists);
        QVERIFY(each >= 2);
        const ConfigKey first = checks.front().key;
        for (std::size_t i = 0; i < checks.size(); ++i) {
            const ConfirmationSampleEvent& e = checks[i];
            const bool lost = e.key == first && e.visit.loop == 0;
            QVERIFY2(lost == e.sample.failed(), qPrintable(QString("check %1: %2").arg(i).arg(e.sample.error.c_str())));
            if (lost) VERIFY_CONTAINS(e.sample.error, "io_setup failed");
            // The first finalist's second visit opened a handle again (its
            // write carries the setup time), and kept it for the third.
            if (e.key == first && e.sample.op == IoOp::Write)
                QVERIFY2((e.visit.loop == 1) == (e.sample.setupSeconds.value_or(0.0) > 0.0),
                         qPrintable(QString("visit %1: setup %2 s").arg(e.visit.loop).arg(e.sample.setupSeconds.value_or(-1))));
        }
        for (const ConfirmedFinalist& f : c.finalists) {
            QCOMPARE(f.confirmVisits, static_cast<int>(f.key == first ? each - 1 : each));
            QVERIFY(f.confirmGiBps && *f.confirmGiBps > 0.0);
        }
    }

    // A grid has no budget: the check comes after the grid's own visits.
    void gridSweepChecksAfterTheGrid() {
        if (!probeLibaio()) QSKIP("libaio does not load here (apt-get install libaio1)");
        QTemporaryDir dir;
        const SweepSpec spec = tinySpec(dir.path());
        SweepRunner runner(spec);
        auto results = runner.run();
        QVERIFY2(results.ok(), results.ok() ? "" : results.error().c_str());
        std::size_t inConfigs = 0, checks = 0;
        for (const ConfigResult& c : results->configs) inConfigs += c.samples.size();
        for (const ConfigResult& c : results->confirmation.configs) checks += c.samples.size();
        QCOMPARE(inConfigs, spec.pointCount() * 2 * 2); // the whole grid, 2 loops, read and write
        QVERIFY(results->answer && results->answer->confirmation && results->answer->confirmation->done);
        const std::size_t finalists = results->answer->confirmation->finalists.size();
        // Visited alike, kConfirmVisits each, or up to kConfirmMaxVisits when fewer share the 6 visits.
        const std::size_t each = std::min<std::size_t>(kMaxFinalists * kConfirmVisits / finalists, kConfirmMaxVisits);
        QCOMPARE(checks, finalists * each * 2);
        for (const ConfirmedFinalist& f : results->answer->confirmation->finalists)
            QCOMPARE(f.confirmVisits, static_cast<int>(each));
        QCOMPARE(results->answer->transfers, inConfigs);
        SweepPlan plan = planSweep(spec);
        planConfirmation(plan, spec, EngineKind::IoUring, true);
        QCOMPARE(plan.confirmTransfers, std::size_t{12});
        QVERIFY2(plan.summary().find("then up to 12 more transfers after the grid check the finalists on libaio") !=
                     std::string::npos,
                 plan.summary().c_str());
    }

    // libaio missing (a library name that does not exist stands in for it):
    // the sweep runs, nothing is checked, and the answer says why and how.
    void missingLibaioLeavesTheAnswerUnchecked() {
        QTemporaryDir dir, logs;
        const SweepSpec spec = tinySpec(dir.path());
        SweepRunner runner(spec);
        runner.setLibaioLibrary({"libaio-missing.so.9"});
        runner.setLogFolder((logs.path() + "/l").toStdString());
        bool checked = false;
        CallbackSink cb;
        cb.confirmationSample = [&](const ConfirmationSampleEvent&) { checked = true; };
        auto results = runner.run({&cb});
        QVERIFY2(results.ok(), results.ok() ? "" : results.error().c_str());
        QVERIFY(!checked);
        QVERIFY(results->confirmation.empty());
        QVERIFY(results->answer && results->answer->found);
        QVERIFY(results->answer->confirmation.has_value());
        const Confirmation& c = *results->answer->confirmation;
        QVERIFY(!c.done);
        VERIFY_CONTAINS(c.whyNot, "libaio is not installed");
        VERIFY_CONTAINS(c.whyNot, "apt-get install libaio1");
        const std::string sentence = confirmationSentence(*results->answer);
        QVERIFY2(sentence.rfind("Not checked with libaio, DeepSpeed's interface: libaio is not installed", 0) == 0,
                 sentence.c_str());
        VERIFY_CONTAINS(sentence, "install libaio1");
        auto read = LogFolderReader().read((logs.path() + "/l").toStdString());
        QVERIFY(read.ok());
        QVERIFY(answerFor(*read) == *results->answer);
        // The plan says so before the sweep starts.
        QVERIFY(!confirmationUnavailable("io_uring", true, {"libaio-missing.so.9"}).empty());
    }

    // --engine libaio where libaio is missing: refused before any I/O, with how to install it.
    void engineLibaioMissingIsRefused() {
        QTemporaryDir dir;
        SweepRunner runner(tinySpec(dir.path()), EngineKind::Libaio);
        runner.setLibaioLibrary({"libaio-missing.so.9"});
        auto results = runner.run();
        QVERIFY(!results.ok());
        VERIFY_CONTAINS(results.error(), "libaio is not installed");
        VERIFY_CONTAINS(results.error(), "apt-get install libaio1");
        QVERIFY(aiotune::testing::entriesOf(dir.path()).isEmpty()); // no scratch file left behind
    }

    // Switched off, or the search on libaio already: not checked, and why.
    void checkOffOrNeedless() {
        QTemporaryDir dir;
        SweepRunner off(tinySpec(dir.path()));
        off.setConfirm(false);
        auto a = off.run();
        QVERIFY(a.ok());
        QVERIFY(a->confirmation.empty());
        QVERIFY(a->answer->confirmation && !a->answer->confirmation->done);
        VERIFY_CONTAINS(a->answer->confirmation->whyNot, "--no-confirm");
        if (!probeLibaio()) return;
        SweepRunner onLibaio(tinySpec(dir.path()), EngineKind::Libaio);
        auto b = onLibaio.run();
        QVERIFY2(b.ok(), b.ok() ? "" : b.error().c_str());
        QVERIFY(b->confirmation.empty());
        VERIFY_CONTAINS(b->answer->confirmation->whyNot, "the search itself measured with libaio");
    }

    // The command line: the plan, the text answer, --json and analyze name the check.
    void commandLineShowsTheCheck() {
        if (!probeLibaio()) QSKIP("libaio does not load here (apt-get install libaio1)");
        QTemporaryDir dir;
        QDir(dir.path()).mkpath("scratch");
        const QStringList sweep{"sweep",         "--nvme_dir",    dir.filePath("scratch"), "--io_size", "1M",
                                "--block_size",  "64K,256K",      "--queue_depth",         "2,4",       "--io_parallel",
                                "1",             "--single_submit", "false",               "--overlap_events",
                                "true",          "--budget",      "40"};
        const auto r = runAiotune(sweep + QStringList{"--log_dir", dir.filePath("logs")});
        QVERIFY2(r.code == 0, r.err.constData());
        QVERIFY2(r.err.contains("up to 12 of those transfers check the finalists on libaio"), r.err.constData());
        QVERIFY2(r.out.contains("Checked with libaio, DeepSpeed's interface: "), r.out.constData());
        QVERIFY2(r.err.contains("check on libaio, write "), r.err.constData()); // its transfers, as they go
        const auto analyzed = runAiotune({"analyze", "--log_dir", dir.filePath("logs")});
        QVERIFY2(analyzed.code == 0, analyzed.err.constData());
        QVERIFY2(analyzed.out.contains("Checked with libaio, DeepSpeed's interface: "), analyzed.out.constData());
        const auto json = runAiotune({"analyze", "--log_dir", dir.filePath("logs"), "--json"});
        QVERIFY2(json.code == 0, json.err.constData());
        const auto doc = nlohmann::json::parse(json.out.toStdString());
        QVERIFY(doc.at("confirmation").get<std::string>().rfind("Checked with libaio", 0) == 0);
        QCOMPARE(doc.at("answer").at("confirmation").at("engine").get<std::string>(), std::string("libaio"));

        const auto off = runAiotune(sweep + QStringList{"--log_dir", dir.filePath("off"), "--no-confirm", "--json"});
        QVERIFY2(off.code == 0, off.err.constData());
        QVERIFY2(off.err.contains("the answer will not be checked on libaio: the check was switched off"),
                 off.err.constData());
        const auto offDoc = nlohmann::json::parse(off.out.toStdString());
        QVERIFY2(offDoc.at("confirmation").get<std::string>().rfind("Not checked with libaio", 0) == 0,
                 off.out.constData());
        QCOMPARE(offDoc.at("answer").at("confirmation").at("done").get<bool>(), false);
    }
};

QTEST_GUILESS_MAIN(TestConfirmation)
#include "test_confirmation.moc"
