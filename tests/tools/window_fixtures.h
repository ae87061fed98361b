#pragma once
// What the window tests share: the workstation fixture's drives (no real
// disk), and a test main() on an offscreen screen of a given size.
#include "devices/device_discovery.h"
#include "devices/fs_space.h"

#include <QApplication>
#include <QFile>
#include <QTemporaryDir>
#include <QTest>

#include <optional>
#include <string>

namespace aiotune::testing {

inline DiscoveryOptions fixtureDrives() {
    DiscoveryOptions o;
    o.sysRoot = std::string(AIOTUNE_TEST_FIXTURES) + "/sysfs/workstation/sys";
    o.procRoot = std::string(AIOTUNE_TEST_FIXTURES) + "/sysfs/workstation/proc";
    o.fsSpace = [](const std::string&) { return std::optional<FsSpace>(); };
    return o;
}

// Runs Test's slots on an offscreen screen of width x height (the offscreen
// platform's is 800x600 unless a config file says otherwise).
template <typename Test> int runOnScreen(int argc, char** argv, int width, int height) {
    QTemporaryDir dir;
    const QString config = dir.filePath("screens.json");
    QFile f(config);
    if (!f.open(QIODevice::WriteOnly)) return 1;
    f.write(QStringLiteral(R"({"screens": [{"name": "fit", "x": 0, "y": 0, "width": %1, "height": %2,
               "logicalDpi": 96, "logicalBaseDpi": 96, "dpr": 1}]})")
                .arg(width)
                .arg(height)
                .toUtf8());
    f.close();
    qputenv("QT_QPA_PLATFORM", ("offscreen:configfile=" + config).toLocal8Bit());
    QApplication app(argc, argv);
    Test test;
    return QTest::qExec(&test, argc, argv);
}

} // namespace aiotune::testing
