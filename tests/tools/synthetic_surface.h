#pragma once
// Response surfaces with a known truth over DeepSpeed's 64-point grid, and a
// seeded multiplicative noise, for testing searches without a drive.
#include "config/aio_config.h"
#include "results/result_model.h"
#include "sweep/search_strategy.h"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

namespace aiotune::testing {

// ds_nvme_tune's current grid: block 1M, 8M x depth 32, 128 x single submit
// on/off x overlap on/off x parallelism 1, 2, 4, 8.
inline std::vector<AioConfig> deepSpeedGrid() {
    std::vector<AioConfig> grid;
    for (std::uint64_t bs : {1ull << 20, 8ull << 20})
        for (int qd : {32, 128})
            for (bool single : {false, true})
                for (bool overlap : {false, true})
                    for (int p : {1, 2, 4, 8}) {
                        AioConfig c;
                        c.block_size = bs;
                        c.queue_depth = qd;
                        c.single_submit = single;
                        c.overlap_events = overlap;
                        c.intra_op_parallelism = p;
                        grid.push_back(c);
                    }
    return grid;
}

struct Truth {
    double read = 0;
    double write = 0;
    double combined() const { return read + write; }
};
using Surface = std::function<Truth(const AioConfig&)>;

// A deterministic jitter in [-1, 1] per configuration, so ties are not exact.
inline double jitter(const AioConfig& c, std::uint64_t salt) {
    std::uint64_t h =
        salt * 0x9E3779B97F4A7C15ull ^ c.block_size ^ (std::uint64_t(c.queue_depth) << 8) ^
        (std::uint64_t(c.intra_op_parallelism) << 20) ^ (std::uint64_t(c.single_submit) << 30) ^
        (std::uint64_t(c.overlap_events) << 31);
    h ^= h >> 33;
    h *= 0xff51afd7ed558ccdull;
    h ^= h >> 33;
    return double(h % 20001) / 10000.0 - 1.0;
}

// Smooth minimum: the drive's limit caps what the threads could move.
inline double softMin(double a, double b, double k) {
    return std::pow(std::pow(a, -k) + std::pow(b, -k), -1.0 / k);
}

// What the threads could move: each thread's rate (bigger blocks, deeper
// queues, batched submits and a full window help) times a parallelism that
// pays a contention cost.
inline double threadsRate(const AioConfig& c, double perThread) {
    double t = perThread;
    t *= c.block_size == (8u << 20) ? 1.15 : 1.0;
    t *= c.queue_depth == 128 ? 1.05 : 1.0;
    t *= c.single_submit ? 0.85 : 1.0;
    t *= c.overlap_events ? 1.0 : 0.8;
    const int p = c.intra_op_parallelism;
    return t * p * (1.0 - 0.04 * (p - 1));
}

// Flat top: the drive saturates, a third or more of the grid is within a few
// percent of its limit.
inline Truth flatTop(const AioConfig& c) {
    return {softMin(threadsRate(c, 2.0), 6.5, 4.0) * (1 + 0.004 * jitter(c, 1)),
            softMin(threadsRate(c, 1.2), 3.2, 4.0) * (1 + 0.004 * jitter(c, 2))};
}

// One clear winner: every parameter matters, no saturation; the best (8M, qd
// 128, 8 threads, block, overlap) leads the runner-up by about 9%.
inline Truth clearWinner(const AioConfig& c) {
    double f = 1.0;
    f *= c.block_size == (8u << 20) ? 1.15 : 1.0;
    f *= c.queue_depth == 128 ? 1.10 : 1.0;
    f *= c.overlap_events ? 1.12 : 1.0;
    f *= c.single_submit ? (c.intra_op_parallelism >= 4 ? 0.85 : 0.92) : 1.0;
    const int p = c.intra_op_parallelism;
    f *= p == 1 ? 1.0 : p == 2 ? 1.5 : p == 4 ? 1.9 : 2.2;
    return {1.1 * f, 0.7 * f};
}

// Many near-ties: a hard plateau, as ds_nvme_tune users report (their top ten
// within 0.2% of each other).
inline Truth nearTies(const AioConfig& c) {
    return {softMin(threadsRate(c, 2.6), 6.0, 40.0) * (1 + 0.001 * jitter(c, 3)),
            softMin(threadsRate(c, 1.6), 3.0, 40.0) * (1 + 0.001 * jitter(c, 4))};
}

// One configuration far ahead of all its neighbours (a high-order
// interaction no smooth surface has): the screen's blind spot.
inline Truth spike(const AioConfig& c) {
    Truth t = flatTop(c);
    if (c.block_size == (1u << 20) && c.queue_depth == 128 && c.single_submit &&
        !c.overlap_events && c.intra_op_parallelism == 2) {
        t.read = 7.5;
        t.write = 3.8;
    }
    return t;
}

// --- Drive classes: the search-quality table's five (tests/core/test_search_quality.cpp,
// tests/bench/search_quality.sh). Figures are GiB/s for read and write.

// A Gen4 TLC drive: saturates early, about a third of the grid within 3% of
// its best.
inline Truth gen4Tlc(const AioConfig& c) {
    return {softMin(threadsRate(c, 2.8), 6.6, 5.0) * (1 + 0.003 * jitter(c, 11)),
            softMin(threadsRate(c, 1.95), 4.8, 5.0) * (1 + 0.003 * jitter(c, 12))};
}

// A RAID-0 of many fast drives: keeps gaining with the bytes outstanding
// (block x depth x threads), so the best sits at the grid's corner (8M, depth
// 128, 8 threads, overlapped, batched) with one or two points within 3%.
inline Truth raid0Corner(const AioConfig& c) {
    const double outstanding = double(c.block_size >> 20) * c.queue_depth * c.intra_op_parallelism *
                               (c.overlap_events ? 1.0 : 0.5);
    double f = std::pow(outstanding, 0.11);
    f *= c.single_submit ? 0.975 : 1.0;
    return {2.2 * f * (1 + 0.002 * jitter(c, 21)), 1.6 * f * (1 + 0.002 * jitter(c, 22))};
}

// A consumer Gen4 drive whose SLC cache runs out now and then (the noise adds
// one write in eight at half speed): a moderately peaked top.
inline Truth slcCache(const AioConfig& c) {
    return {softMin(threadsRate(c, 1.8), 5.2, 10.0) * (1 + 0.004 * jitter(c, 31)),
            softMin(threadsRate(c, 1.3), 4.6, 10.0) * (1 + 0.004 * jitter(c, 32))};
}

// A shared cloud volume with provisioned throughput: capped low, reached by
// most configurations with two or more threads; the noise is what is heavy.
inline Truth cloudVolume(const AioConfig& c) {
    return {softMin(threadsRate(c, 0.45), 1.0, 6.0) * (1 + 0.004 * jitter(c, 41)),
            softMin(threadsRate(c, 0.40), 0.9, 6.0) * (1 + 0.004 * jitter(c, 42))};
}

// A drive that heats up over the sweep (the noise adds the drift): a top of a
// few configurations, the parallel ones that a grid visits last.
inline Truth heatingDrive(const AioConfig& c) {
    return {softMin(threadsRate(c, 1.5), 7.0, 6.0) * (1 + 0.004 * jitter(c, 51)),
            softMin(threadsRate(c, 1.0), 5.0, 6.0) * (1 + 0.004 * jitter(c, 52))};
}

// A drive class: a truth and how its measurements stray from it.
struct DriveClass {
    std::string name;
    Surface surface;
    double cv = 0.03;             // per transfer, log-normal around the truth
    double slowWriteShare = 0.0;  // writes that hit a spent SLC cache
    double slowWriteFactor = 1.0; // ... and their speed, as a share of the truth
    double driftDepth = 0.0;      // share of speed lost once hot
    std::size_t driftTransfers = 1; // transfers until hot (linear, then flat)
};

inline std::vector<DriveClass> driveClasses() {
    return {
        {"flat top (Gen4 TLC)", gen4Tlc, 0.05},
        {"corner optimum (RAID-0)", raid0Corner, 0.04},
        {"bimodal writes (SLC cache)", slcCache, 0.04, 1.0 / 8.0, 0.5},
        {"heavy noise (cloud volume)", cloudVolume, 0.25},
        {"slow drift (heating up)", heatingDrive, 0.04, 0.0, 1.0, 0.20, 256},
    };
}

inline double bestCombined(const Surface& s, const std::vector<AioConfig>& grid) {
    double best = 0;
    for (const AioConfig& c : grid)
        best = std::max(best, s(c).combined());
    return best;
}

// Seeded multiplicative noise: each transfer's figure is the truth times a
// log-normal factor of mean 1 and coefficient of variation `cv`.
class NoisyDrive {
  public:
    NoisyDrive(Surface surface, double cv, std::uint64_t seed)
        : m_surface(std::move(surface)), m_sigma(std::sqrt(std::log1p(cv * cv))),
          m_state(seed * 7919 + 1) {}
    NoisyDrive(const DriveClass& drive, std::uint64_t seed) : NoisyDrive(drive.surface, drive.cv, seed) {
        m_class = drive;
    }

