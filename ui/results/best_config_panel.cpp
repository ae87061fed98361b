#include "results/best_config_panel.h"

#include "config/deepspeed_config_merge.h"
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
#include <QFormLayout>
#include <QGridLayout>
#include <QGuiApplication>
#include <QHBoxLayout>
#include <QLabel>
#include <QMessageBox>
#include <QPlainTextEdit>
#include <QPushButton>
#include <QRadioButton>
#include <QScrollArea>
#include <QStackedWidget>
#include <QTextDocument>
#include <QTimer>
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
        return QMessageBox::question(
                   parent, tr("Export a partial answer?"),
                   tr("This answer is partial: %1.\n\nThe section is the best measured so far, not a "
                      "settled answer. Use it anyway?")
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
    m_bestLabel = new QLabel(content);
    m_bestLabel->setWordWrap(true);
    m_bestLabel->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_figures = new QLabel(content);
    m_figures->setWordWrap(true);
    m_recommendedLabel = new QLabel(content);
    m_recommendedLabel->setWordWrap(true);
    m_confidence = new QLabel(content);
    m_confidence->setWordWrap(true);
    m_partial = new QLabel(content);
    m_partial->setWordWrap(true);
    m_search = new QLabel(content);
    m_search->setObjectName(QStringLiteral("answerDetails"));
    m_search->setWordWrap(true);
    m_search->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_profile = new QLabel(content);
    m_profile->setObjectName(QStringLiteral("profileName"));
    m_profile->setWordWrap(true);
    m_profile->setToolTip(tr("How the buffers were allocated: \"faithful\" is what DeepSpeed's "
                             "swapper gets; anything else is a what-if"));

    m_choiceBox = new QWidget(content);
    auto* choice = new QVBoxLayout(m_choiceBox); // stacked: the dock is narrow
    choice->setContentsMargins(0, 0, 0, 0);
    m_useBest = new QRadioButton(tr("Best"), m_choiceBox);
    m_useRecommended = new QRadioButton(tr("Recommended (cheaper)"), m_choiceBox);
    m_useBest->setChecked(true);
    auto* group = new QButtonGroup(m_choiceBox);
    group->addButton(m_useBest);
    group->addButton(m_useRecommended);
    choice->addWidget(m_useBest);
    choice->addWidget(m_useRecommended);

    m_targetCombo = new QComboBox(content);
    m_targetCombo->addItem(tr("DeepSpeed 0.16.4 or later (intra_op_parallelism)"));
    m_targetCombo->addItem(tr("DeepSpeed before 0.16.4 (thread_count)"));
    // The dock is narrow: the combo shrinks and its popup shows the whole text.
    m_targetCombo->setSizeAdjustPolicy(QComboBox::AdjustToMinimumContentsLengthWithIcon);
    m_targetCombo->setMinimumContentsLength(14);
    m_targetCombo->setToolTip(tr("Which key names the exported section uses"));

    m_json = new QPlainTextEdit(content);
    m_json->setReadOnly(true);
    m_json->setFont(QFontDatabase::systemFont(QFontDatabase::FixedFont));
    m_json->setLineWrapMode(QPlainTextEdit::NoWrap);
    // The whole object (ten lines) without a scroll bar, and no taller: the
    // sentences above it scroll when the dock is short.
    m_json->setFixedHeight(QFontMetrics(m_json->font()).lineSpacing() * 10 +
                           2 * static_cast<int>(m_json->document()->documentMargin()) + 2 * m_json->frameWidth() + 2);

    m_copyButton = new QPushButton(tr("Copy"), content);
    m_copyButton->setToolTip(tr("Copy the JSON to the clipboard"));
    m_exportButton = new QPushButton(tr("Export…"), content);
    m_exportButton->setToolTip(tr("Save {\"aio\": {...}} as a JSON file"));
    m_mergeButton = new QPushButton(tr("Merge into DeepSpeed config…"), content);
    m_mergeButton->setToolTip(
        tr("Replace the \"aio\" section of an existing DeepSpeed config, after "
           "showing the changes; the original is kept as .bak"));

    QFont heading = font();
    heading.setBold(true);
    auto* title = new QLabel(tr("Best configuration"), content);
    title->setFont(heading);

    // Wrapped sentences keep the height their width needs: a layout short of
    // room squeezes a label to its one-line minimum and cuts the text.
    for (QLabel* l : {m_bestLabel, m_figures, m_recommendedLabel, m_confidence, m_partial, m_search, m_profile}) {
        QSizePolicy policy(QSizePolicy::Preferred, QSizePolicy::Minimum);
        policy.setHeightForWidth(true);
        l->setSizePolicy(policy);
    }

    // The sentences scroll when the screen is short; the export controls
    // below them always show. Only wrapping text goes in the scroll area, so
    // its width never exceeds the dock's (combos and buttons would).
    auto* facts = new QWidget;
    auto* factsForm = new QFormLayout;
    factsForm->setFieldGrowthPolicy(QFormLayout::AllNonFixedFieldsGrow);
    auto* exportForm = m_exportForm = new QFormLayout;
    exportForm->setFieldGrowthPolicy(QFormLayout::AllNonFixedFieldsGrow);
    // One label column for both forms, so their fields line up.
    const QStringList labelTexts{tr("Recommended:"), tr("Confidence:"), tr("Measured with:"), tr("Export:"),
                                 tr("Target:")};
    int labelWidth = 0;
    for (const QString& t : labelTexts)
        labelWidth = std::max(labelWidth, fontMetrics().horizontalAdvance(t));
    const auto rowLabel = [labelWidth](const QString& text) {
        auto* l = new QLabel(text);
        l->setMinimumWidth(labelWidth);
        return l;
    };
    // Only one-line facts in the form: its rows underestimate wrapped text
    // (cut and overlapping sentences); the sentences stand in the column below.
    factsForm->addRow(rowLabel(labelTexts[1]), m_confidence);
    factsForm->addRow(rowLabel(labelTexts[2]), m_profile);
    exportForm->addRow(rowLabel(labelTexts[3]), m_choiceBox);
    exportForm->addRow(rowLabel(labelTexts[4]), m_targetCombo);

    auto* factsLayout = new QVBoxLayout(facts);
    factsLayout->setContentsMargins(0, 0, 0, 0);
    factsLayout->addWidget(title);
    factsLayout->addWidget(m_bestLabel);
    factsLayout->addWidget(m_figures);
    factsLayout->addLayout(factsForm);
    factsLayout->addWidget(m_partial);
    factsLayout->addWidget(m_recommendedLabel);
    factsLayout->addWidget(m_search);
    factsLayout->addStretch(1);
    auto* scroll = m_factsScroll = new QScrollArea(content);
    scroll->setObjectName(QStringLiteral("bestFacts"));
    scroll->setFrameShape(QFrame::NoFrame);
    scroll->setHorizontalScrollBarPolicy(Qt::ScrollBarAlwaysOff);
    scroll->setWidgetResizable(true);
    scroll->setWidget(facts);
    scroll->viewport()->setAutoFillBackground(false);
    facts->setAutoFillBackground(false);

    // Two rows, so the dock stays narrow.
    auto* buttons = new QGridLayout;
    buttons->addWidget(m_copyButton, 0, 0);
    buttons->addWidget(m_exportButton, 0, 1);
    buttons->addWidget(m_mergeButton, 1, 0, 1, 2);

    auto* contentLayout = new QVBoxLayout(content);
    contentLayout->setContentsMargins(0, 0, 0, 0);
    contentLayout->addWidget(scroll, 1);
    contentLayout->addLayout(exportForm);
    contentLayout->addWidget(m_json);
    contentLayout->addLayout(buttons);

    m_stack = new QStackedWidget(this);
    m_stack->addWidget(m_placeholder);
    m_stack->addWidget(content);
    auto* layout = new QVBoxLayout(this);
    layout->addWidget(m_stack);

    connect(m_targetCombo, &QComboBox::currentIndexChanged, this, &BestConfigPanel::refresh);
    connect(m_useRecommended, &QRadioButton::toggled, this, &BestConfigPanel::refresh);
    connect(m_copyButton, &QPushButton::clicked, this, &BestConfigPanel::copyToClipboard);
    connect(m_exportButton, &QPushButton::clicked, this, &BestConfigPanel::exportJson);
    connect(m_mergeButton, &QPushButton::clicked, this, &BestConfigPanel::mergeIntoConfig);
    refresh();
}

