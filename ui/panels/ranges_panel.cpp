#include "panels/ranges_panel.h"
#include "util/json_text.h"

#include "sweep/adaptive_strategy.h"

#include "panels/help_dialog.h"
#include "panels/message_bar.h"
#include "results/result_format.h"
#include "settings/app_settings.h"
#include "util/byte_size.h"
#include "util/json_input.h"
#include "util/int_list.h"

#include <QCheckBox>
#include <QComboBox>
#include <QFile>
#include <QFileDialog>
#include <QFormLayout>
#include <QHBoxLayout>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>
#include <QRegularExpression>
#include <QSpinBox>
#include <QTimer>
#include <QVBoxLayout>
#include <QtConcurrent/QtConcurrentRun>

namespace {

// "8, 32" or "8 32": whole numbers >= 1; the error names the field and the item.
aiotune::Result<std::vector<int>> parseIntList(const QString& text, const QString& field) {
    return aiotune::parseIntList(text.toStdString(), field.toStdString());
}

QString joinInts(const std::vector<int>& v) {
    QStringList s;
    for (int x : v)
        s << QString::number(x);
    return s.join(QStringLiteral(", "));
}

QString joinSizes(const std::vector<std::uint64_t>& v) {
    QStringList s;
    for (auto x : v)
        s << QString::fromStdString(aiotune::formatByteSizeTag(x));
    return s.join(QStringLiteral(", "));
}

bool contains(const std::vector<bool>& v, bool x) {
    return std::find(v.begin(), v.end(), x) != v.end();
}

} // namespace

