// DrivesPanel over the fixture sysfs trees: rows per mounted folder, refusals
// with reasons, added folders ticked, the scratch default.
#include "panels/drives_panel.h"

#include <QDir>
#include <QFile>
#include <QSignalSpy>
#include <QStandardPaths>
#include <QTableWidget>
#include <QTemporaryDir>
#include <QTest>

#include <unistd.h>

namespace {

aiotune::DiscoveryOptions fixture(const QString& name) {
    aiotune::DiscoveryOptions o;
    const std::string root = std::string(AIOTUNE_TEST_FIXTURES) + "/sysfs/" + name.toStdString();
    o.sysRoot = root + "/sys";
    o.procRoot = root + "/proc";
    // Fixture mount points do not exist here: answer for them.
    o.fsSpace = [](const std::string& path) -> std::optional<aiotune::FsSpace> {
        if (path == "/mnt/nvme0") return aiotune::FsSpace{700ull << 30, 900ull << 30};
        return std::nullopt;
    };
    return o;
}

QStringList column(const QTableWidget* t, int c) {
    QStringList out;
    for (int r = 0; r < t->rowCount(); ++r)
        out << t->item(r, c)->text();
    return out;
}

} // namespace

class TestDrivesPanel : public QObject {
    Q_OBJECT
  private slots:
    void initTestCase() { QStandardPaths::setTestModeEnabled(true); }

    void listsMountedFolders_data() {
        QTest::addColumn<QString>("tree");
        QTest::addColumn<QStringList>("folders");
        QTest::addColumn<QStringList>("nvme");
        QTest::addRow("workstation")
            << "workstation"
            << QStringList{"/mnt/nvme0", "/srv/training data", "/mnt/nvme1", "/", "/boot/efi"}
            << QStringList{"yes", "yes", "yes", "no", "no"};
    }
    void listsMountedFolders() {
        QFETCH(QString, tree);
        DrivesPanel panel;
        panel.setDiscoveryOptions(fixture(tree));
        QSignalSpy done(&panel, &DrivesPanel::discovered);
        panel.refresh();
        QTRY_COMPARE_WITH_TIMEOUT(done.count(), 1, 5000);
        QTEST(column(panel.table(), DrivesPanel::FolderColumn), "folders");
        QTEST(column(panel.table(), DrivesPanel::NvmeColumn), "nvme");
        const int row = panel.rowOf("/mnt/nvme0");
        QCOMPARE(panel.table()->item(row, DrivesPanel::DriveColumn)->text(),
                 QString("nvme0n1 (Samsung SSD 980 PRO 1TB)"));
        QCOMPARE(panel.table()->item(row, DrivesPanel::FsColumn)->text(), QString("ext4"));
        QCOMPARE(panel.table()->item(row, DrivesPanel::FreeColumn)->text(), QString("700 GiB"));
        QCOMPARE(panel.table()->item(panel.rowOf("/mnt/nvme1"), DrivesPanel::NumaColumn)->text(),
                 QString("1"));
        QCOMPARE(panel.table()->item(panel.rowOf("/boot/efi"), DrivesPanel::FsColumn)->text(),
                 QString("vfat, read-only"));
        QVERIFY(panel.checkedFolders().isEmpty());
    }

    void refusesBadFolders_data() {
        QTest::addColumn<QString>("kind");
        QTest::addColumn<QString>("mentions");
        QTest::addRow("symlink") << "symlink"
                                 << "symbolic link";
        QTest::addRow("regular file") << "file"
                                      << "not a folder";
        QTest::addRow("missing") << "missing"
                                 << "does not exist";
        QTest::addRow("character device") << "device"
                                          << "/dev/null";
        QTest::addRow("not writable") << "readonly"
                                      << "writ";
    }
    void refusesBadFolders() {
        QFETCH(QString, kind);
        QFETCH(QString, mentions);
        if (kind == "readonly" && ::geteuid() == 0) QSKIP("root may write anywhere");
        QTemporaryDir dir;
        QString path;
        if (kind == "symlink") {
            QDir().mkdir(dir.filePath("real"));
            QVERIFY(QFile::link(dir.filePath("real"), dir.filePath("link")));
            path = dir.filePath("link");
        } else if (kind == "file") {
            QFile f(dir.filePath("file"));
            QVERIFY(f.open(QIODevice::WriteOnly));
            path = f.fileName();
        } else if (kind == "missing") {
            path = dir.filePath("missing");
        } else if (kind == "device") {
            path = "/dev/null";
        } else {
            QDir().mkdir(dir.filePath("ro"));
            QFile::setPermissions(dir.filePath("ro"), QFile::ReadOwner | QFile::ExeOwner);
            path = dir.filePath("ro");
        }
        DrivesPanel panel;
        panel.setDiscoveryOptions(fixture("workstation"));
        QSignalSpy messages(&panel, &DrivesPanel::message);
        QString reason;
        QVERIFY(!panel.addFolder(path, true, &reason));
        QVERIFY2(reason.contains(mentions, Qt::CaseInsensitive), qPrintable(reason));
        QCOMPARE(messages.count(), 1);
        QVERIFY(messages.first().at(1).toBool());
        QVERIFY(messages.first().at(0).toString().contains(reason));
        QCOMPARE(panel.rowOf(path), -1);
        QVERIFY(panel.checkedFolders().isEmpty());
    }

