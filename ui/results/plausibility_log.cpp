#include "results/plausibility_log.h"

#include "panels/log_pane.h"
#include "results/recorded_link_limits.h"

#include <QCoreApplication>

aiotune::LinkLimits recordedLinkLimits(const aiotune::ResultSet& results,
                                       const std::optional<aiotune::DiscoveryReport>& discovery) {
    if (!discovery) return {};
    return aiotune::recordedLinkLimits(results, [&] { return *discovery; });
}

void logPlausibility(LogPane& log, const std::vector<aiotune::PlausibilityFlag>& flags) {
    for (const auto& f : flags)
        log.appendMessage(QCoreApplication::translate("Plausibility", "Implausible figure: %1")
                              .arg(QString::fromStdString(f.message)),
                          true);
}
