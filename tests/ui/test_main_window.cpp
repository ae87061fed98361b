// The window end to end, offscreen: opening DeepSpeed log folders through the
// File actions, Reload, Open Recent, Compare, the table's filter and copy, a
// real Quick-sized sweep started with the Start action, closing mid-sweep,
// and settings surviving a restart (on a temporary ini file).
#include "main/english_plurals.h"
#include "main_window.h"
#include "../tools/fault_env.h"
#include "../tools/window_fixtures.h"
#include "results/best_config_panel.h"
#include "panels/drives_panel.h"
#include "panels/log_pane.h"
#include "panels/message_bar.h"
#include "panels/ranges_panel.h"
#include "results/comparison_model.h"
#include "results/results_filter_proxy.h"
#include "results/results_table_model.h"
#include "results/result_format.h"
#include "results/throughput_chart.h"
#include "settings/app_settings.h"
#include "sweep/sweep_controller.h"
#include "sweep/sweep_runner.h"

#include <QAbstractItemModelTester>
#include <QAction>
#include <QApplication>
#include <QClipboard>
#include <QElapsedTimer>
#include <QFile>
#include <QLabel>
#include <QSpinBox>
#include <QStatusBar>
#include <QLineEdit>
#include <QMenu>
#include <QProgressBar>
#include <QSettings>
#include <QSignalSpy>
#include <QFileInfo>

#include <sys/stat.h>
#include <unistd.h>

#include <optional>
#include <QSortFilterProxyModel>
#include <QSplitter>
#include <QTabWidget>
#include <QTableView>
#include <QTemporaryDir>
#include <QTest>

#include <nlohmann/json.hpp>

#include <fstream>
#include <memory>

namespace {

const QString kFixtures = QStringLiteral(AIOTUNE_TEST_FIXTURES);

nlohmann::json expected() {
    std::ifstream in(std::string(AIOTUNE_TEST_FIXTURES) + "/deepspeed/expected.json");
    return nlohmann::json::parse(in);
}

using aiotune::testing::fixtureDrives;

} // namespace

class TestMainWindow : public QObject {
    Q_OBJECT
  private:
    QTemporaryDir m_home; // settings, scratch and logs of every window here
    int m_windows = 0;

    struct Made {
        std::unique_ptr<MainWindow> window;
        QString scratch;
    };
    // A window on its own ini file (or `ini` to share one across restarts).
    Made makeWindow(const QString& ini = {}) {
        Made m;
        MainWindowOptions o;
        const QString dir = m_home.filePath(QString::number(++m_windows));
        QDir().mkpath(dir + "/scratch");
        o.settingsPath = ini.isEmpty() ? dir + "/settings.ini" : ini;
        o.discovery = fixtureDrives();
        o.scratchFolder = dir + "/scratch";
        o.logRoot = dir + "/logs";
        m.scratch = o.scratchFolder;
        m.window = std::make_unique<MainWindow>(o);
        return m;
    }
    static QAction* action(MainWindow* w, const char* name) { return w->findChild<QAction*>(name); }
    static void openThroughAction(MainWindow* w, const QString& folder) {
        w->setPathChooser([folder](const QString&, bool) { return folder; });
        action(w, "actionOpen")->trigger();
    }

  private slots:
    void initTestCase() { QVERIFY(m_home.isValid()); }

    void opensDeepSpeedFolder_data() {
        QTest::addColumn<QString>("name");
        QTest::addColumn<int>("rows");
        QTest::addColumn<int>("skipped");
        QTest::addRow("ds-0.15-sweep") << "ds-0.15-sweep" << 16 << 0;
        QTest::addRow("ds-0.4-sweep") << "ds-0.4-sweep" << 16 << 0;
        QTest::addRow("ds-messy") << "ds-messy" << 16
                                  << 3; // .DS_Store, notes.md, a log with no metric line
    }
    void opensDeepSpeedFolder() {
        QFETCH(QString, name);
        QFETCH(int, rows);
        QFETCH(int, skipped);
        auto m = makeWindow();
        MainWindow* w = m.window.get();
        QAbstractItemModelTester tester(w->resultsModel());
        QSignalSpy loaded(w, &MainWindow::folderLoaded);
        const QString folder = kFixtures + "/deepspeed/" + name;
        openThroughAction(w, folder);
        QTRY_COMPARE_WITH_TIMEOUT(loaded.count(), 1, 10000);
        QCOMPARE(w->resultsModel()->rowCount(), rows);
        QCOMPARE(w->tableView()->model()->rowCount(), rows);
        QCOMPARE(w->currentFolder(), folder);
        QVERIFY(w->windowTitle().contains(name));

        const auto want = expected()[name.toStdString()];
        const auto& rec = w->recommendation();
        QVERIFY(rec.best.has_value());
        const auto& aio = rec.best->key.aio;
        QCOMPARE(aio.block_size, want["best"]["block_size"].get<std::uint64_t>());
        QCOMPARE(aio.queue_depth, want["best"]["queue_depth"].get<int>());
        QCOMPARE(aio.intra_op_parallelism, want["best"]["intra_op_parallelism"].get<int>());
        QCOMPARE(aio.single_submit, want["best"]["single_submit"].get<bool>());
        QCOMPARE(aio.overlap_events, want["best"]["overlap_events"].get<bool>());
        QCOMPARE(rec.configsWithBoth, want["configs_with_both"].get<int>());
        QVERIFY(qAbs(*rec.best->readGiBps - want["read"].get<double>()) < 1e-9);
        QVERIFY(qAbs(*rec.best->writeGiBps - want["write"].get<double>()) < 1e-9);

        // Unusable files are listed in the log, not fatal.
        const QString log = w->logPane()->toPlainText();
        QCOMPARE(int(log.count("Skipped ")), skipped);
        QCOMPARE(w->settings().recentFolders().value(0), folder);
    }

