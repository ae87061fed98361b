#include "config/deepspeed_config_merge.h"

#include <QtTest>

#include <sys/stat.h>

using namespace aiotune;

namespace {

AioConfig tuned() {
    AioConfig c;
    c.block_size = 131072;
    c.queue_depth = 32;
    c.intra_op_parallelism = 8;
    return c;
}

std::string joined(const std::vector<std::string>& lines) {
    std::string all;
    for (const auto& line : lines) all += line + "\n";
    return all;
}

QByteArray readBytes(const QString& path) {
    QFile f(path);
    if (!f.open(QIODevice::ReadOnly)) return "<unreadable>";
    return f.readAll();
}

bool writeBytes(const QString& path, const QByteArray& bytes) {
    QFile f(path);
    return f.open(QIODevice::WriteOnly) && f.write(bytes) == bytes.size();
}

QStringList topLevelKeys(const std::string& text) {
    QStringList keys;
    const auto root = nlohmann::ordered_json::parse(text, nullptr, true, true);
    for (auto it = root.begin(); it != root.end(); ++it) keys << QString::fromStdString(it.key());
    return keys;
}

// The tuned aio block as it appears one level deep with a two-space indent.
const char* kAio2 = R"("aio": {
    "block_size": 131072,
    "queue_depth": 32,
    "intra_op_parallelism": 8,
    "single_submit": false,
    "overlap_events": true,
    "use_gds": false
  })";

// The same with two keys the user set that aiotune does not measure, kept.
const char* kAio2Kept = R"("aio": {
    "block_size": 131072,
    "queue_depth": 32,
    "intra_op_parallelism": 8,
    "single_submit": false,
    "overlap_events": true,
    "use_gds": false,
    "num_threads": 8,
    "bogus": 1
  })";

} // namespace

