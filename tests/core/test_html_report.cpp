// `aiotune report` and the core behind it: the page says the right best, aio
// section and ranking, escapes hostile input, stays well-formed and
// self-contained, and refuses every target it must not write.
#include "config/aio_config.h"
#include "report/html_escape.h"
#include "report/html_report.h"
#include "report/report_file.h"
#include "report/svg_bar_chart.h"
#include "report/sweep_facts.h"
#include "results/analysis.h"
#include "results/log_folder_reader.h"
#include "results/log_folder_writer.h"

#include <QDir>
#include <QFile>
#include <QProcess>
#include <QRegularExpression>
#include <QTemporaryDir>
#include <QXmlStreamReader>
#include "results/answer.h"

#include <QtTest>

#include <nlohmann/json.hpp>

#include <cmath>
#include <cstring>
#include <filesystem>
#include <fstream>

#include <sys/stat.h>
#include <unistd.h>

using namespace aiotune;
namespace fs = std::filesystem;

namespace {

const std::string kFixtures = AIOTUNE_TEST_FIXTURES "/deepspeed";

nlohmann::json expected(const std::string& name) {
    std::ifstream in(kFixtures + "/expected.json");
    return nlohmann::json::parse(in).at(name);
}

struct Rendered {
    ResultSet results;
    Recommendation rec;
    std::string html;
};

Rendered render(const std::string& folder, HtmlReportOptions options = {}) {
    Rendered r;
    auto rs = LogFolderReader().read(folder);
    if (!rs) qFatal("%s: %s", folder.c_str(), rs.error().c_str());
    r.results = *rs;
    r.rec = analyze(r.results);
    if (options.logFolder.empty()) options.logFolder = folder;
    r.html = renderHtmlReport(r.results, r.rec, options);
    return r;
}

// The text between the first `open` (from its start) and the following `close`.
std::string between(const std::string& s, const std::string& open, const std::string& close) {
    const auto a = s.find(open);
    if (a == std::string::npos) return {};
    const auto b = s.find(close, a + open.size());
    return b == std::string::npos ? std::string() : s.substr(a + open.size(), b - a - open.size());
}

QString q(const std::string& s) { return QString::fromStdString(s); }

std::string unescape(std::string s) {
    static const std::pair<const char*, const char*> kEntities[] = {
        {"&quot;", "\""}, {"&#39;", "'"}, {"&lt;", "<"}, {"&gt;", ">"}, {"&amp;", "&"}};
    for (auto [from, to] : kEntities) {
        for (std::size_t p = 0; (p = s.find(from, p)) != std::string::npos; p += std::strlen(to))
            s.replace(p, std::strlen(from), to);
    }
    return s;
}

// Parses as XML; the error with its line, or empty when well-formed.
QString xmlError(const std::string& text) {
    QXmlStreamReader xml(QByteArray::fromStdString(text));
    while (!xml.atEnd()) xml.readNext();
    return xml.hasError() ? QStringLiteral("line %1: %2").arg(xml.lineNumber()).arg(xml.errorString()) : QString();
}

struct SvgCounts {
    int configs = 0, bestConfigs = 0, bars = 0, bestBars = 0;
    int firstBestIndex = -1;
    QStringList labels;
};
SvgCounts countSvg(const std::string& svg) {
    SvgCounts c;
    QXmlStreamReader xml(QByteArray::fromStdString(svg));
    bool inLabel = false;
    while (!xml.atEnd()) {
        xml.readNext();
        if (xml.isStartElement()) {
            const QStringList classes = xml.attributes().value(QLatin1String("class")).toString().split(' ', Qt::SkipEmptyParts);
            if (xml.name() == QLatin1String("g") && classes.contains("config")) {
                if (classes.contains("best")) {
                    ++c.bestConfigs;
                    if (c.firstBestIndex < 0) c.firstBestIndex = c.configs;
                }
                ++c.configs;
            }
            if (xml.name() == QLatin1String("rect") && classes.contains("bar")) {
                ++c.bars;
                if (classes.contains("bar-best")) ++c.bestBars;
            }
            inLabel = xml.name() == QLatin1String("text") && classes.contains("label");
        } else if (xml.isCharacters() && inLabel) {
            c.labels << xml.text().toString();
            inLabel = false;
        }
    }
    return c;
}

// A DeepSpeed log body with the figure the reader takes.
std::string dsLog(const char* op, double gibps) {
    return std::string("Args: io_size=1073741824\nE2E ") + op + " Speed = " + std::to_string(gibps) + " GB/sec\n";
}

void writeText(const fs::path& p, const std::string& text) {
    fs::create_directories(p.parent_path());
    std::ofstream(p, std::ios::binary) << text;
}

std::string readText(const fs::path& p) {
    std::ifstream in(p, std::ios::binary);
    return std::string(std::istreambuf_iterator<char>(in), {});
}

struct Run {
    int code = -1;
    QByteArray out, err;
};
Run aiotuneCli(const QStringList& args) {
    QProcess p;
    p.start(AIOTUNE_CLI, args);
    p.waitForFinished(60000);
    return {p.exitStatus() == QProcess::NormalExit ? p.exitCode() : -1, p.readAllStandardOutput(),
            p.readAllStandardError()};
}

} // namespace

