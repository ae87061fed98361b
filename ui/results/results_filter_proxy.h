#pragma once
// The Table tab's filter: the text is split into words (spaces or commas),
// every word must equal one whole cell of the row (case-insensitive), so
// "8" finds queue depth 8 or 8 threads but not 128K, and "1M single" finds
// rows that are both. The words of the chart's labels count as cells too
// ("1M q32 p8 ss" finds that configuration). Sorting compares the model's numbers directly.
#include <QSortFilterProxyModel>
#include <QStringList>

class ResultsFilterProxy : public QSortFilterProxyModel {
    Q_OBJECT
  public:
    explicit ResultsFilterProxy(QObject* parent = nullptr);

    void setFilterWords(const QString& text);
    const QStringList& filterWords() const { return m_words; }

  protected:
    bool filterAcceptsRow(int sourceRow, const QModelIndex& sourceParent) const override;
    // Numbers straight from a ResultsTableModel (no data() call per comparison);
    // anything else as QSortFilterProxyModel compares it.
    bool lessThan(const QModelIndex& left, const QModelIndex& right) const override;

  private:
    QStringList m_words; // lower case
};
