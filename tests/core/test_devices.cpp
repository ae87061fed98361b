#include "devices/device_discovery.h"
#include "devices/folder_target.h"
#include "devices/mount_table.h"

#include <nlohmann/json.hpp>

#include <QtTest>

#include <filesystem>
#include <fstream>
#include <map>

#include <unistd.h>

using namespace aiotune;

namespace {

const std::string kFixtures = AIOTUNE_TEST_FIXTURES "/sysfs";

DiscoveryOptions fixtureOptions(const std::string& name, bool includeVirtual = false) {
    DiscoveryOptions o;
    o.sysRoot = kFixtures + "/" + name + "/sys";
    o.procRoot = kFixtures + "/" + name + "/proc";
    o.includeVirtual = includeVirtual;
    // Invented space for the fixture's mount points; nothing for the rest.
    o.fsSpace = [](const std::string& path) -> std::optional<FsSpace> {
        static const std::map<std::string, FsSpace> known{
            {"/", {20ull << 30, 50ull << 30}},
            {"/mnt/nvme0", {700ull << 30, 916ull << 30}},
            {"/mnt/nvme1", {1800ull << 30, 1862ull << 30}},
        };
        const auto it = known.find(path);
        if (it == known.end()) return std::nullopt;
        return it->second;
    };
    return o;
}

template <typename T> QString opt(const std::optional<T>& v) {
    if (!v) return "-";
    if constexpr (std::is_same_v<T, bool>) return *v ? "true" : "false";
    else return QString::number(*v);
}

QString joined(const std::vector<std::string>& items) {
    QStringList out;
    for (const auto& i : items) out << QString::fromStdString(i);
    return out.join(",");
}

// "path|fstype|device|ro|free|total" per mount, ";"-separated.
QString mountsText(const std::vector<DeviceMount>& mounts) {
    QStringList out;
    for (const auto& m : mounts)
        out << QString::fromStdString(m.path + "|" + m.fstype + "|" + m.source + "|" +
                                      (m.readOnly ? "ro" : "rw") + "|") +
                   opt(m.freeBytes) + "|" + opt(m.totalBytes);
    return out.join(";");
}

QStringList names(const std::vector<BlockDevice>& devices) {
    QStringList out;
    for (const auto& d : devices) out << QString::fromStdString(d.name);
    return out;
}

const BlockDevice* find(const std::vector<BlockDevice>& devices, const QString& name) {
    for (const auto& d : devices)
        if (QString::fromStdString(d.name) == name) return &d;
    return nullptr;
}

void writeFile(const std::string& path, const std::string& text) {
    std::ofstream(path) << text;
}

} // namespace

