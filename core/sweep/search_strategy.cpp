#include "sweep/search_strategy.h"

namespace aiotune {

std::string_view stopReasonName(StopReason r) {
    switch (r) {
    case StopReason::Running: return "running";
    case StopReason::Exhausted: return "exhausted";
    case StopReason::Converged: return "converged";
    case StopReason::Budget: return "budget";
    case StopReason::Cancelled: return "cancelled";
    case StopReason::Failed: return "failed";
    }
    return "running";
}

} // namespace aiotune
