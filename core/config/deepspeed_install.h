#pragma once
// Which DeepSpeed the user has: the version of the deepspeed Python package
// installed on this machine, read from the package's own metadata (no Python
// is run), and the export target it implies.
#include "config/aio_config.h"
#include "util/result.h"

#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace aiotune {

struct InstalledDeepSpeed {
    DeepSpeedVersion version;
    std::filesystem::path metadata; // the file the version was read from
};

// Where Python keeps packages, in the order Python itself prefers them: the
// active virtualenv or conda environment, the user's site, then the system's.
// Every path is under root (a fixture tree in tests); the environment values
// are passed in, not read here.
struct PythonSearch {
    std::filesystem::path root = "/";
    std::string virtualEnv;  // $VIRTUAL_ENV
    std::string condaPrefix; // $CONDA_PREFIX
    std::string home;        // $HOME

    static PythonSearch fromEnvironment();
    std::vector<std::filesystem::path> packageDirs() const;
};

// The first deepspeed package found: deepspeed-*.dist-info/METADATA,
// deepspeed-*.egg-info/PKG-INFO, or deepspeed/git_version_info.py.
std::optional<InstalledDeepSpeed> findInstalledDeepSpeed(const PythonSearch& search);

struct DeepSpeedTarget {
    DeepSpeedVersion version;
    std::string description; // "DeepSpeed 0.17.1 (installed: <file>)", "every release (...)"
};

// given: --deepspeed_version as typed (empty: not given). Without it, the
// installed DeepSpeed, else a section every release reads the same.
Result<DeepSpeedTarget> chooseDeepSpeedTarget(std::string_view given, const PythonSearch& search);

} // namespace aiotune
