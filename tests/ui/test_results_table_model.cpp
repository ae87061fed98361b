#include "results/analysis.h"
#include "results/log_folder_reader.h"
#include "panels/log_pane.h"
#include "results/plausibility_log.h"
#include "results/results_table_model.h"

#include <QAbstractItemModelTester>
#include <QApplication>
#include <QIcon>
#include <QPalette>
#include <QHeaderView>
#include <QSortFilterProxyModel>
#include <QTableView>
#include <QTemporaryDir>
#include <QtTest>

#include "fixture_results.h"

#include <cmath>
#include <fstream>

using namespace aiotune;

using fixtures::kFixtures;
using fixtures::loadFixture;
using fixtures::expected;

namespace {
// "1M d32 p8 [ss] [seq] [f2]" -> key; readable inline keys.
ConfigKey key(const QString& spec) {
    ConfigKey k;
    const QStringList words = spec.split(' ', Qt::SkipEmptyParts);
    k.aio.block_size = words[0].endsWith('M') ? words[0].chopped(1).toULongLong() << 20
                                              : words[0].chopped(1).toULongLong() << 10;
    for (const QString& w : words.mid(1)) {
        if (w.startsWith('d'))
            k.aio.queue_depth = w.mid(1).toInt();
        else if (w.startsWith('p'))
            k.aio.intra_op_parallelism = w.mid(1).toInt();
        else if (w == "ss")
            k.aio.single_submit = true;
        else if (w == "seq")
            k.aio.overlap_events = false;
        else if (w.startsWith('f'))
            k.folders = w.mid(1).toInt();
    }
    return k;
}

Sample sample(IoOp op, double gibps, int loop = 0) {
    Sample s;
    s.op = op;
    s.loop = loop;
    s.gibPerSec = gibps;
    return s;
}

QString cell(const QAbstractItemModel& m, int row, int column, int role = Qt::DisplayRole) {
    return m.data(m.index(row, column), role).toString();
}
} // namespace

// Stands in for the sweep worker's signal.
class Feeder : public QObject {
    Q_OBJECT
  signals:
    void sampleReady(const aiotune::ConfigKey& key, const aiotune::Sample& sample);
};

class TestResultsTableModel : public QObject {
    Q_OBJECT
  private slots:
    void fixtureRows_data() {
        QTest::addColumn<QString>("name");
        QTest::addRow("ds-0.15-sweep") << "ds-0.15-sweep";
        QTest::addRow("ds-0.4-sweep") << "ds-0.4-sweep";
        QTest::addRow("ds-messy") << "ds-messy";
    }
    // One row per configuration; sorting by combined puts the expected best first.
    void fixtureRows() {
        QFETCH(QString, name);
        const ResultSet rs = loadFixture(name);
        const auto want = expected(name);

        ResultsTableModel model;
        QAbstractItemModelTester tester(&model,
                                        QAbstractItemModelTester::FailureReportingMode::QtTest);
        QSignalSpy recSpy(&model, &ResultsTableModel::recommendationChanged);
        model.setResults(rs);
        QCOMPARE(model.rowCount(), static_cast<int>(rs.configs.size()));
        if (name == "ds-0.15-sweep") QCOMPARE(model.rowCount(), 16);
        QCOMPARE(model.columnCount(), int(ResultsTableModel::ColumnCount));
        QCOMPARE(recSpy.count(), 1);
        QCOMPARE(recSpy.at(0).at(0).value<Recommendation>().configsWithBoth,
                 want.at("configs_with_both").get<int>());

        QSortFilterProxyModel proxy;
        QAbstractItemModelTester proxyTester(
            &proxy, QAbstractItemModelTester::FailureReportingMode::QtTest);
        proxy.setSourceModel(&model);
        proxy.setSortRole(ResultsTableModel::SortRole);
        proxy.sort(ResultsTableModel::CombinedColumn, Qt::DescendingOrder);

        const auto best =
            proxy.index(0, 0).data(ResultsTableModel::ConfigKeyRole).value<ConfigKey>();
        const auto& b = want.at("best");
        QCOMPARE(best.aio.block_size, b.at("block_size").get<std::uint64_t>());
        QCOMPARE(best.aio.queue_depth, b.at("queue_depth").get<int>());
        QCOMPARE(best.aio.intra_op_parallelism, b.at("intra_op_parallelism").get<int>());
        QCOMPARE(best.aio.single_submit, b.at("single_submit").get<bool>());
        QCOMPARE(best.aio.overlap_events, b.at("overlap_events").get<bool>());
        QVERIFY(proxy.index(0, 0).data(ResultsTableModel::IsBestRole).toBool());
        QVERIFY(proxy.index(0, 0).data(Qt::FontRole).value<QFont>().bold());
        QVERIFY(!proxy.index(1, 0).data(Qt::FontRole).value<QFont>().bold());
        QCOMPARE(cell(proxy, 0, ResultsTableModel::ReadColumn),
                 QString::number(want.at("read").get<double>(), 'f', 2));
        QCOMPARE(cell(proxy, 0, ResultsTableModel::WriteColumn),
                 QString::number(want.at("write").get<double>(), 'f', 2));
        QCOMPARE(proxy.index(0, ResultsTableModel::CombinedColumn)
                     .data(ResultsTableModel::SortRole)
                     .toDouble(),
                 want.at("read").get<double>() + want.at("write").get<double>());
        // Numeric sort: every combined figure is at most the one above it.
        double previous = 1e9;
        for (int row = 0; row < proxy.rowCount(); ++row) {
            const QVariant v = proxy.index(row, ResultsTableModel::CombinedColumn)
                                   .data(ResultsTableModel::SortRole);
            QVERIFY(v.toDouble() <= previous);
            previous = v.toDouble();
        }
        QCOMPARE(model.rowOf(best), proxy.mapToSource(proxy.index(0, 0)).row());
        QCOMPARE(model.configAt(model.rowOf(best))->key, best);
        QVERIFY(model.configAt(model.rowCount()) == nullptr);
        QVERIFY(!model.data(model.index(model.rowCount(), 0)).isValid());
    }