class TestConfigMerge : public QObject {
    Q_OBJECT
private slots:
    // Exact merged text: only the aio block may differ from the original.
    void mergesText_data() {
        QTest::addColumn<QString>("original");
        QTest::addColumn<QString>("version");
        QTest::addColumn<QString>("expected");
        QTest::addColumn<QStringList>("warnings"); // each must appear in some warning
        QTest::addColumn<int>("count");            // how many warnings

        QTest::addRow("add to 2-space file, numbers kept as written")
            << "{\n  \"train_batch_size\": 16,\n  \"lr\": 3e-5,\n  \"fp16\": {\"enabled\": true}\n}\n"
            << "0.19.0"
            << QString("{\n  \"train_batch_size\": 16,\n  \"lr\": 3e-5,\n  \"fp16\": {\"enabled\": true},\n  ") +
                   kAio2 + "\n}\n"
            << QStringList() << 0;
        // The legacy name is a name of the measured thread count: it gets the
        // measured value too, so every release reads the same count.
        QTest::addRow("replace in 4-space file, legacy key kept in step")
            << "{\n    \"zero_optimization\": {\"stage\": 3},\n    \"aio\": {\n        "
               "\"block_size\": 4096,\n"
               "        \"thread_count\": 2\n    },\n    \"steps_per_print\": 100\n}"
            << "0.19.0"
            << "{\n    \"zero_optimization\": {\"stage\": 3},\n    \"aio\": {\n        "
               "\"block_size\": 131072,\n"
               "        \"queue_depth\": 32,\n        \"intra_op_parallelism\": 8,\n        "
               "\"thread_count\": 8,\n"
               "        \"single_submit\": false,\n        \"overlap_events\": true,\n"
               "        \"use_gds\": false\n    },\n    \"steps_per_print\": 100\n}"
            << QStringList{"kept \"thread_count\"", "intra_op_parallelism"} << 1;
        // use_gds is the user's (aiotune measures without GDS): kept as written,
        // even for a target that does not read it, and said so.
        QTest::addRow("legacy target keeps the user's use_gds")
            << "{\n  \"aio\": {\"intra_op_parallelism\": 2, \"use_gds\": false}\n}\n"
            << "0.14.0"
            << "{\n  \"aio\": {\n    \"block_size\": 131072,\n    \"queue_depth\": 32,\n"
               "    \"thread_count\": 8,\n    \"intra_op_parallelism\": 8,\n    \"single_submit\": "
               "false,\n"
               "    \"overlap_events\": true,\n    \"use_gds\": false\n  }\n}\n"
            << QStringList{"kept \"intra_op_parallelism\"", "does not read it",
                           "settings aiotune does not measure as you set them: \"use_gds\""}
            << 3;
        QTest::addRow("every release: both thread keys")
            << "{}"
            << "any"
            << "{\n  \"aio\": {\n    \"block_size\": 131072,\n    \"queue_depth\": 32,\n"
               "    \"intra_op_parallelism\": 8,\n    \"thread_count\": 8,\n    \"single_submit\": "
               "false,\n"
               "    \"overlap_events\": true,\n    \"use_gds\": false\n  }\n}"
            << QStringList() << 0;
        QTest::addRow("tabs")
            << "{\n\t\"a\": 1\n}"
            << "0.15.0"
            << "{\n\t\"a\": 1,\n\t\"aio\": {\n\t\t\"block_size\": 131072,\n\t\t\"queue_depth\": 32,\n"
               "\t\t\"thread_count\": 8,\n\t\t\"single_submit\": false,\n\t\t\"overlap_events\": true,\n"
               "\t\t\"use_gds\": false\n\t}\n}"
            << QStringList() << 0;
        QTest::addRow("one-line file stays one line")
            << R"({"a": 1, "b": [1, 2]})"
            << "0.19.0"
            << R"({"a": 1, "b": [1, 2], "aio": {"block_size": 131072, "queue_depth": 32, )"
               R"("intra_op_parallelism": 8, "single_submit": false, "overlap_events": true, "use_gds": false}})"
            << QStringList() << 0;
        QTest::addRow("minified file stays minified")
            << R"({"a":1,"aio":null})"
            << "0.19.0"
            << R"({"a":1,"aio":{"block_size":131072,"queue_depth":32,"intra_op_parallelism":8,)"
               R"("single_submit":false,"overlap_events":true,"use_gds":false}})"
            << QStringList() << 0;
        QTest::addRow("empty object")
            << "{}" << "0.19.0" << QString("{\n  ") + kAio2 + "\n}" << QStringList() << 0;
        QTest::addRow("comments and odd spacing elsewhere kept")
            << "// my run\n{\n  \"a\" :   [1,2,   3], // note\n  /* keep */ \"aio\": "
               "{\"num_threads\": 8, \"bogus\": 1}\n}\n"
            << "0.19.0"
            << QString("// my run\n{\n  \"a\" :   [1,2,   3], // note\n  /* keep */ ") + kAio2Kept +
                   "\n}\n"
            << QStringList{"kept \"num_threads\"", "kept the unknown \"aio\" setting \"bogus\"",
                           "does not measure as you set them: \"num_threads\" and \"bogus\""}
            << 3;
        QTest::addRow("nested aio left untouched and reported")
            << "{\n  \"zero_optimization\": {\n    \"stage\": 3,\n    \"aio\": {\"queue_depth\": 64}\n  }\n}"
            << "0.19.0"
            << QString("{\n  \"zero_optimization\": {\n    \"stage\": 3,\n    \"aio\": {\"queue_depth\": 64}\n  },\n  ") +
                   kAio2 + "\n}"
            << QStringList{"\"zero_optimization\"", "left unchanged", "top level"} << 1;
        QTest::addRow("invalid old section replaced")
            << "{\n  \"aio\": {\"single_submit\": \"false\"}\n}"
            << "0.19.0"
            << QString("{\n  ") + kAio2 + "\n}"
            << QStringList{"not valid", "single_submit"} << 1;
    }
    void mergesText() {
        QFETCH(QString, original);
        QFETCH(QString, version);
        QFETCH(QString, expected);
        QFETCH(QStringList, warnings);
        QFETCH(int, count);
        const auto target = DeepSpeedVersion::parse(version.toStdString());
        QVERIFY(target.ok());
        const auto r = mergeAioIntoConfigText(original.toStdString(), tuned(), *target, "ds.json");
        QVERIFY2(r.ok(), r.error().c_str());
        QCOMPARE(QString::fromStdString(r->text), expected);
        QVERIFY(r->changed);
        const std::string all = joined(r->warnings);
        QVERIFY2(int(r->warnings.size()) == count, all.c_str());
        for (const QString& w : warnings)
            QVERIFY2(all.find(w.toStdString()) != std::string::npos,
                     qPrintable(QStringLiteral("'%1' missing from: %2").arg(w, QString::fromStdString(all))));

        // Whatever the layout: foreign keys keep their order, and the result
        // reads back as the config that was merged.
        QStringList before = topLevelKeys(original.toStdString());
        if (!before.contains("aio")) before << "aio";
        QCOMPARE(topLevelKeys(r->text), before);
        const auto back = parseDeepSpeedConfigText(r->text, "merged.json");
        QVERIFY2(back.ok(), back.error().c_str());
        AioConfig want = tuned();
        QCOMPARE(back->config, want);
    }

