// Figures that cannot be true: medians above the drive's PCIe link (single
// folder, several folders at once, each folder's own), reads far above writes
// (page cache), DeepSpeed's logs (no folders: ratio only), hostile values;
// the link limits built from the fixture tree tests/fixtures/sysfs/server
// (nvme0 at 8 GT/s x4 holding /, nvme1 at 16 GT/s x4 on /mnt/nvme1, NFS on
// /shared); and `aiotune analyze` printing the flags.
#include "devices/device_discovery.h"
#include "devices/link_limits.h"
#include "devices/pcie_link.h"
#include "results/plausibility.h"

#include <QDir>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QTemporaryDir>
#include <QtTest>

#include <cmath>
#include <limits>
#include <tuple>

using namespace aiotune;

namespace {

constexpr double kGiB = 1024.0 * 1024.0 * 1024.0;
const std::string kServer = AIOTUNE_TEST_FIXTURES "/sysfs/server";

ConfigKey keyOf(int folders = 1, int threads = 8) {
    ConfigKey k;
    k.aio.block_size = 1 << 20;
    k.aio.queue_depth = 32;
    k.aio.intra_op_parallelism = threads;
    k.folders = folders;
    return k;
}

Sample sample(IoOp op, double gibps, const std::string& folder = {}, int loop = 0) {
    Sample s;
    s.op = op;
    s.gibPerSec = gibps;
    s.folder = folder;
    s.loop = loop;
    return s;
}

// Three loops of reads and writes of one folder (or none: DeepSpeed's logs).
ResultSet single(const std::vector<double>& reads, const std::vector<double>& writes,
                 const std::string& folder = "/d0") {
    ResultSet rs;
    for (std::size_t i = 0; i < reads.size(); ++i)
        rs.add(keyOf(), sample(IoOp::Read, reads[i], folder, int(i)));
    for (std::size_t i = 0; i < writes.size(); ++i)
        rs.add(keyOf(), sample(IoOp::Write, writes[i], folder, int(i)));
    return rs;
}

// Two folders at once: aggregate samples (no folder) plus each folder's own.
ResultSet twoFolders(double read, double write, double readA, double readB, double writeEach,
                     const std::string& a = "/d0", const std::string& b = "/d1") {
    ResultSet rs;
    for (int loop = 0; loop < 2; ++loop) {
        rs.add(keyOf(2), sample(IoOp::Read, read, {}, loop),
               {sample(IoOp::Read, readA, a, loop), sample(IoOp::Read, readB, b, loop)});
        rs.add(keyOf(2), sample(IoOp::Write, write, {}, loop),
               {sample(IoOp::Write, writeEach, a, loop), sample(IoOp::Write, writeEach, b, loop)});
    }
    return rs;
}

// 4 GiB/s per drive: /d0 and /d0b on nvme0n1, /d1 on nvme1n1; /x unknown.
LinkLimits limits() {
    LinkLimits l;
    l.byFolder["/d0"] = {"nvme0n1", 4 * kGiB, "8 GT/s x4"};
    l.byFolder["/d0b"] = {"nvme0n1", 4 * kGiB, "8 GT/s x4"};
    l.byFolder["/d1"] = {"nvme1n1", 4 * kGiB, "8 GT/s x4"};
    return l;
}

struct Expected {
    PlausibilityKind kind;
    IoOp op;
    std::string folder;
    double gibps;
    double limit;
};

struct Case {
    ResultSet results;
    LinkLimits limits;
    std::vector<Expected> flags;
};

const double kNaN = std::numeric_limits<double>::quiet_NaN();
const double kInf = std::numeric_limits<double>::infinity();

std::vector<Case>& cases() {
    using K = PlausibilityKind;
    static std::vector<Case> all = {
        // 0: median read 4.5 over a 4 GiB/s link (5% margin: 4.2); writes 3.0 fine.
        {single({4.4, 4.5, 4.6}, {3.0, 3.0, 3.0}),
         limits(),
         {{K::AboveLinkLimit, IoOp::Read, "", 4.5, 4.0}}},
        // 1: 4.19 is inside the margin.
        {single({4.19, 4.19, 4.19}, {3.0, 3.0, 3.0}), limits(), {}},
        // 2: one run above, the median below: not flagged (the median is judged).
        {single({3.0, 3.1, 9.0}, {3.0, 3.0, 3.0}), limits(), {}},
        // 3: writes above the link too.
        {single({3.0}, {5.0}), limits(), {{K::AboveLinkLimit, IoOp::Write, "", 5.0, 4.0}}},
        // 4: two drives at once: 7.9 is under their 8 GiB/s together.
        {twoFolders(7.9, 6.0, 3.9, 3.9, 3.0), limits(), {}},
        // 5: 8.9 is above the sum.
        {twoFolders(8.9, 6.0, 3.9, 3.9, 3.0),
         limits(),
         {{K::AboveLinkLimit, IoOp::Read, "", 8.9, 8.0}}},
        // 6: two folders on one drive share its link: 6 is above 4.
        {twoFolders(6.0, 4.0, 3.0, 3.0, 2.0, "/d0", "/d0b"),
         limits(),
         {{K::AboveLinkLimit, IoOp::Read, "", 6.0, 4.0}}},
        // 7: one folder's own reads above its drive, the aggregate fine.
        {twoFolders(6.0, 6.0, 3.0, 5.0, 3.0),
         limits(),
         {{K::AboveLinkLimit, IoOp::Read, "/d1", 5.0, 4.0}}},
        // 8: one folder's drive unknown: no aggregate limit; the known folder still judged.
        {twoFolders(20.0, 10.0, 3.0, 3.0, 5.0, "/d0", "/x"),
         limits(),
         {{K::AboveLinkLimit, IoOp::Write, "/d0", 5.0, 4.0}}},
        // 9: reads 4x writes, no link known: page cache suspected.
        {single({8.0, 8.0}, {2.0, 2.0}, "/elsewhere"),
         limits(),
         {{K::PageCacheSuspected, IoOp::Read, "", 8.0, 2.0}}},
        // 10: reads 2x writes: normal for a drive.
        {single({4.0, 4.0}, {2.0, 2.0}, "/elsewhere"), limits(), {}},
        // 11: reads only: no ratio; no link known either.
        {single({40.0}, {}, "/elsewhere"), limits(), {}},
        // 12: reads only on a known drive: the link still bounds them.
        {single({40.0}, {}), limits(), {{K::AboveLinkLimit, IoOp::Read, "", 40.0, 4.0}}},
        // 13: DeepSpeed's logs (no folder): ratio only, even with limits at hand.
        {single({50.0}, {5.0}, ""), limits(), {{K::PageCacheSuspected, IoOp::Read, "", 50.0, 5.0}}},
        // 14: both above the link and reads 10x writes: both said.
        {single({10.0}, {1.0}),
         limits(),
         {{K::AboveLinkLimit, IoOp::Read, "", 10.0, 4.0},
          {K::PageCacheSuspected, IoOp::Read, "", 10.0, 1.0}}},
        // 15: zero writes are not a figure: no ratio; NaN and negative reads are not judged.
        {single({8.0}, {0.0}, "/elsewhere"), limits(), {}},
        {single({kNaN}, {1.0}), limits(), {}},
        {single({-9.0}, {-1.0}), limits(), {}},
        // 18: an overflowed (infinite) figure is not judged either: no "inf" in a message.
        {single({kInf}, {1.0}), limits(), {}},
        // 19: failed samples do not count: the successful median is 3.0.
        {[] {
             ResultSet rs = single({3.0}, {3.0});
             Sample bad = sample(IoOp::Read, 99.0, "/d0", 1);
             bad.error = "EIO";
             rs.add(keyOf(), bad);
             return rs;
         }(),
         limits(),
         {}},
        // 20: a key claiming a million folders with two known: no aggregate limit.
        {[] {
             ResultSet rs;
             ConfigKey k = keyOf(1000000);
             rs.add(k, sample(IoOp::Read, 100.0),
                    {sample(IoOp::Read, 3.0, "/d0"), sample(IoOp::Read, 3.0, "/d1")});
             return rs;
         }(),
         limits(),
         {}},
        // 21: huge figures read back from a damaged file: flagged, in short form.
        {single({1e300}, {1e300}),
         limits(),
         {{K::AboveLinkLimit, IoOp::Read, "", 1e300, 4.0},
          {K::AboveLinkLimit, IoOp::Write, "", 1e300, 4.0}}},
        // 22: one configuration run on two folders one at a time: each on its own drive.
        {[] {
             ResultSet rs = single({3.0}, {3.0}, "/d0");
             rs.add(keyOf(), sample(IoOp::Read, 6.0, "/d1", 1));
             rs.add(keyOf(), sample(IoOp::Write, 3.0, "/d1", 1));
             return rs;
         }(),
         limits(),
         {{K::AboveLinkLimit, IoOp::Read, "/d1", 6.0, 4.0}}},
    };
    return all;
}

struct Run {
    int code = -1;
    QByteArray out, err;
};
Run runCli(const QStringList& args) {
    QProcess p;
    p.start(AIOTUNE_CLI, args);
    p.waitForFinished(60000);
    return {p.exitStatus() == QProcess::NormalExit ? p.exitCode() : -1, p.readAllStandardOutput(),
            p.readAllStandardError()};
}

void writeText(const QString& path, const QByteArray& text) {
    QFile f(path);
    QVERIFY(f.open(QIODevice::WriteOnly));
    f.write(text);
}

// A sweep.json of one configuration with one read and one write sample.
QByteArray sweepJson(const QString& host, const QString& folder, const QString& read,
                     const QString& write) {
    return QStringLiteral(R"({"format": "aiotune-sweep", "version": 2, "engine": "io_uring",
  "status": "finished", "host": "%1", "meta": {"system": {"host": "%1"}},
  "configs": [{"key": {"block_size": 1048576, "queue_depth": 32, "intra_op_parallelism": 8,
                       "single_submit": false, "overlap_events": true, "use_gds": false, "folders": 1},
               "samples": [{"op": "read", "loop": 0, "gibps": %3, "folder": "%2"},
                           {"op": "write", "loop": 0, "gibps": %4, "folder": "%2"}]}]})")
        .arg(host, folder, read, write)
        .toUtf8();
}

