// Correctness of both engines by content: a known pattern goes out through the
// engine and is checked with plain pread, and the other way round, for every
// combination of a small parameter grid.
#include "engine/aligned_buffer.h"
#include "engine/io_engine.h"
#include "engine/parallel_transfer.h"
#include "engine/portable_engine.h"
#include "engine/scratch_file.h"
#include "engine/uring_engine.h"

#include <QDir>
#include <QTemporaryDir>
#include <QtTest>

#include <cstring>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

using namespace aiotune;

namespace {
// 260 pages: not a multiple of 64K, and split 87/87/86 over three threads.
constexpr quint64 kIoSize = 260 * 4096;

QString comboName(const char* engine, std::uint64_t bs, int qd, bool single, bool overlap, int threads) {
    return QStringLiteral("%1 bs=%2 qd=%3 single_submit=%4 overlap_events=%5 threads=%6")
        .arg(engine).arg(bs).arg(qd).arg(single).arg(overlap).arg(threads);
}

bool preadAll(int fd, std::byte* dst, std::uint64_t size) {
    // The engine's fd is O_DIRECT; a buffered twin reads what reached the file.
    std::uint64_t done = 0;
    while (done < size) {
        const ssize_t n = ::pread(fd, dst + done, size - done, static_cast<off_t>(done));
        if (n <= 0) return false;
        done += static_cast<std::uint64_t>(n);
    }
    return true;
}
} // namespace

class TestIoEngine : public QObject {
    Q_OBJECT
private slots:
    void initTestCase() {
        QVERIFY(m_dir.isValid());
        if (!probeIoUring())
            qWarning("io_uring unavailable here: %s; only the portable engine is checked",
                     probeIoUring().error().c_str());
    }

    void slicesAreContiguousAndAligned_data() {
        QTest::addColumn<quint64>("ioSize");
        QTest::addColumn<int>("threads");
        QTest::addColumn<QList<quint64>>("lengths");
        QTest::addRow("even") << quint64(8 * 4096) << 2 << QList<quint64>{4 * 4096, 4 * 4096};
        QTest::addRow("uneven") << kIoSize << 3 << QList<quint64>{87 * 4096, 87 * 4096, 86 * 4096};
        QTest::addRow("one thread") << kIoSize << 1 << QList<quint64>{kIoSize};
        QTest::addRow("more threads than pages") << quint64(2 * 4096) << 3
                                                 << QList<quint64>{4096, 4096};
    }
    void slicesAreContiguousAndAligned() {
        QFETCH(quint64, ioSize);
        QFETCH(int, threads);
        QFETCH(QList<quint64>, lengths);
        const auto slices = splitIntoSlices(ioSize, threads);
        QCOMPARE(int(slices.size()), lengths.size());
        std::uint64_t offset = 0;
        for (int i = 0; i < lengths.size(); ++i) {
            QCOMPARE(slices[i].offset, offset);
            QCOMPARE(quint64(slices[i].length), lengths[i]);
            QCOMPARE(slices[i].offset % 4096, 0u);
            offset += slices[i].length;
        }
        QCOMPARE(offset, ioSize);
    }

