#include "results/best_config_panel.h"

#include "config/deepspeed_config_merge.h"
#include "panels/help_dialog.h"
#include "results/answer.h"
#include "results/line_diff.h"
#include "results/merge_preview_dialog.h"
#include "results/result_format.h"

#include <algorithm>

#include <QButtonGroup>
#include <QClipboard>
#include <QComboBox>
#include <QDir>
#include <QFileDialog>
#include <QFileInfo>
#include <QFontDatabase>
#include <QGridLayout>
#include <QGuiApplication>
#include <QHBoxLayout>
#include <QLabel>
#include <QMessageBox>
#include <QPlainTextEdit>
#include <QPushButton>
#include <QRadioButton>
#include <QScrollBar>
#include <QSignalBlocker>
#include <QStackedWidget>
#include <QTextBrowser>
#include <QTextDocument>
#include <QVBoxLayout>

using aiotune::ConfigResult;

namespace {
QString fromStd(const std::string& s) {
    return QString::fromStdString(s);
}

QString joinWarnings(const std::vector<std::string>& warnings) {
    QStringList list;
    for (const auto& w : warnings)
        list << fromStd(w);
    return list.join(QStringLiteral("; "));
}

// A figure stays with its unit, and the unit whole, when the narrow dock wraps
// a sentence: a no-break space before "GiB/s" and a word joiner after the
// slash (where lines may otherwise break).
QString keepUnits(QString text) {
    return text.replace(QStringLiteral(" GiB/s"), QStringLiteral("\u00a0GiB/\u2060s"));
}

QString mediansText(const ConfigResult& c) {
    return QObject::tr("Medians: read %1 · write %2 GiB/s")
        .arg(resultformat::gibps(c.readGiBps), resultformat::gibps(c.writeGiBps));
}

QString percent(double share) {
    return QString::number(share * 100.0, 'g', 3) + QLatin1Char('%'); // "3%", "2.5%"
}
} // namespace

