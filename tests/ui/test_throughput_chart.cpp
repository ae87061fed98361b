#include "results/answer.h"
#include "results/heatmap_widget.h"
#include "results/result_format.h"
#include "results/log_folder_reader.h"
#include "results/results_table_model.h"
#include "results/throughput_chart.h"
#include "util/byte_size.h"

#include <QBarCategoryAxis>
#include <QBarSet>
#include <QChart>
#include <QHorizontalBarSeries>
#include <QChartView>
#include <QFile>
#include <QHelpEvent>
#include <QToolTip>
#include <QLabel>
#include <QImage>
#include <QTemporaryDir>
#include <QTemporaryDir>
#include <QtTest>

#include "fixture_results.h"

#include <fstream>

using namespace aiotune;

using fixtures::kFixtures;
using fixtures::loadFixture;
using fixtures::expected;

namespace {
ConfigKey expectedBest(const QString& name) {
    const auto b = expected(name).at("best");
    ConfigKey k;
    k.aio.block_size = b.at("block_size").get<std::uint64_t>();
    k.aio.queue_depth = b.at("queue_depth").get<int>();
    k.aio.intra_op_parallelism = b.at("intra_op_parallelism").get<int>();
    k.aio.single_submit = b.at("single_submit").get<bool>();
    k.aio.overlap_events = b.at("overlap_events").get<bool>();
    return k;
}

Sample sample(IoOp op, double gibps) {
    Sample s;
    s.op = op;
    s.gibPerSec = gibps;
    return s;
}

QStringList categories(const ThroughputChart& chart) {
    auto* axis = qobject_cast<QBarCategoryAxis*>(chart.chart()->axes(Qt::Vertical).value(0));
    return axis ? axis->categories() : QStringList();
}

// Set AIOTUNE_SCREENSHOT_DIR to keep the pictures for a look.
QString screenshotPath(const QTemporaryDir& tmp, const QString& name) {
    const QString dir = qEnvironmentVariable("AIOTUNE_SCREENSHOT_DIR");
    return (dir.isEmpty() ? tmp.path() : dir) + "/" + name + ".png";
}

// Several distinct colors: a drawn chart, not a blank canvas.
int distinctColors(const QImage& image) {
    QSet<QRgb> colors;
    for (int y = 0; y < image.height(); y += 4)
        for (int x = 0; x < image.width(); x += 4)
            colors.insert(image.pixel(x, y));
    return static_cast<int>(colors.size());
}
} // namespace

class TestThroughputChart : public QObject {
    Q_OBJECT
  private slots:
    void bars_data() {
        QTest::addColumn<QString>("name");
        QTest::addRow("ds-0.15-sweep") << "ds-0.15-sweep";
        QTest::addRow("ds-0.4-sweep") << "ds-0.4-sweep";
    }
    // One bar triple per configuration, ranked: the best on top and marked.
    void bars() {
        QFETCH(QString, name);
        ResultsTableModel model;
        model.setResults(loadFixture(name));
        ThroughputChart chart;
        chart.setModel(&model);

        QHorizontalBarSeries* series = chart.barSeries();
        QCOMPARE(series->count(), 3);
        QCOMPARE(series->barSets().at(0)->label(), QString("Read"));
        QCOMPARE(series->barSets().at(1)->label(), QString("Write"));
        QCOMPARE(series->barSets().at(2)->label(), QString("Combined"));
        QCOMPARE(chart.barKeys().size(), 16);
        QCOMPARE(categories(chart).size(), 16);
        for (QBarSet* set : series->barSets())
            QCOMPARE(set->count(), 16);

        const auto want = expected(name);
        const ConfigKey best = expectedBest(name);
        QCOMPARE(chart.barKeys().last(), best); // the top bar
        QVERIFY2(categories(chart).last().startsWith(QString::fromUtf8("★ ")),
                 qPrintable(categories(chart).last()));
        QCOMPARE(categories(chart).last(), QString::fromUtf8("★ 1M q32 p8 ov"));
        QCOMPARE(series->barSets().at(0)->at(15), want.at("read").get<double>());
        QCOMPARE(series->barSets().at(1)->at(15), want.at("write").get<double>());
        QCOMPARE(series->barSets().at(2)->at(15),
                 want.at("read").get<double>() + want.at("write").get<double>());
        QCOMPARE(series->barSets().at(2)->selectedBars(), QList<int>{15});
        QVERIFY(series->barSets().at(0)->selectedBars().isEmpty());
        // Ranked: combined never rises towards the bottom.
        for (int i = 1; i < 16; ++i)
            QVERIFY(series->barSets().at(2)->at(i - 1) <= series->barSets().at(2)->at(i));
        // Every bar's values are its configuration's.
        for (int i = 0; i < 16; ++i) {
            const ConfigResult* c = model.results().find(chart.barKeys().at(i));
            QVERIFY(c);
            QCOMPARE(series->barSets().at(0)->at(i), *c->readGiBps);
            QCOMPARE(series->barSets().at(1)->at(i), *c->writeGiBps);
        }
        QVERIFY(chart.titleText().contains("Best: 1M, qd 32, 8 threads, block, overlap"));
        QCOMPARE(chart.chart()->axes(Qt::Horizontal).value(0)->titleText(),
                 QString("Throughput (GiB/s)"));
    }