class TestDevices : public QObject {
    Q_OBJECT
private slots:
    // ---- mountinfo ------------------------------------------------------
    void parsesMountinfoLines_data() {
        QTest::addColumn<QString>("line");
        QTest::addColumn<bool>("ok");
        QTest::addColumn<QString>("mountPoint");
        QTest::addColumn<QString>("root");
        QTest::addColumn<QString>("fstype");
        QTest::addColumn<QString>("source");
        QTest::addColumn<QString>("devNumber");
        QTest::addColumn<bool>("readOnly");
        QTest::addRow("no optional fields")
            << "36 31 0:40 / /mnt/nvme0/ckpt rw,relatime - tmpfs tmpfs rw" << true
            << "/mnt/nvme0/ckpt" << "/" << "tmpfs" << "tmpfs" << "0:40" << false;
        QTest::addRow("one optional field")
            << "31 28 259:1 / /mnt/nvme0 rw,noatime shared:30 - ext4 /dev/nvme0n1p1 rw" << true
            << "/mnt/nvme0" << "/" << "ext4" << "/dev/nvme0n1p1" << "259:1" << false;
        QTest::addRow("two optional fields, escaped space")
            << "33 28 259:1 /datasets /srv/training\\040data rw shared:30 master:1 - ext4 "
               "/dev/nvme0n1p1 rw"
            << true << "/srv/training data" << "/datasets" << "ext4" << "/dev/nvme0n1p1"
            << "259:1" << false;
        QTest::addRow("read-only mount option")
            << "30 28 254:15 / /boot/efi ro,relatime shared:29 - vfat /dev/vda15 rw" << true
            << "/boot/efi" << "/" << "vfat" << "/dev/vda15" << "254:15" << true;
        QTest::addRow("read-only superblock")
            << "34 28 7:0 / /snap/core22/1380 rw,nodev - squashfs /dev/loop0 ro" << true
            << "/snap/core22/1380" << "/" << "squashfs" << "/dev/loop0" << "7:0" << true;
        QTest::addRow("no super options")
            << "40 1 8:17 / / rw - ext4 /dev/sdb1" << true << "/" << "/" << "ext4" << "/dev/sdb1"
            << "8:17" << false;
        QTest::addRow("tab and backslash escapes")
            << "50 1 8:1 / /a\\011b\\134c rw - ext4 /dev/sda1 rw" << true << "/a\tb\\c" << "/"
            << "ext4" << "/dev/sda1" << "8:1" << false;
        QTest::addRow("hyphen in a field is not the separator")
            << "51 1 8:1 / /mnt/a-b rw,relatime shared:1 - ext4 /dev/sda-1 rw" << true << "/mnt/a-b"
            << "/" << "ext4" << "/dev/sda-1" << "8:1" << false;
        QTest::addRow("no separator") << "42 40 259:9 / /mnt/x rw shared:1 ext4 /dev/nvme0n1 rw"
                                      << false << "" << "" << "" << "" << "" << false;
        QTest::addRow("separator at end") << "44 40 0:51 / /mnt/x rw -" << false << "" << ""
                                          << "" << "" << "" << false;
        QTest::addRow("too short") << "43 40 1:2" << false << "" << "" << "" << "" << "" << false;
        QTest::addRow("bad device number") << "45 40 259 / /mnt/x rw - ext4 /dev/x rw" << false
                                           << "" << "" << "" << "" << "" << false;
        QTest::addRow("words") << "this line is not a mount" << false << "" << "" << "" << ""
                               << "" << false;
    }
    void parsesMountinfoLines() {
        QFETCH(QString, line);
        QFETCH(bool, ok);
        const auto table = MountTable::parse(line.toStdString());
        QCOMPARE(table.entries().size(), std::size_t(ok ? 1 : 0));
        QCOMPARE(table.skippedLines(), ok ? 0 : 1);
        if (!ok) return;
        const MountEntry& e = table.entries().front();
        QTEST(QString::fromStdString(e.mountPoint), "mountPoint");
        QTEST(QString::fromStdString(e.root), "root");
        QTEST(QString::fromStdString(e.fstype), "fstype");
        QTEST(QString::fromStdString(e.source), "source");
        QTEST(QString("%1:%2").arg(e.major).arg(e.minor), "devNumber");
        QTEST(e.readOnly(), "readOnly");
    }

    void decodesEscapes_data() {
        QTest::addColumn<QString>("raw");
        QTest::addColumn<QString>("decoded");
        QTest::addRow("space") << "/mnt/my\\040disk" << "/mnt/my disk";
        QTest::addRow("newline") << "/a\\012b" << "/a\nb";
        QTest::addRow("two in a row") << "\\040\\040" << "  ";
        QTest::addRow("not octal kept") << "/a\\09x" << "/a\\09x";
        QTest::addRow("short kept") << "/a\\04" << "/a\\04";
        QTest::addRow("plain") << "/mnt/nvme0" << "/mnt/nvme0";
    }
    void decodesEscapes() {
        QFETCH(QString, raw);
        QTEST(QString::fromStdString(decodeMountEscapes(raw.toStdString())), "decoded");
    }

