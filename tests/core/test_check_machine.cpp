// aiotune check, machine half: the drive, memory and libaio checks against
// the fixture tree tests/fixtures/sysfs/server (two NVMe drives, nvme0
// trained at 8 of 16 GT/s behind a strict IOMMU on NUMA node 1, a cgroup
// limit of 8 GiB, two GPUs), real folders for nvme_path, and real tmpfs and
// ext4 mounts when running as root.
#include "check/machine_check.h"
#include "check/preflight.h"
#include "check/swap_footprint.h"
#include "devices/device_discovery.h"
#include "devices/pcie_link.h"

#include <QtTest>

#include <filesystem>
#include <fstream>
#include <regex>
#include <sstream>

#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>

using namespace aiotune;
namespace fs = std::filesystem;

namespace {

const std::string kServer = AIOTUNE_TEST_FIXTURES "/sysfs/server";
const std::string kConfigs = AIOTUNE_TEST_FIXTURES "/check/configs/";

std::string readAll(const std::string& path) {
    std::ifstream in(path);
    std::ostringstream s;
    s << in.rdbuf();
    return s.str();
}

void writeFile(const fs::path& path, const std::string& text) {
    fs::create_directories(path.parent_path());
    std::ofstream(path) << text;
}

// A fixture config with its "@NVME@" placeholders pointing at nvmePath and
// aio settings replaced when given.
std::string writeConfig(const fs::path& dir, const std::string& fixture, const std::string& nvmePath,
                        const std::string& aioJson = {}) {
    std::string text = std::regex_replace(readAll(kConfigs + fixture + ".json"), std::regex("@NVME@"), nvmePath);
    if (!aioJson.empty()) {
        auto j = nlohmann::ordered_json::parse(text, nullptr, true, true);
        j["aio"] = nlohmann::ordered_json::parse(aioJson);
        text = j.dump(2);
    }
    const fs::path file = dir / (fixture + ".json");
    writeFile(file, text);
    return file.string();
}

QString describe(const CheckReport& r) { return QString::fromStdString(formatReport(r)); }

const CheckFinding* find(const CheckReport& r, const std::string& code) {
    for (const auto& f : r.findings)
        if (f.code == code) return &f;
    return nullptr;
}

} // namespace

class TestCheckMachine : public QObject {
    Q_OBJECT

    // Folders on the build disk (O_DIRECT works there), removed afterwards.
    QTemporaryDir m_tmp{QDir::currentPath() + "/check-machine-XXXXXX"};
    fs::path m_procRoot; // the fixture's proc tree plus mounts for this run's folders
    int m_configs = 0;

    PreflightOptions options(const std::string& config) {
        PreflightOptions o;
        o.configFile = config;
        o.versionGiven = true;
        o.machine.sysRoot = kServer + "/sys";
        o.machine.procRoot = m_procRoot.string();
        o.machine.cgroupRoot = kServer + "/cgroup";
        o.machine.libaioLoadable = [] { return true; };
        o.machine.memlockLimit = []() -> std::optional<std::uint64_t> { return std::nullopt; };
        o.machine.includeDirs = {m_tmp.path().toStdString() + "/include"};
        o.nvmePath.fsSpace = [](const std::string&) -> std::optional<FsSpace> {
            return FsSpace{900ull << 30, 1800ull << 30};
        };
        return o;
    }

    CheckReport run(const PreflightOptions& o) {
        auto r = runPreflight(o);
        if (!r) qFatal("%s", r.error().c_str());
        return *r;
    }

