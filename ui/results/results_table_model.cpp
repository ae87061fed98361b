#include "results/results_table_model.h"

#include "results/analysis.h"
#include "results/answer.h"
#include "results/result_format.h"
#include "results/sweep_summary.h"

#include <QApplication>
#include <QColor>
#include <QFont>
#include <QPalette>
#include <QIcon>
#include <QStyle>
#include <QTimer>

#include <algorithm>
#include <limits>
#include <map>

using aiotune::ConfigKey;
using aiotune::ConfigResult;

namespace {
// The rows the answer marks: its best (bold) and its recommendation (a check
// mark; none when the answer is partial and claims none).
std::pair<std::optional<ConfigKey>, std::optional<ConfigKey>> marks(const aiotune::Recommendation& rec) {
    // Only a best with both figures is marked: a lone first write of a live
    // sweep is not yet an answer worth a bold row.
    const aiotune::Answer& a = rec.answer;
    if (!a.found || !rec.best) return {};
    return {a.best, a.recommended};
}

constexpr double kAbsent = std::numeric_limits<double>::lowest();

// An orange that reads on the palette's base: dark on a light table, light on a dark one.
QColor warningColor() {
    const bool dark = qobject_cast<QGuiApplication*>(qApp) &&
                      QGuiApplication::palette().color(QPalette::Base).lightness() < 128;
    return dark ? QColor(0xff, 0xb3, 0x47) : QColor(0xa8, 0x52, 0x00);
}

} // namespace

ResultsTableModel::ResultsTableModel(QObject* parent) : QAbstractTableModel(parent) {
    registerResultMetaTypes();
    m_analysisTimer = new QTimer(this);
    m_analysisTimer->setSingleShot(true);
    m_analysisTimer->setInterval(kAnalysisIntervalMs);
    connect(m_analysisTimer, &QTimer::timeout, this, &ResultsTableModel::updateRecommendation);
}

void ResultsTableModel::setResults(const aiotune::ResultSet& results) {
    setResults(results, aiotune::analyze(results));
}

void ResultsTableModel::setResults(aiotune::ResultSet results, aiotune::Recommendation recommendation) {
    m_analysisTimer->stop();
    beginResetModel();
    m_results = std::move(results);
    m_recommendation = std::move(recommendation);
    m_noAnswerReason.clear();
    m_stale = false;
    m_flags = aiotune::checkPlausibility(m_results, m_linkLimits);
    m_markedBest = marks(m_recommendation).first;
    m_markedRecommended = marks(m_recommendation).second;
    endResetModel();
    emit recommendationChanged(m_recommendation);
}

const aiotune::Recommendation& ResultsTableModel::recommendation() const {
    if (m_stale) {
        m_recommendation = aiotune::analyze(m_results);
        m_stale = false;
        if (!m_noAnswerReason.isEmpty() && !m_recommendation.answer.found) {
            const std::string reason = m_noAnswerReason.toStdString();
            m_recommendation.answer.message = m_recommendation.message = reason;
            m_recommendation.answer.confidenceText = m_recommendation.confidenceText = reason;
        }
    }
    return m_recommendation;
}

void ResultsTableModel::setNoAnswerReason(const QString& reason) {
    m_noAnswerReason = reason;
    m_stale = true;
    updateRecommendation();
}

void ResultsTableModel::setStoredAnswer(aiotune::Answer answer) {
    m_results.answer = std::move(answer);
    m_stale = true;
    updateRecommendation();
}

void ResultsTableModel::storeAnswer() {
    m_results.answer = aiotune::answerFor(m_results);
    m_stale = true;
    updateRecommendation();
}

void ResultsTableModel::setSweepState(aiotune::SweepStatus status, const std::string& strategy) {
    m_results.status = status;
    if (!strategy.empty()) m_results.strategy = strategy;
    m_stale = true;
    updateRecommendation();
}

bool ResultsTableModel::analysisPending() const { return m_analysisTimer->isActive(); }

void ResultsTableModel::flushAnalysis() {
    if (m_analysisTimer->isActive()) updateRecommendation();
}

void ResultsTableModel::addSample(const ConfigKey& key, const aiotune::Sample& sample) {
    const int existing = rowOf(key);
    if (existing >= 0) {
        m_results.add(key, sample);
        emit dataChanged(index(existing, 0), index(existing, ColumnCount - 1));
    } else {
        // ResultSet keeps its configurations sorted by key; insert where it will.
        const auto it =
            std::lower_bound(m_results.configs.begin(), m_results.configs.end(), key,
                             [](const ConfigResult& c, const ConfigKey& k) { return c.key < k; });
        const int row = static_cast<int>(it - m_results.configs.begin());
        beginInsertRows({}, row, row);
        m_results.add(key, sample);
        endInsertRows();
    }
    m_stale = true;
    if (!m_analysisTimer->isActive()) m_analysisTimer->start();
}

