// RangesPanel: typed text -> SweepSpec, refusals with messages, presets, the
// plan line and remembered ranges.
#include "engine/libaio_engine.h"
#include "panels/ranges_panel.h"
#include "settings/app_settings.h"

#include <QCheckBox>
#include <QLabel>
#include <QLineEdit>
#include <QSignalSpy>
#include <QSpinBox>
#include <QTemporaryDir>
#include <QTest>

using aiotune::SweepSpec;

Q_DECLARE_METATYPE(std::vector<std::uint64_t>)
Q_DECLARE_METATYPE(std::vector<int>)

class TestRangesPanel : public QObject {
    Q_OBJECT
  private slots:
    void initTestCase() { Q_INIT_RESOURCE(aiotune); }

    void specFromTypedText_data() {
        QTest::addColumn<QString>("blocks");
        QTest::addColumn<QString>("depths");
        QTest::addColumn<QString>("threads");
        QTest::addColumn<QString>("io");
        QTest::addColumn<std::vector<std::uint64_t>>("wantBlocks");
        QTest::addColumn<std::vector<int>>("wantDepths");
        QTest::addColumn<std::vector<int>>("wantThreads");
        QTest::addColumn<quint64>("wantIo");
        QTest::addColumn<QString>("preset");
        QTest::addRow("commas, custom")
            << "128K, 1M"
            << "8, 32"
            << "2, 8"
            << "64M" << std::vector<std::uint64_t>{131072, 1048576} << std::vector<int>{8, 32}
            << std::vector<int>{2, 8} << quint64(64ull << 20) << "";
        QTest::addRow("typed quick is recognised")
            << "128K 1M"
            << "8 32"
            << "1,8"
            << "64M" << std::vector<std::uint64_t>{131072, 1048576} << std::vector<int>{8, 32}
            << std::vector<int>{1, 8} << quint64(64ull << 20) << "quick";
        QTest::addRow("spaces and bytes")
            << "4096 8M"
            << "128"
            << "2 4"
            << "400M" << std::vector<std::uint64_t>{4096, 8388608} << std::vector<int>{128}
            << std::vector<int>{2, 4} << quint64(400ull << 20) << "";
        QTest::addRow("duplicates dropped, KiB spelling")
            << "1MiB,1M,  256KB"
            << "8,8,16"
            << "1"
            << "1G" << std::vector<std::uint64_t>{1048576, 262144} << std::vector<int>{8, 16}
            << std::vector<int>{1} << quint64(1ull << 30) << "";
    }
    void specFromTypedText() {
        QFETCH(QString, blocks);
        QFETCH(QString, depths);
        QFETCH(QString, threads);
        QFETCH(QString, io);
        RangesPanel panel;
        panel.blockSizeEdit()->setText(blocks);
        panel.queueDepthEdit()->setText(depths);
        panel.threadsEdit()->setText(threads);
        panel.ioSizeEdit()->setText(io);
        const auto spec = panel.spec();
        QVERIFY2(spec.ok(), spec.error().c_str());
        QTEST(spec->blockSizes, "wantBlocks");
        QTEST(spec->queueDepths, "wantDepths");
        QTEST(spec->threads, "wantThreads");
        QTEST(quint64(spec->ioSize), "wantIo");
        QCOMPARE(panel.errorText(), QString());
        QTEST(panel.currentPreset(),
              "preset"); // typed ranges are custom unless they equal a preset
    }

    void rejectsBadText_data() {
        QTest::addColumn<QString>("field");
        QTest::addColumn<QString>("text");
        QTest::addColumn<QString>("mentions");
        QTest::addRow("block 12Q") << "blocks"
                                   << "128K, 12Q"
                                   << "12Q";
        QTest::addRow("block empty") << "blocks"
                                     << ""
                                     << "Block sizes";
        QTest::addRow("depth zero") << "depths"
                                    << "8, 0"
                                    << "\"0\"";
        QTest::addRow("depth word") << "depths"
                                    << "eight"
                                    << "eight";
        QTest::addRow("threads fraction") << "threads"
                                          << "1.5"
                                          << "1.5";
        QTest::addRow("io size") << "io"
                                 << "lots"
                                 << "lots";
    }
    void rejectsBadText() {
        QFETCH(QString, field);
        QFETCH(QString, text);
        QFETCH(QString, mentions);
        RangesPanel panel;
        QSignalSpy plans(&panel, &RangesPanel::planReady);
        QLineEdit* edit = field == "blocks"    ? panel.blockSizeEdit()
                          : field == "depths"  ? panel.queueDepthEdit()
                          : field == "threads" ? panel.threadsEdit()
                                               : panel.ioSizeEdit();
        edit->setText(text);
        const auto spec = panel.spec();
        QVERIFY(!spec.ok());
        QVERIFY2(QString::fromStdString(spec.error()).contains(mentions), spec.error().c_str());
        QVERIFY2(panel.errorText().contains(mentions), qPrintable(panel.errorText()));
        QVERIFY(panel.findChild<QLabel*>("rangesError")->isVisibleTo(&panel));
        // The plan line refuses too, and says so.
        QTRY_VERIFY_WITH_TIMEOUT(!plans.isEmpty(), 3000);
        QCOMPARE(plans.last().at(0).toBool(), false);
        QVERIFY(!panel.planOk());
    }