  private slots:
    void initTestCase() {
        QVERIFY(m_tmp.isValid());
        const fs::path tmp = m_tmp.path().toStdString();
        writeFile(tmp / "include" / "libaio.h", "/* present */\n");
        // The fixture's proc tree, with three of this run's folders mounted
        // as NFS, tmpfs and read-only ext4 (mountinfo is all the check reads).
        m_procRoot = tmp / "proc";
        fs::copy(kServer + "/proc", m_procRoot, fs::copy_options::recursive);
        for (const char* d : {"nfs", "ram", "ro"}) fs::create_directories(tmp / d);
        std::ofstream(m_procRoot / "self" / "mountinfo", std::ios::app)
            << "40 28 0:60 / " << (tmp / "nfs").string() << " rw,relatime - nfs4 files:/export rw\n"
            << "41 28 0:61 / " << (tmp / "ram").string() << " rw,relatime - tmpfs tmpfs rw\n"
            << "42 28 259:1 / " << (tmp / "ro").string() << " ro,relatime - ext4 /dev/nvme0n1p1 ro\n";
    }

    void pcieLinkFromSysfs() {
        DiscoveryOptions o;
        o.sysRoot = kServer + "/sys";
        o.procRoot = kServer + "/proc";
        o.fsSpace = nullptr;
        const auto report = DeviceDiscovery(o).discover();
        QVERIFY2(report.ok(), report.error().c_str());
        QCOMPARE(report->devices.size(), std::size_t(2));
        const BlockDevice& d0 = report->devices[0];
        QCOMPARE(QString::fromStdString(d0.name), QStringLiteral("nvme0n1"));
        QVERIFY(d0.pcieLink.has_value());
        QCOMPARE(QString::fromStdString(d0.pcieLink->pciAddress), QStringLiteral("0000:3d:00.0"));
        QCOMPARE(d0.pcieLink->currentGTps.value_or(0), 8.0);
        QCOMPARE(d0.pcieLink->maxGTps.value_or(0), 16.0);
        QCOMPARE(d0.pcieLink->currentWidth.value_or(0), 4);
        QCOMPARE(d0.pcieLink->maxWidth.value_or(0), 4);
        QVERIFY(d0.pcieLink->belowMax());
        QCOMPARE(QString::fromStdString(d0.iommuType), QStringLiteral("DMA"));
        QCOMPARE(d0.numaNode.value_or(-5), 1);
        const BlockDevice& d1 = report->devices[1];
        QVERIFY(d1.pcieLink.has_value());
        QVERIFY(!d1.pcieLink->belowMax());
        QCOMPARE(QString::fromStdString(d1.iommuType), QStringLiteral("identity"));
        QCOMPARE(countNumaNodes(kServer + "/sys"), 2);
    }

    void linkSpeedText_data() {
        QTest::addColumn<QString>("text");
        QTest::addColumn<double>("gtps"); // 0: unreadable
        QTest::addRow("new kernels") << "16.0 GT/s PCIe" << 16.0;
        QTest::addRow("old kernels") << "8 GT/s" << 8.0;
        QTest::addRow("gen1") << "2.5 GT/s PCIe" << 2.5;
        QTest::addRow("unknown") << "Unknown" << 0.0;
        QTest::addRow("empty") << "" << 0.0;
        QTest::addRow("no unit") << "16" << 0.0;
        QTest::addRow("negative") << "-8 GT/s" << 0.0;
    }
    void linkSpeedText() {
        QFETCH(QString, text);
        QFETCH(double, gtps);
        QCOMPARE(parseLinkSpeed(text.toStdString()).value_or(0.0), gtps);
    }

    void linkBandwidth() {
        // PCIe 4.0 x4: 16 GT/s, 128b/130b, 4 lanes: 7.88 GB/s each way.
        QCOMPARE(qRound64(pcieBytesPerSecond(16.0, 4) / 1e6), qint64(7877));
        // PCIe 2.0 x4: 5 GT/s, 8b/10b: 2 GB/s.
        QCOMPARE(qRound64(pcieBytesPerSecond(5.0, 4) / 1e6), qint64(2000));
    }

