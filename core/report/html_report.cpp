#include "report/html_report.h"

#include "config/aio_config.h"
#include "report/html_escape.h"
#include "report/svg_bar_chart.h"
#include "report/sweep_facts.h"
#include "results/analysis.h"
#include "results/answer.h"
#include "results/plausibility.h"

#include <algorithm>
#include <cstdio>
#include <string_view>

namespace aiotune {

namespace {

// Light by default, dark on request, always light on paper. No '<' or '&' in
// here: the page stays well-formed XML.
constexpr std::string_view kStyle = R"CSS(
:root { color-scheme: light dark;
  --bg: #ffffff; --fg: #1f2328; --muted: #57606a; --line: #d0d7de; --panel: #f6f8fa;
  --best: #8e44ad; --best-bg: rgba(142, 68, 173, 0.10); --warn-bg: #fff8c5; --warn-line: #d4a72c;
  --read: #4e79a7; --write: #f28e2b; --combined: #59a14f; }
@media (prefers-color-scheme: dark) { :root {
  --bg: #0d1117; --fg: #e6edf3; --muted: #9da7b3; --line: #30363d; --panel: #161b22;
  --best: #c08ee0; --best-bg: rgba(192, 142, 224, 0.16); --warn-bg: #3b2e00; --warn-line: #9e6a03;
  --read: #6d9bd1; --write: #f5a35c; --combined: #7cc272; } }
@media print { :root {
  --bg: #ffffff; --fg: #000000; --muted: #444444; --line: #bbbbbb; --panel: #f4f4f4;
  --best: #8e44ad; --best-bg: rgba(142, 68, 173, 0.10); --warn-bg: #fff8c5; --warn-line: #d4a72c;
  --read: #4e79a7; --write: #f28e2b; --combined: #59a14f; }
  body { font-size: 10pt; } main { max-width: none; padding: 0; }
  section, .cards, figure { break-inside: avoid; } table.ranking { break-inside: auto; }
  table.ranking tr { break-inside: avoid; } thead { display: table-header-group; }
  * { -webkit-print-color-adjust: exact; print-color-adjust: exact; } }
html { background: var(--bg); color: var(--fg); }
body { margin: 0; font: 14px/1.45 system-ui, "DejaVu Sans", sans-serif; }
main { max-width: 1180px; margin: 0 auto; padding: 24px 20px 40px; }
h1 { font-size: 1.6em; margin: 0 0 4px; }
h2 { font-size: 1.2em; margin: 28px 0 8px; border-bottom: 1px solid var(--line); padding-bottom: 4px; }
h3 { font-size: 1em; margin: 0 0 6px; }
.sub, .note, figcaption { color: var(--muted); }
.note { font-size: 0.92em; }
code, pre, .tag { font-family: ui-monospace, "DejaVu Sans Mono", monospace; font-size: 0.92em; }
pre { background: var(--panel); border: 1px solid var(--line); border-radius: 6px; padding: 10px 12px;
  margin: 0; overflow-x: auto; }
.headline { font-size: 1.15em; margin: 12px 0 4px; }
.headline strong { color: var(--best); }
.figures { display: flex; flex-wrap: wrap; gap: 10px; margin: 12px 0; }
.figure { border: 1px solid var(--line); border-radius: 6px; padding: 8px 14px; min-width: 120px; background: var(--panel); }
.figure .v { font-size: 1.5em; font-weight: 600; }
.figure .k { color: var(--muted); font-size: 0.9em; }
.figure.read .v { color: var(--read); } .figure.write .v { color: var(--write); }
.figure.combined .v { color: var(--best); }
.cards { display: grid; grid-template-columns: repeat(auto-fit, minmax(300px, 1fr)); gap: 16px; }
.warn { background: var(--warn-bg); border: 1px solid var(--warn-line); border-radius: 6px; padding: 8px 12px; margin: 10px 0; }
.confidence { display: inline-block; padding: 0 8px; border-radius: 10px; border: 1px solid var(--line); font-weight: 600; }
.confidence.high { color: var(--combined); } .confidence.low { color: var(--write); }
dl.facts { display: grid; grid-template-columns: max-content 1fr; gap: 2px 16px; margin: 0; }
dl.facts dt { color: var(--muted); } dl.facts dd { margin: 0; overflow-wrap: anywhere; }
table { border-collapse: collapse; width: 100%; }
th, td { border-bottom: 1px solid var(--line); padding: 3px 8px; text-align: left; vertical-align: top; }
th { background: var(--panel); font-weight: 600; }
td.n, th.n { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
td.tag, td.config { white-space: nowrap; }
td.tag { font-size: 0.85em; }
td.wrap { overflow-wrap: anywhere; }
tr.best td { background: var(--best-bg); font-weight: 600; }
.mark { color: var(--best); font-weight: 600; white-space: nowrap; }
.table-wrap { overflow-x: auto; }
figure { margin: 0; }
svg.bar-chart { width: 100%; min-width: 640px; height: auto; display: block; fill: var(--fg); }
figure { overflow-x: auto; }
svg.bar-chart .grid { stroke: var(--line); } svg.bar-chart .baseline { stroke: var(--muted); }
svg.bar-chart .bar-read { fill: var(--read); } svg.bar-chart .bar-write { fill: var(--write); }
svg.bar-chart .bar-combined { fill: var(--combined); } svg.bar-chart .bar-best { fill: var(--best); }
svg.bar-chart .best-band { fill: var(--best); }
ul.skipped li { overflow-wrap: anywhere; }
footer { margin-top: 32px; color: var(--muted); font-size: 0.9em; }
)CSS";

std::string esc(std::string_view s) { return escapeHtml(s); }

std::string num1(double v) { return formatDecimal(v, 1); }

std::string gib(const std::optional<double>& v) { return v ? formatGiBps(*v) : "\xE2\x80\x94"; }
std::string formatPercent(double share) {
    char buf[32];
    std::snprintf(buf, sizeof buf, "%.1f%%", share * 100.0);
    return buf;
}

std::string aioJsonText(const AioConfig& aio) {
    return nlohmann::ordered_json{{"aio", toAioJson(aio)}}.dump(2);
}

void fact(std::string& h, std::string_view key, const std::string& value) {
    if (value.empty()) return;
    h += "<dt>" + esc(key) + "</dt><dd>" + esc(value) + "</dd>";
}

// Half the combined range (read range + write range) over the combined median,
// as "±x%"; a dash when measured once.
std::string spreadText(const ConfigResult& c) {
    if (!c.combinedGiBps || *c.combinedGiBps <= 0.0 || c.loops() < 2) return "\xE2\x80\x94";
    const double width = (c.readSpread ? c.readSpread->width() : 0.0) + (c.writeSpread ? c.writeSpread->width() : 0.0);
    return "\xC2\xB1" + num1(width / *c.combinedGiBps * 100.0 / 2.0) + "%";
}

void summarySection(std::string& h, const ResultSet& results, const Recommendation& rec, const SweepFacts& facts) {
    h += "<section id=\"summary\">";
    if (facts.status == "cancelled" || facts.status == "failed")
        h += "<p class=\"warn\">This sweep <strong>" + esc(facts.status == "failed" ? "failed" : "was cancelled") +
             "</strong>: it did not measure every configuration it planned.</p>";
    if (facts.status == "running")
        h += "<p class=\"warn\">This sweep was <strong>still running</strong> (or was killed) when its log was "
             "read: configurations may be missing.</p>";
    if (facts.profileIsWhatIf)
        h += "<p class=\"warn\">Measured with <strong>" + esc(facts.profile) +
             "</strong>, not the faithful profile: DeepSpeed's pinned swap buffers do not get this, so these "
             "figures may be higher than DeepSpeed will see.</p>";
    if (!rec.best) {
        h += "<p class=\"warn\">No best configuration: " +
             esc(rec.message.empty() ? "no configuration has both a read and a write figure." : rec.message) +
             "</p></section>";
        return;
    }
    const ConfigResult& best = *rec.best;
    h += "<p class=\"headline\">Best: <strong>" + esc(best.key.label()) + "</strong> <span class=\"tag\">(" +
         esc(best.key.tag()) + ")</span></p>";
    h += "<div class=\"figures\">";
    h += "<div class=\"figure read\"><div class=\"v\">" + gib(best.readGiBps) + "</div><div class=\"k\">read GiB/s</div></div>";
    h += "<div class=\"figure write\"><div class=\"v\">" + gib(best.writeGiBps) + "</div><div class=\"k\">write GiB/s</div></div>";
    h += "<div class=\"figure combined\"><div class=\"v\">" + gib(best.combinedGiBps) +
         "</div><div class=\"k\">combined GiB/s</div></div>";
    h += "</div>";
    const Answer& a = rec.answer;
    h += "<p class=\"answer\">Estimate " + formatGiBps(a.bestGiBps) + " GiB/s read + write" +
         (a.interval ? " (90% interval " + formatGiBps(a.interval->low) + " to " + formatGiBps(a.interval->high) + ")"
                     : std::string(" (no interval: the noise is unknown)")) +
         " after " + std::to_string(a.bestVisits) + (a.bestVisits == 1 ? " visit" : " visits") + "; decided by " +
         esc(a.decidedBy) + ".</p>";
    if (a.partial)
        h += "<p class=\"warn partial\"><strong>Partial answer</strong>: " + esc(a.partialReason) +
             ". The section below is the best measured so far, not a settled answer.</p>";
    h += "<p>Confidence: <span class=\"confidence " + esc(confidenceName(rec.confidence)) + "\">" +
         esc(confidenceName(rec.confidence)) + "</span> " + esc(rec.confidenceText) + "</p>";
    if (const std::string check = confirmationSentence(a); !check.empty())
        h += "<p class=\"confirmation\">" + esc(check) + "</p>";
    h += "<p class=\"note\">" + std::to_string(rec.configsWithBoth) + " configuration" +
         (rec.configsWithBoth == 1 ? "" : "s") + " with both a read and a write figure";
    if (!results.skipped.empty())
        h += "; " + std::to_string(results.skipped.size()) + " file" + (results.skipped.size() == 1 ? "" : "s") +
             " skipped (listed below)";
    h += ". Measurement profile: " + esc(facts.profile) + ".</p>";
    h += "</section>";
}

void aioSection(std::string& h, const Recommendation& rec) {
    if (!rec.best) return;
    h += "<section id=\"aio\"><h2>DeepSpeed <code>aio</code> sections</h2><div class=\"cards\">";
    h += "<div><h3>Best (highest read + write)</h3><pre class=\"aio-best\">" + esc(aioJsonText(rec.best->key.aio)) +
         "</pre></div>";
    h += "<div><h3>Recommended</h3>";
    const Answer& a = rec.answer;
    if (!a.recommended) {
        h += "<p class=\"note\">Not claimed: the answer is partial (" + esc(a.partialReason) + ").</p>";
    } else if (rec.recommended && !(rec.recommended->key == rec.best->key)) {
        h += "<pre class=\"aio-recommended\">" + esc(aioJsonText(rec.recommended->key.aio)) + "</pre>";
        h += "<p class=\"note\">" + esc(rec.recommended->key.label()) + ": the cheapest configuration (fewer "
             "threads or a shallower queue) shown to be within " + formatPercent(a.tolerance) + " of the best.</p>";
    } else {
        h += "<p class=\"note\">The best itself: no cheaper configuration is shown to be within " +
             formatPercent(a.tolerance) + " of it.</p>";
    }
    h += "</div></div>";
    if (rec.best->key.folders != 1)
        h += "<p class=\"note\">The best drove " + std::to_string(rec.best->key.folders) +
             " folders at once, one process each: DeepSpeed's <code>aio</code> section holds the per-process "
             "settings.</p>";
    h += "<p class=\"note\">Add the section at the top level of the DeepSpeed config (not inside "
         "<code>zero_optimization</code>). Older DeepSpeed releases (before 0.16.4) read "
         "<code>thread_count</code> instead of <code>intra_op_parallelism</code>.</p></section>";
}

void chartSection(std::string& h, const std::vector<ConfigResult>& ranked, const Recommendation& rec, int chartRows) {
    const std::size_t shown = std::min<std::size_t>(ranked.size(), static_cast<std::size_t>(std::max(chartRows, 1)));
    std::vector<BarChartRow> rows;
    for (std::size_t i = 0; i < shown; ++i) {
        const ConfigResult& c = ranked[i];
        rows.push_back({c.key.label(), c.key.label() + " (" + c.key.tag() + ")", c.readGiBps.value_or(0),
                        c.writeGiBps.value_or(0), c.combinedGiBps.value_or(0), rec.best && rec.best->key == c.key});
    }
    const std::string title = shown == ranked.size()
                                  ? "All " + std::to_string(ranked.size()) + " configurations by combined throughput"
                                  : "Top " + std::to_string(shown) + " of " + std::to_string(ranked.size()) +
                                        " configurations by combined throughput";
    h += "<section id=\"chart\"><h2>" + esc(title) + "</h2><figure>";
    h += renderSvgBarChart(rows, {title, 960});
    h += "<figcaption class=\"note\">Medians per configuration; combined = read + write, the figure "
         "DeepSpeed's <code>ds_nvme_tune --generate</code> ranks by. Labels: block size, queue depth "
         "(<code>queue_depth</code>), threads (<code>intra_op_parallelism</code>), <em>block</em> = one "
         "submit call per batch or <em>single</em> = one per request (<code>single_submit</code>), "
         "<em>overlap</em> = a sliding window of requests or <em>sequential</em> = lock-step batches "
         "(<code>overlap_events</code>).</figcaption></figure></section>";
}

void measurementSection(std::string& h, const ResultSet& results, const SweepFacts& f, const HtmlReportOptions& o) {
    h += "<section id=\"measurement\"><h2>Measurement</h2><dl class=\"facts\">";
    fact(h, "Measurement profile", f.profile);
    fact(h, "Engine", f.engine == "deepspeed" ? "DeepSpeed's own benchmark (ds_io / aio_bench_perf_sweep)" : f.engine);
    fact(h, "Engine fallback", f.engineFallbackReason);
    fact(h, "Transfer size", f.ioSize.empty() ? "" : f.ioSize + " per transfer");
    fact(h, "Repetitions", f.loops);
    fact(h, "Sweep status", f.status);
    fact(h, "Started", formatUtcMinutes(f.startedAtMs));
    fact(h, "Finished", formatUtcMinutes(f.finishedAtMs));
    fact(h, "Log folder", o.logFolder);
    fact(h, "Source", results.source);
    h += "</dl></section>";
}

void machineSection(std::string& h, const SweepFacts& f) {
    h += "<section id=\"machine\"><h2>Machine and drives</h2>";
    const bool anyMachine = !f.host.empty() || !f.kernel.empty() || !f.machine.empty() || !f.cpus.empty();
    if (!anyMachine)
        h += std::string("<p>Machine: unknown") +
             (f.fromDeepSpeedLogs ? " (DeepSpeed logs record no machine or drive)." : " (not recorded).") + "</p>";
    else {
        h += "<dl class=\"facts\">";
        fact(h, "Host", f.host);
        fact(h, "Kernel", f.kernel);
        fact(h, "Architecture", f.machine);
        fact(h, "CPUs", f.cpus);
        fact(h, "aiotune", f.aiotuneVersion);
        fact(h, "liburing", f.liburingVersion);
        h += "</dl>";
    }
    if (!f.drives.empty()) {
        h += "<div class=\"table-wrap\"><table class=\"drives\"><thead><tr><th>Folder</th><th>Drive</th><th>Model</th>"
             "<th>Firmware</th><th>Filesystem</th><th>Mount point</th><th>NVMe</th><th class=\"n\">NUMA node</th>"
             "</tr></thead><tbody>";
        for (const auto& d : f.drives)
            h += "<tr><td class=\"wrap\">" + esc(d.path) + "</td><td>" + esc(d.disk.empty() ? d.device : d.disk) +
                 "</td><td>" + esc(d.model) + "</td><td>" + esc(d.firmware) + "</td><td>" + esc(d.filesystem) +
                 "</td><td class=\"wrap\">" + esc(d.mountPoint) + "</td><td>" + esc(d.nvme) + "</td><td class=\"n\">" +
                 esc(d.numaNode) + "</td></tr>";
        h += "</tbody></table></div>";
    }
    h += "</section>";
}

void rankingSection(std::string& h, const std::vector<ConfigResult>& ranked, const Recommendation& rec) {
    h += "<section id=\"ranking\"><h2>All configurations, ranked by combined throughput</h2>";
    if (ranked.empty()) {
        h += "<p>No configuration has both a read and a write figure.</p></section>";
        return;
    }
    const double top = ranked.front().combinedGiBps.value_or(0);
    h += "<div class=\"table-wrap\"><table class=\"ranking\"><thead><tr><th class=\"n\">#</th><th>Configuration</th>"
         "<th>Log tag</th><th class=\"n\">Read</th><th class=\"n\">Write</th><th class=\"n\">Combined</th>"
         "<th class=\"n\">of best</th><th class=\"n\">Samples</th><th class=\"n\">Spread</th>";
    // A column of zeros only costs width: failed samples get one when there are any.
    const bool anyErrors = std::any_of(ranked.begin(), ranked.end(), [](const ConfigResult& c) { return c.errors > 0; });
    if (anyErrors) h += "<th class=\"n\">Failed samples</th>";
    h += "</tr></thead><tbody>";
    for (std::size_t i = 0; i < ranked.size(); ++i) {
        const ConfigResult& c = ranked[i];
        const bool isBest = rec.best && rec.best->key == c.key;
        const bool isRecommended = rec.recommended && rec.recommended->key == c.key && !isBest;
        std::string marks;
        if (isBest) marks = " <span class=\"mark\">\xE2\x98\x85 best</span>";
        if (isRecommended) marks = " <span class=\"mark\">recommended</span>";
        const double share = top > 0.0 ? c.combinedGiBps.value_or(0) / top * 100.0 : 0.0;
        h += std::string("<tr") + (isBest ? " class=\"best\"" : "") + "><td class=\"n\">" + std::to_string(i + 1) +
             "</td><td class=\"config\">" + esc(c.key.label()) + marks + "</td><td class=\"tag\">" + esc(c.key.tag()) +
             "</td><td class=\"n\">" + gib(c.readGiBps) + "</td><td class=\"n\">" + gib(c.writeGiBps) +
             "</td><td class=\"n\">" + gib(c.combinedGiBps) + "</td><td class=\"n\">" + num1(share) +
             "%</td><td class=\"n\">" + std::to_string(c.loops()) + "</td><td class=\"n\">" + spreadText(c) +
             "</td>" + (anyErrors ? "<td class=\"n\">" + std::to_string(c.errors) + "</td>" : "") + "</tr>";
    }
    h += "</tbody></table></div><p class=\"note\">GiB/s, medians of the samples. Spread: half the combined "
         "range (read range + write range) relative to the combined median. Samples: the most of one "
         "operation.</p></section>";
}

void plausibilitySection(std::string& h, const std::vector<PlausibilityFlag>& flags) {
    if (flags.empty()) return;
    h += "<section id=\"plausibility\"><h2>Figures that cannot be true (" + std::to_string(flags.size()) +
         ")</h2><ul>";
    for (const auto& f : flags) h += "<li>" + esc(f.message) + "</li>";
    h += "</ul></section>";
}

void incompleteSection(std::string& h, const ResultSet& results, const Recommendation& rec) {
    const bool any = !rec.readOnly.empty() || !rec.writeOnly.empty() || !rec.failed.empty();
    if (any) {
        h += "<section id=\"incomplete\"><h2>Incomplete configurations (not ranked)</h2><ul>";
        for (const auto& c : rec.readOnly)
            h += "<li>read only (no write figure): <span class=\"tag\">" + esc(c.key.tag()) + "</span>, read " +
                 gib(c.readGiBps) + " GiB/s</li>";
        for (const auto& c : rec.writeOnly)
            h += "<li>write only (no read figure): <span class=\"tag\">" + esc(c.key.tag()) + "</span>, write " +
                 gib(c.writeGiBps) + " GiB/s</li>";
        for (const auto& c : rec.failed)
            h += "<li>failed: <span class=\"tag\">" + esc(c.key.tag()) + "</span>: " + esc(c.firstError()) + "</li>";
        h += "</ul></section>";
    }
    if (!results.skipped.empty()) {
        h += "<section id=\"skipped\"><h2>Skipped files (" + std::to_string(results.skipped.size()) +
             ")</h2><ul class=\"skipped\">";
        for (const auto& s : results.skipped)
            h += "<li><code>" + esc(s.file) + "</code>: " + esc(s.reason) + "</li>";
        h += "</ul></section>";
    }
}

} // namespace

std::string renderHtmlReport(const ResultSet& results, const Recommendation& rec, const HtmlReportOptions& options) {
    const SweepFacts facts = SweepFacts::fromResults(results);
    const std::vector<ConfigResult> ranked = rankByAnswer(results, rec.answer);
    std::string where = options.logFolder;
    if (!facts.host.empty()) where = facts.host + (where.empty() ? "" : ": " + where);

    std::string h;
    h.reserve(16384 + ranked.size() * 700);
    h += "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\"/>\n"
         "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\"/>\n"
         "<meta name=\"generator\" content=\"aiotune " AIOTUNE_VERSION "\"/>\n"
         "<meta name=\"color-scheme\" content=\"light dark\"/>\n<title>aiotune report";
    if (!where.empty()) h += " \xE2\x80\x94 " + esc(where);
    h += "</title>\n<style>";
    h += kStyle;
    h += "</style>\n</head>\n<body>\n<main>\n<header><h1>aiotune report</h1><p class=\"sub\">";
    h += where.empty() ? "sweep results" : esc(where);
    if (!options.generatedAt.empty()) h += " \xC2\xB7 generated " + esc(options.generatedAt);
    h += " \xC2\xB7 aiotune " AIOTUNE_VERSION "</p></header>\n";
    summarySection(h, results, rec, facts);
    h += "\n";
    // Right after the answer: they change how far to trust it.
    plausibilitySection(h, checkPlausibility(results, options.linkLimits));
    h += "\n";
    if (!ranked.empty()) chartSection(h, ranked, rec, options.chartRows);
    h += "\n";
    aioSection(h, rec);
    h += "\n";
    measurementSection(h, results, facts, options);
    h += "\n";
    machineSection(h, facts);
    h += "\n";
    rankingSection(h, ranked, rec);
    h += "\n";
    incompleteSection(h, results, rec);
    h += "\n<footer>GiB/s = bytes / 1024\xC2\xB3 / second. DeepSpeed's own logs print the same number labelled "
         "\xE2\x80\x9CGB/sec\xE2\x80\x9D. Generated by aiotune " AIOTUNE_VERSION
         "; this page loads nothing from the network.</footer>\n</main>\n</body>\n</html>\n";
    return h;
}

} // namespace aiotune
