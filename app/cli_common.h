#pragma once
// Pieces the headless commands share: the analysis as JSON and text, and
// parsing typed lists.
#include "engine/io_engine.h"
#include "results/result_model.h"

#include <nlohmann/json.hpp>

#include <ostream>
#include <string>
#include <vector>

namespace aiotune::cli {

// {"aio", "read", "write", "recommended", "confidence", "skipped", ...}: the
// shape `aiotune analyze --json` and `aiotune sweep --json` print.
nlohmann::ordered_json analysisJson(const ResultSet& results, const Recommendation& rec);

// "Best performance (GiB/s): read = X, write = Y", the aio JSON, the cheaper pick,
// confidence; skipped files and incomplete configurations go to `notes`.
void printAnalysis(std::ostream& out, std::ostream& notes, const ResultSet& results,
                   const Recommendation& rec);

bool parseIntList(const std::vector<std::string>& items, std::vector<int>& out);
bool parseBoolList(const std::vector<std::string>& items, std::vector<bool>& out);
// --engine io_uring | portable | auto
bool parseEngineKind(const std::string& text, EngineKind& out);

} // namespace aiotune::cli
