#include "results/merge_preview_dialog.h"

#include <QDialogButtonBox>
#include <QFileInfo>
#include <QFontDatabase>
#include <QLabel>
#include <QPlainTextEdit>
#include <QPushButton>
#include <QSyntaxHighlighter>
#include <QVBoxLayout>

namespace {
// Added lines green, removed red, hunk headers purple. The text keeps the
// palette's own colour (light on dark, dark on light) and only the background
// is tinted, so neither theme gets red on dark red.
class DiffHighlighter : public QSyntaxHighlighter {
  public:
    DiffHighlighter(QTextDocument* document, const QPalette& palette)
        : QSyntaxHighlighter(document), m_dark(palette.color(QPalette::Base).lightness() < 128) {}

    static QColor added(bool dark) { return dark ? QColor(0x23, 0x86, 0x36, 110) : QColor(0xcc, 0xff, 0xd8); }
    static QColor removed(bool dark) { return dark ? QColor(0xda, 0x36, 0x33, 110) : QColor(0xff, 0xd7, 0xd5); }

  protected:
    void highlightBlock(const QString& text) override {
        QTextCharFormat f;
        if (text.startsWith(QLatin1String("+++")) || text.startsWith(QLatin1String("---"))) {
            f.setFontWeight(QFont::Bold);
        } else if (text.startsWith('+')) {
            f.setBackground(added(m_dark));
        } else if (text.startsWith('-')) {
            f.setBackground(removed(m_dark));
        } else if (text.startsWith(QLatin1String("@@"))) {
            f.setForeground(m_dark ? QColor(0xd2, 0xa8, 0xff) : QColor(0x6f, 0x42, 0xc1));
        } else {
            return;
        }
        setFormat(0, static_cast<int>(text.size()), f);
    }

  private:
    bool m_dark;
};
} // namespace

MergePreviewDialog::MergePreviewDialog(const QString& file, const QString& diff,
                                       const QStringList& warnings, QWidget* parent)
    : QDialog(parent) {
    setWindowTitle(tr("Merge aio settings into %1").arg(QFileInfo(file).fileName()));
    auto* layout = new QVBoxLayout(this);

    auto* intro = new QLabel(tr("These changes will be written to <b>%1</b>. The original is kept "
                                "next to it as a <tt>.bak</tt> file.")
                                 .arg(file.toHtmlEscaped()),
                             this);
    intro->setWordWrap(true);
    intro->setTextInteractionFlags(Qt::TextSelectableByMouse);
    layout->addWidget(intro);

    if (!warnings.isEmpty()) {
        QString html =
            QStringLiteral("<b>%1</b><ul style=\"margin-left:-20px\">").arg(tr("Warnings"));
        for (const QString& w : warnings)
            html += QStringLiteral("<li>%1</li>").arg(w.toHtmlEscaped());
        html += QStringLiteral("</ul>");
        auto* warningLabel = new QLabel(html, this);
        warningLabel->setWordWrap(true);
        warningLabel->setTextInteractionFlags(Qt::TextSelectableByMouse);
        layout->addWidget(warningLabel);
    }

    m_diff = new QPlainTextEdit(this);
    m_diff->setReadOnly(true);
    m_diff->setLineWrapMode(QPlainTextEdit::NoWrap);
    m_diff->setFont(QFontDatabase::systemFont(QFontDatabase::FixedFont));
    // Attached before the text goes in, so it colors at once rather than on
    // the next event loop turn.
    new DiffHighlighter(m_diff->document(), m_diff->palette());
    m_diff->setPlainText(diff);
    layout->addWidget(m_diff, 1);

    auto* buttons = new QDialogButtonBox(this);
    buttons->addButton(tr("Write file"), QDialogButtonBox::AcceptRole);
    buttons->addButton(QDialogButtonBox::Cancel);
    connect(buttons, &QDialogButtonBox::accepted, this, &QDialog::accept);
    connect(buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);
    layout->addWidget(buttons);
    resize(760, 520);
}

QString MergePreviewDialog::diffText() const {
    return m_diff->toPlainText();
}
