#include "check/config_check.h"
#include "results/analysis.h"
#include "results/best_config_panel.h"
#include "results/line_diff.h"
#include "results/log_folder_reader.h"
#include "results/merge_preview_dialog.h"
#include "results/result_format.h"
#include "results/answer.h"

#include <QClipboard>
#include <QComboBox>
#include <QProcess>
#include <QGuiApplication>
#include <QLabel>
#include <QPlainTextEdit>
#include <QScrollBar>
#include <QTemporaryDir>
#include <QtTest>

#include <fstream>

using namespace aiotune;
using json = nlohmann::json;

namespace {
const std::string kFixtures = AIOTUNE_TEST_FIXTURES "/deepspeed";

Recommendation fixtureRecommendation(const QString& name = "ds-0.15-sweep") {
    auto rs = LogFolderReader().read(kFixtures + "/" + name.toStdString());
    if (!rs.ok()) qFatal("fixture %s: %s", qPrintable(name), rs.error().c_str());
    return analyze(*rs);
}

json expectedBest(const QString& name = "ds-0.15-sweep") {
    std::ifstream in(kFixtures + "/expected.json");
    return json::parse(in).at(name.toStdString()).at("best");
}

QByteArray readAll(const QString& path) {
    QFile f(path);
    return f.open(QIODevice::ReadOnly) ? f.readAll() : QByteArray();
}

void writeAll(const QString& path, const QByteArray& bytes) {
    QFile f(path);
    QVERIFY(f.open(QIODevice::WriteOnly | QIODevice::Truncate));
    f.write(bytes);
}

// A panel whose dialogs are scripted: chooser answers `path`, confirmers
// answer `yes` and record what they were shown.
struct Scripted {
    QString path;
    bool yes = true;
    int overwriteAsked = 0;
    int mergeAsked = 0;
    QString diff;
    QStringList warnings;

    void attach(BestConfigPanel& panel) {
        panel.setExportPathChooser([this](QWidget*) { return path; });
        panel.setMergeFileChooser([this](QWidget*) { return path; });
        panel.setOverwriteConfirmer([this](QWidget*, const QString&) {
            ++overwriteAsked;
            return yes;
        });
        panel.setMergeConfirmer(
            [this](QWidget*, const QString&, const QString& d, const QStringList& w) {
                ++mergeAsked;
                diff = d;
                warnings = w;
                return yes;
            });
    }
};

const char* kUserConfig = R"({
  "train_batch_size": 16,
  "zero_optimization": {
    "stage": 3,
    "offload_param": {"device": "nvme", "nvme_path": "/local_nvme"}
  },
  "aio": {
    "block_size": 131072,
    "queue_depth": 8,
    "thread_count": 1,
    "single_submit": false,
    "overlap_events": true
  },
  "fp16": {"enabled": true}
}
)";
} // namespace

class TestBestConfigPanel : public QObject {
    Q_OBJECT
    // An adaptive search's answer: 8M, qd 32, 8 threads at 6.25 GiB/s, tied with 4 threads.
    static Recommendation sampleRecommendation() {
        Recommendation rec;
        Answer& a = rec.answer;
        a.strategy = "adaptive";
        a.decidedBy = "the adaptive search, from all its samples";
        a.found = true;
        a.stoppedBecause = "converged";
        a.tolerance = 0.03;
        a.transfers = 96;
        a.configurations = 64;
        a.measured = 32;
        a.best.aio.block_size = 8 << 20;
        a.best.aio.queue_depth = 32;
        a.best.aio.intra_op_parallelism = 8;
        a.bestGiBps = 6.25;
        a.interval = AnswerInterval{6.01, 6.49};
        a.bestVisits = 4;
        ConfigKey tied = a.best;
        tied.aio.intra_op_parallelism = 4;
        a.tied = {tied};
        a.recommended = tied;
        a.recommendedGiBps = 6.2;
        a.confidence = Confidence::High;
        a.confidenceText = "nothing can be more than 2% faster";
        a.configs = {{a.best, ConfigState::Best, 4, 6.25, std::nullopt, "the highest estimate"},
                     {tied, ConfigState::Tied, 4, 6.2, 0.02, "tied"}};
        ConfigResult best;
        best.key = a.best;
        best.readGiBps = 3.5;
        best.writeGiBps = 2.75;
        best.combinedGiBps = 6.25;
        rec.best = best;
        rec.confidence = a.confidence;
        rec.confidenceText = a.confidenceText;
        return rec;
    }

