#include "results/analysis.h"
#include "results/answer.h"
#include "results/csv_export.h"
#include "util/byte_size.h"

#include <QtTest>

using namespace aiotune;

namespace {

// One configuration per line: "bs=1M d=32 p=8 [ftd=2] [seq] r=3.6,3.5 w=3.1,err".
// "err" is a failed sample. Readable inline results, as hotspot's tests do.
ResultSet parse(const QString& spec) {
    ResultSet rs;
    for (const QString& line : spec.split('\n', Qt::SkipEmptyParts)) {
        ConfigKey key;
        std::vector<Sample> samples;
        for (const QString& word : line.split(' ', Qt::SkipEmptyParts)) {
            const QString name = word.section('=', 0, 0), value = word.section('=', 1);
            if (name == "bs")
                key.aio.block_size = *parseByteSize(value.toStdString());
            else if (name == "d")
                key.aio.queue_depth = value.toInt();
            else if (name == "p")
                key.aio.intra_op_parallelism = value.toInt();
            else if (name == "ftd")
                key.folders = value.toInt();
            else if (name == "seq")
                key.aio.overlap_events = false;
            else if (name == "r" || name == "w") {
                int loop = 0;
                // "3.6~1%x5": five visits alternating +1% and -1% (the last at 3.6 when odd).
                QStringList values = value.split(',');
                if (value.contains('~')) {
                    const double x = value.section('~', 0, 0).toDouble();
                    const double d = value.section('~', 1).section('%', 0, 0).toDouble() / 100.0;
                    const int n = value.section('x', -1).toInt();
                    values.clear();
                    for (int i = 0; i < n; ++i)
                        values << QString::number(i == n - 1 && n % 2 ? x : x * (i % 2 ? 1 - d : 1 + d), 'g', 12);
                }
                for (const QString& v : values) {
                    Sample s;
                    s.op = name == "r" ? IoOp::Read : IoOp::Write;
                    s.loop = loop++;
                    if (v == "err")
                        s.error = "failed, \"badly\"";
                    else
                        s.gibPerSec = v.toDouble();
                    samples.push_back(s);
                }
            } else
                qFatal("bad spec word %s", qPrintable(word));
        }
        for (auto& s : samples)
            rs.add(key, s);
    }
    return rs;
}

QString tagOf(const std::optional<ConfigResult>& c) {
    return c ? QString::fromStdString(c->key.tag()) : QString("-");
}

} // namespace