    void maxBars() {
        ResultsTableModel model;
        model.setResults(loadFixture("ds-0.15-sweep"));
        ThroughputChart chart;
        chart.setModel(&model);
        chart.setMaxBars(5);
        QCOMPARE(chart.barKeys().size(), 5);
        QCOMPARE(chart.barKeys().last(), expectedBest("ds-0.15-sweep"));
        QVERIFY(chart.subtitleText().contains("Top 5 of 16"));
        QVERIFY(chart.titleText().contains("Best: "));
    }

    // Fed live through the model: redraws after rows arrive, coalesced.
    void live() {
        ResultsTableModel model;
        ThroughputChart chart;
        chart.setModel(&model);
        QCOMPARE(chart.barKeys().size(), 0);
        ConfigKey a, b;
        a.aio.queue_depth = 32;
        b.aio.queue_depth = 8;
        model.addSample(a, sample(IoOp::Read, 3.0));
        model.addSample(b, sample(IoOp::Read, 2.0));
        QTRY_COMPARE(chart.barKeys().size(), 2);
        QCOMPARE(chart.barSeries()->barSets().at(2)->at(1), 0.0); // no write yet: no combined
        model.addSample(a, sample(IoOp::Write, 2.5));
        QTRY_COMPARE(chart.barSeries()->barSets().at(2)->at(1), 5.5);
        QCOMPARE(chart.barKeys().last(), a);
        QCOMPARE(chart.barSeries()->barSets().at(2)->selectedBars(), QList<int>{1});
        model.clear();
        QTRY_COMPARE(chart.barKeys().size(), 0);
    }

    void heatmap_data() {
        QTest::addColumn<int>("threads");
        QTest::addColumn<int>("overlap");
        QTest::addColumn<int>("cells");
        QTest::addColumn<double>("value1M32"); // combined at 1M, qd 32
        QTest::addColumn<bool>("bestShown");
        const double best = 3.5309545927673742 + 3.1257650447483813;
        QTest::addRow("8 threads, best overlap") << 8 << -1 << 4 << best << true;
        QTest::addRow("8 threads, overlap") << 8 << 1 << 4 << best << true;
        QTest::addRow("best of any thread count") << -1 << -1 << 4 << best << true;
        QTest::addRow("1 thread") << 1 << -1 << 4 << -1.0 << false;
    }
    void heatmap() {
        QFETCH(int, threads);
        QFETCH(int, overlap);
        QFETCH(int, cells);
        QFETCH(double, value1M32);
        QFETCH(bool, bestShown);
        ResultsTableModel model;
        model.setResults(loadFixture("ds-0.15-sweep"));
        ThroughputChart chart;
        chart.setModel(&model);
        chart.setMode(ThroughputChart::Mode::Heatmap);
        QCOMPARE(chart.heatmapThreads(), 8); // defaults to the best's thread count
        chart.setHeatmapThreads(threads);
        chart.setHeatmapOverlap(overlap);
        QCOMPARE(chart.heatmapThreads(), threads);

        const HeatmapWidget* map = chart.heatmap();
        QCOMPARE(map->columnLabels(), (QStringList{"128K", "1M"}));
        QCOMPARE(map->rowLabels(), (QStringList{"32", "8"})); // deeper queues on top
        QCOMPARE(map->cells().size(), cells);
        const ConfigKey best = expectedBest("ds-0.15-sweep");
        bool sawBest = false;
        for (const auto& cell : map->cells()) {
            const ConfigResult* c = model.results().find(cell.key);
            QVERIFY(c);
            QCOMPARE(cell.value, *c->combinedGiBps);
            QCOMPARE(map->columnLabels().at(cell.column),
                     QString::fromStdString(formatByteSizeTag(cell.key.aio.block_size)));
            QCOMPARE(map->rowLabels().at(cell.row), QString::number(cell.key.aio.queue_depth));
            if (threads > 0) QCOMPARE(cell.key.aio.intra_op_parallelism, threads);
            if (overlap >= 0) QCOMPARE(cell.key.aio.overlap_events, overlap == 1);
            QVERIFY(cell.tooltip.contains(QString::fromStdString(cell.key.label())));
            if (cell.key == best) sawBest = true;
            if (cell.column == 1 && cell.row == 0 && value1M32 > 0) QCOMPARE(cell.value, value1M32);
        }
        QCOMPARE(sawBest, bestShown);
        // Each cell holds the best of the configurations it stands for.
        for (const auto& cell : map->cells())
            for (const ConfigResult& c : model.results().configs)
                if (c.hasBoth() && c.key.aio.block_size == cell.key.aio.block_size &&
                    c.key.aio.queue_depth == cell.key.aio.queue_depth &&
                    (threads < 0 || c.key.aio.intra_op_parallelism == threads) &&
                    (overlap < 0 || c.key.aio.overlap_events == (overlap == 1)))
                    QVERIFY(*c.combinedGiBps <= cell.value);
        // Higher values map to a lighter end of the ramp (viridis: dark purple -> yellow).
        QVERIFY(map->colorFor(map->cells().first().value).isValid());
    }