BestConfigPanel::BestConfigPanel(QWidget* parent) : QWidget(parent) {
    m_exportChooser = [](QWidget* parent) {
        return QFileDialog::getSaveFileName(
            parent, tr("Export aio settings"),
            QDir::home().filePath(QStringLiteral("aio_config.json")),
            tr("JSON files (*.json);;All files (*)"), nullptr,
            QFileDialog::DontConfirmOverwrite); // we ask, naming the backup
    };
    m_mergeChooser = [](QWidget* parent) {
        return QFileDialog::getOpenFileName(parent, tr("Merge into DeepSpeed config"),
                                            QDir::homePath(),
                                            tr("DeepSpeed configs (*.json);;All files (*)"));
    };
    m_confirmOverwrite = [](QWidget* parent, const QString& path) {
        return QMessageBox::question(
                   parent, tr("Replace file?"),
                   tr("%1 already exists. Replace it? Its current contents are kept "
                      "next to it as a .bak file.")
                       .arg(path)) == QMessageBox::Yes;
    };
    m_confirmPartial = [](QWidget* parent, const QString& reason) {
        return QMessageBox::question(parent, tr("Export a partial answer?"),
                                     tr("This answer is partial: %1.\n\nThe section is the best "
                                        "measured so far, not a settled answer. Use it anyway?")
                                         .arg(reason)) == QMessageBox::Yes;
    };
    m_confirmMerge = [](QWidget* parent, const QString& file, const QString& diff,
                        const QStringList& warnings) {
        MergePreviewDialog dialog(file, diff, warnings, parent);
        return dialog.exec() == QDialog::Accepted;
    };

    m_placeholder = new QLabel(this);
    m_placeholder->setAlignment(Qt::AlignCenter);
    m_placeholder->setWordWrap(true);
    m_placeholder->setEnabled(false); // the palette's dimmed text

    auto* content = new QWidget(this);

    // The facts: a few short lines that never scroll away. Wrapped labels in
    // a plain column get the height their width needs (QBoxLayout asks
    // heightForWidth); the explanations below give up room first.
    m_bestLabel = new QLabel(content);
    m_bestLabel->setObjectName(QStringLiteral("bestLabel"));
    m_bestLabel->setTextInteractionFlags(Qt::TextSelectableByMouse);
    QFont bold = font();
    bold.setBold(true);
    m_bestLabel->setFont(bold);
    m_figures = new QLabel(content);
    m_figures->setObjectName(QStringLiteral("bestFigure"));
    m_figures->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_confidence = new QLabel(content);
    m_confidence->setObjectName(QStringLiteral("confidence"));
    m_confidence->setToolTip(HelpDialog::toolTip(
        {tr("How much faster another configuration could still be, at 95%: high within "
            "the tolerance, medium within three times it, low beyond, when the noise "
            "is unknown or when the answer is partial. The text below says why.")}));
    m_profile = new QLabel(content);
    m_profile->setObjectName(QStringLiteral("profileName"));
    m_profile->setTextFormat(Qt::PlainText); // a profile name is never markup
    m_profile->setToolTip(HelpDialog::toolTip(
        {tr("How the buffers were allocated: \"faithful\" is what DeepSpeed's swapper gets; a "
            "what-if (huge pages, registered buffers) is not, and its figures are not comparable "
            "with faithful ones.")}));
    for (QLabel* l : {m_bestLabel, m_figures, m_confidence, m_profile}) {
        l->setWordWrap(true);
        QSizePolicy policy(QSizePolicy::Preferred, QSizePolicy::Minimum);
        policy.setHeightForWidth(true);
        l->setSizePolicy(policy);
    }

    // The explanations: one read-only text that wraps and scrolls as a whole.
    m_details = new QTextBrowser(content);
    m_details->setObjectName(QStringLiteral("answerDetails"));
    m_details->setOpenLinks(false);
    m_details->setFrameShape(QFrame::NoFrame);
    m_details->setHorizontalScrollBarPolicy(Qt::ScrollBarAlwaysOff);
    m_details->setLineWrapMode(QTextEdit::WidgetWidth);
    m_details->viewport()->setAutoFillBackground(false); // reads as part of the panel
    m_details->document()->setDocumentMargin(0);
    // At least three lines before the panel is short of room; more when it has it.
    m_details->setMinimumHeight(3 * fontMetrics().lineSpacing() + 2);
    m_details->setSizePolicy(QSizePolicy::Preferred, QSizePolicy::Expanding);

    // The controls, at their natural size.
    m_choiceBox = new QWidget(content);
    auto* choice = new QHBoxLayout(m_choiceBox);
    choice->setContentsMargins(0, 0, 0, 0);
    m_useBest = new QRadioButton(tr("Best"), m_choiceBox);
    m_useBest->setToolTip(HelpDialog::toolTip({tr("Export the best configuration (★).")}));
    m_useRecommended = new QRadioButton(tr("Recommended"), m_choiceBox);
    m_useRecommended->setToolTip(HelpDialog::toolTip(
        {tr("Export the recommended configuration (✓): the cheapest (fewest threads, then lowest "
            "queue depth) shown to be within the tolerance of the best. Fewer threads cost less "
            "CPU, and smaller swap buffers less pinned memory.")}));
    m_useBest->setChecked(true);
    auto* group = new QButtonGroup(m_choiceBox);
    group->addButton(m_useBest);
    group->addButton(m_useRecommended);
    choice->addWidget(
        m_useBest); // no "Export:" label: the dock is narrow, the JSON below follows the choice
    choice->addWidget(m_useRecommended);
    choice->addStretch(1);

    auto* targetRow = new QHBoxLayout;
    m_targetCombo = new QComboBox(content);
    m_targetCombo->setObjectName(QStringLiteral("targetCombo"));
    m_targetCombo->setSizeAdjustPolicy(QComboBox::AdjustToContents); // short texts, never cut
    auto* targetLabel = new QLabel(tr("&Target:"), content);
    targetLabel->setBuddy(m_targetCombo);
    targetRow->addWidget(targetLabel);
    targetRow->addWidget(m_targetCombo);
    targetRow->addStretch(1);

    m_json = new QPlainTextEdit(content);
    m_json->setObjectName(QStringLiteral("aioJson"));
    m_json->setReadOnly(true);
    {
        // A little smaller than the text around it: the longest line (the
        // panel's narrowest) then fits the window's minimum at 1024x640.
        QFont mono = QFontDatabase::systemFont(QFontDatabase::FixedFont);
        mono.setPointSizeF(std::max(7.0, mono.pointSizeF() * 0.9));
        m_json->setFont(mono);
    }
    m_json->setLineWrapMode(QPlainTextEdit::NoWrap);
    // The whole object without a scroll bar, and no taller or wider than
    // needed: eleven lines (both thread keys, for any version) and the
    // longest line there is. This width sets the panel's narrowest.
    {
        aiotune::AioConfig widest;
        widest.block_size = std::uint64_t(1) << 30; // the largest values the limits allow
        widest.queue_depth = 32768;
        widest.intra_op_parallelism = 256;
        widest.single_submit = widest.overlap_events = widest.use_gds = false;
        const QFontMetrics fm(m_json->font());
        int longest = 0;
        for (const QString& line :
             fromStd(aiotune::aioExportText(widest, aiotune::DeepSpeedVersion::forEveryRelease()))
                 .split('\n'))
            longest = std::max(longest, fm.horizontalAdvance(line));
        const int chrome = 2 * static_cast<int>(m_json->document()->documentMargin()) +
                           2 * m_json->frameWidth() + 2;
        m_json->setFixedHeight(fm.lineSpacing() * 11 + chrome);
        m_json->setMinimumWidth(longest + chrome);
    }
    {
        QStringList tips{tr("The \"aio\" section to put in your DeepSpeed config:")};
        for (const QString& key : HelpDialog::settingKeys())
            if (key != QLatin1String("io_size") && key != QLatin1String("loops"))
                tips << HelpDialog::settingTip(key);
        m_json->setToolTip(HelpDialog::toolTip(tips));
    }

    m_copyButton = new QPushButton(tr("Copy"), content);
    m_copyButton->setToolTip(tr("Copy the JSON to the clipboard"));
    m_exportButton = new QPushButton(tr("Export…"), content);
    m_exportButton->setToolTip(tr("Save {\"aio\": {...}} as a JSON file"));
    m_mergeButton = new QPushButton(tr("Merge into DeepSpeed config…"), content);
    m_mergeButton->setToolTip(
        tr("Replace the \"aio\" section of an existing DeepSpeed config, after "
           "showing the changes; the original is kept as .bak"));
    // Two rows, so the dock stays narrow.
    auto* buttons = new QGridLayout;
    buttons->addWidget(m_copyButton, 0, 0);
    buttons->addWidget(m_exportButton, 0, 1);
    buttons->addWidget(m_mergeButton, 1, 0, 1, 2);

    auto* contentLayout = new QVBoxLayout(content);
    contentLayout->setContentsMargins(0, 0, 0, 0);
    contentLayout->addWidget(m_bestLabel);
    contentLayout->addWidget(m_figures);
    contentLayout->addWidget(m_confidence);
    contentLayout->addWidget(m_profile);
    contentLayout->addWidget(m_details, 1);
    contentLayout->addWidget(m_choiceBox);
    contentLayout->addLayout(targetRow);
    contentLayout->addWidget(m_json);
    contentLayout->addLayout(buttons);

    m_stack = new QStackedWidget(this);
    m_stack->addWidget(m_placeholder);
    m_stack->addWidget(content);
    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(4, 6, 4, 6); // the dock is narrow: room for the JSON's longest line
    layout->addWidget(m_stack);

    setPythonSearch(aiotune::PythonSearch::fromEnvironment());

    connect(m_targetCombo, &QComboBox::currentIndexChanged, this, &BestConfigPanel::refresh);
    connect(m_useRecommended, &QRadioButton::toggled, this, &BestConfigPanel::refresh);
    connect(m_copyButton, &QPushButton::clicked, this, &BestConfigPanel::copyToClipboard);
    connect(m_exportButton, &QPushButton::clicked, this, &BestConfigPanel::exportJson);
    connect(m_mergeButton, &QPushButton::clicked, this, &BestConfigPanel::mergeIntoConfig);
    refresh();
}

