#pragma once
// A horizontal bar chart as SVG text, for reports that must not load Qt:
// one group per configuration with its read, write and combined bars, the
// best one highlighted, a GiB/s axis and a legend in the bars' order.
// Standalone SVG with presentation attributes; an embedding page may restyle
// it through the classes (bar-read, bar-write, bar-combined, bar-best, ...).
#include <string>
#include <vector>

namespace aiotune {

struct BarChartRow {
    std::string label;   // shown left of the bars (shortened when very long)
    std::string tooltip; // full text for the hover title; label when empty
    double read = 0.0;   // GiB/s
    double write = 0.0;
    double combined = 0.0;
    bool best = false;
};

struct BarChartOptions {
    std::string title; // accessible name of the image
    int width = 960;   // of the viewBox; the image scales to its container
};

// Well-formed SVG (usable inline in HTML or as a .svg file); every text from
// rows and options is escaped. No rows gives a chart saying so.
std::string renderSvgBarChart(const std::vector<BarChartRow>& rows, const BarChartOptions& options = {});

// "3.53": two decimals, independent of the process locale (the window sets one);
// "n/a" when not finite.
std::string formatGiBps(double value);
std::string formatDecimal(double value, int decimals);

} // namespace aiotune