    void clicksAndSelection() {
        ResultsTableModel model;
        model.setResults(loadFixture("ds-0.15-sweep"));
        ThroughputChart chart;
        chart.resize(900, 600);
        chart.setModel(&model);
        QSignalSpy clicked(&chart, &ThroughputChart::configClicked);

        // A bar click (the series' own signal) selects and reports its configuration.
        const int index = 3;
        emit chart.barSeries()->clicked(index, chart.barSeries()->barSets().at(0));
        QCOMPARE(clicked.count(), 1);
        QCOMPARE(clicked.at(0).at(0).value<ConfigKey>(), chart.barKeys().at(index));
        QCOMPARE(*chart.selectedConfig(), chart.barKeys().at(index));

        // A heatmap click on the 1M / qd 32 cell.
        chart.setMode(ThroughputChart::Mode::Heatmap);
        chart.show();
        QVERIFY(QTest::qWaitForWindowExposed(&chart));
        HeatmapWidget* map = chart.heatmap();
        const QRect cell = map->cellRect(1, 0);
        QVERIFY(!cell.isEmpty());
        QTest::mouseClick(map, Qt::LeftButton, {}, cell.center());
        QCOMPARE(clicked.count(), 2);
        QCOMPARE(clicked.at(1).at(0).value<ConfigKey>(), expectedBest("ds-0.15-sweep"));

        chart.selectConfig(chart.barKeys().first());
        QCOMPARE(*chart.selectedConfig(), chart.barKeys().first());
        QCOMPARE(clicked.count(), 2); // selecting from code does not echo
        chart.clearSelection();
        QVERIFY(!chart.selectedConfig());
    }