void BestConfigPanel::setRecommendation(const aiotune::Recommendation& recommendation) {
    m_recommendation = recommendation;
    refresh();
}

void BestConfigPanel::setTarget(Target target) {
    m_targetCombo->setCurrentIndex(target == Target::Legacy ? 1 : 0);
}

BestConfigPanel::Target BestConfigPanel::target() const {
    return m_targetCombo->currentIndex() == 1 ? Target::Legacy : Target::Current;
}

aiotune::DeepSpeedVersion BestConfigPanel::targetVersion() const {
    // The last release that reads thread_count, or the newest we know.
    return target() == Target::Legacy ? aiotune::DeepSpeedVersion{0, 16, 3}
                                      : aiotune::DeepSpeedVersion{};
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
    return m_useRecommended->isChecked() && bestKey() && recommendedKey() && *recommendedKey() != *bestKey();
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
    m_profile->setText(name.isEmpty() ? tr("unknown") : name);
}

QString BestConfigPanel::answerText() const {
    return m_search->text();
}

bool BestConfigPanel::confirmPartial() {
    const aiotune::Answer& a = m_recommendation.answer;
    if (!a.partial) return true;
    if (m_confirmPartial && m_confirmPartial(this, fromStd(a.partialReason))) return true;
    emit message(tr("Not written: the answer is partial (%1).").arg(fromStd(a.partialReason)), false);
    return false;
}

