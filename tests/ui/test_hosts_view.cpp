// The hosts view over the fleet fixture (tests/fixtures/fleet/README.md): the
// nodes x configurations heatmap with the pick starred, the node ranking at
// the pick with the outlier flagged, export of the fleet pick, loading off
// the UI thread, and the window opening it for a folder of host folders.
#include "fleet/fleet_ranking_model.h"
#include "fleet/hosts_view.h"
#include "main_window.h"
#include "results/best_config_panel.h"
#include "results/heatmap_widget.h"

#include <QAbstractItemModelTester>
#include <QFile>
#include <QSignalSpy>
#include <QSortFilterProxyModel>
#include <QTableView>
#include <QTemporaryDir>
#include <QTest>

#include <nlohmann/json.hpp>

#include <cmath>
#include <filesystem>

namespace {
const QString kFleet = QStringLiteral(AIOTUNE_TEST_FIXTURES "/fleet/basic");

aiotune::FleetAnalysis fixtureAnalysis() {
    auto fleet = aiotune::fleetAnalysisFor(kFleet.toStdString());
    return std::move(fleet.value());
}
} // namespace

class TestHostsView : public QObject {
    Q_OBJECT
  private slots:
    void heatmapIsNodesByConfigurations() {
        HostsView view;
        view.setAnalysis(fixtureAnalysis(), kFleet);
        const HeatmapWidget* map = view.heatmap();
        QCOMPARE(map->rowLabels(), (QStringList{"node1", "node2", "node3", "node4", "node5"}));
        QCOMPARE(map->columnLabels(), (QStringList{"1M qd8", "1M qd32", "8M qd8", "8M qd32"}));
        QCOMPARE(map->cells().size(), 4 + 4 + 4 + 2); // node4 lacks two, node5 is damaged
        bool found = false;
        for (const auto& c : map->cells())
            if (c.row == 2 && c.column == 2) { // node3 at the pick
                QVERIFY(std::abs(c.value - 4.6) < 1e-9);
                QVERIFY2(c.tooltip.contains("node3") && c.tooltip.contains("4.60 GiB/s"), qPrintable(c.tooltip));
                found = true;
            }
        QVERIFY(found);
        // The slow node is darker than a healthy one at the pick.
        QVERIFY(map->colorFor(4.6) != map->colorFor(6.5));
        QVERIFY(view.summaryText().contains("worst node node3 at 4.60 GiB/s"));
        QVERIFY(view.summaryText().contains("Outliers: node3 (1.85 GiB/s, 28.7% below)"));
    }

    void rankingAtThePick_data() {
        QTest::addColumn<int>("row");
        QTest::addColumn<QString>("host");
        QTest::addColumn<QString>("atPick");
        QTest::addColumn<QString>("loss");
        QTest::addColumn<bool>("outlier");
        QTest::addRow("first") << 0 << "node4" << "6.60" << "0.0%" << false;
        QTest::addRow("second") << 1 << "node1" << "6.50" << "7.1%" << false;
        QTest::addRow("third") << 2 << "node2" << "6.40" << "5.9%" << false;
        QTest::addRow("slow") << 3 << "node3" << "4.60" << "0.0%" << true;
        QTest::addRow("damaged") << 4 << "node5" << "–" << "–" << false;
    }
    void rankingAtThePick() {
        QFETCH(int, row);
        QFETCH(QString, host);
        QFETCH(QString, atPick);
        QFETCH(QString, loss);
        QFETCH(bool, outlier);
        HostsView view;
        QAbstractItemModelTester tester(view.rankingModel(), QAbstractItemModelTester::FailureReportingMode::QtTest);
        view.setAnalysis(fixtureAnalysis(), kFleet);
        const QAbstractItemModel* m = view.rankingTable()->model(); // as shown: sorted by rank
        QCOMPARE(m->rowCount(), 5);
        QCOMPARE(m->index(row, FleetRankingModel::HostColumn).data().toString(), host);
        QCOMPARE(m->index(row, FleetRankingModel::AtPickColumn).data().toString(), atPick);
        QCOMPARE(m->index(row, FleetRankingModel::LossColumn).data().toString(), loss);
        const QString note = m->index(row, FleetRankingModel::NoteColumn).data().toString();
        QCOMPARE(note.contains("outlier: 1.85 GiB/s (28.7%) below the median"), outlier);
        if (host == "node5") QVERIFY2(note.contains("left out"), qPrintable(note));
        if (host == "node4") QVERIFY2(note.contains("2 configuration(s) missing"), qPrintable(note));
    }

    void exportsTheFleetPick() {
        HostsView view;
        view.setAnalysis(fixtureAnalysis(), kFleet);
        QTemporaryDir tmp;
        const QString path = tmp.filePath("fleet-aio.json");
        view.pickPanel()->setExportPathChooser([path](QWidget*) { return path; });
        // node5 has no answer of its own: the fleet answer is partial and says so before writing.
        QString asked;
        view.pickPanel()->setPartialConfirmer([&asked](QWidget*, const QString& why) {
            asked = why;
            return true;
        });
        QVERIFY(view.pickPanel()->exportJson());
        QVERIFY2(asked.contains("node5"), qPrintable(asked));
        QFile f(path);
        QVERIFY(f.open(QIODevice::ReadOnly));
        const auto j = nlohmann::json::parse(f.readAll().toStdString());
        QCOMPARE(j.at("aio").at("block_size").get<int>(), 8 << 20);
        QCOMPARE(j.at("aio").at("queue_depth").get<int>(), 8);
        QVERIFY(j.at("aio").at("overlap_events").is_boolean());
        const auto rec = aiotune::fleetRecommendation(view.analysis());
        QVERIFY(qFuzzyCompare(*rec.best->combinedGiBps, 4.6)); // the worst node's figures
        QCOMPARE(rec.answer.strategy, std::string("fleet"));
    }

