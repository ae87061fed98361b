// Dark theme: unticked checkboxes and radio buttons stand out (their outline
// has at least 3:1 contrast, WCAG's rule for controls, against the base inside
// them and the window around them), measured on the rendered pixels; the
// light theme draws them exactly as plain Fusion does.
#include "settings/theme.h"

#include <QApplication>
#include <QCheckBox>
#include <QImage>
#include <QRadioButton>
#include <QStyle>
#include <QStyleFactory>
#include <QStyleOptionButton>
#include <QTest>

#include <cmath>
#include <memory>

namespace {

// WCAG 2 relative luminance and contrast ratio.
double channel(double c) {
    c /= 255.0;
    return c <= 0.04045 ? c / 12.92 : std::pow((c + 0.055) / 1.055, 2.4);
}
double luminance(const QColor& c) {
    return 0.2126 * channel(c.red()) + 0.7152 * channel(c.green()) + 0.0722 * channel(c.blue());
}
double contrast(const QColor& a, const QColor& b) {
    const double la = luminance(a), lb = luminance(b);
    return (std::max(la, lb) + 0.05) / (std::min(la, lb) + 0.05);
}

// The highest contrast of any pixel of the indicator against `against`.
double indicatorContrast(QAbstractButton* button, const QColor& against) {
    button->resize(button->sizeHint());
    const QImage image = button->grab().toImage();
    QStyleOptionButton option;
    option.initFrom(button);
    const bool radio = qobject_cast<QRadioButton*>(button) != nullptr;
    const QRect box = button->style()->subElementRect(
        radio ? QStyle::SE_RadioButtonIndicator : QStyle::SE_CheckBoxIndicator, &option, button);
    double best = 1.0;
    for (int y = box.top(); y <= box.bottom(); ++y)
        for (int x = box.left(); x <= box.right(); ++x)
            if (image.rect().contains(x, y))
                best = std::max(best, contrast(image.pixelColor(x, y), against));
    return best;
}

} // namespace

class TestThemeIndicators : public QObject {
    Q_OBJECT
  private slots:
    void cleanup() { applyTheme(Theme::System); }

    void darkOutlineContrast() {
        const QColor outline = indicatorOutline(Theme::Dark);
        QVERIFY(outline.isValid());
        const QPalette dark = themePalette(Theme::Dark);
        QVERIFY2(contrast(outline, dark.color(QPalette::Base)) >= 3.0,
                 qPrintable(QString::number(contrast(outline, dark.color(QPalette::Base)))));
        QVERIFY2(contrast(outline, dark.color(QPalette::Window)) >= 3.0,
                 qPrintable(QString::number(contrast(outline, dark.color(QPalette::Window)))));
        // Light and System keep the style's own.
        QVERIFY(!indicatorOutline(Theme::Light).isValid());
        QVERIFY(!indicatorOutline(Theme::System).isValid());
    }

    // What the user sees: the rendered outline of an unticked box, in dark,
    // against the base inside it; plain Fusion on the same palette is the
    // nearly invisible one the fix replaces.
    void darkIndicatorsAreVisible() {
        applyTheme(Theme::Dark);
        const QColor base = QApplication::palette().color(QPalette::Base);
        QCheckBox check(QStringLiteral("overlap"));
        QRadioButton radio(QStringLiteral("Best"));
        for (QAbstractButton* b :
             {static_cast<QAbstractButton*>(&check), static_cast<QAbstractButton*>(&radio)}) {
            QVERIFY(!b->isChecked());
            const double c = indicatorContrast(b, base);
            QVERIFY2(c >= 3.0, qPrintable(QStringLiteral("%1: %2").arg(b->text()).arg(c)));
        }
        std::unique_ptr<QStyle> fusion(QStyleFactory::create(QStringLiteral("Fusion")));
        QCheckBox plain(QStringLiteral("overlap"));
        plain.setStyle(fusion.get());
        QVERIFY2(indicatorContrast(&plain, base) < 3.0,
                 "plain Fusion was visible after all: drop the outline");
        // Disabled boxes stay visible too, if dimmer.
        check.setEnabled(false);
        QVERIFY(indicatorContrast(&check, base) >= 2.0);
    }

    void lightIsPlainFusion() {
        applyTheme(Theme::Light);
        QVERIFY(QApplication::style()->objectName() != QLatin1String("aiotune-dark"));
        std::unique_ptr<QStyle> fusion(QStyleFactory::create(QStringLiteral("Fusion")));
        for (bool radio : {false, true}) {
            std::unique_ptr<QAbstractButton> themed, plain;
            if (radio) {
                themed = std::make_unique<QRadioButton>(QStringLiteral("Best"));
                plain = std::make_unique<QRadioButton>(QStringLiteral("Best"));
            } else {
                themed = std::make_unique<QCheckBox>(QStringLiteral("overlap"));
                plain = std::make_unique<QCheckBox>(QStringLiteral("overlap"));
            }
            plain->setStyle(fusion.get());
            plain->setPalette(fusion->standardPalette());
            themed->resize(themed->sizeHint());
            plain->resize(themed->sizeHint());
            QCOMPARE(themed->grab().toImage(), plain->grab().toImage());
        }
    }

    void systemRestoresTheStartStyle() {
        const QString start = QApplication::style()->name();
        const QColor window = QApplication::palette().color(QPalette::Window);
        applyTheme(Theme::Dark);
        QCOMPARE(QApplication::style()->objectName(), QStringLiteral("aiotune-dark"));
        applyTheme(Theme::Dark); // again: the same style stays
        QCOMPARE(QApplication::style()->objectName(), QStringLiteral("aiotune-dark"));
        applyTheme(Theme::System);
        QCOMPARE(QApplication::style()->name(), start);
        QCOMPARE(QApplication::palette().color(QPalette::Window), window);
    }
};

QTEST_MAIN(TestThemeIndicators)
#include "test_theme_indicators.moc"