    // A wide sweep: the bars keep the top ones, the heatmap fills its grid.
    void manyConfigurations() {
        ResultsTableModel model;
        const std::vector<std::uint64_t> sizes = {128 << 10, 256 << 10, 512 << 10, 1 << 20,
                                                  2 << 20,   4 << 20,   8 << 20};
        const std::vector<int> depths = {4, 8, 16, 32, 64, 128};
        ResultSet rs;
        for (std::size_t i = 0; i < sizes.size(); ++i)
            for (std::size_t j = 0; j < depths.size(); ++j)
                for (int threads : {1, 8}) {
                    ConfigKey k;
                    k.aio.block_size = sizes[i];
                    k.aio.queue_depth = depths[j];
                    k.aio.intra_op_parallelism = threads;
                    // Rises with size and depth, saturating; 8 threads a little faster.
                    const double v = (1.0 + 0.3 * i + 0.2 * j) * (threads == 8 ? 1.1 : 1.0) /
                                     (1.0 + 0.02 * i * j);
                    for (int loop = 0; loop < 3; ++loop) {
                        rs.add(k, sample(IoOp::Read, v * (1.0 + 0.01 * loop)));
                        rs.add(k, sample(IoOp::Write, 0.8 * v * (1.0 - 0.01 * loop)));
                    }
                }
        model.setResults(rs);
        ThroughputChart chart;
        chart.setModel(&model);
        QCOMPARE(chart.barKeys().size(), 20);
        QVERIFY(chart.subtitleText().contains("Top 20 of 84"));
        QCOMPARE(chart.barKeys().last(), model.recommendation().best->key);
        chart.setMode(ThroughputChart::Mode::Heatmap);
        QCOMPARE(chart.heatmap()->cells().size(), 42);
        QCOMPARE(chart.heatmap()->columnLabels().size(), 7);
        QCOMPARE(chart.heatmap()->rowLabels().first(), QString("128"));
        chart.selectConfig(chart.heatmap()->cells().at(5).key);
        chart.resize(1000, 640);
        QTemporaryDir tmp;
        QVERIFY(chart.savePng(screenshotPath(tmp, "chart-heatmap-wide")));
        chart.setMode(ThroughputChart::Mode::Bars);
        QVERIFY(chart.savePng(screenshotPath(tmp, "chart-bars-wide")));
    }

    // A short chart shows fewer bars, so no label is cut to "…"; a tall one maxBars().
    void barsFitTheHeight() {
        ResultsTableModel model;
        ResultSet rs;
        for (int q = 1; q <= 30; ++q) {
            ConfigKey k;
            k.aio.queue_depth = q;
            rs.add(k, sample(IoOp::Read, 1.0 + 0.01 * q));
            rs.add(k, sample(IoOp::Write, 1.0));
        }
        model.setResults(rs);
        ThroughputChart chart;
        chart.setModel(&model);
        chart.resize(800, 360);
        chart.show();
        QVERIFY(QTest::qWaitForWindowExposed(&chart));
        const int line = chart.fontMetrics().height();
        QTRY_VERIFY2(chart.barKeys().size() < 20, qPrintable(QString("shown %1, view height %2, line %3").arg(chart.barsShown()).arg(chart.findChild<QChartView*>()->height()).arg(line)));
        QCOMPARE(chart.barKeys().size(), chart.barsShown());
        // Each shown category gets at least two text lines of the view's height.
        QVERIFY(chart.barKeys().size() * 2 * line <= chart.findChild<QChartView*>()->height());
        chart.resize(800, 2000);
        QTRY_COMPARE(chart.barKeys().size(), 20);
    }

    // Each configuration's standing in the answer has its own mark: the best
    // ★, the recommendation ✓, tied ≈, slower ✗ (greyed); the answer's
    // figure and interval lead the title, its reasons the tooltips.
    void answerStatesMarkBars() {
        ResultsTableModel model;
        ResultSet rs;
        std::vector<ConfigKey> keys;
        for (int q : {4, 8, 16}) {
            ConfigKey k;
            k.aio.queue_depth = q;
            keys.push_back(k);
            rs.add(k, sample(IoOp::Read, q / 4.0));
            rs.add(k, sample(IoOp::Write, 1.0));
        }
        Answer answer;
        answer.found = true;
        answer.strategy = "adaptive"; // a search greys what it showed slower
        answer.best = keys[2];
        answer.recommended = keys[2]; // nothing cheaper
        answer.bestGiBps = 5.0;
        answer.interval = AnswerInterval{4.5, 5.5};
        answer.bestVisits = 1;
        answer.tied = {keys[1]};
        answer.configs = {{keys[2], ConfigState::Best, 1, 5.0, std::nullopt, "the highest estimate"},
                          {keys[1], ConfigState::Tied, 1, 3.0, 0.01, "tied reason"},
                          {keys[0], ConfigState::Eliminated, 1, 2.0, -0.3, "slower reason; left the search's race"}};
        answer.samplesDigest = samplesDigest(rs);
        rs.answer = answer;
        model.setResults(rs);
        ThroughputChart chart;
        chart.setModel(&model);
        chart.refresh();
        // Bars bottom to top: q4 (slower), q8 (tied), q16 (best).
        QCOMPARE(chart.barKeys(), (QList<ConfigKey>{keys[0], keys[1], keys[2]}));
        QVERIFY(categories(chart).at(0).startsWith(QString::fromUtf8("✗ ")));
        QVERIFY2(categories(chart).at(1).startsWith(QString::fromUtf8("≈ ")), qPrintable(categories(chart).at(1)));
        QVERIFY(categories(chart).at(2).startsWith(QString::fromUtf8("★ ")));
        const auto sets = chart.barSeries()->barSets();
        QVERIFY(sets[0]->isBarSelected(0) && sets[1]->isBarSelected(0));
        QVERIFY(!sets[0]->isBarSelected(1) && !sets[1]->isBarSelected(2));
        QVERIFY(sets[0]->selectedColor() != sets[0]->color());
        QVERIFY(chart.barToolTip(0).contains("slower reason"));
        QVERIFY(chart.barToolTip(1).contains("tied reason"));
        QVERIFY(chart.titleText().contains("5.00"));
        QVERIFY(chart.titleText().contains("4.50"));
        QVERIFY(chart.subtitleText().contains("tied with the best"));
        QCOMPARE(chart.barLabels().first(), categories(chart).at(2));
        // The answer's recommendation gets the tick.
        answer.recommended = keys[1];
        model.setStoredAnswer(answer);
        chart.refresh();
        QVERIFY2(categories(chart).at(1).startsWith(QString::fromUtf8("✓ ")), qPrintable(categories(chart).at(1)));
    }