DiscoveryReport serverReport() {
    DiscoveryOptions o;
    o.sysRoot = kServer + "/sys";
    o.procRoot = kServer + "/proc";
    return discoverForLinkLimits(o);
}

} // namespace

class TestPlausibility : public QObject {
    Q_OBJECT
  private slots:
    void flags_data() {
        QTest::addColumn<int>("index");
        const char* names[] = {"read above link",
                               "read just below margin",
                               "one run above, median below",
                               "write above link",
                               "two drives under sum",
                               "two drives above sum",
                               "two folders one drive",
                               "one folder's own above",
                               "one drive unknown",
                               "reads 4x writes",
                               "reads 2x writes",
                               "read only, no link",
                               "read only, known link",
                               "DeepSpeed logs ratio only",
                               "above link and 10x",
                               "zero writes",
                               "NaN read",
                               "negative figures",
                               "infinite read",
                               "failed samples ignored",
                               "a million folders",
                               "huge figures",
                               "one config, two folders in turn"};
        static_assert(std::size(names) == 23);
        QCOMPARE(cases().size(), std::size(names));
        for (int i = 0; i < int(std::size(names)); ++i)
            QTest::addRow("%s", names[i]) << i;
    }
    void flags() {
        QFETCH(int, index);
        const Case& c = cases()[std::size_t(index)];
        const auto flags = checkPlausibility(c.results, c.limits);
        QCOMPARE(flags.size(), c.flags.size());
        for (std::size_t i = 0; i < flags.size(); ++i) {
            const PlausibilityFlag& got = flags[i];
            const Expected& want = c.flags[i];
            QCOMPARE(int(got.kind), int(want.kind));
            QCOMPARE(int(got.op), int(want.op));
            QCOMPARE(got.folder, want.folder);
            QCOMPARE(got.gibps, want.gibps);
            QCOMPARE(got.limitGiBps, want.limit);
            QVERIFY(got.key == c.results.configs.front().key);
            // The message names the configuration, the median, the limit and what to do.
            const QString m = QString::fromStdString(got.message);
            QVERIFY2(m.startsWith(QString::fromStdString(got.key.tag())), qPrintable(m));
            QVERIFY2(m.contains("median"), qPrintable(m));
            QVERIFY2(m.contains("O_DIRECT") && m.contains("measure on the NVMe drive itself"),
                     qPrintable(m));
            QVERIFY2(!m.contains("inf") && !m.contains("nan"), qPrintable(m));
            if (want.gibps < 1e6) {
                QVERIFY2(m.contains(QString::number(want.gibps, 'f', 2)), qPrintable(m));
                QVERIFY2(m.contains(QString::number(want.limit, 'f', 2)), qPrintable(m));
            }
            if (!want.folder.empty())
                QVERIFY2(m.contains(QString::fromStdString(" on " + want.folder)), qPrintable(m));
        }
    }

