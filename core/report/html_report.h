#pragma once
// One self-contained HTML page about a sweep, to attach to a bug report or a
// team wiki: the best and recommended "aio" sections, confidence, the
// measurement profile, the machine and drives, a chart (inline SVG) of the
// top configurations, the ranked table, and the files that were skipped.
// No script, font, image or style sheet is fetched from anywhere; light and
// dark follow the reader's preference; it prints on white.
#include "devices/link_limits.h"
#include "results/result_model.h"

#include <string>

namespace aiotune {

struct HtmlReportOptions {
    std::string logFolder;   // the folder the results came from, as the user named it
    std::string generatedAt; // e.g. "2026-12-01 10:07 UTC" (the caller's clock); empty: left out
    int chartRows = 20;      // configurations in the chart; the table has them all
    // The drives' links the figures are judged against (results/plausibility.h);
    // empty: only the read/write ratio is judged.
    LinkLimits linkLimits;
};

// The whole document. Everything taken from results (file names, paths, drive
// models, messages) is escaped; the page is well-formed XML as well as HTML.
std::string renderHtmlReport(const ResultSet& results, const Recommendation& rec,
                             const HtmlReportOptions& options = {});

} // namespace aiotune
