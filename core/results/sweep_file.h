#pragma once
// aiotune's own `sweep.json`: every sample of a sweep (DeepSpeed's text logs
// keep one figure per configuration and operation). LogFolderWriter writes it,
// LogFolderReader prefers it over the text logs.
//
// {"format": "aiotune-sweep", "version": 2, "engine": "...", "status": "running",
//  "error": "...", "host": "...", "strategy": "grid", "profile": {...},
//  "started_at_ms": ..., "finished_at_ms": ...,
//  "meta": {...caller's spec + system...},
//  "configs": [{"tag": "...", "key": {...}, "read_gibps": ..., "write_gibps": ...,
//               "samples": [{"op": "read", "loop": 0, "gibps": ..., ...}],
//               "folder_samples": [...each folder's own, when key.folders > 1...]}],
//  "dropouts": [{"key": {...}, "after_transfers": ..., "reason": "..."}],
//  "confirmation": {"engine": "libaio", "configs": [{"tag", "key", "samples"}]}
//      (the answer's finalists measured again with libaio after the search;
//      never mixed into "configs"),
//  "answer": {...the answer decided when the sweep ended, results/answer.h...},
//  "skipped": [{"file": "...", "reason": "..."}]}
// Version 1 (aiotune before the typed event stream) kept per-folder figures in
// meta.per_folder and the buffer kind in meta.system.huge_pages; both still read.
#include "results/result_model.h"
#include "util/result.h"

#include <nlohmann/json.hpp>

#include <string_view>

namespace aiotune {

inline constexpr std::string_view kSweepFileName = "sweep.json";
inline constexpr std::string_view kSweepFileFormat = "aiotune-sweep";
inline constexpr int kSweepFileVersion = 2;

nlohmann::json configKeyToJson(const ConfigKey& key);
Result<ConfigKey> configKeyFromJson(const nlohmann::json& j);
nlohmann::json sampleToJson(const Sample& s);
Result<Sample> sampleFromJson(const nlohmann::json& j);

// The whole document: everything a ResultSet holds, so reading it back gives
// an equal ResultSet (source aside, which names where it was read from).
nlohmann::json sweepFileJson(const ResultSet& results);
// sourceName (the file path) goes into error messages and ResultSet::source.
Result<ResultSet> parseSweepFile(const nlohmann::json& doc, std::string_view sourceName);
Result<ResultSet> parseSweepFileText(std::string_view text, std::string_view sourceName);

} // namespace aiotune