class TestHtmlReport : public QObject {
    Q_OBJECT
  private slots:
    void escapesHostileText_data() {
        QTest::addColumn<QByteArray>("input");
        QTest::addColumn<QByteArray>("output");
        QTest::addRow("markup") << QByteArray("<script>alert(1)</script>")
                                << QByteArray("&lt;script&gt;alert(1)&lt;/script&gt;");
        QTest::addRow("attribute quotes") << QByteArray("a\"b'c&d") << QByteArray("a&quot;b&#39;c&amp;d");
        QTest::addRow("already escaped stays literal") << QByteArray("&amp;") << QByteArray("&amp;amp;");
        QTest::addRow("control character") << QByteArray("a\x01" "b\x7f") << QByteArray("a\xEF\xBF\xBD" "b\xEF\xBF\xBD");
        QTest::addRow("tab and newline kept") << QByteArray("a\tb\nc") << QByteArray("a\tb\nc");
        QTest::addRow("raw byte") << QByteArray("nvme\xff.txt") << QByteArray("nvme\xEF\xBF\xBD.txt");
        QTest::addRow("overlong slash") << QByteArray("\xC0\xAF") << QByteArray("\xEF\xBF\xBD\xEF\xBF\xBD");
        QTest::addRow("surrogate") << QByteArray("\xED\xA0\x80") << QByteArray("\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD");
        QTest::addRow("cut sequence") << QByteArray("x\xE2\x82") << QByteArray("x\xEF\xBF\xBD\xEF\xBF\xBD");
        QTest::addRow("valid UTF-8 kept") << QByteArray("µs € \xF0\x9F\x92\xBE") << QByteArray("µs € \xF0\x9F\x92\xBE");
    }
    void escapesHostileText() {
        QFETCH(QByteArray, input);
        QFETCH(QByteArray, output);
        QCOMPARE(QByteArray::fromStdString(escapeHtml(input.toStdString())), output);
    }

    void reportsDeepSpeedFixtures_data() {
        QTest::addColumn<QString>("name");
        QTest::addColumn<int>("skipped");
        QTest::addRow("ds-0.15-sweep") << "ds-0.15-sweep" << 0;
        QTest::addRow("ds-0.4-sweep") << "ds-0.4-sweep" << 0;
        QTest::addRow("ds-messy") << "ds-messy" << 3;
    }
    void reportsDeepSpeedFixtures() {
        QFETCH(QString, name);
        QFETCH(int, skipped);
        const nlohmann::json want = expected(name.toStdString());
        const Rendered r = render(kFixtures + "/" + name.toStdString());
        QVERIFY(r.rec.best);
        const ConfigResult& best = *r.rec.best;
        for (const auto& [key, value] : want["best"].items())
            QVERIFY2(nlohmann::json(toAioJson(best.key.aio)).at(key) == value, key.c_str()); // the fixture's answer
        const std::string& h = r.html;

        QVERIFY2(h.find("Best: <strong>" + best.key.label() + "</strong> <span class=\"tag\">(" + best.key.tag() +
                        ")</span>") != std::string::npos,
                 best.key.tag().c_str());
        QCOMPARE(q(between(h, "<div class=\"figure read\"><div class=\"v\">", "<")),
                 q(formatGiBps(want["read"].get<double>())));
        QCOMPARE(q(between(h, "<div class=\"figure write\"><div class=\"v\">", "<")),
                 q(formatGiBps(want["write"].get<double>())));
        QCOMPARE(q(between(h, "<div class=\"figure combined\"><div class=\"v\">", "<")),
                 q(formatGiBps(want["read"].get<double>() + want["write"].get<double>())));

        // The aio section parses back to the fixture's best.
        const auto aio = nlohmann::json::parse(unescape(between(h, "<pre class=\"aio-best\">", "</pre>")));
        for (const auto& [key, value] : want["best"].items())
            QVERIFY2(aio.at("aio").at(key) == value, aio.dump().c_str());
        QVERIFY(aio["aio"]["single_submit"].is_boolean());

        // Ranked table: every configuration with both figures, in the answer's order, best first.
        const std::string table = between(h, "<table class=\"ranking\">", "</table>");
        QStringList tags;
        static const QRegularExpression tagCell(QStringLiteral("<td class=\"tag\">([^<]*)</td>"));
        for (const auto& m : tagCell.globalMatch(QString::fromStdString(table))) tags << m.captured(1);
        QStringList wantTags;
        for (const auto& c : rankByAnswer(r.results, answerFor(r.results))) wantTags << QString::fromStdString(c.key.tag());
        QCOMPARE(tags.size(), want["configs_with_both"].get<int>());
        QCOMPARE(tags, wantTags);
        QCOMPARE(tags.first(), QString::fromStdString(best.key.tag()));
        QVERIFY(table.find("<tr class=\"best\"><td class=\"n\">1</td>") != std::string::npos);

        // Chart: well-formed, one group of three bars per configuration shown, the best first and alone.
        const std::string svg = "<svg" + between(h, "<svg", "</svg>") + "</svg>";
        QVERIFY2(xmlError(svg).isEmpty(), qPrintable(xmlError(svg)));
        const SvgCounts c = countSvg(svg);
        const int shown = std::min(20, want["configs_with_both"].get<int>());
        QCOMPARE(c.configs, shown);
        QCOMPARE(c.bars, 3 * shown);
        QCOMPARE(c.bestConfigs, 1);
        QCOMPARE(c.bestBars, 1);
        QCOMPARE(c.firstBestIndex, 0);
        QCOMPARE(c.labels.first(), QString::fromStdString("\xE2\x98\x85 " + best.key.label()));

        // DeepSpeed's logs record no machine or profile; the page says so.
        QVERIFY(h.find("unknown (DeepSpeed logs)") != std::string::npos);
        QVERIFY(h.find("DeepSpeed logs record no machine") != std::string::npos);
        QCOMPARE(int(r.results.skipped.size()), skipped);
        for (const auto& s : r.results.skipped) QVERIFY2(h.find(escapeHtml(s.file)) != std::string::npos, s.file.c_str());

        // The whole page is well-formed and self-contained.
        QVERIFY2(xmlError(h).isEmpty(), qPrintable(xmlError(h)));
        for (const char* banned : {"<script", "<link", "<img", "<iframe", "src=", "url(", "@import", "https:"})
            QVERIFY2(h.find(banned) == std::string::npos, banned);
        std::string rest = h;
        rest.erase(rest.find("xmlns=\"http://www.w3.org/2000/svg\""), 34);
        QVERIFY(rest.find("http:") == std::string::npos);
        QVERIFY(h.find("prefers-color-scheme: dark") != std::string::npos);
        QVERIFY(h.find("@media print") != std::string::npos);
    }