RangesPanel::RangesPanel(QWidget* parent) : QWidget(parent) {
    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);

    auto* presetRow = new QHBoxLayout;
    m_preset = new QComboBox(this);
    m_preset->setObjectName(QStringLiteral("presetBox"));
    for (const QString& id : presetIds())
        m_preset->addItem(presetName(id), id);
    m_preset->addItem(tr("Custom"), QString());
    auto* loadDs = new QPushButton(tr("From DeepSpeed…"), this);
    loadDs->setObjectName(QStringLiteral("loadSweepConfigButton"));
    loadDs->setToolTip(tr(
        "Load DeepSpeed sweep config…: take the ranges from a DeepSpeed sweep-config JSON file"));
    auto* presetLabel = new QLabel(tr("&Preset:"), this);
    presetLabel->setBuddy(m_preset);
    presetRow->addWidget(presetLabel);
    presetRow->addWidget(m_preset, 1);
    presetRow->addWidget(loadDs);
    layout->addLayout(presetRow);

    auto* form = new QFormLayout;
    form->setFieldGrowthPolicy(QFormLayout::AllNonFixedFieldsGrow);
    m_blockSizes = new QLineEdit(this);
    m_blockSizes->setPlaceholderText(QStringLiteral("128K, 1M"));
    m_blockSizes->setToolTip(HelpDialog::toolTip({HelpDialog::settingTip(QStringLiteral("block_size")),
                                                 tr("Sizes with K/M/G (powers of 1024), comma-separated.")}));
    m_queueDepths = new QLineEdit(this);
    m_queueDepths->setPlaceholderText(QStringLiteral("8, 32"));
    m_queueDepths->setToolTip(HelpDialog::toolTip({HelpDialog::settingTip(QStringLiteral("queue_depth")),
                                                  tr("Comma-separated.")}));
    m_threads = new QLineEdit(this);
    m_threads->setPlaceholderText(QStringLiteral("1, 8"));
    m_threads->setToolTip(HelpDialog::toolTip({HelpDialog::settingTip(QStringLiteral("intra_op_parallelism")),
                                              tr("Comma-separated.")}));
    form->addRow(tr("&Block sizes:"), m_blockSizes);
    form->addRow(tr("&Queue depths:"), m_queueDepths);
    form->addRow(tr("&Threads:"), m_threads);

    auto pair = [this](QCheckBox*& a, const QString& ta, QCheckBox*& b, const QString& tb,
                       const QString& tip) {
        auto* w = new QWidget(this);
        auto* h = new QHBoxLayout(w);
        h->setContentsMargins(0, 0, 0, 0);
        a = new QCheckBox(ta, w);
        b = new QCheckBox(tb, w);
        a->setToolTip(tip);
        b->setToolTip(tip);
        h->addWidget(a);
        h->addWidget(b);
        h->addStretch(1);
        return w;
    };
    form->addRow(
        tr("Submit:"),
        pair(m_submitBlock, resultformat::submitMode(false), m_submitSingle, resultformat::submitMode(true),
             HelpDialog::toolTip({tr("Which values of single_submit to measure: tick one or both."),
                                  HelpDialog::settingTip(QStringLiteral("single_submit"))})));
    form->addRow(tr("Requests:"),
                 pair(m_overlapOn, resultformat::overlapMode(true), m_overlapOff, resultformat::overlapMode(false),
                      HelpDialog::toolTip({tr("Which values of overlap_events to measure: tick one or both."),
                                           HelpDialog::settingTip(QStringLiteral("overlap_events"))})));
    m_ioSize = new QLineEdit(this);
    m_ioSize->setPlaceholderText(QStringLiteral("400M"));
    m_ioSize->setToolTip(HelpDialog::toolTip({HelpDialog::settingTip(QStringLiteral("io_size"))}));
    m_loops = new QSpinBox(this);
    m_loops->setRange(1, 1000);
    m_loops->setToolTip(HelpDialog::toolTip({HelpDialog::settingTip(QStringLiteral("loops"))}));
    auto* sizeRow = new QWidget(this);
    auto* sizeLayout = new QHBoxLayout(sizeRow);
    sizeLayout->setContentsMargins(0, 0, 0, 0);
    sizeLayout->addWidget(m_ioSize, 1);
    auto* loopsLabel = new QLabel(tr("&Loops:"), sizeRow);
    loopsLabel->setBuddy(m_loops);
    sizeLayout->addWidget(loopsLabel);
    sizeLayout->addWidget(m_loops);
    form->addRow(tr("&IO size:"), sizeRow);
    form->addRow(tr("Measure:"),
                 pair(m_write, tr("write"), m_read, tr("read"),
                      tr("DeepSpeed ranks by read + write; both are needed for a recommendation")));
    layout->addLayout(form);

    m_error = new QLabel(this);
    m_error->setObjectName(QStringLiteral("rangesError"));
    m_error->setWordWrap(true);
    m_error->hide();
    m_plan = new QLabel(this);
    m_plan->setObjectName(QStringLiteral("planLine"));
    m_plan->setWordWrap(true);
    m_plan->setTextInteractionFlags(Qt::TextSelectableByMouse);
    layout->addWidget(m_error);
    layout->addWidget(m_plan);
    layout->addStretch(1);

    m_debounce = new QTimer(this);
    m_debounce->setSingleShot(true);
    m_debounce->setInterval(300);
    connect(m_debounce, &QTimer::timeout, this, &RangesPanel::replan);
    m_jobs = new JobTracker(this);

    for (auto* e : {m_blockSizes, m_queueDepths, m_threads, m_ioSize})
        connect(e, &QLineEdit::textChanged, this, &RangesPanel::onFieldEdited);
    for (auto* c : {m_submitBlock, m_submitSingle, m_overlapOn, m_overlapOff, m_write, m_read})
        connect(c, &QCheckBox::toggled, this, &RangesPanel::onFieldEdited);
    connect(m_loops, &QSpinBox::valueChanged, this, &RangesPanel::onFieldEdited);
    connect(m_preset, &QComboBox::activated, this, [this](int index) {
        const QString id = m_preset->itemData(index).toString();
        if (!id.isEmpty()) loadPreset(id);
    });
    connect(loadDs, &QPushButton::clicked, this, &RangesPanel::chooseDeepSpeedSweepConfig);

    loadPreset(QStringLiteral("quick"));
}

