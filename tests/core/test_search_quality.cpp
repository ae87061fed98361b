// The search-quality table on the five drive classes (tests/tools/
// synthetic_surface.h), seeded and deterministic: how often a procedure's pick
// is within 3% of the best, its worst pick, its cost, against the goal of the
// default budget (tests/bench/search_quality.sh prints the same table).
#include "../tools/search_quality.h"

#include <QtTest>

#include <algorithm>
#include <cmath>
#include <numeric>
#include <vector>

using namespace aiotune;
using namespace aiotune::testing;

namespace {

constexpr int kSeeds = 300;

DriveClass classNamed(const QString& prefix) {
    for (const DriveClass& d : driveClasses())
        if (QString::fromStdString(d.name).startsWith(prefix)) return d;
    qFatal("no drive class %s", qPrintable(prefix));
}

} // namespace

class TestSearchQuality : public QObject {
    Q_OBJECT
  private slots:
    // The classes have the shapes they are named for.
    void classShapes() {
        QCOMPARE(int(driveClasses().size()), 5);
        const int flat = withinOfBest(classNamed("flat top").surface);
        QVERIFY2(flat >= 18 && flat <= 26, qPrintable(QString::number(flat))); // about a third
        const int corner = withinOfBest(classNamed("corner").surface);
        QVERIFY2(corner >= 2 && corner <= 3,
                 qPrintable(QString::number(corner))); // one or two besides the best
        // The corner's best is the grid's corner.
        const auto grid = deepSpeedGrid();
        const Surface s = classNamed("corner").surface;
        const AioConfig* best = &grid.front();
        for (const AioConfig& c : grid)
            if (s(c).combined() > s(*best).combined()) best = &c;
        QCOMPARE(best->block_size, std::uint64_t(8) << 20);
        QCOMPARE(best->queue_depth, 128);
        QCOMPARE(best->intra_op_parallelism, 8);
        QVERIFY(best->overlap_events && !best->single_submit);
    }

    // The noise does what each class says: one write in eight at half speed,
    // 25% per transfer, a drift that slows every later transfer.
    void classNoise() {
        AioConfig c = deepSpeedGrid().front();
        auto writes = [&](const DriveClass& d, int n) {
            NoisyDrive drive(d, 7);
            std::vector<double> out;
            for (int i = 0; i < n; ++i)
                out.push_back(drive.measure(Visit{c, i, 0})[0].gibPerSec / d.surface(c).write);
            return out;
        };
        const auto slc = writes(classNamed("bimodal"), 800);
        const int halves =
            int(std::count_if(slc.begin(), slc.end(), [](double f) { return f < 0.7; }));
        QVERIFY2(halves >= 70 && halves <= 130,
                 qPrintable(QString::number(halves))); // 100 expected
        const auto cloud = writes(classNamed("heavy noise"), 800);
        double sum = 0, sum2 = 0;
        for (double f : cloud)
            sum += f, sum2 += f * f;
        const double mean = sum / cloud.size(),
                     cv = std::sqrt(sum2 / cloud.size() - mean * mean) / mean;
        QVERIFY2(cv > 0.2 && cv < 0.3, qPrintable(QString::number(cv)));
        const auto hot = writes(classNamed("slow drift"), 400);
        const double early = std::accumulate(hot.begin(), hot.begin() + 20, 0.0) / 20;
        const double late = std::accumulate(hot.end() - 20, hot.end(), 0.0) / 20;
        QVERIFY2(late < early * 0.85, qPrintable(QString("%1 -> %2").arg(early).arg(late)));
        // Seeded: the same seed measures the same figures.
        QCOMPARE(writes(classNamed("heavy noise"), 50),
                 std::vector<double>(cloud.begin(), cloud.begin() + 50));
    }