    void cells_data() {
        QTest::addColumn<int>("column");
        QTest::addColumn<QString>("display");
        QTest::addColumn<QVariant>("sortValue");
        QTest::addRow("block size")
            << int(ResultsTableModel::BlockSizeColumn) << "128K" << QVariant(qulonglong(131072));
        QTest::addRow("queue depth")
            << int(ResultsTableModel::QueueDepthColumn) << "32" << QVariant(32);
        QTest::addRow("threads") << int(ResultsTableModel::ThreadsColumn) << "8" << QVariant(8);
        QTest::addRow("submit") << int(ResultsTableModel::SubmitColumn) << "single" << QVariant(1);
        QTest::addRow("overlap") << int(ResultsTableModel::OverlapColumn) << "sequential"
                                 << QVariant(0);
        QTest::addRow("folders") << int(ResultsTableModel::FoldersColumn) << "2" << QVariant(2);
        QTest::addRow("read") << int(ResultsTableModel::ReadColumn) << "3.50" << QVariant(3.5);
        QTest::addRow("write") << int(ResultsTableModel::WriteColumn) << "3.00" << QVariant(3.0);
        QTest::addRow("combined") << int(ResultsTableModel::CombinedColumn) << "6.50"
                                  << QVariant(6.5);
        // read range 0.2 + write range 0.4 = 0.6; half of it over 6.5 = 4.6%
        QTest::addRow("spread") << int(ResultsTableModel::SpreadColumn) << "±4.6%"
                                << QVariant(0.3 / 6.5);
        // 3 reads, 4 writes (one failed): the most of one operation, as the report counts.
        QTest::addRow("samples") << int(ResultsTableModel::SamplesColumn) << "4" << QVariant(4);
        QTest::addRow("p99 (worse of read/write medians)")
            << int(ResultsTableModel::P99Column) << "2.50" << QVariant(2.5);
        QTest::addRow("error") << int(ResultsTableModel::ErrorColumn) << "io_uring_setup: ENOMEM"
                               << QVariant(1);
    }
    void cells() {
        QFETCH(int, column);
        QFETCH(QString, display);
        QFETCH(QVariant, sortValue);
        ResultsTableModel model;
        const ConfigKey k = key("128K d32 p8 ss seq f2");
        const std::vector<std::pair<IoOp, double>> figures = {
            {IoOp::Read, 3.4},  {IoOp::Read, 3.5},  {IoOp::Read, 3.6},
            {IoOp::Write, 2.8}, {IoOp::Write, 3.0}, {IoOp::Write, 3.2}};
        int loop = 0;
        for (auto [op, v] : figures) {
            Sample s = sample(op, v, loop++ % 3);
            s.latencyP99Us = op == IoOp::Read ? 1000.0 * v / 3.5 : 2500.0 * v / 3.0;
            model.addSample(k, s);
        }
        Sample bad = sample(IoOp::Write, 0.0, 3);
        bad.error = "io_uring_setup: ENOMEM";
        model.addSample(k, bad);

        QCOMPARE(cell(model, 0, column), display);
        if (column == ResultsTableModel::SamplesColumn) // one owner: the report prints loops() too
            QCOMPARE(display.toInt(), model.configAt(0)->loops());
        const QVariant sv = model.index(0, column).data(ResultsTableModel::SortRole);
        if (sortValue.typeId() == QMetaType::Double)
            QVERIFY(qFuzzyCompare(sv.toDouble(), sortValue.toDouble()));
        else
            QCOMPARE(sv.toString(), sortValue.toString());
        QVERIFY(cell(model, 0, column, Qt::ToolTipRole)
                    .contains("128K, qd 32, 8 threads, single, sequential, 2 folders"));
    }