    // Merge replaces only what was measured; use_gds is the user's, and the
    // figures were not measured with GDS.
    void keepsUseGds_data() {
        QTest::addColumn<QString>("gds");      // the user's value, JSON
        QTest::addColumn<QString>("mentions"); // in some warning; empty: no GDS warning
        QTest::addRow("true") << "true"
                              << "not measured the way they will be used";
        QTest::addRow("false") << "false"
                               << "";
        // Truth-tested (swap_tensor/aio_config.py): "false" turns GDS on.
        QTest::addRow("string false") << "\"false\""
                                      << "GPUDirect Storage is turned ON";
    }
    void keepsUseGds() {
        QFETCH(QString, gds);
        QFETCH(QString, mentions);
        const std::string original =
            "{\"aio\": {\"use_gds\": " + gds.toStdString() + ", \"queue_depth\": 4}}";
        const auto r = mergeAioIntoConfigText(original, tuned(), {0, 16, 4}, "ds.json");
        QVERIFY2(r.ok(), r.error().c_str());
        const auto root = nlohmann::ordered_json::parse(r->text);
        QCOMPARE(root["aio"]["use_gds"], nlohmann::ordered_json::parse(gds.toStdString()));
        QCOMPARE(root["aio"]["queue_depth"], nlohmann::ordered_json(32)); // measured: replaced
        const std::string all = joined(r->warnings);
        QVERIFY2(all.find("as you set them: \"use_gds\"") != std::string::npos, all.c_str());
        if (mentions.isEmpty())
            QVERIFY2(all.find("GDS") == std::string::npos, all.c_str());
        else
            QVERIFY2(all.find(mentions.toStdString()) != std::string::npos, all.c_str());
    }

