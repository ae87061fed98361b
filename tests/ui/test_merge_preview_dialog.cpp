// The merge diff reads in light and dark themes: added and removed lines keep
// a contrast of at least 4.5:1 (WCAG AA) between their text and background.
#include "results/merge_preview_dialog.h"

#include <QApplication>
#include <QPlainTextEdit>
#include <QTest>
#include <QTextBlock>
#include <QTextLayout>

#include <algorithm>
#include <cmath>

namespace {
double luminance(const QColor& c) {
    auto channel = [](double v) {
        return v <= 0.03928 ? v / 12.92 : std::pow((v + 0.055) / 1.055, 2.4);
    };
    return 0.2126 * channel(c.redF()) + 0.7152 * channel(c.greenF()) + 0.0722 * channel(c.blueF());
}
double contrast(const QColor& a, const QColor& b) {
    const double la = luminance(a), lb = luminance(b);
    return (std::max(la, lb) + 0.05) / (std::min(la, lb) + 0.05);
}
QColor over(const QColor& top, const QColor& base) {
    const double a = top.alphaF();
    return QColor::fromRgbF(top.redF() * a + base.redF() * (1 - a),
                            top.greenF() * a + base.greenF() * (1 - a),
                            top.blueF() * a + base.blueF() * (1 - a));
}
} // namespace

class TestMergePreviewDialog : public QObject {
    Q_OBJECT
  private slots:
    void diffReadable_data() {
        QTest::addColumn<QColor>("base");
        QTest::addColumn<QColor>("text");
        QTest::addRow("light") << QColor(Qt::white) << QColor(0x1f, 0x1f, 0x1f);
        QTest::addRow("dark") << QColor(0x1e, 0x1e, 0x1e) << QColor(0xe0, 0xe0, 0xe0);
    }
    void diffReadable() {
        QFETCH(QColor, base);
        QFETCH(QColor, text);
        const QPalette saved = QApplication::palette();
        QPalette p = saved;
        p.setColor(QPalette::Base, base);
        p.setColor(QPalette::Text, text);
        QApplication::setPalette(p);
        MergePreviewDialog dialog("/tmp/ds_config.json",
                                  "--- a\n+++ b\n@@ -1 +1 @@\n-  \"queue_depth\": 8\n+  \"queue_depth\": 32\n",
                                  {});
        QApplication::setPalette(saved);
        auto* edit = dialog.findChild<QPlainTextEdit*>();
        QVERIFY(edit);
        int checked = 0;
        for (QTextBlock b = edit->document()->begin(); b.isValid(); b = b.next()) {
            const QString line = b.text();
            if (line.startsWith("+++") || line.startsWith("---")) continue;
            if (!line.startsWith('+') && !line.startsWith('-')) continue;
            const auto formats = b.layout()->formats();
            QCOMPARE(formats.size(), 1);
            const QTextCharFormat& f = formats.first().format;
            QVERIFY(f.background().style() != Qt::NoBrush); // tinted: added and removed stand out
            const QColor fg = f.hasProperty(QTextFormat::ForegroundBrush) ? f.foreground().color() : text;
            const QColor bg = over(f.background().color(), base);
            QVERIFY2(contrast(fg, bg) >= 4.5,
                     qPrintable(QStringLiteral("%1: %2 on %3, contrast %4")
                                    .arg(line, fg.name(), bg.name())
                                    .arg(contrast(fg, bg))));
            ++checked;
        }
        QCOMPARE(checked, 2);
    }
};

QTEST_MAIN(TestMergePreviewDialog)
#include "test_merge_preview_dialog.moc"
