// AlignedBuffer honours the measurement profile (pages, locking) and reports
// what the kernel really gave it. The smaps reader is checked on fixture text;
// the profile's effects on this process's own mappings (VmFlags in smaps).
#include "../tools/fault_env.h"

#include "engine/aligned_buffer.h"
#include "engine/huge_page_share.h"

#include <QFile>
#include <QtTest>

#include <nlohmann/json.hpp>

#include <fstream>
#include <linux/capability.h>
#include <sstream>
#include <sys/resource.h>
#include <sys/syscall.h>

using namespace aiotune;
using namespace aiotune::testing;

namespace {

std::string fixture(const char* name) {
    std::ifstream in(std::string(AIOTUNE_TEST_FIXTURES) + "/smaps/" + name);
    std::ostringstream s;
    s << in.rdbuf();
    return s.str();
}

// The VmFlags line of the mapping holding p in this process ("rd wr ... hg"), or "".
std::string vmFlagsOf(const void* p) {
    std::ifstream in("/proc/self/smaps");
    const auto at = reinterpret_cast<std::uintptr_t>(p);
    std::string line;
    bool inside = false;
    while (std::getline(in, line)) {
        unsigned long lo = 0, hi = 0;
        if (std::sscanf(line.c_str(), "%lx-%lx ", &lo, &hi) == 2 && line.find(':') > line.find(' ')) {
            inside = lo <= at && at < hi;
            continue;
        }
        if (inside && line.rfind("VmFlags:", 0) == 0) return line.substr(8) + " ";
    }
    return {};
}

bool hasFlag(const std::string& flags, const char* flag) {
    return flags.find(std::string(" ") + flag + " ") != std::string::npos;
}

std::string thpMode() {
    std::ifstream in("/sys/kernel/mm/transparent_hugepage/enabled");
    std::string text;
    std::getline(in, text);
    const auto a = text.find('['), b = text.find(']');
    return a == std::string::npos || b == std::string::npos ? "" : text.substr(a + 1, b - a - 1);
}

// Gives up CAP_IPC_LOCK (root ignores RLIMIT_MEMLOCK with it). Empty or what failed.
std::string dropIpcLock() {
    __user_cap_header_struct hdr{_LINUX_CAPABILITY_VERSION_3, 0};
    __user_cap_data_struct data[2]{};
    if (::syscall(SYS_capget, &hdr, data) != 0) return std::string("capget: ") + std::strerror(errno);
    const unsigned bit = 1u << (CAP_IPC_LOCK % 32);
    data[CAP_IPC_LOCK / 32].effective &= ~bit;
    data[CAP_IPC_LOCK / 32].permitted &= ~bit;
    data[CAP_IPC_LOCK / 32].inheritable &= ~bit;
    if (::syscall(SYS_capset, &hdr, data) != 0) return std::string("capset: ") + std::strerror(errno);
    return {};
}

} // namespace

class TestAlignedBuffer : public QObject {
    Q_OBJECT
private slots:
    void smapsShare_data() {
        QTest::addColumn<QString>("file");
        QTest::addColumn<quint64>("begin");
        QTest::addColumn<quint64>("end");
        QTest::addColumn<double>("expected"); // < 0: nullopt
        // 300 of 400 MiB on huge pages.
        QTest::addRow("whole mapping") << "two_mappings.txt" << quint64(0x7f3a40000000) << quint64(0x7f3a59000000) << 0.75;
        // A buffer inside a merged mapping counts the mapping's share in proportion.
        QTest::addRow("first half of a mapping") << "two_mappings.txt" << quint64(0x7f3a40000000)
                                                 << quint64(0x7f3a4c800000) << 0.75;
        // Spanning two mappings: 307200 kB + 2048 kB over 411648 kB.
        QTest::addRow("two mappings") << "two_mappings.txt" << quint64(0x7f3a40000000) << quint64(0x7f3a59200000)
                                      << (307200.0 + 2048.0) / 411648.0;
        QTest::addRow("normal pages only") << "two_mappings.txt" << quint64(0x55d0c0a00000) << quint64(0x55d0c0a21000) << 0.0;
        QTest::addRow("no mapping there") << "two_mappings.txt" << quint64(0x1000) << quint64(0x2000) << -1.0;
        QTest::addRow("empty range") << "two_mappings.txt" << quint64(0x7f3a40000000) << quint64(0x7f3a40000000) << -1.0;
    }
    void smapsShare() {
        QFETCH(QString, file);
        QFETCH(quint64, begin);
        QFETCH(quint64, end);
        QFETCH(double, expected);
        const std::string text = fixture(qPrintable(file));
        QVERIFY(!text.empty());
        const auto share = hugePageShareFromSmaps(text, begin, end);
        if (expected < 0) {
            QVERIFY(!share.has_value());
            return;
        }
        QVERIFY(share.has_value());
        QVERIFY2(std::abs(*share - expected) < 1e-9, qPrintable(QString::number(*share)));
    }

    void smapsGarbageIsNotAShare() {
        QVERIFY(!hugePageShareFromSmaps("", 0x1000, 0x2000));
        QVERIFY(!hugePageShareFromSmaps("not smaps at all\nAnonHugePages: 4 kB\n", 0x1000, 0x2000));
        QVERIFY(!readHugePageShare(reinterpret_cast<void*>(0x1000), 4096, "/nonexistent/smaps"));
    }

