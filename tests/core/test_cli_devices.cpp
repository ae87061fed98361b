// `aiotune devices` end to end: the built binary run on the fixture trees.
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QtTest>

namespace {

const QString kFixtures = QStringLiteral(AIOTUNE_TEST_FIXTURES "/sysfs");

struct Run {
    int exitCode = -1;
    QByteArray out;
    QByteArray err;
};

Run runCli(const QStringList& args) {
    QProcess p;
    p.start(QStringLiteral(AIOTUNE_CLI), QStringList{"devices"} + args);
    Run r;
    if (!p.waitForFinished(30000)) {
        p.kill();
        p.waitForFinished();
        return r;
    }
    r.exitCode = p.exitStatus() == QProcess::NormalExit ? p.exitCode() : -1;
    r.out = p.readAllStandardOutput();
    r.err = p.readAllStandardError();
    return r;
}

QStringList rootArgs(const QString& fixture) {
    return {"--sys_root", kFixtures + "/" + fixture + "/sys", "--proc_root",
            kFixtures + "/" + fixture + "/proc"};
}

QJsonArray runJson(const QStringList& args) {
    const Run r = runCli(QStringList{"--json"} + args);
    if (r.exitCode != 0) {
        qWarning("exit %d, stderr: %s", r.exitCode, r.err.constData());
        return {};
    }
    QJsonParseError error{};
    const auto doc = QJsonDocument::fromJson(r.out, &error);
    if (error.error != QJsonParseError::NoError) {
        qWarning("not JSON (%s): %s", qPrintable(error.errorString()), r.out.constData());
        return {};
    }
    return doc.array();
}

QJsonObject byName(const QJsonArray& devices, const QString& name) {
    for (const auto& v : devices)
        if (v.toObject().value("name").toString() == name) return v.toObject();
    return {};
}

} // namespace

class TestCliDevices : public QObject {
    Q_OBJECT
private slots:
    void listsNames_data() {
        QTest::addColumn<QStringList>("args");
        QTest::addColumn<QStringList>("names");
        QTest::addRow("default") << rootArgs("workstation")
                                 << QStringList{"nvme0n1", "nvme1n1", "vda"};
        QTest::addRow("--all") << (rootArgs("workstation") << "--all")
                               << QStringList{"nvme0n1", "nvme1n1", "loop0", "vda", "zram0"};
        QTest::addRow("dash spelling") << QStringList{"--sys-root=" + kFixtures + "/broken/sys",
                                                      "--proc-root=" + kFixtures + "/broken/proc"}
                                       << QStringList{"nvme0n1", "sdb"};
    }
    void listsNames() {
        QFETCH(QStringList, args);
        QFETCH(QStringList, names);
        const QJsonArray devices = runJson(args);
        QStringList got;
        for (const auto& v : devices) got << v.toObject().value("name").toString();
        QCOMPARE(got, names);
    }

    void reportsValues_data() {
        QTest::addColumn<QString>("name");
        QTest::addColumn<QString>("key");
        QTest::addColumn<QVariant>("value");
        QTest::addRow("nvme0n1 model") << "nvme0n1" << "model" << QVariant("Samsung SSD 980 PRO 1TB");
        QTest::addRow("nvme0n1 serial") << "nvme0n1" << "serial" << QVariant("S5GXNF0R123456A");
        QTest::addRow("nvme0n1 firmware") << "nvme0n1" << "firmware" << QVariant("5B2QGXA7");
        QTest::addRow("nvme0n1 size") << "nvme0n1" << "size_bytes" << QVariant(1000204886016.0);
        QTest::addRow("nvme0n1 lbs") << "nvme0n1" << "logical_block_size" << QVariant(512.0);
        QTest::addRow("nvme0n1 numa") << "nvme0n1" << "numa_node" << QVariant(0.0);
        QTest::addRow("nvme0n1 scheduler") << "nvme0n1" << "scheduler" << QVariant("none");
        QTest::addRow("nvme0n1 nvme") << "nvme0n1" << "nvme" << QVariant(true);
        QTest::addRow("nvme1n1 model") << "nvme1n1" << "model" << QVariant("WDS200T1X0E-00AFY0");
        QTest::addRow("nvme1n1 size") << "nvme1n1" << "size_bytes" << QVariant(2000398934016.0);
        QTest::addRow("nvme1n1 lbs") << "nvme1n1" << "logical_block_size" << QVariant(4096.0);
        QTest::addRow("nvme1n1 numa") << "nvme1n1" << "numa_node" << QVariant(1.0);
        QTest::addRow("nvme1n1 scheduler") << "nvme1n1" << "scheduler" << QVariant("mq-deadline");
        QTest::addRow("vda not nvme") << "vda" << "nvme" << QVariant(false);
        QTest::addRow("vda numa") << "vda" << "numa_node" << QVariant(-1.0);
        QTest::addRow("vda model empty") << "vda" << "model" << QVariant("");
        QTest::addRow("vda size") << "vda" << "size_bytes" << QVariant(53687091200.0);
    }
    void reportsValues() {
        QFETCH(QString, name);
        QFETCH(QString, key);
        QFETCH(QVariant, value);
        const QJsonObject d = byName(runJson(rootArgs("workstation")), name);
        QVERIFY2(!d.isEmpty(), qPrintable(name));
        QVERIFY2(d.contains(key), qPrintable(key));
        QCOMPARE(d.value(key).toVariant(), value);
    }

