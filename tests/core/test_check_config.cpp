// aiotune check, config half: one fixture config per finding (and a clean
// one), checked by code and severity; plus the swap-buffer arithmetic.
#include "check/config_check.h"
#include "check/preflight.h"
#include "check/swap_buffer_check.h"

#include <QtTest>

#include <fstream>
#include <sstream>

using namespace aiotune;

namespace {

const std::string kConfigs = AIOTUNE_TEST_FIXTURES "/check/configs/";

nlohmann::ordered_json loadFixture(const std::string& name) {
    auto root = loadConfigForCheck(kConfigs + name + ".json");
    if (!root) qFatal("%s", root.error().c_str());
    return *root;
}

DeepSpeedVersion version(const QString& text) {
    auto v = DeepSpeedVersion::parse(text.toStdString());
    if (!v) qFatal("%s", v.error().c_str());
    return *v;
}

// Config-only findings: the config checks and the swap-buffer rules.
std::vector<CheckFinding> configFindings(const std::string& name, const DeepSpeedVersion& v) {
    const auto outcome = checkDeepSpeedConfig(loadFixture(name), v);
    std::vector<CheckFinding> all = outcome.findings;
    for (auto& f : checkSwapBuffers(outcome.settings)) all.push_back(f);
    return all;
}

QString describe(const std::vector<CheckFinding>& findings) {
    QStringList lines;
    for (const auto& f : findings)
        lines << QString::fromStdString(std::string(severityName(f.severity)) + " " + f.code + " " +
                                        f.subject + ": " + f.message);
    return lines.join('\n');
}

} // namespace

