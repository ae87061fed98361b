// The window's ranges obey the one validator (config/transfer_limits.h): what
// `aiotune sweep` and `aiotune io` refuse is refused as it is typed, with the
// same message, before any folder is chosen.
#include "panels/ranges_panel.h"

#include "config/transfer_limits.h"
#include "sweep/sweep_spec.h"

#include <QLineEdit>
#include <QtTest>

class TestRangesLimits : public QObject {
    Q_OBJECT
private slots:
    void typedRangesAreJudgedByTheCore_data() {
        QTest::addColumn<QString>("blocks");
        QTest::addColumn<QString>("depths");
        QTest::addColumn<QString>("threads");
        QTest::addColumn<QString>("io");
        QTest::addColumn<QString>("mention"); // empty: accepted
        QTest::addRow("fine") << "128K, 1M" << "8, 32" << "1, 8" << "64M" << "";
        QTest::addRow("depth above the ring") << "1M" << "8, 40000" << "1" << "64M" << "queue_depth 40000";
        QTest::addRow("uneven split") << "4K" << "8" << "3" << "1M" << "split evenly into 3 slices";
        QTest::addRow("block above a slice") << "8M" << "8" << "4" << "16M" << "4M or less";
        QTest::addRow("block above 1G") << "2G" << "8" << "1" << "4G" << "block_size 2G";
        QTest::addRow("257 threads") << "4K" << "8" << "257" << "1G" << "intra_op_parallelism 257";
    }
    void typedRangesAreJudgedByTheCore() {
        QFETCH(QString, blocks);
        QFETCH(QString, depths);
        QFETCH(QString, threads);
        QFETCH(QString, io);
        QFETCH(QString, mention);
        RangesPanel panel;
        panel.blockSizeEdit()->setText(blocks);
        panel.queueDepthEdit()->setText(depths);
        panel.threadsEdit()->setText(threads);
        panel.ioSizeEdit()->setText(io);
        const auto spec = panel.spec();
        QCOMPARE(spec.ok(), mention.isEmpty());
        if (mention.isEmpty()) return;
        QVERIFY2(QString::fromStdString(spec.error()).contains(mention), spec.error().c_str());
        QVERIFY2(panel.errorText().contains(mention), qPrintable(panel.errorText()));
    }
};

QTEST_MAIN(TestRangesLimits)
#include "test_ranges_limits.moc"