class TestAnalysis : public QObject {
    Q_OBJECT
  private slots:
    // The answer's rule (results/answer.h) through analyze(): best, the
    // cheapest shown within the 3% tolerance, confidence from how much faster
    // another configuration could still be.
    void recommends_data() {
        QTest::addColumn<QString>("spec");
        QTest::addColumn<QString>("best");
        QTest::addColumn<QString>("recommended");
        QTest::addColumn<QString>("confidence");
        QTest::addColumn<bool>("noiseKnown");

        // One visit each, no model: DeepSpeed's pick, nothing claimed beyond it.
        QTest::addRow("single samples: best kept, partial, low") << "bs=1M d=32 p=8 r=3.6 w=3.1\n"
                                                                    "bs=1M d=32 p=1 r=3.5 w=3.1\n"
                                                                 << "block_overlap_ftd1_d32_bs1M_p8"
                                                                 << "block_overlap_ftd1_d32_bs1M_p8"
                                                                 << "low" << false;
        QTest::addRow("within the tolerance: fewer threads")
            << "bs=1M d=32 p=8 r=3.6~1%x5 w=3.1~1%x5\n"
               "bs=1M d=32 p=1 r=3.57~1%x5 w=3.08~1%x5\n"
               "bs=1M d=8 p=1 r=3.0~1%x5 w=2.5~1%x5\n"
            << "block_overlap_ftd1_d32_bs1M_p8"
            << "block_overlap_ftd1_d32_bs1M_p1"
            << "high" << true;
        QTest::addRow("threads count before depth")
            << "bs=1M d=32 p=8 r=3.6~1%x5 w=3.1~1%x5\n"
               "bs=1M d=128 p=1 r=3.57~1%x5 w=3.08~1%x5\n"
               "bs=1M d=8 p=2 r=3.58~1%x5 w=3.08~1%x5\n"
            << "block_overlap_ftd1_d32_bs1M_p8"
            << "block_overlap_ftd1_d128_bs1M_p1"
            << "high" << true;
        QTest::addRow("same threads: lower depth")
            << "bs=1M d=32 p=8 r=3.6~1%x5 w=3.1~1%x5\n"
               "bs=1M d=8 p=8 r=3.57~1%x5 w=3.08~1%x5\n"
            << "block_overlap_ftd1_d32_bs1M_p8"
            << "block_overlap_ftd1_d8_bs1M_p8"
            << "high" << true;
        QTest::addRow("same cost: the faster") << "bs=1M d=32 p=8 r=3.6~1%x5 w=3.1~1%x5\n"
                                                  "bs=8M d=8 p=1 r=3.57~1%x5 w=3.08~1%x5\n"
                                                  "bs=128K d=8 p=1 r=3.55~1%x5 w=3.06~1%x5\n"
                                               << "block_overlap_ftd1_d32_bs1M_p8"
                                               << "block_overlap_ftd1_d8_bs8M_p1"
                                               << "high" << true;
        QTest::addRow("beyond the tolerance: best kept, high")
            << "bs=1M d=32 p=8 r=3.6~1%x5 w=3.1~1%x5\n"
               "bs=1M d=32 p=1 r=3.0~1%x5 w=3.0~1%x5\n"
            << "block_overlap_ftd1_d32_bs1M_p8"
            << "block_overlap_ftd1_d32_bs1M_p8"
            << "high" << true;
        // Noisy and close: another could still be a few percent faster.
        QTest::newRow("close under five percent noise: medium")
            << "bs=1M d=32 p=8 r=3.6~5%x5 w=3.1~5%x5\n"
               "bs=1M d=32 p=4 r=3.55~5%x5 w=3.08~5%x5\n"
               "bs=1M d=8 p=8 r=3.2~5%x5 w=2.7~5%x5\n"
            << "block_overlap_ftd1_d32_bs1M_p8"
            << "block_overlap_ftd1_d32_bs1M_p8"
            << "medium" << true;
        // A cheaper point on two drives is no pick for a one-drive best.
        QTest::addRow("other folder count is no candidate")
            << "bs=1M d=32 p=8 r=3.6~1%x5 w=3.1~1%x5\n"
               "bs=1M d=8 p=1 ftd=2 r=3.58~1%x5 w=3.09~1%x5\n"
            << "block_overlap_ftd1_d32_bs1M_p8"
            << "block_overlap_ftd1_d32_bs1M_p8"
            << "high" << true;
        QTest::addRow("failed samples do not count") << "bs=1M d=32 p=8 r=3.6,err w=3.1,3.0\n"
                                                        "bs=1M d=32 p=1 r=err w=3.9\n"
                                                        "bs=1M d=8 p=1 r=1.0 w=1.0\n"
                                                     << "block_overlap_ftd1_d32_bs1M_p8"
                                                     << "block_overlap_ftd1_d32_bs1M_p8"
                                                     << "low" << false;
        QTest::addRow("only one comparable") << "bs=1M d=32 p=8 r=3.6 w=3.1\n"
                                                "bs=1M d=32 p=1 r=3.9\n"
                                             << "block_overlap_ftd1_d32_bs1M_p8"
                                             << "block_overlap_ftd1_d32_bs1M_p8"
                                             << "low" << false;
        QTest::addRow("nothing comparable") << "bs=1M d=32 p=8 r=3.6\n"
                                               "bs=1M d=32 p=1 w=3.9\n"
                                            << "-"
                                            << "-"
                                            << "low" << false;
    }
    void recommends() {
        QFETCH(QString, spec);
        QFETCH(QString, best);
        QFETCH(QString, recommended);
        QFETCH(QString, confidence);
        QFETCH(bool, noiseKnown);
        const ResultSet rs = parse(spec);
        const Recommendation rec = analyze(rs);
        QCOMPARE(tagOf(rec.best), best);
        QCOMPARE(tagOf(rec.recommended), recommended);
        QVERIFY2(QString::fromStdString(std::string(confidenceName(rec.confidence))) == confidence,
                 rec.confidenceText.c_str());
        QCOMPARE(rec.noiseKnown, noiseKnown);
        QVERIFY(!rec.confidenceText.empty());
        // analyze() is the answer's view: the same best, never its own.
        QVERIFY(rec.answer == answerFor(rs));
        if (rec.best) QCOMPARE(rec.best->key, rec.answer.best);
        // Unknown noise: partial, nothing claimed beyond the best.
        if (!noiseKnown && rec.best) {
            QVERIFY(rec.answer.partial);
            QVERIFY(!rec.answer.recommended);
            QVERIFY(!rec.answer.interval);
        }
        if (!rec.best) QVERIFY(rec.message.find("1 read-only, 1 write-only") != std::string::npos);
        if (!noiseKnown) QCOMPARE(rec.noiseGiBps, 0.0);
    }

    void noiseIsPooledAcrossConfigurations() {
        const Recommendation rec = analyze(parse("bs=1M d=32 p=8 r=3.6~2%x4 w=3.1~2%x4\n"
                                                 "bs=1M d=8 p=1 r=3.0~2%x4 w=3.0~2%x4\n"
                                                 "bs=1M d=8 p=2 r=3.2~2%x4 w=3.0~2%x4\n"));
        QVERIFY(rec.noiseKnown);
        QVERIFY(rec.answer.noise.has_value());
        // Every visit 2% off its configuration's mean: the per-visit noise is about 2%.
        QVERIFY2(*rec.answer.noise > 0.018 && *rec.answer.noise < 0.026, std::to_string(*rec.answer.noise).c_str());
        QVERIFY(qAbs(rec.noiseGiBps - *rec.answer.noise * rec.answer.bestGiBps) < 1e-9);
    }