  private slots:
    void emptyState() {
        BestConfigPanel panel;
        QSignalSpy messages(&panel, &BestConfigPanel::message);
        QVERIFY(!panel.hasResult());
        QVERIFY(panel.jsonText().isEmpty());
        QVERIFY(!panel.chosenConfig());
        const auto labels = panel.findChildren<QLabel*>();
        QVERIFY(std::any_of(labels.begin(), labels.end(), [](QLabel* l) {
            return l->isVisibleTo(l->window()) &&
                   l->text().contains("Run a sweep or open a log folder");
        }));
        QVERIFY(!panel.exportJson());
        QCOMPARE(messages.count(), 1);
        QVERIFY(messages.at(0).at(1).toBool()); // an error
        // Something measured but nothing ranked: the answer says why.
        Recommendation none;
        none.answer.message = "no configuration has both a read and a write log";
        none.readOnly.resize(1);
        panel.setRecommendation(none);
        QVERIFY(std::any_of(labels.begin(), labels.end(), [](QLabel* l) {
            return l->text().contains("no configuration has both a read and a write log");
        }));
    }

    // Sentences that grow after the panel is shown (a sweep's analysis, then
    // the search's answer) get the height their width needs; none is cut.
    void longerTextIsNotCut() {
        BestConfigPanel panel; // "No results yet", as when a sweep starts
        panel.resize(300, 560);
        panel.show();
        QVERIFY(QTest::qWaitForWindowExposed(&panel));
        panel.setRecommendation(fixtureRecommendation());
        QTest::qWait(20);
        Recommendation rec = fixtureRecommendation();
        rec.confidenceText = std::string(40, 'x') + " " +
                             "The best is 0.20 GiB/s (7.1%) ahead of the runner-up (128K, qd 32, 8 threads, "
                             "block, overlap), within the measured noise: the top configurations perform alike.";
        panel.setRecommendation(rec);
        QTest::qWait(20);
        Recommendation search = sampleRecommendation();
        search.answer.confidenceText = rec.confidenceText;
        panel.setRecommendation(search);
        QTest::qWait(50);
        int wrapped = 0;
        for (QLabel* l : panel.findChildren<QLabel*>()) {
            if (!l->isVisible() || !l->wordWrap() || l->text().isEmpty()) continue;
            ++wrapped;
            // Units never wrap away from their figure ("2.47 GiB/" + "s").
            QVERIFY2(!l->text().contains(QStringLiteral(" GiB/s")), qPrintable(l->text()));
            QVERIFY2(l->height() >= l->heightForWidth(l->width()),
                     qPrintable(QStringLiteral("%1: %2 px for %3")
                                    .arg(l->text().left(40))
                                    .arg(l->height())
                                    .arg(l->heightForWidth(l->width()))));
        }
        QVERIFY(wrapped >= 3);
    }

    void aioJson_data() {
        QTest::addColumn<int>("target");
        QTest::addColumn<QStringList>("threadKeys");
        QTest::addColumn<QString>("absentKey");
        QTest::addRow("DeepSpeed 0.16.4+") << int(BestConfigPanel::Target::Current)
                                           << QStringList{"intra_op_parallelism"} << "thread_count";
        QTest::addRow("DeepSpeed < 0.16.4") << int(BestConfigPanel::Target::Legacy) << QStringList{"thread_count"}
                                            << "intra_op_parallelism";
        QTest::addRow("any version") << int(BestConfigPanel::Target::AnyVersion)
                                     << QStringList{"thread_count", "intra_op_parallelism"} << QString();
    }
    // The shown JSON parses back to the expected best with real booleans.
    void aioJson() {
        QFETCH(int, target);
        QFETCH(QStringList, threadKeys);
        QFETCH(QString, absentKey);
        BestConfigPanel panel;
        panel.setRecommendation(fixtureRecommendation());
        panel.setTarget(BestConfigPanel::Target(target));
        QCOMPARE(int(panel.target()), target);
        QVERIFY(panel.hasResult());

        const auto editors = panel.findChildren<QPlainTextEdit*>();
        QCOMPARE(editors.size(), 1);
        QVERIFY(editors[0]->isReadOnly());
        // Shown without the file's final newline, and whole: no scroll bar.
        QCOMPARE(editors[0]->toPlainText(), panel.jsonText().trimmed());
        panel.resize(320, 700);
        panel.show();
        QVERIFY(QTest::qWaitForWindowExposed(&panel));
        QCOMPARE(editors[0]->verticalScrollBar()->maximum(), 0);

        const json shown = json::parse(panel.jsonText().toStdString());
        QVERIFY(shown.is_object() && shown.size() == 1);
        const json& aio = shown.at("aio");
        const json want = expectedBest();
        QCOMPARE(aio.at("block_size").get<std::uint64_t>(),
                 want.at("block_size").get<std::uint64_t>());
        QCOMPARE(aio.at("queue_depth").get<int>(), want.at("queue_depth").get<int>());
        for (const QString& threadKey : threadKeys) {
            QVERIFY(aio.at(threadKey.toStdString()).is_number_integer());
            QCOMPARE(aio.at(threadKey.toStdString()).get<int>(), want.at("intra_op_parallelism").get<int>());
        }
        if (!absentKey.isEmpty()) QVERIFY(!aio.contains(absentKey.toStdString()));
        for (const char* key : {"single_submit", "overlap_events"}) {
            QVERIFY2(aio.at(key).is_boolean(), key);
            QCOMPARE(aio.at(key).get<bool>(), want.at(key).get<bool>());
        }
        QVERIFY(aio.at("use_gds").is_boolean());

        QSignalSpy messages(&panel, &BestConfigPanel::message);
        panel.copyToClipboard();
        QCOMPARE(QGuiApplication::clipboard()->text(), panel.jsonText());
        QCOMPARE(messages.count(), 1);
        QVERIFY(!messages.at(0).at(1).toBool());
    }

