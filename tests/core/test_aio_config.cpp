#include "config/aio_config.h"

#include <QtTest>

using namespace aiotune;

Q_DECLARE_METATYPE(AioConfig)

namespace {

AioConfig make(std::uint64_t block, int depth, int threads, bool single, bool overlap, bool gds) {
    AioConfig c;
    c.block_size = block;
    c.queue_depth = depth;
    c.intra_op_parallelism = threads;
    c.single_submit = single;
    c.overlap_events = overlap;
    c.use_gds = gds;
    return c;
}

std::string joined(const std::vector<std::string>& lines) {
    std::string all;
    for (const auto& line : lines) all += line + "\n";
    return all;
}

QString describe(const AioConfig& c) {
    return QStringLiteral("bs=%1 qd=%2 p=%3 single=%4 overlap=%5 gds=%6")
        .arg(c.block_size)
        .arg(c.queue_depth)
        .arg(c.intra_op_parallelism)
        .arg(c.single_submit)
        .arg(c.overlap_events)
        .arg(c.use_gds);
}

} // namespace

class TestAioConfig : public QObject {
    Q_OBJECT
private slots:
    // Whole configs: ok -> the config and how many warnings; error -> the
    // message. `mentions` must all appear in the error, or in the warnings.
    void parsesConfigText_data() {
        QTest::addColumn<QString>("json");
        QTest::addColumn<bool>("ok");
        QTest::addColumn<AioConfig>("expected");
        QTest::addColumn<int>("warnings");
        QTest::addColumn<QStringList>("mentions");
        const AioConfig d;

        // Defaults, the way DeepSpeed fills them in.
        QTest::addRow("no aio key") << R"({"train_batch_size": 8})" << true << d << 0 << QStringList();
        QTest::addRow("aio null") << R"({"aio": null})" << true << d << 0 << QStringList();
        QTest::addRow("aio empty") << R"({"aio": {}})" << true << d << 0 << QStringList();
        QTest::addRow("one key, rest default")
            << R"({"aio": {"queue_depth": 32}})" << true << make(1048576, 32, 1, false, true, false)
            << 0 << QStringList();
        QTest::addRow("every key")
            << R"({"aio": {"block_size": 131072, "queue_depth": 64, "intra_op_parallelism": 8,
                   "single_submit": true, "overlap_events": false, "use_gds": true}})"
            << true << make(131072, 64, 8, true, false, true) << 0 << QStringList();
        QTest::addRow("comments as hjson allows")
            << "// tuned\n{\"aio\": {/* why */ \"queue_depth\": 16}}" << true
            << make(1048576, 16, 1, false, true, false) << 0 << QStringList();

        // The legacy thread key.
        QTest::addRow("legacy thread_count")
            << R"({"aio": {"thread_count": 4}})" << true << make(1048576, 8, 4, false, true, false)
            << 1 << QStringList{"thread_count", "0.16.4", "intra_op_parallelism"};
        QTest::addRow("legacy thread_count 1 is the default anyway")
            << R"({"aio": {"thread_count": 1}})" << true << d << 0 << QStringList();
        QTest::addRow("both thread keys equal")
            << R"({"aio": {"thread_count": 8, "intra_op_parallelism": 8}})" << true
            << make(1048576, 8, 8, false, true, false) << 1 << QStringList{"thread_count", "8"};
        QTest::addRow("both thread keys differ")
            << R"({"aio": {"thread_count": 4, "intra_op_parallelism": 8}})" << false << d << 0
            << QStringList{"thread_count", "(4)", "intra_op_parallelism", "(8)"};

        // Wrong JSON types: DeepSpeed would misread or crash on each.
        QTest::addRow("string false")
            << R"({"aio": {"single_submit": "false"}})" << false << d << 0
            << QStringList{"single_submit", "\"false\"", "refuses it", "write false without quotes"};
        QTest::addRow("string true")
            << R"({"aio": {"overlap_events": "true"}})" << false << d << 0
            << QStringList{"overlap_events", "\"true\""};
        // use_gds is truth-tested (swap_tensor/aio_config.py): 1 is on, with a warning.
        QTest::addRow("number for bool")
            << R"({"aio": {"use_gds": 1}})" << true << [] { AioConfig c; c.use_gds = true; return c; }() << 1
            << QStringList{"use_gds", "1", "GPUDirect Storage is turned ON"};
        QTest::addRow("fractional queue_depth")
            << R"({"aio": {"queue_depth": 8.5}})" << false << d << 0
            << QStringList{"queue_depth", "8.5", "fractional", "takes only an integer"};
        QTest::addRow("float-written queue_depth")
            << R"({"aio": {"queue_depth": 8.0}})" << false << d << 0
            << QStringList{"queue_depth", "8.0"};
        // pybind11's int caster takes a Python bool (an int subclass) as 0 or 1.
        QTest::addRow("bool for int")
            << R"({"aio": {"queue_depth": true}})" << true << [] { AioConfig c; c.queue_depth = 1; return c; }() << 1
            << QStringList{"queue_depth", "true", "the integer 1"};
        QTest::addRow("bool for thread key")
            << R"({"aio": {"intra_op_parallelism": false}})" << false << d << 0
            << QStringList{"intra_op_parallelism", "is 0", "at least 1"};
        QTest::addRow("string block size suggests bytes")
            << R"({"aio": {"block_size": "1M"}})" << false << d << 0
            << QStringList{"block_size", "\"1M\"", "1048576"};
        QTest::addRow("string queue_depth")
            << R"({"aio": {"queue_depth": "8"}})" << false << d << 0
            << QStringList{"queue_depth", "\"8\""};
        QTest::addRow("null key")
            << R"({"aio": {"queue_depth": null}})" << false << d << 0
            << QStringList{"queue_depth", "null"};
        QTest::addRow("list for int")
            << R"({"aio": {"block_size": [4096]}})" << false << d << 0
            << QStringList{"block_size", "[4096]"};
        QTest::addRow("aio is a number")
            << R"({"aio": 5})" << false << d << 0 << QStringList{"\"aio\"", "5", "object"};
        QTest::addRow("aio is a string")
            << R"({"aio": "on"})" << false << d << 0 << QStringList{"\"aio\"", "\"on\""};

        // Values out of range.
        QTest::addRow("zero queue_depth")
            << R"({"aio": {"queue_depth": 0}})" << false << d << 0
            << QStringList{"queue_depth", "is 0", "at least 1"};
        QTest::addRow("negative intra_op_parallelism")
            << R"({"aio": {"intra_op_parallelism": -2}})" << false << d << 0
            << QStringList{"intra_op_parallelism", "-2"};
        QTest::addRow("negative block_size")
            << R"({"aio": {"block_size": -4096}})" << false << d << 0
            << QStringList{"block_size", "-4096"};
        QTest::addRow("zero thread_count")
            << R"({"aio": {"thread_count": 0}})" << false << d << 0
            << QStringList{"thread_count", "0"};
        QTest::addRow("block_size not a multiple of 4096")
            << R"({"aio": {"block_size": 1000}})" << false << d << 0
            << QStringList{"block_size", "1000", "4096"};
        QTest::addRow("block_size 4097")
            << R"({"aio": {"block_size": 4097}})" << false << d << 0
            << QStringList{"block_size", "4097", "8192"};
        QTest::addRow("queue_depth beyond int")
            << R"({"aio": {"queue_depth": 99999999999}})" << false << d << 0
            << QStringList{"queue_depth", "99999999999", "beyond 2147483647", "a C int"};

        // Warnings: DeepSpeed ignores these silently, aiotune says so.
        QTest::addRow("unknown key with suggestion")
            << R"({"aio": {"queu_depth": 32}})" << true << d << 1
            << QStringList{"\"queu_depth\"", "did you mean \"queue_depth\""};
        QTest::addRow("unknown key far from any")
            << R"({"aio": {"prefetch": true}})" << true << d << 1 << QStringList{"\"prefetch\""};
        QTest::addRow("ds_nvme_tune num_threads")
            << R"({"aio": {"num_threads": 8}})" << true << d << 1
            << QStringList{"num_threads", "no DeepSpeed", "intra_op_parallelism"};
        QTest::addRow("aio nested in zero_optimization")
            << R"({"zero_optimization": {"stage": 3, "aio": {"queue_depth": 64}}})" << true << d << 1
            << QStringList{"zero_optimization", "ignored", "top level", "defaults apply"};
        QTest::addRow("aio nested deeper, top level wins")
            << R"({"aio": {"queue_depth": 16}, "a": {"b": {"aio": {"queue_depth": 64}}}})" << true
            << make(1048576, 16, 1, false, true, false) << 1 << QStringList{"\"a.b\"", "top level"};
        QTest::addRow("warnings add up")
            << R"({"aio": {"num_threads": 2, "x": 1}, "zero_optimization": {"aio": null}})" << true
            << d << 3 << QStringList{"num_threads", "\"x\"", "zero_optimization"};

        // Text that DeepSpeed could not load at all.
        QTest::addRow("malformed JSON names file and position")
            << "{\n  \"aio\": {\n    \"queue_depth\": 8,\n  }\n}" << false << d << 0
            << QStringList{"ds_config.json", "line 4", "column 3"};
        QTest::addRow("unterminated")
            << R"({"aio": {"queue_depth": 8})" << false << d << 0
            << QStringList{"ds_config.json", "line 1", "not valid JSON"};
        QTest::addRow("empty text") << "" << false << d << 0 << QStringList{"ds_config.json", "line 1"};
        QTest::addRow("duplicate key as DeepSpeed rejects")
            << R"({"aio": {"queue_depth": 8, "queue_depth": 16}})" << false << d << 0
            << QStringList{"\"queue_depth\"", "twice", "\"aio\""};
        QTest::addRow("duplicate top-level key")
            << R"({"fp16": {}, "fp16": {}})" << false << d << 0
            << QStringList{"\"fp16\"", "top level"};
        QTest::addRow("top level is a list")
            << R"([{"aio": {}}])" << false << d << 0 << QStringList{"ds_config.json", "object"};
    }
    void parsesConfigText() {
        QFETCH(QString, json);
        QFETCH(bool, ok);
        QFETCH(AioConfig, expected);
        QFETCH(int, warnings);
        QFETCH(QStringList, mentions);
        const auto r = parseDeepSpeedConfigText(json.toStdString(), "ds_config.json");
        QVERIFY2(r.ok() == ok, (ok ? r.error() : std::string("unexpectedly parsed")).c_str());
        const std::string text = ok ? joined(r->warnings) : r.error();
        if (ok) {
            QVERIFY2(r->config == expected, qPrintable(describe(r->config)));
            QVERIFY2(int(r->warnings.size()) == warnings, text.c_str());
            for (const auto& w : r->warnings)
                QVERIFY2(w.rfind("ds_config.json: ", 0) == 0, w.c_str());
        } else {
            QVERIFY2(r.error().rfind("ds_config.json: ", 0) == 0 ||
                         r.error().find("ds_config.json") != std::string::npos,
                     text.c_str());
        }
        for (const QString& m : mentions)
            QVERIFY2(text.find(m.toStdString()) != std::string::npos,
                     qPrintable(QStringLiteral("'%1' missing from: %2").arg(m, QString::fromStdString(text))));
    }

    void parsesSectionValues() {
        // Built in code: nlohmann stores these as signed integers.
        const nlohmann::json built = {{"queue_depth", 16}, {"intra_op_parallelism", 2},
                                      {"single_submit", true}};
        auto r = parseAioSection(built);
        QVERIFY2(r.ok(), r.error().c_str());
        QCOMPARE(r->config, make(1048576, 16, 2, true, true, false));
        QVERIFY(r->warnings.empty());

        auto null = parseAioSection(nlohmann::json());
        QVERIFY(null.ok());
        QCOMPARE(null->config, AioConfig());

        auto bad = parseAioSection(nlohmann::json{{"block_size", 12288.0}});
        QVERIFY(!bad.ok());
        QVERIFY(bad.error().find("block_size") != std::string::npos);
    }

    void parsesFiles() {
        QTemporaryDir dir;
        QVERIFY(dir.isValid());
        const std::string good = dir.filePath("good.json").toStdString();
        const std::string broken = dir.filePath("broken.json").toStdString();
        {
            QFile f(QString::fromStdString(good));
            QVERIFY(f.open(QIODevice::WriteOnly));
            f.write(R"({"aio": {"block_size": 8388608, "queue_depth": 128}})");
            QFile b(QString::fromStdString(broken));
            QVERIFY(b.open(QIODevice::WriteOnly));
            b.write("{\"aio\": {\"queue_depth\": 8}\n\"x\": 1}");
        }
        auto r = parseDeepSpeedConfigFile(good);
        QVERIFY2(r.ok(), r.error().c_str());
        QCOMPARE(r->config, make(8388608, 128, 1, false, true, false));

        auto e = parseDeepSpeedConfigFile(broken);
        QVERIFY(!e.ok());
        QVERIFY2(e.error().find(broken) != std::string::npos, e.error().c_str());
        QVERIFY2(e.error().find("line 2, column 1") != std::string::npos, e.error().c_str());

        const std::string missing = dir.filePath("missing.json").toStdString();
        auto m = parseDeepSpeedConfigFile(missing);
        QVERIFY(!m.ok());
        QVERIFY2(m.error().find(missing) != std::string::npos, m.error().c_str());
    }

    void validates_data() {
        QTest::addColumn<AioConfig>("config");
        QTest::addColumn<QString>("mention"); // empty: valid
        QTest::addRow("defaults") << AioConfig() << QString();
        QTest::addRow("4K blocks") << make(4096, 1, 1, true, false, false) << QString();
        QTest::addRow("zero block") << make(0, 8, 1, false, true, false) << "block_size 0";
        QTest::addRow("odd block") << make(6000, 8, 1, false, true, false) << "6000";
        QTest::addRow("zero depth") << make(4096, 0, 1, false, true, false) << "queue_depth 0";
        QTest::addRow("negative threads")
            << make(4096, 8, -1, false, true, false) << "intra_op_parallelism -1";
        // The caps of config/transfer_limits.h (none existed here before).
        QTest::addRow("depth above io_uring's ring")
            << make(4096, 40000, 1, false, true, false) << "queue_depth 40000 is above 32768";
        QTest::addRow("257 threads")
            << make(4096, 8, 257, false, true, false) << "intra_op_parallelism 257";
        QTest::addRow("4 GiB block")
            << make(4ull << 30, 8, 1, false, true, false) << "block_size 4G (4294967296 bytes) is above 1G";
        QTest::addRow("largest allowed")
            << make(1ull << 30, 32768, 256, true, false, true) << QString();
    }
    void validates() {
        QFETCH(AioConfig, config);
        QFETCH(QString, mention);
        const auto r = validateAioConfig(config);
        QCOMPARE(r.ok(), mention.isEmpty());
        if (!mention.isEmpty())
            QVERIFY2(r.error().find(mention.toStdString()) != std::string::npos, r.error().c_str());
    }

    void parsesVersions_data() {
        QTest::addColumn<QString>("text");
        QTest::addColumn<bool>("ok");
        QTest::addColumn<int>("major");
        QTest::addColumn<int>("minor");
        QTest::addColumn<int>("patch");
        QTest::addRow("plain") << "0.16.4" << true << 0 << 16 << 4;
        QTest::addRow("v prefix, two parts") << "v0.14" << true << 0 << 14 << 0;
        QTest::addRow("release candidate") << "0.15.0rc1" << true << 0 << 15 << 0;
        QTest::addRow("local build") << "0.16.4+cu121" << true << 0 << 16 << 4;
        QTest::addRow("dev build") << "0.17.1.dev0" << true << 0 << 17 << 1;
        QTest::addRow("spaces") << " 0.19.0 " << true << 0 << 19 << 0;
        QTest::addRow("one") << "1.0.0" << true << 1 << 0 << 0;
        QTest::addRow("empty") << "" << false << 0 << 0 << 0;
        QTest::addRow("word") << "latest" << false << 0 << 0 << 0;
        QTest::addRow("major only") << "1" << false << 0 << 0 << 0;
        QTest::addRow("letter part") << "0.x" << false << 0 << 0 << 0;
        QTest::addRow("four numbers") << "0.16.4.1" << false << 0 << 0 << 0;
        QTest::addRow("double dot") << "0..1" << false << 0 << 0 << 0;
        QTest::addRow("negative") << "-1.2" << false << 0 << 0 << 0;
        QTest::addRow("inner space") << "0.16 4" << false << 0 << 0 << 0;
    }
    void parsesVersions() {
        QFETCH(QString, text);
        QFETCH(bool, ok);
        const auto r = DeepSpeedVersion::parse(text.toStdString());
        QCOMPARE(r.ok(), ok);
        if (ok) {
            QFETCH(int, major);
            QFETCH(int, minor);
            QFETCH(int, patch);
            QCOMPARE(r->major, major);
            QCOMPARE(r->minor, minor);
            QCOMPARE(r->patch, patch);
        } else {
            QVERIFY2(r.error().find("\"" + text.toStdString() + "\"") != std::string::npos,
                     r.error().c_str());
        }
    }

    // Which keys each DeepSpeed release reads, and that export writes exactly those.
    void keysPerVersion_data() {
        QTest::addColumn<QString>("version");
        QTest::addColumn<bool>("intraOp");
        QTest::addColumn<bool>("gds");
        QTest::addColumn<QString>("keys");
        const QString legacy = "block_size,queue_depth,thread_count,single_submit,overlap_events";
        const QString current =
            "block_size,queue_depth,intra_op_parallelism,single_submit,overlap_events,use_gds";
        QTest::addRow("0.4.0") << "0.4.0" << false << false << legacy;
        QTest::addRow("0.14.0") << "0.14.0" << false << false << legacy;
        QTest::addRow("0.14.5") << "0.14.5" << false << false << legacy;
        QTest::addRow("0.15.0") << "0.15.0" << false << true << legacy + ",use_gds";
        QTest::addRow("0.16.3") << "0.16.3" << false << true << legacy + ",use_gds";
        QTest::addRow("0.16.4") << "0.16.4" << true << true << current;
        QTest::addRow("0.19.0") << "0.19.0" << true << true << current;
        QTest::addRow("1.0") << "1.0" << true << true << current;
    }
    void keysPerVersion() {
        QFETCH(QString, version);
        QFETCH(bool, intraOp);
        QFETCH(bool, gds);
        QFETCH(QString, keys);
        const auto v = DeepSpeedVersion::parse(version.toStdString());
        QVERIFY(v.ok());
        QCOMPARE(v->readsIntraOpParallelism(), intraOp);
        QCOMPARE(v->readsUseGds(), gds);
        const auto json = toAioJson(AioConfig(), *v);
        QStringList names;
        for (auto it = json.begin(); it != json.end(); ++it)
            names << QString::fromStdString(it.key());
        QCOMPARE(names.join(','), keys);
    }

    void defaultTargetIsCurrent() {
        const DeepSpeedVersion current;
        QVERIFY(current.readsIntraOpParallelism());
        QVERIFY(current.readsUseGds());
        QCOMPARE(current.toString(), std::string("0.19.0"));
        QCOMPARE(DeepSpeedVersion::parse("v0.15")->toString(), std::string("0.15.0"));
        QVERIFY(*DeepSpeedVersion::parse("0.16.4") > *DeepSpeedVersion::parse("0.16.3"));
    }

    void exportsRealTypes() {
        const auto json = toAioJson(make(131072, 32, 8, true, false, false));
        QCOMPARE(json.dump(),
                 std::string(R"({"block_size":131072,"queue_depth":32,"intra_op_parallelism":8,)"
                             R"("single_submit":true,"overlap_events":false,"use_gds":false})"));
        QVERIFY(json["single_submit"].is_boolean());
        QVERIFY(json["block_size"].is_number_integer());
        QVERIFY(json["intra_op_parallelism"].is_number_integer());
    }

    void roundTrips_data() {
        QTest::addColumn<AioConfig>("config");
        QTest::addColumn<QString>("version");
        QTest::addColumn<AioConfig>("expected");
        const AioConfig tuned = make(8388608, 128, 8, true, false, true);
        const AioConfig tunedNoGds = make(8388608, 128, 8, true, false, false);
        for (const char* v : {"0.14.0", "0.15.0", "0.16.4", "0.19.0"}) {
            const bool gds = DeepSpeedVersion::parse(v)->readsUseGds();
            QTest::addRow("defaults %s", v) << AioConfig() << v << AioConfig();
            QTest::addRow("tuned %s", v) << tuned << v << (gds ? tuned : tunedNoGds);
            QTest::addRow("4K single %s", v) << make(4096, 1, 1, true, true, false) << v
                                             << make(4096, 1, 1, true, true, false);
        }
    }
    void roundTrips() {
        QFETCH(AioConfig, config);
        QFETCH(QString, version);
        QFETCH(AioConfig, expected);
        const auto target = DeepSpeedVersion::parse(version.toStdString());
        nlohmann::ordered_json whole = {{"train_batch_size", 4}};
        whole["aio"] = toAioJson(config, *target);
        const auto r = parseDeepSpeedConfigText(whole.dump(2), "roundtrip.json");
        QVERIFY2(r.ok(), r.error().c_str());
        QVERIFY2(r->config == expected, qPrintable(describe(r->config)));
        // thread_count != 1 for an old target warns that new releases ignore it; nothing else.
        for (const auto& w : r->warnings)
            QVERIFY2(w.find("thread_count") != std::string::npos, w.c_str());
    }

    void findsNestedBlocks() {
        const auto root = nlohmann::ordered_json::parse(
            R"({"aio": {}, "zero_optimization": {"offload_param": {"aio": {}}, "aio": null},
                "list": [{"aio": 1}]})");
        const auto found = findNestedAioBlocks(root);
        QCOMPARE(found.size(), std::size_t(3));
        QCOMPARE(found[0], std::string("zero_optimization.offload_param.aio"));
        QCOMPARE(found[1], std::string("zero_optimization.aio"));
        QCOMPARE(found[2], std::string("list[0].aio"));
    }
};

QTEST_GUILESS_MAIN(TestAioConfig)
#include "test_aio_config.moc"
