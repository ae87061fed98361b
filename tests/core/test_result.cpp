// Result<T>: a value or an error message; taking the value out moves it (a
// log folder's results run to thousands of configurations: a hidden copy
// stalled the window for tens of milliseconds).
#include "util/result.h"

#include <QtTest>

#include <string>
#include <vector>

using aiotune::Error;
using aiotune::Result;

namespace {
// Counts copies, so a test can tell a move from a copy.
struct Counted {
    static inline int copies = 0;
    std::vector<int> data;
    explicit Counted(std::vector<int> d) : data(std::move(d)) {}
    Counted(const Counted& o) : data(o.data) { ++copies; }
    Counted(Counted&&) noexcept = default;
    Counted& operator=(const Counted& o) {
        data = o.data;
        ++copies;
        return *this;
    }
    Counted& operator=(Counted&&) noexcept = default;
};
} // namespace

class TestResult : public QObject {
    Q_OBJECT
  private slots:
    void valueAndError() {
        const Result<int> ok = 7;
        QVERIFY(ok);
        QCOMPARE(*ok, 7);
        const Result<int> bad = Error{"no such folder: /x"};
        QVERIFY(!bad);
        QCOMPARE(bad.error(), std::string("no such folder: /x"));
    }

    void movingOutDoesNotCopy() {
        Result<Counted> r = Counted({1, 2, 3});
        Counted::copies = 0;
        const Counted a = std::move(*r); // the dereference form
        QCOMPARE(Counted::copies, 0);
        QCOMPARE(a.data, std::vector<int>({1, 2, 3}));

        Result<Counted> s = Counted({4});
        const Counted b = std::move(s).value();
        QCOMPARE(Counted::copies, 0);
        QCOMPARE(b.data, std::vector<int>({4}));

        // Reading through a const Result copies only when asked to.
        const Result<Counted> c = Counted({5});
        Counted::copies = 0;
        QCOMPARE((*c).data.size(), std::size_t(1));
        QCOMPARE(Counted::copies, 0);
        const Counted d = *c;
        QCOMPARE(Counted::copies, 1);
        QCOMPARE(d.data, std::vector<int>({5}));
    }
};

QTEST_APPLESS_MAIN(TestResult)
#include "test_result.moc"
