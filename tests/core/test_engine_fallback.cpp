// Where io_uring is unavailable (kernel.io_uring_disabled, a container's
// seccomp profile) aiotune must notice, say why, and measure with the
// portable engine, whose data must be right by content. The seccomp case runs
// in a forked child that blocks io_uring_setup for itself only and reports
// what it saw over a pipe as JSON.
#include "../tools/fault_env.h"

#include "engine/aligned_buffer.h"
#include "engine/io_engine.h"
#include "engine/libaio_engine.h"
#include "engine/scratch_file.h"
#include "sweep/sweep_runner.h"
#include "sweep/sweep_sinks.h"

#include <QFile>
#include <QTemporaryDir>
#include <QtTest>

#include <nlohmann/json.hpp>

#include <cstddef>
#include <linux/audit.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <unistd.h>

using namespace aiotune;
using namespace aiotune::testing;

namespace {

constexpr std::uint64_t kIoSize = 300 * 4096; // not a power of two; splits unevenly over 3 threads

#if defined(__x86_64__)
constexpr std::uint32_t kAuditArch = AUDIT_ARCH_X86_64;
#elif defined(__aarch64__)
constexpr std::uint32_t kAuditArch = AUDIT_ARCH_AARCH64;
#else
constexpr std::uint32_t kAuditArch = 0;
#endif

// Makes io_uring_setup fail with EPERM for this process and its threads, the
// way Docker's default profile does. Returns an empty string or what failed.
std::string blockIoUringSetup() {
    if (kAuditArch == 0) return "no seccomp filter for this architecture";
    sock_filter program[] = {
        BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(seccomp_data, arch)),
        BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, kAuditArch, 1, 0),
        BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW), // a foreign ABI: not ours to judge
        BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(seccomp_data, nr)),
        BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, __NR_io_uring_setup, 0, 1),
        BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ERRNO | (EPERM & SECCOMP_RET_DATA)),
        BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
    };
    sock_fprog prog{static_cast<unsigned short>(std::size(program)), program};
    if (::prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0)
        return std::string("PR_SET_NO_NEW_PRIVS: ") + std::strerror(errno);
    if (::prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, &prog, 0, 0) != 0)
        return std::string("PR_SET_SECCOMP: ") + std::strerror(errno);
    return {};
}

// Writes the pattern through the engine, reads it back through the engine
// into a cleared buffer, and checks both by content. Empty string when right.
std::string roundTrip(IoEngine& engine, const std::string& folder, const AioConfig& aio,
                      std::string* engineName) {
    auto file = ScratchFile::create(folder, kIoSize);
    if (!file) return file.error();
    AlignedBuffer out(kIoSize);
    out.fillPattern(7);
    TransferParams p;
    p.direction = IoDirection::Write;
    p.ioSize = kIoSize;
    p.aio = aio;
    auto w = engine.transfer(p, *file, out);
    if (!w) return "write: " + w.error();
    if (engineName) *engineName = w->engine;
    if (w->bytes != kIoSize) return "write moved " + std::to_string(w->bytes) + " bytes";

    // What reached the file, read without the engine.
    AlignedBuffer check(kIoSize);
    check.fill(std::byte{0});
    for (std::uint64_t done = 0; done < kIoSize;) {
        const ssize_t n =
            ::pread(file->fd(), check.data() + done, kIoSize - done, static_cast<off_t>(done));
        if (n <= 0) return "pread failed";
        done += static_cast<std::uint64_t>(n);
    }
    if (auto bad = check.firstPatternMismatch(7, kIoSize))
        return "file differs at byte " + std::to_string(*bad);

    AlignedBuffer in(kIoSize);
    in.fill(std::byte{0xA5});
    p.direction = IoDirection::Read;
    auto r = engine.transfer(p, *file, in);
    if (!r) return "read: " + r.error();
    if (auto bad = in.firstPatternMismatch(7, kIoSize))
        return "read differs at byte " + std::to_string(*bad);
    return {};
}

SweepSpec tinySweep(const std::string& folder) {
    SweepSpec spec;
    spec.folders = {folder};
    spec.blockSizes = {64 * 1024};
    spec.queueDepths = {1, 8};
    spec.ioSize = 4 << 20;
    return spec;
}

} // namespace

class TestEngineFallback : public QObject {
    Q_OBJECT
  private slots:
    void forcedPortableEngineIsCorrect_data() {
        QTest::addColumn<quint64>("blockSize");
        QTest::addColumn<int>("threads");
        QTest::addRow("4K, 1 thread") << quint64(4096) << 1;
        QTest::addRow("64K, 3 threads") << quint64(64 * 1024) << 3;
        QTest::addRow("1M (larger than a slice), 2 threads") << quint64(1 << 20) << 2;
        QTest::addRow("12K (odd multiple), 1 thread") << quint64(12 * 1024) << 1;
    }
    void forcedPortableEngineIsCorrect() {
        QFETCH(quint64, blockSize);
        QFETCH(int, threads);
        QTemporaryDir dir;
        QVERIFY(dir.isValid());
        std::string reason = "untouched";
        auto engine = createEngine(EngineKind::Portable, &reason);
        QVERIFY(engine);
        QVERIFY2(engine->name().find("portable") != std::string::npos, engine->name().c_str());
        QCOMPARE(reason, std::string("untouched")); // asked for, not a fallback
        AioConfig aio;
        aio.block_size = blockSize;
        aio.queue_depth = 32;
        aio.intra_op_parallelism = threads;
        std::string measuredBy;
        const std::string problem = roundTrip(*engine, dir.path().toStdString(), aio, &measuredBy);
        QVERIFY2(problem.empty(), problem.c_str());
        QCOMPARE(measuredBy, engine->name());
        QCOMPARE(entriesOf(dir.path()), QStringList());
    }