    void findsMountForPath_data() {
        QTest::addColumn<QString>("path");
        QTest::addColumn<QString>("mountPoint");
        QTest::addRow("root") << "/" << "/";
        QTest::addRow("home on root") << "/home/me/data" << "/";
        QTest::addRow("mount point itself") << "/mnt/nvme0" << "/mnt/nvme0";
        QTest::addRow("below a mount") << "/mnt/nvme0/scratch" << "/mnt/nvme0";
        QTest::addRow("nested mount wins") << "/mnt/nvme0/ckpt/step1" << "/mnt/nvme0/ckpt";
        QTest::addRow("name prefix is not a path prefix") << "/mnt/nvme0x/a" << "/";
        QTest::addRow("sibling of nested") << "/mnt/nvme0/ckptx" << "/mnt/nvme0";
        QTest::addRow("escaped mount point") << "/srv/training data/set1" << "/srv/training data";
        QTest::addRow("xfs whole disk") << "/mnt/nvme1/aio" << "/mnt/nvme1";
        QTest::addRow("relative path") << "mnt/nvme0" << "";
    }
    void findsMountForPath() {
        QFETCH(QString, path);
        const auto table = MountTable::load(kFixtures + "/workstation/proc");
        QVERIFY2(table.ok(), table.error().c_str());
        QCOMPARE(table->entries().size(), std::size_t(12));
        const MountEntry* m = table->findForPath(path.toStdString());
        QTEST(m ? QString::fromStdString(m->mountPoint) : QString(), "mountPoint");
    }

    void laterMountOnSamePointWins() {
        const auto table = MountTable::parse("1 0 8:1 / / rw - ext4 /dev/sda1 rw\n"
                                             "2 1 259:1 / /data rw - ext4 /dev/nvme0n1p1 rw\n"
                                             "3 1 0:40 / /data/ rw - tmpfs tmpfs rw\n");
        const MountEntry* m = table.findForPath("/data/x");
        QVERIFY(m);
        QCOMPARE(m->mountId, 3);
        QCOMPARE(m->fstype, std::string("tmpfs"));
    }

    void loadNamesMissingFile() {
        const auto table = MountTable::load("/nonexistent-proc");
        QVERIFY(!table.ok());
        QVERIFY2(table.error().find("/nonexistent-proc/self/mountinfo") != std::string::npos,
                 table.error().c_str());
    }

    // ---- name rules -----------------------------------------------------
    void parentDisk_data() {
        QTest::addColumn<QString>("name");
        QTest::addColumn<QString>("parent");
        QTest::addRow("nvme partition") << "nvme0n1p1" << "nvme0n1";
        QTest::addRow("nvme partition 12") << "nvme10n2p12" << "nvme10n2";
        QTest::addRow("nvme disk") << "nvme0n1" << "nvme0n1";
        QTest::addRow("virtio partition") << "vda1" << "vda";
        QTest::addRow("virtio partition 15") << "vda15" << "vda";
        QTest::addRow("virtio disk") << "vda" << "vda";
        QTest::addRow("scsi partition") << "sdb2" << "sdb";
        QTest::addRow("scsi disk aa") << "sdaa3" << "sdaa";
        QTest::addRow("xen partition") << "xvda1" << "xvda";
        QTest::addRow("mmc partition") << "mmcblk0p2" << "mmcblk0";
        QTest::addRow("mmc disk") << "mmcblk0" << "mmcblk0";
        QTest::addRow("loop disk") << "loop0" << "loop0";
        QTest::addRow("device mapper") << "dm-0" << "dm-0";
        QTest::addRow("md raid") << "md127" << "md127";
        QTest::addRow("empty") << "" << "";
    }
    void parentDisk() {
        QFETCH(QString, name);
        QTEST(QString::fromStdString(parentDiskName(name.toStdString())), "parent");
    }

    void scheduler_data() {
        QTest::addColumn<QString>("text");
        QTest::addColumn<QString>("active");
        QTest::addRow("first") << "[none] mq-deadline kyber bfq\n" << "none";
        QTest::addRow("middle") << "none [mq-deadline] kyber" << "mq-deadline";
        QTest::addRow("last") << "mq-deadline kyber [bfq]" << "bfq";
        QTest::addRow("lone") << "none\n" << "none";
        QTest::addRow("list without choice") << "none mq-deadline" << "";
        QTest::addRow("unclosed") << "[none mq-deadline" << "";
        QTest::addRow("empty") << "" << "";
    }
    void scheduler() {
        QFETCH(QString, text);
        QTEST(QString::fromStdString(activeScheduler(text.toStdString())), "active");
    }

