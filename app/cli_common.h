#pragma once
// Pieces the headless commands share: reading the command line (CLI11), the
// analysis as JSON and text, and parsing typed lists.
#include "engine/io_engine.h"
#include "results/result_model.h"

#include <CLI/CLI.hpp>
#include <nlohmann/json.hpp>

#include <optional>
#include <ostream>
#include <string>
#include <vector>

namespace aiotune::cli {

// {"aio", "read", "write", "recommended", "partial", "confidence", "answer",
// "skipped", ...}: the shape `aiotune analyze --json` and `aiotune sweep
// --json` print; "aio" and "recommended" are the answer's (answerFor).
nlohmann::ordered_json analysisJson(const ResultSet& results, const Recommendation& rec);

// The answer for people: best with its interval, the aio JSON, the tied
// ones, the recommendation (or that it is not claimed), confidence, how decided,
// and the check on libaio (confirmationSentence).
void printAnswer(std::ostream& out, const Answer& answer);

// "Best performance (GiB/s): read = X, write = Y" (DeepSpeed's line), then
// printAnswer; skipped files and incomplete configurations go to `notes`.
void printAnalysis(std::ostream& out, std::ostream& notes, const ResultSet& results,
                   const Recommendation& rec);

// Which measurement profile measured a folder: SweepFacts' wording (the
// report's), e.g. "unknown (DeepSpeed logs)"; as JSON the profile object or that text.
std::string profileName(const ResultSet& results);
nlohmann::ordered_json profileJson(const ResultSet& results);

// Exit statuses of every subcommand.
inline constexpr int kExitOk = 0;
inline constexpr int kExitFailure = 1;
inline constexpr int kExitUsage = 2;

// "--io_size,--io-size": DeepSpeed's underscore spelling and the dashed one.
std::string flagNames(const std::string& name);

// A subcommand's parser: "aiotune <command>", its summary, generated --help.
CLI::App makeCommand(const std::string& command, const std::string& summary);

// Parses args (after the subcommand name). Returns the status to exit with when
// parsing ends the command: 0 after printing --help, 2 after a usage error
// (the message names the option and points at --help); nullopt to go on.
std::optional<int> parseCommandLine(CLI::App& app, const std::vector<std::string>& args);

// CLI11 validators: sizes as parseByteSize reads them (128K, 1M), engine
// names as parseEngineKind reads them, true/false words, non-empty text.
const CLI::Validator& sizeValidator();
const CLI::Validator& engineValidator();
const CLI::Validator& boolValidator();
const CLI::Validator& nonEmptyValidator();
const CLI::Validator& seedValidator();

bool parseBoolList(const std::vector<std::string>& items, std::vector<bool>& out);

// Standard streams for every command (main calls both): installStreamGuards
// reopens a closed stdin/stdout/stderr on /dev/null first (so no file the
// command opens becomes "stdout"), routes std::cout and std::cerr through
// stdio with control characters of untrusted names escaped (stderr always,
// stdout on a terminal; util/printable_text.h). finishStandardOutput then
// checks that everything written to stdout arrived (a full disk, /dev/full,
// a closed stdout) and turns a lost output into exit status 1 with a message.
void installStreamGuards();
// Erases a redrawn status line on a terminal ("\r\033[K"), past the guard
// that escapes those bytes in every message.
void clearStatusLine();
int finishStandardOutput(int status);
// --engine io_uring | portable | auto (the one list of engine names)
bool parseEngineKind(const std::string& text, EngineKind& out);

} // namespace aiotune::cli
