#include "sweep_printer.h"

#include "results/answer.h"
#include "util/printable_text.h"

#include "results/statistics.h"
#include "util/duration_format.h"

#include <algorithm>

namespace aiotune::cli {

SweepPrinter::SweepPrinter(std::FILE* out, std::string prefix, bool live)
    : m_out(out), m_prefix(std::move(prefix)), m_live(live) {}

void SweepPrinter::clearLine() {
    if (m_lineShown) std::fputs("\r\033[K", m_out);
    m_lineShown = false;
}

void SweepPrinter::onSample(const SampleEvent& e) { printSample(std::string(), e.key, e.sample); }

void SweepPrinter::onConfirmationSample(const ConfirmationSampleEvent& e) {
    printSample("check on " + e.engine + ", ", e.key, e.sample);
}

void SweepPrinter::printSample(const std::string& prefix, const ConfigKey& key, const Sample& sample) {
    ++m_done;
    // A terminal shows the live line; failures scroll above it.
    if (m_live && !sample.failed()) return;
    clearLine();
    std::fprintf(m_out, "[%zu/%zu] %s%s %s: ", m_done, std::max(m_total, m_done), prefix.c_str(),
                 std::string(ioOpName(sample.op)).c_str(), key.label().c_str());
    if (sample.failed())
        std::fprintf(m_out, "FAILED: %s\n", printableName(sample.error).c_str());
    else
        std::fprintf(m_out, "%.3f GiB/s\n", sample.gibPerSec);
    std::fflush(m_out);
}

void SweepPrinter::onProgress(const ProgressEvent& p) {
    m_total = p.total;
    if (!m_live) return;
    // A redraw per transfer would flood a slow terminal; the last one always shows.
    const auto now = std::chrono::steady_clock::now();
    if (p.done < p.total && now - m_lastDraw < std::chrono::milliseconds(100)) return;
    m_lastDraw = now;
    std::fprintf(m_out, "\r\033[K[%zu/%zu] %s  %s", p.done, p.total, formatEta(p.etaSeconds).c_str(),
                 p.current.c_str());
    m_lineShown = true;
    std::fflush(m_out);
}

void SweepPrinter::onMessage(const MessageEvent& e) {
    clearLine();
    const char* kind = e.severity == Severity::Error ? "error: " : e.severity == Severity::Warning ? "warning: " : "";
    std::fprintf(m_out, "%s: %s%s\n", m_prefix.c_str(), kind, printableName(e.text).c_str());
    std::fflush(m_out);
}

void SweepPrinter::onEnded(const EndedEvent& e) {
    clearLine();
    // A sweep that could not start returns its reason to the caller, who says it.
    if (e.status == SweepStatus::Failed && e.error != SweepErrorCode::CannotStart && !e.message.empty())
        std::fprintf(m_out, "%s: sweep failed: %s\n", m_prefix.c_str(), printableName(e.message).c_str());
    std::fflush(m_out);
}

void SweepPrinter::printTop(const ResultSet& results, std::size_t count,
                            const std::vector<PlausibilityFlag>& flags) const {
    const auto ranked = rankByAnswer(results, answerFor(results));
    if (ranked.empty()) return;
    std::fprintf(m_out, "%-44s %8s %8s %8s %8s %9s\n", "top configurations", "read", "write", "combined",
                 "spread", "p99 ms");
    for (std::size_t i = 0; i < ranked.size() && i < count; ++i) {
        const ConfigResult& c = ranked[i];
        char spread[16] = "-", p99[16] = "-";
        if (const auto f = spreadFraction(c)) std::snprintf(spread, sizeof spread, "±%.1f%%", *f * 100.0);
        if (const auto us = worstP99LatencyUs(c)) std::snprintf(p99, sizeof p99, "%.2f", *us / 1000.0);
        const bool flagged = std::any_of(flags.begin(), flags.end(),
                                         [&](const PlausibilityFlag& f) { return f.key == c.key; });
        std::fprintf(m_out, "%-44s %8.3f %8.3f %8.3f %8s %9s%s\n", c.key.label().c_str(), c.readGiBps.value_or(0),
                     c.writeGiBps.value_or(0), c.combinedGiBps.value_or(0), spread, p99, flagged ? "  ⚠" : "");
    }
    std::fflush(m_out);
}

void printPlausibility(std::FILE* out, const std::string& prefix, const std::vector<PlausibilityFlag>& flags) {
    for (const PlausibilityFlag& f : flags)
        std::fprintf(out, "%s: warning: %s\n", prefix.c_str(), printableName(f.message).c_str());
    std::fflush(out);
}

} // namespace aiotune::cli
