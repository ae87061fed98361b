#include "fleet/fleet_monitor.h"

#include "fleet/fleet_launch.h"
#include "sweep/event_stream_sink.h"

#include <charconv>

namespace aiotune {

namespace {

// "a: b" -> {"a", "b"}; nothing when there is no ": " or the head has spaces.
std::optional<std::pair<std::string_view, std::string_view>> splitPrefix(std::string_view line) {
    const std::size_t colon = line.find(": ");
    if (colon == std::string_view::npos || colon == 0) return std::nullopt;
    const std::string_view head = line.substr(0, colon);
    if (head.find(' ') != std::string_view::npos) return std::nullopt;
    return std::make_pair(head, line.substr(colon + 2));
}

// What a node said last that explains a failure: its aiotune's own message
// when there is one, else its last line.
std::string lastWord(const NodeStatus& n) {
    if (n.lastMessage.empty() || n.lastMessage == n.lastLine) return n.lastLine;
    return n.lastMessage + (n.lastLine.empty() ? std::string() : " (then: " + n.lastLine + ")");
}

bool parseNumber(std::string_view s, std::size_t& v) {
    const auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
    return ec == std::errc() && p == s.data() + s.size();
}

} // namespace

std::string_view nodeStateName(NodeState s) {
    switch (s) {
    case NodeState::Waiting: return "waiting";
    case NodeState::Ready: return "ready";
    case NodeState::Running: return "running";
    case NodeState::Finished: return "finished";
    case NodeState::Failed: return "failed";
    case NodeState::Cancelled: return "cancelled";
    }
    return "?";
}

FleetMonitor::FleetMonitor(std::vector<std::string> hosts) {
    for (auto& h : hosts) {
        NodeStatus n;
        n.host = std::move(h);
        m_nodes.push_back(std::move(n));
    }
    m_launcherNotes.resize(m_nodes.size());
}

NodeStatus* FleetMonitor::find(std::string_view host) {
    for (auto& n : m_nodes)
        if (n.host == host) return &n;
    return nullptr;
}

std::optional<std::size_t> FleetMonitor::feed(std::string_view line) {
    while (!line.empty() && (line.back() == '\r' || line.back() == '\n')) line.remove_suffix(1);
    auto index = [this](const NodeStatus* n) { return static_cast<std::size_t>(n - m_nodes.data()); };
    // The launcher speaking about a node: keep it as the reason should the node go quiet.
    std::string_view about;
    if (line.rfind("pdsh@", 0) == 0) {
        if (auto p = splitPrefix(line)) about = p->second;
    } else if (line.rfind("srun: error: ", 0) == 0) {
        about = line.substr(13);
    }
    if (!about.empty()) {
        if (auto p = splitPrefix(about))
            if (NodeStatus* n = find(p->first)) {
                const std::string note(p->second);
                m_launcherNotes[index(n)] = note;
                // pdsh: "sh exited with exit code 1"; srun: "task 1: Exited with exit code 1".
                const std::size_t at = note.find("exit code ");
                std::size_t code = 0;
                if (n->state == NodeState::Running && at != std::string::npos &&
                    parseNumber(std::string_view(note).substr(at + 10), code) && code != 0) {
                    n->state = NodeState::Failed;
                    n->exitCode = static_cast<int>(code);
                    n->error = note + (lastWord(*n).empty() ? std::string() : "; last output: " + lastWord(*n));
                }
                return index(n);
            }
        m_other.emplace_back(line);
        return std::nullopt;
    }
    if (auto p = splitPrefix(line))
        if (NodeStatus* n = find(p->first)) {
            onNodeLine(*n, p->second);
            return index(n);
        }
    if (!line.empty()) m_other.emplace_back(line);
    return std::nullopt;
}

void FleetMonitor::onNodeLine(NodeStatus& node, std::string_view text) {
    if (text.rfind(kFleetMarker, 0) == 0) {
        const std::string_view rest = text.substr(kFleetMarker.size());
        if (rest.rfind("ready ", 0) == 0) {
            node.version = std::string(rest.substr(6));
            if (node.state == NodeState::Waiting) node.state = NodeState::Ready;
        } else if (rest.rfind("error ", 0) == 0) {
            node.state = NodeState::Failed;
            node.error = std::string(rest.substr(6));
        } else if (rest.rfind("exit ", 0) == 0) {
            std::size_t code = 0;
            if (parseNumber(rest.substr(5), code)) node.exitCode = static_cast<int>(code);
            if (node.state == NodeState::Cancelled || node.state == NodeState::Failed) {
                // Its "ended" event said so and why; the exit status adds nothing.
            } else if (code == 0) {
                node.state = NodeState::Finished;
            } else {
                node.state = NodeState::Failed;
                node.error = "aiotune sweep exited with status " + std::to_string(code) +
                             (lastWord(node).empty() ? std::string() : ": " + lastWord(node));
            }
        }
        return;
    }
    if (const auto event = parseEventLine(text)) {
        try {
            onEvent(node, *event);
        } catch (const nlohmann::json::exception&) {
            // A field of the wrong type: that event says nothing usable.
        }
        return;
    }
    node.lastLine = std::string(text.substr(0, 400));
    if (text.rfind("aiotune ", 0) == 0) node.lastMessage = node.lastLine;
}

void FleetMonitor::onEvent(NodeStatus& node, const nlohmann::json& e) {
    const std::string type = e.value("event", std::string());
    if (type == "progress") {
        node.done = e.value("done", std::size_t{0});
        node.total = e.value("total", std::size_t{0});
        node.current = e.value("current", std::string());
    } else if (type == "ended") {
        const SweepStatus status = parseSweepStatus(e.value("status", std::string()));
        const std::string message = e.value("message", std::string());
        if (status == SweepStatus::Cancelled && node.state == NodeState::Running) {
            node.state = NodeState::Cancelled;
            node.error = "the sweep was cancelled (interrupted or stopped by its launcher)";
        } else if (status == SweepStatus::Failed && node.state == NodeState::Running) {
            node.state = NodeState::Failed;
            node.error = "the sweep failed" + (message.empty() ? std::string() : ": " + message);
        }
        // Finished: the exit status (pdsh's report or our srun marker) or the disk decides.
    }
}

void FleetMonitor::beginSweep() {
    for (auto& n : m_nodes)
        if (n.state == NodeState::Ready) {
            n.state = NodeState::Running;
            n.lastLine.clear();
            n.lastMessage.clear();
        }
    for (auto& note : m_launcherNotes) note.clear();
}

void FleetMonitor::finish(const std::string& launcherError, const ResultCheck& check) {
    for (std::size_t i = 0; i < m_nodes.size(); ++i) {
        NodeStatus& n = m_nodes[i];
        if (n.state != NodeState::Waiting && n.state != NodeState::Running) continue;
        std::string missing = "no result from the node";
        if (n.state == NodeState::Running && check) {
            missing = check(n.host);
            if (missing.empty()) {
                n.state = NodeState::Finished;
                continue;
            }
        }
        n.state = NodeState::Failed;
        // The most specific thing known: the launcher's word on this node
        // ("ssh exited with exit code 255"), the node's last line, the launcher's status.
        std::string why = m_launcherNotes[i];
        if (!n.lastLine.empty()) why += (why.empty() ? "last output: " : "; last output: ") + lastWord(n);
        if (why.empty()) why = launcherError.empty() ? "the node never answered" : launcherError;
        n.error = missing + " (unreachable or killed?): " + why;
    }
}

std::vector<std::string> FleetMonitor::hostsIn(NodeState state) const {
    std::vector<std::string> out;
    for (const auto& n : m_nodes)
        if (n.state == state) out.push_back(n.host);
    return out;
}

} // namespace aiotune