    // Fed live: new configurations insert rows in key order, known ones
    // update their row, and the best mark follows the figures.
    void liveSamples() {
        ResultsTableModel model;
        QAbstractItemModelTester tester(&model,
                                        QAbstractItemModelTester::FailureReportingMode::QtTest);
        QSignalSpy inserted(&model, &QAbstractItemModel::rowsInserted);
        QSignalSpy changed(&model, &QAbstractItemModel::dataChanged);
        QSignalSpy reset(&model, &QAbstractItemModel::modelReset);
        QSignalSpy rec(&model, &ResultsTableModel::recommendationChanged);

        const ConfigKey big = key("1M d32 p8"), small = key("128K d8 p1");
        model.addSample(big, sample(IoOp::Read, 3.5));
        QCOMPARE(inserted.count(), 1);
        // The analysis is coalesced: due, not yet announced, but asked for it is current.
        QVERIFY(model.analysisPending());
        QCOMPARE(rec.count(), 0);
        QVERIFY(!model.recommendation().best);
        QTRY_COMPARE(rec.count(), 1); // the timer announces it
        QCOMPARE(inserted.at(0).at(1).toInt(), 0);
        QCOMPARE(changed.count(), 0);
        QVERIFY(!model.analysisPending());
        QVERIFY(!rec.at(0).at(0).value<Recommendation>().best); // no write yet
        QCOMPARE(cell(model, 0, ResultsTableModel::CombinedColumn), QString("–"));

        model.addSample(big, sample(IoOp::Write, 3.0));
        QVERIFY(!model.index(0, 0).data(ResultsTableModel::IsBestRole).toBool()); // not announced yet
        model.flushAnalysis();
        QCOMPARE(inserted.count(), 1);
        QVERIFY(changed.count() >= 1);
        QCOMPARE(changed.at(0).at(0).toModelIndex().row(), 0);
        QCOMPARE(changed.at(0).at(1).toModelIndex().column(),
                 int(ResultsTableModel::ColumnCount) - 1);
        QCOMPARE(cell(model, 0, ResultsTableModel::CombinedColumn), QString("6.50"));
        QVERIFY(model.index(0, 0).data(ResultsTableModel::IsBestRole).toBool());
        QCOMPARE(rec.count(), 2);
        QCOMPARE(rec.at(1).at(0).value<Recommendation>().best->key, big);

        // A smaller key sorts first: inserted at row 0, the old row moves to 1.
        model.addSample(small, sample(IoOp::Read, 4.0));
        QCOMPARE(inserted.count(), 2);
        QCOMPARE(inserted.at(1).at(1).toInt(), 0);
        QCOMPARE(model.rowOf(small), 0);
        QCOMPARE(model.rowOf(big), 1);
        changed.clear();
        model.addSample(small, sample(IoOp::Write, 3.0));
        model.flushAnalysis();
        // Its own row, then both rows whose best mark moved.
        QSet<int> rows;
        for (const auto& args : changed)
            rows.insert(args.at(0).toModelIndex().row());
        QCOMPARE(rows, (QSet<int>{0, 1}));
        QVERIFY(model.index(0, 0).data(ResultsTableModel::IsBestRole).toBool());
        QVERIFY(!model.index(1, 0).data(ResultsTableModel::IsBestRole).toBool());
        QCOMPARE(model.recommendation().best->key, small);
        QCOMPARE(reset.count(), 0);

        model.clear();
        QCOMPARE(reset.count(), 1);
        QCOMPARE(model.rowCount(), 0);
        QVERIFY(!model.recommendation().best);
    }