class TestCheckConfig : public QObject {
    Q_OBJECT
  private slots:
    void findings_data() {
        QTest::addColumn<QString>("file");
        QTest::addColumn<QString>("version");
        QTest::addColumn<QString>("code");
        QTest::addColumn<QString>("severity");
        QTest::addColumn<QString>("subject");
        QTest::addRow("thread_count on 0.16.4") << "aio_thread_count_ignored" << "0.16.4" << "AIO_IGNORED_KEY" << "warning" << "aio.thread_count";
        QTest::addRow("intra_op on 0.14") << "aio_intra_op_ignored_old" << "0.14.0" << "AIO_IGNORED_KEY" << "warning" << "aio.intra_op_parallelism";
        QTest::addRow("num_threads") << "aio_num_threads" << "0.16.4" << "AIO_IGNORED_KEY" << "warning" << "aio.num_threads";
        QTest::addRow("use_gds on 0.14") << "aio_use_gds_old" << "0.14.0" << "AIO_IGNORED_KEY" << "warning" << "aio.use_gds";
        QTest::addRow("string boolean") << "aio_string_bool" << "0.16.4" << "AIO_WRONG_TYPE" << "error" << "aio.single_submit";
        QTest::addRow("string size") << "aio_string_number" << "0.16.4" << "AIO_WRONG_TYPE" << "error" << "aio.block_size";
        QTest::addRow("aio a list") << "aio_not_object" << "0.16.4" << "AIO_WRONG_TYPE" << "error" << "aio";
        QTest::addRow("queue_depth 0") << "aio_queue_depth_zero" << "0.16.4" << "AIO_OUT_OF_RANGE" << "error" << "aio.queue_depth";
        QTest::addRow("block not 4K") << "aio_block_unaligned" << "0.16.4" << "AIO_OUT_OF_RANGE" << "error" << "aio.block_size";
        QTest::addRow("aio typo") << "aio_unknown_key" << "0.16.4" << "AIO_UNKNOWN_KEY" << "warning" << "aio.queue_dept";
        QTest::addRow("aio in zero") << "aio_nested_zero" << "0.16.4" << "AIO_NESTED" << "error" << "zero_optimization.aio";
        QTest::addRow("aio in zero, 0.6") << "aio_nested_zero" << "0.6.0" << "AIO_NESTED" << "warning" << "zero_optimization.aio";
        QTest::addRow("aio elsewhere") << "aio_nested_elsewhere" << "0.16.4" << "AIO_NESTED" << "warning" << "checkpoint.aio";
        QTest::addRow("aio missing") << "aio_missing" << "0.16.4" << "AIO_DEFAULTS_USED" << "warning" << "aio";
        QTest::addRow("aio unused") << "aio_unused" << "0.16.4" << "AIO_UNUSED" << "note" << "aio";
        QTest::addRow("no nvme_path") << "nvme_path_missing" << "0.16.4" << "OFFLOAD_NVME_PATH_MISSING" << "error" << "zero_optimization.offload_param.nvme_path";
        QTest::addRow("device NVMe") << "offload_device_invalid" << "0.16.4" << "OFFLOAD_DEVICE_INVALID" << "error" << "zero_optimization.offload_param.device";
        QTest::addRow("offload typo") << "offload_unknown_key" << "0.16.4" << "OFFLOAD_UNKNOWN_KEY" << "error" << "zero_optimization.offload_optimizer.buffer_cnt";
        QTest::addRow("offload typo, 0.6") << "offload_unknown_key" << "0.6.0" << "OFFLOAD_UNKNOWN_KEY" << "warning" << "zero_optimization.offload_optimizer.buffer_cnt";
        QTest::addRow("count as string") << "offload_string_count" << "0.16.4" << "OFFLOAD_WRONG_TYPE" << "warning" << "zero_optimization.offload_optimizer.buffer_count";
        QTest::addRow("count as string, 0.6") << "offload_string_count" << "0.6.0" << "OFFLOAD_WRONG_TYPE" << "error" << "zero_optimization.offload_optimizer.buffer_count";
        QTest::addRow("negative count") << "offload_negative_count" << "0.16.4" << "OFFLOAD_OUT_OF_RANGE" << "error" << "zero_optimization.offload_param.buffer_count";
        QTest::addRow("zero a string") << "zero_wrong_type" << "0.16.4" << "ZERO_WRONG_TYPE" << "error" << "zero_optimization";
        QTest::addRow("nvme on stage 2") << "stage2_nvme" << "0.16.4" << "NVME_NEEDS_STAGE3" << "warning" << "zero_optimization.offload_optimizer.device";
        QTest::addRow("param offload stage 2") << "offload_param_stage2" << "0.16.4" << "OFFLOAD_PARAM_NEEDS_STAGE3" << "warning" << "zero_optimization.offload_param";
        QTest::addRow("no param buffers") << "param_buffer_count_zero" << "0.16.4" << "PARAM_BUFFER_COUNT_ZERO" << "error" << "zero_optimization.offload_param.buffer_count";
        QTest::addRow("few param buffers") << "param_buffer_count_low" << "0.16.4" << "PARAM_BUFFER_COUNT_LOW" << "warning" << "zero_optimization.offload_param.buffer_count";
        QTest::addRow("buffer below minimum") << "param_buffer_below_minimum" << "0.16.4" << "PARAM_BUFFER_BELOW_SWAP_MINIMUM" << "error" << "zero_optimization.offload_param.buffer_size";
        QTest::addRow("small buffer") << "param_buffer_size_small" << "0.16.4" << "PARAM_BUFFER_SIZE_SMALL" << "warning" << "zero_optimization.offload_param.buffer_size";
        QTest::addRow("unaligned buffer") << "buffer_not_block_aligned" << "0.16.4" << "SWAP_BUFFER_NOT_BLOCK_ALIGNED" << "note" << "zero_optimization.offload_param.buffer_size";
        QTest::addRow("8M blocks") << "block_size_limits_swap" << "0.16.4" << "BLOCK_SIZE_LIMITS_SWAP" << "note" << "aio.block_size";
        QTest::addRow("optimizer buffers") << "optimizer_buffer_count_low" << "0.16.4" << "OPTIMIZER_BUFFER_COUNT_LOW" << "error" << "zero_optimization.offload_optimizer.buffer_count";
        // The aio type rules (config/aio_value_rules.h): pybind11 for the handle's
        // arguments (csrc/aio/py_lib/py_ds_aio.cpp), a Python truth test for use_gds.
        QTest::addRow("flag null") << "aio_flag_null"
                                   << "0.16.4"
                                   << "AIO_WRONG_TYPE"
                                   << "note"
                                   << "aio.single_submit";
        QTest::addRow("flag 1") << "aio_flag_one"
                                << "0.16.4"
                                << "AIO_WRONG_TYPE"
                                << "note"
                                << "aio.overlap_events";
        QTest::addRow("use_gds \"false\"") << "aio_use_gds_string_false"
                                           << "0.16.4"
                                           << "AIO_WRONG_TYPE"
                                           << "error"
                                           << "aio.use_gds";
        QTest::addRow("block_size 2^31") << "aio_block_size_beyond_int"
                                         << "0.16.4"
                                         << "AIO_OUT_OF_RANGE"
                                         << "error"
                                         << "aio.block_size";
        QTest::addRow("both thread keys, 0.16.4") << "aio_dual_thread_keys"
                                                  << "0.16.4"
                                                  << "AIO_DUAL_THREAD_KEYS"
                                                  << "note"
                                                  << "aio.thread_count";
        QTest::addRow("both thread keys, 0.14") << "aio_dual_thread_keys"
                                                << "0.14.0"
                                                << "AIO_DUAL_THREAD_KEYS"
                                                << "note"
                                                << "aio.intra_op_parallelism";
        // Out-of-range integers name the key and the limit (torch's int64 sizes).
        QTest::addRow("count 2^63") << "offload_count_beyond_int64"
                                    << "0.16.4"
                                    << "OFFLOAD_OUT_OF_RANGE"
                                    << "error"
                                    << "zero_optimization.offload_param.buffer_count";
        QTest::addRow("count 2^63-1") << "param_buffers_too_large"
                                      << "0.16.4"
                                      << "PARAM_BUFFERS_TOO_LARGE"
                                      << "error"
                                      << "zero_optimization.offload_param.buffer_count";
        // Offload keys by version (runtime/zero/offload_config.py).
        QTest::addRow("pipeline, 0.16.4") << "offload_pipeline_key"
                                          << "0.16.4"
                                          << "OFFLOAD_UNKNOWN_KEY"
                                          << "error"
                                          << "zero_optimization.offload_optimizer.pipeline";
        QTest::addRow("pipeline, 0.6") << "offload_pipeline_key"
                                       << "0.6.0"
                                       << "OFFLOAD_UNKNOWN_KEY"
                                       << "warning"
                                       << "zero_optimization.offload_optimizer.pipeline";
        QTest::addRow("ratio, 0.12.2") << "offload_ratio"
                                       << "0.12.2"
                                       << "OFFLOAD_KEY_TOO_NEW"
                                       << "error"
                                       << "zero_optimization.offload_optimizer.ratio";
        QTest::addRow("ratio < 1, stage 2") << "offload_ratio_stage2"
                                            << "0.16.4"
                                            << "OFFLOAD_RATIO_NEEDS_STAGE3"
                                            << "error"
                                            << "zero_optimization.offload_optimizer.ratio";
        QTest::addRow("super_offload, 0.17.6")
            << "offload_super_offload"
            << "0.17.6"
            << "OFFLOAD_KEY_TOO_NEW"
            << "error"
            << "zero_optimization.offload_optimizer.super_offload";
        QTest::addRow("fast_init") << "fast_init_small_buffers"
                                   << "0.16.4"
                                   << "FAST_INIT_BUFFER_TOO_SMALL"
                                   << "warning"
                                   << "zero_optimization.offload_optimizer.fast_init";
        QTest::addRow("pin_memory false") << "pin_memory_false_nvme" << "0.16.4" << "PIN_MEMORY_NVME" << "note" << "zero_optimization.offload_param.pin_memory";
    }
    void findings() {
        QFETCH(QString, file);
        QFETCH(QString, version);
        QFETCH(QString, code);
        QFETCH(QString, severity);
        QFETCH(QString, subject);
        const auto all = configFindings(file.toStdString(), ::version(version));
        const auto it = std::find_if(all.begin(), all.end(), [&](const CheckFinding& f) {
            return f.code == code.toStdString() && f.subject == subject.toStdString();
        });
        QVERIFY2(it != all.end(), qPrintable("no " + code + " on " + subject + " in:\n" + describe(all)));
        QCOMPARE(QString::fromLatin1(severityName(it->severity).data()), severity);
        QVERIFY2(!it->message.empty(), it->code.c_str());
        if (it->severity != FindingSeverity::Note) QVERIFY2(!it->fix.empty(), it->code.c_str());
        // One finding per fixture's fault: the clean parts say nothing else bad.
        const int bad = countSeverity(all, FindingSeverity::Error) + countSeverity(all, FindingSeverity::Warning);
        if (it->severity != FindingSeverity::Note) QVERIFY2(bad >= 1 && bad <= 2, qPrintable(describe(all)));
        else QVERIFY2(bad == 0, qPrintable(describe(all)));
    }

