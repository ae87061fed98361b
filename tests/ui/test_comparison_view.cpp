// The Compare tab's own pickers (current results, recent folders, browsed
// ones), its delta note, and the configuration frozen as the row header.
#include "results/comparison_model.h"
#include "results/comparison_view.h"

#include "engine/measurement_profile.h"
#include "fixture_results.h"

#include <QComboBox>
#include <QHeaderView>
#include <QLabel>
#include <QPushButton>
#include <QSignalSpy>
#include <QTableView>
#include <QTest>

class TestComparisonView : public QObject {
    Q_OBJECT
  private slots:
    void pickers() {
        ComparisonView view;
        view.setSources(true, {"/logs/sweep-1", "/logs/sweep-2"});
        QCOMPARE(view.pickerA()->count(), 3);
        QCOMPARE(view.pickerA()->itemText(0), QString("Current results"));
        QCOMPARE(view.pickerA()->itemText(1), QString("sweep-1"));
        // By default: the current results against the latest other folder.
        QCOMPARE(view.pickedA(), QString());
        QCOMPARE(view.pickedB(), QString("/logs/sweep-1"));
        QVERIFY(view.compareButton()->isEnabled());
        QSignalSpy requested(&view, &ComparisonView::compareRequested);
        view.compareButton()->click();
        QCOMPARE(requested.count(), 1);
        QCOMPARE(requested.at(0).at(0).toString(), QString());
        QCOMPARE(requested.at(0).at(1).toString(), QString("/logs/sweep-1"));

        // The same source on both sides cannot be compared.
        view.setPicked("/logs/sweep-2", "/logs/sweep-2");
        QVERIFY(!view.compareButton()->isEnabled());

        // Browsing adds the folder and picks it; it survives a refresh of the sources.
        view.setFolderChooser([] { return QString("/elsewhere/other-run"); });
        const auto buttons = view.findChildren<QPushButton*>();
        QPushButton* browseB = nullptr;
        for (QPushButton* b : buttons)
            if (b->text() == "Browse…") browseB = b; // the second one is B's
        QVERIFY(browseB);
        browseB->click();
        QCOMPARE(view.pickedB(), QString("/elsewhere/other-run"));
        view.setSources(false, {"/logs/sweep-1"});
        QCOMPARE(view.pickerB()->findData("/elsewhere/other-run") >= 0, true);
        QCOMPARE(view.pickerA()->findData(QString()), -1); // no current results to offer
        QCOMPARE(view.pickedB(), QString("/elsewhere/other-run"));
    }

    void deltaExplainedAndConfigurationFrozen() {
        ComparisonView view;
        bool noted = false;
        for (QLabel* l : view.findChildren<QLabel*>())
            noted = noted || l->text().contains(QString::fromUtf8("Δ = B − A"));
        QVERIFY(noted);
        view.setBaseline(fixtures::loadFixture("ds-0.15-sweep"), "a");
        view.setOther(fixtures::loadFixture("ds-0.4-sweep"), "b");
        QTableView* table = view.table();
        QVERIFY(table->isColumnHidden(ComparisonModel::ConfigColumn));
        QVERIFY(!table->verticalHeader()->isHidden());
        // Each row's header names its configuration, through the sorting proxy.
        QCOMPARE(table->model()->rowCount(), 16);
        for (int r = 0; r < table->model()->rowCount(); ++r)
            QCOMPARE(table->model()->headerData(r, Qt::Vertical).toString(),
                     table->model()->index(r, ComparisonModel::ConfigColumn).data().toString());
        QVERIFY(table->model()->headerData(ComparisonModel::DeltaColumn, Qt::Horizontal)
                    .toString()
                    .contains(QString::fromUtf8("B − A")));
    }

    // A what-if 128M recording against DeepSpeed's own logs: the verdict is
    // not shown without the warning that names why the figures differ.
    void warnsWhenNotMeasuredAlike() {
        ComparisonView view;
        view.resize(900, 500);
        auto whatIf = fixtures::loadFixture("ds-0.15-sweep");
        whatIf.engine = "io_uring";
        whatIf.profile = aiotune::MeasurementProfile::hugePageWhatIf();
        whatIf.meta = {{"spec", {{"io_size", "128M"}}}, {"system", {{"host", "node1"}}}};
        view.setBaseline(whatIf, "what-if");
        view.setOther(fixtures::loadFixture("ds-0.15-sweep"), "deepspeed");
        QLabel* warning = view.warningLabel();
        QVERIFY(!warning->isHidden());
        QVERIFY2(warning->text().contains("measurement profile differs"), qPrintable(warning->text()));
        QVERIFY(warning->text().contains("I/O size differs (A: 128M"));
        QVERIFY(warning->text().contains("engine differs (A: io_uring, B: deepspeed)"));
        QVERIFY(warning->text().contains("machine differs"));
        // The same rule as core's, word for word.
        QCOMPARE(warning->text(), QString::fromUtf8("⚠ ") + QString::fromStdString(
                                      aiotune::compareSweeps(whatIf, fixtures::loadFixture("ds-0.15-sweep"))
                                          .explanation()));

        // A folder picked from elsewhere (File > Compare) is named by the picker.
        view.setSources(true, {});
        view.setPicked(QString(), "/elsewhere/whatif-16M");
        QCOMPARE(view.pickerB()->currentText(), QString("whatif-16M"));
        QCOMPARE(view.pickedB(), QString("/elsewhere/whatif-16M"));

        // Alike sides: no warning.
        view.setOther(whatIf, "again");
        QVERIFY(warning->isHidden());
        QVERIFY(view.model()->comparability().comparable());
    }
};

QTEST_MAIN(TestComparisonView)
#include "test_comparison_view.moc"
