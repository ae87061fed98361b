#pragma once
// The command line's view of a running sweep, shared by `aiotune sweep` and
// the window's no-display fallback: a live progress line on a terminal, one
// line per transfer otherwise, failures and messages always, on stderr.
#include "results/analysis.h"
#include "results/plausibility.h"
#include "sweep/sweep_events.h"

#include <chrono>
#include <cstdio>
#include <string>
#include <vector>

namespace aiotune::cli {

class SweepPrinter : public SweepSink {
public:
    // prefix starts every message line ("aiotune sweep"); live: redraw one
    // progress line (a terminal) instead of printing a line per transfer.
    SweepPrinter(std::FILE* out, std::string prefix, bool live);

    void onSample(const SampleEvent& e) override;
    // The check on libaio after the search, as a transfer's line of its own.
    void onConfirmationSample(const ConfirmationSampleEvent& e) override;
    void onProgress(const ProgressEvent& e) override;
    void onMessage(const MessageEvent& e) override;
    void onEnded(const EndedEvent& e) override;

    // The best few configurations with their spread and p99 latency, after the
    // sweep; a row with a plausibility flag ends in "⚠" (printPlausibility says why).
    void printTop(const ResultSet& results, std::size_t count,
                  const std::vector<PlausibilityFlag>& flags = {}) const;

private:
    void clearLine();
    // One sample's line ("[3/76] <prefix>write 1M, qd 8, ...: 1.234 GiB/s").
    void printSample(const std::string& prefix, const ConfigKey& key, const Sample& sample);

    std::FILE* m_out;
    std::string m_prefix;
    bool m_live;
    bool m_lineShown = false;
    std::size_t m_done = 0, m_total = 0;
    std::chrono::steady_clock::time_point m_lastDraw{};
};

// Each flag as "<prefix>: warning: <message>" (figures that cannot be true).
void printPlausibility(std::FILE* out, const std::string& prefix, const std::vector<PlausibilityFlag>& flags);

} // namespace aiotune::cli
