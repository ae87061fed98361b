// The one rule "are these two sweeps comparable, and why not": profile, I/O
// size, engine and machine, each named with both sides' values.
#include "engine/measurement_profile.h"
#include "results/comparability.h"
#include "results/log_folder_reader.h"

#include <QtTest>

using namespace aiotune;

namespace {

ResultSet sweep(const std::string& host, const std::string& ioSize,
                std::optional<MeasurementProfile> profile, const std::string& engine = "io_uring") {
    ResultSet rs;
    rs.engine = engine;
    rs.host = host;
    rs.profile = profile;
    rs.meta = {{"spec", {{"io_size", ioSize}}}, {"system", {{"host", host}}}};
    ConfigResult c;
    c.key.aio.block_size = 1 << 20;
    rs.configs.push_back(c);
    return rs;
}

} // namespace

class TestComparability : public QObject {
    Q_OBJECT
  private slots:
    void alikeSweepsAreComparable() {
        const auto a = sweep("node1", "1G", MeasurementProfile::faithful());
        const auto b = sweep("node1", "1G", MeasurementProfile::faithful());
        const Comparability c = compareSweeps(a, b);
        QVERIFY(c.comparable());
        QVERIFY(c.explanation().empty());
    }

    void eachDifferenceIsNamedWithBothValues() {
        // The case: a what-if 128M recording against DeepSpeed's own 400M logs.
        const auto a = sweep("node1", "128M", MeasurementProfile::hugePageWhatIf());
        auto ds = LogFolderReader().read(AIOTUNE_TEST_FIXTURES "/deepspeed/ds-0.15-sweep");
        QVERIFY2(ds.ok(), ds.ok() ? "" : ds.error().c_str());
        const Comparability c = compareSweeps(a, *ds);
        QVERIFY(!c.comparable());
        QStringList what;
        for (const auto& d : c.differences)
            what << QString::fromStdString(d.what);
        QVERIFY2(what.contains("measurement profile"), qPrintable(what.join(", ")));
        QVERIFY(what.contains("engine"));
        QVERIFY(what.contains("machine")); // DeepSpeed's logs record no machine
        const std::string text = c.explanation();
        QVERIFY2(text.find("Not like for like") == 0, text.c_str());
        QVERIFY2(text.find(MeasurementProfile::hugePageWhatIf().name()) != std::string::npos,
                 text.c_str());
        QVERIFY2(text.find("B: deepspeed") != std::string::npos, text.c_str());
        QVERIFY2(text.find("B: not recorded") != std::string::npos, text.c_str());
    }

    void oneDifferenceAtATime_data() {
        QTest::addColumn<QString>("field");
        QTest::newRow("profile") << "measurement profile";
        QTest::newRow("io size") << "I/O size";
        QTest::newRow("engine") << "engine";
        QTest::newRow("machine") << "machine";
    }
    void oneDifferenceAtATime() {
        QFETCH(QString, field);
        const auto a = sweep("node1", "1G", MeasurementProfile::faithful());
        auto b = a;
        if (field == "measurement profile") b.profile = MeasurementProfile::hugePageWhatIf();
        if (field == "I/O size") b.meta["spec"]["io_size"] = "400M";
        if (field == "engine") b.engine = "libaio";
        if (field == "machine") b.host = "node2";
        const Comparability c = compareSweeps(a, b);
        QCOMPARE(c.differences.size(), std::size_t(1));
        QCOMPARE(QString::fromStdString(c.differences[0].what), field);
        QVERIFY(c.differences[0].a != c.differences[0].b);
        QVERIFY(c.explanation().find("this reason") != std::string::npos);
    }

    void exportSentenceSaysAWhatIf() {
        const auto whatIf =
            SweepFacts::fromResults(sweep("n", "1G", MeasurementProfile::hugePageWhatIf()));
        const std::string text = measuredWithText(whatIf);
        QVERIFY2(text.find("measured with the " + MeasurementProfile::hugePageWhatIf().name() +
                           " profile") == 0,
                 text.c_str());
        QVERIFY(text.find("a what-if") != std::string::npos);
        const auto faithful =
            SweepFacts::fromResults(sweep("n", "1G", MeasurementProfile::faithful()));
        QVERIFY(measuredWithText(faithful).find("what-if") == std::string::npos);
    }
};

QTEST_MAIN(TestComparability)
#include "test_comparability.moc"