    void uncheckedModesRefused() {
        RangesPanel panel;
        const auto boxes = panel.findChildren<QCheckBox*>();
        // The submit modes are named as the table and the labels name them.
        QStringList texts;
        for (auto* b : boxes) texts << b->text();
        QVERIFY2(texts.contains("block") && texts.contains("single") && !texts.contains("batch"),
                 qPrintable(texts.join(", ")));
        for (auto* b : boxes)
            if (b->text() == "block" || b->text() == "single") b->setChecked(false);
        QVERIFY(!panel.spec().ok());
        QVERIFY(panel.errorText().contains("Submit"));
    }

    void presetsLoad_data() {
        QTest::addColumn<QString>("id");
        QTest::addColumn<int>("points");
        QTest::addColumn<quint64>("io");
        QTest::addColumn<int>("loops");
        QTest::addColumn<std::vector<std::uint64_t>>("blocks");
        QTest::addRow("quick") << "quick" << 8 << quint64(64ull << 20) << 1
                               << std::vector<std::uint64_t>{131072, 1048576};
        QTest::addRow("deepspeed") << "deepspeed" << 64 << quint64(400ull << 20) << 1
                                   << std::vector<std::uint64_t>{1048576, 8388608};
        QTest::addRow("thorough") << "thorough" << 192 << quint64(400ull << 20) << 3
                                  << std::vector<std::uint64_t>{131072, 524288, 1048576, 8388608};
    }
    void presetsLoad() {
        QFETCH(QString, id);
        const auto preset = RangesPanel::presetSpec(id);
        QVERIFY2(preset.ok(), preset.error().c_str());
        QTEST(int(preset->pointCount()), "points");
        QTEST(quint64(preset->ioSize), "io");
        QTEST(preset->loops, "loops");
        QTEST(preset->blockSizes, "blocks");
        QVERIFY(preset->read && preset->write);

        RangesPanel panel;
        QVERIFY(panel.loadPreset(id));
        QCOMPARE(panel.currentPreset(), id);
        const auto spec = panel.spec();
        QVERIFY(spec.ok());
        QCOMPARE(*spec, *preset);
        QVERIFY(!RangesPanel::presetName(id).isEmpty());
    }

    // DeepSpeed 0.17.1's ds_nvme_tune grid.
    void deepSpeedDefaultsMatchDs() {
        const auto s = RangesPanel::presetSpec("deepspeed");
        QVERIFY(s.ok());
        QCOMPARE(s->blockSizes, (std::vector<std::uint64_t>{1048576, 8388608}));
        QCOMPARE(s->queueDepths, (std::vector<int>{32, 128}));
        QCOMPARE(s->threads, (std::vector<int>{1, 2, 4, 8}));
        QCOMPARE(s->singleSubmit.size(), std::size_t(2));
        QCOMPARE(s->overlapEvents.size(), std::size_t(2));
    }

    void loadsDeepSpeedSweepConfig() {
        QTemporaryDir dir;
        const QString file = dir.filePath("sweep.json");
        QFile f(file);
        QVERIFY(f.open(QIODevice::WriteOnly));
        f.write(R"({"block_size": ["128K", "1M"], "queue_depth": [8, 32], "single_submit": [false],
                    "sequential_requests": [true, false], "io_parallel": [1, 8], "gpu": true})");
        f.close();
        RangesPanel panel;
        panel.ioSizeEdit()->setText("32M");
        QSignalSpy messages(&panel, &RangesPanel::message);
        QVERIFY(panel.loadDeepSpeedSweepConfig(file));
        const auto spec = panel.spec();
        QVERIFY(spec.ok());
        QCOMPARE(spec->pointCount(), std::size_t(16));
        QCOMPARE(spec->overlapEvents,
                 (std::vector<bool>{true, false}));         // both modes, in the panel's order
        QCOMPARE(spec->ioSize, std::uint64_t(32ull << 20)); // kept: the config has none
        bool warned = false;
        for (const auto& m : messages)
            warned = warned || m.at(0).toString().contains("gpu");
        QVERIFY(warned);

