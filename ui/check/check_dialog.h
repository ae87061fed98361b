#pragma once
// The window's face of `aiotune check`: the findings for one DeepSpeed
// config, errors first, each with what DeepSpeed will do and the fix; the
// whole report can be copied as the command line prints it.
#include "check/preflight.h"

#include <QDialog>

class QLabel;
class QPushButton;
class QTextBrowser;
class QTreeWidget;

class CheckDialog : public QDialog {
    Q_OBJECT
  public:
    explicit CheckDialog(QWidget* parent = nullptr);

    // The options the window uses: this machine, its last sweep for comparison.
    static aiotune::PreflightOptions defaultOptions(const QString& configFile);

    // Runs the check and shows its findings, or why it could not run; false then.
    bool check(const aiotune::PreflightOptions& options);
    void setReport(const aiotune::CheckReport& report);
    void setFailure(const QString& configFile, const QString& error);

    int findingCount() const;
    QString summaryText() const;
    QString reportText() const { return m_reportText; }

  public slots:
    void copyReport();

  private:
    void showDetails();

    QLabel* m_summary = nullptr;
    QTreeWidget* m_list = nullptr;
    QTextBrowser* m_details = nullptr;
    QPushButton* m_copy = nullptr;
    QString m_reportText;
};