RangesPanel::~RangesPanel() = default;

void RangesPanel::setJobTracker(JobTracker* jobs) {
    m_jobs = jobs;
}

QStringList RangesPanel::presetIds() {
    return {QStringLiteral("quick"), QStringLiteral("deepspeed"), QStringLiteral("thorough")};
}

static aiotune::Result<nlohmann::json> readPresetJson(const QString& id) {
    QFile file(QStringLiteral(":/presets/%1.json").arg(id));
    if (!file.open(QIODevice::ReadOnly))
        return aiotune::makeError("preset " + id.toStdString() + " is missing (" +
                                  file.fileName().toStdString() +
                                  "): the build did not include resources/presets");
    auto doc = aiotune::parseJsonText(file.readAll().toStdString(), file.fileName().toStdString());
    if (doc && !doc->is_object())
        return aiotune::makeError(file.fileName().toStdString() +
                                  " is not a JSON object: fix the preset file");
    return doc;
}

aiotune::Result<aiotune::SweepSpec> RangesPanel::presetSpec(const QString& id) {
    auto doc = readPresetJson(id);
    if (!doc) return aiotune::makeError(doc.error());
    doc->erase("name");
    doc->erase("description");
    return aiotune::SweepSpec::fromJson(*doc, ":/presets/" + id.toStdString() + ".json");
}

QString RangesPanel::presetName(const QString& id) {
    auto doc = readPresetJson(id);
    if (doc && doc->contains("name") && (*doc)["name"].is_string())
        return QString::fromStdString((*doc)["name"].get<std::string>());
    return id;
}

bool RangesPanel::loadPreset(const QString& id) {
    auto s = presetSpec(id);
    if (!s) {
        emit message(QString::fromStdString(s.error()), true);
        return false;
    }
    setSpec(*s);
    return true;
}

QString RangesPanel::currentPreset() const {
    return m_preset->currentData().toString();
}

void RangesPanel::setSpec(const aiotune::SweepSpec& spec) {
    m_loading = true;
    m_blockSizes->setText(joinSizes(spec.blockSizes));
    m_queueDepths->setText(joinInts(spec.queueDepths));
    m_threads->setText(joinInts(spec.threads));
    m_submitBlock->setChecked(contains(spec.singleSubmit, false));
    m_submitSingle->setChecked(contains(spec.singleSubmit, true));
    m_overlapOn->setChecked(contains(spec.overlapEvents, true));
    m_overlapOff->setChecked(contains(spec.overlapEvents, false));
    m_ioSize->setText(QString::fromStdString(aiotune::formatByteSizeTag(spec.ioSize)));
    m_loops->setValue(spec.loops);
    m_write->setChecked(spec.write);
    m_read->setChecked(spec.read);
    m_loading = false;

    // Show the preset these ranges are, if any.
    int match = m_preset->count() - 1;
    for (int i = 0; i < m_preset->count() - 1; ++i) {
        auto p = presetSpec(m_preset->itemData(i).toString());
        auto mine = this->spec();
        if (p && mine) {
            p->folders = mine->folders;
            if (*p == *mine) match = i;
        }
    }
    m_preset->setCurrentIndex(match);
    onFieldEdited();
}

