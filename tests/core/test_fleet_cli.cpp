// One fleet answer everywhere: `aiotune analyze`, `export` (the aio section)
// and `report` of a fleet's folder (tests/fixtures/fleet/basic) give the same
// section, the one fleet.json stores while the host folders are unchanged.
#include "fleet/fleet_analysis.h"
#include "fleet/fleet_answer.h"

#include <QDir>
#include <QFile>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QTemporaryDir>
#include <QtTest>

#include <filesystem>

using namespace aiotune;

namespace {
const QString kBasic = QStringLiteral(AIOTUNE_TEST_FIXTURES "/fleet/basic");

struct Run {
    int code = -1;
    QByteArray out, err;
};

Run runAiotune(const QStringList& args) {
    QProcess p;
    p.start(AIOTUNE_CLI, args);
    p.waitForFinished(120000);
    return {p.exitStatus() == QProcess::NormalExit ? p.exitCode() : -1, p.readAllStandardOutput(),
            p.readAllStandardError()};
}

// What each reader says the section is: {block_size, queue_depth}.
struct Section {
    qint64 blockSize = 0;
    int queueDepth = 0;
    bool operator==(const Section&) const = default;
};

Section fromAio(const QJsonObject& aio) {
    return {aio.value("block_size").toInteger(), aio.value("queue_depth").toInt()};
}

Section analyzed(const QString& folder) {
    const Run r = runAiotune({"analyze", "--log_dir", folder, "--json"});
    const QJsonObject j = QJsonDocument::fromJson(r.out).object();
    const Section fleet = fromAio(j.value("fleet").toObject().value("aio").toObject());
    const Section answer = fromAio(j.value("answer").toObject().value("aio").toObject());
    if (!(fleet == answer)) return {};
    return fleet;
}

Section exported(const QString& folder) {
    const Run r =
        runAiotune({"export", "--log_dir", folder, "--deepspeed_version", "0.16.4", "--json"});
    return fromAio(QJsonDocument::fromJson(r.out).object().value("aio").toObject());
}

// The report's section: the <pre id="fleet-aio"> block (JSON, HTML-escaped quotes).
Section reported(const QString& folder, const QString& html) {
    const Run r = runAiotune({"report", "--log_dir", folder, "-o", html, "--force"});
    if (r.code != 0) return {};
    QFile f(html);
    if (!f.open(QIODevice::ReadOnly)) return {};
    QString page = QString::fromUtf8(f.readAll());
    const int start = page.indexOf("<pre id=\"fleet-aio\">");
    const int end = page.indexOf("</pre>", start);
    if (start < 0 || end < 0) return {};
    QString json = page.mid(start + 20, end - start - 20);
    json.replace("&quot;", "\"")
        .replace("&#39;", "'")
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&amp;", "&");
    return fromAio(QJsonDocument::fromJson(json.toUtf8()).object().value("aio").toObject());
}
} // namespace

class TestFleetCli : public QObject {
    Q_OBJECT
  private slots:
    // The fixture as it is (no fleet.json): the rule decides, and every reader gives it.
    void readersAgreeOnTheDecidedAnswer() {
        QTemporaryDir tmp;
        const Section expected{8 << 20, 8}; // C: the best worst-node figure (fixture README)
        QCOMPARE(analyzed(kBasic), expected);
        QCOMPARE(exported(kBasic), expected);
        QCOMPARE(reported(kBasic, tmp.filePath("fleet.html")), expected);
        const Run r = runAiotune({"report", "--log_dir", kBasic, "-o", tmp.filePath("again.html")});
        QVERIFY2(r.out.contains("fleet of 5 host(s)"), r.out.constData());
        QFile f(tmp.filePath("again.html"));
        QVERIFY(f.open(QIODevice::ReadOnly));
        const QByteArray page = f.readAll();
        // The report states the counts and the outlier, as analyze does.
        QVERIFY(page.contains("2 measured on every node, 0 estimated"));
        QVERIFY(page.contains("Outlier: node3"));
        QVERIFY(page.contains("Partial: 1 host has no answer of its own (node5"));
        const Run a = runAiotune({"analyze", "--log_dir", kBasic});
        QVERIFY2(a.out.contains("2 measured on every node, 0 estimated"), a.out.constData());
    }

