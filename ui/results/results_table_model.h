#pragma once
// One row per configuration of a ResultSet, fed whole (a log folder) or
// sample by sample (a running sweep, through a queued signal). Display strings
// are formatted; SortRole holds raw numbers so a QSortFilterProxyModel with
// setSortRole(ResultsTableModel::SortRole) sorts numerically.
#include "results/metatypes.h"
#include "results/plausibility.h"

#include <QAbstractTableModel>
#include <QModelIndexList>

class QTimer;

class ResultsTableModel : public QAbstractTableModel {
    Q_OBJECT
  public:
    enum Column {
        BlockSizeColumn,
        QueueDepthColumn,
        ThreadsColumn,
        SubmitColumn,
        OverlapColumn,
        FoldersColumn,
        ReadColumn,
        WriteColumn,
        CombinedColumn,
        SpreadColumn,
        SamplesColumn,
        P99Column,
        ErrorColumn,
        ColumnCount
    };
    enum Role {
        SortRole = Qt::UserRole, // raw number per column; the lowest double when absent
        ConfigKeyRole,           // aiotune::ConfigKey of the row, any column
        IsBestRole,              // bool
        IsRecommendedRole,       // bool
        PlausibilityRole,        // QStringList: why the row's figures cannot be true; empty when clean
    };

    explicit ResultsTableModel(QObject* parent = nullptr);

    void setResults(const aiotune::ResultSet& results);
    // The same with the analysis already drawn (off the UI thread: analyzing
    // thousands of configurations would stall the window).
    void setResults(aiotune::ResultSet results, aiotune::Recommendation recommendation);
    // Adds one measured transfer: a new configuration inserts a row (in key
    // order), a known one updates its row. The analysis (best marks,
    // recommendationChanged) follows at most every kAnalysisIntervalMs, so a
    // fast feed does not re-rank the whole set on the UI thread per sample.
    void addSample(const aiotune::ConfigKey& key, const aiotune::Sample& sample);
    static constexpr int kAnalysisIntervalMs = 100;
    // Runs the pending analysis now (marks, recommendationChanged); no-op when none is due.
    void flushAnalysis();
    bool analysisPending() const;
    void clear();

    // The drives' links the figures are judged against (plausibility.h); kept
    // until replaced, applied from the next setResults or analysis on.
    void setLinkLimits(const aiotune::LinkLimits& limits) { m_linkLimits = limits; }
    // Figures that cannot be true, as of the last analysis. A flagged row shows
    // a warning icon and colour on the figure and the messages in its tooltip.
    const std::vector<aiotune::PlausibilityFlag>& plausibilityFlags() const { return m_flags; }

    const aiotune::ResultSet& results() const { return m_results; }
    const aiotune::ConfigResult* configAt(int row) const;
    // -1 when the configuration has no row.
    int rowOf(const aiotune::ConfigKey& key) const;
    // Always up to date with the samples (computed on demand while the
    // coalesced update is pending).
    const aiotune::Recommendation& recommendation() const;
    // Keeps the answer the runner decided with the results (answerFor then
    // gives it while the samples are unchanged).
    void setStoredAnswer(aiotune::Answer answer);
    // Decides the answer again from all samples (answerFor) and keeps it.
    void storeAnswer();
    // The state of the sweep feeding the samples in (Running while it runs, so
    // a provisional answer is partial: "the sweep had not finished") and its
    // strategy ("adaptive", "grid"), as the runner's own answer would say.
    void setSweepState(aiotune::SweepStatus status, const std::string& strategy);
    // Why a sweep that ended without an answer has none (its error, not the
    // answer's generic "measure both operations again"): shown as the
    // answer's message while there is no answer; cleared by new results.
    void setNoAnswerReason(const QString& reason);

    // SortRole's value as a number, without a QVariant (the proxy sorts
    // thousands of rows with it); nullopt for a column that is not numeric.
    std::optional<double> sortNumber(int row, int column) const;

    int rowCount(const QModelIndex& parent = {}) const override;
    int columnCount(const QModelIndex& parent = {}) const override;
    QVariant data(const QModelIndex& index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation,
                        int role = Qt::DisplayRole) const override;

  signals:
    void recommendationChanged(const aiotune::Recommendation& recommendation);

  private:
    QVariant displayCell(const aiotune::ConfigResult& c, int column) const;
    QVariant sortCell(const aiotune::ConfigResult& c, int column) const;
    // Re-runs analyze(), repaints rows whose best/recommended mark moved, emits.
    void updateRecommendation();
    // Re-runs checkPlausibility(); the rows whose flags changed, in no order.
    std::vector<int> updatePlausibility();
    bool flagged(const aiotune::ConfigKey& key, std::optional<aiotune::IoOp> op = std::nullopt) const;

    aiotune::ResultSet m_results;
    mutable aiotune::Recommendation m_recommendation;
    mutable bool m_stale = false; // samples arrived since m_recommendation was drawn
    QString m_noAnswerReason;
    // The marks the rows last showed (what updateRecommendation compares with).
    std::optional<aiotune::ConfigKey> m_markedBest, m_markedRecommended;
    QTimer* m_analysisTimer = nullptr;
    aiotune::LinkLimits m_linkLimits;
    std::vector<aiotune::PlausibilityFlag> m_flags;
};

// Tab-separated text of the given cells (any model, e.g. through a proxy),
// rows and columns in view order, with the header line when withHeader; for
// Ctrl+C into a spreadsheet. Empty for an empty list.
QString indexesToTsv(const QModelIndexList& indexes, bool withHeader = true);
