#pragma once
// Where a report may go, and writing it there. The command line and the
// window share these checks so both refuse the same things:
// - an existing file, unless the user allowed replacing it (--force, or the
//   save dialog's own confirmation); a replaced file that is not an aiotune
//   report is kept as <file>.bak;
// - anything that is not a regular file (folder, device, FIFO, socket,
//   symbolic link): a report is a file of its own;
// - one of the logs being reported on, or a file inside DeepSpeed's log
//   subfolders (it would be read as a broken log next time);
// - a folder that does not exist.
#include "results/result_model.h"
#include "util/atomic_file.h"
#include "util/result.h"

#include <filesystem>
#include <string_view>

namespace aiotune {

struct ReportFileOptions {
    bool replaceExisting = false; // --force
    bool durable = true;          // fsync before returning
};

// Ok unless `output` is one of the files `inputs` were read from (sweep.json,
// a log, a skipped file) or lies inside DeepSpeed's log subfolders: the one
// rule for every command that reads a log folder and writes a file
// (report -o, export --output/--csv).
Result<void> checkNotAnInput(const std::filesystem::path& output, const std::filesystem::path& logFolder,
                             const ResultSet& inputs);

// Ok when `output` may receive a report on `inputs` read from `logFolder`;
// otherwise an error naming the path and what to do.
Result<void> checkReportOutput(const std::filesystem::path& output, const std::filesystem::path& logFolder,
                               const ResultSet& inputs, const ReportFileOptions& options = {});

// checkReportOutput, then an atomic write (temporary file + rename): a
// failure or a kill leaves the old file, if any, untouched.
Result<AtomicWriteOutcome> writeReportFile(const std::filesystem::path& output, std::string_view html,
                                           const std::filesystem::path& logFolder, const ResultSet& inputs,
                                           const ReportFileOptions& options = {});

} // namespace aiotune
