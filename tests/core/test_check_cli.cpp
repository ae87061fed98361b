// `aiotune check` as a user runs it: exit status 0 / 1 / 2, text and --json,
// DeepSpeed's flag spellings, and hostile input refused with status 2 and a
// message naming it (a FIFO, a folder, a device, deep nesting, junk).
#include <QtTest>

#include <nlohmann/json.hpp>

#include <filesystem>
#include <fstream>
#include <regex>
#include <sstream>

#include <sys/stat.h>

namespace fs = std::filesystem;

namespace {

const std::string kConfigs = AIOTUNE_TEST_FIXTURES "/check/configs/";

struct Run {
    int exitCode = -1;
    QString out;
    QString err;
};

// dataHome: XDG_DATA_HOME, where the window's sweeps are looked for.
Run aiotune(const QStringList& args, const QString& dataHome = QDir::currentPath() + "/no-such-data-home") {
    QProcess p;
    // No earlier sweep of this user's may change the answer.
    QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
    env.insert("XDG_DATA_HOME", dataHome);
    p.setProcessEnvironment(env);
    p.start(AIOTUNE_CLI, QStringList{"check"} + args);
    if (!p.waitForFinished(60000)) {
        p.kill();
        p.waitForFinished();
        return {};
    }
    return {p.exitStatus() == QProcess::NormalExit ? p.exitCode() : -1,
            QString::fromUtf8(p.readAllStandardOutput()), QString::fromUtf8(p.readAllStandardError())};
}

} // namespace

class TestCheckCli : public QObject {
    Q_OBJECT
    QTemporaryDir m_tmp{QDir::currentPath() + "/check-cli-XXXXXX"};

    QString config(const std::string& fixture) {
        std::ifstream in(kConfigs + fixture + ".json");
        std::ostringstream text;
        text << in.rdbuf();
        const fs::path nvme = fs::path(m_tmp.path().toStdString()) / "nvme";
        fs::create_directories(nvme);
        const fs::path file = fs::path(m_tmp.path().toStdString()) / (fixture + ".json");
        std::ofstream(file) << std::regex_replace(text.str(), std::regex("@NVME@"), nvme.string());
        return QString::fromStdString(file.string());
    }

  private slots:
    void initTestCase() { QVERIFY(m_tmp.isValid()); }

    void exitStatus_data() {
        QTest::addColumn<QString>("fixture");
        QTest::addColumn<int>("exitCode");
        QTest::addRow("clean") << "clean" << 0;
        QTest::addRow("string boolean") << "aio_string_bool" << 1;
        QTest::addRow("no nvme_path") << "nvme_path_missing" << 1;
        QTest::addRow("warnings only") << "aio_thread_count_ignored" << 0;
        // pybind11 takes null as false: a note, not an error.
        QTest::addRow("flag null") << "aio_flag_null" << 0;
        QTest::addRow("use_gds \"false\"") << "aio_use_gds_string_false" << 1;
        QTest::addRow("buffer_count 2^63") << "offload_count_beyond_int64" << 1;
        QTest::addRow("buffer_count 2^63-1") << "param_buffers_too_large" << 1;
        QTest::addRow("both thread keys") << "aio_dual_thread_keys" << 0;
    }

    // Without --deepspeed_version: the installed DeepSpeed (here an active
    // virtualenv's 0.16.3, which reads thread_count).
    void installedVersionUsed() {
        QProcess p;
        QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
        env.insert("XDG_DATA_HOME", QDir::currentPath() + "/no-such-data-home");
        env.insert("VIRTUAL_ENV", QStringLiteral(AIOTUNE_TEST_FIXTURES) + "/python/venv-0.16.3");
        p.setProcessEnvironment(env);
        p.start(AIOTUNE_CLI, {"check", "--config", config("aio_thread_count_ignored"), "--json"});
        QVERIFY(p.waitForFinished(60000));
        const auto j = nlohmann::json::parse(p.readAllStandardOutput().toStdString());
        QCOMPARE(j["deepspeed_version"].get<std::string>(), std::string("0.16.3"));
        QCOMPARE(j["deepspeed_version_assumed"].get<bool>(), false);
        QVERIFY(j["deepspeed_version_source"].get<std::string>().find(
                    "deepspeed-0.16.3.dist-info") != std::string::npos);
        for (const auto& f : j["findings"])
            QVERIFY2(!(f["code"] == "AIO_IGNORED_KEY" && f["subject"] == "aio.thread_count"),
                     f.dump().c_str());
        // "any" is export's; check needs one release.
        const Run any = aiotune({"--config", config("clean"), "--deepspeed_version", "any"});
        QCOMPARE(any.exitCode, 2);
        QVERIFY2(any.err.contains("name one release"), qPrintable(any.err));
    }

