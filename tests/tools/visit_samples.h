#pragma once
// Hand-made samples for tests of the answer rule: visits of one
// configuration whose read + write is a known figure, spread by a known noise.
#include "results/result_model.h"

#include <cstdint>
#include <utility>

namespace aiotune::testing {

inline AioConfig aio(std::uint64_t bs, int qd, int threads) {
    AioConfig c;
    c.block_size = bs;
    c.queue_depth = qd;
    c.intra_op_parallelism = threads;
    return c;
}

// visits x (read, write) samples whose sum is `combined`, spread by `noise`
// (alternating signs); `add` takes each sample (ResultSet::add or its confirmation's).
template <typename Add> void addVisitSamples(Add&& add, double combined, int visits, double noise) {
    for (int v = 0; v < visits; ++v) {
        const double f = combined * (1.0 + (v % 2 == 0 ? noise : -noise));
        Sample r, w;
        r.op = IoOp::Read;
        w.op = IoOp::Write;
        r.loop = w.loop = v;
        r.gibPerSec = 0.6 * f;
        w.gibPerSec = 0.4 * f;
        add(r);
        add(w);
    }
}

inline void addVisits(ResultSet& rs, const AioConfig& c, double combined, int visits, double noise) {
    addVisitSamples([&](const Sample& s) { rs.add(ConfigKey{c, 1}, s); }, combined, visits, noise);
}

// The same, as the libaio check's samples.
inline void addConfirmVisits(ResultSet& rs, const AioConfig& c, double combined, int visits, double noise) {
    rs.confirmation.engine = "libaio";
    addVisitSamples([&](const Sample& s) { rs.confirmation.add(ConfigKey{c, 1}, s); }, combined, visits, noise);
}

} // namespace aiotune::testing
