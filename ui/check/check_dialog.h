#pragma once
// The window's face of `aiotune check`: the findings for one DeepSpeed
// config, errors first, each with what DeepSpeed will do and the fix; the
// whole report can be copied as the command line prints it.
#include "check/preflight.h"

#include <QDialog>

class QLabel;
class QLineEdit;
class QPushButton;
class QSpinBox;
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
    // The same with the model size in the dialog's fields (setModelSize);
    // a size that does not parse is named and the config checked without it.
    bool checkWithModelSize(const aiotune::PreflightOptions& options);
    void setReport(const aiotune::CheckReport& report);
    void setFailure(const QString& configFile, const QString& error);

    int findingCount() const;
    QString summaryText() const;
    QString reportText() const { return m_reportText; }

    // The model's size ("7B") and nodes, as `check --model-params --nodes`:
    // free space is then checked against the whole swap footprint.
    void setModelSize(const QString& parameters, int nodes);
    QString modelError() const;

  signals:
    // A model size (or none: empty) was applied by Check again.
    void modelSizeUsed(const QString& parameters, int nodes);

  public slots:
    void copyReport();
    // Checks the same config again with the model size typed in.
    void checkAgain();

  private:
    void showDetails();
    // Checks m_options with the fields' model size; announce: emit modelSizeUsed.
    bool applyModelSize(bool announce);

    QLabel* m_summary = nullptr;
    QTreeWidget* m_list = nullptr;
    QTextBrowser* m_details = nullptr;
    QPushButton* m_copy = nullptr;
    QLineEdit* m_modelParams = nullptr;
    QSpinBox* m_nodes = nullptr;
    QPushButton* m_again = nullptr;
    QLabel* m_modelError = nullptr;
    aiotune::PreflightOptions m_options;
    QString m_reportText;
};
