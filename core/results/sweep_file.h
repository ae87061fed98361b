#pragma once
// aiotune's own `sweep.json`: every sample of a sweep (DeepSpeed's text logs
// keep one figure per configuration and operation). LogFolderWriter writes it,
// LogFolderReader prefers it over the text logs.
//
// {"format": "aiotune-sweep", "version": 1, "engine": "...", "status": "running",
//  "meta": {...caller's spec + system...},
//  "configs": [{"tag": "...", "key": {...}, "read_gibps": ..., "write_gibps": ...,
//               "samples": [{"op": "read", "loop": 0, "gibps": ..., ...}]}],
//  "skipped": [{"file": "...", "reason": "..."}]}
#include "results/result_model.h"
#include "util/result.h"

#include <nlohmann/json.hpp>

#include <string_view>

namespace aiotune {

inline constexpr std::string_view kSweepFileName = "sweep.json";
inline constexpr std::string_view kSweepFileFormat = "aiotune-sweep";
inline constexpr int kSweepFileVersion = 1;

nlohmann::json configKeyToJson(const ConfigKey& key);
Result<ConfigKey> configKeyFromJson(const nlohmann::json& j);
nlohmann::json sampleToJson(const Sample& s);
Result<Sample> sampleFromJson(const nlohmann::json& j);

// The whole document; results.meta and results.status are written as given.
nlohmann::json sweepFileJson(const ResultSet& results);
// sourceName (the file path) goes into error messages and ResultSet::source.
Result<ResultSet> parseSweepFile(const nlohmann::json& doc, std::string_view sourceName);
Result<ResultSet> parseSweepFileText(std::string_view text, std::string_view sourceName);

} // namespace aiotune