    // Reads are judged against the best write of the same file: one slow,
    // noisy write does not flag its configuration; a read far above every
    // write does, naming the configuration that wrote best.
    void ratioAgainstBestWriteOfTheFile() {
        ResultSet rs = single({3.0}, {0.8}, "/d9"); // 3.75x its own write
        rs.add(keyOf(1, 2), sample(IoOp::Read, 2.8, "/d9"));
        rs.add(keyOf(1, 2), sample(IoOp::Write, 2.0, "/d9"));
        QVERIFY(checkPlausibility(rs).empty());

        rs.add(keyOf(1, 4), sample(IoOp::Read, 9.0, "/d9"));
        rs.add(keyOf(1, 4), sample(IoOp::Write, 1.0, "/d9"));
        auto flags = checkPlausibility(rs);
        QCOMPARE(flags.size(), std::size_t(1));
        QVERIFY(flags[0].key == keyOf(1, 4));
        QCOMPARE(flags[0].limitGiBps, 2.0);
        QVERIFY2(flags[0].message.find("4.5x the best median write of the same file, 2.00 GiB/s (" +
                                       keyOf(1, 2).tag() + ")") != std::string::npos,
                 flags[0].message.c_str());

        // Another folder's writes are another file: they do not count.
        ResultSet two = single({3.0}, {0.8}, "/d9");
        two.add(keyOf(1, 2), sample(IoOp::Read, 3.0, "/other"));
        two.add(keyOf(1, 2), sample(IoOp::Write, 3.0, "/other"));
        flags = checkPlausibility(two);
        QCOMPARE(flags.size(), std::size_t(1));
        QCOMPARE(flags[0].limitGiBps, 0.8);
    }