    void cleanConfigIsClean_data() {
        QTest::addColumn<QString>("version");
        QTest::addRow("0.16.4") << "0.16.4";
        QTest::addRow("0.18.0") << "0.18.0";
    }
    void cleanConfigIsClean() {
        QFETCH(QString, version);
        const auto all = configFindings("clean", ::version(version));
        QVERIFY2(countSeverity(all, FindingSeverity::Error) == 0, qPrintable(describe(all)));
        QVERIFY2(countSeverity(all, FindingSeverity::Warning) == 0, qPrintable(describe(all)));
    }

    // What DeepSpeed will really use, per version.
    void effectiveSettings() {
        auto newer = checkDeepSpeedConfig(loadFixture("aio_thread_count_ignored"), {0, 16, 4});
        QCOMPARE(newer.settings.aio.intra_op_parallelism, 1);
        auto older = checkDeepSpeedConfig(loadFixture("aio_thread_count_ignored"), {0, 14, 0});
        QCOMPARE(older.settings.aio.intra_op_parallelism, 8);
        QCOMPARE(older.settings.aio.queue_depth, 32);
        auto clean = checkDeepSpeedConfig(loadFixture("clean"), {0, 16, 4});
        QCOMPARE(clean.settings.paramElementBytes, 2);
        QCOMPARE(clean.settings.zeroStage, 3);
        QVERIFY(clean.settings.param.nvme());
        QCOMPARE(clean.settings.param.nvmePath.value_or(""), std::string("@NVME@"));
    }

