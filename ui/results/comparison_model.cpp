#include "results/comparison_model.h"

#include "results/analysis.h"
#include "results/result_format.h"

#include <QBrush>
#include <QColor>

#include <cmath>
#include <limits>
#include <map>

using aiotune::ConfigResult;

namespace {
// Readable on light and dark backgrounds.
const QColor kFaster(0x2e, 0xa0, 0x43);
const QColor kSlower(0xd7, 0x3a, 0x49);

// "+0.65", "-1.00", "0.00": the sign of the value as shown, never "-0.00".
QString signedNumber(double v, int decimals, const QString& suffix) {
    const QString text = QString::number(std::abs(v), 'f', decimals);
    const bool zero = text.toDouble() == 0.0;
    return (zero ? QString() : v > 0 ? QStringLiteral("+") : QStringLiteral("-")) + text + suffix;
}
} // namespace

ComparisonModel::ComparisonModel(QObject* parent) : QAbstractTableModel(parent) {
    registerResultMetaTypes();
}

void ComparisonModel::setBaseline(const aiotune::ResultSet& results, const QString& name) {
    m_a = results;
    m_nameA = name;
    rebuild();
    emit headerDataChanged(Qt::Horizontal, 0, ColumnCount - 1);
}

void ComparisonModel::setOther(const aiotune::ResultSet& results, const QString& name) {
    m_b = results;
    m_nameB = name;
    rebuild();
    emit headerDataChanged(Qt::Horizontal, 0, ColumnCount - 1);
}

void ComparisonModel::clear() {
    m_a = {};
    m_b = {};
    m_nameA.clear();
    m_nameB.clear();
    rebuild();
}

void ComparisonModel::rebuild() {
    beginResetModel();
    std::map<aiotune::ConfigKey, Row> rows; // key order, like the results table
    for (const ConfigResult& c : m_a.configs)
        rows[c.key].a = c;
    for (const ConfigResult& c : m_b.configs)
        rows[c.key].b = c;
    m_rows.clear();
    // Only once both sides hold something: an empty side is no sweep to differ from.
    m_comparability = !m_a.configs.empty() && !m_b.configs.empty() ? aiotune::compareSweeps(m_a, m_b)
                                                                   : aiotune::Comparability{};
    for (auto& [key, row] : rows) {
        row.key = key;
        m_rows.push_back(std::move(row));
    }
    endResetModel();
}

std::optional<double> ComparisonModel::delta(int row) const {
    if (row < 0 || row >= rowCount()) return std::nullopt;
    const Row& r = m_rows[static_cast<std::size_t>(row)];
    if (!r.a || !r.b || !r.a->combinedGiBps || !r.b->combinedGiBps) return std::nullopt;
    return *r.b->combinedGiBps - *r.a->combinedGiBps;
}

std::optional<double> ComparisonModel::deltaFraction(int row) const {
    const auto d = delta(row);
    if (!d) return std::nullopt;
    const double base = *m_rows[static_cast<std::size_t>(row)].a->combinedGiBps;
    return base > 0.0 ? std::optional<double>(*d / base) : std::nullopt;
}

std::optional<aiotune::ConfigKey> ComparisonModel::keyAt(int row) const {
    if (row < 0 || row >= rowCount()) return std::nullopt;
    return m_rows[static_cast<std::size_t>(row)].key;
}

QString ComparisonModel::summary() const {
    const auto recA = aiotune::analyze(m_a), recB = aiotune::analyze(m_b);
    if (!recA.best || !recB.best)
        return tr("Open two result sets with read and write figures to compare them.");
    const ConfigResult& bestA = *recA.best;
    const double a = *bestA.combinedGiBps;
    const ConfigResult* inB = m_b.find(bestA.key);
    QString text;
    if (inB && inB->combinedGiBps) {
        const double b = *inB->combinedGiBps;
        const double change = a > 0.0 ? (b - a) / a : 0.0;
        const QString verdict = std::abs(change) < 0.0005 ? tr("B is as fast as A")
                                : change > 0.0
                                    ? tr("B is %1% faster than A").arg(change * 100.0, 0, 'f', 1)
                                    : tr("B is %1% slower than A").arg(-change * 100.0, 0, 'f', 1);
        text = tr("%1 on A's best configuration (%2): %3 vs %4 GiB/s combined.")
                   .arg(verdict, resultformat::longLabel(bestA.key), resultformat::gibps(b),
                        resultformat::gibps(a));
    } else {
        const double b = *recB.best->combinedGiBps;
        text = tr("A's best configuration (%1) was not measured in B. Best of A: %2, best of B: %3 "
                  "GiB/s "
                  "combined (%4%5%).")
                   .arg(resultformat::longLabel(bestA.key), resultformat::gibps(a),
                        resultformat::gibps(b), b >= a ? QStringLiteral("+") : QString())
                   .arg(a > 0.0 ? (b - a) / a * 100.0 : 0.0, 0, 'f', 1);
        return text;
    }
    if (recB.best->key != bestA.key)
        text += tr(" B's own best is %1 at %2 GiB/s.")
                    .arg(resultformat::longLabel(recB.best->key),
                         resultformat::gibps(recB.best->combinedGiBps));
    return text;
}

QString ComparisonModel::comparabilityWarning() const {
    return QString::fromStdString(m_comparability.explanation());
}