void ResultsTableModel::clear() {
    setResults({});
}

const ConfigResult* ResultsTableModel::configAt(int row) const {
    if (row < 0 || row >= static_cast<int>(m_results.configs.size())) return nullptr;
    return &m_results.configs[static_cast<std::size_t>(row)];
}

int ResultsTableModel::rowOf(const ConfigKey& key) const {
    const ConfigResult* found = m_results.find(key);
    return found ? static_cast<int>(found - m_results.configs.data()) : -1;
}

std::vector<int> ResultsTableModel::updatePlausibility() {
    auto next = aiotune::checkPlausibility(m_results, m_linkLimits);
    if (next == m_flags) return {};
    std::vector<int> rows;
    for (const auto* flags : {&m_flags, &next})
        for (const auto& f : *flags) rows.push_back(rowOf(f.key));
    m_flags = std::move(next);
    return rows;
}

bool ResultsTableModel::flagged(const ConfigKey& key, std::optional<aiotune::IoOp> op) const {
    return std::any_of(m_flags.begin(), m_flags.end(),
                       [&](const aiotune::PlausibilityFlag& f) { return f.key == key && (!op || f.op == *op); });
}

void ResultsTableModel::updateRecommendation() {
    m_analysisTimer->stop();
    std::vector<int> flaggedRows = updatePlausibility();
    std::sort(flaggedRows.begin(), flaggedRows.end());
    flaggedRows.erase(std::unique(flaggedRows.begin(), flaggedRows.end()), flaggedRows.end());
    for (int row : flaggedRows)
        if (row >= 0)
            emit dataChanged(index(row, 0), index(row, ColumnCount - 1),
                             {Qt::ForegroundRole, Qt::DecorationRole, Qt::ToolTipRole, PlausibilityRole});
    const aiotune::Recommendation& next = recommendation();
    const auto [best, recommended] = marks(next);
    if (best != m_markedBest || recommended != m_markedRecommended) {
        std::vector<int> rows;
        for (const auto& k : {m_markedBest, m_markedRecommended, best, recommended})
            if (k) rows.push_back(rowOf(*k));
        std::sort(rows.begin(), rows.end());
        rows.erase(std::unique(rows.begin(), rows.end()), rows.end());
        m_markedBest = best;
        m_markedRecommended = recommended;
        for (int row : rows)
            if (row >= 0)
                emit dataChanged(index(row, 0), index(row, ColumnCount - 1),
                                 {Qt::FontRole, Qt::DecorationRole, Qt::ToolTipRole, IsBestRole,
                                  IsRecommendedRole});
    }
    emit recommendationChanged(m_recommendation);
}

int ResultsTableModel::rowCount(const QModelIndex& parent) const {
    return parent.isValid() ? 0 : static_cast<int>(m_results.configs.size());
}

int ResultsTableModel::columnCount(const QModelIndex& parent) const {
    return parent.isValid() ? 0 : ColumnCount;
}

QVariant ResultsTableModel::displayCell(const ConfigResult& c, int column) const {
    const auto& aio = c.key.aio;
    switch (column) {
    case BlockSizeColumn:
        return resultformat::blockSize(aio.block_size);
    case QueueDepthColumn:
        return aio.queue_depth;
    case ThreadsColumn:
        return aio.intra_op_parallelism;
    case SubmitColumn:
        return resultformat::submitMode(aio.single_submit);
    case OverlapColumn:
        return resultformat::overlapMode(aio.overlap_events);
    case FoldersColumn:
        return c.key.folders;
    case ReadColumn:
        return resultformat::gibps(c.readGiBps);
    case WriteColumn:
        return resultformat::gibps(c.writeGiBps);
    case CombinedColumn:
        return resultformat::gibps(c.combinedGiBps);
    case SpreadColumn:
        return resultformat::spread(resultformat::spreadFraction(c));
    case SamplesColumn:
        return c.loops(); // the report's count too: the most of one operation
    case P99Column: {
        const auto p99 = resultformat::worstP99Ms(c);
        return p99 ? QString::number(*p99, 'f', 2) : QStringLiteral("–");
    }
    case ErrorColumn:
        if (c.errors == 0) return QString();
        return c.errors == 1
                   ? QString::fromStdString(c.firstError())
                   : tr("%1 failed: %2").arg(c.errors).arg(QString::fromStdString(c.firstError()));
    }
    return {};
}

