// File > Export report… in the window: the page written is the one
// `aiotune report` writes for the folder on screen, and the window refuses
// what the command line refuses, saying so in the message bar.
#include "main_window.h"
#include "panels/log_pane.h"
#include "panels/message_bar.h"
#include "results/results_table_model.h"

#include <QAction>
#include <QFile>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>

namespace {
QByteArray readAll(const QString& path) {
    QFile f(path);
    return f.open(QIODevice::ReadOnly) ? f.readAll() : QByteArray();
}
} // namespace

class TestExportReport : public QObject {
    Q_OBJECT
  private slots:
    void exportsTheFolderOnScreen() {
        QTemporaryDir home;
        QVERIFY(home.isValid());
        MainWindowOptions o;
        o.settingsPath = home.filePath("settings.ini");
        o.scratchFolder = home.filePath("scratch");
        o.logRoot = home.filePath("logs");
        o.discovery.sysRoot = AIOTUNE_TEST_FIXTURES "/sysfs/workstation/sys";
        o.discovery.procRoot = AIOTUNE_TEST_FIXTURES "/sysfs/workstation/proc";
        o.discovery.fsSpace = [](const std::string&) { return std::optional<aiotune::FsSpace>(); };
        QDir().mkpath(o.scratchFolder);
        MainWindow w(o);
        QAction* exportReport = w.findChild<QAction*>("actionExportReport");
        QVERIFY(exportReport);

        // Nothing open yet: the action is off, and the command itself says why.
        const QString out = home.filePath("report.html");
        w.setPathChooser([out](const QString&, bool) { return out; });
        QVERIFY(!exportReport->isEnabled());
        w.exportReport();
        QVERIFY(w.messageBar()->text().contains("Nothing to report"));
        QVERIFY(!QFile::exists(out));

        QSignalSpy loaded(&w, &MainWindow::folderLoaded);
        w.openFolder(QStringLiteral(AIOTUNE_TEST_FIXTURES "/deepspeed/ds-0.15-sweep"));
        QTRY_COMPARE_WITH_TIMEOUT(loaded.count(), 1, 10000);
        exportReport->trigger();
        QTRY_VERIFY_WITH_TIMEOUT(QFile::exists(out), 10000);
        const QByteArray page = readAll(out);
        QVERIFY(page.contains("(block_overlap_ftd1_d32_bs1M_p8)</span>"));
        QVERIFY(page.contains("ds-0.15-sweep"));
        QTRY_VERIFY_WITH_TIMEOUT(w.logPane()->toPlainText().contains("Report written to " + out), 10000);

        // A name without the suffix gets ".html"; the dialog did not confirm
        // replacing that name, so an existing file there is refused.
        QFile mine(home.filePath("notes.html"));
        QVERIFY(mine.open(QIODevice::WriteOnly));
        mine.write("mine");
        mine.close();
        w.setPathChooser([&home](const QString&, bool) { return home.filePath("notes"); });
        exportReport->trigger();
        QTRY_VERIFY_WITH_TIMEOUT(w.messageBar()->text().contains("already exists"), 10000);
        QCOMPARE(readAll(home.filePath("notes.html")), QByteArray("mine"));

        // A log of the folder itself is refused whatever the dialog said.
        const QString log = QStringLiteral(AIOTUNE_TEST_FIXTURES
                                           "/deepspeed/ds-0.15-sweep/_aio_bench_read_logs/"
                                           "read_block_overlap_ftd1_d32_bs1M_p8.txt");
        const QByteArray logBefore = readAll(log);
        w.setPathChooser([log](const QString&, bool) { return log + ".html"; });
        exportReport->trigger();
        QTRY_VERIFY_WITH_TIMEOUT(w.messageBar()->text().contains("inside the DeepSpeed log folder"), 10000);
        QVERIFY(!QFile::exists(log + ".html"));
        QCOMPARE(readAll(log), logBefore);
    }
};

QTEST_MAIN(TestExportReport)
#include "test_export_report.moc"