    void nvmeNames_data() {
        QTest::addColumn<QString>("name");
        QTest::addColumn<bool>("nvme");
        QTest::addColumn<bool>("virtualDisk");
        QTest::addRow("namespace") << "nvme0n1" << true << false;
        QTest::addRow("multi-digit") << "nvme12n3" << true << false;
        QTest::addRow("per-path") << "nvme0c1n1" << true << false;
        QTest::addRow("partition") << "nvme0n1p1" << false << false;
        QTest::addRow("controller") << "nvme0" << false << false;
        QTest::addRow("virtio") << "vda" << false << false;
        QTest::addRow("loop") << "loop3" << false << true;
        QTest::addRow("ram") << "ram0" << false << true;
        QTest::addRow("zram") << "zram0" << false << true;
    }
    void nvmeNames() {
        QFETCH(QString, name);
        QTEST(isNvmeNamespaceName(name.toStdString()), "nvme");
        QTEST(isVirtualDiskName(name.toStdString()), "virtualDisk");
    }

    void naturalOrder() {
        QVERIFY(naturalLess("nvme2n1", "nvme10n1"));
        QVERIFY(!naturalLess("nvme10n1", "nvme2n1"));
        QVERIFY(naturalLess("nvme1n2", "nvme1n10"));
        QVERIFY(naturalLess("sda", "sdb"));
        QVERIFY(naturalLess("vda", "vda1"));
        QVERIFY(!naturalLess("vda", "vda"));
    }

    // ---- discovery over fixture trees ------------------------------------
    void listsDevices_data() {
        QTest::addColumn<QString>("fixture");
        QTest::addColumn<bool>("all");
        QTest::addColumn<QStringList>("names");
        QTest::addRow("workstation") << "workstation" << false
                                     << QStringList{"nvme0n1", "nvme1n1", "vda"};
        QTest::addRow("workstation --all")
            << "workstation" << true << QStringList{"nvme0n1", "nvme1n1", "loop0", "vda", "zram0"};
        QTest::addRow("broken, hidden skipped") << "broken" << false << QStringList{"nvme0n1", "sdb"};
    }
    void listsDevices() {
        QFETCH(QString, fixture);
        QFETCH(bool, all);
        const auto report = DeviceDiscovery(fixtureOptions(fixture.toStdString(), all)).discover();
        QVERIFY2(report.ok(), report.error().c_str());
        QTEST(names(report->devices), "names");
    }

