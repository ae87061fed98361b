// The window on a 1280x720 screen (offscreen platform, screen set by a config
// file before the application starts): every button and the status bar lie on
// the screen for a fresh and a restored session, the throughput figures show
// without scrolling, switching the chart to Heatmap moves no panel, the Best
// configuration dock can be hidden and stays narrow, nothing overlaps down to
// 1024x640.
#include "main_window.h"
#include "../tools/window_fixtures.h"
#include "panels/drives_panel.h"
#include "results/results_table_model.h"
#include "results/throughput_chart.h"

#include <QAbstractButton>
#include <QAction>
#include <QApplication>
#include <QComboBox>
#include <QDockWidget>
#include <QFile>
#include <QHeaderView>
#include <QLabel>
#include <QPlainTextEdit>
#include <QScrollArea>
#include <QScreen>
#include <QSignalSpy>
#include <QSplitter>
#include <QStatusBar>
#include <QTabWidget>
#include <QTableView>
#include <QTableWidget>
#include <QTemporaryDir>
#include <QTextBrowser>
#include <QTest>

#include <memory>

namespace {
const QString kFixtures = QStringLiteral(AIOTUNE_TEST_FIXTURES);

using aiotune::testing::fixtureDrives;

QRect globalRect(const QWidget* w) {
    return QRect(w->mapToGlobal(QPoint(0, 0)), w->size());
}
} // namespace

class TestWindowFit : public QObject {
    Q_OBJECT
    QTemporaryDir m_home;
    int m_windows = 0;

    std::unique_ptr<MainWindow> makeWindow(const QString& ini) {
        MainWindowOptions o;
        const QString dir = m_home.filePath(QString::number(++m_windows));
        QDir().mkpath(dir + "/scratch");
        o.settingsPath = ini;
        o.discovery = fixtureDrives();
        o.scratchFolder = dir + "/scratch";
        o.logRoot = dir + "/logs";
        return std::make_unique<MainWindow>(o);
    }
    static void showAndSettle(MainWindow* w) {
        w->show();
        QVERIFY(QTest::qWaitForWindowExposed(w));
        QTRY_VERIFY_WITH_TIMEOUT(!w->drivesPanel()->isRefreshing(), 5000);
        QTest::qWait(50); // the dock's deferred resize
    }
    static void open(MainWindow* w, const QString& folder) {
        QSignalSpy loaded(w, &MainWindow::folderLoaded);
        w->openFolder(folder);
        QTRY_COMPARE_WITH_TIMEOUT(loaded.count(), 1, 10000);
        QCoreApplication::processEvents();
    }
    // Every visible button (Start, Cancel, Copy, Export, Merge, Compare...) and the status bar.
    static void verifyAllOnScreen(MainWindow* w) {
        const QRect screen = w->screen()->availableGeometry();
        QCOMPARE(screen.size(), QSize(1280, 720));
        QVERIFY2(screen.contains(w->frameGeometry()),
                 qPrintable(QStringLiteral("window %1,%2 %3x%4")
                                .arg(w->frameGeometry().x())
                                .arg(w->frameGeometry().y())
                                .arg(w->frameGeometry().width())
                                .arg(w->frameGeometry().height())));
        QVERIFY(screen.contains(globalRect(w->statusBar())));
        int checked = 0;
        for (QAbstractButton* b : w->findChildren<QAbstractButton*>()) {
            if (!b->isVisibleTo(w) || !b->isVisible()) continue;
            ++checked;
            QVERIFY2(screen.contains(globalRect(b)), qPrintable(b->text() + " " + b->objectName()));
        }
        QVERIFY(checked >= 6);
        for (const char* name : {"startButton", "cancelButton"})
            QVERIFY(w->findChild<QAbstractButton*>(name)->isVisible());
    }

  private slots:
    void initTestCase() { QVERIFY(m_home.isValid()); }

    void freshSessionFits() {
        auto w = makeWindow(m_home.filePath("fresh.ini"));
        showAndSettle(w.get());
        verifyAllOnScreen(w.get());
        open(w.get(), kFixtures + "/deepspeed/ds-0.15-sweep");
        verifyAllOnScreen(w.get());
    }

