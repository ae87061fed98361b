#pragma once
// Writes a sweep's results as it runs, into a folder DeepSpeed's own tools can
// read (`_aio_bench_read_logs/read_block_overlap_ftd1_d32_bs1M_p8.txt`, ...)
// plus aiotune's sweep.json holding every sample.
//
// Incremental and crash-safe: call add() after each finished point; every file
// is replaced atomically (temporary file + rename), so a sweep killed at any
// moment leaves each finished point readable and no half-written file under a
// log name. Not thread-safe: call it from one thread (the sweep's).
#include "results/result_model.h"
#include "util/result.h"

#include <nlohmann/json.hpp>

#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

namespace aiotune {

class LogFolderWriter {
  public:
    // Creates `folder` and both DeepSpeed subfolders and writes a sweep.json
    // with status "running". `meta` is the caller's blob (sweep spec, system
    // fingerprint), stored as given. Text logs already in the folder stay, as
    // DeepSpeed leaves them; an old sweep.json is replaced.
    static Result<LogFolderWriter> create(const std::filesystem::path& folder, std::string engine,
                                          nlohmann::json meta);

    // Adds the samples of one configuration (one point, or more loops of a
    // point already added), rewrites its text logs with the median so far and
    // rewrites sweep.json.
    Result<void> add(const ConfigKey& key, const std::vector<Sample>& samples);
    // Marks the sweep "finished", "cancelled" or "failed" in sweep.json.
    Result<void> finish(std::string status);

    const ResultSet& results() const { return m_results; }
    const std::filesystem::path& folder() const { return m_folder; }

    // "read_block_overlap_ftd1_d32_bs1M_p8.txt"
    static std::string logFileName(IoOp op, const ConfigKey& key);
    // A DeepSpeed-format body for one operation of one configuration: the median
    // of its successful samples in DeepSpeed's four metric lines, or no metric
    // line (as DeepSpeed's failed runs) when every sample failed.
    static std::string deepSpeedLogText(const ConfigResult& config, IoOp op,
                                        std::string_view engine);

  private:
    LogFolderWriter() = default;
    Result<void> writeSweepFile(bool durable) const;

    std::filesystem::path m_folder;
    ResultSet m_results;
};

} // namespace aiotune
