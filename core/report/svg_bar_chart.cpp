#include "report/svg_bar_chart.h"

#include "report/html_escape.h"

#include <algorithm>
#include <charconv>
#include <cmath>

namespace aiotune {

namespace {
// The window's chart colours (ui/results/throughput_chart.cpp), so a report
// and a screenshot read the same.
constexpr const char* kReadColor = "#4e79a7";
constexpr const char* kWriteColor = "#f28e2b";
constexpr const char* kCombinedColor = "#59a14f";
constexpr const char* kBestColor = "#8e44ad";

constexpr int kBarHeight = 7;
constexpr int kBarGap = 1;
constexpr int kRowPadding = 9;
constexpr int kRowHeight = 3 * kBarHeight + 2 * kBarGap + kRowPadding;
constexpr int kTop = 34;    // legend above the bars
constexpr int kBottom = 44; // tick labels and axis title below
constexpr int kRight = 56;  // room for the last value label
constexpr std::size_t kMaxLabelChars = 56;
// Advance of a 12 px sans-serif character, erring wide (DejaVu Sans, bold for
// the best): there is no font metric without a renderer, so the label column
// is sized by estimate.
constexpr double kCharWidth = 7.2;

std::string num(double v, int decimals = 1) {
    char buf[32];
    auto r = std::to_chars(buf, buf + sizeof buf, v, std::chars_format::fixed, decimals);
    return std::string(buf, r.ptr);
}

// Number of Unicode characters (UTF-8 lead bytes), for width estimates.
std::size_t charCount(const std::string& s) {
    return static_cast<std::size_t>(
        std::count_if(s.begin(), s.end(), [](char c) { return (static_cast<unsigned char>(c) & 0xC0) != 0x80; }));
}

// The first max characters, "…" appended when cut; never splits a UTF-8 sequence.
std::string shorten(const std::string& s, std::size_t max) {
    if (charCount(s) <= max) return s;
    std::size_t chars = 0, i = 0;
    for (; i < s.size(); ++i) {
        if ((static_cast<unsigned char>(s[i]) & 0xC0) != 0x80 && chars++ == max - 1) break;
    }
    return s.substr(0, i) + "\xE2\x80\xA6";
}

// A round tick step giving about five ticks up to max: 1, 2, 2.5 or 5 x 10^k.
double tickStep(double max) {
    const double raw = max / 5.0;
    const double magnitude = std::pow(10.0, std::floor(std::log10(raw)));
    for (double m : {1.0, 2.0, 2.5, 5.0, 10.0})
        if (m * magnitude >= raw) return m * magnitude;
    return 10.0 * magnitude;
}

double finiteOrZero(double v) { return std::isfinite(v) && v > 0.0 ? v : 0.0; }
} // namespace

std::string formatDecimal(double value, int decimals) {
    if (!std::isfinite(value)) return "n/a";
    return num(value, decimals);
}

std::string formatGiBps(double value) { return formatDecimal(value, 2); }

std::string renderSvgBarChart(const std::vector<BarChartRow>& rows, const BarChartOptions& options) {
    const int width = std::max(options.width, 480);
    std::size_t longest = 8;
    for (const auto& r : rows) longest = std::max(longest, charCount(shorten(r.label, kMaxLabelChars)) + (r.best ? 3 : 1));
    const double labelWidth = std::clamp(longest * kCharWidth + 12.0, 120.0, width * 0.42);
    const double plotLeft = labelWidth;
    const double plotWidth = width - plotLeft - kRight;
    const int plotHeight = std::max<int>(1, static_cast<int>(rows.size())) * kRowHeight;
    const int height = kTop + plotHeight + kBottom;

    double max = 0.0;
    for (const auto& r : rows)
        max = std::max({max, finiteOrZero(r.read), finiteOrZero(r.write), finiteOrZero(r.combined)});
    const double step = max > 0.0 ? tickStep(max) : 1.0;
    const double axisMax = max > 0.0 ? std::ceil(max / step - 1e-9) * step : 1.0;
    auto x = [&](double v) { return plotLeft + finiteOrZero(v) / axisMax * plotWidth; };

    std::string s;
    s.reserve(2048 + rows.size() * 1200);
    s += "<svg xmlns=\"http://www.w3.org/2000/svg\" class=\"bar-chart\" viewBox=\"0 0 " +
         std::to_string(width) + " " + std::to_string(height) + "\" width=\"" + std::to_string(width) +
         "\" height=\"" + std::to_string(height) +
         "\" role=\"img\" font-family=\"system-ui, 'DejaVu Sans', sans-serif\" font-size=\"12\" "
         "fill=\"#1f2328\">";
    s += "<title>" + escapeHtml(options.title.empty() ? "Throughput by configuration" : options.title) +
         "</title>";

    // Legend, in the order the bars of a group are drawn.
    struct Key { const char* cls; const char* color; const char* text; };
    const Key keys[] = {{"bar-read", kReadColor, "read"},
                        {"bar-write", kWriteColor, "write"},
                        {"bar-combined", kCombinedColor, "combined (read + write)"},
                        {"bar-best", kBestColor, "best (highest combined)"}};
    s += "<g class=\"legend\">";
    double lx = plotLeft;
    for (const auto& k : keys) {
        s += "<rect class=\"" + std::string(k.cls) + "\" x=\"" + num(lx) + "\" y=\"10\" width=\"12\" height=\"12\" fill=\"" +
             k.color + "\"/>";
        s += "<text x=\"" + num(lx + 17) + "\" y=\"20\">" + k.text + "</text>";
        lx += 17 + std::char_traits<char>::length(k.text) * 6.6 + 20; // regular weight: narrower
    }
    s += "</g>";

    // Grid and tick labels.
    s += "<g class=\"axis\">";
    // As many decimals as the step has (2.5 -> 1, 0.25 -> 2), at most 3.
    int tickDecimals = 0;
    for (double scaled = step; tickDecimals < 3 && std::fabs(scaled - std::round(scaled)) > 1e-6; scaled *= 10)
        ++tickDecimals;
    const double plotBottom = kTop + plotHeight;
    for (int i = 0; i * step <= axisMax + 1e-9; ++i) {
        const double v = i * step;
        const std::string gx = num(x(v));
        s += "<line class=\"grid\" x1=\"" + gx + "\" y1=\"" + std::to_string(kTop - 4) + "\" x2=\"" + gx +
             "\" y2=\"" + num(plotBottom) + "\" stroke=\"#d0d7de\" stroke-width=\"1\"/>";
        s += "<text x=\"" + gx + "\" y=\"" + num(plotBottom + 16) + "\" text-anchor=\"middle\">" +
             num(v, tickDecimals) + "</text>";
    }
    s += "<line class=\"baseline\" x1=\"" + num(plotLeft) + "\" y1=\"" + std::to_string(kTop - 4) + "\" x2=\"" +
         num(plotLeft) + "\" y2=\"" + num(plotBottom) + "\" stroke=\"#57606a\" stroke-width=\"1\"/>";
    s += "<text class=\"axis-title\" x=\"" + num(plotLeft + plotWidth / 2) + "\" y=\"" + num(plotBottom + 36) +
         "\" text-anchor=\"middle\">GiB/s (bytes / 1024\xC2\xB3 / second)</text>";
    s += "</g>";

    if (rows.empty())
        s += "<text x=\"" + num(plotLeft + 8) + "\" y=\"" + std::to_string(kTop + 20) +
             "\">No configuration has both a read and a write figure.</text>";

    for (std::size_t i = 0; i < rows.size(); ++i) {
        const BarChartRow& r = rows[i];
        const double top = kTop + static_cast<double>(i) * kRowHeight + kRowPadding / 2.0;
        const std::string tip = escapeHtml(r.tooltip.empty() ? r.label : r.tooltip);
        s += std::string("<g class=\"config") + (r.best ? " best" : "") + "\">";
        s += "<title>" + tip + "\nread " + formatGiBps(r.read) + ", write " + formatGiBps(r.write) +
             ", combined " + formatGiBps(r.combined) + " GiB/s</title>";
        if (r.best)
            s += "<rect class=\"best-band\" x=\"0\" y=\"" + num(top - kRowPadding / 2.0) + "\" width=\"" +
                 std::to_string(width) + "\" height=\"" + std::to_string(kRowHeight) +
                 "\" fill=\"#8e44ad\" fill-opacity=\"0.10\"/>";
        const std::string label = (r.best ? "\xE2\x98\x85 " : "") + shorten(r.label, kMaxLabelChars);
        s += "<text class=\"label\" x=\"" + num(plotLeft - 8) + "\" y=\"" + num(top + 1.5 * kBarHeight + kBarGap + 4) +
             "\" text-anchor=\"end\"" + (r.best ? " font-weight=\"bold\"" : "") + ">" + escapeHtml(label) +
             "</text>";
        const struct { const char* cls; const char* color; double value; } bars[] = {
            {"bar-read", kReadColor, r.read},
            {"bar-write", kWriteColor, r.write},
            {r.best ? "bar-combined bar-best" : "bar-combined", r.best ? kBestColor : kCombinedColor, r.combined}};
        for (int b = 0; b < 3; ++b) {
            const double y = top + b * (kBarHeight + kBarGap);
            s += "<rect class=\"bar " + std::string(bars[b].cls) + "\" x=\"" + num(plotLeft) + "\" y=\"" + num(y) +
                 "\" width=\"" + num(x(bars[b].value) - plotLeft) + "\" height=\"" + std::to_string(kBarHeight) +
                 "\" fill=\"" + bars[b].color + "\"/>";
        }
        s += "<text class=\"value\" x=\"" + num(x(r.combined) + 4) + "\" y=\"" +
             num(top + 2 * (kBarHeight + kBarGap) + kBarHeight) + "\" font-size=\"11\"" +
             (r.best ? " font-weight=\"bold\"" : "") + ">" + formatGiBps(r.combined) + "</text>";
        s += "</g>";
    }
    s += "</svg>";
    return s;
}

} // namespace aiotune
