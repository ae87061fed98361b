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

    std::vector<Sample> measure(const Visit& v) {
        const Truth t = m_surface(v.config);
        Sample w;
        w.op = IoOp::Write;
        w.loop = v.loop;
        w.bytes = 400ull << 20;
        w.gibPerSec = t.write * factor();
        w.seconds = 400.0 / 1024.0 / w.gibPerSec;
        Sample r = w;
        r.op = IoOp::Read;
        r.gibPerSec = t.read * factor();
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
    Surface m_surface;
    double m_sigma;
    std::uint64_t m_state;
};

} // namespace aiotune::testing