    // The chart shows the top N only; the table keeps all.
    void chartRowsAreLimited() {
        HtmlReportOptions o;
        o.chartRows = 5;
        const Rendered r = render(kFixtures + "/ds-0.15-sweep", o);
        const std::string svg = "<svg" + between(r.html, "<svg", "</svg>") + "</svg>";
        const SvgCounts c = countSvg(svg);
        QCOMPARE(c.configs, 5);
        QCOMPARE(c.bars, 15);
        QVERIFY(r.html.find("Top 5 of 16 configurations") != std::string::npos);
        const QString table = QString::fromStdString(between(r.html, "<table class=\"ranking\">", "</table>"));
        QCOMPARE(int(table.count("<tr")), 1 + 16); // header + every configuration
    }

    // Figures that cannot be true get their own section (escaped), right after the answer.
    void listsPlausibilityFlags() {
        ResultSet rs;
        ConfigKey k;
        k.aio.block_size = 1 << 20;
        for (const auto& [op, v] : {std::pair{IoOp::Read, 9.0}, std::pair{IoOp::Write, 2.0}}) {
            Sample s;
            s.op = op;
            s.gibPerSec = v;
            s.folder = "/data/<aio>";
            rs.add(k, s);
        }
        HtmlReportOptions o;
        std::string html = renderHtmlReport(rs, analyze(rs), o);
        const std::string section = between(html, "<section id=\"plausibility\">", "</section>");
        QVERIFY2(section.find("Figures that cannot be true (1)") != std::string::npos, section.c_str());
        QVERIFY2(section.find("4.5x the median write 2.00 GiB/s") != std::string::npos, section.c_str());
        QVERIFY(html.find("id=\"plausibility\"") > html.find("id=\"summary\""));
        // With the drive's link known, the write is judged too (2.00 above 1.00).
        o.linkLimits.byFolder["/data/<aio>"] = {"nvme0n1", 1.0 * (1 << 30), "8 GT/s x1"};
        html = renderHtmlReport(rs, analyze(rs), o);
        QVERIFY(html.find("Figures that cannot be true (3)") != std::string::npos);
        QVERIFY(html.find("/data/<aio>") == std::string::npos); // escaped, if named at all

        // A clean folder has no such section.
        QVERIFY(render(kFixtures + "/ds-0.15-sweep").html.find("id=\"plausibility\"") == std::string::npos);
    }

