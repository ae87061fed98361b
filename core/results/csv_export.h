#pragma once
// All results as CSV, one row per configuration, for spreadsheets and scripts.
// Columns: tag, label, block_size, queue_depth, intra_op_parallelism,
// single_submit, overlap_events, use_gds, folders, read_gibps, write_gibps,
// combined_gibps, read_min, read_max, write_min, write_max, read_samples,
// write_samples, errors, first_error. Figures are GiB/s at full precision; an
// absent figure is an empty cell.
#include "results/result_model.h"
#include "util/result.h"

#include <filesystem>
#include <string>

namespace aiotune {

std::string resultsToCsv(const ResultSet& results);
// Written atomically; the error names the file.
// Refuses an existing file unless overwrite (then the old one is kept as .bak).
Result<void> writeResultsCsv(const ResultSet& results, const std::filesystem::path& file,
                             bool overwrite = false);

} // namespace aiotune
