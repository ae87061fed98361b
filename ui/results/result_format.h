#pragma once
// How the results views spell figures and configurations, in one place so the
// table, the chart, the comparison and the best-config panel agree.
#include "results/result_model.h"

#include <QString>
#include <QStringList>

#include <optional>

namespace resultformat {

// "1M q32 p8 ov": axis labels and other tight spots. Block submit and one
// folder are DeepSpeed's defaults and are left out; "ss" marks single submit,
// "seq" sequential requests, "f2" two folders.
QString shortLabel(const aiotune::ConfigKey& key);
// "1M, qd 32, 8 threads, block, overlap": ConfigKey::label() as a QString.
QString longLabel(const aiotune::ConfigKey& key);
// single_submit and overlap_events as every view names them ("single" /
// "block", "overlap" / "sequential"), as ConfigKey::label() spells them.
QString submitMode(bool singleSubmit);
QString overlapMode(bool overlapEvents);
// "128K": DeepSpeed's tag spelling.
QString blockSize(std::uint64_t bytes);
// "3.53"; "–" when absent.
QString gibps(std::optional<double> value);
// The answer's figure, as every view shows it: "4.01 GiB/s read + write
// (90%: 3.90–4.12)", "… (partial answer, no interval)".
QString answerFigure(const aiotune::Answer& answer);
// Half the combined min..max range relative to the combined median (read and
// write ranges added), as a fraction; absent when no operation was measured
// twice. A read-only or write-only configuration uses its one range.
std::optional<double> spreadFraction(const aiotune::ConfigResult& c);
// "±2.4%"; "–" when unknown.
QString spread(std::optional<double> fraction);
// Median of the successful samples' p99 latency per operation, in ms.
std::optional<double> p99Ms(const aiotune::ConfigResult& c, aiotune::IoOp op);
// The larger of the read and write p99 medians, in ms.
std::optional<double> worstP99Ms(const aiotune::ConfigResult& c);
// Several lines for a tooltip: label, figures, spread, samples, first error.
QString tooltip(const aiotune::ConfigResult& c);

// Which measurement profile measured these results, for display next to the
// figures: the recorded profile, else meta "profile", else the older
// sweep.json's meta.system.huge_pages, else "unknown (DeepSpeed logs)": core's SweepFacts wording.
QString profileName(const aiotune::ResultSet& results);

} // namespace resultformat