    // aiotune's own folder: sweep.json's meta gives the machine, drives, profile and dates.
    void reportsSweepJsonFolder() {
        QTemporaryDir tmp;
        QVERIFY(tmp.isValid());
        const fs::path folder = fs::path(tmp.path().toStdString()) / "sweep";
        const nlohmann::json meta = {
            {"spec", {{"io_size", "1G"}, {"loops", 2}, {"folders", {"/mnt/nvme0/aiotune"}}}},
            {"system",
             {{"host", "node<7>&co"},
              {"kernel", "Linux 6.1.0-18-amd64"},
              {"machine", "x86_64"},
              {"cpus", 64},
              {"aiotune_version", "0.1.0"},
              {"engine", "io_uring"},
              {"folders",
               {{{"path", "/mnt/nvme0/aiotune"},
                 {"model", "Samsung SSD 990 PRO 2TB"},
                 {"firmware", "4B2QJXD7"},
                 {"disk", "nvme0n1"},
                 {"filesystem", "ext4"},
                 {"mount_point", "/mnt/nvme0"},
                 {"nvme", true},
                 {"numa_node", 1}}}}}},
            {"profile", {{"name", "faithful"}, {"pages", "kernel"}, {"locked", true}, {"registered", false}}},
            {"started_at_ms", 1764583620000LL},
            {"finished_at_ms", 1764584940000LL}};
        auto writer = LogFolderWriter::create(folder, "io_uring", meta);
        QVERIFY2(writer.ok(), writer.ok() ? "" : writer.error().c_str());
        auto key = [](std::uint64_t bs, int qd, int threads) {
            ConfigKey k;
            k.aio.block_size = bs;
            k.aio.queue_depth = qd;
            k.aio.intra_op_parallelism = threads;
            return k;
        };
        auto samples = [](double r0, double r1, double w0, double w1) {
            std::vector<Sample> v;
            int loop = 0;
            const std::pair<IoOp, double> figures[] = {
                {IoOp::Read, r0}, {IoOp::Read, r1}, {IoOp::Write, w0}, {IoOp::Write, w1}};
            for (auto [op, g] : figures) {
                Sample s;
                s.op = op;
                s.loop = loop++ % 2;
                s.bytes = 1ull << 30;
                s.gibPerSec = g;
                s.seconds = 1.0 / g;
                s.folder = "/mnt/nvme0/aiotune";
                v.push_back(s);
            }
            return v;
        };
        const ConfigKey fast = key(1 << 20, 32, 8), near = key(1 << 20, 8, 4), slow = key(128 << 10, 8, 1);
        QVERIFY(writer->add(fast, samples(6.0, 6.2, 5.0, 5.1)).ok());
        QVERIFY(writer->add(near, samples(5.9, 6.1, 5.0, 5.05)).ok());
        QVERIFY(writer->add(slow, samples(2.0, 2.1, 1.5, 1.6)).ok());
        QVERIFY(writer->finish(SweepStatus::Finished).ok());

        const Rendered r = render(folder.string());
        QVERIFY(r.rec.best && r.rec.best->key == fast);
        // Two loops of three configurations: too few repeats to know the noise,
        // so the answer is partial, and the report says so and claims no recommendation.
        QVERIFY(r.rec.answer.partial);
        QVERIFY(!r.rec.answer.recommended);
        const std::string& h = r.html;
        QVERIFY2(xmlError(h).isEmpty(), qPrintable(xmlError(h)));
        QVERIFY(h.find("(" + fast.tag() + ")</span>") != std::string::npos);
        QCOMPARE(q(between(h, "<div class=\"figure combined\"><div class=\"v\">", "<")), QStringLiteral("11.15"));
        QVERIFY(h.find("<strong>Partial answer</strong>") != std::string::npos);
        QVERIFY(h.find("Not claimed: the answer is partial") != std::string::npos);
        QVERIFY(h.find("<pre class=\"aio-recommended\">") == std::string::npos);
        (void)near;
        QVERIFY(h.find("<span class=\"mark\">recommended</span>") == std::string::npos);
        for (const char* text : {"<dt>Host</dt><dd>node&lt;7&gt;&amp;co</dd>", "<dd>Linux 6.1.0-18-amd64</dd>",
                                 "<td>Samsung SSD 990 PRO 2TB</td>", "<td>4B2QJXD7</td>", "<td>nvme0n1</td>",
                                 "<dt>Measurement profile</dt><dd>faithful</dd>", "<dd>1G per transfer</dd>",
                                 "<dt>Repetitions</dt><dd>2</dd>", "<dd>2025-12-01 10:07 UTC</dd>",
                                 "<dd>2025-12-01 10:29 UTC</dd>", "<dt>Sweep status</dt><dd>finished</dd>",
                                 "<title>aiotune report \xE2\x80\x94 node&lt;7&gt;&amp;co: "})
            QVERIFY2(h.find(text) != std::string::npos, text);
        QVERIFY(h.find("class=\"warn\"") == std::string::npos); // finished, faithful: nothing to warn about
        // Loops > 1: a spread is shown for the best: (0.2 + 0.1) / 11.15 / 2 = 1.3%.
        QVERIFY(h.find("<td class=\"n\">\xC2\xB1" "1.3%</td>") != std::string::npos);
    }