    void listsIncompleteConfigurations() {
        const Recommendation rec = analyze(parse("bs=1M d=32 p=8 r=3.6 w=3.1\n"
                                                 "bs=1M d=32 p=1 r=3.5\n"
                                                 "bs=1M d=8 p=1 w=2.5\n"
                                                 "bs=1M d=8 p=2 r=err w=err\n"));
        QCOMPARE(rec.configsWithBoth, 1);
        QCOMPARE(rec.readOnly.size(), size_t(1));
        QCOMPARE(rec.readOnly[0].key.aio.queue_depth, 32);
        QCOMPARE(rec.writeOnly.size(), size_t(1));
        QCOMPARE(rec.writeOnly[0].key.aio.queue_depth, 8);
        QCOMPARE(rec.failed.size(), size_t(1));
        QCOMPARE(rec.failed[0].errors, 2);
    }

    void ranksByTheAnswer() {
        const ResultSet rs = parse("bs=1M d=8 p=1 r=1 w=1\n"
                                                 "bs=1M d=32 p=8 r=3 w=3\n"
                                                 "bs=1M d=32 p=2 r=2 w=3\n"
                                                 "bs=1M d=16 p=2 r=3 w=2\n"
                                                 "bs=1M d=64 p=2 r=9\n");
        const auto ranked = rankByAnswer(rs, answerFor(rs));
        QCOMPARE(ranked.size(), size_t(4));
        QCOMPARE(ranked[0].key.aio.intra_op_parallelism, 8);
        // A tie at 5.0: the cheaper (lower depth) first.
        QCOMPARE(ranked[1].key.aio.queue_depth, 16);
        QCOMPARE(ranked[2].key.aio.queue_depth, 32);
        QCOMPARE(*ranked[3].combinedGiBps, 2.0);
    }

    void labels() {
        ConfigKey k;
        k.aio.block_size = 128 << 10;
        k.aio.queue_depth = 32;
        k.aio.intra_op_parallelism = 1;
        k.aio.single_submit = true;
        k.aio.overlap_events = false;
        k.folders = 2;
        QCOMPARE(k.tag(), std::string("single_sequential_ftd2_d32_bs128K_p1"));
        QCOMPARE(k.label(), std::string("128K, qd 32, 1 thread, single, sequential, 2 folders"));
        ConfigKey defaults;
        QCOMPARE(defaults.tag(), std::string("block_overlap_ftd1_d8_bs1M_p1"));
        QVERIFY(!(defaults < k)); // ordered by block size first: 1M > 128K
        QVERIFY(k < defaults);
    }

    void exportsCsv() {
        ResultSet rs = parse("bs=1M d=32 p=8 r=3.5,3.25,3.75 w=3.125,err\n"
                             "bs=128K d=8 p=1 seq r=0.5\n");
        const std::string csv = resultsToCsv(rs);
        const QStringList lines = QString::fromStdString(csv).split('\n', Qt::SkipEmptyParts);
        QCOMPARE(lines.size(), 3);
        QCOMPARE(lines[0],
                 QString("tag,label,block_size,queue_depth,intra_op_parallelism,single_submit,"
                         "overlap_events,use_gds,folders,read_gibps,write_gibps,combined_gibps,"
                         "read_min,read_max,write_min,write_max,read_samples,write_samples,errors,"
                         "first_error,spread,read_p99_us,write_p99_us"));
        // Sorted by key: 128K first. No write figure: empty cells.
        QCOMPARE(
            lines[1],
            QString(
                "block_sequential_ftd1_d8_bs128K_p1,\"128K, qd 8, 1 thread, block, sequential\","
                "131072,8,1,false,false,false,1,0.5,,,0.5,0.5,,,1,0,0,,,,"));
        QCOMPARE(
            lines[2],
            QString("block_overlap_ftd1_d32_bs1M_p8,\"1M, qd 32, 8 threads, block, overlap\","
                    "1048576,32,8,false,true,false,1,3.5,3.125,6.625,3.25,3.75,3.125,3.125,3,1,1,"
                    "\"failed, \"\"badly\"\"\",0.03773584905660377,,"));

        QTemporaryDir tmp;
        const std::string file = (tmp.path() + "/results.csv").toStdString();
        QVERIFY(writeResultsCsv(rs, file).ok());
        QFile f(QString::fromStdString(file));
        QVERIFY(f.open(QIODevice::ReadOnly));
        QCOMPARE(f.readAll().toStdString(), csv);
        const auto bad = writeResultsCsv(rs, (tmp.path() + "/missing/results.csv").toStdString());
        QVERIFY(!bad.ok());
        QVERIFY2(bad.error().find("missing/results.csv") != std::string::npos, bad.error().c_str());
    }
};

QTEST_GUILESS_MAIN(TestAnalysis)
#include "test_analysis.moc"