    void addsAndTicksWritableFolder() {
        QTemporaryDir dir;
        DrivesPanel panel;
        panel.setDiscoveryOptions(fixture("workstation"));
        QSignalSpy selection(&panel, &DrivesPanel::selectionChanged);
        QSignalSpy messages(&panel, &DrivesPanel::message);
        QVERIFY(panel.addFolder(dir.path()));
        QCOMPARE(panel.checkedFolders(), QStringList{dir.path()});
        // What is worth saying about it (its drive is not in the fixture's
        // tables) names the folder once.
        QVERIFY(messages.count() >= 1);
        for (const auto& m : messages)
            QVERIFY2(m.at(0).toString().count(dir.path()) == 1, qPrintable(m.at(0).toString()));
        QCOMPARE(panel.extraFolders(), QStringList{dir.path()});
        QCOMPARE(selection.last().at(0).toStringList(), QStringList{dir.path()});
        const int row = panel.rowOf(dir.path());
        QCOMPARE(row, 0);
        QCOMPARE(panel.table()->item(row, DrivesPanel::FolderColumn)->checkState(), Qt::Checked);
        // Unticking by the checkbox updates the selection.
        panel.table()->item(row, DrivesPanel::FolderColumn)->setCheckState(Qt::Unchecked);
        QCOMPARE(panel.checkedFolders(), QStringList());
        // Discovery keeps the user's folders.
        QSignalSpy done(&panel, &DrivesPanel::discovered);
        panel.setCheckedFolders({dir.path()});
        panel.refresh();
        QTRY_COMPARE_WITH_TIMEOUT(done.count(), 1, 5000);
        QCOMPARE(panel.extraFolders(), QStringList{dir.path()});
        QCOMPARE(panel.checkedFolders(), QStringList{dir.path()});
        QCOMPARE(panel.table()->rowCount(), 6);
    }

    void tickingAnUnusableMountIsRefused() {
        DrivesPanel panel;
        panel.setDiscoveryOptions(fixture("workstation"));
        QSignalSpy done(&panel, &DrivesPanel::discovered);
        panel.refresh();
        QTRY_COMPARE_WITH_TIMEOUT(done.count(), 1, 5000);
        QSignalSpy messages(&panel, &DrivesPanel::message);
        // The fixture's mount point does not exist on this machine.
        const int row = panel.rowOf("/mnt/nvme1");
        panel.table()->item(row, DrivesPanel::FolderColumn)->setCheckState(Qt::Checked);
        QTRY_COMPARE_WITH_TIMEOUT(messages.count(), 1, 2000);
        QVERIFY(messages.first().at(1).toBool());
        QVERIFY(messages.first().at(0).toString().contains("/mnt/nvme1"));
        QCOMPARE(panel.table()->item(row, DrivesPanel::FolderColumn)->checkState(), Qt::Unchecked);
        QVERIFY(panel.checkedFolders().isEmpty());
    }

    void defaultScratchFolderIsCreated() {
        const QString folder = DrivesPanel::defaultScratchFolder();
        QVERIFY(!folder.isEmpty());
        QVERIFY(folder.endsWith("/scratch"));
        QVERIFY(QFileInfo(folder).isDir());
        QCOMPARE(DrivesPanel::defaultScratchFolder(), folder); // idempotent
        DrivesPanel panel;
        QVERIFY(panel.addFolder(folder));
    }
};

QTEST_MAIN(TestDrivesPanel)
#include "test_drives_panel.moc"