    void messagesNameTheLinks() {
        auto flags = checkPlausibility(cases()[5].results, limits());
        QCOMPARE(flags.size(), std::size_t(1));
        QVERIFY2(
            flags[0].message.find("2 drives nvme0n1 (8 GT/s x4), nvme1n1 (8 GT/s x4) together") !=
                std::string::npos,
            flags[0].message.c_str());
        flags = checkPlausibility(cases()[0].results, limits());
        QVERIFY2(flags[0].message.find("the PCIe link of nvme0n1 (8 GT/s x4)") != std::string::npos,
                 flags[0].message.c_str());
        flags = checkPlausibility(cases()[9].results);
        QVERIFY2(flags[0].message.find("4.0x the median write 2.00") != std::string::npos,
                 flags[0].message.c_str());
        QVERIFY2(flags[0].message.find("page cache") != std::string::npos,
                 flags[0].message.c_str());
    }

    void json() {
        const auto flags = checkPlausibility(cases()[14].results, limits());
        const auto perFolder = checkPlausibility(cases()[7].results, limits());
        auto all = flags;
        all.insert(all.end(), perFolder.begin(), perFolder.end());
        const auto j = plausibilityJson(all);
        QVERIFY(j.is_array());
        QCOMPARE(j.size(), std::size_t(3));
        QCOMPARE(j[0]["config"].get<std::string>(), keyOf().tag());
        QCOMPARE(j[0]["op"].get<std::string>(), std::string("read"));
        QCOMPARE(j[0]["kind"].get<std::string>(), std::string("above_link_limit"));
        QCOMPARE(j[0]["gib_per_s"].get<double>(), 10.0);
        QCOMPARE(j[0]["limit_gib_per_s"].get<double>(), 4.0);
        QVERIFY(!j[0].contains("write_gib_per_s") && !j[0].contains("folder"));
        QCOMPARE(j[1]["kind"].get<std::string>(), std::string("page_cache_suspected"));
        QCOMPARE(j[1]["write_gib_per_s"].get<double>(), 1.0);
        QVERIFY(!j[1].contains("limit_gib_per_s"));
        QCOMPARE(j[1]["message"].get<std::string>(), flags[1].message);
        QCOMPARE(j[2]["folder"].get<std::string>(), std::string("/d1"));
        QVERIFY(plausibilityJson({}).is_array() && plausibilityJson({}).empty());
    }