    // The panel and the summary show core's fleet answer (fleet_answer.h), the
    // one analyze, export and report give: its figure, counts and words.
    void showsTheCoreFleetAnswer() {
        HostsView view;
        view.setAnalysis(fixtureAnalysis(), kFleet);
        const aiotune::FleetAnswer& core = view.analysis().answer;
        QVERIFY(core.found);
        const aiotune::Answer& shown = view.pickPanel()->recommendation().answer;
        QCOMPARE(shown.best, core.best);
        QCOMPARE(shown.recommended, core.recommended);
        QCOMPARE(shown.bestGiBps, core.bestGiBps);
        QCOMPARE(shown.partial, core.partial);
        QCOMPARE(view.pickPanel()->chosenConfig(), std::optional(core.pick(false).aio));
        const QString summary = view.summaryText();
        QVERIFY2(summary.contains(QString::fromStdString(core.countsText())), qPrintable(summary));
        QVERIFY2(summary.contains(QStringLiteral("%1 GiB/s").arg(core.bestGiBps, 0, 'f', 2)), qPrintable(summary));
        QVERIFY2(view.pickPanel()->answerText().contains("fleet rule"), qPrintable(view.pickPanel()->answerText()));
        // A stored fleet.json is what the view shows while the samples are unchanged.
        QTemporaryDir tmp;
        const std::filesystem::path root = tmp.path().toStdString();
        std::filesystem::copy(kFleet.toStdString(), root, std::filesystem::copy_options::recursive);
        aiotune::FleetAnswer stored = core;
        stored.decidedBy = "the stored answer";
        QVERIFY(aiotune::writeFleetFile(root, stored).ok());
        QSignalSpy loaded(&view, &HostsView::loaded);
        view.openFolder(tmp.path());
        QTRY_COMPARE_WITH_TIMEOUT(loaded.count(), 1, 10000);
        QCOMPARE(view.analysis().answer.decidedBy, std::string("the stored answer"));
        QVERIFY(view.pickPanel()->answerText().contains("the stored answer"));
        // A node where the answer is only the search's estimate says so in its row and the summary.
        aiotune::FleetAnalysis estimated = fixtureAnalysis();
        estimated.answer.bestEstimatedOn = {"node2"};
        view.setAnalysis(estimated, kFleet);
        const QAbstractItemModel* m = view.rankingTable()->model();
        for (int row = 0; row < m->rowCount(); ++row) {
            const QString note = m->index(row, FleetRankingModel::NoteColumn).data().toString();
            const bool node2 = m->index(row, FleetRankingModel::HostColumn).data().toString() == "node2";
            QCOMPARE(note.contains("estimated by its search"), node2);
        }
        QVERIFY(view.summaryText().contains("Estimated, not measured, on node2."));
    }

    void loadsOffTheUiThread() {
        HostsView view;
        QSignalSpy loaded(&view, &HostsView::loaded);
        QSignalSpy failed(&view, &HostsView::loadFailed);
        view.openFolder(kFleet);
        QTRY_COMPARE_WITH_TIMEOUT(loaded.count(), 1, 10000);
        QCOMPARE(view.analysis().worstHost, std::string("node3"));
        view.openFolder(kFleet + "/notes");
        QTRY_COMPARE_WITH_TIMEOUT(failed.count(), 1, 10000);
        QVERIFY(failed.at(0).at(1).toString().contains("holds no host folder"));
    }

    void emptyAndPicklessFleets() {
        HostsView view;
        QVERIFY(view.summaryText().contains("No fleet open"));
        QVERIFY(!view.pickPanel()->hasResult());
        aiotune::FleetAnalysis none;
        none.hosts.push_back({});
        none.hosts.back().host = "a";
        none.message = "No configuration was measured both ways on every host";
        none.answer.message = none.message;
        view.setAnalysis(none);
        QVERIFY(view.summaryText().contains("No configuration was measured both ways on every host"));
        QVERIFY(!view.pickPanel()->hasResult());
    }

    void windowOpensHostsView() {
        QTemporaryDir home;
        MainWindowOptions o;
        o.settingsPath = home.filePath("settings.ini");
        o.scratchFolder = home.path();
        o.logRoot = home.filePath("logs");
        o.discovery.sysRoot = home.filePath("nosys").toStdString();
        o.discovery.procRoot = home.filePath("noproc").toStdString();
        MainWindow w(o);
        w.openFolder(kFleet);
        HostsView* view = w.findChild<HostsView*>();
        QVERIFY(view);
        QVERIFY(view->isWindow());
        QTRY_COMPARE_WITH_TIMEOUT(view->analysis().hosts.size(), std::size_t(5), 10000);
        QVERIFY(view->analysis().pick.has_value());
        QVERIFY(!w.isLoading()); // the window's own results are untouched
        // Compare with a fleet folder shows the hosts view too.
        w.compareWithFolder(kFleet);
        QCOMPARE(w.findChildren<HostsView*>().size(), 2);
    }
};

QTEST_MAIN(TestHostsView)
#include "test_hosts_view.moc"
