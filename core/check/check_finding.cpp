#include "check/check_finding.h"

#include <algorithm>

namespace aiotune {

std::string_view severityName(FindingSeverity severity) {
    switch (severity) {
    case FindingSeverity::Error: return "error";
    case FindingSeverity::Warning: return "warning";
    case FindingSeverity::Note: return "note";
    }
    return "note";
}

nlohmann::ordered_json toJson(const CheckFinding& f) {
    return {{"severity", severityName(f.severity)},
            {"code", f.code},
            {"subject", f.subject},
            {"message", f.message},
            {"fix", f.fix}};
}

void sortBySeverity(std::vector<CheckFinding>& findings) {
    std::stable_sort(findings.begin(), findings.end(),
                     [](const CheckFinding& a, const CheckFinding& b) {
                         return static_cast<int>(a.severity) < static_cast<int>(b.severity);
                     });
}

int countSeverity(const std::vector<CheckFinding>& findings, FindingSeverity severity) {
    return static_cast<int>(std::count_if(findings.begin(), findings.end(),
                                          [&](const CheckFinding& f) { return f.severity == severity; }));
}

} // namespace aiotune