    // The cheaper pick can be exported instead of the best.
    void recommendedChoice() {
        Recommendation rec = fixtureRecommendation();
        ConfigResult cheaper = *rec.best;
        cheaper.key.aio.intra_op_parallelism = 1;
        rec.recommended = cheaper;
        rec.answer.recommended = cheaper.key; // the panel shows the answer's
        BestConfigPanel panel;
        panel.setRecommendation(rec);
        QCOMPARE(panel.chosenConfig()->intra_op_parallelism, 8);
        panel.setUseRecommended(true);
        QCOMPARE(panel.chosenConfig()->intra_op_parallelism, 1);
        QCOMPARE(json::parse(panel.jsonText().toStdString())
                     .at("aio")
                     .at("intra_op_parallelism")
                     .get<int>(),
                 1);
        // When the recommendation is the best itself, the choice does not apply.
        panel.setRecommendation(fixtureRecommendation());
        QCOMPARE(panel.chosenConfig()->intra_op_parallelism, 8);
    }

    // Export writes valid JSON, asks before replacing a file, and keeps a
    // backup only when the user agreed.
    void exportFile() {
        QTemporaryDir tmp;
        BestConfigPanel panel;
        panel.setRecommendation(fixtureRecommendation());
        Scripted script;
        script.attach(panel);
        QSignalSpy messages(&panel, &BestConfigPanel::message);

        script.path = QString();
        QVERIFY(!panel.exportJson()); // cancelled: nothing, no message
        QCOMPARE(messages.count(), 0);

        script.path = tmp.filePath("aio.json");
        QVERIFY(panel.exportJson());
        QCOMPARE(script.overwriteAsked, 0);
        const json written = json::parse(readAll(script.path).toStdString());
        QCOMPARE(written, json::parse(panel.jsonText().toStdString()));
        QVERIFY(written.at("aio").at("overlap_events").is_boolean());
        QVERIFY(!messages.last().at(1).toBool());

        // Existing file, user says no: untouched, no backup.
        writeAll(script.path, "{\"mine\": 1}\n");
        script.yes = false;
        QVERIFY(!panel.exportJson());
        QCOMPARE(script.overwriteAsked, 1);
        QCOMPARE(readAll(script.path), QByteArray("{\"mine\": 1}\n"));
        QVERIFY(!QFileInfo::exists(script.path + ".bak"));
        QVERIFY(messages.last().at(0).toString().contains("already exists"));

        // User says yes: replaced, old bytes in the backup.
        script.yes = true;
        QVERIFY(panel.exportJson());
        QCOMPARE(script.overwriteAsked, 2);
        QCOMPARE(readAll(script.path + ".bak"), QByteArray("{\"mine\": 1}\n"));
        QVERIFY(json::parse(readAll(script.path).toStdString()).contains("aio"));
        QVERIFY(messages.last().at(0).toString().contains(".bak"));

        // A folder that does not exist: an error message naming it.
        script.path = tmp.filePath("missing/aio.json");
        QVERIFY(!panel.exportJson());
        QVERIFY(messages.last().at(1).toBool());
        QVERIFY(messages.last().at(0).toString().contains("missing"));
    }

