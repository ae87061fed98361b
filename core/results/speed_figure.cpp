#include "results/speed_figure.h"

#include <cmath>
#include <sstream>

namespace aiotune {

namespace {
std::string shown(double v) {
    std::ostringstream s;
    s << v;
    return s.str();
}
} // namespace

std::string speedFigureProblem(double gibps) {
    if (std::isnan(gibps)) return "is not a number (nan)";
    if (std::isinf(gibps)) return std::string("is ") + (gibps < 0 ? "-" : "") + "infinite";
    if (gibps == 0) return "is zero";
    if (gibps < 0) return "is negative (" + shown(gibps) + ")";
    if (gibps > kMaxCredibleGiBps)
        return "is " + shown(gibps) + " GiB/s, beyond any real machine (" +
               shown(kMaxCredibleGiBps) + " GiB/s)";
    return {};
}

std::string secondsFigureProblem(double seconds) {
    if (!std::isfinite(seconds)) return "is not a finite number of seconds";
    if (seconds < 0) return "is negative (" + shown(seconds) + " s)";
    return {};
}

} // namespace aiotune