    void swapBufferArithmetic_data() {
        QTest::addColumn<QString>("file");
        QTest::addColumn<qulonglong>("bufferBytes");
        QTest::addColumn<qulonglong>("pinned");
        QTest::addColumn<int>("optimizerBuffers");
        // 104857600 bf16 elements, already a multiple of 1024 x 8 threads / 2 bytes.
        QTest::addRow("clean") << "clean" << 209715200ull << 5 * 209715200ull << 4;
        // 1e8 elements round up to 24415 x 4096 elements.
        QTest::addRow("1e8") << "buffer_not_block_aligned" << 24415ull * 4096 * 2 << 5 * 24415ull * 4096 * 2 << 4;
        // Pipelined read and write hold three parameters' sets of 4.
        QTest::addRow("pipelined") << "optimizer_buffer_count_low" << 209715200ull << 5 * 209715200ull << 12;
    }
    void swapBufferArithmetic() {
        QFETCH(QString, file);
        QFETCH(qulonglong, bufferBytes);
        QFETCH(qulonglong, pinned);
        QFETCH(int, optimizerBuffers);
        const auto outcome = checkDeepSpeedConfig(loadFixture(file.toStdString()), {0, 16, 4});
        const SwapBufferNeeds needs = swapBufferNeeds(outcome.settings);
        QCOMPARE(qulonglong(needs.paramBufferBytes), bufferBytes);
        QCOMPARE(qulonglong(needs.paramPinnedBytes), pinned);
        QCOMPARE(needs.optimizerBuffersNeeded, optimizerBuffers);
    }