    // Merge shows the diff first; writes (with a .bak) only on accept and
    // keeps every other key of the user's config.
    void mergeFile() {
        QTemporaryDir tmp;
        const QString path = tmp.filePath("ds_config.json");
        writeAll(path, kUserConfig);
        BestConfigPanel panel;
        panel.setRecommendation(fixtureRecommendation());
        Scripted script;
        script.path = path;
        script.attach(panel);
        QSignalSpy messages(&panel, &BestConfigPanel::message);

        script.yes = false;
        QVERIFY(!panel.mergeIntoConfig());
        QCOMPARE(script.mergeAsked, 1);
        QCOMPARE(readAll(path), QByteArray(kUserConfig));
        QVERIFY(!QFileInfo::exists(path + ".bak"));
        QVERIFY(script.diff.startsWith("--- " + path + "\n+++ "));
        QVERIFY2(script.diff.contains(QRegularExpression("\n-\\s*\"block_size\": 131072")),
                 qPrintable(script.diff));
        QVERIFY2(script.diff.contains(QRegularExpression("\n\\+\\s*\"block_size\": 1048576")),
                 qPrintable(script.diff));
        QVERIFY(!script.diff.contains("train_batch_size")); // far from the change: no context line
        QVERIFY(!messages.last().at(1).toBool());

        script.yes = true;
        QVERIFY(panel.mergeIntoConfig());
        QCOMPARE(readAll(path + ".bak"), QByteArray(kUserConfig));
        const json merged = json::parse(readAll(path).toStdString());
        QCOMPARE(merged.at("train_batch_size").get<int>(), 16);
        QCOMPARE(
            merged.at("zero_optimization").at("offload_param").at("nvme_path").get<std::string>(),
            std::string("/local_nvme"));
        QCOMPARE(merged.at("fp16").at("enabled").get<bool>(), true);
        const json& aio = merged.at("aio");
        QCOMPARE(aio.at("block_size").get<std::uint64_t>(), std::uint64_t(1048576));
        QCOMPARE(aio.at("queue_depth").get<int>(), 32);
        QCOMPARE(aio.at("intra_op_parallelism").get<int>(), 8);
        QVERIFY(aio.at("single_submit").is_boolean());
        // The user's legacy name of the measured count is kept, in step with it.
        QCOMPARE(aio.at("thread_count").get<int>(), 8);
        QVERIFY(messages.last().at(0).toString().contains(".bak"));

        // Again: nothing to change, nothing asked or written.
        QVERIFY(!panel.mergeIntoConfig());
        QCOMPARE(script.mergeAsked, 2);
        QVERIFY(!QFileInfo::exists(path + ".bak.1"));
    }

    void mergeWarningsAndErrors() {
        QTemporaryDir tmp;
        BestConfigPanel panel;
        panel.setRecommendation(fixtureRecommendation());
        Scripted script;
        script.attach(panel);
        QSignalSpy messages(&panel, &BestConfigPanel::message);

        // An "aio" block inside zero_optimization is ignored by DeepSpeed: say so.
        script.path = tmp.filePath("nested.json");
        writeAll(script.path,
                 R"({"zero_optimization": {"stage": 3, "aio": {"block_size": 131072}}})");
        script.yes = false;
        QVERIFY(!panel.mergeIntoConfig());
        QVERIFY(std::any_of(script.warnings.begin(), script.warnings.end(),
                            [](const QString& w) { return w.contains("zero_optimization"); }));

        // Not JSON: an error naming the file, nothing asked.
        script.path = tmp.filePath("broken.json");
        writeAll(script.path, "{\"aio\": ");
        const int asked = script.mergeAsked;
        QVERIFY(!panel.mergeIntoConfig());
        QCOMPARE(script.mergeAsked, asked);
        QVERIFY(messages.last().at(1).toBool());
        QVERIFY(messages.last().at(0).toString().contains("broken.json"));

        // A read-only config: left alone, and the advice is one a window user
        // can follow (it said "pass --force", a command-line flag).
        script.path = tmp.filePath("ro.json");
        writeAll(script.path, kUserConfig);
        QVERIFY(QFile::setPermissions(script.path, QFileDevice::ReadOwner | QFileDevice::ReadGroup));
        script.yes = true;
        QVERIFY(!panel.mergeIntoConfig());
        QCOMPARE(readAll(script.path), QByteArray(kUserConfig));
        const QString said = messages.last().at(0).toString();
        QVERIFY2(said.contains("make it writable (chmod u+w) and try again") && !said.startsWith("pass --force"),
                 qPrintable(said));
        QVERIFY(QFile::setPermissions(script.path, QFileDevice::ReadOwner | QFileDevice::WriteOwner));
        QVERIFY(panel.mergeIntoConfig());
    }