    void recordedFoldersAndHost() {
        const ResultSet rs = twoFolders(6.0, 6.0, 3.0, 3.0, 3.0, "/b", "/a");
        QCOMPARE(recordedFolders(rs), (std::vector<std::string>{"/b", "/a"}));
        QVERIFY(recordedFolders(single({1.0}, {1.0}, "")).empty());
        ResultSet labelled;
        labelled.host = "node07"; // a fleet's label; the machine's own name is in meta
        QCOMPARE(recordingHost(labelled), std::string("node07"));
        labelled.meta = {{"system", {{"host", "gpu-server-3"}}}};
        QCOMPARE(recordingHost(labelled), std::string("gpu-server-3"));
        labelled.meta = {{"system", {{"host", 42}}}}; // damaged: falls back to the label
        QCOMPARE(recordingHost(labelled), std::string("node07"));
    }

    // The fixture server: nvme0 trained at 8 GT/s x4 holds /, nvme1 at 16 GT/s x4 /mnt/nvme1.
    void linkLimitsFromSysfs() {
        const DiscoveryReport report = serverReport();
        QVERIFY(!report.devices.empty());
        const LinkLimits l = linkLimitsForFolders(
            {"/mnt/nvme1/aio", "/home/me/swap", "/shared/data", "/proc", ""}, report);
        QCOMPARE(l.byFolder.size(), std::size_t(2));
        const DriveLink* fast = l.find("/mnt/nvme1/aio");
        QVERIFY(fast);
        QCOMPARE(fast->drive, std::string("nvme1n1"));
        QCOMPARE(fast->link, std::string("16 GT/s x4"));
        QCOMPARE(fast->bytesPerSecond, pcieBytesPerSecond(16, 4));
        const DriveLink* slow = l.find("/home/me/swap");
        QVERIFY(slow);
        QCOMPARE(slow->drive, std::string("nvme0n1"));
        QCOMPARE(slow->link, std::string("8 GT/s x4"));
        QCOMPARE(slow->bytesPerSecond, pcieBytesPerSecond(8, 4));
        QVERIFY(!l.find("/shared/data")); // NFS: no drive of its own
        QVERIFY(!l.find("/proc"));

        // The limits at work: 5 GiB/s on nvme0n1 (3.67 GiB/s) is flagged, on nvme1n1 (7.34) not.
        const auto onSlow = checkPlausibility(single({5.0}, {3.0}, "/home/me/swap"), l);
        QCOMPARE(onSlow.size(), std::size_t(1));
        QCOMPARE(onSlow[0].limitGiBps, pcieBytesPerSecond(8, 4) / kGiB);
        QVERIFY(checkPlausibility(single({5.0}, {3.0}, "/mnt/nvme1/aio"), l).empty());
    }