aiotune::Result<aiotune::SweepSpec> RangesPanel::spec() const {
    aiotune::SweepSpec s;
    s.blockSizes.clear();
    auto sizes = aiotune::parseByteSizeList(m_blockSizes->text().toStdString());
    if (!sizes)
        return aiotune::makeError(
            tr("Block sizes: %1").arg(QString::fromStdString(sizes.error())).toStdString());
    if (sizes->empty())
        return aiotune::makeError(
            tr("Block sizes: give at least one size, e.g. 128K, 1M").toStdString());
    for (auto bs : *sizes)
        if (std::find(s.blockSizes.begin(), s.blockSizes.end(), bs) == s.blockSizes.end())
            s.blockSizes.push_back(bs);
    auto depths = parseIntList(m_queueDepths->text(), tr("Queue depths"));
    if (!depths) return aiotune::makeError(depths.error());
    s.queueDepths = *depths;
    auto threads = parseIntList(m_threads->text(), tr("Threads"));
    if (!threads) return aiotune::makeError(threads.error());
    s.threads = *threads;
    s.singleSubmit.clear();
    if (m_submitBlock->isChecked()) s.singleSubmit.push_back(false);
    if (m_submitSingle->isChecked()) s.singleSubmit.push_back(true);
    if (s.singleSubmit.empty())
        return aiotune::makeError(tr("Submit: tick batch, single or both").toStdString());
    s.overlapEvents.clear();
    if (m_overlapOn->isChecked()) s.overlapEvents.push_back(true);
    if (m_overlapOff->isChecked()) s.overlapEvents.push_back(false);
    if (s.overlapEvents.empty())
        return aiotune::makeError(tr("Requests: tick overlap, sequential or both").toStdString());
    auto io = aiotune::parseByteSize(m_ioSize->text().trimmed().toStdString());
    if (!io)
        return aiotune::makeError(
            tr("IO size: %1").arg(QString::fromStdString(io.error())).toStdString());
    s.ioSize = *io;
    s.loops = m_loops->value();
    s.write = m_write->isChecked();
    s.read = m_read->isChecked();
    if (!s.read && !s.write)
        return aiotune::makeError(tr("Measure: tick write, read or both").toStdString());
    if (auto ok = s.validateRanges(); !ok) return aiotune::makeError(ok.error());
    for (const QString& f : m_folders)
        s.folders.emplace_back(f.toStdString());
    return s;
}

void RangesPanel::onFieldEdited() {
    if (m_loading) return;
    // Typing leaves the preset: the box says so, the ranges stay as typed.
    if (!currentPreset().isEmpty()) {
        auto p = presetSpec(currentPreset());
        auto mine = spec();
        if (p && mine) p->folders = mine->folders;
        if (!p || !mine || !(*p == *mine)) m_preset->setCurrentIndex(m_preset->count() - 1);
    }
    auto s = spec();
    showError(s ? QString() : QString::fromStdString(s.error()));
    emit specChanged();
    m_debounce->start();
}

void RangesPanel::showError(const QString& text) {
    m_error->setText(text);
    m_error->setVisible(!text.isEmpty());
    QPalette p = m_error->palette();
    p.setColor(QPalette::WindowText, MessageBar::errorColor(palette()));
    m_error->setPalette(p);
}

QString RangesPanel::errorText() const {
    return m_error->text();
}
QString RangesPanel::planText() const {
    return m_plan->text();
}
bool RangesPanel::isPlanning() const {
    return m_jobs->isRunning(JobTracker::Kind::Plan) || m_debounce->isActive();
}

void RangesPanel::setAdaptive(bool adaptive) {
    m_adaptive = adaptive;
    m_loops->setEnabled(!adaptive);
    m_loops->setToolTip(adaptive ? tr("Loops applies to the full grid (Sweep > Search); the adaptive search "
                                      "decides how often to measure each configuration")
                                 : HelpDialog::toolTip({HelpDialog::settingTip(QStringLiteral("loops"))}));
    m_debounce->start();
}

void RangesPanel::setFolders(const QStringList& folders) {
    if (folders == m_folders) return;
    m_folders = folders;
    m_debounce->start();
}

