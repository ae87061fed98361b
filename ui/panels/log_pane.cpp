#include "panels/log_pane.h"

#include "panels/message_bar.h"

#include <QDateTime>
#include <QFontDatabase>
#include <QScrollBar>

LogPane::LogPane(QWidget* parent) : QPlainTextEdit(parent) {
    setReadOnly(true);
    setFont(QFontDatabase::systemFont(QFontDatabase::FixedFont));
    setMaximumBlockCount(20000); // a long session must not grow without bound
    setPlaceholderText(tr("Messages from sweeps and opened folders appear here."));
}

void LogPane::appendMessage(const QString& text, bool isError) {
    ++m_count;
    const QString time = QDateTime::currentDateTime().toString(QStringLiteral("HH:mm:ss"));
    QString html = QStringLiteral("<span style=\"opacity:0.6\">%1</span>&nbsp;&nbsp;").arg(time);
    QString body = text.toHtmlEscaped().replace(QLatin1Char('\n'), QStringLiteral("<br>"));
    if (isError)
        body = QStringLiteral("<span style=\"color:%1\">%2</span>")
                   .arg(MessageBar::errorColor(palette()).name(), body);
    appendHtml(html + body);
    verticalScrollBar()->setValue(verticalScrollBar()->maximum());
}
