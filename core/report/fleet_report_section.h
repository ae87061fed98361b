#pragma once
// The HTML report of a fleet's folder (one sweep per host, as `aiotune fleet`
// writes them): the fleet answer as fleet_answer.h decides it (the same one
// analyze, export and the Hosts view give), how many configurations were
// measured on every node and how many estimated, each host at the answer, the
// outliers or why these hosts are no real fleet, and the configurations the
// rule compared. One self-contained page; everything from the input escaped.
#include "fleet/fleet_analysis.h"

#include <string>

namespace aiotune {

struct FleetReportOptions {
    std::string fleetFolder; // as the user named it
    std::string generatedAt; // e.g. "2026-12-01 10:07 UTC"; empty: left out
    int configRows = 20;     // configurations in the comparison table
};

// The fleet answer's section (a <section id="fleet"> element).
std::string renderFleetReportSection(const FleetAnalysis& fleet,
                                     const FleetReportOptions& options = {});

// The whole document around it.
std::string renderFleetReport(const FleetAnalysis& fleet, const FleetReportOptions& options = {});

} // namespace aiotune
