#include "report/fleet_report_section.h"

#include "config/aio_config.h"
#include "report/html_escape.h"

#include <algorithm>
#include <cstdio>
#include <set>

namespace aiotune {

namespace {

std::string esc(std::string_view s) {
    return escapeHtml(s);
}

std::string num(double v) {
    char buf[32];
    std::snprintf(buf, sizeof buf, "%.2f", v);
    return buf;
}

std::string pct(double f) {
    char buf[32];
    std::snprintf(buf, sizeof buf, "%.1f%%", f * 100.0);
    return buf;
}

std::string joined(const std::vector<std::string>& v) {
    std::string s;
    for (const auto& x : v)
        s += (s.empty() ? "" : ", ") + x;
    return s;
}

constexpr const char* kStyle =
    "body{font-family:system-ui,sans-serif;margin:0;line-height:1.45}"
    "main{max-width:1100px;margin:0 auto;padding:1.5rem}"
    "h1{margin:0}.sub{color:#666;margin-top:.2rem}"
    "table{border-collapse:collapse;width:100%;margin:.5rem 0}"
    "th,td{border-bottom:1px solid #8884;padding:.25rem .5rem;text-align:left}"
    "td.n{text-align:right;font-variant-numeric:tabular-nums}"
    "pre{background:#8881;padding:.6rem;overflow-x:auto}"
    ".warn{border-left:4px solid #c80;padding:.3rem .6rem;background:#c801}"
    ".tag{font-family:monospace}";

} // namespace

std::string renderFleetReportSection(const FleetAnalysis& fa, const FleetReportOptions& options) {
    const FleetAnswer& a = fa.answer;
    std::string h = "<section id=\"fleet\"><h2>Fleet answer</h2>";
    h += "<p id=\"fleet-counts\">" + std::to_string(fa.hosts.size()) + " host(s), " +
         std::to_string(a.usableHosts) + " with an answer of their own. " + esc(a.countsText()) +
         "</p>";
    if (!a.found) {
        h += "<p class=\"warn\" id=\"fleet-message\">" + esc(a.message) + "</p>";
    } else {
        h += "<p id=\"fleet-best\">Best for the fleet: <b>" + esc(a.best.label()) +
             "</b> (<span class=\"tag\">" + esc(a.best.tag()) + "</span>): " + num(a.bestGiBps) +
             " GiB/s read + write on its worst node " + esc(a.worstHost);
        if (a.interval)
            h += " (90%: " + num(a.interval->low) + " to " + num(a.interval->high) + ")";
        h += ".</p>";
        if (!a.bestEstimatedOn.empty())
            h += "<p>Not measured on " + esc(joined(a.bestEstimatedOn)) +
                 ": the search's estimate stands for them there.</p>";
        if (a.recommended && *a.recommended != a.best)
            h += "<p id=\"fleet-recommended\">Recommended (cheaper, within the tolerance on every "
                 "node): <b>" +
                 esc(a.recommended->label()) + "</b>, " + num(a.recommendedGiBps) + " GiB/s.</p>";
        h += "<p>Confidence " + std::string(confidenceName(a.confidence)) + ": " +
             esc(a.confidenceText) + "</p>";
        if (a.partial)
            h += "<p class=\"warn\" id=\"fleet-partial\">Partial: " + esc(a.partialReason) + "</p>";
        h += "<pre id=\"fleet-aio\">" +
             esc(nlohmann::ordered_json{{"aio", toAioJson(a.pick(true).aio)}}.dump(2)) + "</pre>";
        h += "<p class=\"sub\">Decided by " + esc(a.decidedBy) + ".</p>";
    }
    if (!a.sharedDriveNote.empty())
        h += "<p class=\"warn\" id=\"fleet-shared\">Not a real fleet: " + esc(a.sharedDriveNote) +
             "</p>";
    for (const FleetOutlier& o : a.outliers)
        h += "<p class=\"warn\">Outlier: " + esc(o.host) + " is " + num(o.gapGiBps) + " GiB/s (" +
             pct(o.gapFraction) + ") below the median at the answer, beyond the noise of " +
             num(o.noiseGiBps) + " GiB/s: check its drive, PCIe link and RAID.</p>";
    if (!fa.notInRun.empty())
        h +=
            "<p>Left out (not hosts of the run fleet.json describes): " + esc(joined(fa.notInRun)) +
            "</p>";
    if (!fa.storedNote.empty()) h += "<p class=\"warn\">" + esc(fa.storedNote) + "</p>";

    // Hosts at the answer.
    std::set<std::string> outliers;
    for (const auto& o : a.outliers)
        outliers.insert(o.host);
    h += "<h3>Hosts</h3><table id=\"fleet-hosts\"><tr><th>host</th><th>at the answer (GiB/s)</th>"
         "<th>own best (GiB/s)</th><th>loss</th><th>own best configuration</th><th>note</th></tr>";
    for (const FleetHostFigures* f : fa.ranking()) {
        h += "<tr><td>" + esc(f->host) + "</td>";
        if (!f->best) {
            h += "<td class=\"n\">-</td><td class=\"n\">-</td><td class=\"n\">-</td><td></td><td>" +
                 esc(f->error) + "</td></tr>";
            continue;
        }
        std::string note = outliers.count(f->host) ? "outlier" : "";
        if (a.found && !f->atPick &&
            std::find(a.bestEstimatedOn.begin(), a.bestEstimatedOn.end(), f->host) !=
                a.bestEstimatedOn.end())
            note = "estimated by its search";
        h += "<td class=\"n\">" + (f->atPick ? num(*f->atPick->combinedGiBps) : std::string("-")) +
             "</td><td class=\"n\">" + num(*f->best->combinedGiBps) + "</td><td class=\"n\">" +
             (f->atPick ? pct(f->lossFraction) : std::string("-")) + "</td><td>" +
             esc(f->best->key.label()) + "</td><td>" + esc(note) + "</td></tr>";
    }
    h += "</table>";

    // The configurations the rule compared, best first.
    h += "<h3>Configurations across the fleet</h3><table "
         "id=\"fleet-configs\"><tr><th>configuration</th>"
         "<th>state</th><th>worst node (GiB/s)</th><th>worst node</th><th>measured "
         "on</th><th>estimated on</th></tr>";
    int rows = 0;
    for (const FleetConfigFigure& f : a.configs) {
        if (++rows > std::max(1, options.configRows)) break;
        h += "<tr><td>" + esc(f.key.label()) + "</td><td>" + std::string(configStateName(f.state)) +
             "</td><td class=\"n\">" +
             (f.state == ConfigState::Failed ? std::string("-") : num(f.gibps)) + "</td><td>" +
             esc(f.worstHost) + "</td><td class=\"n\">" + std::to_string(f.measuredOn) +
             "</td><td>" + esc(joined(f.estimatedOn)) + "</td></tr>";
    }
    h += "</table>";
    if (a.configs.size() > static_cast<std::size_t>(std::max(1, options.configRows)))
        h += "<p class=\"sub\">" + std::to_string(a.configs.size() - options.configRows) +
             " more in fleet.json and `aiotune analyze --json`.</p>";
    h += "</section>";
    return h;
}

std::string renderFleetReport(const FleetAnalysis& fa, const FleetReportOptions& options) {
    std::string h =
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\"/>\n"
        "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\"/>\n"
        "<meta name=\"generator\" content=\"aiotune " AIOTUNE_VERSION "\"/>\n"
        "<meta name=\"color-scheme\" content=\"light dark\"/>\n<title>aiotune fleet report";
    if (!options.fleetFolder.empty()) h += " \xE2\x80\x94 " + esc(options.fleetFolder);
    h += "</title>\n<style>";
    h += kStyle;
    h +=
        "</style>\n</head>\n<body>\n<main>\n<header><h1>aiotune fleet report</h1><p class=\"sub\">";
    h += options.fleetFolder.empty() ? std::string("fleet") : esc(options.fleetFolder);
    if (!options.generatedAt.empty()) h += " \xC2\xB7 generated " + esc(options.generatedAt);
    h += " \xC2\xB7 aiotune " AIOTUNE_VERSION "</p></header>\n";
    h += renderFleetReportSection(fa, options);
    h += "\n</main>\n</body>\n</html>\n";
    return h;
}

} // namespace aiotune
