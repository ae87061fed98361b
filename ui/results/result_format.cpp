#include "results/result_format.h"

#include <QObject>

#include "report/sweep_facts.h"
#include "results/statistics.h"
#include "util/byte_size.h"

#include <algorithm>
#include <vector>

namespace resultformat {

using aiotune::ConfigKey;
using aiotune::ConfigResult;
using aiotune::IoOp;

QString shortLabel(const ConfigKey& key) {
    QString s = blockSize(key.aio.block_size);
    s += QStringLiteral(" q%1 p%2").arg(key.aio.queue_depth).arg(key.aio.intra_op_parallelism);
    if (key.aio.single_submit) s += QStringLiteral(" ss");
    s += key.aio.overlap_events ? QStringLiteral(" ov") : QStringLiteral(" seq");
    if (key.folders != 1) s += QStringLiteral(" f%1").arg(key.folders);
    if (key.aio.use_gds) s += QStringLiteral(" gds");
    return s;
}

QString longLabel(const ConfigKey& key) {
    return QString::fromStdString(key.label());
}

QString submitMode(bool singleSubmit) {
    return singleSubmit ? QObject::tr("single") : QObject::tr("block");
}

QString overlapMode(bool overlapEvents) {
    return overlapEvents ? QObject::tr("overlap") : QObject::tr("sequential");
}

QString blockSize(std::uint64_t bytes) {
    return QString::fromStdString(aiotune::formatByteSizeTag(bytes));
}

QString gibps(std::optional<double> value) {
    return value ? QString::number(*value, 'f', 2) : QStringLiteral("–");
}

QString answerFigure(const aiotune::Answer& a) {
    QString text = QStringLiteral("%1 GiB/s read + write").arg(a.bestGiBps, 0, 'f', 2);
    if (a.interval)
        text += QStringLiteral(" (90%: %1–%2%3)")
                    .arg(a.interval->low, 0, 'f', 2)
                    .arg(a.interval->high, 0, 'f', 2)
                    .arg(a.partial ? QStringLiteral(", partial answer") : QString());
    else
        text += QStringLiteral(" (%1no interval: the noise is unknown)")
                    .arg(a.partial ? QStringLiteral("partial answer, ") : QString());
    return text;
}

std::optional<double> spreadFraction(const ConfigResult& c) {
    return aiotune::spreadFraction(c);
}

QString spread(std::optional<double> fraction) {
    return fraction ? QStringLiteral("±%1%").arg(*fraction * 100.0, 0, 'f', 1)
                    : QStringLiteral("–");
}

std::optional<double> p99Ms(const ConfigResult& c, IoOp op) {
    const auto us = aiotune::p99LatencyUs(c, op);
    return us ? std::optional<double>(*us / 1000.0) : std::nullopt;
}

std::optional<double> worstP99Ms(const ConfigResult& c) {
    const auto us = aiotune::worstP99LatencyUs(c);
    return us ? std::optional<double>(*us / 1000.0) : std::nullopt;
}

QString tooltip(const ConfigResult& c) {
    QStringList lines;
    lines << longLabel(c.key);
    lines << QStringLiteral("read %1, write %2, combined %3 GiB/s")
                 .arg(gibps(c.readGiBps), gibps(c.writeGiBps), gibps(c.combinedGiBps));
    const auto frac = resultformat::spreadFraction(c);
    lines << (frac ? QStringLiteral("spread %1 over %2 loops").arg(spread(frac)).arg(c.loops())
                   : QStringLiteral("measured once: noise unknown"));
    const auto r = p99Ms(c, IoOp::Read), w = p99Ms(c, IoOp::Write);
    if (r || w)
        lines << QStringLiteral("p99 latency: read %1 ms, write %2 ms")
                     .arg(r ? QString::number(*r, 'f', 2) : QStringLiteral("–"),
                          w ? QString::number(*w, 'f', 2) : QStringLiteral("–"));
    if (c.errors > 0)
        lines << QStringLiteral("%1 failed: %2")
                     .arg(c.errors)
                     .arg(QString::fromStdString(c.firstError()));
    lines << QStringLiteral("DeepSpeed tag: %1").arg(QString::fromStdString(c.key.tag()));
    return lines.join('\n');
}

QString profileName(const aiotune::ResultSet& results) {
    // One wording for the window, the CLI and the report (core's SweepFacts).
    return QString::fromStdString(aiotune::SweepFacts::fromResults(results).profile);
}

} // namespace resultformat