    // Every machine finding the fixture tree should raise for an nvme_path on nvme0.
    void machineFindings_data() {
        QTest::addColumn<QString>("code");
        QTest::addColumn<QString>("severity");
        QTest::addColumn<QString>("mentions");
        QTest::addRow("link") << "PCIE_LINK_DEGRADED" << "warning" << "8 GT/s x4 (max 16 GT/s x4)";
        QTest::addRow("scheduler") << "IO_SCHEDULER" << "note" << "mq-deadline";
        QTest::addRow("iommu") << "IOMMU_STRICT" << "note" << "strict";
        QTest::addRow("numa") << "NUMA_NODE" << "note" << "NUMA node 1 of 2";
        QTest::addRow("two drives") << "SEVERAL_NVME_ONE_PATH" << "warning" << "nvme0n1, nvme1n1";
        QTest::addRow("drive") << "NVME_PATH_DRIVE" << "note" << "nvme0n1 (nvme0n1p1), ext4";
        // The optimizer's buffers may take 4 x sub_group_size 1e9 x 4 bytes per
        // rank (swap_tensor/optimizer_utils.py): only that upper bound passes
        // the fixture cgroup's 8 GiB, so a warning, not an error.
        QTest::addRow("pinned") << "PINNED_OVER_CGROUP" << "warning" << "2 ranks (one per GPU seen) page-lock 2.0 GiB to 35.5 GiB";
        QTest::addRow("no sweep") << "NOT_MEASURED" << "note" << "no measurement on nvme0n1";
    }
    void machineFindings() {
        QFETCH(QString, code);
        QFETCH(QString, severity);
        QFETCH(QString, mentions);
        const fs::path dir = fs::path(m_tmp.path().toStdString()) / "clean";
        fs::create_directories(dir);
        const CheckReport r = run(options(writeConfig(dir, "clean", dir.string())));
        const CheckFinding* f = find(r, code.toStdString());
        QVERIFY2(f, qPrintable(describe(r)));
        QCOMPARE(QString::fromLatin1(severityName(f->severity).data()), severity);
        QVERIFY2(QString::fromStdString(f->message).contains(mentions), f->message.c_str());
        QCOMPARE(r.errors(), 0);
    }

    void libaio() {
        const fs::path dir = fs::path(m_tmp.path().toStdString()) / "libaio";
        fs::create_directories(dir);
        PreflightOptions o = options(writeConfig(dir, "clean", dir.string()));
        o.machine.libaioLoadable = [] { return false; };
        o.machine.includeDirs = {dir.string()};
        const CheckReport r = run(o);
        QVERIFY2(find(r, "LIBAIO_MISSING") && find(r, "LIBAIO_MISSING")->severity == FindingSeverity::Error,
                 qPrintable(describe(r)));
        QVERIFY2(find(r, "LIBAIO_DEV_MISSING") && find(r, "LIBAIO_DEV_MISSING")->severity == FindingSeverity::Warning,
                 qPrintable(describe(r)));
        // The real loader on this machine (install-deps installs libaio).
        QVERIFY(MachineCheckOptions::defaultLibaioLoadable());
    }

    void pinnedMemory_data() {
        QTest::addColumn<qulonglong>("perRank");
        QTest::addColumn<qulonglong>("memlock"); // 0: unlimited
        QTest::addColumn<QString>("code");
        QTest::addColumn<QString>("severity");
        QTest::addRow("fits") << (1ull << 30) << 0ull << "PINNED_MEMORY" << "note";
        QTest::addRow("over memlock") << (1ull << 30) << (64ull << 20) << "PINNED_OVER_MEMLOCK" << "error";
        // Two GPUs: 2 x 5 GiB over the fixture cgroup's 8 GiB.
        QTest::addRow("over cgroup") << (5ull << 30) << 0ull << "PINNED_OVER_CGROUP" << "error";
    }
    void pinnedMemory() {
        QFETCH(qulonglong, perRank);
        QFETCH(qulonglong, memlock);
        QFETCH(QString, code);
        QFETCH(QString, severity);
        MachineCheckOptions o;
        o.procRoot = kServer + "/proc";
        o.cgroupRoot = kServer + "/cgroup";
        o.memlockLimit = [memlock]() -> std::optional<std::uint64_t> {
            if (memlock == 0) return std::nullopt;
            return memlock;
        };
        const MemoryFacts facts = readMemoryFacts(o);
        QCOMPARE(facts.gpus, 2);
        QCOMPARE(facts.cgroupLimit.value_or(0), 8ull << 30);
        QVERIFY(QString::fromStdString(facts.cgroupLimitFile).endsWith("slurm/job42/memory.max"));
        QCOMPARE(facts.memAvailable.value_or(0), 251658240ull * 1024);
        const auto findings = checkPinnedMemory(perRank, facts, false);
        const auto it = std::find_if(findings.begin(), findings.end(),
                                     [&](const CheckFinding& f) { return f.code == code.toStdString(); });
        QVERIFY(it != findings.end());
        QCOMPARE(QString::fromLatin1(severityName(it->severity).data()), severity);
    }