    // Through a queued connection, the way the sweep worker feeds it.
    void queuedSignal() {
        ResultsTableModel model;
        Feeder feeder;
        QObject::connect(&feeder, &Feeder::sampleReady, &model, &ResultsTableModel::addSample,
                         Qt::QueuedConnection);
        emit feeder.sampleReady(key("1M d8 p1"), sample(IoOp::Read, 1.25));
        QCOMPARE(model.rowCount(), 0);
        QTRY_COMPARE(model.rowCount(), 1);
        QCOMPARE(cell(model, 0, ResultsTableModel::ReadColumn), QString("1.25"));
    }

    void tsv() {
        ResultsTableModel model;
        model.addSample(key("1M d32 p8"), sample(IoOp::Read, 3.5));
        model.addSample(key("1M d32 p8"), sample(IoOp::Write, 3.0));
        model.addSample(key("128K d8 p1"), sample(IoOp::Read, 2.0));
        // Given out of order, written in row/column order.
        const QModelIndexList picked = {model.index(1, ResultsTableModel::CombinedColumn),
                                        model.index(0, ResultsTableModel::BlockSizeColumn),
                                        model.index(1, ResultsTableModel::BlockSizeColumn),
                                        model.index(0, ResultsTableModel::CombinedColumn)};
        QCOMPARE(indexesToTsv(picked), QString("Block\tCombined GiB/s\n128K\t–\n1M\t6.50\n"));
        QCOMPARE(indexesToTsv(picked, false), QString("128K\t–\n1M\t6.50\n"));
        QCOMPARE(indexesToTsv({}), QString());
    }

