#include "results/plausibility_log.h"

#include "panels/log_pane.h"

#include <QCoreApplication>

aiotune::LinkLimits recordedLinkLimits(const aiotune::ResultSet& results,
                                       const std::optional<aiotune::DiscoveryReport>& discovery) {
    if (!discovery) return {};
    const auto folders = aiotune::recordedFolders(results);
    if (folders.empty()) return {}; // DeepSpeed's logs name no folder
    return aiotune::linkLimitsForRecordedFolders(folders, aiotune::recordingHost(results),
                                                 aiotune::thisHostName(), *discovery);
}

void logPlausibility(LogPane& log, const std::vector<aiotune::PlausibilityFlag>& flags) {
    for (const auto& f : flags)
        log.appendMessage(QCoreApplication::translate("Plausibility", "Implausible figure: %1")
                              .arg(QString::fromStdString(f.message)),
                          true);
}