    void profileComesFromTheBestSource_data() {
        QTest::addColumn<QString>("meta");
        QTest::addColumn<QString>("engine");
        QTest::addColumn<QString>("sampleProfile");
        QTest::addColumn<QString>("profile");
        QTest::addColumn<bool>("whatIf");
        QTest::addRow("profile object") << R"({"profile": {"name": "faithful"}, "system": {"huge_pages": true}})"
                                        << "io_uring" << "" << "faithful" << false;
        QTest::addRow("profile object without name")
            << R"({"profile": {"pages": "huge", "registered": true}})" << "io_uring" << ""
            << "what-if: huge pages, registered buffers" << true;
        QTest::addRow("profile string") << R"({"profile": "what-if: normal pages"})" << "io_uring" << ""
                                        << "what-if: normal pages" << true;
        QTest::addRow("samples' profile") << "{}" << "io_uring" << "faithful" << "faithful" << false;
        QTest::addRow("older huge_pages true") << R"({"system": {"huge_pages": true}})" << "io_uring" << ""
                                               << "what-if: huge pages (recorded by an older aiotune)" << true;
        QTest::addRow("older huge_pages false") << R"({"system": {"huge_pages": false}})" << "portable" << ""
                                                << "normal pages (recorded by an older aiotune)" << false;
        QTest::addRow("DeepSpeed logs") << "null" << "deepspeed" << "" << "unknown (DeepSpeed logs)" << false;
        QTest::addRow("nothing recorded") << "{}" << "io_uring" << "" << "unknown (not recorded)" << false;
        QTest::addRow("hostile shapes") << R"({"profile": [1, 2], "system": "x", "spec": 3})" << "io_uring" << ""
                                        << "unknown (not recorded)" << false;
    }
    void profileComesFromTheBestSource() {
        QFETCH(QString, meta);
        QFETCH(QString, engine);
        QFETCH(QString, sampleProfile);
        QFETCH(QString, profile);
        QFETCH(bool, whatIf);
        ResultSet rs;
        rs.meta = nlohmann::json::parse(meta.toStdString());
        rs.engine = engine.toStdString();
        Sample s;
        s.gibPerSec = 1.0;
        s.profile = sampleProfile.toStdString();
        rs.add(ConfigKey{}, s);
        const SweepFacts f = SweepFacts::fromResults(rs);
        QCOMPARE(QString::fromStdString(f.profile), profile);
        QCOMPARE(f.profileIsWhatIf, whatIf);
        // A what-if is called out at the top of the page.
        const std::string h = renderHtmlReport(rs, analyze(rs));
        QCOMPARE(h.find("not the faithful profile") != std::string::npos, whatIf);
        QVERIFY2(xmlError(h).isEmpty(), qPrintable(xmlError(h)));
    }

    void warnsAboutUnfinishedSweeps_data() {
        QTest::addColumn<QString>("status");
        QTest::addColumn<QString>("warning"); // empty: no warning box
        QTest::addRow("finished") << "finished" << "";
        QTest::addRow("DeepSpeed's (no status)") << "" << "";
        QTest::addRow("cancelled") << "cancelled" << "<strong>was cancelled</strong>";
        QTest::addRow("failed") << "failed" << "<strong>failed</strong>";
        QTest::addRow("running or killed") << "running" << "<strong>still running</strong> (or was killed)";
    }
    void warnsAboutUnfinishedSweeps() {
        QFETCH(QString, status);
        QFETCH(QString, warning);
        ResultSet rs;
        rs.status = parseSweepStatus(status.toStdString());
        rs.meta = {{"profile", {{"name", "faithful"}}}};
        for (IoOp op : {IoOp::Read, IoOp::Write}) {
            Sample s;
            s.op = op;
            s.gibPerSec = 2.0;
            rs.add(ConfigKey{}, s);
        }
        const std::string h = renderHtmlReport(rs, analyze(rs));
        QCOMPARE(h.find("class=\"warn\"") != std::string::npos, !warning.isEmpty());
        if (!warning.isEmpty()) QVERIFY2(h.find(warning.toStdString()) != std::string::npos, h.c_str());
    }

    void formatsDates_data() {
        QTest::addColumn<qint64>("ms");
        QTest::addColumn<QString>("text");
        QTest::addRow("unknown") << qint64(0) << "";
        QTest::addRow("negative") << qint64(-5) << "";
        QTest::addRow("minute") << qint64(1764583620999) << "2025-12-01 10:07 UTC";
        QTest::addRow("year 10000") << qint64(253402300800000) << "";
    }
    void formatsDates() {
        QFETCH(qint64, ms);
        QFETCH(QString, text);
        QCOMPARE(QString::fromStdString(formatUtcMinutes(ms)), text);
    }