    // The merge dialog's wording comes from the same type rules as `check`
    // (config/aio_value_rules.h): use_gds is truth-tested, so "false" turns
    // GDS on; the user's use_gds is kept, and the figures were not measured with GDS.
    void mergeDialogUsesCheckRules() {
        QTemporaryDir tmp;
        BestConfigPanel panel;
        panel.setRecommendation(fixtureRecommendation());
        Scripted script;
        script.attach(panel);
        script.path = tmp.filePath("gds.json");
        writeAll(script.path, R"({"aio": {"use_gds": "false", "single_submit": "true"}})");
        QVERIFY(panel.mergeIntoConfig());
        const QString all = script.warnings.join('\n');
        const auto checked = aiotune::checkDeepSpeedConfig(
            nlohmann::ordered_json::parse(R"({"aio": {"use_gds": "false"}})"), {0, 19, 0});
        QVERIFY(!checked.findings.empty());
        // The same sentence check gives, word for word.
        QVERIFY2(all.contains(QString::fromStdString(checked.findings.front().message)),
                 qPrintable(all));
        QVERIFY2(all.contains("GPUDirect Storage is turned ON"), qPrintable(all));
        QVERIFY2(!all.contains("any non-empty string as true"), qPrintable(all));
        // The string flag was a measured key: replaced, and said it was not valid.
        QVERIFY2(all.contains("\"single_submit\" is the string \"true\""), qPrintable(all));
        const auto merged = nlohmann::ordered_json::parse(readAll(script.path).toStdString());
        QCOMPARE(merged["aio"]["use_gds"],
                 nlohmann::ordered_json("false")); // kept as the user wrote it
        QCOMPARE(merged["aio"]["single_submit"].is_boolean(), true);
    }

    void lineDiff_data() {
        QTest::addColumn<QString>("before");
        QTest::addColumn<QString>("after");
        QTest::addColumn<int>("context");
        QTest::addColumn<QString>("diff");
        QTest::addRow("equal") << "a\nb\n"
                               << "a\nb\n"
                               << 3 << "";
        QTest::addRow("one line changed") << "a\nb\nc\n"
                                          << "a\nB\nc\n"
                                          << 1 << "--- x\n+++ y\n@@ -1,3 +1,3 @@\n a\n-b\n+B\n c\n";
        QTest::addRow("insert at end, no context") << "a\nb\n"
                                                   << "a\nb\nc\n"
                                                   << 0 << "--- x\n+++ y\n@@ -2,0 +3,1 @@\n+c\n";
        QTest::addRow("delete first") << "a\nb\nc\n"
                                      << "b\nc\n"
                                      << 1 << "--- x\n+++ y\n@@ -1,2 +1,1 @@\n-a\n b\n";
        QTest::addRow("two hunks")
            << "1\n2\n3\n4\n5\n6\n7\n8\n9\n"
            << "1\nX\n3\n4\n5\n6\n7\nY\n9\n"
            << 1
            << "--- x\n+++ y\n@@ -1,3 +1,3 @@\n 1\n-2\n+X\n 3\n@@ -7,3 +7,3 @@\n 7\n-8\n+Y\n 9\n";
        QTest::addRow("close changes share a hunk")
            << "1\n2\n3\n4\n5\n"
            << "1\nX\n3\nY\n5\n"
            << 1 << "--- x\n+++ y\n@@ -1,5 +1,5 @@\n 1\n-2\n+X\n 3\n-4\n+Y\n 5\n";
        QTest::addRow("from empty") << ""
                                    << "a\n"
                                    << 3 << "--- x\n+++ y\n@@ -0,0 +1,1 @@\n+a\n";
    }
    void lineDiff() {
        QFETCH(QString, before);
        QFETCH(QString, after);
        QFETCH(int, context);
        QFETCH(QString, diff);
        QCOMPARE(unifiedLineDiff(before, after, "x", "y", context), diff);
    }

    // Set AIOTUNE_SCREENSHOT_DIR to keep the picture for a look.
    void screenshot() {
        Recommendation rec = fixtureRecommendation();
        ConfigResult cheaper = *rec.best;
        cheaper.key.aio.intra_op_parallelism = 1;
        *cheaper.combinedGiBps -= 0.05;
        rec.recommended = cheaper;
        rec.noiseGiBps = 0.12;
        rec.noiseKnown = true;
        BestConfigPanel panel;
        panel.setRecommendation(rec);
        panel.resize(560, 520);
        QTemporaryDir tmp;
        const QString dir = qEnvironmentVariable("AIOTUNE_SCREENSHOT_DIR", tmp.path());
        QVERIFY(panel.grab().save(dir + "/best-config-panel.png"));
        BestConfigPanel empty;
        empty.resize(560, 300);
        QVERIFY(empty.grab().save(dir + "/best-config-panel-empty.png"));

        const QString diff =
            unifiedLineDiff(kUserConfig, QString(kUserConfig).replace("131072", "1048576"),
                            "/home/me/ds_config.json", "/home/me/ds_config.json (merged)");
        MergePreviewDialog dialog(
            "/home/me/ds_config.json", diff,
            {"the old \"aio\" section is replaced: block_size 131072 -> 1048576"});
        QCOMPARE(dialog.diffText(), diff);
        QVERIFY(dialog.grab().save(dir + "/merge-preview-dialog.png"));
    }