    void reloadAndRecent() {
        auto m = makeWindow();
        MainWindow* w = m.window.get();
        QSignalSpy loaded(w, &MainWindow::folderLoaded);
        QVERIFY(!action(w, "actionReload")->isEnabled()); // nothing open yet
        openThroughAction(w, kFixtures + "/deepspeed/ds-0.4-sweep");
        QTRY_COMPARE_WITH_TIMEOUT(loaded.count(), 1, 10000);
        openThroughAction(w, kFixtures + "/deepspeed/ds-0.15-sweep");
        QTRY_COMPARE_WITH_TIMEOUT(loaded.count(), 2, 10000);
        QVERIFY(action(w, "actionReload")->isEnabled());
        QCOMPARE(action(w, "actionReload")->shortcut(), QKeySequence(Qt::Key_F5));
        action(w, "actionReload")->trigger();
        QTRY_COMPARE_WITH_TIMEOUT(loaded.count(), 3, 10000);
        QCOMPARE(loaded.last().at(0).toString(), kFixtures + "/deepspeed/ds-0.15-sweep");
        QCOMPARE(w->resultsModel()->rowCount(), 16);

        // Open Recent: newest first; the second entry opens the older folder.
        const auto entries = w->recentMenu()->actions();
        QVERIFY(entries.size() >= 2);
        QVERIFY(entries[0]->text().endsWith("ds-0.15-sweep"));
        QVERIFY(entries[1]->text().endsWith("ds-0.4-sweep"));
        entries[1]->trigger();
        QTRY_COMPARE_WITH_TIMEOUT(loaded.count(), 4, 10000);
        QCOMPARE(w->currentFolder(), kFixtures + "/deepspeed/ds-0.4-sweep");
    }

    void recentListKeepsEight() {
        QTemporaryDir dir;
        AppSettings s(dir.filePath("s.ini"));
        for (int i = 0; i < 12; ++i)
            s.addRecentFolder(QString("/data/sweep%1").arg(i));
        s.addRecentFolder("/data/sweep5/"); // the same folder again moves to the front
        const QStringList list = s.recentFolders();
        QCOMPARE(list.size(), AppSettings::kMaxRecent);
        QCOMPARE(list.first(), QString("/data/sweep5"));
        QCOMPARE(list.at(1), QString("/data/sweep11"));
        QCOMPARE(list.count("/data/sweep5"), 1);
    }

    // A settings file that is a link to a FIFO or device (root's window
    // replaced /dev/zero with its settings) is neither read nor written: the
    // settings last for the run and the window says why. A link to a regular
    // file (dotfiles) is followed as before.
    void settingsFileThatIsNoFileIsLeftAlone() {
        QTemporaryDir dir;
        const QString fifo = dir.filePath("fifo"), link = dir.filePath("s.ini");
        QVERIFY(::mkfifo(QFile::encodeName(fifo).constData(), 0600) == 0);
        QVERIFY(QFile::link(fifo, link));
        {
            AppSettings s(link);
            QVERIFY2(s.problem().contains("not a regular file"), qPrintable(s.problem()));
            s.addRecentFolder("/data/sweep1");
            s.sync();
            QCOMPARE(s.recentFolders(), QStringList{"/data/sweep1"}); // kept for the run
        }
        struct stat st {};
        QVERIFY(::stat(QFile::encodeName(fifo).constData(), &st) == 0 && S_ISFIFO(st.st_mode));
        QCOMPARE(QFileInfo(link).symLinkTarget(), fifo);
        // The window tells the user.
        auto m = makeWindow(link);
        QVERIFY2(m.window->messageBar()->text().contains("Settings are not remembered this time"),
                 qPrintable(m.window->messageBar()->text()));
        m.window.reset();
        QVERIFY(::stat(QFile::encodeName(fifo).constData(), &st) == 0 && S_ISFIFO(st.st_mode));
        // The user's own settings file (no path given) as a FIFO: found
        // without reading it (a QSettings built to find it read it, and hung).
        {
            const QByteArray oldConfig = qgetenv("XDG_CONFIG_HOME");
            const QString oldApp = QCoreApplication::applicationName(), oldOrg = QCoreApplication::organizationName();
            qputenv("XDG_CONFIG_HOME", QFile::encodeName(dir.path()));
            QCoreApplication::setOrganizationName("aiotune");
            QCoreApplication::setApplicationName("aiotune");
            QVERIFY(QDir().mkpath(dir.filePath("aiotune")));
            QVERIFY(::mkfifo(QFile::encodeName(dir.filePath("aiotune/aiotune.conf")).constData(), 0600) == 0);
            const QString problem = AppSettings().problem();
            qputenv("XDG_CONFIG_HOME", oldConfig);
            QCoreApplication::setOrganizationName(oldOrg);
            QCoreApplication::setApplicationName(oldApp);
            QVERIFY2(problem.contains("aiotune/aiotune.conf is not a regular file"), qPrintable(problem));
        }
        // A link to a regular file is used and written.
        const QString real = dir.filePath("dotfiles.ini"), link2 = dir.filePath("s2.ini");
        QVERIFY(QFile::link(real, link2));
        {
            AppSettings s(link2);
            QVERIFY(s.problem().isEmpty());
            s.addRecentFolder("/data/sweep2");
            s.sync();
        }
        QFile f(real);
        QVERIFY(f.open(QIODevice::ReadOnly));
        QVERIFY(f.readAll().contains("/data/sweep2"));
    }

    // Settings that cannot be saved (a read-only folder or mount) are said at
    // the start, not lost quietly at the end.
    void unsavableSettingsAreSaid() {
        QTemporaryDir dir;
        const QString folder = dir.filePath("conf");
        QVERIFY(QDir().mkpath(folder));
        std::optional<aiotune::testing::ScopedMount> mount;
        QString ini = folder + "/aiotune.conf";
        if (::geteuid() == 0) {
            // root writes through modes: a read-only mount stops it.
            mount.emplace("tmpfs", "size=1m");
            QVERIFY2(mount->ok(), qPrintable(mount->error()));
            QCOMPARE(mount->remount(true), 0);
            ini = mount->path() + "/aiotune.conf";
        } else {
            QVERIFY(::chmod(QFile::encodeName(folder).constData(), 0555) == 0);
        }
        {
            AppSettings s(ini);
            QVERIFY(s.problem().isEmpty()); // readable (nothing yet): used
            QVERIFY2(s.saveProblem().contains("is not writable"), qPrintable(s.saveProblem()));
        }
        auto m = makeWindow(ini);
        QVERIFY2(m.window->messageBar()->text().contains("Settings changed now will not be remembered"),
                 qPrintable(m.window->messageBar()->text()));
        m.window.reset();
        if (mount) QCOMPARE(mount->remount(false), 0);
        ::chmod(QFile::encodeName(folder).constData(), 0755);
        // A writable place has no such problem.
        AppSettings fine(dir.filePath("ok.conf"));
        QVERIFY(fine.saveProblem().isEmpty());
    }

