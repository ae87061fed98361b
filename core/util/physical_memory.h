#pragma once
// How much memory this machine has, for checks that a transfer's buffer fits.
// Read here once by the front ends and passed into the core's checks, so tests
// can choose the figure.
#include <cstdint>

namespace aiotune {

// Installed physical memory in bytes (sysconf), or 0 when unknown.
std::uint64_t physicalMemoryBytes();

} // namespace aiotune
