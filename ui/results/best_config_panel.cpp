#include "results/best_config_panel.h"

#include "sweep/search_verdict.h"

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

QString figuresText(const ConfigResult& c) {
    return QObject::tr("Read %1 · Write %2 · Combined %3 GiB/s")
        .arg(resultformat::gibps(c.readGiBps), resultformat::gibps(c.writeGiBps),
             resultformat::gibps(c.combinedGiBps));
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
    m_search->setObjectName(QStringLiteral("searchVerdict"));
    m_search->setWordWrap(true);
    m_search->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_search->hide();
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
    factsForm->addRow(rowLabel(labelTexts[0]), m_recommendedLabel);
    factsForm->addRow(rowLabel(labelTexts[1]), m_confidence);
    factsForm->addRow(rowLabel(QString()), m_partial);
    factsForm->addRow(rowLabel(labelTexts[2]), m_profile);
    exportForm->addRow(rowLabel(labelTexts[3]), m_choiceBox);
    exportForm->addRow(rowLabel(labelTexts[4]), m_targetCombo);

    auto* factsLayout = new QVBoxLayout(facts);
    factsLayout->setContentsMargins(0, 0, 0, 0);
    factsLayout->addWidget(title);
    factsLayout->addWidget(m_bestLabel);
    factsLayout->addWidget(m_figures);
    factsLayout->addLayout(factsForm);
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
    if (!m_recommendation.best) return std::nullopt;
    return m_verdict ? m_verdict->answer.best : m_recommendation.best->key;
}