    void roundTripsByContent_data() {
        QTest::addColumn<bool>("uring");
        QTest::addColumn<quint64>("blockSize");
        QTest::addColumn<int>("queueDepth");
        QTest::addColumn<bool>("singleSubmit");
        QTest::addColumn<bool>("overlap");
        QTest::addColumn<int>("threads");
        for (bool uring : {true, false})
            for (quint64 bs : {quint64(4096), quint64(64 * 1024), quint64(1024 * 1024)})
                for (int qd : {1, 4})
                    for (bool single : {false, true})
                        for (bool overlap : {false, true})
                            for (int threads : {1, 3}) {
                                // Depth and submit mode mean nothing to the portable engine.
                                if (!uring && (qd != 1 || single || !overlap)) continue;
                                const auto name = comboName(uring ? "io_uring" : "portable", bs, qd,
                                                            single, overlap, threads);
                                QTest::newRow(qPrintable(name))
                                    << uring << bs << qd << single << overlap << threads;
                            }
    }
    void roundTripsByContent() {
        QFETCH(bool, uring);
        QFETCH(quint64, blockSize);
        QFETCH(int, queueDepth);
        QFETCH(bool, singleSubmit);
        QFETCH(bool, overlap);
        QFETCH(int, threads);
        if (uring && !probeIoUring()) QSKIP("io_uring unavailable on this machine");

        std::unique_ptr<IoEngine> engine;
        if (uring) engine = std::make_unique<UringEngine>();
        else engine = std::make_unique<PortableEngine>();

        auto file = ScratchFile::create(m_dir.path().toStdString(), kIoSize);
        QVERIFY2(file.ok(), file.error().c_str());
        TransferParams p;
        p.ioSize = kIoSize;
        p.aio.block_size = blockSize;
        p.aio.queue_depth = queueDepth;
        p.aio.single_submit = singleSubmit;
        p.aio.overlap_events = overlap;
        p.aio.intra_op_parallelism = threads;

        // Engine write, checked by an independent buffered read of the same file.
        AlignedBuffer out(kIoSize);
        out.fillPattern(1);
        p.direction = IoDirection::Write;
        auto w = engine->transfer(p, *file, out);
        QVERIFY2(w.ok(), w.error().c_str());
        QCOMPARE(w->bytes, kIoSize);
        QVERIFY(w->seconds >= w->ioSeconds);
        QVERIFY(w->gibPerSec > 0);
        const std::uint64_t expectedRequests =
            threads == 1 ? (kIoSize + blockSize - 1) / blockSize : w->latency.requests;
        QCOMPARE(w->latency.requests, expectedRequests);
        QVERIFY(w->latency.p50Us <= w->latency.p99Us && w->latency.p99Us <= w->latency.maxUs);

        const std::string self = "/proc/self/fd/" + std::to_string(file->fd());
        const int plain = ::open(self.c_str(), O_RDWR | O_CLOEXEC);
        QVERIFY(plain >= 0);
        AlignedBuffer check(kIoSize);
        QVERIFY(preadAll(plain, check.data(), kIoSize));
        auto bad = check.firstPatternMismatch(1, kIoSize);
        QVERIFY2(!bad, qPrintable(QStringLiteral("engine write differs at byte %1").arg(bad.value_or(0))));

        // A different pattern written plainly, then read back through the engine.
        AlignedBuffer seed2(kIoSize);
        seed2.fillPattern(2);
        QCOMPARE(::pwrite(plain, seed2.data(), kIoSize, 0), ssize_t(kIoSize));
        QCOMPARE(::fsync(plain), 0);
        ::close(plain);
        AlignedBuffer in(kIoSize);
        in.fill(std::byte{0xEE});
        p.direction = IoDirection::Read;
        auto r = engine->transfer(p, *file, in);
        QVERIFY2(r.ok(), r.error().c_str());
        bad = in.firstPatternMismatch(2, kIoSize);
        QVERIFY2(!bad, qPrintable(QStringLiteral("engine read differs at byte %1").arg(bad.value_or(0))));
    }

    void largeBuffersOnEitherPageKind_data() {
        QTest::addColumn<bool>("hugePages");
        QTest::addRow("huge pages") << true;
        QTest::addRow("normal pages") << false;
    }
    void largeBuffersOnEitherPageKind() {
        QFETCH(bool, hugePages);
        if (!probeIoUring()) QSKIP("io_uring unavailable on this machine");
        const quint64 size = 6u << 20; // above the 2 MiB threshold of the mmap path
        auto file = ScratchFile::create(m_dir.path().toStdString(), size);
        QVERIFY2(file.ok(), file.error().c_str());
        AlignedBuffer out(size, hugePages), in(size, hugePages);
        QVERIFY(out.valid() && in.valid());
        QCOMPARE(reinterpret_cast<std::uintptr_t>(out.data()) % AlignedBuffer::kAlignment, 0u);
        out.fillRepeatingPattern(3);
        TransferParams p;
        p.ioSize = size;
        p.aio.queue_depth = 8;
        p.aio.intra_op_parallelism = 2;
        UringEngine engine;
        QVERIFY(engine.transfer(p, *file, out).ok());
        p.direction = IoDirection::Read;
        in.fill(std::byte{0});
        QVERIFY(engine.transfer(p, *file, in).ok());
        QCOMPARE(std::memcmp(in.data(), out.data(), size), 0);
        // The repeating fill is the pattern's first MiB, again and again.
        QVERIFY(!out.firstPatternMismatch(3, 1u << 20));
        QCOMPARE(std::memcmp(out.data() + (5u << 20), out.data(), 1u << 20), 0);
    }

    void scratchFileLeavesNothingBehind() {
        QTemporaryDir dir;
        {
            auto file = ScratchFile::create(dir.path().toStdString(), 1 << 20);
            QVERIFY2(file.ok(), file.error().c_str());
            // Nameless from the start: nothing to clean up even after kill -9.
            QCOMPARE(QDir(dir.path()).entryList(QDir::AllEntries | QDir::NoDotAndDotDot | QDir::Hidden).size(), 0);
            struct stat st {};
            QCOMPARE(::fstat(file->fd(), &st), 0);
            QCOMPARE(quint64(st.st_size), quint64(1 << 20));
        }
        QCOMPARE(QDir(dir.path()).entryList(QDir::AllEntries | QDir::NoDotAndDotDot | QDir::Hidden).size(), 0);
    }

