#include "results/comparison_model.h"
#include "results/comparison_view.h"
#include "results/log_folder_reader.h"
#include "util/byte_size.h"

#include <QAbstractItemModelTester>
#include <QSortFilterProxyModel>
#include <QTableView>
#include <QTemporaryDir>
#include <QtTest>

#include "fixture_results.h"

using namespace aiotune;

using fixtures::kFixtures;
using fixtures::loadFixture;

namespace {
// One configuration per line: "1M d32 p8 r=3.5 w=3.0" (r or w may be left out).
ResultSet parse(const QString& spec) {
    ResultSet rs;
    for (const QString& line : spec.split('\n', Qt::SkipEmptyParts)) {
        const QStringList words = line.split(' ', Qt::SkipEmptyParts);
        ConfigKey key;
        key.aio.block_size = *parseByteSize(words[0].toStdString());
        std::vector<Sample> samples;
        for (const QString& w : words.mid(1)) {
            if (w.startsWith('d'))
                key.aio.queue_depth = w.mid(1).toInt();
            else if (w.startsWith('p'))
                key.aio.intra_op_parallelism = w.mid(1).toInt();
            else if (w.startsWith("r=") || w.startsWith("w=")) {
                Sample s;
                s.op = w[0] == 'r' ? IoOp::Read : IoOp::Write;
                s.gibPerSec = w.mid(2).toDouble();
                samples.push_back(s);
            }
        }
        for (const Sample& s : samples)
            rs.add(key, s);
    }
    return rs;
}

QString cell(const QAbstractItemModel& m, int row, int column, int role = Qt::DisplayRole) {
    return m.data(m.index(row, column), role).toString();
}

int rowOfLabel(const ComparisonModel& m, const QString& label) {
    for (int row = 0; row < m.rowCount(); ++row)
        if (cell(m, row, ComparisonModel::ConfigColumn) == label) return row;
    return -1;
}
} // namespace

class TestComparisonModel : public QObject {
    Q_OBJECT
  private slots:
    void rows_data() {
        QTest::addColumn<QString>("a");
        QTest::addColumn<QString>("b");
        QTest::addColumn<QString>("label");
        QTest::addColumn<QStringList>("cells"); // A r/w/c, B r/w/c, delta, delta %
        QTest::addColumn<int>("sign");          // of the delta: foreground color
        QTest::addRow("faster") << "1M d32 p8 r=3.5 w=3.0"
                                << "1M d32 p8 r=4.0 w=3.15"
                                << "1M q32 p8 ov" << QStringList{"3.50", "3.00", "6.50",  "4.00",
                                                                 "3.15", "7.15", "+0.65", "+10.0%"}
                                << 1;
        QTest::addRow("slower") << "1M d8 p1 r=2.0 w=2.0"
                                << "1M d8 p1 r=1.5 w=1.5"
                                << "1M q8 p1 ov" << QStringList{"2.00", "2.00", "4.00",  "1.50",
                                                                "1.50", "3.00", "-1.00", "-25.0%"}
                                << -1;
        QTest::addRow("same") << "128K d8 p1 r=1.0 w=1.0"
                              << "128K d8 p1 r=1.0 w=1.0"
                              << "128K q8 p1 ov" << QStringList{"1.00", "1.00", "2.00", "1.00",
                                                                "1.00", "2.00", "0.00", "0.0%"}
                              << 0;
        QTest::addRow("tiny change: no sign, no color")
            << "1M d8 p1 r=2.0 w=2.0"
            << "1M d8 p1 r=2.0 w=1.999"
            << "1M q8 p1 ov"
            << QStringList{"2.00", "2.00", "4.00", "2.00", "2.00", "4.00", "0.00", "0.0%"} << 0;
        QTest::addRow("only in A")
            << "1M d32 p8 r=3.5 w=3.0"
            << "128K d8 p1 r=1.0 w=1.0"
            << "1M q32 p8 ov"
            << QStringList{"3.50", "3.00", "6.50", "not run", "not run", "not run", "–", "–"} << 0;
        QTest::addRow("only in B")
            << "128K d8 p1 r=1.0 w=1.0"
            << "1M d32 p8 r=3.5 w=3.0"
            << "1M q32 p8 ov"
            << QStringList{"not run", "not run", "not run", "3.50", "3.00", "6.50", "–", "–"} << 0;
        QTest::addRow("B read only")
            << "1M d32 p8 r=3.5 w=3.0"
            << "1M d32 p8 r=3.6"
            << "1M q32 p8 ov" << QStringList{"3.50", "3.00", "6.50", "3.60", "–", "–", "–", "–"}
            << 0;
    }
    void rows() {
        QFETCH(QString, a);
        QFETCH(QString, b);
        QFETCH(QString, label);
        QFETCH(QStringList, cells);
        QFETCH(int, sign);
        ComparisonModel model;
        QAbstractItemModelTester tester(&model,
                                        QAbstractItemModelTester::FailureReportingMode::QtTest);
        model.setBaseline(parse(a), "before");
        model.setOther(parse(b), "after");
        const int row = rowOfLabel(model, label);
        QVERIFY(row >= 0);
        QStringList got;
        for (int column = ComparisonModel::AReadColumn; column < ComparisonModel::ColumnCount;
             ++column)
            got << cell(model, row, column);
        QCOMPARE(got, cells);
        const QVariant fg =
            model.index(row, ComparisonModel::DeltaPercentColumn).data(Qt::ForegroundRole);
        if (sign == 0)
            QVERIFY(!fg.isValid());
        else {
            const QColor c = fg.value<QBrush>().color();
            QCOMPARE(sign > 0, c.green() > c.red());
        }
        QVERIFY(cell(model, row, ComparisonModel::ConfigColumn, Qt::ToolTipRole)
                    .contains(QString::fromStdString(model.index(row, 0)
                                                         .data(ComparisonModel::ConfigKeyRole)
                                                         .value<ConfigKey>()
                                                         .label())));
    }

