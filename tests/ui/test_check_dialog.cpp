// The window's check dialog: findings listed errors first with details and
// fix, the report copied as the command line prints it, failures shown; the
// File menu entry and the offer after a merge.
#include "check/check_dialog.h"
#include "main_window.h"
#include "results/best_config_panel.h"

#include <QtTest>

#include <QAction>
#include <QClipboard>
#include <QMessageBox>
#include <QSettings>
#include <QSpinBox>
#include <QLineEdit>
#include <QPushButton>
#include <QTextBrowser>
#include <QTreeWidget>

#include <fstream>

using namespace aiotune;

namespace {

const QString kConfigs = QStringLiteral(AIOTUNE_TEST_FIXTURES "/check/configs/");

CheckReport sampleReport() {
    CheckReport r;
    r.configFile = "/work/ds_config.json";
    r.deepspeedVersion = "0.16.4";
    r.versionAssumed = true;
    r.findings = {
        {FindingSeverity::Error, "AIO_WRONG_TYPE", "aio.single_submit", "\"aio\" setting \"single_submit\" is the string \"false\"", "write false without quotes"},
        {FindingSeverity::Warning, "PCIE_LINK_DEGRADED", "nvme0n1", "nvme0n1's PCIe link runs at 8 GT/s x4 (max 16 GT/s x4)", "check the slot"},
        {FindingSeverity::Note, "NUMA_NODE", "nvme0n1", "nvme0n1 is attached to NUMA node 1 of 2", ""},
    };
    return r;
}

} // namespace

class TestCheckDialog : public QObject {
    Q_OBJECT
    QTemporaryDir m_tmp;

  private slots:
    void initTestCase() {
        QStandardPaths::setTestModeEnabled(true);
        QVERIFY(m_tmp.isValid());
    }

    void listsFindings() {
        CheckDialog dialog;
        dialog.setReport(sampleReport());
        QCOMPARE(dialog.findingCount(), 3);
        auto* list = dialog.findChild<QTreeWidget*>("checkFindings");
        QVERIFY(list);
        // The headers are words for people, not the C++ type's name.
        QCOMPARE(list->headerItem()->text(0), QStringLiteral("Severity"));
        QCOMPARE(list->headerItem()->text(1), QStringLiteral("Code"));
        QCOMPARE(list->topLevelItem(0)->text(0), QStringLiteral("error"));
        QCOMPARE(list->topLevelItem(0)->text(1), QStringLiteral("AIO_WRONG_TYPE"));
        QCOMPARE(list->topLevelItem(1)->text(2), QStringLiteral("nvme0n1"));
        // The first finding is selected and explained, with its fix.
        auto* details = dialog.findChild<QTextBrowser*>("checkDetails");
        QVERIFY(details->toPlainText().contains("is the string \"false\""));
        QVERIFY(details->toPlainText().contains("Fix: write false without quotes"));
        list->setCurrentItem(list->topLevelItem(2));
        QVERIFY(details->toPlainText().contains("NUMA node 1 of 2"));
        QVERIFY(!details->toPlainText().contains("Fix:"));
        QVERIFY2(dialog.summaryText().contains("1 error"), qPrintable(dialog.summaryText()));
        QVERIFY(dialog.summaryText().contains("1 warning(s), 1 note(s)"));
        QVERIFY(dialog.summaryText().contains("or later"));
        // Copy gives exactly the command line's text.
        dialog.findChild<QPushButton*>("checkCopy")->click();
        QCOMPARE(QApplication::clipboard()->text(), QString::fromStdString(formatReport(sampleReport())));
    }

    void checksFixtureConfigs_data() {
        QTest::addColumn<QString>("file");
        QTest::addColumn<QString>("code");
        QTest::addColumn<bool>("errors");
        QTest::addRow("string boolean") << "aio_string_bool" << "AIO_WRONG_TYPE" << true;
        QTest::addRow("thread_count") << "aio_thread_count_ignored" << "AIO_IGNORED_KEY" << false;
    }
    void checksFixtureConfigs() {
        QFETCH(QString, file);
        QFETCH(QString, code);
        QFETCH(bool, errors);
        CheckDialog dialog;
        PreflightOptions o = CheckDialog::defaultOptions(kConfigs + file + ".json");
        o.checkMachine = false;
        QVERIFY(dialog.check(o));
        const auto items = dialog.findChild<QTreeWidget*>("checkFindings")->findItems(code, Qt::MatchExactly, 1);
        QCOMPARE(items.size(), 1);
        QCOMPARE(dialog.summaryText().contains("error(s)</b>"), errors);
    }

