// Finding the installed DeepSpeed from its Python package metadata, in a
// fixture tree, and the export target it implies.
#include "config/deepspeed_config_merge.h"
#include "config/deepspeed_install.h"

#include <QtTest>

#include <fstream>

using namespace aiotune;
namespace fs = std::filesystem;

namespace {

void writeFile(const fs::path& file, const std::string& text) {
    fs::create_directories(file.parent_path());
    std::ofstream(file) << text;
}

} // namespace

class TestDeepSpeedInstall : public QObject {
    Q_OBJECT
  private slots:
    void nothingInstalled() {
        QTemporaryDir tmp;
        PythonSearch search;
        search.root = tmp.path().toStdString();
        search.home = "/root";
        QVERIFY(!findInstalledDeepSpeed(search));
        const auto target = chooseDeepSpeedTarget("", search);
        QVERIFY(target.ok());
        QVERIFY(target->version.everyRelease);
        QVERIFY2(target->description.find("no installed DeepSpeed found") != std::string::npos,
                 target->description.c_str());
        // A section every release reads the same: both thread keys, one value.
        AioConfig c;
        c.intra_op_parallelism = 4;
        const std::string text = aioExportText(c, target->version);
        QVERIFY2(text.find("\"intra_op_parallelism\": 4") != std::string::npos, text.c_str());
        QVERIFY2(text.find("\"thread_count\": 4") != std::string::npos, text.c_str());
    }

    void findsEachKindOfMetadata_data() {
        QTest::addColumn<QString>("file"); // under the fixture root
        QTest::addColumn<QString>("content");
        QTest::addColumn<QString>("version");
        QTest::addRow("pip wheel, system")
            << "usr/local/lib/python3.11/dist-packages/deepspeed-0.16.3.dist-info/METADATA"
            << "Metadata-Version: 2.1\nName: deepspeed\nVersion: 0.16.3\nSummary: x\n"
            << "0.16.3";
        QTest::addRow("egg-info")
            << "usr/lib/python3/dist-packages/deepspeed-0.14.0-py3.11.egg-info/PKG-INFO"
            << "Metadata-Version: 2.1\nName: deepspeed\nVersion: 0.14.0+abc123\n"
            << "0.14.0";
        QTest::addRow("source checkout")
            << "usr/lib/python3.12/site-packages/deepspeed/git_version_info.py"
            << "version='0.18.2'\ngit_hash='abc'\n"
            << "0.18.2";
        QTest::addRow("user site")
            << "home/me/.local/lib/python3.10/site-packages/deepspeed-0.19.4.dist-info/METADATA"
            << "Name: deepspeed\nVersion: 0.19.4\n"
            << "0.19.4";
    }
    void findsEachKindOfMetadata() {
        QFETCH(QString, file);
        QFETCH(QString, content);
        QFETCH(QString, version);
        QTemporaryDir tmp;
        writeFile(fs::path(tmp.path().toStdString()) / file.toStdString(), content.toStdString());
        PythonSearch search;
        search.root = tmp.path().toStdString();
        search.home = "/home/me";
        const auto found = findInstalledDeepSpeed(search);
        QVERIFY(found);
        QCOMPARE(QString::fromStdString(found->version.toString()), version);
        const auto target = chooseDeepSpeedTarget("", search);
        QVERIFY(target.ok());
        QVERIFY(!target->version.everyRelease);
        QVERIFY2(target->description.find("installed") != std::string::npos,
                 target->description.c_str());
    }

    // The active virtualenv comes before the system's packages, as in Python.
    void virtualEnvFirst() {
        QTemporaryDir tmp;
        const fs::path root = tmp.path().toStdString();
        writeFile(root /
                      "usr/local/lib/python3.11/dist-packages/deepspeed-0.16.3.dist-info/METADATA",
                  "Version: 0.16.3\n");
        writeFile(root / "venv/lib/python3.11/site-packages/deepspeed-0.17.0.dist-info/METADATA",
                  "Version: 0.17.0\n");
        PythonSearch search;
        search.root = root;
        search.virtualEnv = "/venv";
        const auto found = findInstalledDeepSpeed(search);
        QVERIFY(found);
        QCOMPARE(found->version, (DeepSpeedVersion{0, 17, 0}));
        // Given explicitly, the version wins over what is installed.
        const auto given = chooseDeepSpeedTarget("0.14.0", search);
        QVERIFY(given.ok());
        QCOMPARE(given->version, (DeepSpeedVersion{0, 14, 0}));
        QVERIFY(chooseDeepSpeedTarget("any", search)->version.everyRelease);
        QVERIFY(!chooseDeepSpeedTarget("nonsense", search).ok());
    }

    // Metadata that is not a deepspeed version is passed over, never trusted.
    void unreadableMetadataSkipped() {
        QTemporaryDir tmp;
        const fs::path root = tmp.path().toStdString();
        writeFile(root / "usr/local/lib/python3.11/dist-packages/deepspeed-x.dist-info/METADATA",
                  "Version: banana\n");
        PythonSearch search;
        search.root = root;
        QVERIFY(!findInstalledDeepSpeed(search));
    }
};

QTEST_GUILESS_MAIN(TestDeepSpeedInstall)
#include "test_deepspeed_install.moc"