    void restoredSessionFits_data() {
        QTest::addColumn<QSize>("savedSize");
        QTest::addColumn<bool>("restored");
        QTest::addRow("saved on a larger screen") << QSize(1440, 900) << false;
        QTest::addRow("saved on this screen") << QSize(1000, 600) << true;
    }
    void restoredSessionFits() {
        QFETCH(QSize, savedSize);
        QFETCH(bool, restored);
        const QString ini = m_home.filePath(QStringLiteral("restored-%1.ini").arg(savedSize.width()));
        {
            auto w = makeWindow(ini);
            showAndSettle(w.get());
            w->setGeometry(QRect(QPoint(20, 20), savedSize));
            QVERIFY(w->close()); // saves the geometry
        }
        auto w = makeWindow(ini);
        showAndSettle(w.get());
        QCOMPARE(w->size() == savedSize, restored);
        verifyAllOnScreen(w.get());
    }

    void figuresShowWithoutScrolling() {
        auto w = makeWindow(m_home.filePath("figures.ini"));
        showAndSettle(w.get());
        open(w.get(), kFixtures + "/deepspeed/ds-0.15-sweep");
        w->tabs()->setCurrentIndex(MainWindow::TableTab);
        QCoreApplication::processEvents();
        QTableView* table = w->tableView();
        const QRect viewport = table->viewport()->rect();
        for (int column : {ResultsTableModel::CombinedColumn, ResultsTableModel::ReadColumn,
                           ResultsTableModel::WriteColumn}) {
            const int x = table->columnViewportPosition(column);
            const int width = table->columnWidth(column);
            QVERIFY2(x >= 0 && x + width <= viewport.width(),
                     qPrintable(QStringLiteral("column %1 at %2+%3 in %4")
                                    .arg(column)
                                    .arg(x)
                                    .arg(width)
                                    .arg(viewport.width())));
        }
    }

    void heatmapMovesNoPanel() {
        auto w = makeWindow(m_home.filePath("heatmap.ini"));
        showAndSettle(w.get());
        open(w.get(), kFixtures + "/deepspeed/ds-0.15-sweep");
        auto* split = w->findChild<QSplitter*>("mainSplitter");
        auto* drives = w->drivesPanel()->findChild<QTableWidget*>();
        QVERIFY(drives);
        const QList<int> sizes = split->sizes();
        const int folderColumn = drives->columnWidth(0);
        auto* dock = w->findChild<QDockWidget*>("bestDock");
        const QRect dockRect = dock->geometry();
        w->chart()->setMode(ThroughputChart::Mode::Heatmap);
        QTest::qWait(50);
        QCOMPARE(split->sizes(), sizes);
        QCOMPARE(drives->columnWidth(0), folderColumn);
        QCOMPARE(dock->geometry(), dockRect);
        // The filters are not squeezed below their text ("Threa [8]").
        for (QComboBox* combo : w->chart()->findChildren<QComboBox*>())
            if (combo->isVisible()) QVERIFY(combo->width() >= combo->minimumSizeHint().width());
        w->chart()->setMode(ThroughputChart::Mode::Bars);
        QTest::qWait(50);
        QCOMPARE(split->sizes(), sizes);
    }

    void bestDockHidesAndStaysNarrow() {
        auto w = makeWindow(m_home.filePath("dock.ini"));
        showAndSettle(w.get());
        auto* dock = w->findChild<QDockWidget*>("bestDock");
        QVERIFY(dock->isVisible());
        QVERIFY2(dock->width() * 4 <= w->width() + 8,
                 qPrintable(QStringLiteral("dock %1 of %2").arg(dock->width()).arg(w->width())));
        QAction* toggle = dock->toggleViewAction();
        QVERIFY(toggle->isEnabled());
        toggle->trigger();
        QVERIFY(!dock->isVisible());
        toggle->trigger();
        QVERIFY(dock->isVisible());
    }

