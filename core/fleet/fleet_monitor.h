#pragma once
// Follows a fleet run from the launcher's output: pdsh prefixes every line of
// a node with "<host>: " (our srun script does the same) and reports its own
// trouble as "pdsh@<here>: <host>: ..."; srun as "srun: error: <host>: ...".
// The node scripts print marker lines (see fleet_launch.h) and the sweeps
// their event stream (`aiotune sweep --events -`, sweep/event_stream_sink.h):
// progress and how each sweep ended come from there, never from the text
// meant for people. A launcher's "... exit code N" about a node is its failure. Whatever a node did not
// report by the end is checked on disk or becomes a failure with the last
// thing heard from it, so no node silently goes missing.
#include <nlohmann/json.hpp>

#include <cstddef>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace aiotune {

enum class NodeState { Waiting, Ready, Running, Finished, Failed, Cancelled };
// "waiting", "ready", "running", "finished", "failed", "cancelled"
std::string_view nodeStateName(NodeState s);

struct NodeStatus {
    std::string host;
    NodeState state = NodeState::Waiting;
    std::string version;        // from the check stage
    std::size_t done = 0;       // transfers, from the sweep's progress events
    std::size_t total = 0;
    std::string current;        // what it measures now, from the same events
    std::optional<int> exitCode;
    std::string lastLine;       // the node's latest line of text (not an event), for error reports
    // The node's aiotune's own latest message ("aiotune sweep: --block_size 3K: ..."):
    // what a failure shows, rather than a hint line printed after it.
    std::string lastMessage;
    std::string error;          // why it failed or was cancelled
};

class FleetMonitor {
  public:
    explicit FleetMonitor(std::vector<std::string> hosts);

    // One line of the launcher's stdout or stderr, without its newline. Returns
    // the index of the node it concerned, if any.
    std::optional<std::size_t> feed(std::string_view line);
    // Says whether a node's results landed: empty when they did, else why not.
    using ResultCheck = std::function<std::string(const std::string& host)>;
    // The launcher ended. A node still running whose exit the launcher did not
    // report as a failure is finished when `check` finds its results; any other
    // node still waiting or running failed, with the most specific reason known
    // (`launcherError`, e.g. "pdsh exited with status 1", when nothing better).
    void finish(const std::string& launcherError = {}, const ResultCheck& check = {});
    // Starts the sweep stage: Ready nodes become Running, the others keep their state.
    void beginSweep();

    const std::vector<NodeStatus>& nodes() const { return m_nodes; }
    // Lines that belonged to no node (launcher messages), in order.
    const std::vector<std::string>& otherLines() const { return m_other; }
    std::vector<std::string> hostsIn(NodeState state) const;

  private:
    NodeStatus* find(std::string_view host);
    void onNodeLine(NodeStatus& node, std::string_view text);
    void onEvent(NodeStatus& node, const nlohmann::json& event);

    std::vector<NodeStatus> m_nodes;
    std::vector<std::string> m_launcherNotes; // per node, parallel to m_nodes
    std::vector<std::string> m_other;
};

} // namespace aiotune