    void describesDevice_data() {
        QTest::addColumn<QString>("fixture");
        QTest::addColumn<QString>("name");
        QTest::addColumn<QString>("model");
        QTest::addColumn<QString>("serial");
        QTest::addColumn<QString>("firmware");
        QTest::addColumn<QString>("sizeBytes");
        QTest::addColumn<QString>("logicalBlockSize");
        QTest::addColumn<QString>("numaNode");
        QTest::addColumn<QString>("scheduler");
        QTest::addColumn<QString>("rotational");
        QTest::addColumn<bool>("nvme");
        QTest::addColumn<bool>("virtualDisk");
        QTest::addColumn<QString>("partitions");
        QTest::addColumn<QString>("mounts");
        // Identity read from block/nvme0n1/device (a plain folder standing for the symlink).
        QTest::addRow("nvme0n1, partition mounted twice")
            << "workstation" << "nvme0n1" << "Samsung SSD 980 PRO 1TB" << "S5GXNF0R123456A"
            << "5B2QGXA7" << "1000204886016" << "512" << "0" << "none" << "false" << true << false
            << "nvme0n1p1"
            << "/mnt/nvme0|ext4|nvme0n1p1|rw|751619276800|983547510784;"
               "/srv/training data|ext4|nvme0n1p1|rw|-|-";
        // Identity only in class/nvme/nvme1.
        QTest::addRow("nvme1n1, xfs whole disk")
            << "workstation" << "nvme1n1" << "WDS200T1X0E-00AFY0" << "21513L800123" << "614900WD"
            << "2000398934016" << "4096" << "1" << "mq-deadline" << "false" << true << false << ""
            << "/mnt/nvme1|xfs|nvme1n1|rw|1932735283200|1999307276288";
        // Reached through real symlinks, as on a live /sys; NUMA from the PCI parent.
        QTest::addRow("vda, virtio via symlinks")
            << "workstation" << "vda" << "" << "vm-root-0001" << "" << "53687091200" << "512"
            << "-1" << "mq-deadline" << "true" << false << false << "vda1,vda15"
            << "/|ext4|vda1|rw|21474836480|53687091200;/boot/efi|vfat|vda15|ro|-|-";
        QTest::addRow("loop0") << "workstation" << "loop0" << "" << "" << "" << "58327040"
                               << "512" << "-" << "none" << "true" << false << true << ""
                               << "/snap/core22/1380|squashfs|loop0|ro|-|-";
        QTest::addRow("zram0, no rotational file")
            << "workstation" << "zram0" << "" << "" << "" << "8589934592" << "4096" << "-"
            << "none" << "-" << false << true << "" << "";
        // Garbage size, no queue folder, dangling device link, mount found by
        // /dev name because its device number is anonymous.
        QTest::addRow("broken nvme0n1")
            << "broken" << "nvme0n1" << "" << "" << "" << "-" << "-" << "-" << "" << "-" << true
            << false << "nvme0n1p1" << "/mnt/fast|ext4|nvme0n1p1|rw|-|-";
        // size is a folder, scheduler empty, model all spaces, SCSI "rev".
        QTest::addRow("broken sdb")
            << "broken" << "sdb" << "" << "" << "0001" << "-" << "512" << "-" << "" << "true"
            << false << false << "sdb1" << "/|ext4|sdb1|rw|21474836480|53687091200";
    }
    void describesDevice() {
        QFETCH(QString, fixture);
        QFETCH(QString, name);
        const auto report = DeviceDiscovery(fixtureOptions(fixture.toStdString(), true)).discover();
        QVERIFY2(report.ok(), report.error().c_str());
        const BlockDevice* d = find(report->devices, name);
        QVERIFY2(d, qPrintable(name));
        QTEST(QString::fromStdString(d->model), "model");
        QTEST(QString::fromStdString(d->serial), "serial");
        QTEST(QString::fromStdString(d->firmware), "firmware");
        QTEST(opt(d->sizeBytes), "sizeBytes");
        QTEST(opt(d->logicalBlockSize), "logicalBlockSize");
        QTEST(opt(d->numaNode), "numaNode");
        QTEST(QString::fromStdString(d->scheduler), "scheduler");
        QTEST(opt(d->rotational), "rotational");
        QTEST(d->nvme, "nvme");
        QTEST(d->virtualDisk, "virtualDisk");
        QTEST(joined(d->partitions), "partitions");
        QTEST(mountsText(d->mounts), "mounts");
    }

    void brokenMountLinesAreCountedNotFatal() {
        const auto report = DeviceDiscovery(fixtureOptions("broken")).discover();
        QVERIFY2(report.ok(), report.error().c_str());
        QCOMPARE(report->mounts.entries().size(), std::size_t(2));
        QCOMPARE(report->mounts.skippedLines(), 4);
        QCOMPARE(report->warnings.size(), std::size_t(1));
        QVERIFY2(report->warnings[0].find("4 line(s)") != std::string::npos,
                 report->warnings[0].c_str());
    }

    void missingSysRootIsAnError() {
        DiscoveryOptions o = fixtureOptions("workstation");
        o.sysRoot = kFixtures + "/no-such-tree/sys";
        const auto report = DeviceDiscovery(o).discover();
        QVERIFY(!report.ok());
        QVERIFY2(report.error().find("no-such-tree/sys/block") != std::string::npos,
                 report.error().c_str());
        QVERIFY2(report.error().find("--sys_root") != std::string::npos, report.error().c_str());
    }

