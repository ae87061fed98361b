#pragma once
// One result of `aiotune check`: how bad it is, a stable code scripts can
// match, the config key or path it concerns, what DeepSpeed will do, and the fix.
#include <nlohmann/json.hpp>

#include <string>
#include <string_view>
#include <vector>

namespace aiotune {

enum class FindingSeverity { Error, Warning, Note };

// "error" / "warning" / "note"
std::string_view severityName(FindingSeverity severity);

struct CheckFinding {
    FindingSeverity severity = FindingSeverity::Note;
    std::string code;     // stable, upper snake case: "AIO_IGNORED_KEY"
    std::string subject;  // the key ("aio.thread_count") or path ("/mnt/nvme0") concerned
    std::string message;  // what is wrong and what DeepSpeed will do about it
    std::string fix;      // what to do; empty when nothing needs doing (some notes)

    bool operator==(const CheckFinding&) const = default;
};

nlohmann::ordered_json toJson(const CheckFinding& finding);

// Errors first, then warnings, then notes; the order within a severity is kept.
void sortBySeverity(std::vector<CheckFinding>& findings);

int countSeverity(const std::vector<CheckFinding>& findings, FindingSeverity severity);

} // namespace aiotune
