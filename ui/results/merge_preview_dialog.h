#pragma once
// Shows what merging the aio settings into a DeepSpeed config will change (a
// unified diff, +/- lines colored) and the merge's warnings; nothing is
// written unless the user accepts.
#include <QDialog>
#include <QStringList>

class QPlainTextEdit;

class MergePreviewDialog : public QDialog {
    Q_OBJECT
  public:
    MergePreviewDialog(const QString& file, const QString& diff, const QStringList& warnings,
                       QWidget* parent = nullptr);

    QString diffText() const;

  private:
    QPlainTextEdit* m_diff = nullptr;
};