void BestConfigPanel::setPythonSearch(const aiotune::PythonSearch& search) {
    m_installed = aiotune::findInstalledDeepSpeed(search);
    // The same choice as `aiotune export` without --deepspeed_version.
    const auto chosen = aiotune::chooseDeepSpeedTarget("", search);
    m_installedDescription = chosen && m_installed ? fromStd(chosen->description) : QString();
    fillTargets();
}

void BestConfigPanel::fillTargets() {
    const QSignalBlocker block(m_targetCombo);
    m_targetCombo->clear();
    // Short texts that never clip; the whole wording in each item's tooltip.
    if (m_installed) {
        m_targetCombo->addItem(tr("Installed (%1)").arg(fromStd(m_installed->version.toString())),
                               int(Target::Installed));
        m_targetCombo->setItemData(0, m_installedDescription, Qt::ToolTipRole);
    }
    const QList<std::pair<Target, QString>> fixed{{Target::AnyVersion, tr("Any version")},
                                                  {Target::Current, tr("0.16.4+")},
                                                  {Target::Legacy, tr("Before 0.16.4")}};
    for (const auto& [t, text] : fixed) {
        m_targetCombo->addItem(text, int(t));
        m_targetCombo->setItemData(m_targetCombo->count() - 1, QString(), Qt::ToolTipRole);
    }
    for (int i = 0; i < m_targetCombo->count(); ++i) {
        const auto t = Target(m_targetCombo->itemData(i).toInt());
        if (t == Target::AnyVersion)
            m_targetCombo->setItemData(
                i,
                tr("Every DeepSpeed release: writes both thread_count (read up to 0.16.3) and "
                   "intra_op_parallelism (0.16.4 and later); each release reads its own key "
                   "and ignores the other."),
                Qt::ToolTipRole);
        else if (t == Target::Current)
            m_targetCombo->setItemData(
                i, tr("DeepSpeed 0.16.4 and later: the thread count as intra_op_parallelism."),
                Qt::ToolTipRole);
        else if (t == Target::Legacy)
            m_targetCombo->setItemData(
                i,
                tr("DeepSpeed before 0.16.4: the thread count as thread_count, no use_gds "
                   "before 0.15.0."),
                Qt::ToolTipRole);
    }
    m_targetCombo->setCurrentIndex(0); // installed when found, else any version
    refresh();
}