    std::vector<Sample> measure(const Visit& v) {
        const Truth t = m_surface(v.config);
        Sample w;
        w.op = IoOp::Write;
        w.loop = v.loop;
        w.bytes = 400ull << 20;
        w.gibPerSec = t.write * factor() * drift();
        if (m_class.slowWriteShare > 0 && uniform() < m_class.slowWriteShare) w.gibPerSec *= m_class.slowWriteFactor;
        w.seconds = 400.0 / 1024.0 / w.gibPerSec;
        Sample r = w;
        r.op = IoOp::Read;
        r.gibPerSec = t.read * factor() * drift();
        r.seconds = 400.0 / 1024.0 / r.gibPerSec;
        return {w, r};
    }

  private:
    double uniform() {
        std::uint64_t z = (m_state += 0x9E3779B97F4A7C15ull);
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
        z ^= z >> 31;
        return (double(z >> 11) + 0.5) / 9007199254740992.0;
    }
    double factor() { // Box-Muller
        const double n =
            std::sqrt(-2.0 * std::log(uniform())) * std::cos(6.283185307179586 * uniform());
        return std::exp(m_sigma * n - m_sigma * m_sigma / 2.0);
    }
    double drift() { // counts the transfers this drive has moved
        const double hot = std::min(1.0, double(m_transfers++) / double(m_class.driftTransfers));
        return 1.0 - m_class.driftDepth * hot;
    }
    DriveClass m_class;
    std::size_t m_transfers = 0;
    Surface m_surface;
    double m_sigma;
    std::uint64_t m_state;
};

} // namespace aiotune::testing
