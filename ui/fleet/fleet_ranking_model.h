#pragma once
// The nodes of a fleet ranked by their read + write figure at the fleet pick:
// rank, host, figure at the pick, own best, loss against it, and a note
// (outlier gap, missing configurations, or why the folder was left out).
#include "fleet/fleet_analysis.h"

#include <QAbstractTableModel>

class FleetRankingModel : public QAbstractTableModel {
    Q_OBJECT
  public:
    enum Column { RankColumn, HostColumn, AtPickColumn, OwnBestColumn, LossColumn, NoteColumn, ColumnCount };
    // Raw numbers for sorting (display text is rounded).
    static constexpr int SortRole = Qt::UserRole;

    explicit FleetRankingModel(QObject* parent = nullptr);

    void setAnalysis(const aiotune::FleetAnalysis& analysis);
    // Host of a row, for selection and tests.
    QString hostAt(int row) const;
    bool isOutlier(int row) const;

    int rowCount(const QModelIndex& parent = {}) const override;
    int columnCount(const QModelIndex& parent = {}) const override;
    QVariant data(const QModelIndex& index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role = Qt::DisplayRole) const override;

  private:
    struct Row {
        aiotune::FleetHostFigures figures;
        std::optional<aiotune::FleetOutlier> outlier;
        int rank = 0; // 0: not ranked (no figure at the pick)
        bool estimated = false; // the fleet answer's figure here is the node's search estimate
    };
    std::vector<Row> m_rows;
};
