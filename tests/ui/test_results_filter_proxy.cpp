// The Table tab's filter: words AND-ed, each equal to a whole cell, on the
// ds-0.15 fixture (block sizes 128K/1M, queue depths 8/32, 1 or 8 threads,
// overlap or sequential: 16 configurations).
#include "results/result_format.h"
#include "results/results_filter_proxy.h"
#include "results/results_table_model.h"

#include "fixture_results.h"

#include <QAbstractItemModelTester>
#include <QTest>

class TestResultsFilterProxy : public QObject {
    Q_OBJECT
  private slots:
    void filter_data() {
        QTest::addColumn<QString>("text");
        QTest::addColumn<int>("rows");
        QTest::addRow("empty") << "" << 16;
        QTest::addRow("blanks only") << "  ,  " << 16;
        QTest::addRow("block size") << "128K" << 8;
        QTest::addRow("8 is qd 8 or 8 threads, never 128K") << "8" << 12;
        QTest::addRow("two words AND-ed") << "1M sequential" << 4;
        QTest::addRow("three words") << "1M sequential 32" << 2;
        QTest::addRow("case and commas") << "1m, SEQUENTIAL" << 4;
        QTest::addRow("a part of a value matches nothing") << "12" << 0;
        QTest::addRow("a part of a word matches nothing") << "sequ" << 0;
        QTest::addRow("two block sizes exclude each other") << "1M 128K" << 0;
        QTest::addRow("unknown word") << "fast" << 0;
        // The chart's own labels (resultformat::shortLabel) find their rows.
        QTest::addRow("a chart label") << "1M q32 p8 ov" << 1;
        QTest::addRow("a chart label's prefix") << "1M q32 p8" << 2;
        QTest::addRow("chart words mix with cells") << "q8 sequential" << 4;
        QTest::addRow("q32 with 8 threads") << "q32 8" << 4;
    }
    void filter() {
        QFETCH(QString, text);
        QFETCH(int, rows);
        ResultsTableModel model;
        model.setResults(fixtures::loadFixture("ds-0.15-sweep"));
        ResultsFilterProxy proxy;
        QAbstractItemModelTester tester(&proxy);
        proxy.setSourceModel(&model);
        proxy.setFilterWords(text);
        QCOMPARE(proxy.rowCount(), rows);
        // Every row kept holds each word as one of its cells or its chart label's words.
        for (int r = 0; r < proxy.rowCount(); ++r) {
            QStringList cells;
            for (int c = 0; c < proxy.columnCount(); ++c)
                cells << proxy.index(r, c).data().toString().toLower();
            cells << resultformat::shortLabel(model.configAt(proxy.mapToSource(proxy.index(r, 0)).row())->key)
                         .toLower()
                         .split(' ');
            for (const QString& word : proxy.filterWords())
                QVERIFY2(cells.contains(word), qPrintable(cells.join(' ')));
        }
        proxy.setFilterWords({});
        QCOMPARE(proxy.rowCount(), 16);
    }

    void followsTheSource() {
        ResultsTableModel model;
        ResultsFilterProxy proxy;
        QAbstractItemModelTester tester(&proxy);
        proxy.setSourceModel(&model);
        proxy.setFilterWords("sequential");
        QCOMPARE(proxy.rowCount(), 0);
        model.setResults(fixtures::loadFixture("ds-0.4-sweep"));
        QCOMPARE(proxy.rowCount(), 8);
    }
};

QTEST_MAIN(TestResultsFilterProxy)
#include "test_results_filter_proxy.moc"