QVariant ResultsTableModel::sortCell(const ConfigResult& c, int column) const {
    // Absent figures sort below every number, so a descending sort by
    // combined puts the best first and read-only rows last.
    const auto number = [](std::optional<double> v) { return QVariant(v.value_or(kAbsent)); };
    const auto& aio = c.key.aio;
    switch (column) {
    case BlockSizeColumn:
        return QVariant::fromValue<qulonglong>(aio.block_size);
    case QueueDepthColumn:
        return aio.queue_depth;
    case ThreadsColumn:
        return aio.intra_op_parallelism;
    case SubmitColumn:
        return aio.single_submit ? 1 : 0;
    case OverlapColumn:
        return aio.overlap_events ? 1 : 0;
    case FoldersColumn:
        return c.key.folders;
    case ReadColumn:
        return number(c.readGiBps);
    case WriteColumn:
        return number(c.writeGiBps);
    case CombinedColumn:
        return number(c.combinedGiBps);
    case SpreadColumn:
        return number(resultformat::spreadFraction(c));
    case SamplesColumn:
        return c.loops(); // the report's count too: the most of one operation
    case P99Column:
        return number(resultformat::worstP99Ms(c));
    case ErrorColumn:
        return c.errors;
    }
    return {};
}

std::optional<double> ResultsTableModel::sortNumber(int row, int column) const {
    const ConfigResult* c = configAt(row);
    if (!c || column == ErrorColumn) return std::nullopt;
    const QVariant v = sortCell(*c, column);
    return v.toDouble();
}

QVariant ResultsTableModel::data(const QModelIndex& index, int role) const {
    if (!hasIndex(index.row(), index.column(), index.parent())) return {};
    const ConfigResult& c = m_results.configs[static_cast<std::size_t>(index.row())];
    // The marks as last announced, so a row never shows a mark before its dataChanged.
    const bool isBest = m_markedBest && *m_markedBest == c.key;
    const bool isRecommended = m_markedRecommended && *m_markedRecommended == c.key;
    switch (role) {
    case Qt::DisplayRole:
        return displayCell(c, index.column());
    case SortRole:
        return sortCell(c, index.column());
    case ConfigKeyRole:
        return QVariant::fromValue(c.key);
    case IsBestRole:
        return isBest;
    case IsRecommendedRole:
        return isRecommended;
    case PlausibilityRole: {
        QStringList messages;
        for (const auto& f : m_flags)
            if (f.key == c.key) messages << QString::fromStdString(f.message);
        return messages;
    }
    case Qt::ForegroundRole:
        // The flagged figure itself (combined when either is), in a warning colour.
        if ((index.column() == ReadColumn && flagged(c.key, aiotune::IoOp::Read)) ||
            (index.column() == WriteColumn && flagged(c.key, aiotune::IoOp::Write)) ||
            (index.column() == CombinedColumn && flagged(c.key)))
            return warningColor();
        return {};
    case Qt::ToolTipRole: {
        QString tip = resultformat::tooltip(c);
        // A multi-folder configuration: what each drive did on its own.
        if (const QString perDrive = sweepsummary::perFolderText(m_results, c.key); !perDrive.isEmpty())
            tip += QLatin1Char('\n') + perDrive;
        // Where the answer puts it, in the answer's own words.
        if (const aiotune::ConfigStanding* st = m_recommendation.answer.standing(c.key))
            tip.prepend(QString::fromStdString(std::string(aiotune::configStateName(st->state))) + QStringLiteral(": ") +
                        QString::fromStdString(st->reason) + QLatin1Char('\n'));
        if (isRecommended && !isBest)
            tip.prepend(tr("Recommended: the cheapest shown to be within the tolerance of the best\n"));
        // Why a figure cannot be true comes first: it changes how to read the rest.
        const QStringList warnings = data(index, PlausibilityRole).toStringList();
        if (!warnings.isEmpty())
            tip.prepend(QStringLiteral("⚠ ") + warnings.join(QStringLiteral("\n⚠ ")) + QLatin1Char('\n'));
        return tip;
    }
    case Qt::FontRole:
        if (isBest) {
            QFont bold;
            bold.setBold(true);
            return bold;
        }
        return {};
    case Qt::DecorationRole:
        // A check mark on the recommended row (the best one when nothing
        // cheaper is within the noise); needs a widget style to draw.
        if (index.column() == BlockSizeColumn && isRecommended && qobject_cast<QApplication*>(qApp))
            return QApplication::style()->standardIcon(QStyle::SP_DialogApplyButton);
        // A warning sign on a figure that cannot be true.
        if (((index.column() == ReadColumn && flagged(c.key, aiotune::IoOp::Read)) ||
             (index.column() == WriteColumn && flagged(c.key, aiotune::IoOp::Write))) &&
            qobject_cast<QApplication*>(qApp))
            return QApplication::style()->standardIcon(QStyle::SP_MessageBoxWarning);
        return {};
    case Qt::TextAlignmentRole:
        if (index.column() >= ReadColumn && index.column() <= P99Column)
            return QVariant::fromValue(Qt::AlignRight | Qt::AlignVCenter);
        if (index.column() == QueueDepthColumn || index.column() == ThreadsColumn ||
            index.column() == FoldersColumn)
            return QVariant::fromValue(Qt::AlignRight | Qt::AlignVCenter);
        return {};
    }
    return {};
}

