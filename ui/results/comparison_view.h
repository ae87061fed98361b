#pragma once
// A ComparisonModel in a sortable table under a one-line summary
// ("B is 12.0% faster than A on A's best configuration ...").
#include "results/metatypes.h"

#include <QWidget>

class ComparisonModel;
class QLabel;
class QSortFilterProxyModel;
class QTableView;

class ComparisonView : public QWidget {
    Q_OBJECT
  public:
    explicit ComparisonView(QWidget* parent = nullptr);

    void setBaseline(const aiotune::ResultSet& results, const QString& name);
    void setOther(const aiotune::ResultSet& results, const QString& name);

    ComparisonModel* model() const { return m_model; }
    QTableView* table() const { return m_table; }
    QString summaryText() const;

  private:
    void updateSummary();

    ComparisonModel* m_model = nullptr;
    QSortFilterProxyModel* m_proxy = nullptr;
    QLabel* m_names = nullptr;
    QLabel* m_summary = nullptr;
    QTableView* m_table = nullptr;
};
