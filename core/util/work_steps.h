#pragma once
// A count of the steps aiotune's per-configuration bookkeeping takes:
// configuration comparisons (equality and order) and entries moved to keep a
// list sorted. Per thread, so a test can check how that work grows with a
// sweep's size without timing anything: a scan of every configuration done
// once per configuration shows up as N^2 steps, a lookup in key order as
// log N. Counting costs one increment; nothing reads it outside tests.
#include <cstdint>

namespace aiotune::work_steps {

inline thread_local std::uint64_t t_steps = 0;

inline void add(std::uint64_t n = 1) noexcept { t_steps += n; }
inline std::uint64_t count() noexcept { return t_steps; }
inline void reset() noexcept { t_steps = 0; }

} // namespace aiotune::work_steps
