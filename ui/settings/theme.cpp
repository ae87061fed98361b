#include "settings/theme.h"

#include <QApplication>
#include <QPainter>
#include <QPalette>
#include <QProxyStyle>
#include <QStyle>
#include <QStyleFactory>
#include <QStyleOption>

#include <memory>

namespace {

// Outlines of checkbox and radio indicators in the dark theme. Fusion draws
// them in the window colour darkened, nearly invisible on a dark base; these
// stand out from both the base inside the box and the window around it (more
// than 3:1, the contrast WCAG asks of controls).
const QColor kDarkIndicatorOutline(0x9a, 0xa0, 0xa6);
const QColor kDarkIndicatorOutlineDisabled(0x6b, 0x6f, 0x76);

// Fusion with visible indicator outlines: Fusion's own drawing first, then
// the outline on top. Only the dark theme uses it; light keeps plain Fusion.
class DarkIndicatorStyle : public QProxyStyle {
  public:
    DarkIndicatorStyle() : QProxyStyle(QStyleFactory::create(QStringLiteral("Fusion"))) {
        setObjectName(QStringLiteral("aiotune-dark"));
    }

    void drawPrimitive(PrimitiveElement element, const QStyleOption* option, QPainter* painter,
                       const QWidget* widget) const override {
        QProxyStyle::drawPrimitive(element, option, painter, widget);
        if (element != PE_IndicatorCheckBox && element != PE_IndicatorRadioButton) return;
        painter->save();
        painter->setRenderHint(QPainter::Antialiasing, true);
        painter->setBrush(Qt::NoBrush);
        painter->setPen(QPen(option->state & State_Enabled ? kDarkIndicatorOutline
                                                           : kDarkIndicatorOutlineDisabled,
                             1.0));
        // Fusion's box spans the rect less its last pixel row and column.
        const QRectF box = QRectF(option->rect).adjusted(0.5, 0.5, -1.5, -1.5);
        if (element == PE_IndicatorRadioButton)
            painter->drawEllipse(box);
        else
            painter->drawRoundedRect(box, 1.0, 1.0);
        painter->restore();
    }
};

// What the application looked like before any theme was applied.
struct Startup {
    QString styleName;
    QPalette palette;
    bool captured = false;
};

Startup& startup() {
    static Startup s;
    if (!s.captured && qApp) {
        s.styleName = QApplication::style()->name();
        s.palette = QApplication::palette();
        s.captured = true;
    }
    return s;
}

QPalette darkPalette() {
    // Greys rather than black: text and chart lines keep their contrast, and
    // disabled text stays legible (WCAG AA for normal text on the window colour).
    QPalette p;
    const QColor window(0x2b, 0x2d, 0x31), base(0x1e, 0x1f, 0x22), text(0xe6, 0xe6, 0xe6);
    const QColor disabled(0x8a, 0x8d, 0x93), highlight(0x3d, 0x7e, 0xd8);
    p.setColor(QPalette::Window, window);
    p.setColor(QPalette::WindowText, text);
    p.setColor(QPalette::Base, base);
    p.setColor(QPalette::AlternateBase, QColor(0x27, 0x29, 0x2d));
    p.setColor(QPalette::ToolTipBase, QColor(0x3a, 0x3d, 0x42));
    p.setColor(QPalette::ToolTipText, text);
    p.setColor(QPalette::PlaceholderText, disabled);
    p.setColor(QPalette::Text, text);
    p.setColor(QPalette::Button, QColor(0x35, 0x37, 0x3c));
    p.setColor(QPalette::ButtonText, text);
    p.setColor(QPalette::BrightText, QColor(0xff, 0x6b, 0x6b));
    p.setColor(QPalette::Light, QColor(0x4a, 0x4d, 0x53));
    p.setColor(QPalette::Midlight, QColor(0x40, 0x43, 0x48));
    p.setColor(QPalette::Mid, QColor(0x25, 0x27, 0x2a));
    p.setColor(QPalette::Dark, QColor(0x1a, 0x1b, 0x1d));
    p.setColor(QPalette::Shadow, QColor(0x0f, 0x0f, 0x10));
    p.setColor(QPalette::Highlight, highlight);
    p.setColor(QPalette::HighlightedText, Qt::white);
    p.setColor(QPalette::Link, QColor(0x6c, 0xb6, 0xff));
    p.setColor(QPalette::LinkVisited, QColor(0xb3, 0x9d, 0xff));
    for (auto role : {QPalette::WindowText, QPalette::Text, QPalette::ButtonText})
        p.setColor(QPalette::Disabled, role, disabled);
    p.setColor(QPalette::Disabled, QPalette::Highlight, QColor(0x4a, 0x4d, 0x53));
    return p;
}

} // namespace

QString themeName(Theme theme) {
    switch (theme) {
    case Theme::Light:
        return QStringLiteral("light");
    case Theme::Dark:
        return QStringLiteral("dark");
    case Theme::System:
        break;
    }
    return QStringLiteral("system");
}

Theme parseTheme(const QString& name) {
    if (name == QLatin1String("light")) return Theme::Light;
    if (name == QLatin1String("dark")) return Theme::Dark;
    return Theme::System;
}

void applyTheme(Theme theme) {
    if (!qApp) return;
    const Startup& s = startup();
    const bool dark = QApplication::style()->objectName() == QLatin1String("aiotune-dark");
    if (theme == Theme::System) {
        if (dark || QApplication::style()->name() != s.styleName)
            QApplication::setStyle(QStyleFactory::create(s.styleName));
        QApplication::setPalette(s.palette);
        return;
    }
    if (theme == Theme::Dark) {
        if (!dark) QApplication::setStyle(new DarkIndicatorStyle); // the application owns it
        QApplication::setPalette(darkPalette());
        return;
    }
    if (dark ||
        QApplication::style()->name().compare(QLatin1String("fusion"), Qt::CaseInsensitive) != 0)
        QApplication::setStyle(QStyleFactory::create(QStringLiteral("Fusion")));
    QApplication::setPalette(QApplication::style()->standardPalette());
}

QColor indicatorOutline(Theme theme) {
    return theme == Theme::Dark ? kDarkIndicatorOutline : QColor();
}

QPalette themePalette(Theme theme) {
    switch (theme) {
    case Theme::Dark:
        return darkPalette();
    case Theme::Light: {
        const std::unique_ptr<QStyle> fusion(QStyleFactory::create(QStringLiteral("Fusion")));
        return fusion ? fusion->standardPalette() : QPalette();
    }
    case Theme::System:
        break;
    }
    return startup().palette;
}