    // Issue 18 #11: with no version given and no DeepSpeed installed where
    // aiotune looks, export writes a section every release reads (both thread
    // keys) and check assumes 0.16.4 or later; each says which it used. Where
    // this machine has DeepSpeed in a system folder, both name that one.
    void defaultTargetSaid() {
        const QString home = m_tmp.path() + "/empty-home";
        QDir().mkpath(home);
        QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
        env.remove("VIRTUAL_ENV");
        env.remove("CONDA_PREFIX");
        env.insert("HOME", home);
        env.insert("XDG_DATA_HOME", QDir::currentPath() + "/no-such-data-home");
        const auto run = [&](const QStringList& args) {
            QProcess p;
            p.setProcessEnvironment(env);
            p.start(AIOTUNE_CLI, args);
            p.waitForFinished(60000);
            return Run{p.exitCode(), QString::fromUtf8(p.readAllStandardOutput()),
                       QString::fromUtf8(p.readAllStandardError())};
        };
        const Run exp = run({"export", "--log_dir", QStringLiteral(AIOTUNE_TEST_FIXTURES) + "/deepspeed/ds-0.15-sweep"});
        QCOMPARE(exp.exitCode, 0);
        const Run chk = run({"check", "--config", config("clean"), "--json"});
        const auto j = nlohmann::json::parse(chk.out.toStdString());
        static const QRegularExpression installed("target DeepSpeed ([0-9.]+) \\(installed: ");
        if (const auto m = installed.match(exp.err); m.hasMatch()) {
            QCOMPARE(QString::fromStdString(j["deepspeed_version"].get<std::string>()), m.captured(1));
            QSKIP("this machine has DeepSpeed installed: both commands target it (checked)");
        }
        QVERIFY2(exp.err.contains("target every DeepSpeed release (no installed DeepSpeed found)"),
                 qPrintable(exp.err));
        QVERIFY2(exp.out.contains("\"intra_op_parallelism\": 8") && exp.out.contains("\"thread_count\": 8"),
                 qPrintable(exp.out));
        QCOMPARE(j["deepspeed_version"].get<std::string>(), std::string("0.16.4"));
        QCOMPARE(j["deepspeed_version_assumed"].get<bool>(), true);
        const Run text = run({"check", "--config", config("clean")});
        QVERIFY2(text.out.contains("for DeepSpeed 0.16.4 or later (assumed; pass --deepspeed_version)"),
                 qPrintable(text.out));
    }

