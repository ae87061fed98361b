#include "util/duration_format.h"

#include <cmath>
#include <cstdio>

namespace aiotune {

std::string formatDuration(double seconds) {
    const long long s = std::isfinite(seconds) && seconds > 0 ? std::llround(seconds) : 0;
    char buf[64];
    if (s < 60)
        std::snprintf(buf, sizeof buf, "%lld s", s);
    else if (s < 3600)
        std::snprintf(buf, sizeof buf, "%lld min %02lld s", s / 60, s % 60);
    else
        std::snprintf(buf, sizeof buf, "%lld h %02lld min", s / 3600, (s % 3600) / 60);
    return buf;
}

std::string formatEta(double seconds) {
    if (!(seconds >= 0)) return "estimating";
    return formatDuration(seconds) + " left";
}

} // namespace aiotune