    // Keys that are right for the version, values that are right for the rule: quiet.
    void versionedKeysAccepted_data() {
        QTest::addColumn<QString>("file");
        QTest::addColumn<QString>("version");
        QTest::addColumn<QString>("code"); // must not appear
        QTest::addRow("ratio on 0.12.3") << "offload_ratio"
                                         << "0.12.3"
                                         << "OFFLOAD_KEY_TOO_NEW";
        QTest::addRow("super_offload on 0.18.0") << "offload_super_offload"
                                                 << "0.18.0"
                                                 << "OFFLOAD_KEY_TOO_NEW";
        QTest::addRow("fast_init fits") << "fast_init_fits"
                                        << "0.16.4"
                                        << "FAST_INIT_BUFFER_TOO_SMALL";
        QTest::addRow("use_gds before 0.15 is not read") << "aio_use_gds_string_false"
                                                         << "0.14.0"
                                                         << "AIO_WRONG_TYPE";
    }
    void versionedKeysAccepted() {
        QFETCH(QString, file);
        QFETCH(QString, version);
        QFETCH(QString, code);
        const auto all = configFindings(file.toStdString(), ::version(version));
        for (const auto& f : all)
            QVERIFY2(f.code != code.toStdString(), qPrintable(describe(all)));
    }

    // What DeepSpeed uses for loosely typed aio values, and the limit named.
    void looseValuesAsDeepSpeedReadsThem() {
        auto null = checkDeepSpeedConfig(loadFixture("aio_flag_null"), {0, 16, 4});
        QCOMPARE(null.settings.aio.single_submit, false);
        auto one = checkDeepSpeedConfig(loadFixture("aio_flag_one"), {0, 16, 4});
        QCOMPARE(one.settings.aio.overlap_events, true);
        auto gds = checkDeepSpeedConfig(loadFixture("aio_use_gds_string_false"), {0, 16, 4});
        QCOMPARE(gds.settings.aio.use_gds, true); // "false" is a non-empty string: GDS on
        auto huge = configFindings("offload_count_beyond_int64", {0, 16, 4});
        const auto it = std::find_if(huge.begin(), huge.end(), [](const CheckFinding& f) {
            return f.code == "OFFLOAD_OUT_OF_RANGE";
        });
        QVERIFY(it != huge.end());
        QVERIFY2(it->message.find("9223372036854775807") != std::string::npos, it->message.c_str());
        QVERIFY2(it->message.find("buffer_count") != std::string::npos, it->message.c_str());
        auto block = configFindings("aio_block_size_beyond_int", {0, 16, 4});
        const auto b = std::find_if(block.begin(), block.end(), [](const CheckFinding& f) {
            return f.code == "AIO_OUT_OF_RANGE";
        });
        QVERIFY(b != block.end());
        QVERIFY2(b->message.find("2147483647") != std::string::npos, b->message.c_str());
        // 2^63-1 buffers: an error, and no wrapped or capped byte figure.
        auto big = checkDeepSpeedConfig(loadFixture("param_buffers_too_large"), {0, 16, 4});
        const SwapBufferNeeds needs = swapBufferNeeds(big.settings);
        QVERIFY(needs.paramBuffersOverflow);
        QCOMPARE(needs.paramPinnedBytes, 0ull);
    }

