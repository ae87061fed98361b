#include "check/check_finding.h"

#include <algorithm>

namespace aiotune {

std::string_view severityName(Severity severity) {
    switch (severity) {
    case Severity::Error: return "error";
    case Severity::Warning: return "warning";
    case Severity::Note: return "note";
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

int countSeverity(const std::vector<CheckFinding>& findings, Severity severity) {
    return static_cast<int>(std::count_if(findings.begin(), findings.end(),
                                          [&](const CheckFinding& f) { return f.severity == severity; }));
}

} // namespace aiotune