        QVERIFY(!panel.loadDeepSpeedSweepConfig(dir.filePath("missing.json")));
        QVERIFY(messages.last().at(1).toBool());
    }

    void planLine_data() {
        QTest::addColumn<bool>("goodFolder");
        QTest::addColumn<bool>("ok");
        QTest::addRow("temporary folder") << true << true;
        QTest::addRow("missing folder") << false << false;
    }
    void planLine() {
        QFETCH(bool, goodFolder);
        QTemporaryDir dir;
        const QString folder = goodFolder ? dir.path() : dir.filePath("nope");
        RangesPanel panel;
        QVERIFY(panel.loadPreset("quick"));
        QSignalSpy plans(&panel, &RangesPanel::planReady);
        panel.setFolders({folder});
        QTRY_VERIFY_WITH_TIMEOUT(!plans.isEmpty() && !panel.isPlanning(), 5000);
        QTEST(panel.planOk(), "ok");
        if (goodFolder)
            QVERIFY2(panel.planText().startsWith("8 points"), qPrintable(panel.planText()));
        else
            QVERIFY2(panel.planText().contains(folder), qPrintable(panel.planText()));
        // The probe leaves nothing behind.
        QCOMPARE(QDir(dir.path()).entryList(QDir::AllEntries | QDir::Hidden | QDir::NoDotAndDotDot),
                 QStringList());
    }

    // Under the adaptive search the plan says what its budget allows, and
    // Loops (the grid's) is greyed; back on the grid, the grid's figures.
    void adaptivePlanIsHonest() {
        QTemporaryDir dir;
        RangesPanel panel;
        QVERIFY(panel.loadPreset("quick"));
        QSignalSpy plans(&panel, &RangesPanel::planReady);
        panel.setAdaptive(true);
        panel.setFolders({dir.path()});
        QTRY_VERIFY_WITH_TIMEOUT(!plans.isEmpty() && !panel.isPlanning(), 5000);
        QVERIFY(panel.planOk());
        // Quick: 8 points, screened whole; the budget leaves the race as much as
        // the libaio check takes: 16 + 2 x 12 = 40 transfers.
        QVERIFY2(panel.planText().startsWith("Adaptive search over 8 points: at most 40 transfers (first pass 16)"),
                 qPrintable(panel.planText()));
        QVERIFY(panel.planText().contains("assumed 1.5 GiB/s"));
        // The libaio check of the finalists, as the command line's plan says it.
        QVERIFY2(panel.planText().contains(aiotune::probeLibaio().ok()
                                               ? "up to 12 of those transfers check the finalists on libaio"
                                               : "the answer will not be checked on libaio"),
                 qPrintable(panel.planText()));
        QVERIFY(!panel.findChild<QSpinBox*>()->isEnabled());
        plans.clear();
        panel.setAdaptive(false);
        QTRY_VERIFY_WITH_TIMEOUT(!plans.isEmpty() && !panel.isPlanning(), 5000);
        QVERIFY2(panel.planText().startsWith("8 points"), qPrintable(panel.planText()));
        QVERIFY(panel.findChild<QSpinBox*>()->isEnabled());
    }

    void settingsRoundTrip() {
        QTemporaryDir dir;
        const QString ini = dir.filePath("settings.ini");
        {
            AppSettings settings(ini);
            RangesPanel panel;
            panel.blockSizeEdit()->setText("256K, 2M");
            panel.queueDepthEdit()->setText("16");
            panel.ioSizeEdit()->setText("128M");
            panel.findChild<QSpinBox*>()->setValue(3);
            panel.saveSettings(settings);
            settings.sync();
        }
        AppSettings settings(ini);
        RangesPanel panel;
        panel.restoreSettings(settings);
        const auto spec = panel.spec();
        QVERIFY(spec.ok());
        QCOMPARE(spec->blockSizes, (std::vector<std::uint64_t>{262144, 2097152}));
        QCOMPARE(spec->queueDepths, std::vector<int>{16});
        QCOMPARE(spec->ioSize, std::uint64_t(128ull << 20));
        QCOMPARE(spec->loops, 3);
    }

    void freshSettingsGiveQuick() {
        QTemporaryDir dir;
        AppSettings settings(dir.filePath("empty.ini"));
        RangesPanel panel;
        panel.blockSizeEdit()->setText("4K");
        panel.restoreSettings(settings);
        QCOMPARE(panel.currentPreset(), QString("quick"));
    }
};

QTEST_MAIN(TestRangesPanel)
#include "test_ranges_panel.moc"