void BestConfigPanel::setRecommendation(const aiotune::Recommendation& recommendation) {
    // The libaio check travels in the answer; its sentence is core's, as the CLI and report print it.
    m_confirmation = QString::fromStdString(aiotune::confirmationSentence(recommendation.answer));
    m_recommendation = recommendation;
    refresh();
}

void BestConfigPanel::setConfirmation(const QString& sentence) {
    m_confirmation = sentence;
    refreshDetails();
}

void BestConfigPanel::setTarget(Target target) {
    const int i = m_targetCombo->findData(int(target));
    if (i >= 0) m_targetCombo->setCurrentIndex(i);
}

BestConfigPanel::Target BestConfigPanel::target() const {
    return Target(m_targetCombo->currentData().toInt());
}

aiotune::DeepSpeedVersion BestConfigPanel::targetVersion() const {
    switch (target()) {
    case Target::Installed:
        if (m_installed) return m_installed->version;
        break;
    case Target::Current:
        return aiotune::DeepSpeedVersion{}; // the newest we know
    case Target::Legacy:
        return aiotune::DeepSpeedVersion{0, 16, 3}; // the last to read thread_count
    case Target::AnyVersion:
        break;
    }
    return aiotune::DeepSpeedVersion::forEveryRelease();
}

QString BestConfigPanel::targetDescription() const {
    if (target() == Target::Installed && m_installed) return m_installedDescription;
    return m_targetCombo->currentData(Qt::ToolTipRole).toString();
}

