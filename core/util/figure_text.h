#pragma once
// How a figure is written in every sentence aiotune prints (answers, fleet
// answers, check findings): one place, so "2.72 GiB/s" reads the same in the
// CLI, the report, the window and sweep.json's texts.
#include <cstddef>
#include <string>

namespace aiotune {

std::string gibNumber(double gibps);  // "2.72"
std::string gibText(double gibps);    // "2.72 GiB/s"
std::string percentText(double share); // 0.031 -> "3.1%"
std::string plural(std::size_t n, const char* one, const char* many); // "1 visit", "3 visits"

} // namespace aiotune