    void badFolderIsAMessageNotACrash_data() {
        QTest::addColumn<QString>("folder");
        QTest::addRow("not a log folder") << kFixtures + "/sysfs";
        QTest::addRow("missing") << kFixtures + "/no-such-folder";
    }
    void badFolderIsAMessageNotACrash() {
        QFETCH(QString, folder);
        auto m = makeWindow();
        MainWindow* w = m.window.get();
        QSignalSpy failed(w, &MainWindow::loadFailed);
        openThroughAction(w, folder);
        QTRY_COMPARE_WITH_TIMEOUT(failed.count(), 1, 10000);
        QVERIFY(w->messageBar()->isError());
        QVERIFY2(w->messageBar()->text().contains(folder), qPrintable(w->messageBar()->text()));
        QCOMPARE(w->resultsModel()->rowCount(), 0);
    }

    // Skipped files go to the Log tab one line each, names escaped (a newline
    // in a name forged a timestamped line), the first 200 and then a count
    // (50,000 junk files froze the window, one appended line at a time).
    void skippedFilesAreEscapedAndCapped() {
        QTemporaryDir tmp;
        const QString folder = tmp.filePath("ds");
        QVERIFY(QDir().mkpath(folder));
        for (const QString sub : {"_aio_bench_read_logs", "_aio_bench_write_logs"}) {
            QVERIFY(QDir().mkpath(folder + "/" + sub));
            const QDir from(kFixtures + "/deepspeed/ds-0.15-sweep/" + sub);
            for (const QString& f : from.entryList(QDir::Files))
                QVERIFY(QFile::copy(from.filePath(f), folder + "/" + sub + "/" + f));
        }
        for (int i = 0; i < 250; ++i) {
            QFile junk(folder + QString("/_aio_bench_read_logs/zjunk%1.txt").arg(i)); // after the forged name
            QVERIFY(junk.open(QIODevice::WriteOnly));
        }
        QFile forged(folder + "/_aio_bench_read_logs/x: ok\n10:26:53  All logs verified.txt");
        QVERIFY(forged.open(QIODevice::WriteOnly));
        forged.close();
        auto m = makeWindow();
        MainWindow* w = m.window.get();
        QSignalSpy loaded(w, &MainWindow::folderLoaded);
        openThroughAction(w, folder);
        QTRY_COMPARE_WITH_TIMEOUT(loaded.count(), 1, 10000);
        const QString log = w->logPane()->toPlainText();
        QCOMPARE(log.count("Skipped "), 200);
        QVERIFY2(log.contains("and 51 more skipped files"), qPrintable(log.right(300)));
        // (the Log tab's HTML shows the two spaces as one)
        QVERIFY(!log.contains("\n10:26:53 All logs verified"));
        QVERIFY2(log.contains("x: ok\\n10:26:53 All logs verified"), qPrintable(log.left(600)));
    }

    // A message longer than the status bar is cut at its end, not clipped
    // mid-word: the whole text is the bar's tooltip and in the Log tab.
    void longStatusMessageIsShortened() {
        auto m = makeWindow();
        MainWindow* w = m.window.get();
        w->resize(1280, 720);
        w->show();
        QVERIFY(QTest::qWaitForWindowExposed(w));
        const QString folder = QDir::tempPath() + "/" + QString(300, QLatin1Char('x'));
        const QString text = "Sweep finished: 64 configurations measured. Best: 1M, qd 32. Logs in " + folder + ".";
        w->showMessage(text, false);
        QStatusBar* bar = w->statusBar();
        const QString shown = bar->currentMessage();
        QVERIFY2(shown.startsWith("Sweep finished: 64 configurations measured. Best: 1M, qd 32."), qPrintable(shown));
        QVERIFY2(shown.endsWith(QChar(0x2026)), qPrintable(shown)); // the ellipsis
        QVERIFY(bar->fontMetrics().horizontalAdvance(shown) <= bar->contentsRect().width());
        QCOMPARE(bar->toolTip(), text);
        QVERIFY(w->logPane()->toPlainText().contains(folder));
        // Resized, the message is cut again to the new width: shorter when
        // narrower, longer when wider, never past the bar.
        w->resize(900, 720);
        QTRY_VERIFY(bar->width() < 1000);
        const QString narrow = bar->currentMessage();
        QVERIFY2(narrow.endsWith(QChar(0x2026)) && narrow.size() < shown.size(), qPrintable(narrow));
        QVERIFY(bar->fontMetrics().horizontalAdvance(narrow) <= bar->contentsRect().width());
        QCOMPARE(bar->toolTip(), text);
        w->resize(1280, 720);
        QTRY_VERIFY(bar->width() > 1000);
        QCOMPARE(bar->currentMessage(), shown);
        // A short one is shown whole, with no tooltip; a cleared one leaves none.
        w->showMessage("Copied 2 rows", false);
        QCOMPARE(bar->currentMessage(), QString("Copied 2 rows"));
        QVERIFY(bar->toolTip().isEmpty());
        w->showMessage(text, false);
        bar->clearMessage();
        QVERIFY(bar->toolTip().isEmpty());
        // A hostile folder name (a newline, a terminal escape) stays on one line.
        w->showMessage(QString("Logs in /tmp/a\nb") + QChar(0x1b) + "[31mred.", false);
        QVERIFY(!bar->currentMessage().contains('\n') && !bar->currentMessage().contains(QChar(0x1b)));
        QVERIFY2(bar->currentMessage().startsWith("Logs in /tmp/a" + QString(QChar::ReplacementCharacter) + "b"),
                 qPrintable(bar->currentMessage()));
        QVERIFY(bar->toolTip().contains('\n')); // the whole text, as given
    }