    // File and folder names are hostile input: they come out as text, never markup.
    void escapesHostileFileNames() {
        QTemporaryDir tmp;
        QVERIFY(tmp.isValid());
        const fs::path logs = fs::path(tmp.path().toStdString()) / "logs <b>&\"x'";
        fs::copy(kFixtures + "/ds-0.15-sweep", logs, fs::copy_options::recursive);
        writeText(logs / "_aio_bench_read_logs" / "read_<script>alert(1).txt", dsLog("Read", 1.0));
        writeText(logs / "_aio_bench_read_logs" / "read_\xff\x01.txt", dsLog("Read", 1.0));
        // QTemporaryDir cannot remove a name that is not UTF-8.
        struct Cleanup {
            fs::path p;
            ~Cleanup() { fs::remove_all(p); }
        } cleanup{logs};
        const Rendered r = render(logs.string());
        QCOMPARE(int(r.results.skipped.size()), 2);
        const std::string& h = r.html;
        QVERIFY(h.find("<script") == std::string::npos);
        QVERIFY(h.find("<b>") == std::string::npos);
        QVERIFY(h.find("read_&lt;script&gt;alert(1).txt") != std::string::npos);
        QVERIFY(h.find("read_\xEF\xBF\xBD\xEF\xBF\xBD.txt") != std::string::npos);
        QVERIFY(h.find("logs &lt;b&gt;&amp;&quot;x&#39;") != std::string::npos);
        QVERIFY2(xmlError(h).isEmpty(), qPrintable(xmlError(h)));
    }

    void hostileMetaStaysText() {
        ResultSet rs;
        rs.engine = "io_uring\"><script>";
        rs.meta = {{"system",
                    {{"host", "<img src=x onerror=alert(1)>"},
                     {"folders", {{{"path", "/mnt/a'b"}, {"model", std::string("evil\x01\xff")}}}}}},
                   {"profile", {{"name", "</style><script>alert(2)</script>"}}}};
        Sample s;
        s.op = IoOp::Read;
        s.gibPerSec = 1.0;
        rs.add(ConfigKey{}, s);
        s.op = IoOp::Write;
        rs.add(ConfigKey{}, s);
        const std::string h = renderHtmlReport(rs, analyze(rs), {"</title><script>", "<now>", 20, {}});
        QVERIFY(h.find("<script") == std::string::npos);
        QVERIFY(h.find("<img") == std::string::npos);
        QVERIFY(h.find("&lt;img src=x onerror=alert(1)&gt;") != std::string::npos);
        QVERIFY(h.find("evil\xEF\xBF\xBD\xEF\xBF\xBD") != std::string::npos);
        QVERIFY2(xmlError(h).isEmpty(), qPrintable(xmlError(h)));
    }

    void svgChartHandlesOddRows() {
        std::vector<BarChartRow> rows(3);
        rows[0] = {std::string(80, 'x'), "", 2.0, 1.53, 3.53, true};
        rows[1] = {"<evil & co>", "", std::nan(""), INFINITY, -1.0, false};
        rows[2] = {"ok", "tip \"quoted\"", 1.0, 1.0, 2.0, false};
        const std::string svg = renderSvgBarChart(rows, {"A <title>", 960});
        QVERIFY2(xmlError(svg).isEmpty(), qPrintable(xmlError(svg)));
        const SvgCounts c = countSvg(svg);
        QCOMPARE(c.configs, 3);
        QCOMPARE(c.bars, 9);
        QCOMPARE(c.labels[0], QString::fromStdString("\xE2\x98\x85 " + std::string(55, 'x') + "\xE2\x80\xA6"));
        QCOMPARE(c.labels[1], QStringLiteral("<evil & co>"));
        QVERIFY(svg.find(std::string(80, 'x')) != std::string::npos); // the full label stays in the tooltip
        for (const char* bad : {"nan", "inf", "width=\"-"}) QVERIFY2(svg.find(bad) == std::string::npos, bad);
        // Axis up to 4 (3.53 rounded up to a whole tick), ticks 0..4.
        for (const char* tick : {">0</text>", ">1</text>", ">2</text>", ">3</text>", ">4</text>"})
            QVERIFY2(svg.find(tick) != std::string::npos, tick);
        QVERIFY(svg.find(">5</text>") == std::string::npos);
        QVERIFY(svg.find("<title>A &lt;title&gt;</title>") != std::string::npos);

        const std::string empty = renderSvgBarChart({});
        QVERIFY2(xmlError(empty).isEmpty(), qPrintable(xmlError(empty)));
        QCOMPARE(countSvg(empty).configs, 0);
        QVERIFY(empty.find("No configuration has both") != std::string::npos);
    }

