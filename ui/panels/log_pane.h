#pragma once
// The Log tab: every message of the session with its time, errors in the
// palette's error colour, newest at the bottom.
#include <QPlainTextEdit>

class LogPane : public QPlainTextEdit {
    Q_OBJECT
  public:
    explicit LogPane(QWidget* parent = nullptr);

    void appendMessage(const QString& text, bool isError = false);
    int messageCount() const { return m_count; }

  private:
    int m_count = 0;
};
