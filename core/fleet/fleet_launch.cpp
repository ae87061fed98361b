#include "fleet/fleet_launch.h"

#include <algorithm>

namespace aiotune {

namespace {

std::string joinHosts(const std::vector<std::string>& hosts) {
    std::string s;
    for (const auto& h : hosts) s += (s.empty() ? "" : ",") + h;
    return s;
}

std::string hostExpression(const FleetLaunchSpec& spec) {
    // pdsh replaces %h in the command with each target's name; srun sets
    // SLURMD_NODENAME in every task.
    return spec.launcher == FleetLauncher::Pdsh ? "%h" : "$SLURMD_NODENAME";
}

} // namespace

std::string shellQuote(std::string_view text) {
    const bool plain = !text.empty() && std::all_of(text.begin(), text.end(), [](char c) {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
               std::string_view("_-./=:,+@").find(c) != std::string_view::npos;
    });
    if (plain) return std::string(text);
    std::string out = "'";
    for (char c : text) out += c == '\'' ? std::string("'\\''") : std::string(1, c);
    return out + "'";
}

std::string fleetNodeScript(const FleetLaunchSpec& spec, FleetStage stage) {
    const std::string m(kFleetMarker);
    std::string s = "h=" + hostExpression(spec) + "; a=" + shellQuote(spec.aiotune) +
                    "; s=" + shellQuote(spec.sharedDir) + "; d=\"$s/$h\"; ";
    if (stage == FleetStage::Check) {
        s += "v=$(\"$a\" --version 2>&1) || { echo \"" + m +
             "error cannot run $a on this node: $v\"; exit 127; }; ";
        if (!spec.expectedVersion.empty())
            s += "[ \"$v\" = " + shellQuote(spec.expectedVersion) + " ] || { echo \"" + m +
                 "error $a on this node is '$v', expected " + spec.expectedVersion +
                 ": install the same aiotune on every node\"; exit 126; }; ";
        s += "[ -d \"$s\" ] || { echo \"" + m + "error $s does not exist on this node: "
             "mount the shared folder there (the same path on every node)\"; exit 125; }; ";
        // Probe where the sweep will write; its own folder may exist from an
        // earlier run (a link there is left to the sweep, which refuses
        // others' links). mktemp creates an unguessable name with O_EXCL: a
        // fixed name could be a link another user planted to have it truncate a file.
        s += "t=\"$s\"; [ -d \"$d\" ] && [ ! -L \"$d\" ] && t=\"$d\"; "
             "if p=$(mktemp \"$t/.aiotune-fleet-probe.XXXXXXXXXX\" 2>/dev/null); then rm -f \"$p\"; else echo \"" + m +
             "error $t is not writable from this node: fix its permissions or mount it read-write\"; "
             "exit 125; fi; ";
        s += "echo \"" + m + "ready $v\"";
    } else {
        // Sweeps of aiotune versions without --host still land in <shared>/<host>,
        // whose folder name then labels them.
        // Its event stream (--events -) is how the fleet follows it.
        s += "u=$(\"$a\" sweep --help 2>/dev/null); set --; case \"$u\" in *--host*) set -- --host \"$h\";; esac; "
             "case \"$u\" in *--events*) set -- \"$@\" --events -;; esac; ";
        // SIGPIPE ignored (inherited through exec): a launcher that went away
        // must not kill a sweep mid-write.
        s += "trap '' PIPE; ";
        std::string sweep = "\"$a\" sweep \"$@\" --log_dir \"$d\"";
        for (const auto& arg : spec.sweepArgs) sweep += " " + shellQuote(arg);
        if (spec.launcher == FleetLauncher::Pdsh) {
            // exec: the process pdsh started and watches is the sweep itself.
            // pdsh reports a non-zero exit; success is checked on disk.
            s += "exec " + sweep + " 2>&1";
        } else {
            // srun signals every process of the step; the exit status would be
            // lost in the prefixing pipe below, so it is printed.
            s += sweep + " 2>&1; r=$?; echo \"" + m + "exit $r\"; exit $r";
        }
    }
    if (spec.launcher == FleetLauncher::Srun)
        // The shells ignore SIGINT and SIGTERM (the sweep sets its own
        // handlers): a step signalled to stop still passes on the sweep's
        // last words, its "ended" event and exit marker.
        s = "trap '' INT TERM; h=" + hostExpression(spec) + "; { " + s +
            "; } 2>&1 | while IFS= read -r l; do printf '%s: %s\\n' \"$h\" \"$l\"; done";
    return s;
}

std::vector<std::string> fleetCommand(const FleetLaunchSpec& spec, FleetStage stage) {
    const std::string script = fleetNodeScript(spec, stage);
    if (spec.launcher == FleetLauncher::Srun) {
        // One job step per node, named aiotune-<host>, all at once: one
        // node's sweep can be stopped alone (scancel --signal=INT JOB.STEP)
        // while the others run on.
        std::vector<std::string> argv{"sh", "-c",
                                      "s=$1; shift; for h; do srun --nodes=1 --ntasks=1 --nodelist=\"$h\" "
                                      "--job-name=\"aiotune-$h\" --kill-on-bad-exit=0 sh -c \"$s\" & done; wait",
                                      "aiotune-fleet", script};
        argv.insert(argv.end(), spec.hosts.begin(), spec.hosts.end());
        return argv;
    }
    // Every node at once (pdsh's default fanout is 32), but not thousands of ssh at once.
    const std::string fanout = std::to_string(std::clamp<std::size_t>(spec.hosts.size(), 1, 256));
    std::vector<std::string> argv{"pdsh", "-R", spec.pdshRcmd, "-f", fanout, "-w", joinHosts(spec.hosts)};
    if (spec.pdshRcmd == "exec") {
        // exec runs the words as given (no shell in between).
        argv.insert(argv.end(), {"sh", "-c", script});
    } else {
        // ssh joins the words into one command line for the remote shell.
        argv.push_back("sh -c " + shellQuote(script));
    }
    return argv;
}

std::string launcherProgram(FleetLauncher launcher) {
    return launcher == FleetLauncher::Srun ? "srun" : "pdsh";
}

std::string commandLineText(const std::vector<std::string>& argv) {
    std::string s;
    for (const auto& a : argv) s += (s.empty() ? "" : " ") + shellQuote(a);
    return s;
}

} // namespace aiotune
