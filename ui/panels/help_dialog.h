#pragma once
// Help > What the settings mean: each DeepSpeed aio setting, what DeepSpeed
// does with it, and what aiotune measures, so the window explains itself
// without the README at hand.
#include <QDialog>

class QTextBrowser;

class HelpDialog : public QDialog {
    Q_OBJECT
  public:
    explicit HelpDialog(QWidget* parent = nullptr);

    // The page as HTML (tests read it).
    static QString html();
    QTextBrowser* browser() const { return m_browser; }

  private:
    QTextBrowser* m_browser = nullptr;
};