void BestConfigPanel::relayoutFacts() {
    // Once the new text is laid out, size the scrolled sentences to it: the
    // scroll area sizes its widget for the height the wrapped text needs
    // only when asked (a resize, or this), and a label given less is cut.
    QTimer::singleShot(0, this, [this] {
        m_factsScroll->widget()->layout()->activate();
        m_factsScroll->setWidgetResizable(true);
    });
}

void BestConfigPanel::refresh() {
    relayoutFacts();
    const auto& rec = m_recommendation;
    const aiotune::Answer& a = rec.answer;
    if (!a.found) {
        QString text = tr(
            "No results yet.\nRun a sweep or open a log folder to see the best aio settings here.");
        // Something was measured but nothing can be ranked: say why.
        const bool measured = !rec.readOnly.empty() || !rec.writeOnly.empty() || !rec.failed.empty();
        if (measured && !a.message.empty()) text = fromStd(a.message) + QStringLiteral("\n\n") + text;
        m_placeholder->setText(text);
        m_stack->setCurrentIndex(0);
        return;
    }
    m_stack->setCurrentIndex(1);
    // Short facts first: what, how fast, how sure. The answer's own words
    // (answerFor, as every reader gives them): the panel decides nothing.
    m_bestLabel->setText(resultformat::longLabel(a.best));
    QString figures = resultformat::answerFigure(a);
    if (rec.best) figures += QLatin1Char('\n') + mediansText(*rec.best);
    m_figures->setText(keepUnits(figures));

    const bool cheaper = recommendedKey() && *recommendedKey() != *bestKey();
    if (!a.recommended)
        m_recommendedLabel->setText(tr("Recommended: not claimed, the answer is partial."));
    else if (cheaper)
        m_recommendedLabel->setText(keepUnits(tr("Recommended: %1, %2 GiB/s, shown to be within %3 of the best "
                                                 "with fewer resources")
                                                  .arg(resultformat::longLabel(*a.recommended))
                                                  .arg(a.recommendedGiBps, 0, 'f', 2)
                                                  .arg(percent(a.tolerance))));
    else
        m_recommendedLabel->setText(
            tr("Recommended: the best itself; nothing cheaper is shown to be within %1 of it.").arg(percent(a.tolerance)));
    m_exportForm->setRowVisible(m_choiceBox, cheaper); // the row's label too
    m_confidence->setText(QStringLiteral("<b>%1</b>").arg(fromStd(std::string(aiotune::confidenceName(a.confidence)))));

    QStringList warnings;
    if (a.partial) warnings << tr("⚠ Partial answer: %1.").arg(fromStd(a.partialReason));
    QStringList unranked;
    if (!rec.readOnly.empty())
        unranked << tr("%n configuration(s) with only a read figure", nullptr, int(rec.readOnly.size()));
    if (!rec.writeOnly.empty())
        unranked << tr("%n with only a write figure", nullptr, int(rec.writeOnly.size()));
    if (!rec.failed.empty()) unranked << tr("%n failed", nullptr, int(rec.failed.size()));
    if (!unranked.isEmpty()) warnings << tr("Not ranked: %1.").arg(unranked.join(QStringLiteral(", ")));
    m_partial->setText(warnings.join(QLatin1Char('\n')));
    m_partial->setVisible(!warnings.isEmpty());

    // Then the explanation, one flowing text.
    QStringList lines;
    lines << fromStd(a.confidenceText).toHtmlEscaped();
    QStringList tied, contending;
    for (const aiotune::ConfigKey& k : a.tied)
        if (const aiotune::ConfigStanding* st = a.standing(k))
            (st->state == aiotune::ConfigState::Contending ? contending : tied)
                << resultformat::shortLabel(k).toHtmlEscaped();
    if (!tied.isEmpty())
        lines << tr("≈ Tied with the best (not shown to be slower): %1").arg(tied.join(QStringLiteral(", ")));
    if (!contending.isEmpty())
        lines << tr("? Could still be faster by more than %1: %2")
                     .arg(percent(a.tolerance), contending.join(QStringLiteral(", ")));
    lines << tr("Decided by %1.").arg(fromStd(a.decidedBy).toHtmlEscaped());
    if (!a.stoppedBecause.empty() && a.strategy == "adaptive")
        lines << tr("Stopped: %1. Cost: %2 transfers, %3 of %4 configurations measured.")
                     .arg(fromStd(a.stoppedBecause))
                     .arg(a.transfers)
                     .arg(a.measured)
                     .arg(a.configurations);
    m_search->setText(keepUnits(lines.join(QStringLiteral("<br>"))));

    // Without the file's final newline: an empty last line would need a scroll bar.
    m_json->setPlainText(jsonText().trimmed());
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
    QString text = tr("Exported the aio settings to %1 (measured with: %2%3).")
                       .arg(fromStd(written->written.string()), m_profileName.isEmpty() ? tr("unknown") : m_profileName,
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
    QString text = tr("Merged the aio settings into %1.").arg(fromStd(written->written.string()));
    if (written->backup)
        text += tr(" The original is kept as %1.").arg(fromStd(written->backup->string()));
    emit message(text, false);
    emit merged(path);
    return true;
}
