// One sweep, one answer, as a user meets it: a real small sweep, then
// export, analyze, report and check on its folder name one aio section.
#include "../tools/cli_run.h"

#include <QDir>
#include <QFile>
#include <QRegularExpression>
#include <QTemporaryDir>
#include <QtTest>

#include <nlohmann/json.hpp>

using namespace aiotune::testing;
using nlohmann::json;

namespace {
// The measured keys of an aio section, as DeepSpeed reads them.
json measured(const json& aio) {
    json out;
    for (const char* k : {"block_size", "queue_depth", "single_submit", "overlap_events"})
        out[k] = aio.at(k);
    out["threads"] = aio.contains("intra_op_parallelism") ? aio.at("intra_op_parallelism") : aio.at("thread_count");
    return out;
}
// A ZeRO-Infinity config that swaps parameters to `nvme`, with no aio section.
bool writeOffloadConfig(const QString& file, const QString& nvme) {
    json offload = json::object();
    offload["device"] = "nvme";
    offload["nvme_path"] = nvme.toStdString();
    offload["buffer_count"] = 5;
    offload["buffer_size"] = 104857600;
    json zero = json::object();
    zero["stage"] = 3;
    zero["offload_param"] = offload;
    json ds = json::object();
    ds["train_batch_size"] = 8;
    ds["zero_optimization"] = zero;
    QFile f(file);
    return f.open(QIODevice::WriteOnly) && f.write(QByteArray::fromStdString(ds.dump(2))) > 0;
}
QByteArray readAll(const QString& path) {
    QFile f(path);
    return f.open(QIODevice::ReadOnly) ? f.readAll() : QByteArray();
}
} // namespace

class TestOneAnswerCli : public QObject {
    Q_OBJECT
    QTemporaryDir m_tmp{QDir::currentPath() + "/one-answer-XXXXXX"};

  private slots:
    void sweepExportAnalyzeReportCheckAgree() {
        QVERIFY(m_tmp.isValid());
        const QString nvme = m_tmp.filePath("nvme"), logs = m_tmp.filePath("logs");
        QVERIFY(QDir().mkpath(nvme));
        // The default adaptive search over a 32-point grid of 1 MiB transfers.
        const CliRun sweep = runAiotune({"sweep", "--nvme_dir", nvme, "--log_dir", logs, "--io_size", "1M",
                                         "--block_size", "128K,512K", "--queue_depth", "4,16", "--io_parallel",
                                         "1,2", "--json"},
                                        300000);
        QVERIFY2(sweep.code == 0, sweep.err.constData());
        const json s = json::parse(sweep.out.toStdString());
        QVERIFY(s.at("aio").is_object());
        const json answer = measured(s.at("aio"));
        QCOMPARE(s.at("answer").at("strategy").get<std::string>(), std::string("adaptive"));
        QVERIFY(s.at("answer").at("decided_by").get<std::string>().find("adaptive search") != std::string::npos);

        // sweep.json stores it.
        const json stored = json::parse(readAll(logs + "/sweep.json").toStdString());
        QVERIFY(stored.contains("answer"));
        QCOMPARE(stored.at("answer").at("samples_digest"), s.at("answer").at("samples_digest"));

        const CliRun exported = runAiotune({"export", "--log_dir", logs});
        QVERIFY2(exported.code == 0, exported.err.constData());
        QCOMPARE(measured(json::parse(exported.out.toStdString()).at("aio")), answer);

        const CliRun analyzed = runAiotune({"analyze", "--log_dir", logs, "--json"});
        QVERIFY2(analyzed.code == 0, analyzed.err.constData());
        const json a = json::parse(analyzed.out.toStdString());
        QCOMPARE(measured(a.at("aio")), answer);
        QCOMPARE(a.at("recommended"), s.at("recommended"));
        QCOMPARE(a.at("answer"), s.at("answer"));

        // The report's "best" section holds the same aio JSON.
        const QString report = m_tmp.filePath("report.html");
        const CliRun reported = runAiotune({"report", "--log_dir", logs, "-o", report});
        QVERIFY2(reported.code == 0, reported.err.constData());
        QString html = QString::fromUtf8(readAll(report));
        const auto match = QRegularExpression("<pre class=\"aio-best\">(.*?)</pre>",
                                              QRegularExpression::DotMatchesEverythingOption)
                               .match(html);
        QVERIFY(match.hasMatch());
        QString pre = match.captured(1);
        pre.replace("&quot;", "\"").replace("&amp;", "&").replace("&lt;", "<").replace("&gt;", ">");
        const json fromReport = json::parse(pre.toStdString());
        QCOMPARE(measured(fromReport.contains("aio") ? fromReport.at("aio") : fromReport), answer);

        // The README's flow: merge the answer into a config, then check it
        // against the same folder: it matches what was measured.
        const QString config = m_tmp.filePath("ds_config.json");
        QVERIFY(writeOffloadConfig(config, nvme));
        const CliRun merged = runAiotune({"export", "--log_dir", logs, "--config", config});
        QVERIFY2(merged.code == 0, merged.err.constData());
        QCOMPARE(measured(json::parse(readAll(config).toStdString()).at("aio")), answer);
        const CliRun checked = runAiotune({"check", "--config", config, "--log_dir", logs, "--json"});
        const json c = json::parse(checked.out.toStdString());
        bool matches = false;
        std::string codes;
        for (const json& f : c.at("findings")) {
            QVERIFY2(f.at("code") != "SLOWER_THAN_MEASURED", f.dump().c_str());
            matches = matches || f.at("code") == "MATCHES_MEASURED";
            codes += f.at("code").get<std::string>() + ": " + f.at("message").get<std::string>().substr(0, 160) + "\n";
        }
        QVERIFY2(matches, codes.c_str());
    }

    // A cancelled sweep's answer is partial, and every reader says so.
    void partialAnswerIsSaid() {
        const QString nvme = m_tmp.filePath("nvme2"), logs = m_tmp.filePath("logs2");
        QVERIFY(QDir().mkpath(nvme));
        // One loop of a grid that is not a factorial model's: nothing measured twice.
        const CliRun sweep = runAiotune({"sweep", "--nvme_dir", nvme, "--log_dir", logs, "--io_size", "1M",
                                         "--block_size", "128K,512K", "--queue_depth", "4", "--io_parallel", "1",
                                         "--single_submit", "false", "--overlap_events", "true", "--search",
                                         "grid", "--loops", "1", "--json"});
        QVERIFY2(sweep.code == 0, sweep.err.constData());
        const json s = json::parse(sweep.out.toStdString());
        QCOMPARE(s.at("partial").get<bool>(), true);
        QVERIFY(s.at("recommended").is_null());
        QVERIFY(s.at("answer").at("interval_gibps").is_null());
        const CliRun text = runAiotune({"analyze", "--log_dir", logs});
        QVERIFY2(text.out.contains("Partial answer"), text.out.constData());
        QVERIFY(text.out.contains("Recommended: not claimed"));
        const CliRun exported = runAiotune({"export", "--log_dir", logs});
        QCOMPARE(exported.code, 0);
        QVERIFY2(exported.err.contains("partial answer"), exported.err.constData());
    }
};

QTEST_GUILESS_MAIN(TestOneAnswerCli)
#include "test_one_answer_cli.moc"
