#include "check/check_dialog.h"

#include "panels/message_bar.h"

#include <QApplication>
#include <QClipboard>
#include <QDialogButtonBox>
#include <QGuiApplication>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>
#include <QSpinBox>
#include <QStandardPaths>
#include <QStyle>
#include <QTextBrowser>
#include <QTreeWidget>
#include <QVBoxLayout>

namespace {

QString fromStd(const std::string& s) { return QString::fromStdString(s); }

constexpr int kFindingRole = Qt::UserRole + 1;

} // namespace

CheckDialog::CheckDialog(QWidget* parent) : QDialog(parent) {
    setObjectName(QStringLiteral("checkDialog"));
    setWindowTitle(tr("Check DeepSpeed config"));
    m_summary = new QLabel(this);
    m_summary->setObjectName(QStringLiteral("checkSummary"));
    m_summary->setWordWrap(true);
    m_summary->setTextInteractionFlags(Qt::TextSelectableByMouse);

    m_list = new QTreeWidget(this);
    m_list->setObjectName(QStringLiteral("checkFindings"));
    m_list->setColumnCount(3);
    m_list->setHeaderLabels({tr("Severity"), tr("Code"), tr("Concerns")});
    m_list->setRootIsDecorated(false);
    m_list->setUniformRowHeights(true);
    m_list->header()->setSectionResizeMode(0, QHeaderView::ResizeToContents);
    m_list->header()->setSectionResizeMode(1, QHeaderView::ResizeToContents);
    m_list->header()->setStretchLastSection(true);

    m_details = new QTextBrowser(this);
    m_details->setObjectName(QStringLiteral("checkDetails"));
    m_details->setOpenLinks(false);

    auto* buttons = new QDialogButtonBox(QDialogButtonBox::Close, this);
    m_copy = buttons->addButton(tr("&Copy report"), QDialogButtonBox::ActionRole);
    m_copy->setObjectName(QStringLiteral("checkCopy"));
    connect(m_copy, &QPushButton::clicked, this, &CheckDialog::copyReport);
    connect(buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);
    connect(m_list, &QTreeWidget::currentItemChanged, this, &CheckDialog::showDetails);

    // The model's size: without it only the config's own buffers are counted
    // against the free space (the report says so).
    m_modelParams = new QLineEdit(this);
    m_modelParams->setObjectName(QStringLiteral("checkModelParams"));
    m_modelParams->setPlaceholderText(tr("e.g. 7B or 70e9"));
    m_modelParams->setToolTip(tr("The model's parameter count (as `aiotune check --model-params`): free space "
                                 "is then checked against the whole swap footprint, not only the config's "
                                 "buffers. Empty: the buffers alone."));
    m_modelParams->setMaximumWidth(160);
    m_nodes = new QSpinBox(this);
    m_nodes->setObjectName(QStringLiteral("checkNodes"));
    m_nodes->setRange(1, aiotune::kMaxNodes);
    m_nodes->setToolTip(tr("Nodes the job runs on: each node's drive holds 1/N of the model's swap files"));
    m_again = new QPushButton(tr("Check &again"), this);
    m_again->setObjectName(QStringLiteral("checkAgain"));
    m_again->setEnabled(false);
    m_modelError = new QLabel(this);
    m_modelError->setObjectName(QStringLiteral("checkModelError"));
    m_modelError->setWordWrap(true);
    m_modelError->hide();
    auto* modelLabel = new QLabel(tr("&Model size:"), this);
    modelLabel->setBuddy(m_modelParams);
    auto* nodesLabel = new QLabel(tr("parameters, on &nodes:"), this);
    nodesLabel->setBuddy(m_nodes);
    auto* modelRow = new QHBoxLayout;
    modelRow->addWidget(modelLabel);
    modelRow->addWidget(m_modelParams);
    modelRow->addWidget(nodesLabel);
    modelRow->addWidget(m_nodes);
    modelRow->addWidget(m_again);
    modelRow->addStretch(1);
    connect(m_again, &QPushButton::clicked, this, &CheckDialog::checkAgain);
    connect(m_modelParams, &QLineEdit::returnPressed, this, &CheckDialog::checkAgain);

    auto* layout = new QVBoxLayout(this);
    layout->addLayout(modelRow);
    layout->addWidget(m_modelError);
    layout->addWidget(m_summary);
    layout->addWidget(m_list, 3);
    layout->addWidget(m_details, 2);
    layout->addWidget(buttons);
    resize(820, 560);
}

aiotune::PreflightOptions CheckDialog::defaultOptions(const QString& configFile) {
    aiotune::PreflightOptions options;
    options.configFile = configFile.toStdString();
    // Where the window writes its sweeps: the newest is compared with.
    // (~/.local/share/aiotune/sweeps, as MainWindow::newLogFolder writes them).
    options.sweepsRoot = (QStandardPaths::writableLocation(QStandardPaths::GenericDataLocation) +
                          QStringLiteral("/aiotune/sweeps"))
                             .toStdString();
    aiotune::useInstalledDeepSpeed(options, aiotune::PythonSearch::fromEnvironment());
    return options;
}

