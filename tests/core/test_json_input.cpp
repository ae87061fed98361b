// Hostile JSON inputs: every reader (DeepSpeed configs, sweep configs,
// sweep.json, presets) refuses deep nesting, oversized files and special files
// before building anything, with a message naming the file and the limit.
#include "../tools/fault_env.h"

#include "config/aio_config.h"
#include "config/deepspeed_config_merge.h"
#include "results/sweep_file.h"
#include "sweep/sweep_spec.h"
#include "util/atomic_file.h"
#include "util/json_input.h"

#include <QFile>
#include <QTemporaryDir>
#include <QtTest>

#include <sys/resource.h>
#include <sys/stat.h>

using namespace aiotune;
using namespace aiotune::testing;

namespace {
std::string nested(std::size_t levels, bool objects = false) {
    std::string text;
    text.reserve(levels * (objects ? 6 : 2) + 16);
    for (std::size_t i = 0; i < levels; ++i) text += objects ? "{\"a\":" : "[";
    text += "1";
    for (std::size_t i = 0; i < levels; ++i) text += objects ? "}" : "]";
    return text;
}
bool writeFile(const QString& path, const std::string& bytes) {
    QFile f(path);
    return f.open(QIODevice::WriteOnly) && f.write(bytes.data(), qint64(bytes.size())) == qint64(bytes.size());
}
// Resident memory high-water mark of this process, in MiB.
long peakRssMiB() {
    struct rusage u {};
    ::getrusage(RUSAGE_SELF, &u);
    return u.ru_maxrss / 1024;
}
} // namespace

class TestJsonInput : public QObject {
    Q_OBJECT
private slots:
    void nestingLimit_data() {
        QTest::addColumn<int>("levels");
        QTest::addColumn<bool>("objects");
        QTest::addColumn<bool>("ok");
        QTest::addRow("100 levels") << 100 << false << true;
        QTest::addRow("101 levels") << 101 << false << false;
        QTest::addRow("40,000 arrays (segfaulted)") << 40000 << false << false;
        QTest::addRow("40,000 objects") << 40000 << true << false;
        QTest::addRow("1,000,000 arrays (ate 24 GB)") << 1000000 << false << false;
    }
    void nestingLimit() {
        QFETCH(int, levels);
        QFETCH(bool, objects);
        QFETCH(bool, ok);
        const std::string text = "{\"x\": " + nested(std::size_t(levels) - 1, objects) + "}";
        const long before = peakRssMiB();
        auto r = checkJsonLimits(text, "deep.json");
        QCOMPARE(r.ok(), ok);
        auto config = parseDeepSpeedConfigText(text, "deep.json");
        QCOMPARE(config.ok(), ok);
        auto sweep = parseSweepFileText(text, "sweep.json");
        if (!ok) {
            VERIFY_CONTAINS(config.error(), "deep.json");
            VERIFY_CONTAINS(config.error(), "more than 100 levels");
            QVERIFY(!sweep.ok());
            VERIFY_CONTAINS(sweep.error(), "more than 100 levels");
        }
        // Refused before nlohmann builds the tree: no memory to speak of.
        QVERIFY2(peakRssMiB() - before < 64, qPrintable(QString::number(peakRssMiB() - before)));
    }

    // Brackets inside strings and comments are text, not nesting.
    void bracketsInStringsAndCommentsDoNotCount() {
        const std::string many(500, '[');
        const std::string text = "// " + many + "\n/* " + many + " */\n{\"note\": \"" + many +
                                 "\\\"" + many + "\", \"aio\": {\"queue_depth\": 16}}";
        auto r = parseDeepSpeedConfigText(text, "ok.json");
        QVERIFY2(r.ok(), r.error().c_str());
        QCOMPARE(r->config.queue_depth, 16);
    }

    void sizeLimit() {
        JsonLimits limits;
        limits.maxBytes = 1000;
        const std::string text(1001, ' ');
        auto r = parseJsonText(text, "big.json", limits);
        QVERIFY(!r.ok());
        VERIFY_CONTAINS(r.error(), "big.json");
        VERIFY_CONTAINS(r.error(), "1000 B");
    }

    // Special and oversized files are refused before reading: /dev/zero and a
    // FIFO with no writer would otherwise be read forever.
    void specialFilesAreRefused_data() {
        QTest::addColumn<QString>("kind");
        QTest::addRow("/dev/zero") << "zero";
        QTest::addRow("FIFO") << "fifo";
        QTest::addRow("folder") << "folder";
        QTest::addRow("sparse 4 GiB file") << "huge";
    }
    void specialFilesAreRefused() {
        QFETCH(QString, kind);
        QTemporaryDir dir;
        QString path = dir.filePath("input.json");
        if (kind == "zero") path = "/dev/zero";
        if (kind == "fifo") QCOMPARE(::mkfifo(path.toLocal8Bit().constData(), 0600), 0);
        if (kind == "folder") QVERIFY(QDir(dir.path()).mkdir("input.json"));
        if (kind == "huge") {
            QFile f(path);
            QVERIFY(f.open(QIODevice::WriteOnly));
            QVERIFY(f.resize(4ll << 30));
        }
        const std::string p = path.toStdString();
        std::vector<std::string> warnings;
        auto sweep = SweepSpec::fromDeepSpeedSweepConfigFile(p, &warnings);
        QVERIFY(!sweep.ok());
        VERIFY_CONTAINS(sweep.error(), p);
        auto config = parseDeepSpeedConfigFile(p);
        QVERIFY(!config.ok());
        VERIFY_CONTAINS(config.error(), p);
        auto json = readJsonFile(p);
        QVERIFY(!json.ok());
        VERIFY_CONTAINS(json.error(), kind == "huge" ? "more than the 64 MiB" : kind == "folder" ? "is a folder"
                                                                                                 : "not a regular file");
    }

    // The merge reads through the same gate.
    void mergeRefusesDeepConfig() {
        QTemporaryDir dir;
        const QString config = dir.filePath("ds.json");
        const std::string text = "{\"aio\": {}, \"x\": " + nested(40000) + "}";
        QVERIFY(writeFile(config, text));
        auto r = mergeAioIntoConfigFile(config.toStdString(), AioConfig{});
        QVERIFY(!r.ok());
        VERIFY_CONTAINS(r.error(), config.toStdString());
        VERIFY_CONTAINS(r.error(), "levels");
        QCOMPARE(entriesOf(dir.path()), QStringList{"ds.json"});
    }
};

QTEST_GUILESS_MAIN(TestJsonInput)
#include "test_json_input.moc"