    // What each page policy does to the mapping: no advice, huge, or no huge.
    void pagePolicyReachesTheMapping_data() {
        QTest::addColumn<int>("pages");
        QTest::addColumn<bool>("lock");
        QTest::addColumn<QString>("mustHave");
        QTest::addColumn<QStringList>("mustNotHave");
        QTest::addRow("kernel, locked (faithful)") << int(PagePolicy::Kernel) << true << "lo" << QStringList{"hg", "nh"};
        QTest::addRow("kernel, unlocked") << int(PagePolicy::Kernel) << false << "" << QStringList{"hg", "nh", "lo"};
        QTest::addRow("huge") << int(PagePolicy::Huge) << false << "hg" << QStringList{"nh", "lo"};
        QTest::addRow("normal, locked") << int(PagePolicy::Normal) << true << "nh" << QStringList{"hg"};
    }
    void pagePolicyReachesTheMapping() {
        QFETCH(int, pages);
        QFETCH(bool, lock);
        QFETCH(QString, mustHave);
        QFETCH(QStringList, mustNotHave);
        if (lock && !runningAsRoot()) {
            rlimit lim{};
            ::getrlimit(RLIMIT_MEMLOCK, &lim);
            if (lim.rlim_cur != RLIM_INFINITY && lim.rlim_cur < (8u << 20))
                QSKIP("RLIMIT_MEMLOCK below 8 MiB here: mlock would be refused (checked in mlockRefusalIsANote)");
        }
        MeasurementProfile profile;
        profile.pages = PagePolicy(pages);
        profile.lockMemory = lock;
        const std::size_t size = 6u << 20; // big enough for glibc to mmap it on its own
        AlignedBuffer buf(size, profile);
        QVERIFY(buf.valid());
        QCOMPARE(buf.size(), size);
        QCOMPARE(reinterpret_cast<std::uintptr_t>(buf.data()) % AlignedBuffer::kAlignment, 0u);
        QCOMPARE(buf.locked(), lock);
        QCOMPARE(buf.notes(), std::string());
        QVERIFY(buf.profile() == profile);
        buf.fillRepeatingPattern(5);
        QVERIFY(!buf.firstPatternMismatch(5, 1u << 20));
        const std::string flags = vmFlagsOf(buf.data());
        QVERIFY2(!flags.empty(), "the buffer's mapping is not in /proc/self/smaps");
        if (!mustHave.isEmpty()) QVERIFY2(hasFlag(flags, qPrintable(mustHave)), flags.c_str());
        for (const auto& f : mustNotHave) QVERIFY2(!hasFlag(flags, qPrintable(f)), flags.c_str());
        const auto share = buf.hugePageShare();
        QVERIFY(share.has_value());
        QVERIFY(*share >= 0.0 && *share <= 1.0);
        // Without advice the kernel's mode decides: "madvise" and "never" give normal pages.
        if (PagePolicy(pages) == PagePolicy::Normal || (PagePolicy(pages) == PagePolicy::Kernel && thpMode() != "always"))
            QCOMPARE(*share, 0.0);
    }

    // madvise(MADV_HUGEPAGE) is honoured where THP is not "never": the share says so.
    void hugeAdviceGivesHugePages() {
        const std::string mode = thpMode();
        if (mode.empty() || mode == "never") QSKIP("transparent huge pages are off on this machine");
        AlignedBuffer buf(64u << 20, MeasurementProfile::hugePageWhatIf());
        QVERIFY(buf.valid());
        buf.fillRepeatingPattern(1);
        const auto share = buf.hugePageShare();
        QVERIFY(share.has_value());
        // Fragmented memory may deny some; none at all means the advice was lost.
        QVERIFY2(*share > 0.0, qPrintable(QString::number(*share)));
    }

    // Best effort, as DeepSpeed's own mlock: refused -> unlocked, usable, said in notes.
    void mlockRefusalIsANote() {
        const ChildOutcome child = runInChild([](int out) {
            nlohmann::json j;
            j["drop"] = dropIpcLock();
            rlimit lim{64 * 1024, 64 * 1024};
            j["setrlimit"] = ::setrlimit(RLIMIT_MEMLOCK, &lim) == 0;
            AlignedBuffer buf(4u << 20, MeasurementProfile::faithful());
            j["valid"] = buf.valid();
            j["locked"] = buf.locked();
            j["notes"] = buf.notes();
            buf.fillPattern(3);
            j["content"] = !buf.firstPatternMismatch(3, buf.size());
            writeAll(out, j.dump());
            return 0;
        });
        QCOMPARE(child.signal, 0);
        QCOMPARE(child.exitCode, 0);
        const auto j = nlohmann::json::parse(child.output, nullptr, false);
        QVERIFY2(!j.is_discarded(), child.output.c_str());
        QCOMPARE(j["drop"].get<std::string>(), std::string());
        QVERIFY(j["setrlimit"].get<bool>());
        QVERIFY(j["valid"].get<bool>());
        QVERIFY(!j["locked"].get<bool>());
        QVERIFY(j["content"].get<bool>());
        const std::string notes = j["notes"];
        VERIFY_CONTAINS(notes, "not locked");
        VERIFY_CONTAINS(notes, "RLIMIT_MEMLOCK is 64 KiB");
        VERIFY_CONTAINS(notes, "ulimit -l");
    }

    void movedBufferKeepsWhatItGot() {
        AlignedBuffer a(1u << 20, MeasurementProfile::hugePageWhatIf());
        std::byte* p = a.data();
        AlignedBuffer b(std::move(a));
        QVERIFY(!a.valid());
        QCOMPARE(b.data(), p);
        QVERIFY(b.profile() == MeasurementProfile::hugePageWhatIf());
        AlignedBuffer c;
        c = std::move(b);
        QCOMPARE(c.data(), p);
        QCOMPARE(c.locked(), c.notes().empty()); // locked unless refused, and then it says so
    }
};

QTEST_GUILESS_MAIN(TestAlignedBuffer)
#include "test_aligned_buffer.moc"