QString BestConfigPanel::targetShort() const {
    switch (target()) {
    case Target::Installed:
        if (m_installed)
            return tr("the installed DeepSpeed %1").arg(fromStd(m_installed->version.toString()));
        break;
    case Target::Current:
        return tr("DeepSpeed 0.16.4 and later");
    case Target::Legacy:
        return tr("DeepSpeed before 0.16.4");
    case Target::AnyVersion:
        break;
    }
    return tr("any DeepSpeed version (both thread keys)");
}

void BestConfigPanel::setUseRecommended(bool useRecommended) {
    (useRecommended ? m_useRecommended : m_useBest)->setChecked(true);
}

std::optional<aiotune::ConfigKey> BestConfigPanel::bestKey() const {
    const aiotune::Answer& a = m_recommendation.answer;
    return a.found ? std::optional(a.best) : std::nullopt;
}

std::optional<aiotune::ConfigKey> BestConfigPanel::recommendedKey() const {
    return m_recommendation.answer.recommended;
}

bool BestConfigPanel::useRecommended() const {
    return m_useRecommended->isChecked() && bestKey() && recommendedKey() &&
           *recommendedKey() != *bestKey();
}

std::optional<aiotune::AioConfig> BestConfigPanel::chosenConfig() const {
    const auto key = useRecommended() ? recommendedKey() : bestKey();
    return key ? std::optional(key->aio) : std::nullopt;
}

QString BestConfigPanel::jsonText() const {
    const auto config = chosenConfig();
    return config ? fromStd(aiotune::aioExportText(*config, targetVersion())) : QString();
}

void BestConfigPanel::setProfileName(const QString& name) {
    m_profileName = name;
    refresh();
}

QString BestConfigPanel::answerText() const {
    // As written, without the joiners that keep units whole on screen.
    return m_details->toPlainText().replace(QChar(0x00a0), QLatin1Char(' ')).remove(QChar(0x2060));
}

bool BestConfigPanel::confirmPartial() {
    const aiotune::Answer& a = m_recommendation.answer;
    if (!a.partial) return true;
    if (m_confirmPartial && m_confirmPartial(this, fromStd(a.partialReason))) return true;
    emit message(tr("Not written: the answer is partial (%1).").arg(fromStd(a.partialReason)),
                 false);
    return false;
}

void BestConfigPanel::refresh() {
    const auto& rec = m_recommendation;
    const aiotune::Answer& a = rec.answer;
    m_targetCombo->setToolTip(HelpDialog::toolTip(
        {tr("Which DeepSpeed the section is for (the key names it reads)."), targetDescription()}));
    if (!a.found) {
        QString text = tr(
            "No results yet.\nRun a sweep or open a log folder to see the best aio settings here.");
        // Something was measured but nothing can be ranked: say why.
        const bool measured =
            !rec.readOnly.empty() || !rec.writeOnly.empty() || !rec.failed.empty();
        if (measured && !a.message.empty())
            text = fromStd(a.message) + QStringLiteral("\n\n") + text;
        m_placeholder->setText(text);
        m_stack->setCurrentIndex(0);
        m_details->clear();
        return;
    }
    m_stack->setCurrentIndex(1);
    // Short facts first: what, how fast, how sure, measured how. The
    // answer's own words (answerFor, as every reader gives them).
    m_bestLabel->setText(resultformat::longLabel(a.best));
    m_figures->setText(keepUnits(resultformat::answerFigure(a)));
    m_confidence->setText(tr("Confidence: <b>%1</b>")
                              .arg(fromStd(std::string(aiotune::confidenceName(a.confidence)))));
    m_profile->setText(
        tr("Measured with: %1").arg(m_profileName.isEmpty() ? tr("unknown") : m_profileName));

    const bool cheaper = recommendedKey() && *recommendedKey() != *bestKey();
    m_choiceBox->setVisible(cheaper);
    refreshDetails();

    // Without the file's final newline: an empty last line would need a scroll bar.
    m_json->setPlainText(jsonText().trimmed());
}

