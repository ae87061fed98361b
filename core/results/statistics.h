#pragma once
// The figures derived from repeated measurements, in one place so the window,
// the command line, the CSV export, the logs and the analysis agree: median,
// percentiles, the min..max spread of a configuration and its p99 latency.
#include "results/result_model.h"

#include <optional>
#include <vector>

namespace aiotune {

// Median of the values (mean of the middle two for even counts); nullopt when empty.
std::optional<double> median(std::vector<double> values);
// Linear-interpolated percentile, q in [0, 1]; nullopt when empty.
std::optional<double> percentile(std::vector<double> values, double q);

// Half the combined min..max range relative to the combined median (read and
// write when both exist, else the one measured); nullopt unless some operation
// was measured at least twice. 0.05 means "±5%".
std::optional<double> spreadFraction(const ConfigResult& c);
// Median over the successful samples of one operation of their p99 request
// latency, in microseconds; nullopt when none recorded one.
std::optional<double> p99LatencyUs(const ConfigResult& c, IoOp op);
// The larger of the read and write figures above.
std::optional<double> worstP99LatencyUs(const ConfigResult& c);

} // namespace aiotune
