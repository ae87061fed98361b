#pragma once
// The Table tab's page: every configuration as a sortable row, the figures first,
// under a filter line (whole values, all must match; Esc clears it) and its
// row count. Owns its view and proxy; the model is the window's.
#include "results/metatypes.h"

#include <QWidget>

#include <vector>

class QLabel;
class QLineEdit;
class QTableView;
class ResultsFilterProxy;
class ResultsTableModel;

class TablePage : public QWidget {
    Q_OBJECT
  public:
    explicit TablePage(ResultsTableModel* model, QWidget* parent = nullptr);

    QTableView* table() const { return m_table; }
    ResultsFilterProxy* proxy() const { return m_proxy; }
    QLineEdit* filterEdit() const { return m_filter; }
    QLabel* rowCountLabel() const { return m_rowCount; }

    // Selects and shows the row of `key` when the filter keeps it.
    void showConfig(const aiotune::ConfigKey& key);
    // The configurations of the selected rows, in the order shown.
    std::vector<const aiotune::ConfigResult*> selectedConfigs() const;
    // The selected rows as tab-separated text on the clipboard; how many rows.
    int copySelection();
    void focusFilter();

  signals:
    // The current row moved to this configuration.
    void currentConfigChanged(const aiotune::ConfigKey& key);

  protected:
    bool eventFilter(QObject* watched, QEvent* event) override;

  private:
    void updateRowCount();
    void sizeColumns();

    ResultsTableModel* m_model = nullptr;
    ResultsFilterProxy* m_proxy = nullptr;
    QTableView* m_table = nullptr;
    QLineEdit* m_filter = nullptr;
    QLabel* m_rowCount = nullptr;
};
