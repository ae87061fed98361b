#pragma once
// "8, 32", "8 32" or "8,32": the lists of whole numbers a sweep tries (queue
// depths, threads), typed into the window or given on the command line.
#include "util/result.h"

#include <string_view>
#include <vector>

namespace aiotune {

// Whole numbers >= 1 separated by commas and/or white space, duplicates
// dropped (first kept). The error names `what` and the item, with an example.
Result<std::vector<int>> parseIntList(std::string_view text, std::string_view what);

} // namespace aiotune