    // NVMe checkpoints keep the optimizer's swap files, sized by the thread
    // count (swap_tensor/optimizer_utils.py aligned_bytes): a change can fail a resume.
    void resumeHazard_data() {
        QTest::addColumn<QString>("original");
        QTest::addColumn<bool>("warned");
        const QString nvme =
            R"("zero_optimization": {"stage": 3, "offload_optimizer": {"device": "nvme", "nvme_path": "/n"}})";
        QTest::addRow("2 -> 8, optimizer on nvme")
            << "{" + nvme + R"(, "aio": {"intra_op_parallelism": 2}})" << true;
        QTest::addRow("default 1 -> 8, optimizer on nvme") << "{" + nvme + "}" << true;
        QTest::addRow("8 -> 8") << "{" + nvme + R"(, "aio": {"intra_op_parallelism": 8}})" << false;
        QTest::addRow("optimizer on cpu")
            << R"({"zero_optimization": {"offload_optimizer": {"device": "cpu"}}, "aio": {"intra_op_parallelism": 2}})"
            << false;
    }
    void resumeHazard() {
        QFETCH(QString, original);
        QFETCH(bool, warned);
        const auto r =
            mergeAioIntoConfigText(original.toStdString(), tuned(), {0, 16, 4}, "ds.json");
        QVERIFY2(r.ok(), r.error().c_str());
        const std::string all = joined(r->warnings);
        QCOMPARE(all.find("file_offset + buffer nbytes > file bytes") != std::string::npos, warned);
        // For every release the count is whichever thread key the section has.
        const std::string legacy = R"({"zero_optimization": {"stage": 3, "offload_optimizer": {"device": "nvme"}},
                                      "aio": {"thread_count": 2}})";
        const auto every =
            mergeAioIntoConfigText(legacy, tuned(), DeepSpeedVersion::forEveryRelease(), "ds.json");
        QVERIFY(every.ok());
        QVERIFY2(joined(every->warnings).find("changes from 2 to 8") != std::string::npos,
                 joined(every->warnings).c_str());
    }

    void fallsBackToRewriteWhenLayoutIsUnusual() {
        // An escaped "aio" key cannot be found textually: the whole document is
        // re-serialized instead, still in order and still meaning the same.
        const std::string original = "{\n    \"\\u0061io\": {\"queue_depth\": 1},\n    \"b\": 2\n}\n";
        const auto r = mergeAioIntoConfigText(original, tuned());
        QVERIFY2(r.ok(), r.error().c_str());
        QCOMPARE(r->text, std::string("{\n    \"aio\": {\n        \"block_size\": 131072,\n"
                                      "        \"queue_depth\": 32,\n"
                                      "        \"intra_op_parallelism\": 8,\n"
                                      "        \"single_submit\": false,\n"
                                      "        \"overlap_events\": true,\n"
                                      "        \"use_gds\": false\n    },\n    \"b\": 2\n}\n"));
        QVERIFY(joined(r->warnings).find("rewritten") != std::string::npos);
    }

    void keepsWindowsLineEndings() {
        const std::string original = "{\r\n  \"a\": 1\r\n}\r\n";
        const auto r = mergeAioIntoConfigText(original, tuned());
        QVERIFY2(r.ok(), r.error().c_str());
        std::string expected = std::string("{\n  \"a\": 1,\n  ") + kAio2 + "\n}\n";
        std::string crlf;
        for (char c : expected) crlf += c == '\n' ? std::string("\r\n") : std::string(1, c);
        QCOMPARE(r->text, crlf);
    }

    void sameConfigTwiceIsUnchanged() {
        const auto once = mergeAioIntoConfigText("{\"a\": 1}", tuned());
        QVERIFY(once.ok());
        const auto twice = mergeAioIntoConfigText(once->text, tuned());
        QVERIFY(twice.ok());
        QVERIFY(!twice->changed);
        QCOMPARE(twice->text, once->text);
    }

    void refusesBadInput_data() {
        QTest::addColumn<QString>("original");
        QTest::addColumn<quint64>("blockSize");
        QTest::addColumn<QStringList>("mentions");
        QTest::addRow("malformed") << "{\n  \"a\": 1,\n}" << quint64(131072)
                                   << QStringList{"ds.json", "line 3", "column 1"};
        QTest::addRow("not an object") << "[1, 2]" << quint64(131072) << QStringList{"ds.json", "object"};
        QTest::addRow("duplicate keys") << R"({"a": 1, "a": 2})" << quint64(131072)
                                        << QStringList{"\"a\"", "twice"};
        QTest::addRow("invalid settings") << "{}" << quint64(5000)
                                          << QStringList{"block_size", "5000"};
    }
    void refusesBadInput() {
        QFETCH(QString, original);
        QFETCH(quint64, blockSize);
        QFETCH(QStringList, mentions);
        AioConfig c = tuned();
        c.block_size = blockSize;
        const auto r = mergeAioIntoConfigText(original.toStdString(), c, {}, "ds.json");
        QVERIFY(!r.ok());
        for (const QString& m : mentions)
            QVERIFY2(r.error().find(m.toStdString()) != std::string::npos, r.error().c_str());
    }

    // ---- files ---------------------------------------------------------------

    void mergesFileKeepingBackup() {
        QTemporaryDir dir;
        QVERIFY(dir.isValid());
        const QString file = dir.filePath("ds_config.json");
        const QByteArray original = "{\n  \"train_batch_size\": 8\n}\n";
        QVERIFY(writeBytes(file, original));
        QVERIFY(::chmod(file.toLocal8Bit().constData(), 0600) == 0);

        const auto r = mergeAioIntoConfigFile(file.toStdString(), tuned());
        QVERIFY2(r.ok(), r.error().c_str());
        QVERIFY(!r->unchanged);
        QVERIFY(r->backup.has_value());
        QCOMPARE(QString::fromStdString(r->backup->string()), file + ".bak");
        QCOMPARE(readBytes(file + ".bak"), original);
        const QByteArray expected = QByteArray("{\n  \"train_batch_size\": 8,\n  ") + kAio2 + "\n}\n";
        QCOMPARE(readBytes(file), expected);
        // A private config stays private; no temporary file is left behind.
        struct stat st {};
        QVERIFY(::stat(file.toLocal8Bit().constData(), &st) == 0);
        QCOMPARE(int(st.st_mode & 0777), 0600);
        QCOMPARE(QDir(dir.path()).entryList(QDir::Files | QDir::Hidden | QDir::System),
                 QStringList({"ds_config.json", "ds_config.json.bak"}));

        // Nothing to change: no write, no new backup.
        const auto again = mergeAioIntoConfigFile(file.toStdString(), tuned());
        QVERIFY2(again.ok(), again.error().c_str());
        QVERIFY(again->unchanged);
        QVERIFY(!again->backup.has_value());
        QVERIFY(!QFile::exists(file + ".bak.1"));
    }

    void backupNeverOverwritesUserFiles() {
        QTemporaryDir dir;
        const QString file = dir.filePath("ds.json");
        QVERIFY(writeBytes(file, "{\"a\": 1}"));
        QVERIFY(writeBytes(file + ".bak", "user's own backup"));
        QVERIFY(writeBytes(file + ".bak.1", "another"));

        auto r = mergeAioIntoConfigFile(file.toStdString(), tuned());
        QVERIFY2(r.ok(), r.error().c_str());
        QCOMPARE(QString::fromStdString(r->backup->string()), file + ".bak.2");
        QCOMPARE(readBytes(file + ".bak.2"), QByteArray("{\"a\": 1}"));
        QCOMPARE(readBytes(file + ".bak"), QByteArray("user's own backup"));
        QCOMPARE(readBytes(file + ".bak.1"), QByteArray("another"));

        AioConfig other = tuned();
        other.queue_depth = 64;
        const QByteArray beforeSecond = readBytes(file);
        r = mergeAioIntoConfigFile(file.toStdString(), other);
        QVERIFY2(r.ok(), r.error().c_str());
        QCOMPARE(QString::fromStdString(r->backup->string()), file + ".bak.3");
        QCOMPARE(readBytes(file + ".bak.3"), beforeSecond);
        QCOMPARE(QString::fromStdString(firstFreeBackupPath(file.toStdString()).string()),
                 file + ".bak.4");
    }

    void refusesSymlinksAndNonFiles() {
        QTemporaryDir dir;
        const QString real = dir.filePath("real.json");
        const QString link = dir.filePath("link.json");
        QVERIFY(writeBytes(real, "{}"));
        QVERIFY(QFile::link(real, link));

        auto preview = previewAioMerge(link.toStdString(), tuned());
        QVERIFY(!preview.ok());
        QVERIFY2(preview.error().find("symbolic link") != std::string::npos, preview.error().c_str());
        QVERIFY2(preview.error().find("link.json") != std::string::npos, preview.error().c_str());
        auto merged = mergeAioIntoConfigFile(link.toStdString(), tuned());
        QVERIFY(!merged.ok());
        QCOMPARE(readBytes(real), QByteArray("{}"));
        QVERIFY(!QFile::exists(link + ".bak"));

        // The atomic writer itself refuses too, even when told to replace.
        AtomicWriteOptions replace;
        replace.existing = ExistingFilePolicy::ReplaceKeepBackup;
        auto direct = writeFileAtomically(link.toStdString(), "{\"x\": 1}", replace);
        QVERIFY(!direct.ok());
        QVERIFY2(direct.error().find("symbolic link") != std::string::npos, direct.error().c_str());
        QCOMPARE(readBytes(real), QByteArray("{}"));

        QVERIFY(QDir(dir.path()).mkdir("folder.json"));
        auto folder = previewAioMerge(dir.filePath("folder.json").toStdString(), tuned());
        QVERIFY(!folder.ok());
        QVERIFY2(folder.error().find("not a regular file") != std::string::npos, folder.error().c_str());

        auto missing = previewAioMerge(dir.filePath("missing.json").toStdString(), tuned());
        QVERIFY(!missing.ok());
        QVERIFY2(missing.error().find("missing.json") != std::string::npos, missing.error().c_str());
    }

    void previewThenWrite() {
        QTemporaryDir dir;
        const QString file = dir.filePath("ds.json");
        const QByteArray original = "{\n  \"zero_optimization\": {\"aio\": {}}\n}\n";
        QVERIFY(writeBytes(file, original));

        auto preview = previewAioMerge(file.toStdString(), tuned());
        QVERIFY2(preview.ok(), preview.error().c_str());
        QCOMPARE(QByteArray::fromStdString(preview->originalText), original);
        QCOMPARE(readBytes(file), original); // a preview writes nothing
        QVERIFY(!QFile::exists(file + ".bak"));
        QCOMPARE(preview->merged.warnings.size(), std::size_t(1));
        QVERIFY(preview->merged.warnings[0].find("zero_optimization") != std::string::npos);

        auto applied = applyAioMerge(*preview);
        QVERIFY2(applied.ok(), applied.error().c_str());
        QCOMPARE(readBytes(file), QByteArray::fromStdString(preview->merged.text));
        QCOMPARE(readBytes(file + ".bak"), original);
        QCOMPARE(applied->warnings, preview->merged.warnings);
    }

    void refusesWhenFileChangedAfterPreview() {
        QTemporaryDir dir;
        const QString file = dir.filePath("ds.json");
        QVERIFY(writeBytes(file, "{\"a\": 1}"));
        auto preview = previewAioMerge(file.toStdString(), tuned());
        QVERIFY(preview.ok());
        QVERIFY(writeBytes(file, "{\"a\": 2}")); // the user edits it meanwhile

        auto applied = applyAioMerge(*preview);
        QVERIFY(!applied.ok());
        QVERIFY2(applied.error().find("changed since") != std::string::npos, applied.error().c_str());
        QCOMPARE(readBytes(file), QByteArray("{\"a\": 2}"));
        QVERIFY(!QFile::exists(file + ".bak"));
    }

    void exportsNewFile() {
        QTemporaryDir dir;
        const QString file = dir.filePath("aio.json");
        auto r = writeAioExportFile(file.toStdString(), tuned());
        QVERIFY2(r.ok(), r.error().c_str());
        QVERIFY(!r->backup.has_value());
        const QByteArray expected = QByteArray("{\n  ") + kAio2 + "\n}\n";
        QCOMPARE(readBytes(file), expected);
        QCOMPARE(QByteArray::fromStdString(aioExportText(tuned())), expected);
        const auto back = parseDeepSpeedConfigFile(file.toStdString());
        QVERIFY(back.ok());
        QCOMPARE(back->config, tuned());
    }

    void exportNeverOverwritesUnlessAsked() {
        QTemporaryDir dir;
        const QString file = dir.filePath("aio.json");
        QVERIFY(writeBytes(file, "precious"));

        auto refused = writeAioExportFile(file.toStdString(), tuned());
        QVERIFY(!refused.ok());
        QVERIFY2(refused.error().find("already exists") != std::string::npos, refused.error().c_str());
        QVERIFY2(refused.error().find("aio.json") != std::string::npos, refused.error().c_str());
        QCOMPARE(readBytes(file), QByteArray("precious"));
        QVERIFY(!QFile::exists(file + ".bak"));

        auto replaced = writeAioExportFile(file.toStdString(), tuned(), {}, /*overwrite=*/true);
        QVERIFY2(replaced.ok(), replaced.error().c_str());
        QCOMPARE(readBytes(file + ".bak"), QByteArray("precious"));
        QCOMPARE(QString::fromStdString(replaced->backup->string()), file + ".bak");
        QVERIFY(readBytes(file).startsWith("{\n  \"aio\": {"));
    }

    void exportForOldDeepSpeed() {
        AioConfig gds = tuned();
        gds.use_gds = true;
        const auto v = DeepSpeedVersion::parse("0.14.0");
        const std::string text = aioExportText(gds, *v);
        QVERIFY(text.find("\"thread_count\": 8") != std::string::npos);
        QVERIFY(text.find("use_gds") == std::string::npos);
        const auto warnings = aioExportWarnings(gds, *v);
        QCOMPARE(warnings.size(), std::size_t(1));
        QVERIFY(warnings[0].find("use_gds") != std::string::npos);
        QVERIFY(aioExportWarnings(gds).empty());
    }

    void exportRefusesBadTargets() {
        QTemporaryDir dir;
        auto noFolder = writeAioExportFile(dir.filePath("no/such/aio.json").toStdString(), tuned());
        QVERIFY(!noFolder.ok());
        QVERIFY2(noFolder.error().find("does not exist") != std::string::npos, noFolder.error().c_str());

        AioConfig bad = tuned();
        bad.queue_depth = 0;
        auto invalid = writeAioExportFile(dir.filePath("aio.json").toStdString(), bad);
        QVERIFY(!invalid.ok());
        QVERIFY2(invalid.error().find("queue_depth") != std::string::npos, invalid.error().c_str());
        QVERIFY(!QFile::exists(dir.filePath("aio.json")));

        const QString real = dir.filePath("real.json");
        QVERIFY(writeBytes(real, "{}"));
        QVERIFY(QFile::link(real, dir.filePath("link.json")));
        auto viaLink = writeAioExportFile(dir.filePath("link.json").toStdString(), tuned(), {}, true);
        QVERIFY(!viaLink.ok());
        QCOMPARE(readBytes(real), QByteArray("{}"));
    }
};

QTEST_GUILESS_MAIN(TestConfigMerge)
#include "test_config_merge.moc"