    // Every target a report must not go to, and the ones it may.
    void refusesTargets_data() {
        QTest::addColumn<QString>("target"); // a setup name, see refusesTargets
        QTest::addColumn<bool>("force");
        QTest::addColumn<QString>("error"); // empty: must succeed
        QTest::addRow("new file") << "new" << false << "";
        QTest::addRow("new file in the log folder itself") << "in log root" << false << "";
        QTest::addRow("existing file") << "user file" << false << "already exists";
        QTest::addRow("existing file, force") << "user file" << true << "";
        QTest::addRow("earlier report, force") << "earlier report" << true << "";
        QTest::addRow("read-only file, force") << "read-only file" << true << "";
        QTest::addRow("a log file") << "log file" << true << "inside the DeepSpeed log folder";
        QTest::addRow("new file among the logs") << "in log subfolder" << false << "inside the DeepSpeed log folder";
        QTest::addRow("log subfolder via a symlinked folder") << "via symlink" << false
                                                              << "inside the DeepSpeed log folder";
        QTest::addRow("hard link to a log") << "hard link" << true << "one of the logs";
        QTest::addRow("the folder's sweep.json") << "sweep.json" << false << "one of the logs";
        QTest::addRow("/dev/null") << "/dev/null" << true << "is a character device";
        QTest::addRow("FIFO") << "fifo" << true << "is a FIFO";
        QTest::addRow("folder") << "folder" << true << "is a folder";
        QTest::addRow("symlink to a file") << "symlink" << true << "is a symbolic link";
        QTest::addRow("missing folder") << "missing parent" << false << "does not exist";
        QTest::addRow("no name") << "empty" << false << "no report file named";
    }
    void refusesTargets() {
        QFETCH(QString, target);
        QFETCH(bool, force);
        QFETCH(QString, error);
        QTemporaryDir tmp;
        QVERIFY(tmp.isValid());
        const fs::path root = tmp.path().toStdString();
        const fs::path logs = root / "logs";
        fs::copy(kFixtures + "/ds-0.15-sweep", logs, fs::copy_options::recursive);
        const fs::path aLog = logs / "_aio_bench_read_logs" / "read_block_overlap_ftd1_d32_bs1M_p8.txt";
        auto results = LogFolderReader().read(logs);
        QVERIFY(results.ok());

        fs::path out = root / "report.html";
        const std::string mine = "my notes, not a report\n";
        if (target == "in log root") out = logs / "report.html";
        if (target == "user file" || target == "read-only file") writeText(out, mine);
        if (target == "read-only file") fs::permissions(out, fs::perms::owner_read | fs::perms::group_read);
        if (target == "earlier report") writeText(out, "<!DOCTYPE html>\n<html><head><meta name=\"generator\" content=\"aiotune 0.0.9\"/>");
        if (target == "log file") out = aLog;
        if (target == "in log subfolder") out = logs / "_aio_bench_write_logs" / "report.html";
        if (target == "via symlink") {
            fs::create_directory_symlink(logs, root / "alias");
            out = root / "alias" / "_aio_bench_read_logs" / "new.html";
        }
        if (target == "hard link") fs::create_hard_link(aLog, out);
        if (target == "sweep.json") out = logs / "sweep.json";
        if (target == "/dev/null") out = "/dev/null";
        if (target == "fifo") QCOMPARE(::mkfifo(out.c_str(), 0600), 0);
        if (target == "folder") fs::create_directory(out);
        if (target == "symlink") {
            writeText(root / "real.txt", mine);
            fs::create_symlink(root / "real.txt", out);
        }
        if (target == "missing parent") out = root / "no-such-folder" / "report.html";
        if (target == "empty") out = "";
        const std::string before = fs::is_regular_file(out) ? readText(out) : std::string();
        const std::string logBefore = readText(aLog);

        ReportFileOptions options;
        options.replaceExisting = force;
        options.durable = false;
        const std::string html = renderHtmlReport(*results, analyze(*results));
        auto written = writeReportFile(out, html, logs, *results, options);
        if (error.isEmpty()) {
            QVERIFY2(written.ok(), written.ok() ? "" : written.error().c_str());
            QVERIFY(readText(out) == html);
            // A user's file is kept as .bak; an earlier report is simply replaced.
            QCOMPARE(written->backup.has_value(), target == "user file" || target == "read-only file");
            if (written->backup) QCOMPARE(q(readText(*written->backup)), q(mine));
            // A report beside the logs does not disturb reading them again.
            auto again = LogFolderReader().read(logs);
            QVERIFY(again.ok());
            QCOMPARE(again->skipped.size(), results->skipped.size());
            QCOMPARE(again->configs.size(), results->configs.size());
        } else {
            QVERIFY(!written.ok());
            QVERIFY2(QString::fromStdString(written.error()).contains(error), written.error().c_str());
            if (!out.empty()) // the message names the path
                QVERIFY2(written.error().find(out.string()) != std::string::npos, written.error().c_str());
            if (fs::is_regular_file(out)) QCOMPARE(q(readText(out)), q(before));
            QCOMPARE(q(readText(aLog)), q(logBefore));
            if (target == "in log subfolder" || target == "via symlink" || target == "sweep.json")
                QVERIFY(!fs::exists(out));
            if (target == "symlink") QCOMPARE(q(readText(root / "real.txt")), q(mine));
        }
        // No temporary file is left behind in any case.
        for (const auto& dir : {root, logs, logs / "_aio_bench_read_logs", logs / "_aio_bench_write_logs"})
            for (const auto& e : fs::directory_iterator(dir))
                QVERIFY2(!isAtomicWriteTempName(e.path().filename().string()), e.path().c_str());
    }