    // The goal of the search's default budget (96 transfers on DeepSpeed's
    // grid, a quarter of a three-loop grid), per class over kSeeds seeds:
    // within 3% of the best in at least 95% of them and, on four classes,
    // never worse than 5%. Heavy noise (25% per transfer) keeps a rare worse
    // pick (heavyNoiseTail counts it over 12,000 seeds; up to 2 here). The
    // same at 90 (a runner that keeps a few transfers back for its own
    // checks), and the 95% at the stretch, 56 transfers (15% of a three-loop
    // grid, the quarter screen). Cost never above the budget; never worse
    // than DeepSpeed's one loop.
    // Heavy noise's tail, counted where it can be seen: 12,000 seeds at the
    // default budget and at 84 (what the search keeps after the libaio
    // check's 12). Today 4 and 11 picks worse than 5% (0.03% and 0.09%); a
    // three-loop grid has 1.9% (462 of 24,000, tests/bench/search_quality_classes).
    void heavyNoiseTail() {
        const DriveClass d = classNamed("heavy noise");
        const int seeds = 12000;
        const Quality at96 = quality([&](std::uint64_t s) { return searchPick(d, 0, s); }, seeds);
        const Quality at84 = quality([&](std::uint64_t s) { return searchPick(d, 84, s); }, seeds);
        qInfo("heavy noise over %d seeds: default %d within 3%%, %d beyond 5%%; 84: %d, %d", seeds, at96.within,
              at96.beyond5, at84.within, at84.beyond5);
        QVERIFY2(at96.beyond5 <= 6, qPrintable(QString::number(at96.beyond5)));   // 0.05%
        QVERIFY2(at84.beyond5 <= 14, qPrintable(QString::number(at84.beyond5)));   // 0.12%
        QVERIFY(at96.within >= seeds * 985 / 1000 && at84.within >= seeds * 985 / 1000);
        QVERIFY(at96.worst < 0.15 && at84.worst < 0.15);
    }

    void table_data() {
        QTest::addColumn<QString>("drive");
        QTest::addColumn<int>("gridFloor"); // one-loop grid: seeds within 3%, at least
        QTest::addColumn<int>("beyond5");   // search: picks worse than 5%, at most (96 and 90)
        // One-loop floors: today's 296, 295, 297, 251, 136 of 300, less a few seeds.
        QTest::newRow("flat top") << "flat top" << 290 << 0;
        QTest::newRow("corner optimum") << "corner" << 290 << 0;
        QTest::newRow("bimodal writes") << "bimodal" << 290 << 0;
        QTest::newRow("heavy noise") << "heavy noise" << 245 << 2;
        QTest::newRow("slow drift") << "slow drift" << 130 << 0;
    }
    void table() {
        QFETCH(QString, drive);
        QFETCH(int, gridFloor);
        QFETCH(int, beyond5);
        const DriveClass d = classNamed(drive);
        const int floor95 = (95 * kSeeds + 99) / 100;
        const Quality grid = quality([&](std::uint64_t s) { return gridPick(d, 1, s); }, kSeeds);
        const Quality search =
            quality([&](std::uint64_t s) { return searchPick(d, 0, s); }, kSeeds);
        const Quality at90 = quality([&](std::uint64_t s) { return searchPick(d, 90, s); }, kSeeds);
        const Quality at56 = quality([&](std::uint64_t s) { return searchPick(d, 56, s); }, kSeeds);
        qInfo("| %s | one loop %d/%d (worst %.2f%%) | default: %d (worst %.2f%%, %d beyond 5%%, "
              "cost %.2f) "
              "| 90: %d (worst %.2f%%, %d beyond 5%%) | 56: %d (worst %.2f%%) |",
              qPrintable(drive), grid.within, kSeeds, 100 * grid.worst, search.within,
              100 * search.worst, search.beyond5, search.meanCost, at90.within, 100 * at90.worst,
              at90.beyond5, at56.within, 100 * at56.worst);
        QVERIFY2(grid.within >= gridFloor,
                 qPrintable(QString("one-loop grid: %1 seeds").arg(grid.within)));
        for (const auto& [what, q] :
             {std::pair{"default budget", search}, std::pair{"budget 90", at90}}) {
            QVERIFY2(q.within >= floor95,
                     qPrintable(QString("%1: %2 seeds within 3%").arg(what).arg(q.within)));
            QVERIFY2(q.beyond5 <= beyond5,
                     qPrintable(QString("%1: %2 picks worse than 5% (worst %3)")
                                    .arg(what)
                                    .arg(q.beyond5)
                                    .arg(q.worst)));
            QVERIFY2(q.within >= grid.within,
                     "the search picks worse than DeepSpeed's one-loop grid");
        }
        QVERIFY2(search.mostCost <= 0.25 + 1e-9,
                 qPrintable(QString("cost %1").arg(search.mostCost)));
        QVERIFY2(at90.mostCost <= 90.0 / kThreeLoopTransfers + 1e-9,
                 qPrintable(QString("cost %1").arg(at90.mostCost)));
        QVERIFY2(at56.within >= floor95,
                 qPrintable(QString("budget 56: %1 seeds within 3%").arg(at56.within)));
        QVERIFY(at56.mostCost <= 56.0 / kThreeLoopTransfers + 1e-9);
        // Deterministic: a seed picks the same again.
        QCOMPARE(searchPick(d, 0, 35).regret, searchPick(d, 0, 35).regret);
        QCOMPARE(searchPick(d, 56, 5).regret, searchPick(d, 56, 5).regret);
    }
};

QTEST_GUILESS_MAIN(TestSearchQuality)
#include "test_search_quality.moc"
