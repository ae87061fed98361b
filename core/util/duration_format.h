#pragma once
// Durations for people: plans ("about 12 min"), progress ("3 min 05 s left").
// One formatter so the window, `aiotune sweep` and the plan say the same.
#include <string>

namespace aiotune {

// "45 s", "12 min 05 s", "2 h 05 min"; rounded to the second; negatives as 0 s.
std::string formatDuration(double seconds);
// formatDuration + " left"; "estimating" while seconds < 0 (nothing measured yet).
std::string formatEta(double seconds);

} // namespace aiotune