int ComparisonModel::rowCount(const QModelIndex& parent) const {
    return parent.isValid() ? 0 : static_cast<int>(m_rows.size());
}

int ComparisonModel::columnCount(const QModelIndex& parent) const {
    return parent.isValid() ? 0 : ColumnCount;
}

QVariant ComparisonModel::number(const Row& r, int column) const {
    const auto v = [](const std::optional<ConfigResult>& c, auto member) -> QVariant {
        if (!c || !((*c).*member)) return {};
        return *((*c).*member);
    };
    const int row = static_cast<int>(&r - m_rows.data());
    switch (column) {
    case AReadColumn:
        return v(r.a, &ConfigResult::readGiBps);
    case AWriteColumn:
        return v(r.a, &ConfigResult::writeGiBps);
    case ACombinedColumn:
        return v(r.a, &ConfigResult::combinedGiBps);
    case BReadColumn:
        return v(r.b, &ConfigResult::readGiBps);
    case BWriteColumn:
        return v(r.b, &ConfigResult::writeGiBps);
    case BCombinedColumn:
        return v(r.b, &ConfigResult::combinedGiBps);
    case DeltaColumn: {
        const auto d = delta(row);
        return d ? QVariant(*d) : QVariant();
    }
    case DeltaPercentColumn: {
        const auto f = deltaFraction(row);
        return f ? QVariant(*f * 100.0) : QVariant();
    }
    }
    return {};
}

QVariant ComparisonModel::data(const QModelIndex& index, int role) const {
    if (!hasIndex(index.row(), index.column(), index.parent())) return {};
    const Row& r = m_rows[static_cast<std::size_t>(index.row())];
    const int column = index.column();
    switch (role) {
    case Qt::DisplayRole: {
        if (column == ConfigColumn) return resultformat::shortLabel(r.key);
        const QVariant n = number(r, column);
        if (!n.isValid()) {
            // Say why a side is empty rather than leaving a bare dash.
            if ((column >= AReadColumn && column <= ACombinedColumn && !r.a) ||
                (column >= BReadColumn && column <= BCombinedColumn && !r.b))
                return tr("not run");
            return QStringLiteral("–");
        }
        if (column == DeltaColumn) return signedNumber(n.toDouble(), 2, QString());
        if (column == DeltaPercentColumn) return signedNumber(n.toDouble(), 1, QStringLiteral("%"));
        return QString::number(n.toDouble(), 'f', 2);
    }
    case SortRole:
        if (column == ConfigColumn) return index.row(); // rows are in key order
        {
            // Absent figures sort below every number (last when descending).
            const QVariant n = number(r, column);
            return n.isValid() ? n : QVariant(std::numeric_limits<double>::lowest());
        }
    case ConfigKeyRole:
        return QVariant::fromValue(r.key);
    case Qt::ToolTipRole: {
        QString tip = resultformat::longLabel(r.key);
        if (r.a)
            tip += QStringLiteral("\nA (%1): %2")
                       .arg(m_nameA, resultformat::tooltip(*r.a).section('\n', 1, 2));
        if (r.b)
            tip += QStringLiteral("\nB (%1): %2")
                       .arg(m_nameB, resultformat::tooltip(*r.b).section('\n', 1, 2));
        return tip;
    }
    case Qt::ForegroundRole:
        if (column == DeltaColumn || column == DeltaPercentColumn) {
            // Colored only when the shown percentage is not zero.
            const auto f = deltaFraction(index.row());
            if (f && *f >= 0.0005) return QBrush(kFaster);
            if (f && *f <= -0.0005) return QBrush(kSlower);
        }
        return {};
    case Qt::TextAlignmentRole:
        if (column != ConfigColumn) return QVariant::fromValue(Qt::AlignRight | Qt::AlignVCenter);
        return {};
    }
    return {};
}

QVariant ComparisonModel::headerData(int section, Qt::Orientation orientation, int role) const {
    // The configuration also names each row in the vertical header, which
    // stays in place while the figures scroll sideways.
    if (orientation == Qt::Vertical) {
        if (section < 0 || section >= static_cast<int>(m_rows.size())) return {};
        if (role == Qt::DisplayRole || role == Qt::ToolTipRole)
            return data(index(section, ConfigColumn), role);
        return {};
    }
    if (section < 0 || section >= ColumnCount) return {};
    if (role == Qt::DisplayRole) {
        switch (section) {
        case ConfigColumn:
            return tr("Configuration");
        case AReadColumn:
            return tr("A read");
        case AWriteColumn:
            return tr("A write");
        case ACombinedColumn:
            return tr("A combined");
        case BReadColumn:
            return tr("B read");
        case BWriteColumn:
            return tr("B write");
        case BCombinedColumn:
            return tr("B combined");
        case DeltaColumn:
            return tr("Δ = B − A GiB/s");
        case DeltaPercentColumn:
            return tr("Δ %");
        }
    }
    if (role == Qt::ToolTipRole) {
        if (section >= AReadColumn && section <= ACombinedColumn)
            return tr("A: %1 (GiB/s)").arg(m_nameA);
        if (section >= BReadColumn && section <= BCombinedColumn)
            return tr("B: %1 (GiB/s)").arg(m_nameB);
        if (section == DeltaColumn) return tr("B combined minus A combined, GiB/s");
        if (section == DeltaPercentColumn) return tr("Change of the combined figure from A to B");
    }
    return {};
}