std::optional<aiotune::ConfigKey> BestConfigPanel::recommendedKey() const {
    if (m_verdict) return m_verdict->answer.recommended;
    return m_recommendation.recommended ? std::optional(m_recommendation.recommended->key) : std::nullopt;
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

void BestConfigPanel::setVerdict(const std::optional<aiotune::SearchVerdict>& verdict) {
    m_verdict = verdict && verdict->found ? verdict : std::nullopt;
    refresh();
    if (!m_verdict) {
        m_search->clear();
        m_search->hide();
        return;
    }
    const auto& v = *verdict;
    const auto& a = v.answer;
    const auto label = [](const aiotune::ConfigKey& k) { return resultformat::longLabel(k); };
    QStringList lines;
    lines << tr("<b>Adaptive search</b>");
    lines << tr("Best: %1, %2 GiB/s (90%: %3–%4), %n visit(s)", nullptr, a.bestVisits)
                 .arg(label(a.best).toHtmlEscaped())
                 .arg(a.bestGiBps, 0, 'f', 2)
                 .arg(a.bestLowGiBps, 0, 'f', 2)
                 .arg(a.bestHighGiBps, 0, 'f', 2);
    if (a.tied.empty()) {
        lines << tr("Tied with it: none");
    } else {
        QStringList tied;
        for (const auto& t : a.tied) tied << resultformat::shortLabel(t.key).toHtmlEscaped();
        lines << tr("Tied with it: %1").arg(tied.join(QStringLiteral(", ")));
    }
    lines << tr("Recommended: %1, %2 GiB/s")
                 .arg(label(a.recommended).toHtmlEscaped())
                 .arg(a.recommendedGiBps, 0, 'f', 2);
    lines << tr("Confidence: %1 — %2")
                 .arg(QString::fromStdString(std::string(aiotune::confidenceName(v.confidence))),
                      QString::fromStdString(v.confidenceText).toHtmlEscaped());
    const QString why =
        v.stoppedBecause == aiotune::StopReason::Converged
            ? tr("converged: nothing left can beat the best by more than %1%")
                  .arg(v.tolerance * 100, 0, 'f', 0)
        : v.stoppedBecause == aiotune::StopReason::Budget ? tr("the budget was spent")
        : v.stoppedBecause == aiotune::StopReason::Cancelled ? tr("cancelled")
            : QString::fromStdString(std::string(aiotune::stopReasonName(v.stoppedBecause)));
    lines << tr("Stopped: %1").arg(why);
    lines << tr("Cost: %1 transfers, %2 of %3 configurations measured, %4 dropped out")
                 .arg(v.transfers)
                 .arg(v.measured)
                 .arg(v.configurations)
                 .arg(v.dropouts.size());
    m_search->setText(keepUnits(lines.join(QStringLiteral("<br>"))));
    m_search->show();
    relayoutFacts();
}

QString BestConfigPanel::verdictText() const {
    return m_search->text();
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
    if (!rec.best) {
        QString text = tr(
            "No results yet.\nRun a sweep or open a log folder to see the best aio settings here.");
        if (!rec.message.empty()) text = fromStd(rec.message) + QStringLiteral("\n\n") + text;
        m_placeholder->setText(text);
        m_stack->setCurrentIndex(0);
        return;
    }
    m_stack->setCurrentIndex(1);
    const ConfigResult& best = *rec.best;
    const aiotune::TiedAnswer* answer = m_verdict ? &m_verdict->answer : nullptr;
    const bool searchDiffers = answer && answer->best != best.key;
    if (searchDiffers) {
        // A near tie the search resolved otherwise than the medians: its pick leads.
        m_bestLabel->setText(resultformat::longLabel(answer->best));
        m_figures->setText(keepUnits(tr("%1 GiB/s combined by the search (90%: %2–%3); the highest "
                                        "medians are %4's")
                                         .arg(answer->bestGiBps, 0, 'f', 2)
                                         .arg(answer->bestLowGiBps, 0, 'f', 2)
                                         .arg(answer->bestHighGiBps, 0, 'f', 2)
                                         .arg(resultformat::shortLabel(best.key))));
    } else {
        m_bestLabel->setText(resultformat::longLabel(best.key));
        m_figures->setText(keepUnits(figuresText(best)));
    }

    const bool cheaper = recommendedKey() && *recommendedKey() != *bestKey();
    if (cheaper && answer) {
        m_recommendedLabel->setText(keepUnits(tr("%1: %2 GiB/s combined, within %3% of the best by the "
                                                 "search, with fewer resources")
                                                  .arg(resultformat::longLabel(answer->recommended))
                                                  .arg(answer->recommendedGiBps, 0, 'f', 2)
                                                  .arg(m_verdict->tolerance * 100, 0, 'f', 0)));
    } else if (answer) {
        m_recommendedLabel->setText(tr("the best itself: the search found nothing cheaper within %1% of it")
                                        .arg(m_verdict->tolerance * 100, 0, 'f', 0));
    } else if (cheaper) {
        m_recommendedLabel->setText(
            keepUnits(tr("%1: %2 GiB/s combined, within the measured noise of the best "
                         "(±%3 GiB/s) with fewer resources")
                          .arg(resultformat::longLabel(rec.recommended->key),
                               resultformat::gibps(rec.recommended->combinedGiBps),
                               QString::number(rec.noiseGiBps, 'f', 2))));
    } else {
        m_recommendedLabel->setText(
            rec.noiseKnown ? tr("the best itself: nothing cheaper is within the measured noise")
                           : tr("the best itself (each configuration was measured once, so "
                                "the noise is unknown)"));
    }
    m_exportForm->setRowVisible(m_choiceBox, cheaper); // the row's label too
    // The search's confidence while its answer leads, else the analysis's.
    const auto confidence = m_verdict ? m_verdict->confidence : rec.confidence;
    const std::string& confidenceText = m_verdict ? m_verdict->confidenceText : rec.confidenceText;
    m_confidence->setText(keepUnits(QStringLiteral("<b>%1</b> — %2")
                                        .arg(fromStd(std::string(aiotune::confidenceName(confidence))),
                                             fromStd(confidenceText).toHtmlEscaped())));

    QStringList partial;
    if (!rec.readOnly.empty())
        partial << tr("%n configuration(s) with only a read figure", nullptr,
                      int(rec.readOnly.size()));
    if (!rec.writeOnly.empty())
        partial << tr("%n with only a write figure", nullptr, int(rec.writeOnly.size()));
    if (!rec.failed.empty()) partial << tr("%n failed", nullptr, int(rec.failed.size()));
    m_partial->setText(partial.isEmpty()
                           ? QString()
                           : tr("Not ranked: %1.").arg(partial.join(QStringLiteral(", "))));
    m_partial->setVisible(!partial.isEmpty());

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
    QString text = tr("Exported the aio settings to %1.").arg(fromStd(written->written.string()));
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
