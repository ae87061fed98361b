#include "fleet/hosts_view.h"

#include "fleet/fleet_ranking_model.h"
#include "results/best_config_panel.h"
#include "results/heatmap_widget.h"
#include "util/byte_size.h"

#include <QFileInfo>
#include <QHeaderView>
#include <QLabel>
#include <QSortFilterProxyModel>
#include <QSplitter>
#include <QTableView>
#include <QVBoxLayout>
#include <QtConcurrent>

namespace {
// Heatmap column labels must be short: "1M qd8 ×8" (+ " seq", " single", " 2f").
QString shortLabel(const aiotune::ConfigKey& k) {
    QString s = QString::fromStdString(aiotune::formatByteSizeTag(k.aio.block_size)) +
                QStringLiteral(" qd%1").arg(k.aio.queue_depth);
    if (k.aio.intra_op_parallelism != 1) s += QStringLiteral(" ×%1").arg(k.aio.intra_op_parallelism);
    if (!k.aio.overlap_events) s += QStringLiteral(" seq");
    if (k.aio.single_submit) s += QStringLiteral(" single");
    if (k.folders != 1) s += QStringLiteral(" %1f").arg(k.folders);
    return s;
}
} // namespace

HostsView::HostsView(QWidget* parent) : QWidget(parent) {
    setObjectName(QStringLiteral("hostsView"));
    setWindowTitle(tr("Hosts — aiotune"));
    auto* layout = new QVBoxLayout(this);
    m_summary = new QLabel(this);
    m_summary->setWordWrap(true);
    m_summary->setTextInteractionFlags(Qt::TextSelectableByMouse);
    layout->addWidget(m_summary);

    auto* split = new QSplitter(Qt::Horizontal, this);
    auto* left = new QSplitter(Qt::Vertical, split);
    m_heatmap = new HeatmapWidget(left);
    m_heatmap->setPlaceholder(tr("Open a folder of host folders (the --log_dir of aiotune fleet)."));
    m_ranking = new FleetRankingModel(this);
    m_proxy = new QSortFilterProxyModel(this);
    m_proxy->setSourceModel(m_ranking);
    m_proxy->setSortRole(FleetRankingModel::SortRole);
    m_table = new QTableView(left);
    m_table->setObjectName(QStringLiteral("fleetRanking"));
    m_table->setModel(m_proxy);
    m_table->setSortingEnabled(true);
    m_table->sortByColumn(FleetRankingModel::RankColumn, Qt::AscendingOrder);
    m_table->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_table->verticalHeader()->hide();
    m_table->horizontalHeader()->setStretchLastSection(true);
    m_pick = new BestConfigPanel(split);
    split->setStretchFactor(0, 3);
    split->setStretchFactor(1, 1);
    layout->addWidget(split, 1);
    connect(m_pick, &BestConfigPanel::message, this, &HostsView::message);
    setAnalysis({});
}

void HostsView::openFolder(const QString& folder) {
    const quint64 job = ++m_job; // a newer open supersedes this one
    m_summary->setText(tr("Reading %1…").arg(folder));
    QtConcurrent::run([folder]() -> aiotune::Result<aiotune::FleetAnalysis> {
        // The stored fleet answer while the host folders are unchanged: what analyze, export and report give.
        return aiotune::fleetAnalysisFor(folder.toStdString());
    }).then(this, [this, job, folder](aiotune::Result<aiotune::FleetAnalysis> result) {
        if (job != m_job) return;
        if (!result) {
            const QString error = QString::fromStdString(result.error());
            m_summary->setText(error);
            emit message(error, true);
            emit loadFailed(folder, error);
            return;
        }
        setAnalysis(*result, folder);
        emit loaded(folder);
    });
}

void HostsView::setAnalysis(const aiotune::FleetAnalysis& analysis, const QString& folder) {
    m_analysis = analysis;
    m_folder = folder;
    if (!folder.isEmpty()) setWindowTitle(tr("Hosts: %1 — aiotune").arg(QFileInfo(folder).fileName()));
    m_ranking->setAnalysis(analysis);
    m_table->resizeColumnsToContents();
    m_pick->setRecommendation(aiotune::fleetRecommendation(analysis));

    // Rows: hosts in name order (damaged ones too, as empty rows); columns: every configuration.
    QStringList columns, rows;
    for (const auto& k : analysis.configs) columns << shortLabel(k);
    for (const auto& h : analysis.hosts) rows << QString::fromStdString(h.host);
    QVector<HeatmapWidget::Cell> cells;
    for (int r = 0; r < rows.size(); ++r) {
        const auto& h = analysis.hosts[r];
        for (int c = 0; c < columns.size(); ++c) {
            const auto v = analysis.combined(h.host, analysis.configs[c]);
            if (!v) continue;
            QString tip = QStringLiteral("%1 — %2: %3 GiB/s")
                              .arg(rows[r], QString::fromStdString(analysis.configs[c].label()))
                              .arg(*v, 0, 'f', 2);
            if (h.best && h.best->combinedGiBps && *h.best->combinedGiBps > 0)
                tip += tr(", %1% below this host's best").arg((1 - *v / *h.best->combinedGiBps) * 100, 0, 'f', 1);
            cells.push_back({c, r, *v, analysis.configs[c], tip});
        }
    }
    m_heatmap->setAxes(columns, tr("configuration"), rows, tr("host"));
    m_heatmap->setCells(cells, QStringLiteral("GiB/s"));
    m_heatmap->setMarkedKey(analysis.pick);
    if (cells.isEmpty())
        m_heatmap->setPlaceholder(analysis.hosts.empty() ? tr("No hosts.") : tr("No host has usable figures."));
    m_summary->setText(summaryText());
}

QString HostsView::summaryText() const {
    const auto& fa = m_analysis;
    const aiotune::FleetAnswer& a = fa.answer;
    if (fa.hosts.empty()) return tr("No fleet open: open a folder of host folders.");
    QString s = tr("%n host(s)", nullptr, static_cast<int>(fa.hosts.size()));
    if (!fa.pick) return s + QStringLiteral(". ") + QString::fromStdString(fa.message);
    s += tr(". Fleet answer (★): %1 — worst node %2 at %3 GiB/s, median %4 GiB/s. %5")
             .arg(QString::fromStdString(fa.pick->label()), QString::fromStdString(fa.worstHost))
             .arg(a.bestGiBps, 0, 'f', 2)
             .arg(fa.medianGiBps, 0, 'f', 2)
             .arg(QString::fromStdString(a.countsText()));
    if (!a.bestEstimatedOn.empty()) {
        QStringList names;
        for (const auto& h : a.bestEstimatedOn) names << QString::fromStdString(h);
        s += tr(" Estimated, not measured, on %1.").arg(names.join(QStringLiteral(", ")));
    }
    if (!a.sharedDriveNote.empty()) s += tr(" Not a real fleet: %1").arg(QString::fromStdString(a.sharedDriveNote));
    if (fa.outliers.empty()) return s + tr(" No outlier beyond the noise (%1 GiB/s).").arg(fa.noiseGiBps, 0, 'f', 2);
    QStringList names;
    for (const auto& o : fa.outliers)
        names << tr("%1 (%2 GiB/s, %3% below)")
                     .arg(QString::fromStdString(o.host))
                     .arg(o.gapGiBps, 0, 'f', 2)
                     .arg(o.gapFraction * 100, 0, 'f', 1);
    return s + tr(" Outliers: %1.").arg(names.join(QStringLiteral(", ")));
}