void BestConfigPanel::refreshDetails() {
    const auto& rec = m_recommendation;
    const aiotune::Answer& a = rec.answer;
    if (!a.found) return;
    QStringList paragraphs; // HTML, escaped
    const auto esc = [](const std::string& s) { return fromStd(s).toHtmlEscaped(); };
    if (a.partial) paragraphs << tr("<b>⚠ Partial answer:</b> %1.").arg(esc(a.partialReason));
    QStringList unranked;
    if (!rec.readOnly.empty())
        unranked << tr("%n configuration(s) with only a read figure", nullptr,
                       int(rec.readOnly.size()));
    if (!rec.writeOnly.empty())
        unranked << tr("%n with only a write figure", nullptr, int(rec.writeOnly.size()));
    if (!rec.failed.empty()) unranked << tr("%n failed", nullptr, int(rec.failed.size()));
    if (!unranked.isEmpty())
        paragraphs << tr("Not ranked: %1.").arg(unranked.join(QStringLiteral(", ")));

    paragraphs << tr("<b>Why:</b> %1").arg(esc(a.confidenceText));
    QStringList tied, contending;
    for (const aiotune::ConfigKey& k : a.tied)
        if (const aiotune::ConfigStanding* st = a.standing(k))
            (st->state == aiotune::ConfigState::Contending ? contending : tied)
                << resultformat::shortLabel(k).toHtmlEscaped();
    if (!tied.isEmpty())
        paragraphs << tr("≈ Tied with the best (not shown to be slower): %1")
                          .arg(tied.join(QStringLiteral(", ")));
    if (!contending.isEmpty())
        paragraphs << tr("? Could still be faster by more than %1: %2")
                          .arg(percent(a.tolerance), contending.join(QStringLiteral(", ")));

    const bool cheaper = recommendedKey() && *recommendedKey() != *bestKey();
    if (!a.recommended)
        paragraphs << tr("<b>Recommended:</b> not claimed, the answer is partial.");
    else if (cheaper)
        paragraphs << tr("<b>Recommended:</b> %1, %2 GiB/s, shown to be within %3 of the best with "
                         "fewer resources.")
                          .arg(resultformat::longLabel(*a.recommended).toHtmlEscaped())
                          .arg(a.recommendedGiBps, 0, 'f', 2)
                          .arg(percent(a.tolerance));
    else
        paragraphs
            << tr("<b>Recommended:</b> the best itself; nothing cheaper is shown to be within %1 "
                  "of it.")
                   .arg(percent(a.tolerance));

    QString measured =
        tr("<b>Measured with:</b> %1.")
            .arg((m_profileName.isEmpty() ? tr("unknown") : m_profileName).toHtmlEscaped());
    if (rec.best) measured += QLatin1Char(' ') + mediansText(*rec.best) + QLatin1Char('.');
    paragraphs << measured;
    paragraphs << tr("<b>Decided by</b> %1.").arg(esc(a.decidedBy));
    if (!a.stoppedBecause.empty() && a.strategy == "adaptive")
        paragraphs << tr("<b>Stopped:</b> %1. <b>Cost:</b> %2 transfers, %3 of %4 configurations "
                         "measured.")
                          .arg(esc(a.stoppedBecause))
                          .arg(a.transfers)
                          .arg(a.measured)
                          .arg(a.configurations);
    // Filled from outside (a check of the answer with libaio, say).
    if (!m_confirmation.isEmpty()) paragraphs << m_confirmation.toHtmlEscaped();

    QString html;
    for (const QString& p : paragraphs)
        html += QStringLiteral("<p style=\"margin-top:0; margin-bottom:6px\">%1</p>").arg(p);
    const int scroll = m_details->verticalScrollBar()->value();
    m_details->setHtml(keepUnits(html));
    m_details->verticalScrollBar()->setValue(scroll); // a sweep's updates keep the reader's place
}

