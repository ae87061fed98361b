#pragma once
// A strip above the window's content for the one message that matters now:
// errors stay until dismissed, information fades after a few seconds.
#include <QFrame>
#include <QPalette>

class QLabel;
class QTimer;
class QToolButton;

class MessageBar : public QFrame {
    Q_OBJECT
  public:
    explicit MessageBar(QWidget* parent = nullptr);

    void showMessage(const QString& text, bool isError);
    void dismiss();
    QString text() const;
    bool isError() const { return m_isError; }

    // Red that reads on both light and dark palettes.
    static QColor errorColor(const QPalette& palette);

  private:
    void applyColors();

    QLabel* m_icon = nullptr;
    QLabel* m_label = nullptr;
    QToolButton* m_close = nullptr;
    QTimer* m_hideTimer = nullptr;
    bool m_isError = false;
};
