// One validator decides block_size, queue_depth, intra_op_parallelism and
// io_size, alone and together: every front end (the engine's validateTransfer,
// SweepSpec, the aio config parser) refuses the same input with the same
// message, which names the value and what to use instead.
#include "config/aio_config.h"
#include "config/transfer_limits.h"
#include "engine/io_engine.h"
#include "sweep/sweep_spec.h"

#include <QtTest>

using namespace aiotune;

namespace {
AioConfig make(std::uint64_t block, int depth, int threads) {
    AioConfig a;
    a.block_size = block;
    a.queue_depth = depth;
    a.intra_op_parallelism = threads;
    return a;
}
constexpr std::uint64_t K = 1024, M = 1024 * 1024, G = 1024 * M;
} // namespace

class TestTransferLimits : public QObject {
    Q_OBJECT
private slots:
    void decidesShape_data() {
        QTest::addColumn<quint64>("ioSize");
        QTest::addColumn<quint64>("block");
        QTest::addColumn<int>("depth");
        QTest::addColumn<int>("threads");
        QTest::addColumn<QStringList>("mentions"); // empty: accepted
        QTest::addRow("DeepSpeed defaults") << quint64(400 * M) << quint64(M) << 8 << 1 << QStringList{};
        QTest::addRow("8 threads, 8M blocks") << quint64(400 * M) << quint64(8 * M) << 128 << 8 << QStringList{};
        QTest::addRow("block equals the slice") << quint64(8 * M) << quint64(M) << 8 << 8 << QStringList{};
        QTest::addRow("largest ring") << quint64(M) << quint64(4 * K) << 32768 << 1 << QStringList{};
        QTest::addRow("largest block") << quint64(G) << quint64(G) << 1 << 1 << QStringList{};
        QTest::addRow("queue depth above io_uring's ring limit")
            << quint64(M) << quint64(4 * K) << 32769 << 1 << QStringList{"queue_depth 32769", "at most 32768"};
        QTest::addRow("negative depth") << quint64(M) << quint64(4 * K) << -5 << 1
                                        << QStringList{"queue_depth -5", "at least 1"};
        QTest::addRow("too many threads") << quint64(M) << quint64(4 * K) << 8 << 257
                                          << QStringList{"intra_op_parallelism 257", "at most 256"};
        QTest::addRow("block of 4 GiB") << quint64(8 * G) << quint64(4 * G) << 8 << 1
                                        << QStringList{"block_size 4G", "at most 1G"};
        QTest::addRow("block just over 1G") << quint64(4 * G) << quint64(G + 4 * K) << 8 << 1
                                            << QStringList{"block_size", "at most 1G"};
        QTest::addRow("unaligned block") << quint64(M) << quint64(6000) << 8 << 1
                                         << QStringList{"block_size 6000", "4096", "use 4K (4096 bytes) or 8K (8192 bytes)"};
        QTest::addRow("unaligned io size") << quint64(M + 512) << quint64(4 * K) << 8 << 1
                                           << QStringList{"io_size 1049088", "use 1M"};
        QTest::addRow("zero io size") << quint64(0) << quint64(4 * K) << 8 << 1 << QStringList{"io_size is 0"};
        QTest::addRow("io size above 1T") << quint64(2048 * G) << quint64(M) << 8 << 1
                                          << QStringList{"io_size 2T", "1T"};
        // Relations: DeepSpeed splits io_size into equal slices of whole pages.
        QTest::addRow("uneven split over 3 threads")
            << quint64(M) << quint64(4 * K) << 8 << 3 << QStringList{"io_size 1M", "split evenly into 3 slices", "12K", "e.g. 1020K"};
        QTest::addRow("block larger than io_size")
            << quint64(M) << quint64(8 * M) << 8 << 1 << QStringList{"block_size 8M", "io_size 1M", "1M or less"};
        QTest::addRow("block larger than a thread's slice")
            << quint64(16 * M) << quint64(8 * M) << 8 << 4
            << QStringList{"block_size 8M", "16M / intra_op_parallelism 4 = 4M", "4M or less"};
    }
    void decidesShape() {
        QFETCH(quint64, ioSize);
        QFETCH(quint64, block);
        QFETCH(int, depth);
        QFETCH(int, threads);
        QFETCH(QStringList, mentions);
        const auto r = checkTransferShape(ioSize, make(block, depth, threads));
        QCOMPARE(r.ok(), mentions.isEmpty());
        for (const QString& m : mentions)
            QVERIFY2(r.error().find(m.toStdString()) != std::string::npos, r.error().c_str());
    }

