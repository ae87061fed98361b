#pragma once
// `aiotune check`: reads a DeepSpeed config and this machine and lists what
// will go wrong, or run slowly, once DeepSpeed offloads to NVMe. The window
// and the command line both call runPreflight.
#include "check/check_finding.h"
#include "check/machine_check.h"
#include "check/nvme_path_check.h"
#include "check/swap_footprint.h"
#include "config/aio_config.h"
#include "config/deepspeed_install.h"
#include "util/result.h"

#include <nlohmann/json.hpp>

#include <filesystem>
#include <optional>
#include <string>
#include <vector>

namespace aiotune {

struct PreflightOptions {
    std::filesystem::path configFile;
    DeepSpeedVersion version{0, 16, 4};
    bool versionGiven = false;        // false: say which version was assumed
    std::string versionSource;        // where a version not given came from ("installed: <file>")
    std::filesystem::path logDir;     // measurements to compare with; empty: the newest sweep
    std::filesystem::path sweepsRoot; // where the window's sweeps are; empty: none
    MachineCheckOptions machine;
    NvmePathOptions nvmePath;
    bool checkMachine = true;         // false: the config alone
    // The model's size, for free space against the whole swap footprint;
    // without it only the config's parameter buffers are compared (and said so).
    std::optional<ModelSize> model;
};

struct CheckReport {
    std::string configFile;
    std::string deepspeedVersion;
    bool versionAssumed = false;
    std::string versionSource;        // "installed: <file>"; empty when given or assumed
    std::string measurements;         // the log folder compared with; empty when none
    std::vector<CheckFinding> findings; // errors first

    int errors() const { return countSeverity(findings, FindingSeverity::Error); }
    int warnings() const { return countSeverity(findings, FindingSeverity::Warning); }
    int notes() const { return countSeverity(findings, FindingSeverity::Note); }
};

// Configs nest a few levels; DeepSpeed's own JSON reader gives up near 1000.
inline constexpr int kMaxConfigDepth = 256;

// The config as DeepSpeed would load it (comments allowed, duplicate keys
// refused), refusing what is not a regular file, too large or too deeply
// nested. Errors name the file and what to do.
Result<nlohmann::ordered_json> loadConfigForCheck(const std::filesystem::path& file);

// Without a version given: the DeepSpeed installed on this machine (its
// package metadata), as export targets it; the command line and the window both.
void useInstalledDeepSpeed(PreflightOptions& options, const PythonSearch& search);

// Errors: the config cannot be read or parsed (the check could not run).
// Everything wrong with a config that could be read is a finding.
Result<CheckReport> runPreflight(const PreflightOptions& options);

nlohmann::ordered_json toJson(const CheckReport& report);
// Findings as text, one block each, and a closing count.
std::string formatReport(const CheckReport& report);

// Deepest nesting of objects and arrays in JSON text (comments and strings skipped).
int jsonNestingDepth(std::string_view text);

} // namespace aiotune