    // Out-of-range integers: an error naming the key and DeepSpeed's limit,
    // never a capped figure.
    void outOfRangeNamesKeyAndLimit_data() {
        QTest::addColumn<QString>("fixture");
        QTest::addColumn<QString>("code");
        QTest::addColumn<QString>("subject");
        QTest::addColumn<QString>("limit");
        QTest::addRow("2^63") << "offload_count_beyond_int64"
                              << "OFFLOAD_OUT_OF_RANGE"
                              << "zero_optimization.offload_param.buffer_count"
                              << "9223372036854775807";
        QTest::addRow("2^63-1") << "param_buffers_too_large"
                                << "PARAM_BUFFERS_TOO_LARGE"
                                << "zero_optimization.offload_param.buffer_count"
                                << "2^63-1";
        QTest::addRow("block_size 2^31") << "aio_block_size_beyond_int"
                                         << "AIO_OUT_OF_RANGE"
                                         << "aio.block_size"
                                         << "2147483647";
    }
    void outOfRangeNamesKeyAndLimit() {
        QFETCH(QString, fixture);
        QFETCH(QString, code);
        QFETCH(QString, subject);
        QFETCH(QString, limit);
        const Run r = aiotune({"--config", config(fixture.toStdString()), "--json"});
        QCOMPARE(r.exitCode, 1);
        const auto j = nlohmann::json::parse(r.out.toStdString());
        bool found = false;
        for (const auto& f : j["findings"]) {
            if (f["code"] != code.toStdString()) continue;
            found = true;
            QCOMPARE(QString::fromStdString(f["subject"].get<std::string>()), subject);
            QCOMPARE(QString::fromStdString(f["severity"].get<std::string>()), QString("error"));
            QVERIFY2(QString::fromStdString(f["message"].get<std::string>()).contains(limit),
                     qPrintable(r.out));
        }
        QVERIFY2(found, qPrintable(r.out));
        // No memory figure was made from a wrapped product.
        QVERIFY2(!r.out.contains("EiB"), qPrintable(r.out));
    }
    void exitStatus() {
        QFETCH(QString, fixture);
        QFETCH(int, exitCode);
        const Run r = aiotune({"--config", config(fixture.toStdString())});
        QVERIFY2(r.exitCode == exitCode, qPrintable(r.out + r.err));
        QVERIFY2(r.out.contains(QRegularExpression("\\d+ error\\(s\\), \\d+ warning\\(s\\)")), qPrintable(r.out));
    }

    void json() {
        const Run r = aiotune({"--config", config("aio_string_bool"), "--json", "--deepspeed-version", "0.14.0"});
        QCOMPARE(r.exitCode, 1);
        const auto j = nlohmann::json::parse(r.out.toStdString());
        QCOMPARE(j["deepspeed_version"].get<std::string>(), std::string("0.14.0"));
        QCOMPARE(j["deepspeed_version_assumed"].get<bool>(), false);
        QVERIFY(j["errors"].get<int>() >= 1);
        bool wrongType = false, ignored = false;
        for (const auto& f : j["findings"]) {
            QVERIFY(f.contains("severity") && f.contains("code") && f.contains("subject") &&
                    f.contains("message") && f.contains("fix"));
            if (f["code"] == "AIO_WRONG_TYPE" && f["subject"] == "aio.single_submit") wrongType = f["severity"] == "error";
            // 0.14 reads thread_count, not intra_op_parallelism.
            if (f["code"] == "AIO_IGNORED_KEY" && f["subject"] == "aio.intra_op_parallelism") ignored = true;
        }
        QVERIFY2(wrongType && ignored, qPrintable(r.out));
        // The underscore spelling means the same.
        const Run same = aiotune({"--config", config("aio_string_bool"), "--json", "--deepspeed_version", "0.14.0"});
        QCOMPARE(same.out, r.out);
    }

    void logDir() {
        const Run r = aiotune({"--config", config("clean"), "--log_dir", AIOTUNE_TEST_FIXTURES "/deepspeed/ds-0.15-sweep", "--json"});
        QVERIFY2(r.exitCode == 0, qPrintable(r.out + r.err));
        const auto j = nlohmann::json::parse(r.out.toStdString());
        QVERIFY(j["measurements"].get<std::string>().find("ds-0.15-sweep") != std::string::npos);
    }

    // Without --log_dir the newest of the window's sweeps is compared with:
    // they live in $XDG_DATA_HOME/aiotune/sweeps, where the window writes them.
    void windowSweepsFound() {
        const fs::path sweeps = fs::path(m_tmp.path().toStdString()) / "data" / "aiotune" / "sweeps";
        fs::create_directories(sweeps);
        fs::copy(AIOTUNE_TEST_FIXTURES "/deepspeed/ds-0.15-sweep", sweeps / "sweep-20261201-120000",
                 fs::copy_options::recursive);
        const Run r = aiotune({"--config", config("clean"), "--json"}, m_tmp.path() + "/data");
        QVERIFY2(r.exitCode == 0, qPrintable(r.out + r.err));
        const auto j = nlohmann::json::parse(r.out.toStdString());
        QVERIFY2(j["measurements"].get<std::string>().find("sweep-20261201-120000") != std::string::npos,
                 qPrintable(r.out));
    }

