#include "panels/message_bar.h"

#include <QHBoxLayout>
#include <QLabel>
#include <QStyle>
#include <QTimer>
#include <QToolButton>

MessageBar::MessageBar(QWidget* parent) : QFrame(parent) {
    setObjectName(QStringLiteral("messageBar"));
    setFrameShape(QFrame::StyledPanel);
    setAutoFillBackground(true);
    auto* layout = new QHBoxLayout(this);
    layout->setContentsMargins(8, 4, 4, 4);
    m_icon = new QLabel(this);
    m_label = new QLabel(this);
    m_label->setWordWrap(true);
    m_label->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_close = new QToolButton(this);
    m_close->setAutoRaise(true);
    m_close->setIcon(style()->standardIcon(QStyle::SP_TitleBarCloseButton));
    m_close->setToolTip(tr("Dismiss"));
    layout->addWidget(m_icon);
    layout->addWidget(m_label, 1);
    layout->addWidget(m_close);
    m_hideTimer = new QTimer(this);
    m_hideTimer->setSingleShot(true);
    connect(m_hideTimer, &QTimer::timeout, this, &MessageBar::dismiss);
    connect(m_close, &QToolButton::clicked, this, &MessageBar::dismiss);
    hide();
}

void MessageBar::showMessage(const QString& text, bool isError) {
    m_isError = isError;
    m_label->setText(text);
    const auto icon = isError ? QStyle::SP_MessageBoxCritical : QStyle::SP_MessageBoxInformation;
    m_icon->setPixmap(style()->standardIcon(icon).pixmap(16, 16));
    applyColors();
    show();
    if (isError)
        m_hideTimer->stop();
    else
        m_hideTimer->start(6000);
}

void MessageBar::dismiss() {
    m_hideTimer->stop();
    hide();
}

QString MessageBar::text() const {
    return isHidden() ? QString() : m_label->text();
}

QColor MessageBar::errorColor(const QPalette& palette) {
    const bool dark = palette.color(QPalette::Window).lightness() < 128;
    return dark ? QColor(0xff, 0x7b, 0x72) : QColor(0xc0, 0x1c, 0x28);
}

void MessageBar::applyColors() {
    QPalette p = palette();
    const QColor base = parentWidget() ? parentWidget()->palette().color(QPalette::Window)
                                       : p.color(QPalette::Window);
    const QColor tint = m_isError ? errorColor(p) : p.color(QPalette::Highlight);
    // A light wash of the tint over the window colour keeps text readable in both palettes.
    QColor bg;
    bg.setRgbF(base.redF() * 0.85 + tint.redF() * 0.15, base.greenF() * 0.85 + tint.greenF() * 0.15,
               base.blueF() * 0.85 + tint.blueF() * 0.15);
    p.setColor(QPalette::Window, bg);
    setPalette(p);
}