    // The application's translator writes English plurals: "8 configurations",
    // "1 configuration", never "configuration(s)"; other texts pass through.
    void englishPlurals() {
        EnglishPlurals plurals;
        QVERIFY(QCoreApplication::installTranslator(&plurals));
        QCOMPARE(MainWindow::tr("Sweep finished: %n configuration(s) measured.", nullptr, 8),
                 QString("Sweep finished: 8 configurations measured."));
        QCOMPARE(MainWindow::tr("Sweep finished: %n configuration(s) measured.", nullptr, 1),
                 QString("Sweep finished: 1 configuration measured."));
        QCOMPARE(MainWindow::tr("%n file(s) could not be used; the Log tab says why.", nullptr, 0),
                 QString("0 files could not be used; the Log tab says why."));
        QCOMPARE(MainWindow::tr("Copied %n row(s)", nullptr, 2), QString("Copied 2 rows"));
        QCOMPARE(MainWindow::tr("Tick the folder(s) to measure"), QString("Tick the folder(s) to measure")); // no %n
        QCOMPARE(MainWindow::tr("Best: %1"), QString("Best: %1"));
        QVERIFY(QCoreApplication::removeTranslator(&plurals));
        QCOMPARE(MainWindow::tr("Copied %n row(s)", nullptr, 2), QString("Copied 2 row(s)")); // what users saw
    }

    void tableFilterAndCopy() {
        auto m = makeWindow();
        MainWindow* w = m.window.get();
        w->show();
        QSignalSpy loaded(w, &MainWindow::folderLoaded);
        openThroughAction(w, kFixtures + "/deepspeed/ds-0.15-sweep");
        QTRY_COMPARE_WITH_TIMEOUT(loaded.count(), 1, 10000);
        w->filterEdit()->setText("128K");
        QCOMPARE(w->tableProxy()->rowCount(), 8);
        w->filterEdit()->setText("sequential");
        QCOMPARE(w->tableProxy()->rowCount(), 8);
        QCOMPARE(w->rowCountLabel()->text(), QString("8 of 16 rows"));
        w->filterEdit()->setText("1M sequential");
        QCOMPARE(w->tableProxy()->rowCount(), 4);
        // Esc in the filter clears it (and does not reach Cancel sweep).
        w->filterEdit()->setFocus();
        QTest::keyClick(w->filterEdit(), Qt::Key_Escape);
        QCOMPARE(w->filterEdit()->text(), QString());
        QCOMPARE(w->rowCountLabel()->text(), QString("16 rows"));
        QCOMPARE(w->tableProxy()->rowCount(), 16);
        // Sorted by the combined figure, best first.
        const QModelIndex top = w->tableProxy()->index(0, 0);
        QVERIFY(top.data(ResultsTableModel::IsBestRole).toBool());

        w->tableView()->selectAll();
        QApplication::clipboard()->clear();
        action(w, "actionCopy")->trigger();
        const QStringList lines = QApplication::clipboard()->text().split('\n', Qt::SkipEmptyParts);
        QCOMPARE(lines.size(), 17); // header + 16 rows
        QVERIFY(lines[0].contains('\t'));
        QCOMPARE(action(w, "actionCopy")->shortcut(), QKeySequence(QKeySequence::Copy));
    }

    void compareWithFolder() {
        auto m = makeWindow();
        MainWindow* w = m.window.get();
        QSignalSpy loaded(w, &MainWindow::folderLoaded);
        QSignalSpy compared(w, &MainWindow::comparisonLoaded);
        QVERIFY(!action(w, "actionCompare")->isEnabled()); // nothing to compare against yet
        openThroughAction(w, kFixtures + "/deepspeed/ds-0.15-sweep");
        QTRY_COMPARE_WITH_TIMEOUT(loaded.count(), 1, 10000);
        QVERIFY(action(w, "actionCompare")->isEnabled());
        w->setPathChooser(
            [](const QString&, bool) { return kFixtures + "/deepspeed/ds-0.4-sweep"; });
        action(w, "actionCompare")->trigger();
        QTRY_COMPARE_WITH_TIMEOUT(compared.count(), 1, 10000);
        QCOMPARE(w->tabs()->currentIndex(), int(MainWindow::CompareTab));
        QCOMPARE(w->comparisonModel()->rowCount(), 16);
        // The current results stay as they were.
        QCOMPARE(w->currentFolder(), kFixtures + "/deepspeed/ds-0.15-sweep");
    }