    void reportsMounts_data() {
        QTest::addColumn<QString>("name");
        QTest::addColumn<QStringList>("mounts"); // "path fstype"
        QTest::addRow("nvme0n1") << "nvme0n1"
                                 << QStringList{"/mnt/nvme0 ext4", "/srv/training data ext4"};
        QTest::addRow("nvme1n1") << "nvme1n1" << QStringList{"/mnt/nvme1 xfs"};
        QTest::addRow("vda") << "vda" << QStringList{"/ ext4", "/boot/efi vfat"};
    }
    void reportsMounts() {
        QFETCH(QString, name);
        QFETCH(QStringList, mounts);
        const QJsonObject d = byName(runJson(rootArgs("workstation")), name);
        QStringList got;
        for (const auto& v : d.value("mounts").toArray()) {
            const QJsonObject m = v.toObject();
            got << m.value("path").toString() + " " + m.value("fstype").toString();
            // Free space is the real statvfs of these paths: null or a number, always present.
            QVERIFY(m.contains("free_bytes") && m.contains("total_bytes"));
            QVERIFY(m.value("free_bytes").isNull() || m.value("free_bytes").isDouble());
        }
        QCOMPARE(got, mounts);
    }

    void unknownValuesAreNull() {
        const QJsonObject d = byName(runJson(rootArgs("broken")), "nvme0n1");
        QVERIFY(!d.isEmpty());
        QVERIFY(d.value("size_bytes").isNull());
        QVERIFY(d.value("logical_block_size").isNull());
        QVERIFY(d.value("numa_node").isNull());
        QCOMPARE(d.value("model").toString(), QString());
        QCOMPARE(d.value("nvme").toBool(), true);
    }

    void printsTable() {
        const Run r = runCli(rootArgs("workstation"));
        QCOMPARE(r.exitCode, 0);
        const QString out = QString::fromUtf8(r.out);
        const QStringList lines = out.split('\n', Qt::SkipEmptyParts);
        QVERIFY2(lines.size() >= 4, r.out.constData());
        QVERIFY(lines[0].startsWith("NAME"));
        QVERIFY(lines[0].contains("MOUNTS"));
        QVERIFY2(lines[1].startsWith("nvme0n1 "), qPrintable(lines[1]));
        QVERIFY(lines[1].contains("NVMe"));
        QVERIFY(lines[1].contains("Samsung SSD 980 PRO 1TB"));
        QVERIFY(lines[1].contains("/mnt/nvme0 (ext4 on nvme0n1p1"));
        QVERIFY(out.contains("/srv/training data (ext4 on nvme0n1p1"));
        QVERIFY(out.contains("/boot/efi (vfat on vda15, read-only"));
        QVERIFY(!out.contains("loop0"));
    }

    void usageAndErrors_data() {
        QTest::addColumn<QStringList>("args");
        QTest::addColumn<int>("exitCode");
        QTest::addColumn<QString>("stdoutHas");
        QTest::addColumn<QString>("stderrHas");
        QTest::addRow("help") << QStringList{"--help"} << 0 << "Usage: aiotune devices" << "";
        QTest::addRow("unknown flag") << QStringList{"--bogus"} << 2 << "" << "--bogus";
        QTest::addRow("stray argument") << QStringList{"nvme0n1"} << 2 << "" << "nvme0n1";
        QTest::addRow("missing value") << QStringList{"--sys_root"} << 2 << "" << "sys_root";
        QTest::addRow("missing sys root")
            << QStringList{"--sys_root", kFixtures + "/absent/sys"} << 1 << ""
            << "absent/sys/block";
        QTest::addRow("broken mountinfo warns")
            << rootArgs("broken") << 0 << "sdb" << "4 line(s)";
    }
    void usageAndErrors() {
        QFETCH(QStringList, args);
        QFETCH(QString, stdoutHas);
        QFETCH(QString, stderrHas);
        const Run r = runCli(args);
        QTEST(r.exitCode, "exitCode");
        QVERIFY2(QString::fromUtf8(r.out).contains(stdoutHas), r.out.constData());
        QVERIFY2(QString::fromUtf8(r.err).contains(stderrHas), r.err.constData());
    }
};

QTEST_GUILESS_MAIN(TestCliDevices)
#include "test_cli_devices.moc"
