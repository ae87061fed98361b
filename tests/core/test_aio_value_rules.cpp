// The one table of aio type rules (config/aio_value_rules.h), built from
// DeepSpeed's code: runtime/config_utils.py get_scalar_param (dict.get, every
// release) hands values unconverted to csrc/aio/py_lib/py_ds_aio.cpp
// (pybind11 `const int, const int, const bool, const bool, const int`), and
// runtime/swap_tensor/aio_config.py truth-tests use_gds (0.15.0+). The parser
// (and so the merge dialog's text) and `check` say the same thing.
#include "check/config_check.h"
#include "config/aio_config.h"
#include "config/aio_value_rules.h"

#include <QtTest>

using namespace aiotune;
using Severity = AioValueVerdict::Severity;

Q_DECLARE_METATYPE(Severity)

class TestAioValueRules : public QObject {
    Q_OBJECT
  private slots:
    void verdicts_data() {
        QTest::addColumn<QString>("key");
        QTest::addColumn<QString>("json");
        QTest::addColumn<Severity>("severity");
        QTest::addColumn<bool>("usable");
        QTest::addColumn<int>("value"); // integer, or 0/1 for flags; -1: none
        // pybind11 bool caster (convert pass): None -> false, numbers by truth.
        QTest::addRow("flag true") << "single_submit"
                                   << "true" << Severity::Ok << true << 1;
        QTest::addRow("flag null") << "single_submit"
                                   << "null" << Severity::Note << true << 0;
        QTest::addRow("flag 0") << "overlap_events"
                                << "0" << Severity::Note << true << 0;
        QTest::addRow("flag 1") << "overlap_events"
                                << "1" << Severity::Note << true << 1;
        QTest::addRow("flag 2") << "overlap_events"
                                << "2" << Severity::Warning << true << 1;
        QTest::addRow("flag 0.0") << "single_submit"
                                  << "0.0" << Severity::Note << true << 0;
        QTest::addRow("flag string") << "single_submit"
                                     << "\"false\"" << Severity::Error << false << -1;
        QTest::addRow("flag list") << "overlap_events"
                                   << "[]" << Severity::Error << false << -1;
        // Python truth test: a non-empty string is true, "false" included.
        QTest::addRow("gds \"false\"") << "use_gds"
                                       << "\"false\"" << Severity::Error << true << 1;
        QTest::addRow("gds \"true\"") << "use_gds"
                                      << "\"true\"" << Severity::Warning << true << 1;
        QTest::addRow("gds \"\"") << "use_gds"
                                  << "\"\"" << Severity::Note << true << 0;
        QTest::addRow("gds null") << "use_gds"
                                  << "null" << Severity::Note << true << 0;
        QTest::addRow("gds 0") << "use_gds"
                               << "0" << Severity::Note << true << 0;
        QTest::addRow("gds [1]") << "use_gds"
                                 << "[1]" << Severity::Warning << true << 1;
        // pybind11 int caster: ints and bools within a C int; no None, float or str.
        QTest::addRow("int") << "queue_depth"
                             << "32" << Severity::Ok << true << 32;
        QTest::addRow("int true") << "queue_depth"
                                  << "true" << Severity::Warning << true << 1;
        QTest::addRow("int max") << "block_size"
                                 << "2147483647" << Severity::Ok << true << 2147483647;
        QTest::addRow("int 2^31") << "block_size"
                                  << "2147483648" << Severity::Error << false << -1;
        QTest::addRow("int 2^63") << "thread_count"
                                  << "9223372036854775808" << Severity::Error << false << -1;
        QTest::addRow("int float") << "queue_depth"
                                   << "8.0" << Severity::Error << false << -1;
        QTest::addRow("int string") << "intra_op_parallelism"
                                    << "\"8\"" << Severity::Error << false << -1;
        QTest::addRow("int null") << "queue_depth"
                                  << "null" << Severity::Error << false << -1;
    }
    void verdicts() {
        QFETCH(QString, key);
        QFETCH(QString, json);
        QFETCH(Severity, severity);
        QFETCH(bool, usable);
        QFETCH(int, value);
        const auto v =
            judgeAioValue(key.toStdString(), nlohmann::ordered_json::parse(json.toStdString()));
        QCOMPARE(v.severity, severity);
        QCOMPARE(v.usable, usable);
        if (value >= 0 && v.integer)
            QCOMPARE(*v.integer, std::int64_t(value));
        else if (value >= 0)
            QCOMPARE(v.flag.value_or(false), value == 1);
        if (severity != Severity::Ok) {
            QVERIFY(!v.what.empty());
            QVERIFY(!v.effect.empty());
            QVERIFY(!v.fix.empty());
        }
    }

    // The parser (whose text the merge dialog shows) and `check` take their
    // words from the table: the same sentence for the same value.
    void parserAndCheckAgree_data() {
        QTest::addColumn<QString>("key");
        QTest::addColumn<QString>("json");
        QTest::addRow("string flag") << "single_submit"
                                     << "\"true\"";
        QTest::addRow("gds string") << "use_gds"
                                    << "\"false\"";
        QTest::addRow("null flag") << "overlap_events"
                                   << "null";
        QTest::addRow("string int") << "queue_depth"
                                    << "\"8\"";
    }
    void parserAndCheckAgree() {
        QFETCH(QString, key);
        QFETCH(QString, json);
        const std::string k = key.toStdString();
        nlohmann::ordered_json aio = nlohmann::ordered_json::object();
        aio[k] = nlohmann::ordered_json::parse(json.toStdString());
        const std::string sentence = describeAioValue(k, judgeAioValue(k, aio[k]));
        nlohmann::ordered_json root = {{"aio", aio}};
        const auto checked = checkDeepSpeedConfig(root, {0, 16, 4});
        const auto it =
            std::find_if(checked.findings.begin(), checked.findings.end(),
                         [&](const CheckFinding& f) { return f.subject == "aio." + k; });
        QVERIFY(it != checked.findings.end());
        QCOMPARE(it->message, sentence);
        const auto parsed = parseAioSection(aio);
        const std::string parserText =
            parsed ? (parsed->warnings.empty() ? "" : parsed->warnings.front()) : parsed.error();
        QVERIFY2(parserText.find(sentence) == 0, parserText.c_str());
        // Never the old, wrong claim about strings.
        QVERIFY(parserText.find("any non-empty string as true") == std::string::npos);
    }
};

QTEST_GUILESS_MAIN(TestAioValueRules)
#include "test_aio_value_rules.moc"
