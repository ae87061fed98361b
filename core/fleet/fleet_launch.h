#pragma once
// The command lines `aiotune fleet` runs: pdsh (DeepSpeed's multi-node
// launcher) or Slurm's srun start one POSIX shell script per node. aiotune
// never reaches nodes by itself.
//
// Two stages, each one launcher run over every node:
//  - check: the node's aiotune runs and prints this version, and the shared
//    folder is visible and writable from the node;
//  - sweep: `aiotune sweep --host <host> --log_dir <shared>/<host> ARGS...`.
// The check script ends with a marker line the FleetMonitor reads:
// "aiotune-fleet: ready <version>" or "aiotune-fleet: error <text>". Under
// pdsh the sweep script execs the sweep (so an interrupt reaches it) and pdsh
// reports its exit status; under srun it prints "aiotune-fleet: exit <status>"
// and prefixes its own lines with "<host>: ", so both launchers read the same.
// The sweep writes its event stream (--events -) among its lines.
#include <string>
#include <string_view>
#include <vector>

namespace aiotune {

enum class FleetLauncher { Pdsh, Srun };

enum class FleetStage { Check, Sweep };

inline constexpr std::string_view kFleetMarker = "aiotune-fleet: ";

struct FleetLaunchSpec {
    FleetLauncher launcher = FleetLauncher::Pdsh;
    // pdsh's remote command module: "ssh" on a cluster; "exec" runs every
    // node's command on this machine with %h substituted (tests, or
    // `exec ssh %h` setups).
    std::string pdshRcmd = "ssh";
    std::vector<std::string> hosts;
    std::string aiotune = "aiotune";  // the program on the nodes
    std::string expectedVersion;      // its --version line, e.g. "aiotune 0.3.0"
    std::string sharedDir;            // absolute, the same path on every node
    std::vector<std::string> sweepArgs;
};

// 'text' quoted for a POSIX shell.
std::string shellQuote(std::string_view text);

// The per-node script; it reads the host label from `hostExpr` (pdsh's "%h"
// or srun's "$SLURMD_NODENAME").
std::string fleetNodeScript(const FleetLaunchSpec& spec, FleetStage stage);

// The launcher's argv: pdsh -R <rcmd> -f <n> -w <hosts> ... sh -c <script>,
// or for srun a shell that starts one step per node at once
// (srun --nodes=1 --ntasks=1 --nodelist=<host> --job-name=aiotune-<host> ...)
// and waits for them all.
std::vector<std::string> fleetCommand(const FleetLaunchSpec& spec, FleetStage stage);

// The program the launcher runs through: "pdsh" or "srun".
std::string launcherProgram(FleetLauncher launcher);

// The argv as one line a user could paste into a shell.
std::string commandLineText(const std::vector<std::string>& argv);

} // namespace aiotune