    // Each aio handle reserves (threads + 1) x queue_depth kernel events
    // (csrc/aio/py_lib/deepspeed_py_io_handle.cpp, deepspeed_aio_types.cpp).
    void aioEventHeadroom_data() {
        QTest::addColumn<qulonglong>("max");
        QTest::addColumn<qulonglong>("used");
        QTest::addColumn<bool>("refused");
        // 2 GPUs x 3 handles x (8 + 1) x 128 = 6912 events.
        QTest::addRow("default 65536, idle") << 65536ull << 0ull << false;
        QTest::addRow("6911 free") << 65536ull << 58625ull << true;
        QTest::addRow("6912 free") << 65536ull << 58624ull << false;
    }
    void aioEventHeadroom() {
        QFETCH(qulonglong, max);
        QFETCH(qulonglong, used);
        QFETCH(bool, refused);
        QTemporaryDir proc;
        QVERIFY(QDir(proc.path()).mkpath("sys/fs"));
        QFile a(proc.filePath("sys/fs/aio-max-nr"));
        QVERIFY(a.open(QIODevice::WriteOnly));
        a.write(QByteArray::number(max) + "\n");
        a.close();
        QFile b(proc.filePath("sys/fs/aio-nr"));
        QVERIFY(b.open(QIODevice::WriteOnly));
        b.write(QByteArray::number(used) + "\n");
        b.close();
        AioEventNeeds needs;
        needs.handles = 3; // parameter read + write, optimizer
        needs.threads = 8;
        needs.queueDepth = 128;
        const auto findings = checkAioEvents(needs, 2, proc.path().toStdString());
        QCOMPARE(findings.size(), std::size_t(refused ? 1 : 0));
        if (refused) {
            QCOMPARE(findings[0].code, std::string("AIO_MAX_NR_LOW"));
            QCOMPARE(findings[0].severity, FindingSeverity::Error);
            QVERIFY2(findings[0].message.find("6912") != std::string::npos,
                     findings[0].message.c_str());
        }
    }