    void linkLimitsOfRecordedFolders() {
        const DiscoveryReport report = serverReport();
        QTemporaryDir here; // exists, so it counts; under "/" in the fixture's mounts: nvme0n1
        QVERIFY(here.isValid());
        const std::string existing = here.path().toStdString();
        const std::vector<std::string> folders{existing, "/mnt/nvme1/gone"};
        const LinkLimits same = linkLimitsForRecordedFolders(folders, "hostA", "hostA", report);
        QCOMPARE(same.byFolder.size(), std::size_t(1));
        QVERIFY(same.find(existing));
        QCOMPARE(same.find(existing)->drive, std::string("nvme0n1"));
        QVERIFY(linkLimitsForRecordedFolders(folders, "hostB", "hostA", report).empty());
        QVERIFY(linkLimitsForRecordedFolders(folders, "", "", report).empty());
        QVERIFY(!thisHostName().empty());
    }

    void analyzeJsonCarriesFlags() {
        QTemporaryDir dir;
        QVERIFY(dir.isValid());
        // Recorded on another machine: only the ratio is judged.
        writeText(dir.filePath("sweep.json"), sweepJson("elsewhere-01", "/data/aio", "8.0", "2.0"));
        Run r = runCli({"analyze", "--json", dir.path()});
        QVERIFY2(r.code == 0, r.err.constData());
        const QJsonObject j = QJsonDocument::fromJson(r.out).object();
        const QJsonArray flags = j.value("plausibility").toArray();
        QCOMPARE(flags.size(), 1);
        const QJsonObject f = flags[0].toObject();
        QCOMPARE(f.value("kind").toString(), QStringLiteral("page_cache_suspected"));
        QCOMPARE(f.value("op").toString(), QStringLiteral("read"));
        QCOMPARE(f.value("config").toString(), QStringLiteral("block_overlap_ftd1_d32_bs1M_p8"));
        QCOMPARE(f.value("gib_per_s").toDouble(), 8.0);
        QCOMPARE(f.value("write_gib_per_s").toDouble(), 2.0);
        QVERIFY(f.value("message").toString().contains("page cache"));

        // Without --json: a warning line on stderr, the answer on stdout as before.
        r = runCli({"analyze", dir.path()});
        QVERIFY2(r.code == 0, r.err.constData());
        QVERIFY2(r.err.contains("aiotune analyze: warning: block_overlap_ftd1_d32_bs1M_p8: median "
                                "read 8.00 GiB/s is "
                                "4.0x the median write 2.00"),
                 r.err.constData());
        QVERIFY(!r.out.contains("warning"));

        // A clean folder: the key is there, empty.
        writeText(dir.filePath("sweep.json"), sweepJson("elsewhere-01", "/data/aio", "2.5", "2.0"));
        r = runCli({"analyze", "--json", dir.path()});
        QVERIFY2(r.code == 0, r.err.constData());
        const QJsonValue empty = QJsonDocument::fromJson(r.out).object().value("plausibility");
        QVERIFY(empty.isArray());
        QVERIFY(empty.toArray().isEmpty());
    }