    // The window checks for the installed DeepSpeed, as the command line does
    // (here an active virtualenv's 0.16.3, which reads thread_count), and says so.
    void checksForTheInstalledDeepSpeed() {
        const QByteArray saved = qgetenv("VIRTUAL_ENV");
        qputenv("VIRTUAL_ENV", QByteArray(AIOTUNE_TEST_FIXTURES) + "/python/venv-0.16.3");
        PreflightOptions o =
            CheckDialog::defaultOptions(kConfigs + "aio_thread_count_ignored.json");
        if (saved.isEmpty())
            qunsetenv("VIRTUAL_ENV");
        else
            qputenv("VIRTUAL_ENV", saved);
        QCOMPARE(o.version, (DeepSpeedVersion{0, 16, 3}));
        o.checkMachine = false;
        CheckDialog dialog;
        QVERIFY(dialog.check(o));
        // 0.16.3 reads thread_count: nothing ignored, no "or later" guess.
        QCOMPARE(dialog.findChild<QTreeWidget*>("checkFindings")
                     ->findItems("AIO_IGNORED_KEY", Qt::MatchExactly, 1)
                     .size(),
                 0);
        QVERIFY2(dialog.summaryText().contains("DeepSpeed 0.16.3 (installed: "),
                 qPrintable(dialog.summaryText()));
        QVERIFY(!dialog.summaryText().contains("or later"));
    }

    // The model's size typed into the dialog (as `check --model-params
    // --nodes`): free space is checked against the whole swap footprint, a
    // bad size is named and nothing is checked, an empty one counts the
    // config's buffers again.
    void modelSizeChecksTheWholeFootprint() {
        const QString dir = m_tmp.filePath("model-size");
        QVERIFY(QDir().mkpath(dir));
        std::string text;
        {
            std::ifstream in((kConfigs + "clean.json").toStdString());
            text.assign(std::istreambuf_iterator<char>(in), {});
        }
        for (std::size_t at; (at = text.find("@NVME@")) != std::string::npos;) text.replace(at, 6, dir.toStdString());
        const QString config = dir + "/ds_config.json";
        std::ofstream(config.toStdString()) << text;
        PreflightOptions o = CheckDialog::defaultOptions(config); // this machine's checks too: the space is one
        o.nvmePath.fsSpace = [](const std::string&) -> std::optional<FsSpace> {
            return FsSpace{900ull << 30, 1800ull << 30};
        };
        CheckDialog dialog;
        auto* again = dialog.findChild<QPushButton*>("checkAgain");
        QVERIFY(again && !again->isEnabled()); // nothing checked yet
        QVERIFY(dialog.check(o));
        QVERIFY(again->isEnabled());
        auto* list = dialog.findChild<QTreeWidget*>("checkFindings");
        const auto message = [&](const QString& code) {
            const auto items = list->findItems(code, Qt::MatchExactly, 1);
            return items.isEmpty() ? QString() : items.front()->toolTip(2);
        };
        QVERIFY2(message("SWAP_FOOTPRINT").contains("parameter buffers only"), qPrintable(dialog.reportText()));

        // 70B: 70e9 x (2 + 16) bytes, 1.1 TiB, more than the 900 GiB free.
        dialog.setModelSize("70B", 1);
        again->click();
        QVERIFY(dialog.modelError().isEmpty());
        QVERIFY2(message("NVME_PATH_LOW_SPACE").contains("writes about 1.1 TiB on this node"),
                 qPrintable(dialog.reportText()));
        QVERIFY(dialog.summaryText().contains("error"));
        // On two nodes each holds half: it fits.
        dialog.setModelSize("70e9", 2);
        again->click();
        QVERIFY(message("NVME_PATH_LOW_SPACE").isEmpty());
        QVERIFY2(message("SWAP_FOOTPRINT").contains("/ 2 nodes"), qPrintable(dialog.reportText()));

        // A bad size is named, with what it takes; the last report stays.
        const QString before = dialog.reportText();
        dialog.setModelSize("7Q", 1);
        again->click();
        QVERIFY2(dialog.modelError().contains("7Q"), qPrintable(dialog.modelError()));
        QCOMPARE(dialog.reportText(), before);
        // Empty again: the config's buffers alone, and the error is gone.
        dialog.setModelSize("", 1);
        again->click();
        QVERIFY(dialog.modelError().isEmpty());
        QVERIFY(message("SWAP_FOOTPRINT").contains("parameter buffers only"));
    }

