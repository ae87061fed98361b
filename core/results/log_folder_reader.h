#pragma once
// Reads a sweep log folder: aiotune's sweep.json when present, else DeepSpeed's
// layout (core/deepspeed-formats.md §2), every naming scheme, tags parsed by prefix.
// Files it cannot use become SkippedFile entries; it never throws.
#include "results/result_model.h"
#include "util/result.h"

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>

namespace aiotune {

inline constexpr std::string_view kReadLogDir = "_aio_bench_read_logs";
inline constexpr std::string_view kWriteLogDir = "_aio_bench_write_logs";
inline constexpr std::string_view kDefaultLogDir = "_aio_bench_logs";

// What a DeepSpeed log file name says.
struct LogFileName {
    enum class Scheme { C, D, APrime };
    IoOp op = IoOp::Read;
    ConfigKey key;
    std::uint64_t ioBytes = 0; // from the `<N>MB` tag (oldest write logs); 0 otherwise
    Scheme scheme = Scheme::D;
};

// The figures of one DeepSpeed log body.
struct LogFileFigures {
    std::optional<double> e2eGiBps;   // first "E2E <Op> Speed" line
    std::optional<double> e2eSeconds; // first "E2E <Op> Latency" line
    std::uint64_t ioBytes = 0;        // io_size= / write_size= of the args line; 0 if absent
    // Why the speed line's figure is unusable ("... is not a number"); empty
    // when there is a figure or no speed line at all.
    std::string speedProblem;
};

class LogFolderReader {
  public:
    // `folder` may be the log folder (holding the two subfolders or sweep.json),
    // one of the two subfolders, or a folder holding `_aio_bench_logs`.
    // Errors: the folder is missing, is no log folder, or yields no usable figure.
    Result<ResultSet> read(const std::filesystem::path& folder) const;
    // The DeepSpeed text logs only, even when a sweep.json is present.
    Result<ResultSet> readDeepSpeedLogs(const std::filesystem::path& folder) const;

    // "read_block_overlap_ftd1_d32_bs1M_p8.txt" -> op + key; the error names the tag.
    static Result<LogFileName> parseFileName(std::string_view fileName);
    static LogFileFigures parseBody(std::string_view body, IoOp op);

  private:
    // The folder holding the two subfolders, or an error saying what to point at.
    static Result<std::filesystem::path> resolveLogDir(const std::filesystem::path& folder);
};

} // namespace aiotune
