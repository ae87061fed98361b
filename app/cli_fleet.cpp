// `aiotune fleet`: one sweep per node through pdsh or srun, each into
// <shared>/<host>/, then the fleet analysis; and `aiotune analyze` over such a
// folder. The launchers are used as they are; aiotune reaches no node itself.
#include "cli_common.h"
#include "util/json_text.h"
#include "commands.h"

#include "config/aio_config.h"
#include "fleet/fleet_analysis.h"
#include "fleet/fleet_launch.h"
#include "fleet/fleet_monitor.h"
#include "fleet/host_list.h"
#include "fleet/hostfile.h"
#include "results/log_folder_reader.h"
#include "results/log_folder_writer.h"
#include "util/printable_text.h"
#include "util/trusted_path.h"
#include "util/figure_text.h"

#include <CLI/CLI.hpp>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cerrno>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <functional>
#include <iomanip>
#include <iostream>
#include <map>
#include <set>
#include <sstream>

#include <fcntl.h>
#include <poll.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

namespace aiotune::cli {

namespace fs = std::filesystem;

namespace {

std::atomic<bool> g_interrupted{false};
extern "C" void onFleetInterrupt(int) { g_interrupted = true; }

int fail(const std::string& message, int code = 1) {
    std::cerr << "aiotune fleet: " << message << "\n";
    return code;
}

bool onPath(const std::string& program) {
    if (program.find('/') != std::string::npos) return ::access(program.c_str(), X_OK) == 0;
    const char* path = std::getenv("PATH");
    std::stringstream dirs(path ? path : "/usr/bin:/bin");
    for (std::string dir; std::getline(dirs, dir, ':');)
        if (!dir.empty() && ::access((fs::path(dir) / program).c_str(), X_OK) == 0) return true;
    return false;
}

// Runs argv with stdout and stderr on one pipe, handing over each line; a
// Ctrl-C here stops the launcher (and, through it, the nodes' sweeps).
// Returns the launcher's exit status, 128+signal when killed, -1 when it could not start.
int runLauncher(const std::vector<std::string>& argv, const std::function<void(std::string_view)>& onLine) {
    int fds[2];
    if (::pipe2(fds, O_CLOEXEC) != 0) return -1;
    const pid_t pid = ::fork();
    if (pid < 0) return -1;
    if (pid == 0) {
        ::setpgid(0, 0);
        ::prctl(PR_SET_PDEATHSIG, SIGTERM); // aiotune killed: do not leave the launcher running
        ::dup2(fds[1], STDOUT_FILENO);
        ::dup2(fds[1], STDERR_FILENO);
        const int devnull = ::open("/dev/null", O_RDONLY);
        if (devnull >= 0) ::dup2(devnull, STDIN_FILENO);
        std::vector<char*> args;
        for (const auto& a : argv) args.push_back(const_cast<char*>(a.c_str()));
        args.push_back(nullptr);
        ::execvp(args[0], args.data());
        std::fprintf(stderr, "cannot run %s: %s\n", args[0], std::strerror(errno));
        ::_exit(127);
    }
    ::close(fds[1]);
    std::string pending;
    char buf[8192];
    // pdsh and srun both answer a first Ctrl-C with a status report and stop
    // (passing the interrupt on to the nodes) on a second within a second.
    int interruptsSent = 0;
    auto lastInterrupt = std::chrono::steady_clock::now();
    for (;;) {
        const auto now = std::chrono::steady_clock::now();
        if (g_interrupted && interruptsSent < 2 &&
            (interruptsSent == 0 || now - lastInterrupt >= std::chrono::milliseconds(300))) {
            ::kill(-pid, SIGINT);
            ++interruptsSent;
            lastInterrupt = now;
        }
        pollfd p{fds[0], POLLIN, 0};
        if (::poll(&p, 1, 250) < 0 && errno != EINTR) break;
        if (!(p.revents & (POLLIN | POLLHUP))) continue;
        const ssize_t n = ::read(fds[0], buf, sizeof buf);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) break;
        pending.append(buf, static_cast<std::size_t>(n));
        std::size_t nl;
        while ((nl = pending.find('\n')) != std::string::npos) {
            onLine(std::string_view(pending).substr(0, nl));
            pending.erase(0, nl + 1);
        }
    }
    if (!pending.empty()) onLine(pending);
    ::close(fds[0]);
    int status = 0;
    while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {}
    if (WIFEXITED(status)) return WEXITSTATUS(status);
    return WIFSIGNALED(status) ? 128 + WTERMSIG(status) : -1;
}

void printFleet(std::ostream& out, std::ostream& notes, const FleetAnalysis& fa) {
    const FleetAnswer& a = fa.answer;
    if (!fa.storedNote.empty()) notes << printableName(fa.storedNote) << "\n";
    for (const auto& h : fa.notInRun)
        notes << printableName(h) << ": not a host of the fleet run " << kFleetFileName
              << " describes (another run's, or a node that did not finish): left out\n";
    for (const auto& h : fa.hosts) {
        if (!h.error.empty()) notes << printableName(h.host) << ": left out: " << printableName(h.error) << "\n";
        if (!h.missing.empty() && h.best) {
            notes << printableName(h.host) << ": " << h.missing.size() << " configuration(s) measured elsewhere are missing:";
            for (const auto& k : h.missing) notes << " " << k.tag();
            notes << "\n";
        }
    }
    out << "Fleet of " << fa.hosts.size() << " host(s), " << a.usableHosts << " usable. "
        << printableName(a.countsText()) << "\n";
    if (!fa.pick) {
        notes << printableName(fa.message) << "\n";
        return;
    }
    out << "Fleet answer: " << fa.pick->label() << ": worst node " << printableName(fa.worstHost) << " at "
        << gibNumber(a.bestGiBps) << " GiB/s read + write";
    if (a.interval) out << " (90%: " << gibNumber(a.interval->low) << " to " << gibNumber(a.interval->high) << ")";
    out << "; median of the nodes that measured it " << gibNumber(fa.medianGiBps) << ", noise " << gibNumber(fa.noiseGiBps)
        << (fa.noiseKnown ? "" : " (unknown: 10% assumed)") << "\n";
    if (!a.bestEstimatedOn.empty()) {
        out << "Estimated, not measured, on:";
        for (const auto& h : a.bestEstimatedOn) out << " " << printableName(h);
        out << " (the search's estimate stands for them)\n";
    }
    if (a.recommended && *a.recommended != a.best)
        out << "Recommended (cheaper, within the tolerance on every node): " << a.recommended->label() << " at "
            << gibNumber(a.recommendedGiBps) << " GiB/s\n";
    out << "Confidence " << confidenceName(a.confidence) << ": " << printableName(a.confidenceText) << "\n";
    if (a.partial) out << "Partial: " << printableName(a.partialReason) << "\n";
    out << jsonText(nlohmann::ordered_json{{"aio", toAioJson(fa.pick->aio)}}, 2) << "\n\n";
    std::set<std::string> outliers;
    for (const auto& o : fa.outliers) outliers.insert(o.host);
    out << std::left << std::setw(20) << "host" << std::right << std::setw(10) << "at pick" << std::setw(10)
        << "own best" << std::setw(8) << "loss" << "  own best configuration (GiB/s, read + write)\n";
    for (const FleetHostFigures* h : fa.ranking()) {
        out << std::left << std::setw(20) << printableName(h->host) << std::right;
        if (!h->best) {
            out << std::setw(10) << "-" << std::setw(10) << "-" << std::setw(8) << "-" << "  (no usable sweep)\n";
            continue;
        }
        out << std::setw(10) << (h->atPick ? gibNumber(*h->atPick->combinedGiBps) : "-") << std::setw(10)
            << gibNumber(*h->best->combinedGiBps) << std::setw(8) << (h->atPick ? percentText(h->lossFraction) : "-") << "  "
            << h->best->key.label() << (outliers.count(h->host) ? "  OUTLIER" : "") << "\n";
    }
    for (const auto& o : fa.outliers)
        out << "Outlier: " << printableName(o.host) << " is " << gibNumber(o.gapGiBps) << " GiB/s (" << percentText(o.gapFraction)
            << ") below the fleet median at the pick, beyond the noise of " << gibNumber(o.noiseGiBps)
            << " GiB/s: check its drive, PCIe link and RAID.\n";
    if (!a.sharedDriveNote.empty()) out << "Not a real fleet: " << printableName(a.sharedDriveNote) << "\n";
}

// SHARED/<host> folders of this run only: an earlier run's hosts may share the folder.
std::vector<HostSweep> sweepsOf(const fs::path& shared, const std::vector<std::string>& hosts) {
    std::vector<HostSweep> out;
    auto all = readFleetFolder(shared);
    if (!all) return out;
    for (auto& s : *all)
        if (std::find(hosts.begin(), hosts.end(), s.host) != hosts.end()) out.push_back(std::move(s));
    return out;
}

} // namespace