    void sweepFromTheWindow() {
        auto m = makeWindow();
        MainWindow* w = m.window.get();
        QTRY_VERIFY_WITH_TIMEOUT(w->drivesPanel()->checkedFolders() == QStringList{m.scratch},
                                 5000);
        // A tiny grid: 2 points of 1 MiB.
        RangesPanel* r = w->rangesPanel();
        r->blockSizeEdit()->setText("64K, 256K");
        r->queueDepthEdit()->setText("4");
        r->threadsEdit()->setText("1");
        r->ioSizeEdit()->setText("1M");
        QTRY_VERIFY_WITH_TIMEOUT(!r->isPlanning() && r->planOk(), 5000);
        // The default search says what its budget allows, not a grid's figures.
        QVERIFY2(r->planText().startsWith("Adaptive search over 2 points: at most"), qPrintable(r->planText()));
        QVERIFY(!r->findChild<QSpinBox*>()->isEnabled() || !r->adaptive());

        QSignalSpy finished(w->sweepController(), &SweepController::finished);
        // While the sweep runs, every answer the window shows is provisional:
        // partial, "the sweep had not finished" (never a settled-looking pick).
        int provisional = 0;
        QStringList claimed;
        connect(w->sweepController(), &SweepController::sampleReady, w, [&] {
            const aiotune::Answer& a = w->recommendation().answer;
            if (!a.found) return;
            ++provisional;
            if (!a.partial || a.partialReason.find("had not finished") == std::string::npos || a.recommended)
                claimed << QString::fromStdString(a.partialReason);
        });
        QAction* start = action(w, "actionStart");
        QCOMPARE(start->shortcut(), QKeySequence(Qt::CTRL | Qt::Key_R));
        QCOMPARE(action(w, "actionCancel")->shortcut(), QKeySequence(Qt::Key_Escape));
        start->trigger();
        QVERIFY(w->isSweeping());
        QVERIFY(!start->isEnabled());
        QVERIFY(action(w, "actionCancel")->isEnabled());
        QVERIFY(!w->drivesPanel()->isEnabled()); // no edits under a running sweep
        QTRY_COMPARE_WITH_TIMEOUT(finished.count(), 1, 30000);
        QTRY_VERIFY(!w->isSweeping());
        QCOMPARE(w->resultsModel()->rowCount(), 2);
        QVERIFY(w->recommendation().best.has_value());
        QVERIFY(provisional > 0);
        QVERIFY2(claimed.isEmpty(), qPrintable(claimed.join(" | ")));
        QVERIFY(w->recommendation().answer.partialReason.find("had not finished") == std::string::npos);
        QVERIFY(start->isEnabled());
        QVERIFY(!w->progressBar()->isVisible());
        // The sweep wrote a DeepSpeed-compatible log folder: it is current, recent, and reloads.
        QVERIFY2(w->currentFolder().startsWith(m_home.path()), qPrintable(w->currentFolder()));
        QVERIFY(QFileInfo(w->currentFolder() + "/_aio_bench_read_logs").isDir());
        QCOMPARE(w->settings().recentFolders().value(0), w->currentFolder());
        QSignalSpy loaded(w, &MainWindow::folderLoaded);
        action(w, "actionReload")->trigger();
        QTRY_COMPARE_WITH_TIMEOUT(loaded.count(), 1, 10000);
        QCOMPARE(w->resultsModel()->rowCount(), 2);
        // The scratch file never outlives the sweep.
        QCOMPARE(QDir(m.scratch).entryList(QDir::AllEntries | QDir::Hidden | QDir::NoDotAndDotDot),
                 QStringList());
    }

    // Every view of the window names the one answer (answerFor: the one the
    // runner stored), after a sweep, after reopening its folder, and after
    // "measure again" decided it again from all samples.
    static void checkOneAnswer(MainWindow* w, BestConfigPanel* best) {
        QTRY_VERIFY(!w->resultsModel()->analysisPending());
        const aiotune::Answer& answer = w->recommendation().answer;
        QVERIFY(answer.found);
        const QString label = QString::fromStdString(answer.best.label());
        // The chart's heading and its starred bar.
        QVERIFY2(w->chart()->titleText().contains(label), qPrintable(w->chart()->titleText()));
        const int starred = w->chart()->barKeys().indexOf(answer.best);
        QVERIFY(starred >= 0);
        const QStringList labels = w->chart()->barLabels();
        QVERIFY2(labels.value(0).startsWith(QStringLiteral("★")), qPrintable(labels.join("|")));
        // The table's bold row and its check mark.
        auto* model = w->resultsModel();
        for (int row = 0; row < model->rowCount(); ++row) {
            const auto key = model->index(row, 0).data(ResultsTableModel::ConfigKeyRole).value<aiotune::ConfigKey>();
            QCOMPARE(model->index(row, 0).data(ResultsTableModel::IsBestRole).toBool(), key == answer.best);
            QCOMPARE(model->index(row, 0).data(ResultsTableModel::IsRecommendedRole).toBool(),
                     answer.recommended && key == *answer.recommended);
        }
        // The Best panel shows and exports it.
        QCOMPARE(best->chosenConfig(), std::optional(answer.best.aio));
        QVERIFY(best->jsonText().contains(QString("\"queue_depth\": %1").arg(answer.best.aio.queue_depth)));
    }