    void refusesWhatIsNotOurs_data() {
        QTest::addColumn<QString>("kind");
        QTest::addColumn<QString>("expectedInMessage");
        QTest::addRow("missing folder") << "missing" << "create the folder";
        QTest::addRow("symlink") << "symlink" << "symbolic link";
        QTest::addRow("regular file") << "file" << "not a folder";
        QTest::addRow("device") << "device" << "device";
    }
    void refusesWhatIsNotOurs() {
        QFETCH(QString, kind);
        QFETCH(QString, expectedInMessage);
        QTemporaryDir dir;
        QString target = dir.filePath("x");
        if (kind == "symlink") {
            QVERIFY(QDir(dir.path()).mkdir("real"));
            QVERIFY(QFile::link(dir.filePath("real"), target));
        } else if (kind == "file") {
            QFile f(target);
            QVERIFY(f.open(QIODevice::WriteOnly));
            f.write("user data");
        } else if (kind == "device") {
            target = "/dev/null";
        }
        auto file = ScratchFile::create(target.toStdString(), 4096);
        QVERIFY(!file.ok());
        QVERIFY2(file.error().find(expectedInMessage.toStdString()) != std::string::npos, file.error().c_str());
        QVERIFY2(file.error().find(target.toStdString()) != std::string::npos, file.error().c_str());
        if (kind == "file") {
            QFile f(target);
            QVERIFY(f.open(QIODevice::ReadOnly));
            QCOMPARE(f.readAll(), QByteArray("user data"));
        }
    }

    void rejectsBadParameters_data() {
        QTest::addColumn<quint64>("ioSize");
        QTest::addColumn<quint64>("blockSize");
        QTest::addColumn<int>("queueDepth");
        QTest::addColumn<int>("threads");
        QTest::addColumn<QString>("key");
        QTest::addRow("unaligned io size") << quint64(5000) << quint64(4096) << 1 << 1 << "io_size 5000";
        QTest::addRow("zero io size") << quint64(0) << quint64(4096) << 1 << 1 << "io_size is 0";
        QTest::addRow("unaligned block") << kIoSize << quint64(1000) << 1 << 1 << "block_size 1000";
        QTest::addRow("zero depth") << kIoSize << quint64(4096) << 0 << 1 << "queue_depth 0";
        QTest::addRow("zero threads") << kIoSize << quint64(4096) << 1 << 0 << "intra_op_parallelism 0";
        QTest::addRow("too many threads") << quint64(8192) << quint64(4096) << 1 << 3 << "too small to split";
    }
    void rejectsBadParameters() {
        QFETCH(quint64, ioSize);
        QFETCH(quint64, blockSize);
        QFETCH(int, queueDepth);
        QFETCH(int, threads);
        QFETCH(QString, key);
        TransferParams p;
        p.ioSize = ioSize;
        p.aio.block_size = blockSize;
        p.aio.queue_depth = queueDepth;
        p.aio.intra_op_parallelism = threads;
        auto ok = validateTransfer(p);
        QVERIFY(!ok.ok());
        QVERIFY2(ok.error().find(key.toStdString()) != std::string::npos, ok.error().c_str());
    }

    void cancelStopsATransfer() {
        if (!probeIoUring()) QSKIP("io_uring unavailable on this machine");
        const std::uint64_t size = 64ull << 20;
        auto file = ScratchFile::create(m_dir.path().toStdString(), size);
        QVERIFY2(file.ok(), file.error().c_str());
        AlignedBuffer buf(size);
        buf.fill(std::byte{1});
        std::atomic<bool> cancel{true};
        TransferParams p;
        p.ioSize = size;
        p.aio.block_size = 4096;
        UringEngine engine;
        auto r = engine.transfer(p, *file, buf, &cancel);
        QVERIFY(!r.ok());
        QCOMPARE(r.error(), std::string("cancelled"));
    }

    void latencyPercentiles() {
        std::vector<float> lat;
        for (int i = 1; i <= 100; ++i) lat.push_back(float(i));
        const auto s = summarizeLatencies(lat);
        QCOMPARE(s.requests, 100u);
        QCOMPARE(s.p50Us, 50.0);
        QCOMPARE(s.p99Us, 99.0);
        QCOMPARE(s.maxUs, 100.0);
    }

private:
    QTemporaryDir m_dir;
};

QTEST_GUILESS_MAIN(TestIoEngine)
#include "test_io_engine.moc"
