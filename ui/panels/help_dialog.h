#pragma once
// Help > What the settings mean: each DeepSpeed aio setting, what DeepSpeed
// does with it and what usually wins on NVMe, how to pick the io size, what
// aiotune measures and how to read its answer (★ ✓ ≈ ? ✗, tied, confidence),
// so the window explains itself without the README at hand.
//
// settingTip() is the one wording of each setting: the Help page, the Ranges
// inputs' tooltips and the Best panel's tooltips all show it.
#include <QDialog>

class QTextBrowser;

class HelpDialog : public QDialog {
    Q_OBJECT
  public:
    explicit HelpDialog(QWidget* parent = nullptr);

    // The page as HTML (tests read it).
    static QString html();
    // Plain text for one setting: what it does in DeepSpeed and what usually
    // wins on NVMe. Keys: block_size, queue_depth, intra_op_parallelism,
    // single_submit, overlap_events, use_gds, io_size, loops. Empty for
    // anything else.
    static QString settingTip(const QString& key);
    // Paragraphs of plain text as a tooltip that wraps (Qt wraps only rich text).
    static QString toolTip(const QStringList& paragraphs);
    // The keys settingTip() knows, in the order the Help page lists them.
    static QStringList settingKeys();
    QTextBrowser* browser() const { return m_browser; }

  private:
    QTextBrowser* m_browser = nullptr;
};