    // The panel shows and exports the answer it is given (answerFor: the one
    // `aiotune sweep --json` and `export` give), never one of its own.
    void exportsTheAnswer() {
        BestConfigPanel panel;
        const Recommendation rec = sampleRecommendation();
        panel.setRecommendation(rec);
        QCOMPARE(*panel.chosenConfig(), rec.answer.best.aio);
        bool named = false;
        for (QLabel* l : panel.findChildren<QLabel*>())
            named = named || l->text() == resultformat::longLabel(rec.answer.best);
        QVERIFY(named);
        // Confidence in one word, on top.
        QCOMPARE(panel.findChild<QLabel*>("confidence")->text(), QStringLiteral("Confidence: <b>high</b>"));
        panel.setUseRecommended(true);
        QVERIFY(panel.useRecommended());
        QCOMPARE(*panel.chosenConfig(), rec.answer.recommended->aio);
        QVERIFY(json::parse(panel.jsonText().toStdString())["aio"]["intra_op_parallelism"] == 4);
    }

    // The answer is shown whole: figure and interval, confidence, tied ones, how decided, cost.
    void answerShown() {
        BestConfigPanel panel;
        panel.setRecommendation(sampleRecommendation());
        QString all = panel.answerText();
        for (QLabel* l : panel.findChildren<QLabel*>()) all += l->text() + "\n";
        for (const char* want : {"6.25", "6.01", "6.49", "p4", "6.20", "high",
                                 "nothing can be more than 2% faster", "converged", "3%",
                                 "96 transfers", "32 of 64", "Decided by the adaptive search"})
            QVERIFY2(all.contains(QString::fromUtf8(want)), qPrintable(QString(want) + " in " + all));
        QVERIFY(panel.answerText().contains("Tied with the best"));
    }

    // A partial answer says so, claims no recommendation, and asks before it is written.
    void partialAnswerAsksFirst() {
        QTemporaryDir dir;
        BestConfigPanel panel;
        Recommendation rec = sampleRecommendation();
        rec.answer.partial = true;
        rec.answer.partialReason = "the sweep was cancelled after 9 transfers";
        rec.answer.recommended.reset();
        rec.answer.interval.reset();
        panel.setRecommendation(rec);
        QString all = panel.answerText();
        for (QLabel* l : panel.findChildren<QLabel*>())
            if (l->isVisibleTo(&panel)) all += l->text() + "\n";
        QVERIFY2(all.contains("Partial answer: the sweep was cancelled after 9 transfers"), qPrintable(all));
        QVERIFY(all.contains("not claimed"));
        QVERIFY(all.contains("no interval"));
        QVERIFY(!all.contains("6.01"));
        QSignalSpy messages(&panel, &BestConfigPanel::message);
        const QString out = dir.filePath("aio.json");
        panel.setExportPathChooser([&](QWidget*) { return out; });
        QString asked;
        panel.setPartialConfirmer([&](QWidget*, const QString& reason) {
            asked = reason;
            return false;
        });
        QVERIFY(!panel.exportJson());
        QCOMPARE(asked, QString("the sweep was cancelled after 9 transfers"));
        QVERIFY(!QFileInfo::exists(out));
        panel.setPartialConfirmer([](QWidget*, const QString&) { return true; });
        QVERIFY(panel.exportJson());
        QVERIFY(QFileInfo::exists(out));
        QVERIFY2(messages.last().at(0).toString().contains("partial answer"), qPrintable(messages.last().at(0).toString()));
    }

    // The profile is a fact on top (a what-if's only warning), and in the explanation.
    void profileShown() {
        BestConfigPanel panel;
        panel.setRecommendation(sampleRecommendation());
        panel.setProfileName("what-if: huge pages, registered buffers");
        QCOMPARE(panel.profileName(), QString("what-if: huge pages, registered buffers"));
        QCOMPARE(panel.findChild<QLabel*>("profileName")->text(),
                 QString("Measured with: what-if: huge pages, registered buffers"));
        QVERIFY(panel.findChild<QLabel*>("profileName")->isVisibleTo(&panel));
        QVERIFY(panel.answerText().contains("Measured with: what-if: huge pages, registered buffers."));
    }

