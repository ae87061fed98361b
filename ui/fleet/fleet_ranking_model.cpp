#include "fleet/fleet_ranking_model.h"

#include <QBrush>

#include <algorithm>
#include <QColor>
#include <QGuiApplication>
#include <QPalette>

FleetRankingModel::FleetRankingModel(QObject* parent) : QAbstractTableModel(parent) {}

void FleetRankingModel::setAnalysis(const aiotune::FleetAnalysis& analysis) {
    beginResetModel();
    m_rows.clear();
    int rank = 0;
    for (const aiotune::FleetHostFigures* h : analysis.ranking()) {
        Row r{*h, std::nullopt, h->atPick ? ++rank : 0};
        for (const auto& o : analysis.outliers)
            if (o.host == h->host) r.outlier = o;
        const auto& estimated = analysis.answer.bestEstimatedOn;
        r.estimated = std::find(estimated.begin(), estimated.end(), h->host) != estimated.end();
        m_rows.push_back(std::move(r));
    }
    endResetModel();
}

QString FleetRankingModel::hostAt(int row) const {
    return row >= 0 && row < static_cast<int>(m_rows.size()) ? QString::fromStdString(m_rows[row].figures.host)
                                                             : QString();
}

bool FleetRankingModel::isOutlier(int row) const {
    return row >= 0 && row < static_cast<int>(m_rows.size()) && m_rows[row].outlier.has_value();
}

int FleetRankingModel::rowCount(const QModelIndex& parent) const {
    return parent.isValid() ? 0 : static_cast<int>(m_rows.size());
}

int FleetRankingModel::columnCount(const QModelIndex& parent) const { return parent.isValid() ? 0 : ColumnCount; }

QVariant FleetRankingModel::data(const QModelIndex& index, int role) const {
    if (!hasIndex(index.row(), index.column(), index.parent())) return {};
    const Row& r = m_rows[index.row()];
    const auto& f = r.figures;
    // -1: no figure (GCC misreads a std::optional<double> here as maybe uninitialized).
    const double atPick = f.atPick ? f.atPick->combinedGiBps.value_or(-1.0) : -1.0;
    const double best = f.best ? f.best->combinedGiBps.value_or(-1.0) : -1.0;
    if (role == SortRole) {
        switch (index.column()) {
        case RankColumn: return r.rank ? r.rank : 1 << 30; // unranked last
        case HostColumn: return QString::fromStdString(f.host);
        case AtPickColumn: return atPick;
        case OwnBestColumn: return best;
        case LossColumn: return f.atPick ? f.lossFraction : -1.0;
        default: return data(index, Qt::DisplayRole);
        }
    }
    if (role == Qt::DisplayRole) {
        switch (index.column()) {
        case RankColumn: return r.rank ? QString::number(r.rank) : QStringLiteral("–");
        case HostColumn: return QString::fromStdString(f.host);
        case AtPickColumn: return atPick >= 0 ? QString::number(atPick, 'f', 2) : QStringLiteral("–");
        case OwnBestColumn: return best >= 0 ? QString::number(best, 'f', 2) : QStringLiteral("–");
        case LossColumn: return f.atPick ? QString::number(f.lossFraction * 100.0, 'f', 1) + "%" : QStringLiteral("–");
        case NoteColumn: {
            QStringList notes;
            if (r.outlier)
                notes << tr("outlier: %1 GiB/s (%2%) below the median")
                             .arg(r.outlier->gapGiBps, 0, 'f', 2)
                             .arg(r.outlier->gapFraction * 100.0, 0, 'f', 1);
            if (r.estimated) notes << tr("the answer estimated by its search, not measured here");
            if (!f.error.empty()) notes << tr("left out: %1").arg(QString::fromStdString(f.error).left(120));
            if (!f.missing.empty() && f.best) notes << tr("%n configuration(s) missing", nullptr, int(f.missing.size()));
            if (f.best && f.atPick) notes << tr("own best: %1").arg(QString::fromStdString(f.best->key.label()));
            return notes.join(QStringLiteral("; "));
        }
        }
    }
    if (role == Qt::ToolTipRole && index.column() == NoteColumn) {
        QStringList lines;
        if (!f.error.empty()) lines << QString::fromStdString(f.error);
        for (const auto& k : f.missing) lines << tr("missing: %1").arg(QString::fromStdString(k.label()));
        if (!f.recordedHost.empty()) lines << tr("sweep.json says host %1").arg(QString::fromStdString(f.recordedHost));
        return lines.isEmpty() ? QVariant() : lines.join('\n');
    }
    if (role == Qt::ForegroundRole && (r.outlier || !f.error.empty()))
        return QBrush(QColor(r.outlier ? 0xd0 : 0x90, r.outlier ? 0x30 : 0x90, r.outlier ? 0x30 : 0x90));
    if (role == Qt::TextAlignmentRole && index.column() != HostColumn && index.column() != NoteColumn)
        return int(Qt::AlignRight | Qt::AlignVCenter);
    return {};
}

QVariant FleetRankingModel::headerData(int section, Qt::Orientation orientation, int role) const {
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole) return {};
    switch (section) {
    case RankColumn: return tr("#");
    case HostColumn: return tr("Host");
    case AtPickColumn: return tr("At fleet pick (GiB/s)");
    case OwnBestColumn: return tr("Own best (GiB/s)");
    case LossColumn: return tr("Loss");
    case NoteColumn: return tr("Note");
    }
    return {};
}
