#pragma once
// One function per headless subcommand; each gets the arguments after its
// name and returns the process exit status (0 ok, 1 failure, 2 bad usage).
#include <string>
#include <vector>

namespace aiotune::cli {

int runIo(const std::vector<std::string>& args);       // cli_io.cpp
int runDevices(const std::vector<std::string>& args);  // cli_devices.cpp
int runSweep(const std::vector<std::string>& args);    // cli_sweep.cpp
int runAnalyze(const std::vector<std::string>& args);  // cli_analyze.cpp
int runExport(const std::vector<std::string>& args);   // cli_export.cpp
int runCheck(const std::vector<std::string>& args);    // cli_check.cpp
int runFleet(const std::vector<std::string>& args);    // cli_fleet.cpp
// `aiotune analyze` over a folder of host folders (cli_fleet.cpp).
int analyzeFleetFolder(const std::string& dir, bool json);
int runReport(const std::vector<std::string>& args);   // cli_report.cpp

} // namespace aiotune::cli