    // The same value gets the same verdict in the sweep, the config parser and
    // the engine (which allows uneven slices only, for its own tests).
    void everyFrontEndAgrees_data() {
        QTest::addColumn<quint64>("block");
        QTest::addColumn<int>("depth");
        QTest::addColumn<int>("threads");
        QTest::addColumn<QString>("mention");
        QTest::addRow("depth 40000") << quint64(M) << 40000 << 1 << "queue_depth 40000";
        QTest::addRow("depth 0") << quint64(M) << 0 << 1 << "queue_depth 0";
        QTest::addRow("threads 300") << quint64(M) << 8 << 300 << "intra_op_parallelism 300";
        QTest::addRow("block 2G") << quint64(2 * G) << 8 << 1 << "block_size 2G";
        QTest::addRow("block 5000") << quint64(5000) << 8 << 1 << "block_size 5000";
    }
    void everyFrontEndAgrees() {
        QFETCH(quint64, block);
        QFETCH(int, depth);
        QFETCH(int, threads);
        QFETCH(QString, mention);
        const std::string want = checkTransferShape(4 * G, make(block, depth, threads)).error();
        QVERIFY2(want.find(mention.toStdString()) != std::string::npos, want.c_str());

        SweepSpec spec;
        spec.folders = {"/tmp"};
        spec.ioSize = 4 * G;
        spec.blockSizes = {block};
        spec.queueDepths = {depth};
        spec.threads = {threads};
        QCOMPARE(spec.validate().error(), want);
        QCOMPARE(spec.validateRanges().error(), want);

        TransferParams p;
        p.ioSize = 4 * G;
        p.aio = make(block, depth, threads);
        QCOMPARE(validateTransfer(p).error(), want);

        const auto parsed = parseDeepSpeedConfigText(
            "{\"aio\": {\"block_size\": " + std::to_string(block) + ", \"queue_depth\": " +
                std::to_string(depth) + ", \"intra_op_parallelism\": " + std::to_string(threads) + "}}",
            "ds.json");
        QVERIFY(!parsed.ok());
        // The parser refuses 0 itself (DeepSpeed's types); every cap comes from the validator.
        if (depth != 0) verifyEndsWith(parsed.error(), want);
    }

    // The engine accepts uneven slices (its remainder paths are tested), never
    // slices below one page; the sweep and `aiotune io` demand DeepSpeed's split.
    void engineAllowsUnevenSlicesOnly() {
        QVERIFY(checkTransferShape(260 * 4 * K, make(4 * K, 8, 3), SplitRule::EngineSafe).ok());
        QVERIFY(!checkTransferShape(260 * 4 * K, make(4 * K, 8, 3)).ok());
        const auto tiny = checkTransferShape(8 * K, make(4 * K, 8, 3), SplitRule::EngineSafe);
        QVERIFY(!tiny.ok());
        QVERIFY2(tiny.error().find("too small to split over 3 threads") != std::string::npos, tiny.error().c_str());
    }

    // A sweep names the first combination DeepSpeed would refuse.
    void sweepNamesTheBadCombination() {
        SweepSpec spec;
        spec.folders = {"/tmp"};
        spec.ioSize = 64 * M;
        spec.blockSizes = {128 * K, 8 * M};
        spec.threads = {1, 16};
        const auto r = spec.validate();
        QVERIFY(!r.ok());
        QVERIFY2(r.error().find("block_size 8M") != std::string::npos, r.error().c_str());
        QVERIFY2(r.error().find("intra_op_parallelism 16 = 4M") != std::string::npos, r.error().c_str());
    }

    void buffersMustFitMemory() {
        QVERIFY(checkBuffersFitMemory(G, 2, 4 * G).ok());
        QVERIFY(checkBuffersFitMemory(G, 2, 0).ok()); // unknown memory: no verdict
        const auto r = checkBuffersFitMemory(3 * G, 2, 4 * G);
        QVERIFY(!r.ok());
        QVERIFY2(r.error().find("io_size 3G for each of 2 folders needs 6 GiB") != std::string::npos,
                 r.error().c_str());
        QVERIFY2(r.error().find("4 GiB") != std::string::npos, r.error().c_str());
    }

    // A hostile sweep config with long lists is judged quickly (no expansion).
    void longListsAreRefusedWithoutExpanding() {
        SweepSpec spec;
        spec.folders = {"/tmp"};
        spec.queueDepths.clear();
        for (int q = 1; q <= 32768; ++q) spec.queueDepths.push_back(q);
        spec.threads = {1, 2, 4, 8};
        spec.blockSizes = {4 * K, 8 * K, 16 * K, 32 * K};
        const auto r = spec.validate();
        QVERIFY(!r.ok());
        QVERIFY2(r.error().find("524288 combinations") != std::string::npos, r.error().c_str());
    }

private:
    static void verifyEndsWith(const std::string& text, const std::string& tail) {
        QVERIFY2(text.size() >= tail.size() && text.compare(text.size() - tail.size(), tail.size(), tail) == 0,
                 (text + " | does not end with | " + tail).c_str());
    }
};

QTEST_GUILESS_MAIN(TestTransferLimits)
#include "test_transfer_limits.moc"