    void portableSweepSaysSoInItsResults() {
        QTemporaryDir dir;
        QVERIFY(dir.isValid());
        SweepRunner runner(tinySweep(dir.path().toStdString()), EngineKind::Portable);
        auto r = runner.run({});
        QVERIFY2(r.ok(), r.error().c_str());
        QVERIFY2(r->engine.find("portable") != std::string::npos, r->engine.c_str());
        QCOMPARE(r->meta["system"]["engine"].get<std::string>(), r->engine);
        QCOMPARE(r->status, SweepStatus::Finished);
        QCOMPARE(int(r->configs.size()), 2);
        for (const auto& c : r->configs)
            QVERIFY(c.hasBoth());
    }

    // io_uring_setup blocked by seccomp, as in a default Docker container.
    void seccompBlocksIoUring() {
        if (kAuditArch == 0) QSKIP("no seccomp filter written for this architecture");
        QTemporaryDir dir;
        QVERIFY(dir.isValid());
        const std::string folder = dir.path().toStdString();

        const ChildOutcome child = runInChild([&](int out) {
            nlohmann::json j;
            j["filter"] = blockIoUringSetup();
            if (!j["filter"].get<std::string>().empty()) {
                writeAll(out, j.dump());
                return 2;
            }
            const auto probe = probeIoUring();
            j["probe_ok"] = probe.ok();
            j["probe_error"] = probe.error();

            std::string reason;
            auto engine = createEngine(EngineKind::Auto, &reason);
            j["auto_engine"] = engine->name();
            j["auto_reason"] = reason;
            AioConfig aio;
            aio.block_size = 64 * 1024;
            aio.intra_op_parallelism = 2;
            j["auto_round_trip"] = roundTrip(*engine, folder, aio, nullptr);

            // Forcing io_uring anyway: each transfer fails with a message, no crash.
            auto uring = createEngine(EngineKind::IoUring);
            j["forced_round_trip"] = roundTrip(*uring, folder, aio, nullptr);

            std::vector<std::string> messages;
            CallbackSink cb;
            cb.message = [&](const MessageEvent& m) { messages.push_back(m.text); };
            SweepRunner runner(tinySweep(folder));
            auto r = runner.run({&cb});
            j["sweep_ok"] = r.ok();
            j["sweep_error"] = r.error();
            j["sweep_messages"] = messages;
            if (r) {
                j["sweep_engine"] = r->engine;
                j["sweep_status"] = sweepStatusName(r->status);
                j["sweep_fallback_reason"] = r->meta["system"].value("engine_fallback_reason", "");
                int both = 0;
                for (const auto& c : r->configs)
                    both += c.hasBoth() ? 1 : 0;
                j["sweep_points"] = both;
            }
            writeAll(out, j.dump());
            return 0;
        });
        QCOMPARE(child.signal, 0);
        QVERIFY2(child.exitCode == 0, child.output.c_str());
        qInfo("child reported: %s", child.output.c_str());
        const auto j = nlohmann::json::parse(child.output, nullptr, false);
        QVERIFY2(!j.is_discarded(), child.output.c_str());

        QCOMPARE(j["probe_ok"].get<bool>(), false);
        const std::string probeError = j["probe_error"];
        QVERIFY2(probeError.find("io_uring is not available") != std::string::npos,
                 probeError.c_str());
        QVERIFY2(probeError.find("seccomp") != std::string::npos, probeError.c_str());

        const std::string autoEngine = j["auto_engine"];
        QVERIFY2(autoEngine.find("portable") != std::string::npos, autoEngine.c_str());
        const std::string reason = j["auto_reason"];
        QVERIFY2(reason.find("io_uring") != std::string::npos, reason.c_str());
        QVERIFY2(reason.find("portable") != std::string::npos, reason.c_str());
        QCOMPARE(j["auto_round_trip"].get<std::string>(), std::string());

        const std::string forced = j["forced_round_trip"];
        QVERIFY2(forced.find("io_uring_setup failed") != std::string::npos, forced.c_str());
        QVERIFY2(forced.find(folder) != std::string::npos, forced.c_str());
        QVERIFY2(forced.find("--engine portable") != std::string::npos, forced.c_str());

        QVERIFY2(j["sweep_ok"].get<bool>(), j["sweep_error"].get<std::string>().c_str());
        const std::string sweepEngine = j["sweep_engine"];
        QVERIFY2(sweepEngine.find("portable") != std::string::npos, sweepEngine.c_str());
        QCOMPARE(j["sweep_status"].get<std::string>(), std::string("finished"));
        QCOMPARE(j["sweep_points"].get<int>(), 2);
        QCOMPARE(j["sweep_fallback_reason"].get<std::string>(), reason);
        QCOMPARE(j["sweep_messages"].size(), std::size_t(1));
        QCOMPARE(j["sweep_messages"][0].get<std::string>(), reason);
        QCOMPARE(entriesOf(dir.path()), QStringList());
    }

