#pragma once
// A fleet at a glance (a folder of host folders, as `aiotune fleet` writes):
// a summary line (the fleet answer of core's fleetAnalysisFor(): worst node,
// how many configurations measured on every node and estimated, outliers or
// why these hosts are no real fleet), a nodes x configurations
// heatmap of read + write throughput with the pick starred, the node ranking
// at the pick, and the pick itself in a BestConfigPanel (copy, export, merge
// like any other result). The folder is read off the UI thread.
#include "fleet/fleet_analysis.h"
#include "results/metatypes.h"

#include <QWidget>

class BestConfigPanel;
class FleetRankingModel;
class HeatmapWidget;
class QLabel;
class QSortFilterProxyModel;
class QTableView;

class HostsView : public QWidget {
    Q_OBJECT
  public:
    explicit HostsView(QWidget* parent = nullptr);

    // Reads the folder in the background; loaded or loadFailed follows.
    void openFolder(const QString& folder);
    void setAnalysis(const aiotune::FleetAnalysis& analysis, const QString& folder = {});
    const aiotune::FleetAnalysis& analysis() const { return m_analysis; }
    QString folder() const { return m_folder; }

    HeatmapWidget* heatmap() const { return m_heatmap; }
    FleetRankingModel* rankingModel() const { return m_ranking; }
    QTableView* rankingTable() const { return m_table; }
    BestConfigPanel* pickPanel() const { return m_pick; }
    QString summaryText() const;

  signals:
    void loaded(const QString& folder);
    void loadFailed(const QString& folder, const QString& error);
    void message(const QString& text, bool isError);

  private:
    aiotune::FleetAnalysis m_analysis;
    QString m_folder;
    quint64 m_job = 0;
    QLabel* m_summary = nullptr;
    HeatmapWidget* m_heatmap = nullptr;
    FleetRankingModel* m_ranking = nullptr;
    QSortFilterProxyModel* m_proxy = nullptr;
    QTableView* m_table = nullptr;
    BestConfigPanel* m_pick = nullptr;
};