    void showsWhyItCouldNotRun() {
        CheckDialog dialog;
        QVERIFY(!dialog.check(CheckDialog::defaultOptions(m_tmp.path()))); // a folder
        QVERIFY(dialog.summaryText().contains("could not run"));
        QCOMPARE(dialog.findingCount(), 0);
        QVERIFY(dialog.findChild<QTextBrowser*>("checkDetails")->toPlainText().contains("is a folder"));
        QVERIFY(dialog.reportText().startsWith("aiotune check: "));
    }

    void windowMenuAndOfferAfterMerge() {
        MainWindowOptions o;
        o.settingsPath = m_tmp.filePath("settings.ini");
        o.discovery.sysRoot = AIOTUNE_TEST_FIXTURES "/sysfs/workstation/sys";
        o.discovery.procRoot = AIOTUNE_TEST_FIXTURES "/sysfs/workstation/proc";
        o.logRoot = m_tmp.filePath("logs");
        MainWindow window(o);
        QAction* check = window.findChild<QAction*>("actionCheckConfig");
        QVERIFY(check);
        QVERIFY(check->text().remove(QLatin1Char('&')).startsWith("Check DeepSpeed config"));
        // After a merge the window offers the check, without blocking the merge.
        const QString config = m_tmp.filePath("merged.json");
        std::ofstream(config.toStdString()) << "{\"aio\": {\"single_submit\": \"false\"}}\n";
        auto* panel = window.findChild<BestConfigPanel*>();
        QVERIFY(panel);
        emit panel->merged(config);
        QMessageBox* offer = nullptr;
        QTRY_VERIFY((offer = window.findChild<QMessageBox*>("offerCheck")) != nullptr);
        QVERIFY(offer->text().contains(config));
        offer->button(QMessageBox::Yes)->click();
        CheckDialog* dialog = nullptr;
        QTRY_VERIFY((dialog = window.findChild<CheckDialog*>("checkDialog")) != nullptr);
        QVERIFY(dialog->findChild<QTreeWidget*>("checkFindings")->findItems("AIO_WRONG_TYPE", Qt::MatchExactly, 1).size() == 1);
        // The model size used is remembered for the next check (one job's configs in turn).
        dialog->setModelSize("70B", 2);
        dialog->findChild<QPushButton*>("checkAgain")->click();
        dialog->close();
        QTRY_VERIFY(window.findChild<CheckDialog*>("checkDialog") == nullptr); // deleted on close
        const auto reopen = [&] {
            emit panel->merged(config);
            QMessageBox* box = nullptr;
            QTRY_VERIFY((box = window.findChild<QMessageBox*>("offerCheck")) != nullptr);
            box->button(QMessageBox::Yes)->click();
        };
        reopen();
        QTRY_VERIFY((dialog = window.findChild<CheckDialog*>("checkDialog")) != nullptr);
        QCOMPARE(dialog->findChild<QLineEdit*>("checkModelParams")->text(), QString("70B"));
        QCOMPARE(dialog->findChild<QSpinBox*>("checkNodes")->value(), 2);
        QVERIFY(dialog->modelError().isEmpty());
        QVERIFY(dialog->findChild<QTreeWidget*>("checkFindings")->topLevelItemCount() > 0);
        dialog->close();
        QTRY_VERIFY(window.findChild<CheckDialog*>("checkDialog") == nullptr);
        // A remembered size that no longer parses (an edited settings file) is
        // named, and the config is still checked, without it.
        {
            QSettings ini(o.settingsPath, QSettings::IniFormat);
            ini.setValue("check/modelSize", "7Q");
        }
        reopen();
        QTRY_VERIFY((dialog = window.findChild<CheckDialog*>("checkDialog")) != nullptr);
        QVERIFY2(dialog->modelError().contains("7Q"), qPrintable(dialog->modelError()));
        QVERIFY(dialog->findChild<QTreeWidget*>("checkFindings")->findItems("AIO_WRONG_TYPE", Qt::MatchExactly, 1).size() == 1);
        dialog->close();
    }
};

QTEST_MAIN(TestCheckDialog)
#include "test_check_dialog.moc"