    // The default sweep is the adaptive search; its answer and the profile
    // reach the Best panel; "measure the top N again" adds samples.
    void adaptiveSweepThenMeasureAgain() {
        auto m = makeWindow();
        MainWindow* w = m.window.get();
        QTRY_VERIFY_WITH_TIMEOUT(w->drivesPanel()->checkedFolders() == QStringList{m.scratch},
                                 5000);
        RangesPanel* r = w->rangesPanel();
        r->blockSizeEdit()->setText("64K, 256K");
        r->queueDepthEdit()->setText("4");
        r->threadsEdit()->setText("1");
        r->ioSizeEdit()->setText("1M");
        QTRY_VERIFY_WITH_TIMEOUT(!r->isPlanning() && r->planOk(), 5000);
        QVERIFY(action(w, "actSearchAdaptive")->isChecked());
        QVERIFY(!action(w, "actHugePages")->isChecked());
        QSignalSpy finished(w->sweepController(), &SweepController::finished);
        QSignalSpy answers(w->sweepController(), &SweepController::answerReady);
        w->startSweep();
        QCOMPARE(w->sweepController()->search(), SweepController::Search::Adaptive);
        QCOMPARE(w->sweepController()->profile(), aiotune::MeasurementProfile::faithful());
        QTRY_COMPARE_WITH_TIMEOUT(finished.count(), 1, 30000);
        QTRY_VERIFY(!w->isSweeping());
        QCOMPARE(answers.count(), 1);
        auto* best = w->findChild<BestConfigPanel*>();
        QVERIFY(best);
        const auto sent = answers.at(0).at(0).value<aiotune::Answer>();
        QVERIFY(w->recommendation().answer == sent); // the runner's answer, not a new one
        QVERIFY2(best->answerText().contains("Decided by the adaptive search"), qPrintable(best->answerText()));
        QVERIFY(best->answerText().contains("Stopped:"));
        QVERIFY(best->answerText().contains("transfers"));
        QCOMPARE(best->profileName(), QString("faithful"));
        QVERIFY(w->messageBar()->text().contains("faithful") ||
                w->logPane()->toPlainText().contains("Measured with: faithful"));
        // The status bar (and the log) name the same best with the same figure.
        const QString status = w->statusBar()->currentMessage();
        QVERIFY2(status.contains(QString::fromStdString(sent.best.label())), qPrintable(status));
        QVERIFY2(status.contains(resultformat::answerFigure(sent)), qPrintable(status));
        QVERIFY(w->logPane()->toPlainText().contains(QString::fromStdString(sent.best.label())));
        checkOneAnswer(w, best);

        // Reopened, the folder gives the same answer (stored in its sweep.json).
        QSignalSpy loaded(w, &MainWindow::folderLoaded);
        action(w, "actionReload")->trigger();
        QTRY_COMPARE_WITH_TIMEOUT(loaded.count(), 1, 10000);
        QVERIFY(w->recommendation().answer == sent);
        checkOneAnswer(w, best);

        // Top 1 again: the leader gets kRemeasureLoops more visits, the other row none.
        const auto before = w->resultsModel()->results();
        const auto targets = w->remeasureTargets(1, false);
        QCOMPARE(targets.size(), std::size_t(1));
        QCOMPARE(targets[0], w->recommendation().best->key.aio);
        const aiotune::ConfigKey leader = w->recommendation().best->key;
        int asked = -1, maximum = -1;
        w->setTopNChooser([&](int def, int max) {
            asked = def;
            maximum = max;
            return 1;
        });
        QVERIFY(action(w, "actRemeasure")->isEnabled());
        const QString sweptFolder = QFileInfo(w->currentFolder()).fileName();
        QVERIFY2(w->windowTitle().startsWith(sweptFolder), qPrintable(w->windowTitle()));
        action(w, "actRemeasure")->trigger();
        QCOMPARE(asked, 2); // min(5, rows)
        QCOMPARE(maximum, 2);
        QVERIFY(w->isSweeping());
        QTRY_COMPARE_WITH_TIMEOUT(finished.count(), 2, 30000);
        QTRY_VERIFY(!w->isSweeping());
        const auto& after = w->resultsModel()->results();
        QCOMPARE(after.configs.size(), before.configs.size());
        // The title names both folders the samples shown came from.
        const QStringList logs = QDir(QFileInfo(w->currentFolder()).absolutePath()).entryList({"sweep-*"}, QDir::Dirs, QDir::Name);
        QCOMPARE(logs.size(), 2);
        const QString again = logs.at(0) == sweptFolder ? logs.at(1) : logs.at(0);
        QVERIFY2(w->windowTitle().contains(sweptFolder) && w->windowTitle().contains(again + " (measured again)"),
                 qPrintable(w->windowTitle()));
        for (const auto& c : after.configs) {
            const auto* old = before.find(c.key);
            QVERIFY(old);
            const std::size_t added = c.key == leader ? 2 * MainWindow::kRemeasureLoops : 0;
            QCOMPARE(c.samples.size(), old->samples.size() + added);
        }
        // Decided again from all samples by the same rule, stored, and shown everywhere.
        QVERIFY(after.answer.has_value());
        QVERIFY(after.answer->decidedBy.find("decided again") != std::string::npos);
        QVERIFY(w->recommendation().answer == *after.answer);
        QVERIFY2(best->answerText().contains("decided again"), qPrintable(best->answerText()));
        checkOneAnswer(w, best);

        // Reload rereads both folders: the re-measured samples stay, and the
        // answer is decided again from all of them, as it was shown.
        const aiotune::ResultSet shown = w->resultsModel()->results();
        action(w, "actionReload")->trigger();
        QTRY_COMPARE_WITH_TIMEOUT(loaded.count(), 2, 10000);
        const aiotune::ResultSet& reread = w->resultsModel()->results();
        QCOMPARE(reread.configs.size(), shown.configs.size());
        for (const auto& c : shown.configs) {
            const auto* r = reread.find(c.key);
            QVERIFY(r);
            QCOMPARE(r->samples.size(), c.samples.size());
        }
        QCOMPARE(w->recommendation().answer.best, shown.answer->best);
        QVERIFY(w->recommendation().answer.decidedBy.find("decided again") != std::string::npos);
        QVERIFY2(w->windowTitle().contains(again + " (measured again)"), qPrintable(w->windowTitle()));
        checkOneAnswer(w, best);
    }

    // Search and what-if choices persist; an older "sweep/hugePages=true"
    // does not switch the what-if on.
    void sweepChoicesPersist() {
        QTemporaryDir dir;
        const QString ini = dir.filePath("settings.ini");
        {
            QSettings old(ini, QSettings::IniFormat);
            old.setValue("sweep/hugePages", true);
        }
        {
            auto m = makeWindow(ini);
            MainWindow* w = m.window.get();
            QVERIFY(!action(w, "actHugePages")->isChecked());
            QVERIFY(action(w, "actSearchAdaptive")->isChecked());
            action(w, "actSearchGrid")->trigger();
            action(w, "actHugePages")->trigger();
            QVERIFY(action(w, "actSearchGrid")->isChecked());
            QVERIFY(!action(w, "actSearchAdaptive")->isChecked());
            QVERIFY(w->close());
        }
        auto m = makeWindow(ini);
        MainWindow* w = m.window.get();
        QVERIFY(action(w, "actSearchGrid")->isChecked());
        QVERIFY(action(w, "actHugePages")->isChecked());
    }

    // View > Theme: Dark and Light apply at once and at the next start;
    // System gives back the palette the application started with.
    void themePersistsAndRestores() {
        QTemporaryDir dir;
        const QString ini = dir.filePath("settings.ini");
        const QColor startWindow = QApplication::palette().color(QPalette::Window);
        {
            auto m = makeWindow(ini);
            MainWindow* w = m.window.get();
            QVERIFY(action(w, "actTheme_system")->isChecked());
            action(w, "actTheme_dark")->trigger();
            QCoreApplication::processEvents();
            QVERIFY(QApplication::palette().color(QPalette::Window).lightness() < 128);
            QVERIFY(QApplication::palette().color(QPalette::Text).lightness() > 128);
            // The chart follows the palette.
            QVERIFY(w->chart()->darkTheme());
            QVERIFY(w->close());
        }
        QCOMPARE(QSettings(ini, QSettings::IniFormat).value("view/theme").toString(), QString("dark"));
        action(makeWindow().window.get(), "actTheme_system")->trigger(); // a window of its own settings
        QCOMPARE(QApplication::palette().color(QPalette::Window), startWindow);
        {
            auto m = makeWindow(ini); // applies the saved dark theme as it starts
            MainWindow* w = m.window.get();
            QVERIFY(action(w, "actTheme_dark")->isChecked());
            QVERIFY(QApplication::palette().color(QPalette::Window).lightness() < 128);
            action(w, "actTheme_light")->trigger();
            QCoreApplication::processEvents();
            QVERIFY(QApplication::palette().color(QPalette::Window).lightness() > 128);
            QVERIFY(!w->chart()->darkTheme());
            action(w, "actTheme_system")->trigger();
        }
        QCOMPARE(QApplication::palette().color(QPalette::Window), startWindow);
    }