    // A long recommendation and confidence (a 64-configuration sweep with a
    // near tie) on a 720-pixel screen: each wrapped sentence gets the height its
    // width needs (the panel scrolls instead), and nothing overlaps the JSON.
    void bestPanelCutsNoText() {
        auto w = makeWindow(m_home.filePath("best.ini"));
        showAndSettle(w.get());
        open(w.get(), kFixtures + "/sweeps/dev-disk-64x5");
        QTest::qWait(50);
        auto* dock = w->findChild<QDockWidget*>("bestDock");
        int wrapped = 0;
        for (QLabel* l : dock->findChildren<QLabel*>()) {
            if (!l->isVisible() || !l->wordWrap() || l->text().isEmpty()) continue;
            ++wrapped;
            QVERIFY2(l->height() >= l->heightForWidth(l->width()),
                     qPrintable(QStringLiteral("%1: %2 px for %3").arg(l->text().left(40)).arg(l->height())
                                    .arg(l->heightForWidth(l->width()))));
        }
        QVERIFY(wrapped >= 4);
        QList<QWidget*> bottom;
        for (QWidget* b : dock->findChildren<QAbstractButton*>())
            if (b->isVisible()) bottom << b;
        bottom << dock->findChild<QPlainTextEdit*>() << dock->findChild<QTextBrowser*>("answerDetails");
        for (int i = 0; i < bottom.size(); ++i) {
            QVERIFY(bottom[i] && bottom[i]->isVisible());
            QVERIFY(globalRect(dock).contains(globalRect(bottom[i])));
            for (int j = i + 1; j < bottom.size(); ++j)
                if (bottom[i]->parentWidget() != bottom[j] && bottom[j]->parentWidget() != bottom[i] &&
                    !bottom[i]->isAncestorOf(bottom[j]) && !bottom[j]->isAncestorOf(bottom[i]))
                    QVERIFY2(!globalRect(bottom[i]).intersects(globalRect(bottom[j])),
                             qPrintable(bottom[i]->objectName() + " / " + bottom[j]->objectName()));
        }
    }

    void nothingOverlapsAt1024x640() {
        auto w = makeWindow(m_home.filePath("small.ini"));
        showAndSettle(w.get());
        open(w.get(), kFixtures + "/deepspeed/ds-0.15-sweep");
        const QSize client(1024 - MainWindow::kFrameAllowance.width(),
                           640 - MainWindow::kFrameAllowance.height());
        QVERIFY2(w->minimumSizeHint().width() <= client.width() &&
                     w->minimumSizeHint().height() <= client.height(),
                 qPrintable(QStringLiteral("%1x%2; left %3, results %4, dock %5")
                                .arg(w->minimumSizeHint().width())
                                .arg(w->minimumSizeHint().height())
                                .arg(w->findChild<QSplitter*>("mainSplitter")->widget(0)->minimumSizeHint().width())
                                .arg(w->findChild<QSplitter*>("mainSplitter")->widget(1)->minimumSizeHint().width())
                                .arg(w->findChild<QDockWidget*>("bestDock")->minimumSizeHint().width())));
        w->resize(client);
        for (bool heatmap : {false, true}) {
            w->chart()->setMode(heatmap ? ThroughputChart::Mode::Heatmap
                                        : ThroughputChart::Mode::Bars);
            QTest::qWait(50);
            QCOMPARE(w->size(), client);
            auto* split = w->findChild<QSplitter*>("mainSplitter");
            const QWidget* left = split->widget(0);
            const QWidget* tabs = split->widget(1);
            const QWidget* dock = w->findChild<QDockWidget*>("bestDock");
            QVERIFY(!globalRect(left).intersects(globalRect(tabs)));
            QVERIFY(!globalRect(tabs).intersects(globalRect(dock)));
            QVERIFY(!globalRect(left).intersects(globalRect(dock)));
            // Each panel gets at least the room its content asks for.
            QVERIFY(left->width() >= left->minimumSizeHint().width());
            QVERIFY(tabs->width() >= tabs->minimumSizeHint().width());
            verifyAllOnScreen(w.get());
        }
    }
};

int main(int argc, char** argv) { return aiotune::testing::runOnScreen<TestWindowFit>(argc, argv, 1280, 720); }

#include "test_window_fit.moc"