    void savePng_data() {
        QTest::addColumn<bool>("heatmap");
        QTest::addColumn<bool>("dark");
        QTest::addRow("bars, light") << false << false;
        QTest::addRow("bars, dark") << false << true;
        QTest::addRow("heatmap, light") << true << false;
        QTest::addRow("heatmap, dark") << true << true;
    }
    void savePng() {
        QFETCH(bool, heatmap);
        QFETCH(bool, dark);
        ResultsTableModel model;
        model.setResults(loadFixture("ds-0.15-sweep"));
        ThroughputChart chart;
        if (dark) {
            QPalette p = chart.palette();
            p.setColor(QPalette::Window, QColor(0x2b, 0x2b, 0x2b));
            p.setColor(QPalette::Base, QColor(0x1e, 0x1e, 0x1e));
            p.setColor(QPalette::AlternateBase, QColor(0x33, 0x33, 0x33));
            p.setColor(QPalette::Text, QColor(0xe0, 0xe0, 0xe0));
            p.setColor(QPalette::WindowText, QColor(0xe0, 0xe0, 0xe0));
            p.setColor(QPalette::ButtonText, QColor(0xe0, 0xe0, 0xe0));
            p.setColor(QPalette::Button, QColor(0x3a, 0x3a, 0x3a));
            chart.setPalette(p);
        }
        QCOMPARE(chart.darkTheme(), dark);
        chart.setModel(&model);
        chart.setMode(heatmap ? ThroughputChart::Mode::Heatmap : ThroughputChart::Mode::Bars);
        chart.selectConfig(chart.barKeys().at(12));
        chart.resize(900, 620);

        QTemporaryDir tmp;
        const QString path = screenshotPath(
            tmp, QString("chart-%1-%2").arg(heatmap ? "heatmap" : "bars", dark ? "dark" : "light"));
        QVERIFY(chart.savePng(path));
        QVERIFY(QFileInfo(path).size() > 1000);
        QImage image(path);
        QVERIFY(!image.isNull());
        // The chart alone, a margin either side; title above it.
        QCOMPARE(image.width(), chart.width() + 32);
        QVERIFY(image.height() > 400);
        QVERIFY(distinctColors(image) > 20);
        QVERIFY(!chart.savePng(tmp.path() + "/no-such-folder/chart.png"));
    }