    // Opened folders say which profile measured them.
    void openedFolderNamesItsProfile() {
        auto m = makeWindow();
        MainWindow* w = m.window.get();
        QSignalSpy loaded(w, &MainWindow::folderLoaded);
        openThroughAction(w, kFixtures + "/deepspeed/ds-0.15-sweep");
        QTRY_COMPARE_WITH_TIMEOUT(loaded.count(), 1, 10000);
        auto* best = w->findChild<BestConfigPanel*>();
        QCOMPARE(best->profileName(), QString("unknown (DeepSpeed logs)"));
        QVERIFY2(best->answerText().contains("DeepSpeed's rule"), qPrintable(best->answerText()));
        checkOneAnswer(w, best);
    }

    void startWithoutFolderSaysWhy() {
        auto m = makeWindow();
        MainWindow* w = m.window.get();
        QTRY_VERIFY_WITH_TIMEOUT(!w->drivesPanel()->checkedFolders().isEmpty(), 5000);
        w->drivesPanel()->setCheckedFolders({});
        w->startSweep();
        QVERIFY(!w->isSweeping());
        QVERIFY(w->messageBar()->isError());
        QVERIFY(w->messageBar()->text().contains("folder"));
        // Bad ranges are refused with the panel's reason.
        w->drivesPanel()->setCheckedFolders({m.scratch});
        w->rangesPanel()->blockSizeEdit()->setText("12Q");
        w->startSweep();
        QVERIFY(!w->isSweeping());
        QVERIFY(w->messageBar()->text().contains("12Q"));
    }

    // File > Export report… is offered only when there is something to report.
    void exportReportNeedsResults() {
        auto m = makeWindow();
        MainWindow* w = m.window.get();
        QAction* report = action(w, "actionExportReport");
        QVERIFY(report);
        QVERIFY(!report->isEnabled());
        QSignalSpy loaded(w, &MainWindow::folderLoaded);
        openThroughAction(w, kFixtures + "/deepspeed/ds-0.15-sweep");
        QTRY_COMPARE_WITH_TIMEOUT(loaded.count(), 1, 10000);
        QVERIFY(report->isEnabled());
    }

    // Two ticked folders on one drive: asked before the sweep starts, with
    // what its answer would mean; No starts nothing.
    void sharedDriveAsksFirst() {
        {
            // The fixture machine's two folders on nvme0n1 (one partition, two mounts).
            auto m = makeWindow();
            MainWindow* w = m.window.get();
            const QString a = "/mnt/nvme0", b = "/srv/training data";
            QTRY_VERIFY_WITH_TIMEOUT(w->drivesPanel()->rowOf(b) >= 0, 5000);
            const QString q = w->sharedDriveQuestion({a, b});
            QVERIFY2(q.contains(a + ", " + b + " are on the same drive (nvme0n1)"), qPrintable(q));
            QVERIFY(q.contains("one 2-folder configuration"));
            QVERIFY(q.contains("one nvme_path"));
            QVERIFY(q.contains("untick all but one folder per drive"));
            // One folder per drive: nothing to ask.
            QVERIFY(w->sharedDriveQuestion({a, "/mnt/nvme1"}).isEmpty());
        }
        // Starting: two real folders on this machine's drive.
        MainWindowOptions o;
        const QString dir = m_home.filePath("shared");
        o.settingsPath = dir + "/settings.ini";
        o.scratchFolder = dir + "/one";
        o.logRoot = dir + "/logs";
        const QString two = dir + "/two";
        QVERIFY(QDir().mkpath(o.scratchFolder) && QDir().mkpath(two));
        MainWindow window(o);
        MainWindow* w = &window;
        QTRY_VERIFY_WITH_TIMEOUT(!w->drivesPanel()->isRefreshing(), 5000);
        QVERIFY(w->drivesPanel()->addFolder(two));
        w->drivesPanel()->setCheckedFolders({o.scratchFolder, two});
        QCOMPARE(w->drivesPanel()->checkedFolders().size(), 2);
        if (w->drivesPanel()->driveOf(two).isEmpty())
            QSKIP("this machine names no drive for the temporary folder (tmpfs?): the start is not asked about");
        RangesPanel* r = w->rangesPanel();
        r->blockSizeEdit()->setText("64K");
        r->queueDepthEdit()->setText("4");
        r->threadsEdit()->setText("1");
        r->ioSizeEdit()->setText("1M");
        QTRY_VERIFY_WITH_TIMEOUT(!r->isPlanning() && r->planOk(), 5000);
        QStringList asked;
        w->setSharedDriveConfirmer([&](const QString& text) {
            asked << text;
            return false;
        });
        QSignalSpy started(w->sweepController(), &SweepController::started);
        w->startSweep();
        QVERIFY2(asked.size() == 1, qPrintable(w->messageBar()->text()));
        QCOMPARE(started.count(), 0);
        QVERIFY(!w->isSweeping());
        QVERIFY2(w->statusBar()->currentMessage().contains("Sweep not started"),
                 qPrintable(w->statusBar()->currentMessage()));
        // Yes: the sweep starts, measuring both folders together.
        w->setSharedDriveConfirmer([&](const QString& text) {
            asked << text;
            return true;
        });
        w->startSweep();
        QCOMPARE(asked.size(), 2);
        QCOMPARE(started.count(), 1);
        // In Open Recent from its start, saved: a window killed now leaves it findable.
        const QStringList recent = AppSettings(w->settings().raw().fileName()).recentFolders();
        QVERIFY2(!recent.isEmpty() && recent.front().contains("/logs/"), qPrintable(recent.join(", ")));
        QVERIFY(w->logPane()->toPlainText().contains("Measured together, as asked."));
        QTRY_VERIFY_WITH_TIMEOUT(!w->isSweeping(), 30000);
        QVERIFY(w->resultsModel()->rowCount() > 0);
        QCOMPARE(w->resultsModel()->configAt(0)->key.folders, 2);
    }