    // The reader names its files relative to the folder it resolved; a user
    // may have named a subfolder or the parent of _aio_bench_logs instead.
    void findsInputsWhateverFolderWasNamed_data() {
        QTest::addColumn<QString>("named"); // relative to the temporary folder
        QTest::addRow("log folder") << "run/_aio_bench_logs";
        QTest::addRow("a DeepSpeed subfolder") << "run/_aio_bench_logs/_aio_bench_write_logs";
        QTest::addRow("parent of _aio_bench_logs") << "run";
    }
    void findsInputsWhateverFolderWasNamed() {
        QFETCH(QString, named);
        QTemporaryDir tmp;
        QVERIFY(tmp.isValid());
        const fs::path root = tmp.path().toStdString();
        const fs::path logs = root / "run" / "_aio_bench_logs";
        fs::create_directories(logs.parent_path());
        fs::copy(kFixtures + "/ds-0.15-sweep", logs, fs::copy_options::recursive);
        const fs::path folder = root / named.toStdString();
        auto results = LogFolderReader().read(folder);
        QVERIFY2(results.ok(), results.ok() ? "" : results.error().c_str());
        const fs::path out = root / "linked.html";
        fs::create_hard_link(logs / "_aio_bench_write_logs" / "write_block_overlap_ftd1_d8_bs1M_p1.txt", out);
        ReportFileOptions options;
        options.replaceExisting = true;
        auto ok = checkReportOutput(out, folder, *results, options);
        QVERIFY(!ok.ok());
        QVERIFY2(ok.error().find("one of the logs") != std::string::npos, ok.error().c_str());
    }

    void commandLine_data() {
        QTest::addColumn<QStringList>("args"); // LOGS and OUT are replaced by real paths
        QTest::addColumn<bool>("existing");    // OUT exists beforehand (a user's file)
        QTest::addColumn<int>("code");
        QTest::addColumn<QString>("message"); // in stdout (code 0) or stderr
        QTest::addRow("writes") << QStringList{"report", "--log_dir", "LOGS", "--output", "OUT"} << false << 0
                                << "best block_overlap_ftd1_d32_bs1M_p8 of 16 configurations";
        QTest::addRow("--log-dir spelling") << QStringList{"report", "--log-dir", "LOGS", "-o", "OUT"} << false << 0
                                            << "best block_overlap_ftd1_d32_bs1M_p8";
        QTest::addRow("folder as an argument") << QStringList{"report", "LOGS", "--output", "OUT", "--top", "3"}
                                               << false << 0 << "Wrote";
        QTest::addRow("existing file") << QStringList{"report", "--log_dir", "LOGS", "--output", "OUT"} << true << 1
                                       << "already exists: choose another name, or pass --force";
        QTest::addRow("existing file, --force")
            << QStringList{"report", "--log_dir", "LOGS", "--output", "OUT", "--force"} << true << 0 << "Wrote";
        QTest::addRow("no --output") << QStringList{"report", "--log_dir", "LOGS"} << false << 2 << "--output";
        QTest::addRow("no folder") << QStringList{"report", "--output", "OUT"} << false << 2 << "--log_dir";
        QTest::addRow("unknown option") << QStringList{"report", "LOGS", "--output", "OUT", "--colour"} << false
                                        << 2 << "--colour";
        QTest::addRow("--top 0") << QStringList{"report", "LOGS", "--output", "OUT", "--top", "0"} << false << 2
                                 << "--top";
        QTest::addRow("missing folder") << QStringList{"report", "--log_dir", "/nonexistent/logs", "--output", "OUT"}
                                        << false << 1 << "/nonexistent/logs";
        QTest::addRow("/dev/null") << QStringList{"report", "LOGS", "--output", "/dev/null", "--force"} << false
                                   << 1 << "\"/dev/null\" is a character device";
        QTest::addRow("help") << QStringList{"report", "--help"} << false << 0 << "--log_dir";
    }
    void commandLine() {
        QFETCH(QStringList, args);
        QFETCH(bool, existing);
        QFETCH(int, code);
        QFETCH(QString, message);
        QTemporaryDir tmp;
        QVERIFY(tmp.isValid());
        const QString out = tmp.filePath("report.html");
        if (existing) writeText(out.toStdString(), "mine");
        for (QString& a : args) {
            if (a == "LOGS") a = QString::fromStdString(kFixtures + "/ds-0.15-sweep");
            if (a == "OUT") a = out;
        }
        const Run r = aiotuneCli(args);
        QVERIFY2(r.code == code, (r.out + r.err).constData());
        QVERIFY2((code == 0 ? r.out : r.err).contains(message.toUtf8()), (r.out + r.err).constData());
        const bool wrote = code == 0 && !args.contains("--help");
        const std::string page = readText(out.toStdString());
        QCOMPARE(page.find("<meta name=\"generator\" content=\"aiotune ") != std::string::npos, wrote);
        if (wrote) {
            QVERIFY(page.find("(block_overlap_ftd1_d32_bs1M_p8)</span>") != std::string::npos);
            QVERIFY(page.find(" UTC \xC2\xB7 aiotune") != std::string::npos); // generated at
        }
        if (existing && !wrote) QCOMPARE(q(page), QStringLiteral("mine"));
        if (existing && wrote) QCOMPARE(q(readText(out.toStdString() + ".bak")), QStringLiteral("mine"));
    }
};

QTEST_APPLESS_MAIN(TestHtmlReport)
#include "test_html_report.moc"