void RangesPanel::replan() {
    m_debounce->stop();
    auto s = spec();
    if (!s) {
        m_planOk = false;
        m_plan->setText(tr("Fix the ranges above to see the plan."));
        m_plan->setPalette(palette());
        emit planReady(false, QString::fromStdString(s.error()));
        return;
    }
    if (m_jobs->isRunning(JobTracker::Kind::Plan)) {
        m_planAgain = true; // one plan at a time; the newest inputs win
        return;
    }
    // planSweep probes each folder with a small O_DIRECT file: never on the UI thread.
    const aiotune::SweepSpec spec = *s;
    const bool adaptive = m_adaptive;
    m_jobs->run(
        JobTracker::Kind::Plan, this,
        [spec, adaptive] {
            aiotune::SweepPlan plan =
                adaptive ? aiotune::planAdaptiveSweep(spec, aiotune::AdaptiveOptions{}) : aiotune::planSweep(spec);
            // The window's sweeps check their answer on libaio as the command
            // line's do (the same engine choice, Auto): the plan says so, or why not.
            if (plan.ok()) aiotune::planConfirmation(plan, spec, aiotune::EngineKind::Auto, true);
            return plan;
        },
        [this](aiotune::SweepPlan plan) { onPlanned(plan); });
}

void RangesPanel::onPlanned(const aiotune::SweepPlan& plan) {
    if (m_planAgain) {
        m_planAgain = false;
        replan();
        return;
    }
    m_planOk = plan.ok();
    const QString text = QString::fromStdString(m_planOk ? plan.summary() : plan.problem);
    m_plan->setText(text);
    QPalette p = palette();
    if (!m_planOk) p.setColor(QPalette::WindowText, MessageBar::errorColor(palette()));
    m_plan->setPalette(p);
    emit planReady(m_planOk, text);
}

bool RangesPanel::loadDeepSpeedSweepConfig(const QString& file) {
    std::vector<std::string> warnings;
    auto loaded = aiotune::SweepSpec::fromDeepSpeedSweepConfigFile(file.toStdString(), &warnings);
    if (!loaded) {
        emit message(QString::fromStdString(loaded.error()), true);
        return false;
    }
    for (const auto& w : warnings)
        emit message(QString::fromStdString(w), false);
    // A DeepSpeed sweep config has no io size or loops: keep the ones shown.
    auto current = spec();
    if (current) {
        loaded->ioSize = current->ioSize;
        loaded->loops = current->loops;
        loaded->read = current->read;
        loaded->write = current->write;
    }
    setSpec(*loaded);
    emit message(
        tr("Loaded the ranges of %1 (%n point(s))", nullptr, static_cast<int>(loaded->pointCount()))
            .arg(file),
        false);
    return true;
}

void RangesPanel::chooseDeepSpeedSweepConfig() {
    const QString file =
        m_chooser ? m_chooser()
                  : QFileDialog::getOpenFileName(this, tr("DeepSpeed sweep config"), QString(),
                                                 tr("JSON files (*.json);;All files (*)"));
    if (!file.isEmpty()) loadDeepSpeedSweepConfig(file);
}

void RangesPanel::saveSettings(AppSettings& settings) const {
    auto s = spec();
    if (!s) return; // keep the last good ranges rather than half-typed text
    s->folders.clear();
    settings.setLastSpecJson(QString::fromStdString(aiotune::jsonText(s->toJson())));
    settings.setLastPresetName(currentPreset());
}

void RangesPanel::restoreSettings(const AppSettings& settings) {
    const QString text = settings.lastSpecJson();
    if (text.isEmpty()) {
        loadPreset(QStringLiteral("quick"));
        return;
    }
    auto doc = aiotune::parseJsonText(text.toStdString(), "saved settings");
    auto s = !doc ? aiotune::Result<aiotune::SweepSpec>(aiotune::makeError(doc.error()))
                  : aiotune::SweepSpec::fromJson(*doc, "saved settings");
    if (!s) {
        emit message(tr("The saved ranges could not be read (%1); using the Quick preset")
                         .arg(QString::fromStdString(s.error())),
                     false);
        loadPreset(QStringLiteral("quick"));
        return;
    }
    s->folders.clear();
    for (const QString& f : m_folders)
        s->folders.emplace_back(f.toStdString());
    setSpec(*s);
}
