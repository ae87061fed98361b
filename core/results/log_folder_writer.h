#pragma once
// Writes a sweep's results as it runs, into a folder DeepSpeed's own tools can
// read (`_aio_bench_read_logs/read_block_overlap_ftd1_d32_bs1M_p8.txt`, ...)
// plus aiotune's sweep.json holding every sample.
//
// Incremental and crash-safe: call add() after each finished point; every file
// is replaced atomically (temporary file + rename), so a sweep killed at any
// moment leaves each finished point readable and no half-written file under a
// log name. Not thread-safe: call it from one thread (the sweep's).
//
// One folder holds one sweep: create() refuses a folder that already holds
// logs (a sweep.json or a text log), so two sweeps never mix. Refusing rather
// than picking a fresh subfolder keeps the folder the user named the one that
// `aiotune analyze` and DeepSpeed's tools read. Two sweeps at once are kept
// apart by the caller's lock (see sweep/folder_lock.h).
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
    // with status "running" and everything `header` holds besides samples
    // (engine, meta, host, strategy, profile, start time). Refuses an empty
    // path and a folder that already holds logs; removes the temporary files
    // a killed writer left (".sweep.json.aiotune-*.tmp"), refused or not: the
    // caller holds the folder's lock (FolderLock). Other files stay.
    static Result<LogFolderWriter> create(const std::filesystem::path& folder, ResultSet header);
    // The same with only an engine name and the caller's meta blob.
    static Result<LogFolderWriter> create(const std::filesystem::path& folder, std::string engine,
                                          nlohmann::json meta);

    // Why `folder` cannot take a new sweep's logs (it holds some already);
    // empty when it can (missing, empty, or holding other files only).
    static std::string existingLogs(const std::filesystem::path& folder);

    // Adds the samples of one configuration (one point, or more loops of a
    // point already added), with each folder's own sample behind them when
    // several folders ran at once, rewrites its text logs with the median so
    // far and rewrites sweep.json. On error results() keeps what was written.
    Result<void> add(const ConfigKey& key, const std::vector<Sample>& samples,
                     const std::vector<Sample>& perFolder = {});
    // Adds one sample of the answer's confirmation on another engine (libaio)
    // to sweep.json alone: DeepSpeed's text logs hold the search's figures only.
    Result<void> addConfirmation(const std::string& engine, const ConfigKey& key, const Sample& sample);
    // Records the configurations that left an adaptive search so far.
    Result<void> setDropouts(std::vector<Dropout> dropouts);
    // Keeps the answer decided at the end; finish() writes it with the status.
    void setAnswer(Answer answer) { m_results.answer = std::move(answer); }
    // Writes the final status (finished, cancelled or failed, with its reason)
    // and finish time durably. When the disk is full it overwrites sweep.json
    // in place, so even a sweep that failed for lack of space says so.
    Result<void> finish(SweepStatus status, std::string error = {}, std::int64_t finishedAtMs = 0);

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
    Result<void> writeSweepFile(const ResultSet& results, bool durable) const;

    std::filesystem::path m_folder;
    ResultSet m_results;
};

} // namespace aiotune