    // Every configuration present in either set gets one row.
    void unionOfConfigurations() {
        ComparisonModel model;
        QAbstractItemModelTester tester(&model,
                                        QAbstractItemModelTester::FailureReportingMode::QtTest);
        model.setBaseline(parse("1M d32 p8 r=3.5 w=3.0\n128K d8 p1 r=1 w=1\n"), "a");
        model.setOther(parse("1M d32 p8 r=3.7 w=3.1\n4M d8 p1 r=2 w=2\n"), "b");
        QCOMPARE(model.rowCount(), 3);
        QCOMPARE(model.headerData(ComparisonModel::AReadColumn, Qt::Horizontal, Qt::ToolTipRole)
                     .toString(),
                 QString("A: a (GiB/s)"));
        // Sorted by Δ% descending, absent deltas go last.
        QSortFilterProxyModel proxy;
        QAbstractItemModelTester proxyTester(
            &proxy, QAbstractItemModelTester::FailureReportingMode::QtTest);
        proxy.setSourceModel(&model);
        proxy.setSortRole(ComparisonModel::SortRole);
        proxy.sort(ComparisonModel::DeltaPercentColumn, Qt::DescendingOrder);
        QCOMPARE(cell(proxy, 0, ComparisonModel::ConfigColumn), QString("1M q32 p8 ov"));
        QCOMPARE(cell(proxy, 0, ComparisonModel::DeltaColumn), QString("+0.30"));
        QVERIFY(qFuzzyCompare(*model.deltaFraction(rowOfLabel(model, "1M q32 p8 ov")), 0.3 / 6.5));
        QVERIFY(!model.delta(rowOfLabel(model, "4M q8 p1 ov")));
        model.clear();
        QCOMPARE(model.rowCount(), 0);
    }

    void summary_data() {
        QTest::addColumn<QString>("a");
        QTest::addColumn<QString>("b");
        QTest::addColumn<QString>("summary");
        QTest::addRow("faster on A's best") << "1M d32 p8 r=3.5 w=3.0\n128K d8 p1 r=1 w=1"
                                            << "1M d32 p8 r=4.0 w=3.15\n128K d8 p1 r=1 w=1"
                                            << "B is 10.0% faster than A on A's best configuration "
                                               "(1M, qd 32, 8 threads, block, overlap): "
                                               "7.15 vs 6.50 GiB/s combined.";
        QTest::addRow("slower, and B's best differs")
            << "1M d32 p8 r=3.5 w=3.0\n128K d8 p1 r=1 w=1"
            << "1M d32 p8 r=1.5 w=1.5\n128K d8 p1 r=2 w=2"
            << "B is 53.8% slower than A on A's best configuration (1M, qd 32, 8 threads, block, "
               "overlap): "
               "3.00 vs 6.50 GiB/s combined. B's own best is 128K, qd 8, 1 thread, block, overlap "
               "at 4.00 GiB/s.";
        QTest::addRow("A's best not in B")
            << "1M d32 p8 r=3.5 w=3.0"
            << "128K d8 p1 r=3 w=3"
            << "A's best configuration (1M, qd 32, 8 threads, block, overlap) was not measured in "
               "B. "
               "Best of A: 6.50, best of B: 6.00 GiB/s combined (-7.7%).";
        QTest::addRow("nothing to compare")
            << "1M d32 p8 r=3.5"
            << "1M d32 p8 r=3.5 w=3"
            << "Open two result sets with read and write figures to compare them.";
    }
    void summary() {
        QFETCH(QString, a);
        QFETCH(QString, b);
        QFETCH(QString, summary);
        ComparisonModel model;
        model.setBaseline(parse(a), "a");
        model.setOther(parse(b), "b");
        QCOMPARE(model.summary(), summary);
    }

    // The two DeepSpeed fixtures: same 16 configurations, deltas from their figures.
    void fixtures() {
        const ResultSet a = loadFixture("ds-0.15-sweep"), b = loadFixture("ds-0.4-sweep");
        ComparisonView view;
        view.setBaseline(a, "DeepSpeed 0.15 sweep");
        view.setOther(b, "DeepSpeed 0.4 sweep");
        ComparisonModel* model = view.model();
        QAbstractItemModelTester tester(model,
                                        QAbstractItemModelTester::FailureReportingMode::QtTest);
        QCOMPARE(model->rowCount(), 16);
        for (int row = 0; row < model->rowCount(); ++row) {
            const ConfigKey key = *model->keyAt(row);
            const double want = *b.find(key)->combinedGiBps - *a.find(key)->combinedGiBps;
            QVERIFY(qFuzzyCompare(*model->delta(row), want));
        }
        // 3.6689 + 3.0587 vs 3.5310 + 3.1258 on 1M/qd 32/8 threads: +1.1%.
        QVERIFY2(view.summaryText().startsWith(
                     "B is 1.1% faster than A on A's best configuration (1M, qd 32, 8 threads"),
                 qPrintable(view.summaryText()));
        view.resize(900, 520);
        QTemporaryDir tmp;
        const QString dir = qEnvironmentVariable("AIOTUNE_SCREENSHOT_DIR", tmp.path());
        QVERIFY(view.grab().save(dir + "/comparison-view.png"));
    }
};

QTEST_MAIN(TestComparisonModel)
#include "test_comparison_model.moc"