    // A figure that cannot be true: warning icon and colour on that figure,
    // the message first in the row's tooltip; a clean row shows none of it.
    void plausibilityMarks_data() {
        QTest::addColumn<double>("read");
        QTest::addColumn<double>("write");
        QTest::addColumn<bool>("withLimits");
        QTest::addColumn<int>("flaggedColumn"); // -1: clean
        QTest::addColumn<QString>("says");
        QTest::addRow("reads 4x writes") << 8.0 << 2.0 << false << int(ResultsTableModel::ReadColumn)
                                         << "page cache";
        QTest::addRow("reads 2x writes") << 4.0 << 2.0 << false << -1 << "";
        QTest::addRow("write above the link") << 3.0 << 5.0 << true << int(ResultsTableModel::WriteColumn)
                                              << "above the 4.00 GiB/s the PCIe link of nvme0n1";
        QTest::addRow("write above, no link known") << 3.0 << 5.0 << false << -1 << "";
        QTest::addRow("under the link") << 4.1 << 3.9 << true << -1 << "";
    }
    void plausibilityMarks() {
        QFETCH(double, read);
        QFETCH(double, write);
        QFETCH(bool, withLimits);
        QFETCH(int, flaggedColumn);
        QFETCH(QString, says);
        ResultSet rs;
        const ConfigKey k = key("1M d32 p8"), clean = key("128K d8 p1");
        for (const auto& [op, v] : {std::pair{IoOp::Read, read}, std::pair{IoOp::Write, write}}) {
            Sample s = sample(op, v);
            s.folder = "/data/aio";
            rs.add(k, s);
            Sample c = sample(op, 1.0);
            c.folder = "/data/aio";
            rs.add(clean, c);
        }
        ResultsTableModel model;
        QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
        if (withLimits) {
            LinkLimits limits;
            limits.byFolder["/data/aio"] = {"nvme0n1", 4.0 * (1 << 30), "8 GT/s x4"};
            model.setLinkLimits(limits);
        }
        model.setResults(rs);
        const int row = model.rowOf(k), cleanRow = model.rowOf(clean);
        const QStringList messages = model.index(row, 0).data(ResultsTableModel::PlausibilityRole).toStringList();
        const QString tip = cell(model, row, ResultsTableModel::ReadColumn, Qt::ToolTipRole);
        if (flaggedColumn < 0) {
            QVERIFY(messages.isEmpty());
            QVERIFY(model.plausibilityFlags().empty());
            QVERIFY(!tip.contains(QStringLiteral("⚠")));
        } else {
            QCOMPARE(messages.size(), 1);
            QVERIFY2(messages[0].contains(says), qPrintable(messages[0]));
            QCOMPARE(model.plausibilityFlags().size(), std::size_t(1));
            QVERIFY2(tip.startsWith(QStringLiteral("⚠ ") + messages[0]), qPrintable(tip));
            QVERIFY(model.index(row, flaggedColumn).data(Qt::DecorationRole).value<QIcon>().isNull() == false);
            QVERIFY(model.index(row, flaggedColumn).data(Qt::ForegroundRole).value<QColor>().isValid());
            QVERIFY(model.index(row, ResultsTableModel::CombinedColumn).data(Qt::ForegroundRole).value<QColor>().isValid());
        }
        // The other figure, the other columns and the clean row stay plain.
        for (int column : {int(ResultsTableModel::ReadColumn), int(ResultsTableModel::WriteColumn)}) {
            if (column == flaggedColumn) continue;
            QVERIFY(!model.index(row, column).data(Qt::DecorationRole).isValid());
            QVERIFY(!model.index(row, column).data(Qt::ForegroundRole).isValid());
        }
        QVERIFY(!model.index(row, ResultsTableModel::SpreadColumn).data(Qt::ForegroundRole).isValid());
        QVERIFY(model.index(cleanRow, 0).data(ResultsTableModel::PlausibilityRole).toStringList().isEmpty());
        for (int column = 0; column < ResultsTableModel::ColumnCount; ++column) {
            QVERIFY(!model.index(cleanRow, column).data(Qt::ForegroundRole).isValid());
            QVERIFY(!cell(model, cleanRow, column, Qt::ToolTipRole).contains(QStringLiteral("⚠")));
        }
        // The figures themselves are not touched: copied cells stay numbers.
        QCOMPARE(cell(model, row, ResultsTableModel::ReadColumn), QString::number(read, 'f', 2));
    }

    // Live: a flag appears when the analysis runs and its row is repainted.
    void plausibilityLive() {
        ResultsTableModel model;
        QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
        const ConfigKey k = key("1M d32 p8");
        model.addSample(k, sample(IoOp::Write, 2.0));
        model.flushAnalysis();
        QVERIFY(model.plausibilityFlags().empty());
        QSignalSpy changed(&model, &QAbstractItemModel::dataChanged);
        model.addSample(k, sample(IoOp::Read, 9.0));
        changed.clear();
        model.flushAnalysis();
        QCOMPARE(model.plausibilityFlags().size(), std::size_t(1));
        bool repainted = false;
        for (const auto& args : changed)
            repainted |= args.at(0).toModelIndex().row() == 0 &&
                         args.at(2).value<QList<int>>().contains(ResultsTableModel::PlausibilityRole);
        QVERIFY(repainted);
        QVERIFY(model.index(0, ResultsTableModel::ReadColumn).data(Qt::ForegroundRole).value<QColor>().isValid());
    }