    // The libaio check's sentence is core's (confirmationSentence), taken from
    // the answer itself, and leaves with the answer it confirmed.
    void confirmationLine() {
        BestConfigPanel panel;
        Recommendation rec = sampleRecommendation();
        panel.setRecommendation(rec);
        QVERIFY(panel.confirmation().isEmpty()); // DeepSpeed-style answer: nothing checked, nothing said
        Confirmation c;
        c.done = true;
        c.engine = "libaio";
        c.searchEngine = "io_uring";
        ConfirmedFinalist f;
        f.key = rec.answer.best;
        f.searchGiBps = 4.2;
        f.confirmGiBps = 4.1;
        c.finalists.push_back(f);
        rec.answer.confirmation = c;
        panel.setRecommendation(rec);
        const QString sentence = QString::fromStdString(confirmationSentence(rec.answer));
        QVERIFY(sentence.startsWith("Checked with libaio, DeepSpeed's interface: 4.1"));
        QCOMPARE(panel.confirmation(), sentence);
        QVERIFY(panel.answerText().contains(sentence));
        Recommendation other = rec;
        other.answer.confirmation.reset();
        panel.setRecommendation(other);
        QVERIFY(panel.confirmation().isEmpty());
        QVERIFY(!panel.answerText().contains("Checked with libaio"));
    }

    // The default target is the installed DeepSpeed, and the section is the
    // one `aiotune export` writes for it (the same core choice).
    void defaultTargetIsTheInstalledDeepSpeed_data() {
        QTest::addColumn<QString>("version");
        QTest::addColumn<QString>("threadKey");
        QTest::addColumn<bool>("useGds");
        QTest::addRow("0.14.0: thread_count, no use_gds") << "0.14.0" << "thread_count" << false;
        QTest::addRow("0.17.2: intra_op_parallelism") << "0.17.2" << "intra_op_parallelism" << true;
    }
    void defaultTargetIsTheInstalledDeepSpeed() {
        QFETCH(QString, version);
        QFETCH(QString, threadKey);
        QFETCH(bool, useGds);
        QTemporaryDir venv;
        const QString metadata =
            venv.filePath("lib/python3.11/site-packages/deepspeed-" + version + ".dist-info/METADATA");
        QVERIFY(QDir().mkpath(QFileInfo(metadata).path()));
        writeAll(metadata, ("Metadata-Version: 2.1\nName: deepspeed\nVersion: " + version + "\n").toUtf8());
        const QByteArray saved = qgetenv("VIRTUAL_ENV");
        qputenv("VIRTUAL_ENV", venv.path().toUtf8());
        BestConfigPanel panel; // looks where Python would, as the command line does
        if (saved.isEmpty())
            qunsetenv("VIRTUAL_ENV");
        else
            qputenv("VIRTUAL_ENV", saved);
        QVERIFY(panel.installedDeepSpeed());
        QCOMPARE(QString::fromStdString(panel.installedDeepSpeed()->version.toString()), version);
        QCOMPARE(panel.target(), BestConfigPanel::Target::Installed);
        auto* combo = panel.findChild<QComboBox*>("targetCombo");
        QCOMPARE(combo->currentText(), "Installed (" + version + ")");
        QVERIFY2(panel.targetDescription().contains("installed: " + metadata), qPrintable(panel.targetDescription()));
        panel.setRecommendation(fixtureRecommendation());
        const json shown = json::parse(panel.jsonText().toStdString());
        QVERIFY(shown["aio"].contains(threadKey.toStdString()));
        QCOMPARE(shown["aio"].contains("use_gds"), useGds);

        // The command line, on the same folder with the same DeepSpeed installed.
        QProcess cli;
        QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
        env.insert("VIRTUAL_ENV", venv.path());
        cli.setProcessEnvironment(env);
        cli.start(AIOTUNE_CLI, {"export", "--log_dir", QString::fromStdString(kFixtures + "/ds-0.15-sweep")});
        QVERIFY(cli.waitForFinished(30000));
        QCOMPARE(cli.exitCode(), 0);
        QCOMPARE(QString::fromUtf8(cli.readAllStandardOutput()), panel.jsonText());
        const QString said = QString::fromUtf8(cli.readAllStandardError());
        QVERIFY2(said.contains("target " + panel.targetDescription()), qPrintable(said));

        // Export says which target was used.
        QTemporaryDir out;
        QSignalSpy messages(&panel, &BestConfigPanel::message);
        panel.setExportPathChooser([&](QWidget*) { return out.filePath("aio.json"); });
        QVERIFY(panel.exportJson());
        QVERIFY2(messages.last().at(0).toString().contains("the installed DeepSpeed " + version),
                 qPrintable(messages.last().at(0).toString()));
        QCOMPARE(readAll(out.filePath("aio.json")), panel.jsonText().toUtf8());
    }