QVariant ResultsTableModel::headerData(int section, Qt::Orientation orientation, int role) const {
    if (orientation != Qt::Horizontal || section < 0 || section >= ColumnCount) return {};
    if (role == Qt::DisplayRole) {
        switch (section) {
        case BlockSizeColumn:
            return tr("Block");
        case QueueDepthColumn:
            return tr("Depth");
        case ThreadsColumn:
            return tr("Threads");
        case SubmitColumn:
            return tr("Submit");
        case OverlapColumn:
            return tr("Overlap");
        case FoldersColumn:
            return tr("Folders");
        case ReadColumn:
            return tr("Read GiB/s");
        case WriteColumn:
            return tr("Write GiB/s");
        case CombinedColumn:
            return tr("Combined GiB/s");
        case SpreadColumn:
            return tr("Spread");
        case SamplesColumn:
            return tr("Samples");
        case P99Column:
            return tr("p99 ms");
        case ErrorColumn:
            return tr("Error");
        }
    }
    if (role == Qt::ToolTipRole) {
        switch (section) {
        case BlockSizeColumn:
            return tr("block_size: bytes per I/O request");
        case QueueDepthColumn:
            return tr("queue_depth: requests in flight per thread");
        case ThreadsColumn:
            return tr("intra_op_parallelism (thread_count before DeepSpeed 0.16.4)");
        case SubmitColumn:
            return tr("single_submit: one submit call per request (single) or per batch (block)");
        case OverlapColumn:
            return tr("overlap_events: sliding window (overlap) or lock-step batches (sequential)");
        case FoldersColumn:
            return tr("Folders (drives) driven at once");
        case ReadColumn:
            return tr("Median read throughput, GiB/s (DeepSpeed's \"GB/sec\")");
        case WriteColumn:
            return tr("Median write throughput, GiB/s");
        case CombinedColumn:
            return tr("Read + write: DeepSpeed's ranking figure");
        case SpreadColumn:
            return tr("Half the min..max range of the repetitions, relative to the median");
        case SamplesColumn:
            return tr("Measurements of one operation: the more of reads or writes, failed ones too");
        case P99Column:
            return tr("99th percentile request latency, the worse of read and write, ms");
        case ErrorColumn:
            return tr("Why transfers of this configuration failed");
        }
    }
    return {};
}

QString indexesToTsv(const QModelIndexList& indexes, bool withHeader) {
    if (indexes.isEmpty()) return {};
    const QAbstractItemModel* model = indexes.first().model();
    // Rows and columns in view order, whatever order the selection came in.
    std::map<int, std::map<int, QString>> cells;
    std::map<int, bool> columns;
    for (const QModelIndex& i : indexes) {
        if (!i.isValid() || i.model() != model) continue;
        QString text = i.data(Qt::DisplayRole).toString();
        text.replace('\t', ' ').replace('\n', ' ');
        cells[i.row()][i.column()] = text;
        columns[i.column()] = true;
    }
    QStringList lines;
    if (withHeader) {
        QStringList header;
        for (const auto& [column, _] : columns)
            header << model->headerData(column, Qt::Horizontal, Qt::DisplayRole).toString();
        lines << header.join('\t');
    }
    for (const auto& [row, rowCells] : cells) {
        QStringList line;
        for (const auto& [column, _] : columns) {
            const auto it = rowCells.find(column);
            line << (it != rowCells.end() ? it->second : QString());
        }
        lines << line.join('\t');
    }
    return lines.join('\n') + '\n';
}