    // nvme_path on folders of every kind (the mounts come from the mountinfo above).
    void nvmePath_data() {
        QTest::addColumn<QString>("path"); // relative to the temporary folder; "/dev/null" as is
        QTest::addColumn<QString>("code");
        QTest::addColumn<QString>("severity");
        QTest::addRow("missing, parent writable") << "not/yet/there" << "NVME_PATH_WILL_BE_CREATED" << "warning";
        // /scratch -> /mnt/nvme0, nvme_path /scratch/swap: the link is followed,
        // not reported as a folder nobody can write.
        QTest::addRow("missing, parent a link") << "linkdir/swap" << "NVME_PATH_WILL_BE_CREATED" << "warning";
        QTest::addRow("a file") << "afile" << "NVME_PATH_NOT_FOLDER" << "error";
        QTest::addRow("a device") << "/dev/null" << "NVME_PATH_NOT_FOLDER" << "error";
        QTest::addRow("read-only mount") << "ro" << "NVME_PATH_NOT_WRITABLE" << "error";
        QTest::addRow("nfs") << "nfs" << "NVME_PATH_SHARED_FS" << "warning";
        QTest::addRow("tmpfs") << "ram" << "NVME_PATH_NOT_NVME" << "warning";
        QTest::addRow("stale swap files") << "stale" << "NVME_PATH_STALE_SWAP" << "warning";
        QTest::addRow("relative") << "relative" << "NVME_PATH_RELATIVE" << "warning";
    }
    void nvmePath() {
        QFETCH(QString, path);
        QFETCH(QString, code);
        QFETCH(QString, severity);
        const fs::path tmp = m_tmp.path().toStdString();
        writeFile(tmp / "afile", "not a folder\n");
        std::error_code ec;
        fs::create_directories(tmp / "realdir", ec);
        fs::create_directory_symlink(tmp / "realdir", tmp / "linkdir", ec);
        writeFile(tmp / "stale" / "zero_stage_3" / "optimizer" / "rank0" / "7.tensor.swp", "x");
        std::string nvme = path.startsWith('/') ? path.toStdString() : (tmp / path.toStdString()).string();
        if (path == "relative") nvme = fs::relative(tmp, fs::current_path()).string();
        const fs::path dir = tmp / ("cfg-" + std::to_string(++m_configs));
        const CheckReport r = run(options(writeConfig(dir, "clean", nvme)));
        const CheckFinding* f = find(r, code.toStdString());
        QVERIFY2(f, qPrintable(describe(r)));
        QCOMPARE(QString::fromLatin1(severityName(f->severity).data()), severity);
        if (code == "NVME_PATH_WILL_BE_CREATED") QVERIFY2(!find(r, "NVME_PATH_NOT_WRITABLE"), qPrintable(describe(r)));
        // DeepSpeed would create the missing folders; the check must not.
        QVERIFY(!fs::exists(tmp / "not"));
        QVERIFY(!fs::exists(tmp / "realdir" / "swap"));
    }

    // Measured figures: DeepSpeed's own log folder (no drive recorded) against three configs.
    void measurements_data() {
        QTest::addColumn<QString>("aio");
        QTest::addColumn<QString>("code");
        QTest::addColumn<QString>("severity");
        QTest::addRow("the best") << R"({"block_size": 1048576, "queue_depth": 32, "intra_op_parallelism": 8, "single_submit": false, "overlap_events": true})"
                                  << "MATCHES_MEASURED" << "note";
        QTest::addRow("a slow one") << R"({"block_size": 131072, "queue_depth": 8, "intra_op_parallelism": 1, "single_submit": false, "overlap_events": false})"
                                    << "SLOWER_THAN_MEASURED" << "warning";
        QTest::addRow("not measured") << R"({"block_size": 1048576, "queue_depth": 16, "intra_op_parallelism": 8})"
                                      << "SETTINGS_NOT_MEASURED" << "note";
    }
    void measurements() {
        QFETCH(QString, aio);
        QFETCH(QString, code);
        QFETCH(QString, severity);
        const fs::path dir = fs::path(m_tmp.path().toStdString()) / "measured";
        fs::create_directories(dir);
        PreflightOptions o = options(writeConfig(dir, "clean", dir.string(), aio.toStdString()));
        o.logDir = AIOTUNE_TEST_FIXTURES "/deepspeed/ds-0.15-sweep";
        const CheckReport r = run(o);
        QCOMPARE(QString::fromStdString(r.measurements), QString::fromStdString(o.logDir.string()));
        const CheckFinding* f = find(r, code.toStdString());
        QVERIFY2(f, qPrintable(describe(r)));
        QCOMPARE(QString::fromLatin1(severityName(f->severity).data()), severity);
        QVERIFY(!find(r, "NOT_MEASURED"));
    }

