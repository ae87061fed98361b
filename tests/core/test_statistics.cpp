// The one place figures are derived (median, percentile, spread, p99) and
// the shared formatters and parsers: what the window, CLI and CSV all show.
#include "results/statistics.h"
#include "util/duration_format.h"
#include "util/int_list.h"

#include <QtTest>

using namespace aiotune;

namespace {
Sample sample(IoOp op, double gib, std::optional<double> p99 = std::nullopt, std::string error = {}) {
    Sample s;
    s.op = op;
    s.gibPerSec = gib;
    s.latencyP99Us = p99;
    s.error = std::move(error);
    return s;
}
} // namespace

class TestStatistics : public QObject {
    Q_OBJECT
  private slots:
    void medianAndPercentile() {
        QVERIFY(!median({}));
        QCOMPARE(*median({3.0}), 3.0);
        QCOMPARE(*median({4.0, 1.0, 3.0}), 3.0);
        QCOMPARE(*median({4.0, 1.0, 3.0, 2.0}), 2.5);
        QVERIFY(!percentile({}, 0.5));
        QCOMPARE(*percentile({1.0, 2.0, 3.0, 4.0, 5.0}, 0.99), 4.96);
        QCOMPARE(*percentile({5.0, 1.0}, 0.0), 1.0);
        QCOMPARE(*percentile({5.0, 1.0}, 1.0), 5.0);
    }

    void spreadAndP99OfAConfiguration() {
        ConfigResult c;
        c.samples = {sample(IoOp::Read, 3.0, 900.0), sample(IoOp::Read, 3.4, 1100.0),
                     sample(IoOp::Write, 2.0, 2000.0), sample(IoOp::Write, 2.2, 3000.0),
                     sample(IoOp::Write, 0.0, 99999.0, "EIO")};
        c.recompute();
        // (0.4 + 0.2) / 2 over 3.2 + 2.1
        QCOMPARE(*spreadFraction(c), 0.3 / 5.3);
        QCOMPARE(*p99LatencyUs(c, IoOp::Read), 1000.0);
        QCOMPARE(*p99LatencyUs(c, IoOp::Write), 2500.0); // the failed sample does not count
        QCOMPARE(*worstP99LatencyUs(c), 2500.0);

        ConfigResult once;
        once.samples = {sample(IoOp::Read, 3.0)};
        once.recompute();
        QVERIFY(!spreadFraction(once)); // noise unknown
        QVERIFY(!p99LatencyUs(once, IoOp::Read));
    }

    void durations_data() {
        QTest::addColumn<double>("seconds");
        QTest::addColumn<QString>("text");
        QTest::addRow("seconds") << 44.6 << "45 s";
        QTest::addRow("minutes") << 725.0 << "12 min 05 s";
        QTest::addRow("hours") << 7500.0 << "2 h 05 min";
        QTest::addRow("negative") << -3.0 << "0 s";
    }
    void durations() {
        QFETCH(double, seconds);
        QFETCH(QString, text);
        QCOMPARE(QString::fromStdString(formatDuration(seconds)), text);
        if (seconds >= 0) QCOMPARE(QString::fromStdString(formatEta(seconds)), text + " left");
    }
    void etaUnknown() { QCOMPARE(formatEta(-1), std::string("estimating")); }

    void intLists_data() {
        QTest::addColumn<QString>("text");
        QTest::addColumn<QString>("parsed"); // "" when refused
        QTest::addColumn<QString>("error");
        QTest::addRow("commas") << "8,32" << "8 32" << "";
        QTest::addRow("blanks and commas") << " 8, 32  128 " << "8 32 128" << "";
        QTest::addRow("duplicates") << "8 8 32 8" << "8 32" << "";
        QTest::addRow("zero") << "8, 0" << "" << "\"0\" is not a whole number >= 1";
        QTest::addRow("word") << "8, many" << "" << "\"many\"";
        QTest::addRow("overflow") << "99999999999" << "" << "99999999999";
        QTest::addRow("empty") << " , " << "" << "give at least one value";
    }
    void intLists() {
        QFETCH(QString, text);
        QFETCH(QString, parsed);
        QFETCH(QString, error);
        auto r = parseIntList(text.toStdString(), "Queue depths");
        QCOMPARE(r.ok(), error.isEmpty());
        if (r.ok()) {
            QStringList got;
            for (int v : *r) got << QString::number(v);
            QCOMPARE(got.join(' '), parsed);
        } else {
            QVERIFY2(r.error().find("Queue depths") != std::string::npos, r.error().c_str());
            QVERIFY2(r.error().find(error.toStdString()) != std::string::npos, r.error().c_str());
        }
    }
};

QTEST_GUILESS_MAIN(TestStatistics)
#include "test_statistics.moc"
