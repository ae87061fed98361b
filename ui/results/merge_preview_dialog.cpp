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
// Added lines green, removed red, hunk headers dimmed: tints that read on
// light and dark backgrounds alike.
class DiffHighlighter : public QSyntaxHighlighter {
  public:
    using QSyntaxHighlighter::QSyntaxHighlighter;

  protected:
    void highlightBlock(const QString& text) override {
        QTextCharFormat f;
        if (text.startsWith(QLatin1String("+++")) || text.startsWith(QLatin1String("---"))) {
            f.setFontWeight(QFont::Bold);
        } else if (text.startsWith('+')) {
            f.setForeground(QColor(0x2e, 0xa0, 0x43));
            f.setBackground(QColor(0x2e, 0xa0, 0x43, 40));
        } else if (text.startsWith('-')) {
            f.setForeground(QColor(0xd7, 0x3a, 0x49));
            f.setBackground(QColor(0xd7, 0x3a, 0x49, 40));
        } else if (text.startsWith(QLatin1String("@@"))) {
            f.setForeground(QColor(0x6f, 0x42, 0xc1));
        } else {
            return;
        }
        setFormat(0, static_cast<int>(text.size()), f);
    }
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
    new DiffHighlighter(m_diff->document());
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