    // Real filesystems (root only): O_DIRECT works on ext4 and tmpfs (Linux
    // 6.6+), not on ramfs; a read-only mount is refused.
    void realMounts_data() {
        QTest::addColumn<QString>("fstype");
        QTest::addColumn<QString>("options");
        QTest::addColumn<QString>("code");   // expected
        QTest::addColumn<bool>("directIo");  // the probe succeeds
        QTest::addRow("ext4") << "ext4" << "" << "NVME_PATH_NOT_NVME" << true;
        QTest::addRow("ramfs") << "ramfs" << "" << "NVME_PATH_NO_ODIRECT" << false;
        QTest::addRow("ext4 read-only") << "ext4" << "ro" << "NVME_PATH_NOT_WRITABLE" << true;
    }
    void realMounts() {
        QFETCH(QString, fstype);
        QFETCH(QString, options);
        QFETCH(QString, code);
        QFETCH(bool, directIo);
        if (::geteuid() != 0) QSKIP("mounting filesystems needs root");
        const fs::path tmp = m_tmp.path().toStdString();
        const fs::path mnt = tmp / ("mnt-" + fstype.toStdString() + options.toStdString());
        fs::create_directories(mnt);
        std::string source = fstype.toStdString();
        if (fstype == "ext4") {
            const fs::path image = tmp / "ext4.img";
            if (!fs::exists(image)) {
                std::ofstream(image).close();
                fs::resize_file(image, 64ull << 20);
                const std::string mkfs = "mkfs.ext4 -q -F " + image.string() + " >/dev/null 2>&1";
                if (std::system(mkfs.c_str()) != 0) QSKIP("mkfs.ext4 is not available");
            }
            const std::string cmd = "mount -o loop" + std::string(options.isEmpty() ? "" : "," + options.toStdString()) +
                                    " " + image.string() + " " + mnt.string() + " 2>/dev/null";
            if (std::system(cmd.c_str()) != 0) QSKIP("cannot mount a loop device here");
        } else if (::mount(source.c_str(), mnt.c_str(), source.c_str(), 0, nullptr) != 0) {
            QSKIP("cannot mount ramfs here");
        }
        const auto unmount = qScopeGuard([&] { ::umount2(mnt.c_str(), MNT_DETACH); });
        QCOMPARE(probeDirectIo(mnt.string()).ok(), directIo && options.isEmpty());
        // The real machine this time: real mountinfo and sysfs.
        PreflightOptions o;
        o.configFile = writeConfig(tmp / ("real-" + fstype.toStdString() + options.toStdString()), "clean", mnt.string());
        o.machine.libaioLoadable = [] { return true; };
        const CheckReport r = run(o);
        const CheckFinding* f = find(r, code.toStdString());
        QVERIFY2(f, qPrintable(describe(r)));
        QVERIFY2(QString::fromStdString(find(r, "NVME_PATH_DRIVE") ? find(r, "NVME_PATH_DRIVE")->message : "")
                     .contains(fstype) || !options.isEmpty(),
                 qPrintable(describe(r)));
        // The probe leaves nothing behind.
        std::size_t entries = 0;
        for ([[maybe_unused]] const auto& e : fs::directory_iterator(mnt))
            if (e.path().filename() != "lost+found") ++entries;
        QCOMPARE(entries, std::size_t(0));
    }
    // Free space against the swap footprint (check/swap_footprint.h, from
    // DeepSpeed v0.19.5's swap_tensor/partitioned_param_swapper.py and
    // optimizer_utils.py): the "clean" fixture swaps bf16 parameters (2 bytes
    // each) and AdamW's fp32 copy, two states and fp32 gradients (16 bytes)
    // under one path; the fixture machine has 2 GPUs (2 ranks).
    void swapFootprint_data() {
        QTest::addColumn<QString>("model");   // --model-params; empty: not given
        QTest::addColumn<QString>("nodes");
        QTest::addColumn<qulonglong>("freeGiB");
        QTest::addColumn<QString>("code");
        QTest::addColumn<QString>("severity");
        QTest::addColumn<QString>("mentions");
        // 5 buffers x 104857600 elements x 2 bytes = 1000 MiB per rank, x 2 ranks.
        QTest::addRow("config only, room") << "" << "" << 900ull << "SWAP_FOOTPRINT" << "note"
                                           << "5 x 209715200 bytes = 1000 MiB per rank x 2 ranks";
        QTest::addRow("config only, says how") << "" << "" << 900ull << "SWAP_FOOTPRINT" << "note"
                                               << "--model-params 7e9";
        QTest::addRow("config only, full") << "" << "" << 1ull << "NVME_PATH_LOW_SPACE" << "warning"
                                           << "only 1 GiB is free";
        // 7e9 x 2 = 14e9 bytes and 7e9 x 16 = 112e9: 117 GiB of 900.
        QTest::addRow("7B fits") << "7e9" << "" << 900ull << "SWAP_FOOTPRINT" << "note"
                                 << "parameters 7e+09 x 2 bytes / 1 node = 13.0 GiB; optimizer 7e+09 x 16 bytes";
        // 70e9 x 18 = 1260e9 bytes = 1173 GiB: more than 900 GiB free.
        QTest::addRow("70B too large") << "70B" << "" << 900ull << "NVME_PATH_LOW_SPACE" << "error"
                                       << "writes about 1.1 TiB on this node";
        // The same on two nodes: each holds half, 587 GiB.
        QTest::addRow("70B on 2 nodes") << "70e9" << "2" << 900ull << "SWAP_FOOTPRINT" << "note"
                                        << "/ 2 nodes";
    }
    void swapFootprint() {
        QFETCH(QString, model);
        QFETCH(QString, nodes);
        QFETCH(qulonglong, freeGiB);
        QFETCH(QString, code);
        QFETCH(QString, severity);
        QFETCH(QString, mentions);
        const fs::path dir = fs::path(m_tmp.path().toStdString()) / ("space-" + std::to_string(++m_configs));
        fs::create_directories(dir);
        PreflightOptions o = options(writeConfig(dir, "clean", dir.string()));
        o.nvmePath.fsSpace = [freeGiB](const std::string&) -> std::optional<FsSpace> {
            return FsSpace{freeGiB << 30, 1800ull << 30};
        };
        if (!model.isEmpty()) {
            auto size = parseModelSize(model.toStdString(), nodes.toStdString());
            QVERIFY2(size.ok(), size.error().c_str());
            o.model = *size;
        }
        const CheckReport r = run(o);
        const CheckFinding* f = find(r, code.toStdString());
        QVERIFY2(f, qPrintable(describe(r)));
        QCOMPARE(QString::fromLatin1(severityName(f->severity).data()), severity);
        QVERIFY2(QString::fromStdString(f->message).contains(mentions), f->message.c_str());
        // One space finding per filesystem, whatever it says.
        int space = 0;
        for (const auto& x : r.findings) space += x.code == "SWAP_FOOTPRINT" || x.code == "NVME_PATH_LOW_SPACE";
        QCOMPARE(space, 1);
    }

