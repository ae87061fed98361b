#include "util/figure_text.h"

#include <cstdio>

namespace aiotune {

std::string gibNumber(double gibps) {
    char buf[48];
    std::snprintf(buf, sizeof buf, "%.2f", gibps);
    return buf;
}

std::string gibText(double gibps) { return gibNumber(gibps) + " GiB/s"; }

std::string percentText(double share) {
    char buf[48];
    std::snprintf(buf, sizeof buf, "%.1f%%", share * 100.0);
    return buf;
}

std::string plural(std::size_t n, const char* one, const char* many) {
    return std::to_string(n) + " " + (n == 1 ? one : many);
}

} // namespace aiotune