    // Saved charts: no combo box, the title and the caption drawn; PNG and SVG.
    void saveImageWithCaption_data() {
        QTest::addColumn<QString>("suffix");
        QTest::addRow("png") << "png";
        QTest::addRow("svg") << "svg";
    }
    void saveImageWithCaption() {
        QFETCH(QString, suffix);
        ResultsTableModel model;
        model.setResults(loadFixture("ds-0.15-sweep"));
        ThroughputChart chart;
        chart.setModel(&model);
        chart.setMaxBars(5);
        chart.resize(900, 620);
        QTemporaryDir tmp;
        const QString path = tmp.filePath("chart." + suffix);
        const QStringList caption{"Machine: testhost (x86_64, 8 CPUs)", "Drives: nvme0n1 (Test SSD)"};
        QVERIFY(chart.saveImage(path, caption));
        if (suffix == "svg") {
            QFile f(path);
            QVERIFY(f.open(QIODevice::ReadOnly));
            const QString svg = QString::fromUtf8(f.readAll());
            QVERIFY(svg.startsWith("<?xml") || svg.contains("<svg"));
            QVERIFY(svg.contains("Machine: testhost"));
            QVERIFY(svg.contains("Drives: nvme0n1 (Test SSD)"));
            QVERIFY(svg.contains("Top 5 of 16"));
            QVERIFY(!svg.contains(">Bars<")); // the mode combo is not drawn
            QVERIFY(svg.contains(">Read<") && svg.contains(">Combined<")); // the legend is
        } else {
            QImage image(path);
            QVERIFY(!image.isNull());
            QImage plain;
            QVERIFY(chart.saveImage(tmp.filePath("plain.png")));
            plain.load(tmp.filePath("plain.png"));
            // Two caption lines make the image taller by at least two text lines.
            QVERIFY(image.height() >= plain.height() + 2 * chart.fontMetrics().height());
            QCOMPARE(image.width(), plain.width());
        }
        QVERIFY(!chart.saveImage(tmp.path() + "/no-such-folder/chart." + suffix, caption));
    }

    // A saved heatmap says which filters made it, drops what only hovering
    // does, and its SVG asks for a sans family browsers know.
    void savedHeatmapNamesItsFilters() {
        ResultsTableModel model;
        model.setResults(loadFixture("ds-0.15-sweep"));
        ThroughputChart chart;
        chart.setModel(&model);
        chart.resize(900, 620);
        chart.setMode(ThroughputChart::Mode::Heatmap);
        chart.setHeatmapThreads(8);
        QVERIFY(chart.subtitleText().contains("Hover a cell")); // on screen, hovering works
        QCOMPARE(chart.heatmapFilterText(), QString("Threads = 8"));
        chart.setHeatmapOverlap(0);
        QCOMPARE(chart.heatmapFilterText(), QString("Threads = 8, Overlap = sequential"));
        QTemporaryDir tmp;
        const QString path = tmp.filePath("heatmap.svg");
        QVERIFY(chart.saveImage(path, {"Machine: testhost"}));
        QFile f(path);
        QVERIFY(f.open(QIODevice::ReadOnly));
        const QString svg = QString::fromUtf8(f.readAll());
        QVERIFY2(svg.contains("Threads = 8, Overlap = sequential"), "the filters are drawn");
        QVERIFY(!svg.contains("Hover a cell"));
        QVERIFY(svg.contains("Machine: testhost"));
        QVERIFY(svg.contains(QStringLiteral("font-family=\"%1\"").arg(kSvgFontFamily)));
        QVERIFY(!svg.contains("font-family=\"Sans Serif\""));
        // Best of any: said so, rather than nothing.
        chart.setHeatmapThreads(-1);
        chart.setHeatmapOverlap(-1);
        QVERIFY(chart.savedSubtitleText().contains("Filters: none"));
        chart.setMode(ThroughputChart::Mode::Bars);
        QVERIFY(chart.heatmapFilterText().isEmpty());
    }

    // Differences inside the answer's interval look like noise: the scale
    // spans at least the noise band below the top.
    void heatmapScaleSpansTheNoise() {
        HeatmapWidget map;
        map.setAxes({"128K", "1M"}, "Block size", {"8"}, "Queue depth");
        HeatmapWidget::Cell a, b;
        a.column = 0;
        a.value = 3.90;
        b.column = 1;
        b.value = 4.00;
        map.setCells({a, b}, "GiB/s");
        // Without a noise band: min to max, 0.1 GiB/s apart spans the whole ramp.
        QCOMPARE(map.scaleMin(), 3.90);
        const QColor bottom = map.colorFor(3.90), top = map.colorFor(4.00);
        map.setNoiseBand(1.0);
        QCOMPARE(map.scaleMin(), 3.00);
        QCOMPARE(map.colorFor(4.00), top); // the top stays the top
        QVERIFY(map.colorFor(3.90) != bottom);
        // 0.1 of a 1.0 band: within a tenth of the ramp of the top colour.
        const auto distance = [](const QColor& x, const QColor& y) {
            return std::abs(x.redF() - y.redF()) + std::abs(x.greenF() - y.greenF()) + std::abs(x.blueF() - y.blueF());
        };
        QVERIFY(distance(map.colorFor(3.90), top) < distance(bottom, top) / 4);
        // A band narrower than the spread changes nothing.
        map.setNoiseBand(0.05);
        QCOMPARE(map.colorFor(3.90), bottom);
    }