    // `aiotune sweep --json`: the key is always there; a replay judges the recording.
    void sweepJsonCarriesFlags() {
        QTemporaryDir dir;
        QVERIFY(dir.isValid());
        QDir().mkpath(dir.filePath("scratch"));
        Run r = runCli({"sweep",
                        "--nvme_dir",
                        dir.filePath("scratch"),
                        "--io_size",
                        "1M",
                        "--block_size",
                        "256K",
                        "--queue_depth",
                        "2",
                        "--io_parallel",
                        "1",
                        "--single_submit",
                        "false",
                        "--overlap_events",
                        "true",
                        "--loops",
                        "1",
                        "--log_dir",
                        dir.filePath("logs"),
                        "--json"});
        QVERIFY2(r.code == 0, r.err.constData());
        QVERIFY2(QJsonDocument::fromJson(r.out).object().value("plausibility").isArray(),
                 r.out.constData());

        // A recording of three loops, one configuration reading at 4.5x the best write.
        QString configs;
        for (const auto& [threads, read, write] :
             {std::tuple{1, "2.0", "1.9"}, std::tuple{2, "9.0", "2.0"},
              std::tuple{4, "2.2", "1.8"}}) {
            QString samples;
            for (int loop = 0; loop < 3; ++loop)
                samples += QStringLiteral(
                               R"({"op": "read", "loop": %1, "gibps": %2, "folder": "/data/aio"},
                                             {"op": "write", "loop": %1, "gibps": %3, "folder": "/data/aio"},)")
                               .arg(loop)
                               .arg(read, write);
            samples.chop(1);
            configs +=
                QStringLiteral(
                    R"({"key": {"block_size": 1048576, "queue_depth": 32, "intra_op_parallelism": %1,
                "single_submit": false, "overlap_events": true, "use_gds": false, "folders": 1}, "samples": [%2]},)")
                    .arg(threads)
                    .arg(samples);
        }
        configs.chop(1);
        QDir().mkpath(dir.filePath("recorded"));
        writeText(dir.filePath("recorded/sweep.json"),
                  QStringLiteral(R"({"format": "aiotune-sweep", "version": 2, "engine": "io_uring",
                      "status": "finished", "host": "elsewhere-01", "configs": [%1]})")
                      .arg(configs)
                      .toUtf8());
        r = runCli({"sweep", "--replay", dir.filePath("recorded"), "--json"});
        QVERIFY2(r.code == 0 || r.code == 1, r.err.constData());
        const QJsonArray flags =
            QJsonDocument::fromJson(r.out).object().value("plausibility").toArray();
        QCOMPARE(flags.size(), 1);
        QCOMPARE(flags[0].toObject().value("config").toString(),
                 QStringLiteral("block_overlap_ftd1_d32_bs1M_p2"));
        QCOMPARE(flags[0].toObject().value("write_gib_per_s").toDouble(), 2.0);
        r = runCli({"sweep", "--replay", dir.filePath("recorded")});
        QVERIFY2(r.err.contains(
                     "aiotune sweep: warning: block_overlap_ftd1_d32_bs1M_p2: median read 9.00"),
                 r.err.constData());
    }

    // Hand-written hostile files: nothing crashes, nothing bogus is flagged;
    // a figure no machine measures is refused where it is read (issue 17).
    void analyzeHostileFigures_data() {
        QTest::addColumn<QString>("read");
        QTest::addColumn<QString>("write");
        QTest::addColumn<int>("flags");
        QTest::addColumn<QString>("refusal"); // flags < 0: what the reader says
        QTest::addRow("zero write") << "8.0"
                                    << "0" << -1 << "\"gibps\" is zero";
        QTest::addRow("negative") << "-8.0"
                                  << "-1" << -1 << "\"gibps\" is negative";
        QTest::addRow("overflowing read") << "1e400"
                                          << "2.0" << -1 << "sweep.json is not valid JSON";
        QTest::addRow("huge read") << "1e300"
                                   << "2.0" << -1 << "beyond any real machine";
        QTest::addRow("tiny write") << "1.0"
                                    << "1e-300" << 1 << "";
    }
    void analyzeHostileFigures() {
        QFETCH(QString, read);
        QFETCH(QString, write);
        QFETCH(int, flags);
        QFETCH(QString, refusal);
        QTemporaryDir dir;
        writeText(dir.filePath("sweep.json"), sweepJson("elsewhere-01", "/data/aio", read, write));
        const Run r = runCli({"analyze", "--json", dir.path()});
        if (flags < 0) {
            QCOMPARE(r.code, 1);
            QVERIFY2(r.err.contains(refusal.toUtf8()) && r.err.contains("sweep.json"), r.err.constData());
            QVERIFY(r.out.isEmpty());
            return;
        }
        QVERIFY2(r.code == 0 || r.code == 1,
                 r.err.constData()); // 1: no best (a figure is not usable)
        QJsonParseError error{};
        const QJsonObject j = QJsonDocument::fromJson(r.out, &error).object();
        QVERIFY2(error.error == QJsonParseError::NoError, r.out.constData());
        QCOMPARE(j.value("plausibility").toArray().size(), flags);
    }
};

QTEST_MAIN(TestPlausibility)
#include "test_plausibility.moc"