int analyzeFleetFolder(const std::string& dir, bool json) {
    auto read = fleetAnalysisFor(dir); // the stored fleet answer while the host folders are unchanged
    if (!read) {
        std::cerr << "aiotune analyze: " << read.error() << "\n";
        return 1;
    }
    const FleetAnalysis& fa = *read;
    if (json) {
        std::cout << jsonText(fleetJson(fa), 2) << "\n";
        if (!fa.pick) std::cerr << "aiotune analyze: " << fa.message << "\n";
    } else {
        printFleet(std::cout, std::cerr, fa);
    }
    return fa.pick ? 0 : 1;
}

int runFleet(const std::vector<std::string>& args) {
    CLI::App app{"Runs `aiotune sweep` on every node at once through pdsh (DeepSpeed's hostfile accepted) or "
                 "srun, each into SHARED_DIR/<host>/, then prints the fleet answer (stored as SHARED_DIR/fleet.json): "
                 "the aio section with the highest worst-node read + write, measured or estimated by each "
                 "node's search.",
                 "aiotune fleet"};
    std::string hostfile, hostList, launcher = "pdsh", rcmd = "ssh", logDir, program = "aiotune";
    std::vector<std::string> sweepArgs;
    bool dryRun = false, json = false;
    std::uint64_t seed = 0;
    auto* hf = app.add_option("--hostfile", hostfile, "DeepSpeed hostfile ('hostname slots=N' lines)");
    auto* hl = app.add_option("--hosts", hostList, "host list such as 'node[1-8,10]'");
    hf->excludes(hl);
    hl->excludes(hf);
    app.add_option("--launcher", launcher, "pdsh or srun (one task per node, inside an allocation)")
        ->check(CLI::IsMember({"pdsh", "srun"}))
        ->capture_default_str();
    app.add_option("--rcmd", rcmd, "pdsh's remote command module: ssh, or exec to run every node's "
                                   "command on this machine (tests)")
        ->check(CLI::IsMember({"ssh", "exec", "rsh"}))
        ->capture_default_str();
    app.add_option("--log_dir,--log-dir", logDir, "shared folder, the same path on every node; "
                                                  "each node writes <log_dir>/<host>/")
        ->required();
    app.add_option("--aiotune", program, "aiotune on the nodes (a name on their PATH or a path)")
        ->capture_default_str();
    app.add_option("--seed", seed, "the adaptive search's seed, the same on every node so that every node "
                                   "screens the same half of the grid")
        ->check(seedValidator())
        ->capture_default_str();
    app.add_flag("--dry_run,--dry-run", dryRun, "print the launcher command lines and stop");
    app.add_flag("--json", json, "print one JSON object at the end: nodes and the fleet analysis");
    app.add_option("sweep_args", sweepArgs, "after --: the `aiotune sweep` arguments, e.g. --nvme_dir /local_nvme");
    app.footer("Example: aiotune fleet --hostfile /job/hostfile --log_dir /shared/aio -- --nvme_dir /local_nvme "
               "--io_size 400M\nUnder Slurm: aiotune fleet --launcher srun --log_dir /shared/aio -- ... "
               "(hosts default to the allocation's)");
    try {
        std::vector<std::string> reversed(args.rbegin(), args.rend()); // CLI11 takes them last first
        app.parse(reversed);
    } catch (const CLI::ParseError& e) {
        return app.exit(e) == 0 ? 0 : 2; // --help is 0; every usage error is 2, as in the other commands
    }

    // Hosts: --hosts, --hostfile, or under srun the allocation's node list.
    std::vector<std::string> hosts;
    if (!hostfile.empty()) {
        auto entries = readHostfile(hostfile);
        if (!entries) return fail(entries.error(), 2);
        for (const auto& e : *entries) hosts.push_back(e.host);
    } else {
        std::string list = hostList;
        if (list.empty() && launcher == "srun") {
            const char* alloc = std::getenv("SLURM_JOB_NODELIST");
            list = alloc ? alloc : "";
        }
        if (list.empty())
            return fail("give the nodes: --hostfile FILE or --hosts 'node[1-8]'" +
                            std::string(launcher == "srun" ? " (or run inside a Slurm allocation)" : ""),
                        2);
        auto expanded = expandHostList(list);
        if (!expanded) return fail(expanded.error(), 2);
        hosts = std::move(expanded.value());
    }
    for (const auto& a : sweepArgs)
        for (const char* own : {"--log_dir", "--log-dir", "--host", "--seed"})
            if (a == own || a.rfind(std::string(own) + "=", 0) == 0)
                return fail(std::string(own) + " is set by aiotune fleet for each node" +
                                (std::string(own) == "--seed" ? " (one seed for all: give aiotune fleet --seed N)"
                                                              : " (<log_dir>/<host>)") +
                                "; remove it from the sweep arguments",
                            2);
    // One seed for the fleet: the nodes' adaptive searches screen the same
    // half of the grid, so the configurations measured on every node are many.
    sweepArgs.push_back("--seed");
    sweepArgs.push_back(std::to_string(seed));

    // The sweep's own argument checks, here and before any node starts: a
    // typo is one message from this machine, not one per node after a launch.
    {
        std::vector<std::string> check = sweepArgs;
        check.push_back("--check_args");
        if (runSweep(check) != 0)
            return fail("the sweep arguments after -- are refused (see above): fix them before launching", 2);
    }
    std::error_code ec;
    const fs::path shared = fs::absolute(logDir, ec).lexically_normal();
    FleetLaunchSpec spec;
    spec.launcher = launcher == "srun" ? FleetLauncher::Srun : FleetLauncher::Pdsh;
    spec.pdshRcmd = rcmd;
    spec.hosts = hosts;
    spec.aiotune = program;
    spec.expectedVersion = std::string("aiotune ") + AIOTUNE_VERSION;
    spec.sharedDir = shared.string();
    spec.sweepArgs = sweepArgs;
    const auto checkCmd = fleetCommand(spec, FleetStage::Check);
    const auto sweepCmd = fleetCommand(spec, FleetStage::Sweep);
    if (dryRun) {
        std::cout << commandLineText(checkCmd) << "\n" << commandLineText(sweepCmd) << "\n";
        return 0;
    }

    const std::string launcherName = launcherProgram(spec.launcher);
    if (!onPath(launcherName))
        return fail(launcherName == "pdsh"
                        ? "pdsh is not installed here: install it (apt install pdsh), or use --launcher srun"
                        : "srun is not on PATH: run inside a Slurm allocation (salloc or sbatch), or use "
                          "--launcher pdsh");
    if (spec.launcher == FleetLauncher::Srun && !std::getenv("SLURM_JOB_ID"))
        std::cerr << "aiotune fleet: warning: not inside a Slurm allocation; srun will ask for one per node "
                     "(run aiotune fleet in salloc or sbatch)\n";
    if (auto made = createFolderNoFollow(shared); !made)
        return fail("cannot create the shared folder: " + made.error());
    // A node refuses a folder that holds an earlier sweep: said here, once,
    // before anything starts (and before fleet.json is rewritten with an
    // answer of no nodes over the earlier run's).
    for (const auto& host : hosts)
        if (const std::string earlier = LogFolderWriter::existingLogs(shared / host); !earlier.empty())
            return fail(printableName(earlier) + " (the fleet's folder for node " + printableName(host) +
                            "; or give the fleet another --log_dir)",
                        2);

    struct sigaction sa {};
    sa.sa_handler = onFleetInterrupt;
    sigemptyset(&sa.sa_mask);
    ::sigaction(SIGINT, &sa, nullptr);
    ::sigaction(SIGTERM, &sa, nullptr);

    FleetMonitor monitor(hosts);
    const bool tty = ::isatty(STDERR_FILENO);
    std::set<std::string> toldFailed; // pdsh repeats a failure as an exit code line
    std::map<std::string, std::size_t> toldDone; // progress already shown, per node
    auto report = [&](std::string_view line) {
        const auto i = monitor.feed(line);
        if (!i) {
            if (tty) clearStatusLine();
            std::cerr << line << "\n";
            return;
        }
        const NodeStatus& n = monitor.nodes()[*i];
        if ((n.state == NodeState::Failed || n.state == NodeState::Cancelled) && !n.error.empty()) {
            if (!toldFailed.insert(n.host).second) return;
            if (tty) clearStatusLine();
            std::cerr << printableName(n.host)
                      << (n.state == NodeState::Failed ? ": FAILED: " : ": CANCELLED: ") << printableName(n.error) << "\n";
        } else if (n.state == NodeState::Running && n.total > 0) {
            // Progress comes from the nodes' event streams (fleet_monitor.h).
            auto& told = toldDone[n.host];
            if (n.done == told) return;
            told = n.done;
            if (tty) {
                std::size_t done = 0, total = 0, running = 0;
                for (const auto& m : monitor.nodes())
                    if (m.state == NodeState::Running) ++running, done += m.done, total += m.total;
                std::fprintf(stderr, "\r\033[K%zu node(s) running, %zu/%zu transfers  %s: %s", running, done,
                             total, printableName(n.host).c_str(), printableName(n.current.substr(0, 60)).c_str());
                std::fflush(stderr);
            } else {
                std::cerr << printableName(n.host) << ": [" << n.done << "/" << n.total << "] " << printableName(n.current) << "\n";
            }
        }
    };

    std::cerr << "aiotune fleet: checking " << hosts.size() << " node(s): " << commandLineText(checkCmd).substr(0, 200)
              << (commandLineText(checkCmd).size() > 200 ? "..." : "") << "\n";
    const int checkStatus = runLauncher(checkCmd, report);
    monitor.finish(checkStatus < 0 ? "cannot start " + checkCmd[0] : launcherName + " exited with status " +
                                                                         std::to_string(checkStatus));
    // Nodes that never answered the check are known only now.
    for (const auto& n : monitor.nodes())
        if (n.state == NodeState::Failed && toldFailed.insert(n.host).second)
            std::cerr << printableName(n.host) << ": FAILED: " << printableName(n.error) << "\n";
    const auto ready = monitor.hostsIn(NodeState::Ready);
    std::cerr << "aiotune fleet: " << ready.size() << " of " << hosts.size() << " node(s) ready\n";

    int sweepStatus = 0;
    if (!ready.empty() && !g_interrupted) {
        spec.hosts = ready;
        const auto cmd = fleetCommand(spec, FleetStage::Sweep);
        monitor.beginSweep();
        std::cerr << "aiotune fleet: sweeping " << ready.size() << " node(s) into " << shared.string() << "/<host>\n";
        sweepStatus = runLauncher(cmd, report);
        if (tty) clearStatusLine();
        // pdsh reports failures only: a node it said nothing about is done
        // when its finished sweep is in the shared folder.
        auto landed = [&shared](const std::string& host) -> std::string {
            const fs::path dir = shared / host;
            auto rs = LogFolderReader().read(dir);
            if (!rs) return "no sweep in " + dir.string();
            if (rs->status != SweepStatus::Finished)
                return "the sweep in " + dir.string() + " is " +
                       (rs->status == SweepStatus::None ? std::string("unfinished")
                                                        : std::string(sweepStatusName(rs->status)));
            return {};
        };
        monitor.finish(sweepStatus < 0 ? "cannot start " + cmd[0]
                                       : launcherName + " exited with status " + std::to_string(sweepStatus),
                       landed);
    }

    const auto finished = monitor.hostsIn(NodeState::Finished);
    const FleetAnalysis fa = analyzeFleet(sweepsOf(shared, finished));
    // Stored beside the host folders: what analyze, export, report and the
    // window give for this folder while its samples are unchanged (also when
    // no node finished: an earlier run's answer must not stand for this one).
    if (auto stored = writeFleetFile(shared, fa.answer); !stored)
        std::cerr << "aiotune fleet: warning: the fleet answer was not stored: " << stored.error() << "\n";
    if (json) {
        auto j = fleetJson(fa);
        j["nodes"] = nlohmann::ordered_json::array();
        for (const auto& n : monitor.nodes()) {
            nlohmann::ordered_json node{{"host", n.host},
                                        {"state", std::string(nodeStateName(n.state))},
                                        {"log_dir", (shared / n.host).string()}};
            if (!n.error.empty()) node["error"] = n.error;
            j["nodes"].push_back(std::move(node));
        }
        j["log_dir"] = shared.string();
        j["seed"] = seed;
        std::cout << jsonText(j, 2) << "\n";
    } else if (!finished.empty()) {
        printFleet(std::cout, std::cerr, fa);
    }
    std::cerr << "aiotune fleet: " << finished.size() << " of " << hosts.size() << " node(s) finished";
    const auto failed = monitor.hostsIn(NodeState::Failed);
    const auto cancelled = monitor.hostsIn(NodeState::Cancelled);
    if (!failed.empty()) {
        std::cerr << "; failed:";
        for (const auto& h : failed) std::cerr << " " << printableName(h);
    }
    if (!cancelled.empty()) {
        std::cerr << "; cancelled:";
        for (const auto& h : cancelled) std::cerr << " " << h;
    }
    std::cerr << "\n";
    for (const auto& n : monitor.nodes())
        if (n.state == NodeState::Failed || n.state == NodeState::Cancelled)
            std::cerr << "  " << printableName(n.host) << ": " << printableName(n.error) << "\n";
    if (!finished.empty())
        std::cerr << "aiotune fleet: read them again with: aiotune analyze --log_dir " << shared.string() << "\n";
    if (g_interrupted) {
        // pdsh starts the node commands with SIGINT blocked, and ssh passes no
        // signal without a terminal: those sweeps run on to their end.
        if (spec.launcher == FleetLauncher::Pdsh)
            std::cerr << "aiotune fleet: interrupted; the nodes' sweeps may still be running and will write "
                      << shared.string() << "/<host>/: read them later with aiotune analyze --log_dir "
                      << shared.string() << "\n";
        return 130;
    }
    return failed.empty() && cancelled.empty() && fa.pick ? 0 : 1;
}

} // namespace aiotune::cli