    void modelSizeValues_data() {
        QTest::addColumn<QString>("params");
        QTest::addColumn<QString>("nodes");
        QTest::addColumn<double>("expected"); // 0: refused
        QTest::addRow("7e9") << "7e9" << "" << 7e9;
        QTest::addRow("7B") << "7B" << "" << 7e9;
        QTest::addRow("1.5T") << "1.5T" << "" << 1.5e12;
        QTest::addRow("350M") << "350M" << "" << 3.5e8;
        for (const char* bad : {"", "0", "-7e9", "nan", "inf", "1e400", "7X", "2e15", "0x10", "1e15B"})
            QTest::addRow("params %s", bad) << bad << "" << 0.0;
        for (const char* bad : {"0", "-1", "1.5", "1e9", "100001", "two", "+2"})
            QTest::addRow("nodes %s", bad) << "7e9" << bad << 0.0;
    }
    void modelSizeValues() {
        QFETCH(QString, params);
        QFETCH(QString, nodes);
        QFETCH(double, expected);
        const auto m = parseModelSize(params.toStdString(), nodes.toStdString());
        if (expected == 0.0) {
            QVERIFY(!m.ok());
            QVERIFY2(m.error().find(nodes.isEmpty() ? "--model-params" : "--nodes") != std::string::npos,
                     m.error().c_str());
            return;
        }
        QVERIFY2(m.ok(), m.error().c_str());
        QCOMPARE(m->parameters, expected);
    }