    void refused_data() {
        QTest::addColumn<QString>("kind");
        QTest::addColumn<QString>("mentions");
        QTest::addRow("fifo") << "fifo" << "not a regular file";
        QTest::addRow("folder") << "folder" << "is a folder";
        QTest::addRow("device") << "device" << "not a regular file";
        QTest::addRow("missing") << "missing" << "does not exist";
        QTest::addRow("deep nesting") << "deep" << "levels deep";
        QTest::addRow("not json") << "junk" << "not valid JSON";
        QTest::addRow("a list") << "list" << "JSON object";
        QTest::addRow("duplicate key") << "duplicate" << "appears twice";
        // Read in a moment, not minutes (an ordered object's lookups are linear).
        QTest::addRow("a million keys") << "keys" << "more keys than a DeepSpeed config holds";
        // An empty value is named, never read as "not given".
        QTest::addRow("empty --config") << "emptyconfig" << "--config: must not be empty";
        QTest::addRow("empty --model-params") << "emptymodel" << "--model-params: must not be empty";
        QTest::addRow("bad version") << "version" << "not a version number";
        QTest::addRow("no --config") << "noconfig" << "--config";
        QTest::addRow("unknown flag") << "flag" << "--frobnicate";
        QTest::addRow("log_dir a file") << "logdir" << "is not a folder";
    }
    void refused() {
        QFETCH(QString, kind);
        QFETCH(QString, mentions);
        const QString dir = m_tmp.path();
        QString file = dir + "/" + kind + ".json";
        QStringList extra;
        const auto write = [&](const std::string& text) { std::ofstream(file.toStdString()) << text; };
        if (kind == "fifo") QCOMPARE(::mkfifo(file.toLocal8Bit().constData(), 0600), 0);
        else if (kind == "folder") QVERIFY(QDir().mkpath(file));
        else if (kind == "device") file = "/dev/zero";
        else if (kind == "deep") write(std::string(100000, '[') + std::string(100000, ']'));
        else if (kind == "junk") write("{\"aio\": {\"block_size\": 1048576,, }");
        else if (kind == "list") write("[1, 2]");
        else if (kind == "duplicate") write("{\"aio\": {}, \"aio\": {}}");
        else if (kind == "keys") {
            std::string text = "{";
            for (int i = 0; i < 1000000; ++i) text += (i ? ",\"k" : "\"k") + std::to_string(i) + "\":0";
            write(text + "}");
        }
        else if (kind == "emptyconfig") file = "";
        else if (kind == "emptymodel") { file = config("clean"); extra << "--model-params" << ""; }
        else if (kind == "version") { file = config("clean"); extra << "--deepspeed_version" << "latest"; }
        else if (kind == "flag") { file = config("clean"); extra << "--frobnicate"; }
        else if (kind == "logdir") { file = config("clean"); extra << "--log_dir" << file; }
        const QStringList args = kind == "noconfig" ? QStringList{"--json"} : QStringList{"--config", file} + extra;
        const Run r = aiotune(args);
        QVERIFY2(r.exitCode == 2, qPrintable(QString::number(r.exitCode) + r.out + r.err));
        QVERIFY2(r.err.contains(mentions), qPrintable(r.err));
        // Nothing written next to the input.
        if (kind == "fifo") QVERIFY(QFileInfo(file).exists());
    }

    void help() {
        const Run r = aiotune({"--help"});
        QCOMPARE(r.exitCode, 0);
        for (const char* flag : {"--config", "--deepspeed_version", "--log_dir", "--json"})
            QVERIFY2(r.out.contains(flag), qPrintable(r.out));
    }
};

QTEST_GUILESS_MAIN(TestCheckCli)
#include "test_check_cli.moc"
