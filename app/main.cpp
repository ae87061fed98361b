// aiotune: a subcommand runs headless; no subcommand opens the window.
#include "cli_common.h"
#include "commands.h"

#include <cstdio>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <iostream>
#include <sstream>
#include <string>
#include <vector>

#include <unistd.h>

namespace {

struct Command {
    const char* name;
    int (*run)(const std::vector<std::string>&);
    const char* summary;
};

const Command kCommands[] = {
    {"io", aiotune::cli::runIo, "run one transfer (DeepSpeed ds_io flags)"},
    {"devices", aiotune::cli::runDevices, "list NVMe drives and other block devices"},
    {"sweep", aiotune::cli::runSweep, "measure every combination of settings (ds_nvme_tune)"},
    {"analyze", aiotune::cli::runAnalyze, "best aio section of a sweep log folder (ds_nvme_tune --generate)"},
    {"export", aiotune::cli::runExport, "write the best aio section, merge it into a DeepSpeed config"},
    {"check", aiotune::cli::runCheck, "preflight a DeepSpeed config and this machine for NVMe offload"},
    {"fleet", aiotune::cli::runFleet, "sweep many nodes through pdsh or srun, pick one aio section for all"},
    {"report", aiotune::cli::runReport, "one self-contained HTML report of a sweep log folder"},
};

// The window lives in aiotune-window: beside this program in a build tree,
// in libexec once installed (relative to this program, then the configured prefix).
int startWindow(char** argv) {
    std::error_code ec;
    const std::filesystem::path self = std::filesystem::read_symlink("/proc/self/exe", ec);
    std::vector<std::filesystem::path> candidates;
    if (!ec) {
        candidates.push_back(self.parent_path() / "aiotune-window");
        candidates.push_back(self.parent_path().parent_path() / "libexec/aiotune/aiotune-window");
    }
#ifdef AIOTUNE_LIBEXEC_WINDOW
    candidates.emplace_back(AIOTUNE_LIBEXEC_WINDOW);
#endif
    for (const auto& c : candidates) {
        if (::access(c.c_str(), X_OK) != 0) continue;
        ::execv(c.c_str(), argv); // returns only on failure
        std::fprintf(stderr, "aiotune: cannot start the window %s: %s\n", c.c_str(), std::strerror(errno));
        return 1;
    }
    std::fprintf(stderr, "aiotune: the window (aiotune-window) is not installed; the subcommands "
                         "run headless: see 'aiotune --help'\n");
    return 1;
}

void printUsage(std::ostream& out) {
    out << "Usage: aiotune [--open DIR | DIR]          open the window\n"
           "       aiotune <command> [options]         run headless\n\nCommands:\n";
    char line[200];
    for (const auto& c : kCommands) {
        std::snprintf(line, sizeof line, "  %-10s %s\n", c.name, c.summary);
        out << line;
    }
    out << "\n'aiotune <command> --help' lists a command's options; 'aiotune --version' "
           "prints the version.\n";
}

// The options the window takes besides a folder: ours, then Qt's own that
// take a value. Anything else starting with '-' is a typo to report: it must
// never start the window (whose headless fallback writes a Quick sweep).
bool isWindowOption(const std::string& arg, bool& takesValue) {
    static const char* const withValue[] = {"--open", "-style", "-platform", "-stylesheet",
                                            "-qwindowgeometry", "-qwindowtitle", "-qwindowicon",
                                            "-platformtheme", "-plugin"};
    takesValue = false;
    if (arg.rfind("--open=", 0) == 0) return true;
    for (const char* o : withValue)
        if (arg == o) return takesValue = true;
    return false;
}

} // namespace

int main(int argc, char** argv) {
    // Closed standard streams, escaped control characters, and an output
    // that could not be written is an error (cli_common.h).
    aiotune::cli::installStreamGuards();
    using aiotune::cli::finishStandardOutput;
    if (argc > 1) {
        const std::string first = argv[1];
        if (first == "--version" || first == "-V") {
            std::cout << "aiotune " << AIOTUNE_VERSION << "\n";
            return finishStandardOutput(0);
        }
        if (first == "--help" || first == "-h" || first == "help") {
            std::ostringstream usage; // through std::cout, whose writes are checked
            printUsage(usage);
            std::cout << usage.str();
            return finishStandardOutput(0);
        }
        for (const auto& c : kCommands)
            if (first == c.name)
                return finishStandardOutput(c.run(std::vector<std::string>(argv + 2, argv + argc)));
    }
    // No subcommand: the window, with a folder and window options only.
    for (int i = 1; i < argc; ++i) {
        const std::string arg = argv[i];
        bool takesValue = false;
        if (isWindowOption(arg, takesValue)) {
            if (takesValue && ++i >= argc) {
                std::fprintf(stderr, "aiotune: %s needs a value\n\n", arg.c_str());
                printUsage(std::cerr);
                return 2;
            }
            continue;
        }
        if (arg.rfind("-", 0) == 0) {
            std::fprintf(stderr, "aiotune: unknown option '%s'\n\n", arg.c_str());
            printUsage(std::cerr);
            return 2;
        }
        // A word that is neither a command nor an existing folder is a typo.
        std::error_code ec;
        if (!std::filesystem::is_directory(arg, ec)) {
            std::fprintf(stderr, "aiotune: '%s' is neither a command nor a folder to open\n\n", arg.c_str());
            printUsage(std::cerr);
            return 2;
        }
    }
#ifdef AIOTUNE_HAVE_UI
    return startWindow(argv);
#else
    printUsage(std::cerr);
    return 2;
#endif
}
