#pragma once
// A ComparisonModel in a sortable table under a one-line summary
// ("B is 12.0% faster than A on A's best configuration ..."), with its own
// pickers for A and B: the current results, a recent folder, or one browsed
// to. The window reads the folders (compareRequested) and feeds the model.
#include "results/metatypes.h"

#include <QWidget>

#include <functional>

class ComparisonModel;
class QComboBox;
class QLabel;
class QPushButton;
class QSortFilterProxyModel;
class QTableView;

class ComparisonView : public QWidget {
    Q_OBJECT
  public:
    explicit ComparisonView(QWidget* parent = nullptr);

    void setBaseline(const aiotune::ResultSet& results, const QString& name);
    void setOther(const aiotune::ResultSet& results, const QString& name);

    // What the pickers offer: "Current results" (when there are some) and the recent folders.
    void setSources(bool haveCurrent, const QStringList& recentFolders);
    // Picks the sides; an empty folder means the current results.
    void setPicked(const QString& a, const QString& b);
    QString pickedA() const;
    QString pickedB() const;
    // Folder dialog for Browse…, replaceable by tests.
    void setFolderChooser(std::function<QString()> chooser) { m_chooser = std::move(chooser); }
    QComboBox* pickerA() const { return m_pickA; }
    QComboBox* pickerB() const { return m_pickB; }
    QPushButton* compareButton() const { return m_compare; }

    ComparisonModel* model() const { return m_model; }
    QTableView* table() const { return m_table; }
    QString summaryText() const;
    // Shown above the summary when A and B were not measured alike; hidden otherwise.
    QLabel* warningLabel() const { return m_warning; }

  signals:
    // Folders to read; an empty one means the current results.
    void compareRequested(const QString& a, const QString& b);

  private:
    void updateSummary();
    void browse(QComboBox* picker);
    void updateCompareButton();

    ComparisonModel* m_model = nullptr;
    QSortFilterProxyModel* m_proxy = nullptr;
    QLabel* m_names = nullptr;
    QLabel* m_summary = nullptr;
    QLabel* m_warning = nullptr;
    QTableView* m_table = nullptr;
    QComboBox* m_pickA = nullptr;
    QComboBox* m_pickB = nullptr;
    QPushButton* m_compare = nullptr;
    bool m_haveCurrent = false;
    std::function<QString()> m_chooser;
};