    // The warning colour reads on a light and on a dark table.
    void warningColourFollowsPalette_data() {
        QTest::addColumn<QColor>("base");
        QTest::addRow("light") << QColor(Qt::white);
        QTest::addRow("dark") << QColor(0x20, 0x20, 0x20);
    }
    void warningColourFollowsPalette() {
        QFETCH(QColor, base);
        const QPalette saved = QApplication::palette();
        QPalette p = saved;
        p.setColor(QPalette::Base, base);
        QApplication::setPalette(p);
        ResultsTableModel model;
        model.addSample(key("1M d32 p8"), sample(IoOp::Write, 1.0));
        model.addSample(key("1M d32 p8"), sample(IoOp::Read, 9.0));
        model.flushAnalysis();
        const QColor c = model.index(0, ResultsTableModel::ReadColumn).data(Qt::ForegroundRole).value<QColor>();
        QApplication::setPalette(saved);
        QVERIFY(c.isValid());
        // WCAG relative luminance contrast of at least 4.5:1 against the base.
        const auto luminance = [](const QColor& x) {
            const auto lin = [](double v) { return v <= 0.03928 ? v / 12.92 : std::pow((v + 0.055) / 1.055, 2.4); };
            return 0.2126 * lin(x.redF()) + 0.7152 * lin(x.greenF()) + 0.0722 * lin(x.blueF());
        };
        const double a = luminance(c), b = luminance(base);
        const double contrast = (std::max(a, b) + 0.05) / (std::min(a, b) + 0.05);
        QVERIFY2(contrast >= 4.5, qPrintable(QString("contrast %1 of %2 on %3").arg(contrast).arg(c.name(), base.name())));
    }

    // The window's Log tab gets one warning per flag.
    void plausibilityLog() {
        ResultSet rs;
        rs.add(key("1M d32 p8"), sample(IoOp::Read, 9.0));
        rs.add(key("1M d32 p8"), sample(IoOp::Write, 1.0));
        const auto flags = checkPlausibility(rs);
        QCOMPARE(flags.size(), std::size_t(1));
        LogPane log;
        logPlausibility(log, flags);
        QCOMPARE(log.messageCount(), 1);
        QVERIFY2(log.toPlainText().contains(QString::fromStdString(flags[0].message)), qPrintable(log.toPlainText()));
        logPlausibility(log, {});
        QCOMPARE(log.messageCount(), 1);
    }

    // Link limits in the window: from the drives panel's discovery (here the
    // fixture server, whose "/" is nvme0n1), only for results recorded on
    // this machine on folders that exist.
    void recordedLinkLimitsInWindow() {
        DiscoveryOptions o;
        o.sysRoot = AIOTUNE_TEST_FIXTURES "/sysfs/server/sys";
        o.procRoot = AIOTUNE_TEST_FIXTURES "/sysfs/server/proc";
        const std::optional<DiscoveryReport> report = discoverForLinkLimits(o);
        QTemporaryDir here;
        ResultSet rs;
        Sample s = sample(IoOp::Read, 9.0);
        s.folder = here.path().toStdString();
        rs.add(key("1M d32 p8"), s);
        rs.meta = {{"system", {{"host", thisHostName()}}}};
        const LinkLimits limits = recordedLinkLimits(rs, report);
        QVERIFY(limits.find(s.folder));
        QCOMPARE(limits.find(s.folder)->drive, std::string("nvme0n1"));
        QVERIFY(recordedLinkLimits(rs, std::nullopt).empty()); // discovery not finished yet
        rs.meta = {{"system", {{"host", "another-machine"}}}};
        QVERIFY(recordedLinkLimits(rs, report).empty());
    }

    // Set AIOTUNE_SCREENSHOT_DIR to keep the picture for a look.
    void screenshot() {
        ResultsTableModel model;
        model.setResults(loadFixture("ds-0.15-sweep"));
        QSortFilterProxyModel proxy;
        proxy.setSourceModel(&model);
        proxy.setSortRole(ResultsTableModel::SortRole);
        QTableView view;
        view.setModel(&proxy);
        view.setSortingEnabled(true);
        view.sortByColumn(ResultsTableModel::CombinedColumn, Qt::DescendingOrder);
        view.horizontalHeader()->setSectionResizeMode(QHeaderView::ResizeToContents);
        view.verticalHeader()->setSectionResizeMode(QHeaderView::ResizeToContents);
        view.resize(1100, 520);
        QTemporaryDir tmp;
        const QString dir = qEnvironmentVariable("AIOTUNE_SCREENSHOT_DIR", tmp.path());
        QVERIFY(view.grab().save(dir + "/results-table.png"));
    }
};

QTEST_MAIN(TestResultsTableModel)
#include "test_results_table_model.moc"