    // Page-locked memory by DeepSpeed's allocations, per version.
    void pinnedMemoryByVersion() {
        const auto clean = checkDeepSpeedConfig(loadFixture("clean"), {0, 19, 4}).settings;
        // Parameters: 5 x 104857600 bf16 elements (aligned already).
        const std::uint64_t param = 5ull * 209715200;
        // Optimizer: 4 buffers x sub_group_size 1e9 rounded up to 1024 x 8 threads / 4 bytes
        // = 2048 elements (1000001536) x 4 bytes (swap_tensor/optimizer_utils.py).
        const std::uint64_t optimizer = 4ull * 1000001536ull * 4;
        // max_in_cpu 1e9 bf16 elements, CUDA pinned in every release (stage3.py).
        const std::uint64_t maxInCpu = 1000000000ull * 2;
        const PinnedMemoryNeeds v194 = pinnedMemoryNeeds(clean, {0, 19, 4});
        QCOMPARE(v194.lockedExact, param);
        QCOMPARE(v194.lockedUpTo, param + optimizer);
        QCOMPARE(v194.pinnedExact, 0ull);
        QCOMPARE(v194.pinnedUpTo, maxInCpu);
        // Before 0.19.4 the swap buffers are CUDA pinned: nothing counts against ulimit -l.
        const PinnedMemoryNeeds v193 = pinnedMemoryNeeds(clean, {0, 19, 3});
        QCOMPARE(v193.lockedUpTo, 0ull);
        QCOMPARE(v193.pinnedExact, param);
        QCOMPARE(v193.pinnedUpTo, param + optimizer + maxInCpu);
        // use_gds: the parameter buffers are GPU memory.
        OffloadSettings gds = clean;
        gds.aio.use_gds = true;
        QCOMPARE(pinnedMemoryNeeds(gds, {0, 19, 4}).lockedExact, 0ull);
        QCOMPARE(pinnedMemoryNeeds(gds, {0, 14, 0}).pinnedExact,
                 param); // use_gds not read before 0.15
        // Optimizer-only NVMe offload still has a memory figure.
        OffloadSettings optimizerOnly = clean;
        optimizerOnly.param.device = "cpu";
        const PinnedMemoryNeeds o = pinnedMemoryNeeds(optimizerOnly, {0, 19, 4});
        QCOMPARE(o.lockedUpTo, optimizer);
        MemoryFacts facts;
        facts.memlockLimit = 64ull << 20;
        // Only the upper bound is over the limit: a warning, not an error.
        PinnedMemoryNeeds bound = o;
        const auto findings = checkPinnedMemory(bound, facts);
        QCOMPARE(findings.size(), std::size_t(2));
        QCOMPARE(findings[0].code, std::string("PINNED_OVER_MEMLOCK"));
        QCOMPARE(findings[0].severity, FindingSeverity::Warning);
        // The same config on 0.19.3: no memlock finding at all.
        for (const auto& f : checkPinnedMemory(pinnedMemoryNeeds(clean, {0, 19, 3}), facts))
            QVERIFY2(f.code != "PINNED_OVER_MEMLOCK", f.message.c_str());
        const auto exact = checkPinnedMemory(pinnedMemoryNeeds(clean, {0, 19, 4}), facts);
        QCOMPARE(exact[0].code, std::string("PINNED_OVER_MEMLOCK"));
        QCOMPARE(exact[0].severity, FindingSeverity::Error);
    }

    void nestingDepth() {
        QCOMPARE(jsonNestingDepth("{\"a\": [1, {\"b\": \"[[[[\"}]} // {{{{"), 3);
        QCOMPARE(jsonNestingDepth("/* [[[ */ []"), 1);
        QCOMPARE(jsonNestingDepth(std::string(1000, '[')), 1000);
    }
};

QTEST_GUILESS_MAIN(TestCheckConfig)
#include "test_check_config.moc"