bool CheckDialog::check(const aiotune::PreflightOptions& options) {
    m_options = options;
    m_again->setEnabled(true);
    QGuiApplication::setOverrideCursor(Qt::WaitCursor);
    const auto report = aiotune::runPreflight(options);
    QGuiApplication::restoreOverrideCursor();
    if (!report) {
        setFailure(fromStd(options.configFile.string()), fromStd(report.error()));
        return false;
    }
    setReport(*report);
    return true;
}

void CheckDialog::setReport(const aiotune::CheckReport& report) {
    m_list->clear();
    m_reportText = fromStd(aiotune::formatReport(report));
    QString version = tr("DeepSpeed %1").arg(fromStd(report.deepspeedVersion));
    if (report.versionAssumed) version = tr("DeepSpeed %1 or later").arg(fromStd(report.deepspeedVersion));
    if (!report.versionSource.empty())
        version += QStringLiteral(" (%1)").arg(fromStd(report.versionSource).toHtmlEscaped());
    QString verdict = report.errors() > 0
                          ? tr("<b>%n error(s)</b>: DeepSpeed will fail or misbehave with this config.", "", report.errors())
                          : tr("<b>No errors.</b>");
    m_summary->setText(tr("%1<br>%2 — %3, %4, %5%6")
                           .arg(verdict, fromStd(report.configFile).toHtmlEscaped(), version)
                           .arg(tr("%n warning(s)", "", report.warnings()), tr("%n note(s)", "", report.notes()))
                           .arg(report.measurements.empty()
                                    ? QString()
                                    : tr("<br>Compared with the sweep in %1")
                                          .arg(fromStd(report.measurements).toHtmlEscaped())));
    for (const auto& f : report.findings) {
        auto* item = new QTreeWidgetItem(m_list);
        QStyle::StandardPixmap icon = QStyle::SP_MessageBoxInformation;
        QString severity = tr("note");
        if (f.severity == aiotune::FindingSeverity::Error) {
            icon = QStyle::SP_MessageBoxCritical;
            severity = tr("error");
        } else if (f.severity == aiotune::FindingSeverity::Warning) {
            icon = QStyle::SP_MessageBoxWarning;
            severity = tr("warning");
        }
        item->setIcon(0, style()->standardIcon(icon));
        item->setText(0, severity);
        item->setText(1, fromStd(f.code));
        item->setText(2, fromStd(f.subject));
        item->setToolTip(2, fromStd(f.message));
        const QString html = QStringLiteral("<p><b>%1</b> %2</p><p>%3</p>%4")
                                 .arg(fromStd(f.code).toHtmlEscaped(), fromStd(f.subject).toHtmlEscaped(),
                                      fromStd(f.message).toHtmlEscaped(),
                                      f.fix.empty() ? QString()
                                                    : tr("<p><b>Fix:</b> %1</p>").arg(fromStd(f.fix).toHtmlEscaped()));
        item->setData(0, kFindingRole, html);
    }
    m_copy->setEnabled(true);
    if (m_list->topLevelItemCount() > 0) m_list->setCurrentItem(m_list->topLevelItem(0));
    else m_details->clear();
}

void CheckDialog::setFailure(const QString& configFile, const QString& error) {
    m_list->clear();
    m_reportText = tr("aiotune check: %1").arg(error);
    m_summary->setText(tr("<b>The check could not run</b> on %1.").arg(configFile.toHtmlEscaped()));
    m_details->setPlainText(error);
    m_copy->setEnabled(true);
}

void CheckDialog::setModelSize(const QString& parameters, int nodes) {
    m_modelParams->setText(parameters);
    m_nodes->setValue(nodes);
}

QString CheckDialog::modelError() const { return m_modelError->isHidden() ? QString() : m_modelError->text(); }

bool CheckDialog::checkWithModelSize(const aiotune::PreflightOptions& options) {
    m_options = options;
    return applyModelSize(false);
}

void CheckDialog::checkAgain() {
    if (!m_options.configFile.empty()) applyModelSize(true);
}

bool CheckDialog::applyModelSize(bool announce) {
    aiotune::PreflightOptions options = m_options;
    const QString parameters = m_modelParams->text().trimmed();
    options.model.reset();
    if (!parameters.isEmpty()) {
        // The command line's parser and limits: one wording for a bad size.
        auto model = aiotune::parseModelSize(parameters.toStdString(), std::to_string(m_nodes->value()));
        if (!model) {
            m_modelError->setText(fromStd(model.error()));
            QPalette p = m_modelError->palette();
            p.setColor(QPalette::WindowText, MessageBar::errorColor(palette()));
            m_modelError->setPalette(p);
            m_modelError->show();
            m_modelParams->setFocus();
            // Nothing shown yet: the config's own findings, without the size.
            return m_reportText.isEmpty() ? check(options) : false;
        }
        options.model = *model;
    }
    m_modelError->hide();
    if (announce) emit modelSizeUsed(parameters, m_nodes->value());
    return check(options);
}

int CheckDialog::findingCount() const { return m_list->topLevelItemCount(); }

QString CheckDialog::summaryText() const { return m_summary->text(); }

void CheckDialog::copyReport() { QApplication::clipboard()->setText(m_reportText); }

void CheckDialog::showDetails() {
    const QTreeWidgetItem* item = m_list->currentItem();
    m_details->setHtml(item ? item->data(0, kFindingRole).toString() : QString());
}