    // The chart gives the heatmap the answer's interval as its noise band.
    void heatmapNoiseFromTheAnswer() {
        ResultsTableModel model;
        model.setResults(loadFixture("ds-0.15-sweep"));
        ThroughputChart chart;
        chart.setModel(&model);
        chart.setMode(ThroughputChart::Mode::Heatmap);
        const Answer& answer = model.recommendation().answer;
        QVERIFY(answer.found);
        const double want = answer.interval ? answer.interval->high - answer.interval->low
                            : answer.noise ? 2.0 * *answer.noise * answer.bestGiBps
                                           : 0.0;
        QCOMPARE(chart.heatmap()->noiseBand(), want);
    }

    // The legend reads as the bars of one configuration read, top to bottom,
    // with the best's colour first.
    void legendOrderMatchesBars() {
        ResultsTableModel model;
        model.setResults(loadFixture("ds-0.15-sweep"));
        ThroughputChart chart;
        chart.setModel(&model);
        QStringList barsTopDown;
        const auto sets = chart.barSeries()->barSets();
        for (auto it = sets.rbegin(); it != sets.rend(); ++it)
            barsTopDown << (*it)->label();
        QCOMPARE(barsTopDown, (QStringList{"Combined", "Write", "Read"}));
        QCOMPARE(chart.legendLabels(),
                 (QStringList{QString::fromUtf8("★ Best (combined)"), "Combined", "Write", "Read"}));
        // No best yet: no best entry in the legend.
        model.clear();
        chart.refresh();
        QCOMPARE(chart.legendLabels(), (QStringList{"Combined", "Write", "Read"}));
    }

    // Resting the mouse on a bar shows its figures (the scene used to hide them).
    void barTooltip() {
        ResultsTableModel model;
        model.setResults(loadFixture("ds-0.15-sweep"));
        ThroughputChart chart;
        chart.setModel(&model);
        chart.resize(900, 600);
        chart.show();
        QVERIFY(QTest::qWaitForWindowExposed(&chart));
        const int top = chart.barKeys().size() - 1;
        QVERIFY2(chart.barToolTip(top).startsWith("best: the highest estimate"), qPrintable(chart.barToolTip(top)));
        QVERIFY(chart.barToolTip(top).contains("1M, qd 32, 8 threads, block, overlap"));
        QVERIFY(chart.barToolTip(top + 1).isEmpty());
        QChartView* view = chart.findChild<QChartView*>();
        emit chart.barSeries()->hovered(true, top, chart.barSeries()->barSets().at(2));
        QHelpEvent help(QEvent::ToolTip, QPoint(100, 100), view->viewport()->mapToGlobal(QPoint(100, 100)));
        QVERIFY(QCoreApplication::sendEvent(view->viewport(), &help));
        QTRY_VERIFY(QToolTip::isVisible());
        QCOMPARE(QToolTip::text(), chart.barToolTip(top));
        emit chart.barSeries()->hovered(false, top, chart.barSeries()->barSets().at(2));
        QTRY_VERIFY(!QToolTip::isVisible());
    }

    // The title names the best even when long; the labels are explained.
    void titleAndLabelsExplained() {
        ResultsTableModel model;
        model.setResults(loadFixture("ds-0.15-sweep"));
        ThroughputChart chart;
        chart.setModel(&model);
        chart.resize(420, 400); // narrow: nothing is elided, the text wraps
        // The answer's figure (answerFor), as every view shows it.
        const QString best = QString::fromUtf8("Best: 1M, qd 32, 8 threads, block, overlap — %1")
                                 .arg(resultformat::answerFigure(model.recommendation().answer));
        QCOMPARE(chart.titleText(), best);
        auto* title = chart.findChild<QLabel*>("chartTitle");
        QVERIFY(title && title->wordWrap()); // wraps, never elides
        QVERIFY(chart.chart()->title().isEmpty()); // QChart would elide it
        for (const char* word : {"q queue depth", "p threads", "ov overlapped", "seq sequential",
                                 "f2 two folders", "ss single submit"})
            QVERIFY2(chart.subtitleText().contains(word), word);
    }
};

QTEST_MAIN(TestThroughputChart)
#include "test_throughput_chart.moc"