    // kernel.io_uring_disabled=2 turns io_uring off for the whole machine, so
    // this runs only when asked (AIOTUNE_TEST_SYSCTL=1) and restores the old
    // value on every path.
    void sysctlDisablesIoUring() {
        if (qEnvironmentVariableIntValue("AIOTUNE_TEST_SYSCTL") != 1)
            QSKIP("changes a machine-wide sysctl; set AIOTUNE_TEST_SYSCTL=1 to run");
        if (!runningAsRoot()) QSKIP("needs root to write /proc/sys/kernel/io_uring_disabled");
        QFile knob("/proc/sys/kernel/io_uring_disabled");
        if (!knob.exists()) QSKIP("this kernel has no kernel.io_uring_disabled");
        QVERIFY(knob.open(QIODevice::ReadOnly));
        const QByteArray old = knob.readAll().trimmed();
        knob.close();
        struct Restore {
            QByteArray value;
            ~Restore() {
                QFile f("/proc/sys/kernel/io_uring_disabled");
                if (f.open(QIODevice::WriteOnly)) f.write(value + "\n");
            }
        } restore{old};
        {
            QFile f("/proc/sys/kernel/io_uring_disabled");
            QVERIFY(f.open(QIODevice::WriteOnly));
            QVERIFY(f.write("2\n") == 2);
        }
        const auto probe = probeIoUring();
        std::string reason;
        auto engine = createEngine(EngineKind::Auto, &reason);
        QVERIFY(!probe.ok());
        QVERIFY2(probe.error().find("kernel.io_uring_disabled") != std::string::npos,
                 probe.error().c_str());
        QVERIFY2(engine->name().find("portable") != std::string::npos, engine->name().c_str());
        QVERIFY2(reason.find("io_uring") != std::string::npos, reason.c_str());
    }

    // An engine asked for by name is that engine or an error, never another.
    void missingLibaioIsRefusedNotReplaced() {
        const std::vector<std::string> missing{"libaio-missing.so.9"};
        const auto probe = probeLibaio(missing);
        QVERIFY(!probe.ok());
        VERIFY_CONTAINS(probe.error(), "libaio-missing.so.9");
        VERIFY_CONTAINS(probe.error(), "apt-get install libaio1");
        QTemporaryDir dir;
        QVERIFY(dir.isValid());
        LibaioEngine engine(missing);
        AioConfig aio;
        const std::string problem = roundTrip(engine, dir.path().toStdString(), aio, nullptr);
        VERIFY_CONTAINS(problem, "apt-get install libaio1");
        QCOMPARE(entriesOf(dir.path()), QStringList());

        std::string reason;
        auto byName = createEngine(EngineKind::Libaio, &reason);
        QVERIFY(byName);
        QCOMPARE(byName->name(), std::string("libaio"));
        QCOMPARE(reason, std::string());
    }

    void engineNames_data() {
        QTest::addColumn<QString>("name");
        QTest::addColumn<int>("kind"); // -1: refused
        QTest::addRow("auto") << "auto" << int(EngineKind::Auto);
        QTest::addRow("io_uring") << "io_uring" << int(EngineKind::IoUring);
        QTest::addRow("portable") << "portable" << int(EngineKind::Portable);
        QTest::addRow("libaio") << "libaio" << int(EngineKind::Libaio);
        QTest::addRow("aio") << "aio" << -1;
        QTest::addRow("empty") << "" << -1;
        QTest::addRow("case") << "LIBAIO" << -1;
    }
    void engineNames() {
        QFETCH(QString, name);
        QFETCH(int, kind);
        const auto parsed = engineKindFromName(name.toStdString());
        QCOMPARE(parsed.has_value(), kind >= 0);
        if (parsed) {
            QCOMPARE(int(*parsed), kind);
            QCOMPARE(std::string(engineKindName(*parsed)), name.toStdString());
        }
    }

    // The filter really is per process: the parent still has io_uring.
    void parentKeepsIoUring() {
        if (!probeIoUring()) QSKIP("io_uring is unavailable on this machine anyway");
        std::string reason;
        auto engine = createEngine(EngineKind::Auto, &reason);
        QCOMPARE(engine->name(), std::string("io_uring"));
        QCOMPARE(reason, std::string());
    }
};

QTEST_GUILESS_MAIN(TestEngineFallback)
#include "test_engine_fallback.moc"
