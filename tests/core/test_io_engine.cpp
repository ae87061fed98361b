// Correctness of both engines by content: a known pattern goes out through the
// engine and is checked with plain pread, and the other way round, for every
// combination of a small parameter grid.
#include "../tools/fault_env.h"

#include "engine/aligned_buffer.h"
#include "engine/io_engine.h"
#include "engine/huge_page_share.h"
#include "engine/libaio_engine.h"
#include "engine/parallel_transfer.h"
#include "engine/portable_engine.h"
#include "engine/scratch_file.h"
#include "engine/uring_engine.h"

#include <QDir>
#include <QTemporaryDir>
#include <QtTest>

#include <nlohmann/json.hpp>

#include <liburing.h>

#include <chrono>
#include <cstring>
#include <fcntl.h>
#include <mutex>
#include <thread>
#include <fstream>
#include <linux/capability.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <sys/syscall.h>
#include <system_error>
#include <unistd.h>

using namespace aiotune;
using namespace aiotune::testing;

namespace {
// 260 pages: not a multiple of 64K, and split 87/87/86 over three threads.
constexpr quint64 kIoSize = 260 * 4096;

QString comboName(const QString& engine, std::uint64_t bs, int qd, bool single, bool overlap, int threads) {
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

std::unique_ptr<IoEngine> engineNamed(const QString& name) {
    if (name == "io_uring") return std::make_unique<UringEngine>();
    if (name == "libaio") return std::make_unique<LibaioEngine>();
    return std::make_unique<PortableEngine>();
}

QString unavailable(const QString& engine) {
    if (engine == "io_uring" && !probeIoUring()) return "io_uring unavailable: " + QString::fromStdString(probeIoUring().error());
    if (engine == "libaio" && !probeLibaio()) return "libaio unavailable: " + QString::fromStdString(probeLibaio().error());
    return {};
}

// Requests an engine must send for a transfer: one per block of every slice.
std::uint64_t expectedRequests(std::uint64_t ioSize, std::uint64_t block, int threads) {
    std::uint64_t n = 0;
    for (const auto& s : splitIntoSlices(ioSize, threads)) n += (s.length + block - 1) / block;
    return n;
}

// Free memory, from /proc/meminfo, in bytes (0 if unknown).
std::uint64_t memAvailable() {
    std::ifstream in("/proc/meminfo");
    std::string key;
    std::uint64_t kb = 0;
    std::string unit;
    while (in >> key >> kb >> unit)
        if (key == "MemAvailable:") return kb * 1024;
    return 0;
}

// A tmpfs folder with room for bytes, or "" (the reason in why).
std::string tmpfsWithRoom(std::uint64_t bytes, QString& why) {
    if (memAvailable() < bytes * 2 + (1ull << 30)) {
        why = QStringLiteral("needs %1 GiB of free memory").arg(double(bytes * 2) / double(1ull << 30));
        return {};
    }
    struct statvfs fs {};
    if (::statvfs("/dev/shm", &fs) != 0 || ::access("/dev/shm", W_OK) != 0 ||
        std::uint64_t(fs.f_bavail) * fs.f_frsize < bytes + (64u << 20)) {
        why = QStringLiteral("no writable tmpfs at /dev/shm with %1 MiB free").arg(bytes >> 20);
        return {};
    }
    return "/dev/shm";
}

// Gives up CAP_IPC_LOCK (root ignores RLIMIT_MEMLOCK with it). Empty or what failed.
std::string dropIpcLock() {
    __user_cap_header_struct hdr{_LINUX_CAPABILITY_VERSION_3, 0};
    __user_cap_data_struct data[2]{};
    if (::syscall(SYS_capget, &hdr, data) != 0) return std::string("capget: ") + std::strerror(errno);
    const unsigned bit = 1u << (CAP_IPC_LOCK % 32);
    data[CAP_IPC_LOCK / 32].effective &= ~bit;
    data[CAP_IPC_LOCK / 32].permitted &= ~bit;
    if (::syscall(SYS_capset, &hdr, data) != 0) return std::string("capset: ") + std::strerror(errno);
    return {};
}

// Writes pattern seed through the engine, reads it back through the engine
// into a cleared buffer and compares. Empty when right; notes of the write go to notes.
std::string engineRoundTrip(IoEngine& engine, const ScratchFile& file, AlignedBuffer& buf, TransferParams p,
                            std::uint64_t seed, std::string* notes = nullptr) {
    buf.fillRepeatingPattern(seed);
    p.direction = IoDirection::Write;
    auto w = engine.transfer(p, file, buf);
    if (!w) return "write: " + w.error();
    if (notes) *notes = w->notes;
    if (w->bytes != p.ioSize) return "write moved " + std::to_string(w->bytes);
    std::memset(buf.data(), 0, p.ioSize);
    p.direction = IoDirection::Read;
    auto r = engine.transfer(p, file, buf);
    if (!r) return "read: " + r.error();
    // The repeating fill is the first MiB again and again: check it, then every copy.
    const std::size_t mib = std::min<std::size_t>(p.ioSize, 1u << 20);
    if (auto bad = buf.firstPatternMismatch(seed, mib)) return "read differs at byte " + std::to_string(*bad);
    for (std::uint64_t off = mib; off < p.ioSize; off += mib)
        if (std::memcmp(buf.data() + off, buf.data(), std::min<std::uint64_t>(mib, p.ioSize - off)) != 0)
            return "read differs in the MiB at " + std::to_string(off);
    return {};
}

// Publishes every prepared SQE to the kernel but lets it take only one: what
// io_uring_enter may do under memory pressure or with a failing SQE.
int submitOneAtATime(io_uring* ring, unsigned) {
    ring->sq.sqe_head = ring->sq.sqe_tail;
    io_uring_smp_store_release(ring->sq.ktail, ring->sq.sqe_tail);
    return io_uring_enter(ring->ring_fd, 1, 0, 0, nullptr);
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
        QTest::addColumn<QString>("engineName");
        QTest::addColumn<quint64>("blockSize");
        QTest::addColumn<int>("queueDepth");
        QTest::addColumn<bool>("singleSubmit");
        QTest::addColumn<bool>("overlap");
        QTest::addColumn<int>("threads");
        for (QString engine : {"io_uring", "libaio", "portable"})
            for (quint64 bs : {quint64(4096), quint64(64 * 1024), quint64(1024 * 1024)})
                for (int qd : {1, 4})
                    for (bool single : {false, true})
                        for (bool overlap : {false, true})
                            for (int threads : {1, 3}) {
                                // Depth and submit mode mean nothing to the portable engine.
                                if (engine == "portable" && (qd != 1 || single || !overlap)) continue;
                                const auto name = comboName(engine, bs, qd, single, overlap, threads);
                                QTest::newRow(qPrintable(name))
                                    << engine << bs << qd << single << overlap << threads;
                            }
    }
    void roundTripsByContent() {
        QFETCH(QString, engineName);
        QFETCH(quint64, blockSize);
        QFETCH(int, queueDepth);
        QFETCH(bool, singleSubmit);
        QFETCH(bool, overlap);
        QFETCH(int, threads);
        if (const QString why = unavailable(engineName); !why.isEmpty()) QSKIP(qPrintable(why));
        auto engine = engineNamed(engineName);

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
        QCOMPARE(w->engine, engine->name());
        QVERIFY(w->seconds >= w->ioSeconds);
        QVERIFY(w->gibPerSec > 0);
        // 260 pages over 3 threads: 87 + 87 + 86 pages, each slice cut into blocks.
        QCOMPARE(w->latency.requests, expectedRequests(kIoSize, blockSize, threads));
        QVERIFY(w->latency.p50Us <= w->latency.p99Us && w->latency.p99Us <= w->latency.maxUs);
        QVERIFY(w->profile == out.profile());

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
        QCOMPARE(r->latency.requests, expectedRequests(kIoSize, blockSize, threads));
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

    // One handle serves many transfers, as DeepSpeed's aio handle serves every
    // swap: content right each time, the setup reported on the first transfer
    // only, the clock inside the call.
    void handleServesManyTransfers_data() {
        QTest::addColumn<QString>("engineName");
        for (QString engine : {"io_uring", "libaio", "portable"}) QTest::newRow(qPrintable(engine)) << engine;
    }
    void handleServesManyTransfers() {
        QFETCH(QString, engineName);
        if (const QString why = unavailable(engineName); !why.isEmpty()) QSKIP(qPrintable(why));
        auto engine = engineNamed(engineName);
        auto file = ScratchFile::create(m_dir.path().toStdString(), kIoSize);
        QVERIFY2(file.ok(), file.error().c_str());
        AlignedBuffer buf(kIoSize);
        TransferParams p;
        p.ioSize = kIoSize;
        p.aio.block_size = 64 * 1024;
        p.aio.queue_depth = 4;
        p.aio.intra_op_parallelism = 3;
        auto handle = engine->open(p, *file, buf);
        QVERIFY2(handle.ok(), handle.error().c_str());
        for (std::uint64_t seed : {21u, 22u, 23u}) {
            buf.fillPattern(seed);
            const auto t0 = std::chrono::steady_clock::now();
            auto w = (*handle)->transfer(IoDirection::Write);
            const double call = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
            QVERIFY2(w.ok(), w.error().c_str());
            QCOMPARE(w->bytes, kIoSize);
            QVERIFY(w->ioSeconds > 0 && w->ioSeconds <= w->seconds && w->seconds <= call);
            if (seed == 21) QVERIFY(w->setupSeconds > 0);
            else QCOMPARE(w->setupSeconds, 0.0);
            buf.fill(std::byte{0});
            auto r = (*handle)->transfer(IoDirection::Read);
            QVERIFY2(r.ok(), r.error().c_str());
            QCOMPARE(r->setupSeconds, 0.0);
            QCOMPARE(r->latency.requests, expectedRequests(kIoSize, p.aio.block_size, 3));
            const auto bad = buf.firstPatternMismatch(seed, kIoSize);
            QVERIFY2(!bad, qPrintable(QStringLiteral("pattern %1 read back differs at byte %2").arg(seed).arg(*bad)));
        }
        // A transfer with a handle of its own reports what opening it took.
        buf.fillPattern(24);
        auto once = engine->transfer(p, *file, buf);
        QVERIFY2(once.ok(), once.error().c_str());
        QVERIFY(once->setupSeconds > 0);
    }

    // The handle sets every worker up once, each on the thread that then runs
    // it for every transfer; a worker whose run failed is replaced, and the
    // next transfer goes on.
    void handleSetsUpOncePerThread() {
        struct Counts {
            std::mutex mutex;
            int setups = 0, runs = 0, threadStarts = 0, failNextRunOfSlice = -1;
            bool wrongThread = false;
        } counts;
        struct Worker : SliceWorker {
            explicit Worker(Counts& c) : m_counts(c) {}
            Result<void> setup(const SliceJob& job) override {
                std::lock_guard lock(m_counts.mutex);
                ++m_counts.setups;
                m_slice = static_cast<int>(job.slice.offset / 4096);
                m_thread = std::this_thread::get_id();
                return {};
            }
            Result<void> run(IoDirection, const std::atomic<bool>*, std::vector<float>& latencies) override {
                std::lock_guard lock(m_counts.mutex);
                ++m_counts.runs;
                if (std::this_thread::get_id() != m_thread) m_counts.wrongThread = true;
                if (m_counts.failNextRunOfSlice == m_slice) {
                    m_counts.failNextRunOfSlice = -1;
                    return makeError("injected");
                }
                latencies.push_back(1.0f);
                return {};
            }
            Counts& m_counts;
            int m_slice = 0;
            std::thread::id m_thread;
        };
        auto file = ScratchFile::create(m_dir.path().toStdString(), 4 * 4096);
        QVERIFY2(file.ok(), file.error().c_str());
        AlignedBuffer buf(4 * 4096);
        TransferParams p;
        p.ioSize = 4 * 4096;
        p.aio.block_size = 4096;
        p.aio.intra_op_parallelism = 4; // one page per thread: slice i starts at page i
        auto handle = openParallelHandle(
            p, *file, buf, "counting", [&] { return std::make_unique<Worker>(counts); },
            [&](std::function<void()> body) {
                ++counts.threadStarts;
                return std::jthread(std::move(body));
            });
        QVERIFY2(handle.ok(), handle.error().c_str());
        for (int i = 0; i < 5; ++i) {
            auto r = (*handle)->transfer(i % 2 ? IoDirection::Read : IoDirection::Write);
            QVERIFY2(r.ok(), r.error().c_str());
            QCOMPARE(r->latency.requests, std::uint64_t(4));
        }
        QCOMPARE(counts.setups, 4);
        QCOMPARE(counts.threadStarts, 3); // the calling thread moves slice 0
        QCOMPARE(counts.runs, 20);
        counts.failNextRunOfSlice = 2;
        auto failed = (*handle)->transfer(IoDirection::Write);
        QVERIFY(!failed.ok());
        VERIFY_CONTAINS(failed.error(), "(thread 2): injected");
        QCOMPARE(counts.setups, 5); // slice 2 has a fresh worker
        auto next = (*handle)->transfer(IoDirection::Read);
        QVERIFY2(next.ok(), next.error().c_str());
        QCOMPARE(counts.runs, 28);
        QVERIFY(!counts.wrongThread);
        handle = makeError("closed"); // joins the threads
        QCOMPARE(counts.threadStarts, 3);
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

    // Cancelled while requests are in flight: the transfer drains them, says
    // "cancelled", and the engine and file work for the next transfer.
    void cancelMidTransfer_data() {
        QTest::addColumn<bool>("overlap");
        QTest::addColumn<bool>("single");
        QTest::addRow("overlapped, batch submit") << true << false;
        QTest::addRow("sequential, single submit") << false << true;
    }
    void cancelMidTransfer() {
        QFETCH(bool, overlap);
        QFETCH(bool, single);
        if (!probeIoUring()) QSKIP("io_uring unavailable on this machine");
        const std::uint64_t size = 4ull << 20;
        auto file = ScratchFile::create(m_dir.path().toStdString(), size);
        QVERIFY2(file.ok(), file.error().c_str());
        std::atomic<bool> cancel{false};
        int submits = 0;
        // The cancel arrives on the 10th submit: by then requests are in flight.
        UringEngine engine([&](io_uring* ring, unsigned waitFor) {
            if (++submits == 10) cancel = true;
            return io_uring_submit_and_wait(ring, waitFor);
        });
        AlignedBuffer buf(size);
        buf.fill(std::byte{1});
        TransferParams p;
        p.ioSize = size;
        p.aio.block_size = 4096; // 1024 requests
        p.aio.queue_depth = 4;
        p.aio.overlap_events = overlap;
        p.aio.single_submit = single;
        auto r = engine.transfer(p, *file, buf, &cancel);
        QVERIFY(!r.ok());
        QCOMPARE(r.error(), std::string("cancelled"));
        QVERIFY2(submits >= 10 && submits < 1024 / 4, qPrintable(QString::number(submits)));
        cancel = false;
        const std::string problem = engineRoundTrip(engine, *file, buf, p, 11);
        QVERIFY2(problem.empty(), problem.c_str());

        // The same on one handle: cancelled, then it moves the next transfer right.
        submits = 0;
        auto handle = engine.open(p, *file, buf);
        QVERIFY2(handle.ok(), handle.error().c_str());
        auto c = (*handle)->transfer(IoDirection::Write, &cancel);
        QCOMPARE(c.error(), std::string("cancelled"));
        cancel = false;
        buf.fillPattern(12);
        auto w = (*handle)->transfer(IoDirection::Write, &cancel);
        QVERIFY2(w.ok(), w.error().c_str());
        buf.fill(std::byte{0});
        auto back = (*handle)->transfer(IoDirection::Read, &cancel);
        QVERIFY2(back.ok(), back.error().c_str());
        const auto bad = buf.firstPatternMismatch(12, size);
        QVERIFY2(!bad, qPrintable(QStringLiteral("read back after a cancel differs at byte %1").arg(bad.value_or(0))));
    }

    // io_uring_submit_and_wait may take fewer SQEs than queued: the rest must be
    // resubmitted, never waited for. A hang here is caught by the child's alarm.
    void partialSubmissionIsResubmitted_data() {
        QTest::addColumn<bool>("overlap");
        QTest::addColumn<bool>("single");
        QTest::addColumn<int>("threads");
        QTest::addRow("overlapped") << true << false << 1;
        QTest::addRow("sequential") << false << false << 2;
        QTest::addRow("single submit") << true << true << 1;
    }
    void partialSubmissionIsResubmitted() {
        QFETCH(bool, overlap);
        QFETCH(bool, single);
        QFETCH(int, threads);
        if (!probeIoUring()) QSKIP("io_uring unavailable on this machine");
        const std::string folder = m_dir.path().toStdString();
        const ChildOutcome child = runInChild([&](int out) {
            ::alarm(60);
            auto file = ScratchFile::create(folder, kIoSize);
            if (!file) return writeAll(out, file.error()), 2;
            std::atomic<int> calls{0};
            UringEngine engine([&](io_uring* ring, unsigned w) { ++calls; return submitOneAtATime(ring, w); });
            AlignedBuffer buf(kIoSize);
            TransferParams p;
            p.ioSize = kIoSize;
            p.aio.block_size = 16 * 1024;
            p.aio.queue_depth = 8;
            p.aio.overlap_events = overlap;
            p.aio.single_submit = single;
            p.aio.intra_op_parallelism = threads;
            std::string problem = engineRoundTrip(engine, *file, buf, p, 21);
            // 65 requests per direction, one SQE per call at most.
            if (problem.empty() && calls < 2 * 65) problem = "only " + std::to_string(calls.load()) + " submit calls";
            writeAll(out, problem);
            return 0;
        });
        QVERIFY2(child.signal == 0, qPrintable(QStringLiteral("child killed by signal %1 (SIGALRM: the engine hung)")
                                                   .arg(child.signal)));
        QCOMPARE(child.exitCode, 0);
        QCOMPARE(child.output, std::string());
    }

    // -EBUSY / -EAGAIN from submit: the kernel wants completions reaped before
    // it takes more. Spinning on submit (what single submit did) never ends.
    void busySubmitReapsFirst_data() {
        QTest::addColumn<bool>("single");
        QTest::addColumn<int>("code");
        QTest::addRow("single submit, EBUSY") << true << -EBUSY;
        QTest::addRow("batch submit, EAGAIN") << false << -EAGAIN;
        QTest::addRow("single submit, EAGAIN") << true << -EAGAIN;
    }
    void busySubmitReapsFirst() {
        QFETCH(bool, single);
        QFETCH(int, code);
        if (!probeIoUring()) QSKIP("io_uring unavailable on this machine");
        const std::string folder = m_dir.path().toStdString();
        const ChildOutcome child = runInChild([&](int out) {
            ::alarm(60);
            auto file = ScratchFile::create(folder, kIoSize);
            if (!file) return writeAll(out, file.error()), 2;
            int refused = 0;
            // Refuses while completions wait in the queue, as the kernel does
            // when its completion queue is full, at most 200 times.
            UringEngine engine([&](io_uring* ring, unsigned w) {
                for (int i = 0; i < 50 && io_uring_cq_ready(ring) == 0; ++i) ::usleep(200);
                if (io_uring_cq_ready(ring) > 0 && refused < 200) {
                    ++refused;
                    return code;
                }
                return io_uring_submit_and_wait(ring, w);
            });
            AlignedBuffer buf(kIoSize);
            TransferParams p;
            p.ioSize = kIoSize;
            p.aio.block_size = 4096;
            p.aio.queue_depth = 4;
            p.aio.single_submit = single;
            std::string problem = engineRoundTrip(engine, *file, buf, p, 31);
            if (problem.empty() && refused == 0) problem = "the seam never refused: nothing was tested";
            writeAll(out, problem);
            return 0;
        });
        QVERIFY2(child.signal == 0, qPrintable(QStringLiteral("child killed by signal %1 (SIGALRM: the engine hung)")
                                                   .arg(child.signal)));
        QCOMPARE(child.exitCode, 0);
        QCOMPARE(child.output, std::string());
    }

    // A slice thread that cannot start (RLIMIT_NPROC, pids.max) fails the
    // transfer with the reason; the threads already started are not left at the barrier.
    void threadStartFailureFailsCleanly_data() {
        QTest::addColumn<int>("failAt"); // the n-th extra thread refuses
        QTest::addRow("first extra thread") << 1;
        QTest::addRow("third of four, two running") << 3;
    }
    void threadStartFailureFailsCleanly() {
        QFETCH(int, failAt);
        if (!probeIoUring()) QSKIP("io_uring unavailable on this machine");
        const std::string folder = m_dir.path().toStdString();
        const ChildOutcome child = runInChild([&](int out) {
            ::alarm(60);
            auto file = ScratchFile::create(folder, kIoSize);
            if (!file) return writeAll(out, file.error()), 2;
            int started = 0;
            UringEngine engine({}, [&](std::function<void()> body) {
                if (++started == failAt) throw std::system_error(EAGAIN, std::generic_category());
                return std::jthread(std::move(body));
            });
            AlignedBuffer buf(kIoSize);
            TransferParams p;
            p.ioSize = kIoSize;
            p.aio.intra_op_parallelism = 4;
            auto r = engine.transfer(p, *file, buf);
            nlohmann::json j{{"ok", r.ok()}, {"error", r.error()}};
            // The engine is fine afterwards: one thread needs no start.
            p.aio.intra_op_parallelism = 1;
            j["after"] = engineRoundTrip(engine, *file, buf, p, 41);
            writeAll(out, j.dump());
            return 0;
        });
        QVERIFY2(child.signal == 0, qPrintable(QStringLiteral("child killed by signal %1 (SIGALRM: a hang)").arg(child.signal)));
        QCOMPARE(child.exitCode, 0);
        const auto j = nlohmann::json::parse(child.output, nullptr, false);
        QVERIFY2(!j.is_discarded(), child.output.c_str());
        QVERIFY(!j["ok"].get<bool>());
        const std::string error = j["error"];
        VERIFY_CONTAINS(error, "cannot start thread " + std::to_string(failAt + 1) + " of 4");
        VERIFY_CONTAINS(error, "ulimit -u");
        VERIFY_CONTAINS(error, m_dir.path().toStdString());
        QCOMPARE(j["after"].get<std::string>(), std::string());
    }

    // The same with the real limit: a user at RLIMIT_NPROC cannot create threads.
    void threadLimitFailsCleanly() {
        if (!probeIoUring()) QSKIP("io_uring unavailable on this machine");
        const std::string folder = m_dir.path().toStdString();
        const ChildOutcome child = runInChild([&](int out) {
            ::alarm(60);
            auto file = ScratchFile::create(folder, kIoSize);
            if (!file) return writeAll(out, file.error()), 2;
            AlignedBuffer buf(kIoSize);
            // Root is exempt from RLIMIT_NPROC: become nobody first (file and buffer are ours already).
            if (::geteuid() == 0 && ::setresuid(65534, 65534, 65534) != 0) return writeAll(out, "setresuid failed"), 3;
            rlimit none{0, 0};
            if (::setrlimit(RLIMIT_NPROC, &none) != 0) return writeAll(out, "setrlimit failed"), 4;
            TransferParams p;
            p.ioSize = kIoSize;
            p.aio.intra_op_parallelism = 3;
            UringEngine engine;
            auto r = engine.transfer(p, *file, buf);
            writeAll(out, nlohmann::json{{"ok", r.ok()}, {"error", r.error()}}.dump());
            return 0;
        });
        QVERIFY2(child.signal == 0, qPrintable(QStringLiteral("child killed by signal %1").arg(child.signal)));
        QVERIFY2(child.exitCode == 0, child.output.c_str());
        const auto j = nlohmann::json::parse(child.output, nullptr, false);
        QVERIFY2(!j.is_discarded(), child.output.c_str());
        QVERIFY(!j["ok"].get<bool>());
        VERIFY_CONTAINS(j["error"].get<std::string>(), "cannot start thread 2 of 3");
    }

    // Registered buffers only when the profile asks; refused by RLIMIT_MEMLOCK
    // they are a note, not a failure, and the data is still right.
    void registrationFollowsTheProfile() {
        if (!probeIoUring()) QSKIP("io_uring unavailable on this machine");
        const std::string folder = m_dir.path().toStdString();
        const ChildOutcome child = runInChild([&](int out) {
            ::alarm(60);
            nlohmann::json j;
            j["drop"] = dropIpcLock();
            rlimit lim{64 * 1024, 64 * 1024};
            j["setrlimit"] = ::setrlimit(RLIMIT_MEMLOCK, &lim) == 0;
            auto file = ScratchFile::create(folder, kIoSize);
            if (!file) return writeAll(out, file.error()), 2;
            UringEngine engine;
            TransferParams p;
            p.ioSize = kIoSize;
            p.aio.intra_op_parallelism = 2;
            for (bool registered : {false, true}) {
                p.profile = registered ? MeasurementProfile::hugePageWhatIf() : MeasurementProfile::faithful();
                AlignedBuffer buf(kIoSize, p.profile);
                std::string notes;
                const std::string key = registered ? "registered" : "faithful";
                j[key]["problem"] = engineRoundTrip(engine, *file, buf, p, 51, &notes);
                j[key]["notes"] = notes;
            }
            writeAll(out, j.dump());
            return 0;
        });
        QCOMPARE(child.signal, 0);
        QVERIFY2(child.exitCode == 0, child.output.c_str());
        const auto j = nlohmann::json::parse(child.output, nullptr, false);
        QVERIFY2(!j.is_discarded(), child.output.c_str());
        QCOMPARE(j["drop"].get<std::string>(), std::string());
        QVERIFY(j["setrlimit"].get<bool>());
        QCOMPARE(j["faithful"]["problem"].get<std::string>(), std::string());
        QCOMPARE(j["registered"]["problem"].get<std::string>(), std::string());
        const std::string faithful = j["faithful"]["notes"], registered = j["registered"]["notes"];
        QVERIFY2(faithful.find("registered") == std::string::npos, faithful.c_str()); // never tried
        VERIFY_CONTAINS(faithful, "not locked"); // mlock refused too: said, not failed
        VERIFY_CONTAINS(registered, "registered buffers refused");
        VERIFY_CONTAINS(registered, "ulimit -l");
    }

    // io_uring registers at most 1 GiB per buffer: a bigger slice is moved
    // with plain buffers and the result says why.
    void sliceOverOneGiB() {
        if (!probeIoUring()) QSKIP("io_uring unavailable on this machine");
        const std::uint64_t size = (1ull << 30) + (4u << 20);
        QString why;
        const std::string folder = tmpfsWithRoom(size, why);
        if (folder.empty()) QSKIP(qPrintable("slice over 1 GiB skipped: " + why));
        auto file = ScratchFile::create(folder, size);
        if (!file) QSKIP(qPrintable("no O_DIRECT scratch file on " + QString::fromStdString(folder) + ": " +
                                    QString::fromStdString(file.error())));
        TransferParams p;
        p.ioSize = size;
        p.aio.block_size = 8u << 20;
        p.profile = MeasurementProfile::hugePageWhatIf();
        AlignedBuffer buf(size, p.profile);
        QVERIFY(buf.valid());
        UringEngine engine;
        std::string notes;
        const std::string problem = engineRoundTrip(engine, *file, buf, p, 61, &notes);
        QVERIFY2(problem.empty(), problem.c_str());
        VERIFY_CONTAINS(notes, "registered buffers skipped");
        VERIFY_CONTAINS(notes, "1 GiB");
    }

    // A block of 4 GiB once became a request of length 0 (an unsigned cast)
    // and the transfer never ended. Lengths are 64-bit; the kernel's 2 GiB cap
    // per request is met by sending the block in pieces.
    void blockOfFourGiB_data() {
        QTest::addColumn<QString>("engineName");
        QTest::addRow("io_uring") << "io_uring";
        QTest::addRow("libaio") << "libaio";
    }
    void blockOfFourGiB() {
        QFETCH(QString, engineName);
        if (const QString why = unavailable(engineName); !why.isEmpty()) QSKIP(qPrintable(why));
        // About two minutes per engine on a 2-core machine: 16 GiB through memory.
        if (qEnvironmentVariableIntValue("AIOTUNE_TEST_BIG") != 1)
            QSKIP("moves 4 GiB blocks through tmpfs (about 2 min, 9 GiB of memory); set AIOTUNE_TEST_BIG=1 to run");
        const std::uint64_t size = 4ull << 30;
        QString why;
        const std::string folder = tmpfsWithRoom(size, why);
        if (folder.empty()) QSKIP(qPrintable("4 GiB block skipped: " + why));
        const ChildOutcome child = runInChild([&](int out) {
            ::alarm(240);
            auto file = ScratchFile::create(folder, size);
            if (!file) return writeAll(out, "skip: " + file.error()), 0;
            TransferParams p;
            p.ioSize = size;
            p.aio.block_size = size;
            p.aio.queue_depth = 2;
            AlignedBuffer buf(size, MeasurementProfile{PagePolicy::Kernel, false, false});
            if (!buf.valid()) return writeAll(out, "skip: no 4 GiB buffer"), 0;
            auto engine = engineNamed(engineName);
            writeAll(out, engineRoundTrip(*engine, *file, buf, p, 71));
            return 0;
        });
        QVERIFY2(child.signal == 0, qPrintable(QStringLiteral("child killed by signal %1 (SIGALRM: the engine hung)")
                                                   .arg(child.signal)));
        QCOMPARE(child.exitCode, 0);
        if (child.output.rfind("skip: ", 0) == 0) QSKIP(child.output.c_str());
        QCOMPARE(child.output, std::string());
    }

    // Every result says what measured it: the profile and the buffer's huge-page share.
    void resultCarriesTheProfile_data() {
        QTest::addColumn<QString>("engineName");
        QTest::addColumn<bool>("whatIf");
        for (QString e : {"io_uring", "libaio", "portable"})
            for (bool w : {false, true}) QTest::addRow("%s %s", qPrintable(e), w ? "what-if" : "faithful") << e << w;
    }
    void resultCarriesTheProfile() {
        QFETCH(QString, engineName);
        QFETCH(bool, whatIf);
        if (const QString why = unavailable(engineName); !why.isEmpty()) QSKIP(qPrintable(why));
        auto engine = engineNamed(engineName);
        const std::uint64_t size = 4u << 20;
        auto file = ScratchFile::create(m_dir.path().toStdString(), size);
        QVERIFY2(file.ok(), file.error().c_str());
        TransferParams p;
        p.ioSize = size;
        p.profile = whatIf ? MeasurementProfile::hugePageWhatIf() : MeasurementProfile::faithful();
        AlignedBuffer buf(size, p.profile);
        buf.fill(std::byte{3});
        auto r = engine->transfer(p, *file, buf);
        QVERIFY2(r.ok(), r.error().c_str());
        QVERIFY(r->profile == p.profile);
        QCOMPARE(r->profile.name(), p.profile.name());
        QVERIFY(r->hugePageShare.has_value());
        QVERIFY(*r->hugePageShare >= 0.0 && *r->hugePageShare <= 1.0);
        std::ifstream thp("/sys/kernel/mm/transparent_hugepage/enabled");
        std::string mode;
        std::getline(thp, mode);
        // Faithful: the kernel's mode decides ("madvise": normal pages). What-if: huge where THP is on.
        if (!whatIf && mode.find("[always]") == std::string::npos) QCOMPARE(*r->hugePageShare, 0.0);
        if (whatIf && !mode.empty() && mode.find("[never]") == std::string::npos)
            QVERIFY2(*r->hugePageShare > 0.0, "MADV_HUGEPAGE gave no huge page at all");
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
