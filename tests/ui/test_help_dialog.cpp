// Help (F1) and the tooltips a DeepSpeed user decides with: every aio key
// says what it does in DeepSpeed and what usually wins on NVMe, with
// DeepSpeed's defaults as aiotune holds them (AioConfig); use_gds, the io
// size against buffer_size, and the answer's marks (★ ✓ ≈ ? ✗), "tied" and
// "confidence" are explained; the Ranges inputs and the Best panel show the
// same wording as Help.
#include "config/aio_config.h"
#include "panels/help_dialog.h"
#include "panels/ranges_panel.h"
#include "results/best_config_panel.h"
#include "util/byte_size.h"

#include <QCheckBox>
#include <QLineEdit>
#include <QPlainTextEdit>
#include <QSpinBox>
#include <QTextBrowser>
#include <QtTest>

class TestHelpDialog : public QObject {
    Q_OBJECT
  private slots:
    void everySettingSaysWhatWins() {
        const QStringList measured{"block_size", "queue_depth", "intra_op_parallelism",
                                   "single_submit", "overlap_events"};
        for (const QString& key : HelpDialog::settingKeys()) {
            const QString tip = HelpDialog::settingTip(key);
            QVERIFY2(tip.size() > 60, qPrintable(key));
            if (measured.contains(key)) {
                QVERIFY2(tip.startsWith(key + ":") || tip.startsWith(key + " ("), qPrintable(tip));
                QVERIFY2(tip.contains("usually"), qPrintable(tip));
                QVERIFY2(tip.contains("NVMe"), qPrintable(tip));
            }
        }
        for (const QString& key : measured)
            QVERIFY(HelpDialog::settingKeys().contains(key));
        QVERIFY(HelpDialog::settingTip("nonsense").isEmpty());
    }

    // The defaults stated are DeepSpeed's, as aiotune holds them
    // (AioConfig: DeepSpeed's AIO_DEFAULT_DICT).
    void defaultsAreDeepSpeeds() {
        const aiotune::AioConfig d;
        QVERIFY(HelpDialog::settingTip("block_size")
                    .contains(QString("default %1")
                                  .arg(QString::fromStdString(
                                      aiotune::formatByteSizeTag(d.block_size)))));
        QVERIFY(HelpDialog::settingTip("queue_depth")
                    .contains(QString("default %1").arg(d.queue_depth)));
        QVERIFY(HelpDialog::settingTip("intra_op_parallelism")
                    .contains(QString("default %1").arg(d.intra_op_parallelism)));
        QVERIFY(HelpDialog::settingTip("single_submit")
                    .contains(d.single_submit ? "true (DeepSpeed's default"
                                              : "false (DeepSpeed's default"));
        QVERIFY(HelpDialog::settingTip("overlap_events")
                    .contains(d.overlap_events ? "true (DeepSpeed's default"
                                               : "false (DeepSpeed's default"));
        QVERIFY(!d.use_gds);
        QVERIFY(HelpDialog::settingTip("use_gds").contains("exports false"));
        // thread_count is the key before 0.16.4, as the exporter writes it.
        QVERIFY(!(aiotune::DeepSpeedVersion{0, 16, 3}.readsIntraOpParallelism()));
        QVERIFY((aiotune::DeepSpeedVersion{0, 16, 4}.readsIntraOpParallelism()));
        QVERIFY(HelpDialog::settingTip("intra_op_parallelism")
                    .contains("thread_count before DeepSpeed 0.16.4"));
        QVERIFY(!(aiotune::DeepSpeedVersion{0, 14, 0}.readsUseGds()));
        QVERIFY((aiotune::DeepSpeedVersion{0, 15, 0}.readsUseGds()));
        QVERIFY(HelpDialog::settingTip("use_gds").contains("DeepSpeed 0.15.0 and later"));
    }

    void pageExplainsWhatADeepSpeedUserDecidesWith() {
        HelpDialog dialog;
        const QString text = dialog.browser()->toPlainText();
        for (const char* want :
             {"use_gds", "exported as false", "GPUDirect Storage", "buffer_size", "io size", "191M",
              "★ best", "✓ recommended", "≈ tied", "? could still be faster", "✗ slower",
              "Confidence", "high", "medium", "low", "Partial", "Any version", "thread_count"})
            QVERIFY2(text.contains(QString::fromUtf8(want)), want);
        // Each key's wording is settingTip's.
        for (const QString& key : HelpDialog::settingKeys()) {
            QString tip = HelpDialog::settingTip(key);
            tip = tip.mid(tip.indexOf(": ") + 3); // the page capitalises the first letter
            QVERIFY2(text.contains(tip), qPrintable(key));
        }
    }

    void rangesTooltipsUseTheSameWording() {
        RangesPanel ranges;
        const auto tipOf = [](QWidget* w) {
            QTextDocument d;
            d.setHtml(w->toolTip());
            return d.toPlainText();
        };
        QVERIFY(tipOf(ranges.blockSizeEdit()).contains(HelpDialog::settingTip("block_size")));
        QVERIFY(tipOf(ranges.queueDepthEdit()).contains(HelpDialog::settingTip("queue_depth")));
        QVERIFY(
            tipOf(ranges.threadsEdit()).contains(HelpDialog::settingTip("intra_op_parallelism")));
        QVERIFY(tipOf(ranges.ioSizeEdit()).contains(HelpDialog::settingTip("io_size")));
        int submit = 0, overlap = 0;
        for (QCheckBox* c : ranges.findChildren<QCheckBox*>()) {
            submit += tipOf(c).contains(HelpDialog::settingTip("single_submit"));
            overlap += tipOf(c).contains(HelpDialog::settingTip("overlap_events"));
        }
        QCOMPARE(submit, 2);
        QCOMPARE(overlap, 2);
        // Tooltips are rich text, so they wrap instead of running off the screen.
        QVERIFY(Qt::mightBeRichText(ranges.blockSizeEdit()->toolTip()));
    }

    void bestPanelTooltipsExplainTheSection() {
        BestConfigPanel panel;
        QTextDocument d;
        d.setHtml(panel.findChild<QPlainTextEdit*>("aioJson")->toolTip());
        const QString tip = d.toPlainText();
        for (const char* key : {"block_size", "queue_depth", "intra_op_parallelism",
                                "single_submit", "overlap_events", "use_gds"})
            QVERIFY2(tip.contains(HelpDialog::settingTip(key)), key);
    }
};

QTEST_MAIN(TestHelpDialog)
#include "test_help_dialog.moc"
