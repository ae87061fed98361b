// What sweep.json's metadata says, spelled for people: the saved chart's
// caption and the per-drive figures of a multi-folder sweep.
#include "fixture_results.h"
#include "report/sweep_facts.h"
#include "results/sweep_summary.h"

#include <QTest>

using aiotune::ConfigKey;
using aiotune::IoOp;
using aiotune::ResultSet;
using aiotune::Sample;
using nlohmann::json;

namespace {
ResultSet twoDriveSweep() {
    ResultSet rs;
    rs.meta = json::parse(R"({
      "spec": {"io_size": "1G"},
      "system": {"host": "node7", "machine": "x86_64", "cpus": 16, "kernel": "Linux 6.1.0",
                 "huge_pages": false,
                 "folders": [{"path": "/mnt/a", "disk": "nvme0n1", "model": "Fast SSD"},
                             {"path": "/mnt/b", "disk": "nvme1n1", "model": "Fast SSD"}]},
      "per_folder": []})");
    ConfigKey key;
    key.folders = 2;
    // Per folder and loop: a read and a write; /mnt/b is the slower drive.
    const double figures[2][2] = {{3.0, 2.0}, {2.0, 1.0}}; // [folder][op]
    const char* folders[2] = {"/mnt/a", "/mnt/b"};
    for (int loop = 0; loop < 3; ++loop)
        for (int f = 0; f < 2; ++f)
            for (int op = 0; op < 2; ++op)
                rs.meta["per_folder"].push_back(
                    {{"tag", key.tag()},
                     {"sample",
                      {{"op", op == 0 ? "read" : "write"}, {"loop", loop}, {"folder", folders[f]},
                       {"gibps", figures[f][op] + 0.1 * loop}, {"seconds", 1.0}, {"error", ""}}}});
    Sample s;
    s.op = IoOp::Read;
    s.gibPerSec = 4.0;
    s.finishedAtMs = 1764590400000; // 2025-12-01 12:00 UTC
    rs.add(key, s);
    return rs;
}
} // namespace

class TestSweepSummary : public QObject {
    Q_OBJECT
  private slots:
    void initTestCase() { qputenv("TZ", "UTC"); }

    void caption() {
        const ResultSet rs = twoDriveSweep();
        QCOMPARE(sweepsummary::machine(rs), QString("node7 (x86_64, 16 CPUs, Linux 6.1.0)"));
        QCOMPARE(sweepsummary::drives(rs),
                 (QStringList{"nvme0n1 (Fast SSD)", "nvme1n1 (Fast SSD)"}));
        QCOMPARE(sweepsummary::ioSize(rs), QString("1G"));
        QCOMPARE(sweepsummary::profile(rs), QString("normal pages (recorded by an older aiotune)"));
        const QStringList lines = sweepsummary::caption(rs, QDateTime());
        QCOMPARE(lines.size(), 3);
        QCOMPARE(lines[0], QString("Machine: node7 (x86_64, 16 CPUs, Linux 6.1.0)"));
        QCOMPARE(lines[1], QString("Drives: nvme0n1 (Fast SSD), nvme1n1 (Fast SSD)"));
        QVERIFY2(lines[2].startsWith("I/O size: 1G · Measurement profile: normal pages (recorded by an older aiotune) · 2025-12-01"),
                 qPrintable(lines[2]));
    }

    void profileNamedInMetaWins() {
        ResultSet rs = twoDriveSweep();
        rs.meta["profile"] = "faithful";
        QCOMPARE(sweepsummary::profile(rs), QString("faithful"));
    }

    // DeepSpeed's own logs carry no metadata: the caption says so rather than guessing.
    void deepSpeedLogsSayUnknown() {
        ResultSet rs;
        const QDateTime when(QDate(2026, 1, 2), QTime(3, 4));
        const QStringList lines = sweepsummary::caption(rs, when);
        QCOMPARE(lines[0], QString("Machine: unknown"));
        QCOMPARE(lines[1], QString("Drives: unknown"));
        QCOMPARE(lines[2], QString("I/O size: unknown · Measurement profile: unknown (not recorded) · 2026-01-02 03:04"));
        QVERIFY(sweepsummary::perFolder(rs, ConfigKey{}).empty());
        QVERIFY(sweepsummary::perFolderText(rs, ConfigKey{}).isEmpty());
    }

    // A DeepSpeed folder's caption names its transfer size, as its report does.
    void deepSpeedFolderNamesItsTransferSize() {
        const ResultSet rs = fixtures::loadFixture("ds-0.15-sweep");
        const auto facts = aiotune::SweepFacts::fromResults(rs);
        QVERIFY(!facts.ioSize.empty());
        QCOMPARE(sweepsummary::ioSize(rs), QString::fromStdString(facts.ioSize));
        const QStringList lines = sweepsummary::caption(rs, QDateTime::currentDateTime());
        QVERIFY2(lines[2].startsWith("I/O size: " + QString::fromStdString(facts.ioSize) + " · "), qPrintable(lines[2]));
        QVERIFY(lines[2].contains(QString::fromStdString(facts.profile)));
    }

    void perDriveFigures() {
        const ResultSet rs = twoDriveSweep();
        ConfigKey key;
        key.folders = 2;
        const auto per = sweepsummary::perFolder(rs, key);
        QCOMPARE(per.size(), std::size_t(2));
        // Medians over the three loops: 3.1/2.1 on /mnt/a, 2.1/1.1 on /mnt/b.
        QCOMPARE(*per.at("/mnt/a").readGiBps, 3.1);
        QCOMPARE(*per.at("/mnt/a").writeGiBps, 2.1);
        QCOMPARE(*per.at("/mnt/b").readGiBps, 2.1);
        QCOMPARE(*per.at("/mnt/b").writeGiBps, 1.1);
        QCOMPARE(sweepsummary::perFolderText(rs, key),
                 QString("per drive: /mnt/a read 3.10 write 2.10 GiB/s; /mnt/b read 2.10 write 1.10 GiB/s"));
        // Another configuration has no per-drive entries.
        key.aio.queue_depth = 64;
        QVERIFY(sweepsummary::perFolder(rs, key).empty());
    }
};

QTEST_MAIN(TestSweepSummary)
#include "test_sweep_summary.moc"