void BestConfigPanel::copyToClipboard() {
    if (!hasResult()) {
        emit message(tr("Nothing to copy yet: run a sweep or open a log folder."), true);
        return;
    }
    QGuiApplication::clipboard()->setText(jsonText());
    emit message(tr("Copied the aio settings to the clipboard."), false);
}

bool BestConfigPanel::exportJson() {
    const auto config = chosenConfig();
    if (!config) {
        emit message(tr("Nothing to export yet: run a sweep or open a log folder."), true);
        return false;
    }
    if (!confirmPartial()) return false;
    const QString path = m_exportChooser ? m_exportChooser(this) : QString();
    if (path.isEmpty()) return false; // cancelled
    bool overwrite = false;
    if (QFileInfo::exists(path)) {
        if (!m_confirmOverwrite || !m_confirmOverwrite(this, path)) {
            emit message(tr("Not exported: %1 already exists and was left as it is.").arg(path),
                         false);
            return false;
        }
        overwrite = true;
    }
    const auto written =
        aiotune::writeAioExportFile(path.toStdString(), *config, targetVersion(), overwrite);
    if (!written) {
        emit message(fromStd(written.error()), true);
        return false;
    }
    QString text = tr("Exported the aio settings for %1 to %2 (measured with: %3%4).")
                       .arg(targetShort(), fromStd(written->written.string()),
                            m_profileName.isEmpty() ? tr("unknown") : m_profileName,
                            m_recommendation.answer.partial ? tr("; partial answer") : QString());
    if (written->backup)
        text += tr(" The previous file is kept as %1.").arg(fromStd(written->backup->string()));
    if (!written->warnings.empty()) text += tr(" Note: %1.").arg(joinWarnings(written->warnings));
    emit message(text, false);
    return true;
}

bool BestConfigPanel::mergeIntoConfig() {
    const auto config = chosenConfig();
    if (!config) {
        emit message(tr("Nothing to merge yet: run a sweep or open a log folder."), true);
        return false;
    }
    if (!confirmPartial()) return false;
    const QString path = m_mergeChooser ? m_mergeChooser(this) : QString();
    if (path.isEmpty()) return false;
    const auto preview = aiotune::previewAioMerge(path.toStdString(), *config, targetVersion());
    if (!preview) {
        emit message(fromStd(preview.error()), true);
        return false;
    }
    if (!preview->merged.changed) {
        emit message(tr("%1 already has these aio settings: nothing to write.").arg(path), false);
        return false;
    }
    const QString diff =
        unifiedLineDiff(fromStd(preview->originalText), fromStd(preview->merged.text), path,
                        path + tr(" (merged)"));
    QStringList warnings;
    for (const auto& w : preview->merged.warnings)
        warnings << fromStd(w);
    if (!m_confirmMerge || !m_confirmMerge(this, path, diff, warnings)) {
        emit message(tr("Merge cancelled: %1 was not changed.").arg(path), false);
        return false;
    }
    const auto written = aiotune::applyAioMerge(*preview);
    if (!written) {
        emit message(fromStd(written.error()), true);
        return false;
    }
    QString text = tr("Merged the aio settings for %1 into %2.")
                       .arg(targetShort(), fromStd(written->written.string()));
    if (written->backup)
        text += tr(" The original is kept as %1.").arg(fromStd(written->backup->string()));
    emit message(text, false);
    emit merged(path);
    return true;
}