    void missingMountTableKeepsDevices() {
        DiscoveryOptions o = fixtureOptions("workstation");
        o.procRoot = kFixtures + "/no-such-tree/proc";
        const auto report = DeviceDiscovery(o).discover();
        QVERIFY2(report.ok(), report.error().c_str());
        QCOMPARE(names(report->devices), (QStringList{"nvme0n1", "nvme1n1", "vda"}));
        for (const auto& d : report->devices) QVERIFY(d.mounts.empty());
        QCOMPARE(report->warnings.size(), std::size_t(1));
        QVERIFY2(report->warnings[0].find("no-such-tree/proc/self/mountinfo") != std::string::npos,
                 report->warnings[0].c_str());
    }

    void serializesJson() {
        const auto report = DeviceDiscovery(fixtureOptions("workstation")).discover();
        QVERIFY2(report.ok(), report.error().c_str());
        const auto j = toJson(report->devices.at(1));
        const auto expected = nlohmann::ordered_json::parse(R"({
            "name": "nvme1n1", "model": "WDS200T1X0E-00AFY0", "serial": "21513L800123",
            "firmware": "614900WD", "size_bytes": 2000398934016, "logical_block_size": 4096,
            "numa_node": 1, "scheduler": "mq-deadline", "rotational": false, "nvme": true,
            "virtual": false, "partitions": [],
            "mounts": [{"path": "/mnt/nvme1", "fstype": "xfs", "device": "nvme1n1",
                        "read_only": false, "free_bytes": 1932735283200,
                        "total_bytes": 1999307276288}]})");
        QCOMPARE(QString::fromStdString(j.dump()), QString::fromStdString(expected.dump()));
        // Unknown values are null, not 0 or "".
        const auto broken = DeviceDiscovery(fixtureOptions("broken")).discover();
        QVERIFY(broken.ok());
        const auto b = toJson(broken->devices.at(0));
        QVERIFY(b["size_bytes"].is_null());
        QVERIFY(b["numa_node"].is_null());
        QVERIFY(b["rotational"].is_null());
        QCOMPARE(QString::fromStdString(b["model"].get<std::string>()), QString());
    }

    // ---- folder targets ---------------------------------------------------
    void inspectsFolders_data() {
        QTest::addColumn<QString>("relPath");    // under the temporary "machine"
        QTest::addColumn<QString>("problem");    // a word the refusal must contain; "" = usable
        QTest::addColumn<QString>("mountPoint"); // relative to the machine; "-" = none
        QTest::addColumn<QString>("fstype");
        QTest::addColumn<QString>("device");
        QTest::addColumn<QString>("disk");
        QTest::addColumn<bool>("nvme");
        QTest::addColumn<QString>("warning");    // a word a warning must contain; "" = none
        QTest::addRow("nvme mount point") << "nvme" << "" << "nvme" << "ext4" << "nvme0n1p1"
                                          << "nvme0n1" << true << "";
        QTest::addRow("folder below, trailing slash")
            << "nvme/scratch/" << "" << "nvme" << "ext4" << "nvme0n1p1" << "nvme0n1" << true << "";
        QTest::addRow("folder with a space") << "nvme/my data" << "" << "nvme" << "ext4"
                                             << "nvme0n1p1" << "nvme0n1" << true << "";
        QTest::addRow("symlink to a folder") << "nvme/link" << "symbolic link" << "nvme" << "ext4"
                                             << "nvme0n1p1" << "nvme0n1" << true << "";
        QTest::addRow("symlink, trailing slash") << "nvme/link/" << "symbolic link" << "nvme"
                                                 << "ext4" << "nvme0n1p1" << "nvme0n1" << true
                                                 << "";
        QTest::addRow("dangling symlink") << "nvme/dangling" << "points nowhere" << "nvme"
                                          << "ext4" << "nvme0n1p1" << "nvme0n1" << true << "";
        QTest::addRow("regular file") << "nvme/file.bin" << "not a folder" << "nvme" << "ext4"
                                      << "nvme0n1p1" << "nvme0n1" << true << "";
        QTest::addRow("missing") << "nvme/nope" << "does not exist" << "nvme" << "ext4"
                                 << "nvme0n1p1" << "nvme0n1" << true << "";
        QTest::addRow("read-only mount") << "ro" << "read-only" << "ro" << "xfs" << "nvme1n1"
                                         << "nvme1n1" << true << "";
        QTest::addRow("tmpfs inside nvme") << "nvme/ckpt" << "" << "nvme/ckpt" << "tmpfs" << ""
                                           << "" << false << "in memory";
        QTest::addRow("virtio disk") << "other" << "" << "other" << "ext4" << "vda1" << "vda"
                                     << false << "not an NVMe";
        QTest::addRow("unknown mount") << "elsewhere" << "" << "-" << "" << "" << "" << false
                                       << "could not be identified";
    }
    void inspectsFolders() {
        QFETCH(QString, relPath);
        QFETCH(QString, problem);
        QFETCH(QString, mountPoint);
        QFETCH(QString, warning);
        QTemporaryDir tmp;
        QVERIFY(tmp.isValid());
        const std::string base = std::filesystem::canonical(tmp.path().toStdString()).string();
        namespace fs = std::filesystem;
        for (const char* d : {"nvme/scratch", "nvme/my data", "nvme/ckpt", "ro", "other", "elsewhere"})
            fs::create_directories(base + "/" + d);
        fs::create_directory_symlink(base + "/nvme/scratch", base + "/nvme/link");
        fs::create_symlink(base + "/nvme/gone", base + "/nvme/dangling");
        writeFile(base + "/nvme/file.bin", "x");

        // A made-up machine whose mounts sit inside the temporary folder.
        std::string mountinfo;
        const auto line = [&](int id, const std::string& dev, const std::string& mp,
                              const std::string& opts, const std::string& fstype,
                              const std::string& source) {
            std::string escaped;
            for (char c : mp) escaped += c == ' ' ? std::string("\\040") : std::string(1, c);
            mountinfo += std::to_string(id) + " 1 " + dev + " / " + escaped + " " + opts +
                         " shared:" + std::to_string(id) + " - " + fstype + " " + source + " rw\n";
        };
        line(31, "259:1", base + "/nvme", "rw,noatime", "ext4", "/dev/nvme0n1p1");
        line(32, "259:2", base + "/ro", "ro,noatime", "xfs", "/dev/nvme1n1");
        line(36, "0:40", base + "/nvme/ckpt", "rw", "tmpfs", "tmpfs");
        line(28, "254:1", base + "/other", "rw", "ext4", "/dev/vda1");
        DiscoveryReport report;
        report.mounts = MountTable::parse(mountinfo);
        QCOMPARE(report.mounts.entries().size(), std::size_t(4));
        const auto device = [](const std::string& name, bool nvme, const std::string& source,
                               int mountId) {
            BlockDevice d;
            d.name = name;
            d.nvme = nvme;
            d.mounts.push_back(DeviceMount{"", "", source, false, mountId, {}, {}});
            return d;
        };
        report.devices = {device("nvme0n1", true, "nvme0n1p1", 31),
                          device("nvme1n1", true, "nvme1n1", 32), device("vda", false, "vda1", 28)};
        const FsSpaceFn space = [&](const std::string& p) -> std::optional<FsSpace> {
            if (p.rfind(base + "/nvme", 0) == 0) return FsSpace{111, 222};
            return std::nullopt;
        };

        const std::string path = base + "/" + relPath.toStdString();
        const FolderTarget t = inspectFolder(path, report, space);
        QCOMPARE(QString::fromStdString(t.path), QString::fromStdString(path));
        if (problem.isEmpty()) {
            QVERIFY2(t.usable(), t.problem.c_str());
            QVERIFY(t.isDirectory);
            QVERIFY(t.writable);
        } else {
            QVERIFY(!t.usable());
            QVERIFY2(QString::fromStdString(t.problem).contains(problem), t.problem.c_str());
            // The refusal names the folder the user typed.
            QVERIFY2(t.problem.find(path) != std::string::npos, t.problem.c_str());
        }
        const std::string expectedMount =
            mountPoint == "-" ? std::string() : base + "/" + mountPoint.toStdString();
        QCOMPARE(t.mountPoint, expectedMount);
        QTEST(QString::fromStdString(t.fstype), "fstype");
        QTEST(QString::fromStdString(t.device), "device");
        QTEST(QString::fromStdString(t.disk), "disk");
        QTEST(t.nvme, "nvme");
        if (warning.isEmpty()) {
            QVERIFY(t.warnings.empty());
        } else {
            QCOMPARE(t.warnings.size(), std::size_t(1));
            QVERIFY2(QString::fromStdString(t.warnings[0]).contains(warning), t.warnings[0].c_str());
        }
        if (problem.isEmpty() && relPath.startsWith("nvme") && !relPath.startsWith("nvme/ckpt")) {
            QCOMPARE(t.freeBytes, std::optional<std::uint64_t>(111));
            QCOMPARE(t.totalBytes, std::optional<std::uint64_t>(222));
        }
    }

    void refusesBlockDevice() {
        std::string blockDevice;
        std::error_code ec;
        for (const auto& e : std::filesystem::directory_iterator("/dev", ec))
            if (e.is_block_file(ec) && !e.is_symlink(ec)) {
                blockDevice = e.path().string();
                break;
            }
        if (blockDevice.empty()) QSKIP("no block device node in /dev on this machine");
        const FolderTarget t = inspectFolder(blockDevice, DiscoveryReport{}, nullptr);
        QVERIFY(t.isBlockDevice);
        QVERIFY(!t.isDirectory);
        QVERIFY2(QString::fromStdString(t.problem).contains("block device"), t.problem.c_str());
    }

    void refusesUnwritableFolder() {
        if (::geteuid() == 0) QSKIP("root may write anywhere: permissions cannot be tested");
        QTemporaryDir tmp;
        const std::string dir = tmp.path().toStdString() + "/locked";
        std::filesystem::create_directory(dir);
        std::filesystem::permissions(dir, std::filesystem::perms::owner_read |
                                              std::filesystem::perms::owner_exec);
        const FolderTarget t = inspectFolder(dir, DiscoveryReport{}, nullptr);
        std::filesystem::permissions(dir, std::filesystem::perms::owner_all);
        QVERIFY(!t.writable);
        QVERIFY2(QString::fromStdString(t.problem).contains("not writable"), t.problem.c_str());
    }

    void emptyPathIsRefused() {
        const FolderTarget t = inspectFolder("", DiscoveryReport{}, nullptr);
        QVERIFY(!t.usable());
        QVERIFY2(QString::fromStdString(t.problem).contains("no folder"), t.problem.c_str());
    }

    // The convenience overload discovers from the roots itself: the fixture
    // folder lives under "/" (vda1) or "/tmp" (tmpfs) of the workstation fixture.
    void inspectsWithDiscoveryOptions() {
        const std::string folder = std::filesystem::canonical(kFixtures).string();
        const FolderTarget t = inspectFolder(folder, fixtureOptions("workstation"));
        QVERIFY(t.exists);
        QVERIFY(t.isDirectory);
        if (folder.rfind("/tmp/", 0) == 0) {
            QCOMPARE(t.mountPoint, std::string("/tmp"));
            QCOMPARE(t.fstype, std::string("tmpfs"));
        } else {
            QCOMPARE(t.mountPoint, std::string("/"));
            QCOMPARE(t.fstype, std::string("ext4"));
            QCOMPARE(t.device, std::string("vda1"));
            QCOMPARE(t.disk, std::string("vda"));
            QVERIFY(!t.nvme);
            QCOMPARE(t.freeBytes, std::optional<std::uint64_t>());
        }
    }
};

QTEST_GUILESS_MAIN(TestDevices)
#include "test_devices.moc"