    // None installed: a section every release reads the same, both thread keys.
    void defaultTargetWithoutDeepSpeedIsAnyVersion() {
        QTemporaryDir empty;
        PythonSearch search;
        search.root = empty.path().toStdString();
        search.home = "/home/me";
        BestConfigPanel panel;
        panel.setPythonSearch(search);
        QVERIFY(!panel.installedDeepSpeed());
        QCOMPARE(panel.target(), BestConfigPanel::Target::AnyVersion);
        QVERIFY(panel.targetVersion().everyRelease);
        panel.setTarget(BestConfigPanel::Target::Installed); // none: ignored
        QCOMPARE(panel.target(), BestConfigPanel::Target::AnyVersion);
        panel.setRecommendation(fixtureRecommendation());
        const json aio = json::parse(panel.jsonText().toStdString())["aio"];
        QCOMPARE(aio["thread_count"], aio["intra_op_parallelism"]);
        QVERIFY(panel.targetDescription().contains("both thread_count"));
        QProcess cli;
        cli.start(AIOTUNE_CLI, {"export", "--log_dir", QString::fromStdString(kFixtures + "/ds-0.15-sweep"),
                                "--deepspeed_version", "any"});
        QVERIFY(cli.waitForFinished(30000));
        QCOMPARE(cli.exitCode(), 0);
        QCOMPARE(QString::fromUtf8(cli.readAllStandardOutput()), panel.jsonText());
    }

    // Short texts that never clip, at the dock's narrowest; the whole wording in tooltips.
    void targetTextsFit() {
        QTemporaryDir venv;
        const QString metadata = venv.filePath("lib/python3.12/site-packages/deepspeed-0.16.10.dist-info/METADATA");
        QVERIFY(QDir().mkpath(QFileInfo(metadata).path()));
        writeAll(metadata, "Name: deepspeed\nVersion: 0.16.10\n");
        PythonSearch search;
        search.virtualEnv = venv.path().toStdString();
        BestConfigPanel panel;
        panel.setPythonSearch(search);
        panel.setRecommendation(fixtureRecommendation());
        panel.resize(220, 640);
        panel.show();
        QVERIFY(QTest::qWaitForWindowExposed(&panel));
        auto* combo = panel.findChild<QComboBox*>("targetCombo");
        QCOMPARE(combo->count(), 4);
        QStringList texts;
        for (int i = 0; i < combo->count(); ++i) {
            texts << combo->itemText(i);
            QVERIFY(combo->itemText(i).size() <= 20);
            QVERIFY2(combo->itemData(i, Qt::ToolTipRole).toString().size() > 30, qPrintable(combo->itemText(i)));
            combo->setCurrentIndex(i);
            QCoreApplication::processEvents();
            QVERIFY(combo->width() >= combo->sizeHint().width());
            QVERIFY(combo->toolTip().contains(panel.targetDescription().toHtmlEscaped()));
        }
        QCOMPARE(texts, (QStringList{"Installed (0.16.10)", "Any version", "0.16.4+", "Before 0.16.4"}));
    }

    // Which profile measured a result set, from whatever the folder recorded.
    void profileNameOfResults_data() {
        QTest::addColumn<int>("how");
        QTest::addColumn<QString>("expected");
        QTest::addRow("recorded profile") << 0 << QString("faithful");
        QTest::addRow("meta profile string") << 1 << QString("normal pages");
        QTest::addRow("meta profile object") << 2 << QString::fromStdString(
                                                       MeasurementProfile::hugePageWhatIf().name());
        QTest::addRow("older sweep.json: huge_pages true") << 3 << QString("what-if: huge pages (recorded by an older aiotune)");
        QTest::addRow("older sweep.json: huge_pages false") << 4 << QString("normal pages (recorded by an older aiotune)");
        QTest::addRow("DeepSpeed's logs") << 5 << QString("unknown (DeepSpeed logs)");
        QTest::addRow("meta of the wrong shape") << 6 << QString("unknown (not recorded)");
    }
    void profileNameOfResults() {
        QFETCH(int, how);
        QFETCH(QString, expected);
        ResultSet rs;
        switch (how) {
        case 0: rs.profile = MeasurementProfile::faithful(); break;
        case 1: rs.meta = {{"profile", "normal pages"}}; break;
        case 2: rs.meta = {{"profile", MeasurementProfile::hugePageWhatIf().toJson()}}; break;
        case 3: rs.meta = {{"system", {{"huge_pages", true}}}}; break;
        case 4: rs.meta = {{"system", {{"huge_pages", false}}}}; break;
        case 5: rs.engine = "deepspeed"; break;
        case 6: rs.meta = json::array({1, 2}); break;
        }
        QCOMPARE(resultformat::profileName(rs), expected);
    }
};

QTEST_MAIN(TestBestConfigPanel)
#include "test_best_config_panel.moc"
