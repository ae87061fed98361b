#include "results/statistics.h"

#include <algorithm>
#include <cmath>

namespace aiotune {

std::optional<double> median(std::vector<double> v) {
    if (v.empty()) return std::nullopt;
    std::sort(v.begin(), v.end());
    const std::size_t n = v.size();
    return n % 2 == 1 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2.0;
}

std::optional<double> percentile(std::vector<double> v, double q) {
    if (v.empty()) return std::nullopt;
    std::sort(v.begin(), v.end());
    const double pos = std::clamp(q, 0.0, 1.0) * static_cast<double>(v.size() - 1);
    const auto lo = static_cast<std::size_t>(std::floor(pos));
    const std::size_t hi = std::min(lo + 1, v.size() - 1);
    return v[lo] + (v[hi] - v[lo]) * (pos - static_cast<double>(lo));
}

std::optional<double> spreadFraction(const ConfigResult& c) {
    const auto measuredTwice = [](const std::optional<Spread>& s) { return s && s->count > 1; };
    if (!measuredTwice(c.readSpread) && !measuredTwice(c.writeSpread)) return std::nullopt;
    double width = 0.0, mid = 0.0;
    if (c.combinedGiBps) {
        mid = *c.combinedGiBps;
        width = (c.readSpread ? c.readSpread->width() : 0.0) + (c.writeSpread ? c.writeSpread->width() : 0.0);
    } else if (c.readGiBps) {
        mid = *c.readGiBps;
        width = c.readSpread->width();
    } else if (c.writeGiBps) {
        mid = *c.writeGiBps;
        width = c.writeSpread->width();
    }
    if (mid <= 0.0) return std::nullopt;
    return width / 2.0 / mid;
}

std::optional<double> p99LatencyUs(const ConfigResult& c, IoOp op) {
    std::vector<double> v;
    for (const Sample& s : c.samples)
        if (s.op == op && !s.failed() && s.latencyP99Us) v.push_back(*s.latencyP99Us);
    return median(std::move(v));
}

std::optional<double> worstP99LatencyUs(const ConfigResult& c) {
    const auto r = p99LatencyUs(c, IoOp::Read), w = p99LatencyUs(c, IoOp::Write);
    if (r && w) return std::max(*r, *w);
    return r ? r : w;
}

} // namespace aiotune