    // 4Kn drives (issue 18 #4): DeepSpeed sizes swap files in multiples of
    // 1024 x intra_op_parallelism (swap_tensor/constants.py AIO_ALIGNED_BYTES,
    // v0.19.5); O_DIRECT refuses lengths that are not whole logical blocks.
    void logicalBlockAbove1024_data() {
        QTest::addColumn<int>("logicalBlock");
        QTest::addColumn<int>("threads");
        QTest::addColumn<bool>("refused");
        QTest::addRow("512-byte blocks") << 512 << 1 << false;
        QTest::addRow("1024-byte blocks") << 1024 << 1 << false;
        QTest::addRow("4Kn, 1 thread") << 4096 << 1 << true;
        QTest::addRow("4Kn, 2 threads") << 4096 << 2 << true;
        QTest::addRow("4Kn, 4 threads") << 4096 << 4 << false;
        QTest::addRow("4Kn, 8 threads") << 4096 << 8 << false;
    }
    void logicalBlockAbove1024() {
        QFETCH(int, logicalBlock);
        QFETCH(int, threads);
        QFETCH(bool, refused);
        BlockDevice d;
        d.name = "nvme9n1";
        d.nvme = true;
        d.logicalBlockSize = static_cast<std::uint32_t>(logicalBlock);
        const auto findings = checkDrive(d, 1, threads);
        const auto it = std::find_if(findings.begin(), findings.end(),
                                     [](const CheckFinding& f) { return f.code == "DRIVE_BLOCK_ABOVE_1024"; });
        QCOMPARE(it != findings.end(), refused);
        if (refused) {
            QCOMPARE(it->severity, FindingSeverity::Error);
            QVERIFY2(it->message.find(std::to_string(logicalBlock) + "-byte logical blocks") != std::string::npos &&
                         it->fix.find("multiple of 4") != std::string::npos,
                     it->message.c_str());
        }
    }

    // A job using the nvme_path now (a process with swap files open there):
    // a second job's start-up removal would delete its live files.
    void nvmePathInUse() {
        const fs::path dir = fs::path(m_tmp.path().toStdString()) / "inuse";
        const fs::path swap = dir / "zero_stage_3" / "optimizer" / "rank0" / "3.tensor.swp";
        writeFile(swap, "live");
        PreflightOptions o = options(writeConfig(dir.parent_path() / "inuse-cfg", "clean", dir.string()));
        o.nvmePath.procRoot = "/proc";
        const CheckReport idle = run(o);
        QVERIFY2(!find(idle, "NVME_PATH_IN_USE"), qPrintable(describe(idle)));
        QFile held(QString::fromStdString(swap.string()));
        QVERIFY(held.open(QIODevice::ReadOnly));
        const CheckReport busy = run(o);
        const CheckFinding* f = find(busy, "NVME_PATH_IN_USE");
        QVERIFY2(f, qPrintable(describe(busy)));
        QCOMPARE(f->severity, FindingSeverity::Error);
        QVERIFY2(QString::fromStdString(f->message).contains("pid " + QString::number(::getpid()) + " (") &&
                     QString::fromStdString(f->message).contains("test_check_machine"),
                 f->message.c_str());
    }
};

QTEST_GUILESS_MAIN(TestCheckMachine)
#include "test_check_machine.moc"
