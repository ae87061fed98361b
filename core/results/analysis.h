#pragma once
// Ranking a ResultSet and drawing the Recommendation from it.
//
// - best: the highest combined (read + write) figure, as DeepSpeed's
//   `ds_nvme_tune --generate` chooses; ties go to the cheaper configuration.
// - noise: the larger of the best's own combined range (read range + write
//   range) and the median relative combined range over every configuration
//   measured more than once, scaled to the best. Unknown when every
//   configuration was measured once.
// - recommended: among configurations with the best's folder count whose
//   combined figure is within the noise of the best, the one with the fewest
//   threads, then the lowest queue depth, then the highest combined.
// - confidence: how far the best is ahead of the runner-up relative to the
//   noise: high at twice the noise or more, medium at once, low below. With
//   unknown noise: medium when the lead is at least 10%, else low.
#include "results/result_model.h"

#include <vector>

namespace aiotune {

// Configurations with both figures, highest combined first (ties: fewer
// threads, lower queue depth, then key order).
std::vector<ConfigResult> rankByCombined(const ResultSet& results);

Recommendation analyze(const ResultSet& results);

} // namespace aiotune