    // A sweep that fails without an answer says its error in the answer,
    // not "measure both operations again".
    void failedSweepSaysItsReason() {
        auto m = makeWindow();
        MainWindow* w = m.window.get();
        QTRY_VERIFY_WITH_TIMEOUT(w->drivesPanel()->checkedFolders() == QStringList{m.scratch}, 5000);
        ResultsTableModel* model = w->resultsModel();
        // Samples that all failed: the answer's own words are generic.
        aiotune::ConfigKey key;
        aiotune::Sample bad;
        bad.op = aiotune::IoOp::Read;
        bad.error = "io_uring_setup: ENOMEM";
        model->addSample(key, bad);
        model->flushAnalysis();
        QVERIFY(!w->recommendation().answer.found);
        emit w->sweepController()->failed("cannot create the scratch file in /gone: No such file or directory");
        QVERIFY2(w->messageBar()->text().contains("/gone"), qPrintable(w->messageBar()->text()));
        // Something was measured: it stopped, it did not "not start".
        QVERIFY2(w->messageBar()->text().startsWith("The sweep stopped: "), qPrintable(w->messageBar()->text()));
        const std::string& said = w->recommendation().answer.message;
        QVERIFY2(said.find("/gone: No such file") != std::string::npos, said.c_str());
        QVERIFY2(said.find("both operations") == std::string::npos, said.c_str());
        auto* best = w->findChild<BestConfigPanel*>();
        // The Best panel shows the reason (it shows the answer's message when something was measured).
        bool shown = false;
        for (QLabel* l : best->findChildren<QLabel*>()) shown = shown || l->text().contains("/gone: No such file");
        QVERIFY(shown);
        // New results forget it.
        model->clear();
        QVERIFY(w->recommendation().answer.message.find("/gone") == std::string::npos);
        // Nothing measured: it could not start.
        emit w->sweepController()->failed("cannot create the scratch file in /gone: No such file or directory");
        QVERIFY2(w->messageBar()->text().startsWith("The sweep could not start: "), qPrintable(w->messageBar()->text()));
    }

    void closingMidSweepCancelsThenCloses() {
        auto m = makeWindow();
        MainWindow* w = m.window.get();
        w->show();
        QTRY_VERIFY_WITH_TIMEOUT(!w->drivesPanel()->checkedFolders().isEmpty(), 5000);
        RangesPanel* r = w->rangesPanel();
        r->blockSizeEdit()->setText("4K, 8K");
        r->queueDepthEdit()->setText("1, 2, 4");
        r->ioSizeEdit()->setText("256M");
        QSignalSpy running(w->sweepController(), &SweepController::runningChanged);
        w->startSweep();
        QVERIFY(w->isSweeping());
        QTest::qWait(200);
        // Asked first: "no" keeps the window and the sweep.
        int asked = 0;
        bool stop = false;
        w->setCloseConfirmer([&] {
            ++asked;
            return stop;
        });
        QVERIFY(!w->close());
        QCOMPARE(asked, 1);
        QVERIFY(w->isSweeping());
        stop = true;
        QElapsedTimer timer;
        timer.start();
        QVERIFY(!w->close()); // refused for now: the worker must end first
        QVERIFY(w->isVisible());
        QTRY_VERIFY_WITH_TIMEOUT(!w->isVisible(), 3000);
        QVERIFY2(timer.elapsed() < 1500, qPrintable(QString("%1 ms").arg(timer.elapsed())));
        QVERIFY(!w->isSweeping());
        QCOMPARE(QDir(m.scratch).entryList(QDir::AllEntries | QDir::Hidden | QDir::NoDotAndDotDot),
                 QStringList());
    }

    void settingsSurviveRestart() {
        QTemporaryDir dir;
        const QString ini = dir.filePath("settings.ini");
        QTemporaryDir extra;
        QByteArray splitter;
        {
            auto m = makeWindow(ini);
            MainWindow* w = m.window.get();
            w->show();
            QSignalSpy loaded(w, &MainWindow::folderLoaded);
            openThroughAction(w, kFixtures + "/deepspeed/ds-0.15-sweep");
            QTRY_COMPARE_WITH_TIMEOUT(loaded.count(), 1, 10000);
            QTRY_VERIFY_WITH_TIMEOUT(!w->drivesPanel()->isRefreshing(), 5000);
            QVERIFY(w->drivesPanel()->addFolder(extra.path()));
            w->rangesPanel()->blockSizeEdit()->setText("512K");
            w->rangesPanel()->queueDepthEdit()->setText("64");
            auto* split = w->findChild<QSplitter*>("mainSplitter");
            split->setSizes({500, 700});
            splitter = split->saveState();
            QVERIFY(w->close());
        }
        auto m = makeWindow(ini);
        MainWindow* w = m.window.get();
        QTRY_VERIFY_WITH_TIMEOUT(!w->drivesPanel()->isRefreshing(), 5000);
        QCOMPARE(w->settings().recentFolders().value(0), kFixtures + "/deepspeed/ds-0.15-sweep");
        QCOMPARE(w->recentMenu()->actions().value(0)->text().endsWith("ds-0.15-sweep"), true);
        const auto spec = w->rangesPanel()->spec();
        QVERIFY(spec.ok());
        QCOMPARE(spec->blockSizes, std::vector<std::uint64_t>{524288});
        QCOMPARE(spec->queueDepths, std::vector<int>{64});
        QTRY_VERIFY_WITH_TIMEOUT(w->drivesPanel()->checkedFolders().contains(extra.path()), 5000);
        QVERIFY(w->drivesPanel()->extraFolders().contains(extra.path()));
        QCOMPARE(w->findChild<QSplitter*>("mainSplitter")->saveState(), splitter);
    }
};

QTEST_MAIN(TestMainWindow)
#include "test_main_window.moc"