    // A stored fleet.json (here naming A, measured on every node, not what the
    // rule would pick) is what every reader gives while the samples are
    // unchanged; once a host folder changes, they all decide again alike.
    void readersGiveTheStoredAnswer() {
        QTemporaryDir tmp;
        const std::filesystem::path root = (tmp.path() + "/fleet").toStdString();
        std::filesystem::copy(kBasic.toStdString(), root, std::filesystem::copy_options::recursive);
        const QString folder = QString::fromStdString(root.string());
        auto fleet = fleetAnalysisFor(root);
        QVERIFY(fleet.ok());
        FleetAnswer stored = fleet->answer;
        const FleetConfigFigure* a = nullptr;
        for (const auto& f : stored.configs)
            if (f.key.aio.block_size == (1u << 20) && f.key.aio.queue_depth == 8) a = &f;
        QVERIFY(a);
        // An edited fleet.json whose figures do not follow from the samples
        // (analyze showed them, export the real ones) is not believed.
        FleetAnswer forged = stored;
        forged.bestGiBps = 99.0;
        QVERIFY(writeFleetFile(root, forged).ok());
        QVERIFY(fleetAnalysisFor(root)->answer.decidedBy.find("do not follow from its host folders' samples") !=
                std::string::npos);
        // A pick the rule would not make, with its own figures, is kept.
        stored.best = a->key;
        stored.bestGiBps = a->gibps;
        stored.worstHost = a->worstHost;
        stored.recommended.reset();
        stored.decidedBy = "a stored answer";
        QVERIFY(writeFleetFile(root, stored).ok());
        const Section storedSection{1 << 20, 8};
        QCOMPARE(analyzed(folder), storedSection);
        QCOMPARE(exported(folder), storedSection);
        QCOMPARE(reported(folder, tmp.filePath("stored.html")), storedSection);

        // node2 measured again (one figure changed): decided again, everywhere.
        const std::filesystem::path sweep = root / "node2" / "sweep.json";
        QFile f(QString::fromStdString(sweep.string()));
        QVERIFY(f.open(QIODevice::ReadOnly));
        QByteArray text = f.readAll();
        f.close();
        const int at = text.indexOf("\"gibps\"");
        QVERIFY(at > 0);
        const int colon = text.indexOf(':', at), comma = text.indexOf(',', colon);
        text.replace(colon + 1, comma - colon - 1, " 1.5");
        QVERIFY(f.open(QIODevice::WriteOnly | QIODevice::Truncate));
        f.write(text);
        f.close();
        const Section decided{8 << 20, 8};
        QCOMPARE(analyzed(folder), decided);
        QCOMPARE(exported(folder), decided);
        QCOMPARE(reported(folder, tmp.filePath("decided.html")), decided);
        const Run r = runAiotune({"analyze", "--log_dir", folder, "--json"});
        QVERIFY(QJsonDocument::fromJson(r.out)
                    .object()
                    .value("answer")
                    .toObject()
                    .value("decided_by")
                    .toString()
                    .contains("decided again"));
    }

    // Outputs never replace what the answer was read from.
    void outputsNeverOverInputs() {
        QTemporaryDir tmp;
        const std::filesystem::path root = (tmp.path() + "/fleet").toStdString();
        std::filesystem::copy(kBasic.toStdString(), root, std::filesystem::copy_options::recursive);
        const QString folder = QString::fromStdString(root.string());
        Run r = runAiotune({"report", "--log_dir", folder, "-o", folder + "/fleet.json"});
        QCOMPARE(r.code, 1);
        QVERIFY2(r.err.contains("stored answer"), r.err.constData());
        r = runAiotune(
            {"report", "--log_dir", folder, "-o", folder + "/node1/sweep.json", "--force"});
        QCOMPARE(r.code, 1);
        QVERIFY2(r.err.contains("never writes into what it reads"), r.err.constData());
        r = runAiotune({"export", "--log_dir", folder, "--deepspeed_version", "0.16.4", "--output",
                        folder + "/fleet.json"});
        QCOMPARE(r.code, 1);
        QVERIFY2(r.err.contains("stored answer"), r.err.constData());
        r = runAiotune({"export", "--log_dir", folder, "--deepspeed_version", "0.16.4", "--csv",
                        tmp.filePath("x.csv")});
        QCOMPARE(r.code, 2);
        QVERIFY2(r.err.contains("fleet's folder"), r.err.constData());
        QVERIFY(!QFile::exists(folder + "/fleet.json"));
    }
};

QTEST_GUILESS_MAIN(TestFleetCli)
#include "test_fleet_cli.moc"
