#include "main_window.h"
#include "util/printable_text.h"

#include "check/check_dialog.h"
#include "fleet/hosts_view.h"
#include "main/main_actions.h"
#include "main/sweep_pane.h"
#include "main/table_page.h"
#include "panels/drives_panel.h"
#include "results/answer.h"
#include "results/plausibility_log.h"
#include "panels/log_pane.h"
#include "panels/message_bar.h"
#include "panels/ranges_panel.h"
#include "jobs/job_tracker.h"
#include "panels/help_dialog.h"
#include "results/best_config_panel.h"
#include "results/comparison_model.h"
#include "results/comparison_view.h"
#include "results/csv_export.h"
#include "results/log_folder_reader.h"
#include "results/metatypes.h"
#include "results/result_format.h"
#include "results/results_filter_proxy.h"
#include "results/results_table_model.h"
#include "results/sweep_summary.h"
#include "results/throughput_chart.h"
#include "report/html_report.h"
#include "results/analysis.h"
#include "report/report_file.h"
#include "report/sweep_facts.h"
#include "settings/app_settings.h"
#include "settings/theme.h"
#include "sweep/sweep_controller.h"
#include "util/duration_format.h"

#include <QAction>
#include <QCloseEvent>
#include <QDateTime>
#include <QDir>
#include <QDockWidget>
#include <QFileDialog>
#include <QFileInfo>
#include <QGuiApplication>
#include <QInputDialog>
#include <QKeySequence>
#include <QLabel>
#include <QLineEdit>
#include <QMenu>
#include <QMessageBox>
#include <QProgressBar>
#include <QPushButton>
#include <QScreen>
#include <QSplitter>
#include <QStandardPaths>
#include <QStatusBar>
#include <QStyle>
#include <QTabWidget>
#include <QTableView>
#include <QTimer>
#include <QVBoxLayout>

#include <cstdio>

// Outside any namespace, as Q_INIT_RESOURCE requires: the resources live in
// the static aiotune_ui library, whose initializer the linker would drop.
static void initAiotuneResources() {
    Q_INIT_RESOURCE(aiotune);
}

namespace {

QString formatEta(double seconds) {
    return QString::fromStdString(aiotune::formatEta(seconds));
}

QString folderName(const QString& folder) {
    const QString name = QFileInfo(QDir::cleanPath(folder)).fileName();
    return name.isEmpty() ? folder : name;
}

} // namespace

MainWindow::MainWindow(MainWindowOptions options, QWidget* parent)
    : QMainWindow(parent), m_options(std::move(options)) {
    initAiotuneResources();
    registerResultMetaTypes();
    setObjectName(QStringLiteral("aiotuneMainWindow"));
    setWindowTitle(tr("aiotune"));
    // Small enough for a 1024x640 screen with a window manager's frame.
    setMinimumSize(900, 560);

    m_settings = m_options.settingsPath.isEmpty()
                     ? std::make_unique<AppSettings>()
                     : std::make_unique<AppSettings>(m_options.settingsPath);
    // Before any widget exists, so none starts in the wrong colours.
    if (const Theme theme = parseTheme(m_settings->theme()); theme != Theme::System) applyTheme(theme);
    m_jobs = new JobTracker(this);
    m_sweep = new SweepController(this);
    m_model = new ResultsTableModel(this);

    buildLayout();
    m_actions = new MainActions(*m_settings, this);
    m_recentMenu = m_actions->recentMenu;
    connectActions();
    connectSweep();
    restoreSettings();
    updateActions();
    if (!m_settings->problem().isEmpty())
        showMessage(tr("Settings are not remembered this time: %1. Remove or fix that file, and aiotune "
                       "writes a new one.")
                        .arg(m_settings->problem()),
                    true);
    else if (const QString why = m_settings->saveProblem(); !why.isEmpty())
        showMessage(tr("Settings changed now will not be remembered: %1. Make it writable to keep them.").arg(why),
                    true);
}

MainWindow::~MainWindow() = default;

ResultsFilterProxy* MainWindow::tableProxy() const {
    return m_tablePage->proxy();
}
QLabel* MainWindow::rowCountLabel() const {
    return m_tablePage->rowCountLabel();
}
QTableView* MainWindow::tableView() const {
    return m_tablePage->table();
}
QLineEdit* MainWindow::filterEdit() const {
    return m_tablePage->filterEdit();
}

bool MainWindow::isSweeping() const {
    return m_sweep->isRunning();
}
const aiotune::ResultSet& MainWindow::currentResults() const {
    return m_model->results();
}
const aiotune::Recommendation& MainWindow::recommendation() const {
    return m_model->recommendation();
}

void MainWindow::setPathChooser(std::function<QString(const QString&, bool)> chooser) {
    m_chooser = std::move(chooser);
    if (m_chooser) {
        m_drives->setFolderChooser([this] { return m_chooser(tr("Folder to test"), false); });
        m_ranges->setFileChooser([this] { return m_chooser(tr("DeepSpeed sweep config"), true); });
    }
}

QString MainWindow::choosePath(const QString& title, bool file) {
    if (m_chooser) return m_chooser(title, file);
    const QString start =
        m_currentFolder.isEmpty() ? QDir::homePath() : QFileInfo(m_currentFolder).absolutePath();
    return file ? QFileDialog::getOpenFileName(this, title, start)
                : QFileDialog::getExistingDirectory(this, title, start);
}

// ---- layout ---------------------------------------------------------------

void MainWindow::buildLayout() {
    auto* central = new QWidget(this);
    auto* outer = new QVBoxLayout(central);
    outer->setContentsMargins(6, 6, 6, 0);
    m_messageBar = new MessageBar(central);
    outer->addWidget(m_messageBar);

    m_mainSplitter = new QSplitter(Qt::Horizontal, central);
    m_mainSplitter->setObjectName(QStringLiteral("mainSplitter"));
    m_mainSplitter->setChildrenCollapsible(false);
    outer->addWidget(m_mainSplitter, 1);

    // Left: what and where to sweep, and the buttons that start it.
    m_sweepPane = new SweepPane(m_options.discovery, m_jobs, m_mainSplitter);
    m_drives = m_sweepPane->drives();
    m_ranges = m_sweepPane->ranges();

    // Right: the results.
    m_tabs = new QTabWidget(m_mainSplitter);
    m_tabs->setObjectName(QStringLiteral("resultTabs"));
    m_tabs->setDocumentMode(true);
    m_chart = new ThroughputChart(m_tabs);
    m_chart->setModel(m_model);
    m_tabs->addTab(m_chart, tr("&Chart"));
    m_tablePage = new TablePage(m_model, m_tabs);
    m_tabs->addTab(m_tablePage, tr("&Table"));
    m_compareView = new ComparisonView(m_tabs);
    m_compareView->setObjectName(QStringLiteral("compareView"));
    m_comparison = m_compareView->model();
    m_tabs->addTab(m_compareView, tr("Co&mpare"));
    m_log = new LogPane(m_tabs);
    m_tabs->addTab(m_log, tr("&Log"));

    m_mainSplitter->addWidget(m_sweepPane);
    m_mainSplitter->addWidget(m_tabs);
    m_mainSplitter->setStretchFactor(0, 0);
    m_mainSplitter->setStretchFactor(1, 1);
    m_mainSplitter->setSizes({470, 700});
    setCentralWidget(central);

    // The verdict sits beside the results, where the eye ends up after a sweep.
    auto* dock = new QDockWidget(tr("Best configuration"), this);
    dock->setObjectName(QStringLiteral("bestDock"));
    dock->setFeatures(QDockWidget::DockWidgetMovable | QDockWidget::DockWidgetFloatable |
                      QDockWidget::DockWidgetClosable); // View > Best configuration brings it back
    m_best = new BestConfigPanel(dock);
    dock->setWidget(m_best);
    addDockWidget(Qt::RightDockWidgetArea, dock);

    // Status bar: the point being measured, then progress with ETA.
    m_statusPoint = new QLabel(this);
    m_statusPoint->setObjectName(QStringLiteral("statusPoint"));
    m_progress = new QProgressBar(this);
    m_progress->setObjectName(QStringLiteral("sweepProgress"));
    m_progress->setRange(0, 1000);
    m_progress->setMaximumWidth(320);
    m_progress->setMinimumWidth(220);
    m_progress->hide();
    statusBar()->addWidget(m_statusPoint, 1);
    statusBar()->addPermanentWidget(m_progress);
    // A shortened message's whole text goes with it (showMessage).
    connect(statusBar(), &QStatusBar::messageChanged, this, [this](const QString& m) {
        if (m.isEmpty()) statusBar()->setToolTip({});
    });

    // Wiring between the panels and the views.
    connect(m_drives, &DrivesPanel::message, this, &MainWindow::showMessage);
    connect(m_ranges, &RangesPanel::message, this, &MainWindow::showMessage);
    connect(m_ranges, &RangesPanel::planReady, this, [this](bool ok, const QString&) {
        m_planOk = ok;
        updateActions();
    });
    connect(m_best, &BestConfigPanel::message, this, &MainWindow::showMessage);
    connect(m_model, &ResultsTableModel::recommendationChanged, m_best, &BestConfigPanel::setRecommendation);
    connect(m_chart, &ThroughputChart::configClicked, m_tablePage, &TablePage::showConfig);
    connect(m_tablePage, &TablePage::currentConfigChanged, m_chart, &ThroughputChart::selectConfig);
    connect(m_compareView, &ComparisonView::compareRequested, this, &MainWindow::compareFolders);
    connect(m_sweepPane, &SweepPane::startRequested, this, &MainWindow::startSweep);
    connect(m_sweepPane, &SweepPane::cancelRequested, this, &MainWindow::cancelSweep);
}

// What each action does; the actions themselves are MainActions'.
void MainWindow::connectActions() {
    MainActions* a = m_actions;
    connect(a->open, &QAction::triggered, this, &MainWindow::chooseFolderToOpen);
    connect(a->reload, &QAction::triggered, this, &MainWindow::reload);
    connect(a->compare, &QAction::triggered, this, &MainWindow::chooseFolderToCompare);
    connect(a->loadSweepConfig, &QAction::triggered, m_ranges, &RangesPanel::chooseDeepSpeedSweepConfig);
    connect(a->saveChart, &QAction::triggered, this, &MainWindow::saveChart);
    connect(a->exportCsv, &QAction::triggered, this, &MainWindow::exportCsv);
    connect(a->exportReport, &QAction::triggered, this, &MainWindow::exportReport);
    connect(a->quit, &QAction::triggered, this, &QWidget::close);
    connect(a->start, &QAction::triggered, this, &MainWindow::startSweep);
    connect(a->cancel, &QAction::triggered, this, &MainWindow::cancelSweep);
    connect(a->remeasure, &QAction::triggered, this, &MainWindow::remeasureTop);
    connect(a->remeasureSelected, &QAction::triggered, this, &MainWindow::remeasureSelected);
    connect(a->addFolder, &QAction::triggered, m_drives, &DrivesPanel::chooseAndAddFolder);
    connect(a->rescan, &QAction::triggered, m_drives, &DrivesPanel::refresh);
    connect(a->copy, &QAction::triggered, this, &MainWindow::copySelection);
    connect(a->help, &QAction::triggered, this, &MainWindow::showHelp);
    connect(a->about, &QAction::triggered, this, &MainWindow::showAbout);
    connect(a->find, &QAction::triggered, this, [this] {
        m_tabs->setCurrentIndex(TableTab);
        m_tablePage->focusFilter();
    });
    connect(a, &MainActions::tabRequested, m_tabs, &QTabWidget::setCurrentIndex);
    // The Ranges panel says what will be measured under the chosen search.
    m_sweepPane->setAdaptive(a->adaptiveSearch());
    connect(a, &MainActions::searchChanged, m_sweepPane, &SweepPane::setAdaptive);
    a->addViewToggle(findChild<QDockWidget*>(QStringLiteral("bestDock"))->toggleViewAction());
    a->remeasure->setToolTip(
        tr("Run the best configurations %1 more times each and add the samples to the results")
            .arg(kRemeasureLoops));
    // The table's own commands, on its context menu too.
    m_tablePage->table()->addAction(a->copy);
    m_tablePage->table()->addAction(a->remeasureSelected);
    m_sweepPane->startButton()->setToolTip(
        tr("Start the sweep (%1)").arg(a->start->shortcut().toString(QKeySequence::NativeText)));
    m_sweepPane->cancelButton()->setToolTip(
        tr("Cancel the sweep (%1)").arg(a->cancel->shortcut().toString(QKeySequence::NativeText)));

    // `aiotune check` in the window; also offered after a merge.
    const auto showCheck = [this](const QString& path) {
        auto* dialog = new CheckDialog(this);
        dialog->setAttribute(Qt::WA_DeleteOnClose);
        // The model size last used: a user checks one job's configs in turn.
        dialog->setModelSize(m_settings->checkModelSize(), m_settings->checkNodes());
        connect(dialog, &CheckDialog::modelSizeUsed, this,
                [this](const QString& parameters, int nodes) { m_settings->setCheckModelSize(parameters, nodes); });
        dialog->checkWithModelSize(CheckDialog::defaultOptions(path));
        dialog->open();
    };
    connect(a->checkConfig, &QAction::triggered, this, [this, showCheck] {
        const QString path = QFileDialog::getOpenFileName(this, tr("Check DeepSpeed config"), QString(),
                                                          tr("DeepSpeed config (*.json);;All files (*)"));
        if (!path.isEmpty()) showCheck(path);
    });
    // As `aiotune export` says on stderr: the profile behind the settings merged.
    connect(m_best, &BestConfigPanel::merged, this, [this](const QString& path) {
        // An earlier failure's banner (a read-only config, made writable since) is over.
        if (m_messageBar->isError()) m_messageBar->dismiss();
        const auto facts = aiotune::SweepFacts::fromResults(m_model->results());
        showMessage(tr("Merged into %1; the settings were %2.")
                        .arg(path, QString::fromStdString(aiotune::measuredWithText(facts))),
                    false);
    });
    connect(m_best, &BestConfigPanel::merged, this, [this, showCheck](const QString& path) {
        auto* offer = new QMessageBox(QMessageBox::Question, tr("Check the config?"),
                                      tr("Check %1 for NVMe offload problems now (nvme_path, swap "
                                         "buffers, locked memory, libaio, the drive)?")
                                          .arg(path),
                                      QMessageBox::Yes | QMessageBox::No, this);
        offer->setObjectName(QStringLiteral("offerCheck"));
        offer->setAttribute(Qt::WA_DeleteOnClose);
        connect(offer, &QMessageBox::buttonClicked, this, [offer, showCheck, path](QAbstractButton* b) {
            if (offer->standardButton(b) == QMessageBox::Yes) showCheck(path);
        });
        offer->open(); // not modal to the caller: a merge never waits on it
    });
}

// ---- sweeps -----------------------------------------------------------------

void MainWindow::connectSweep() {
    connect(m_sweep, &SweepController::runningChanged, this, &MainWindow::onSweepRunning);
    connect(m_model, &QAbstractItemModel::modelReset, this, &MainWindow::updateActions);
    connect(m_model, &QAbstractItemModel::rowsInserted, this, &MainWindow::updateActions);
    connect(m_sweep, &SweepController::started, this, [this](quint64, int total) {
        if (!m_remeasuring) m_model->clear();
        // Until the runner's answer arrives, what the window shows is
        // provisional: partial, "the sweep had not finished".
        m_model->setSweepState(aiotune::SweepStatus::Running,
                               m_remeasuring                                           ? std::string()
                               : m_sweep->search() == SweepController::Search::Grid ? "grid"
                                                                                      : "adaptive");
        // Listed in Open Recent from its start: a window killed mid-sweep
        // (kill -9, a crash) leaves a folder the next one can find and open.
        if (!m_sweepLogFolder.isEmpty()) {
            m_settings->addRecentFolder(m_sweepLogFolder);
            m_settings->sync();
            updateRecentMenu();
        }
        m_chart->setRace({});
        m_progress->setValue(0);
        m_progress->setFormat(tr("%p% · starting"));
        showStatusPoint(tr("Starting %n transfer(s)…", nullptr, total));
    });
    connect(m_sweep, &SweepController::progressChanged, this,
            [this](int permille, const QString& current, double eta, double) {
                m_progress->setValue(permille);
                m_progress->setFormat(QStringLiteral("%p% · ") + formatEta(eta));
                showStatusPoint(current);
            });
    connect(m_sweep, &SweepController::sampleReady, m_model, &ResultsTableModel::addSample);
    connect(m_sweep, &SweepController::sampleReady, this,
            [this](const aiotune::ConfigKey& key, const aiotune::Sample& s) {
                if (s.failed())
                    m_log->appendMessage(tr("%1 %2 failed: %3")
                                             .arg(QString::fromLatin1(aiotune::ioOpName(s.op)),
                                                  QString::fromStdString(key.label()),
                                                  QString::fromStdString(s.error)),
                                         true);
            });
    connect(m_sweep, &SweepController::message, this, &MainWindow::showMessage);
    // Samples carry the sweep's folder count in their keys; dropouts only the aio settings.
    const auto droppedKeys = [this](const std::vector<aiotune::Dropout>& dropouts) {
        QList<aiotune::ConfigKey> out;
        const int folders = std::max(1, int(m_drives->checkedFolders().size()));
        for (const auto& d : dropouts) out << aiotune::ConfigKey{d.config, folders};
        return out;
    };
    connect(m_sweep, &SweepController::raceChanged, this,
            [this, droppedKeys](const aiotune::RaceEvent& race) {
                m_chart->setRace(droppedKeys(race.dropouts));
            });
    // The runner's answer (stored in sweep.json) becomes the model's: every
    // view shows it from there. A re-measurement's own answer covers only the
    // configurations it measured again: the window decides again when it ends.
    connect(m_sweep, &SweepController::answerReady, this, [this](const aiotune::Answer& answer) {
        if (!m_remeasuring) m_model->setStoredAnswer(answer);
    });
    connect(m_sweep, &SweepController::runningChanged, this, [this](bool running) {
        if (!running) m_remeasuring = false;
    });
    connect(m_sweep, &SweepController::failed, this, [this](const QString& error) {
        // After some transfers it did start (a log folder deleted mid-sweep).
        showMessage((m_model->rowCount() > 0 ? tr("The sweep stopped: %1") : tr("The sweep could not start: %1"))
                        .arg(error),
                    true);
        // The Best panel says the same, not the answer's "measure both operations again".
        m_model->setSweepState(aiotune::SweepStatus::Failed, {});
        m_model->setNoAnswerReason(tr("The sweep ended without an answer: %1").arg(error));
    });
    connect(m_sweep, &SweepController::cancelled, this, [this] {
        // A re-measurement cancelled leaves the finished sweep it added to.
        m_model->setSweepState(m_remeasuring ? aiotune::SweepStatus::Finished : aiotune::SweepStatus::Cancelled, {});
        QString text =
            tr("Sweep cancelled; the %n configuration(s) measured so far stay in the table.",
               nullptr, m_model->rowCount());
        // What was measured is logged: name the folder and offer it again.
        if (!m_sweepLogFolder.isEmpty() && QFileInfo::exists(m_sweepLogFolder)) {
            text += QLatin1Char(' ') + tr("Logs in %1.").arg(m_sweepLogFolder);
            m_settings->addRecentFolder(m_sweepLogFolder);
            updateRecentMenu();
        }
        showMessage(text, false);
    });
    connect(m_sweep, &SweepController::finished, this, [this](const aiotune::ResultSet& results) {
        if (m_remeasuring) {
            // The samples went into the model as they arrived, beside the
            // earlier ones: the answer is decided again from all of them, by
            // the same rule, and kept as the window's answer.
            m_model->setSweepState(aiotune::SweepStatus::Finished, {});
            m_model->storeAnswer();
            showMessage(tr("Measured %n configuration(s) again; their samples were added.", nullptr,
                           static_cast<int>(results.configs.size())) +
                            QLatin1Char(' ') + tr("Logs in %1.").arg(m_sweepLogFolder),
                        false);
            return;
        }
        QString folder;
        if (!m_sweepLogFolder.isEmpty() && QFileInfo::exists(m_sweepLogFolder)) {
            folder = m_sweepLogFolder;
            m_settings->addRecentFolder(folder);
            updateRecentMenu();
        }
        setResults(results, folder);
        m_tabs->setCurrentIndex(ChartTab);
        const auto& answer = m_model->recommendation().answer;
        QString text = tr("Sweep finished: %n configuration(s) measured.", nullptr,
                          static_cast<int>(results.configs.size()));
        if (answer.found)
            text += QLatin1Char(' ') + tr("Best: %1, %2.")
                                           .arg(QString::fromStdString(answer.best.label()),
                                                resultformat::answerFigure(answer));
        text += QLatin1Char(' ') + tr("Measured with: %1.").arg(resultformat::profileName(results));
        if (!folder.isEmpty()) text += QLatin1Char(' ') + tr("Logs in %1.").arg(folder);
        showMessage(text, false);
    });
}

void MainWindow::startSweep() {
    if (m_sweep->isRunning()) return;
    auto spec = m_ranges->spec();
    if (!spec) {
        showMessage(QString::fromStdString(spec.error()), true);
        return;
    }
    if (spec->folders.empty()) {
        showMessage(tr("Tick at least one folder under Drives (or add one with Add folder…) before "
                       "starting."),
                    true);
        return;
    }
    m_messageBar->dismiss();
    if (!confirmSharedDrives(m_drives->checkedFolders())) {
        showMessage(tr("Sweep not started: tick one folder per drive, or start again and measure "
                       "the folders together."),
                    false);
        return;
    }
    m_sweepLogFolder = newLogFolder(m_options.logRoot);
    m_sweep->setLogFolder(m_sweepLogFolder);
    applySweepSettings();
    m_remeasuring = false;
    m_currentFolder.clear();
    m_remeasuredFolder.clear();
    setWindowTitle(tr("aiotune — sweep running"));
    m_log->appendMessage(tr("Sweep started: %1 point(s) on %2")
                             .arg(spec->pointCount())
                             .arg(m_drives->checkedFolders().join(QStringLiteral(", "))));
    m_sweep->start(*spec);
}

QString MainWindow::newLogFolder(const QString& logRoot) {
    // Every sweep leaves a DeepSpeed-compatible log folder to reopen, compare or hand to
    // DeepSpeed's tools.
    // ~/.local/share/aiotune/sweeps: the generic data root plus our name, not
    // <organization>/<application> (both "aiotune").
    const QString root =
        logRoot.isEmpty()
            ? QStandardPaths::writableLocation(QStandardPaths::GenericDataLocation) +
                  QStringLiteral("/aiotune/sweeps")
            : logRoot;
    QDir().mkpath(root);
    const QString stem = root + QStringLiteral("/sweep-") +
                         QDateTime::currentDateTime().toString(QStringLiteral("yyyyMMdd-HHmmss"));
    QString folder = stem;
    for (int n = 2; QFileInfo::exists(folder); ++n) // two sweeps within a second
        folder = stem + QLatin1Char('-') + QString::number(n);
    return folder;
}

void MainWindow::applySweepSettings() {
    const auto profile = m_actions->hugePagesWhatIf() ? aiotune::MeasurementProfile::hugePageWhatIf()
                                                     : aiotune::MeasurementProfile::faithful();
    m_sweep->setProfile(profile);
    m_sweep->setSearch(!m_actions->adaptiveSearch() ? SweepController::Search::Grid
                                                    : SweepController::Search::Adaptive);
    m_best->setProfileName(QString::fromStdString(profile.name()));
}

std::vector<aiotune::AioConfig> MainWindow::remeasureTargets(int topN, bool selectedOnly) const {
    std::vector<aiotune::AioConfig> out;
    const auto add = [&out](const aiotune::ConfigResult* c) {
        if (c && std::find(out.begin(), out.end(), c->key.aio) == out.end()) out.push_back(c->key.aio);
    };
    if (selectedOnly) {
        for (const auto* c : m_tablePage->selectedConfigs()) add(c);
        return out;
    }
    std::vector<const aiotune::ConfigResult*> ranked;
    for (const auto& c : m_model->results().configs)
        if (c.combinedGiBps) ranked.push_back(&c);
    std::stable_sort(ranked.begin(), ranked.end(), [](const auto* a, const auto* b) {
        return *a->combinedGiBps > *b->combinedGiBps;
    });
    for (const auto* c : ranked) {
        if (int(out.size()) >= topN) break;
        add(c);
    }
    return out;
}

void MainWindow::remeasure(const std::vector<aiotune::AioConfig>& configs) {
    if (m_sweep->isRunning() || configs.empty()) return;
    auto spec = m_ranges->spec();
    if (!spec) {
        showMessage(QString::fromStdString(spec.error()), true);
        return;
    }
    if (spec->folders.empty()) {
        showMessage(tr("Tick the folder(s) to measure under Drives before measuring again."), true);
        return;
    }
    m_sweepLogFolder = newLogFolder(m_options.logRoot);
    m_sweep->setLogFolder(m_sweepLogFolder);
    applySweepSettings();
    m_remeasuring = true;
    m_remeasuredFolder = m_sweepLogFolder;
    updateTitle();
    m_log->appendMessage(tr("Measuring %n configuration(s) again, %1 loops each", nullptr,
                            int(configs.size()))
                             .arg(kRemeasureLoops));
    m_sweep->remeasure(*spec, configs, kRemeasureLoops);
}

void MainWindow::remeasureTop() {
    const int rows = int(m_model->results().configs.size());
    if (rows == 0) return;
    const int n = m_topNChooser
                      ? m_topNChooser(std::min(kRemeasureDefaultTop, rows), rows)
                      : [&] {
                            bool ok = false;
                            const int v = QInputDialog::getInt(
                                this, tr("Measure the top N again"),
                                tr("How many of the best configurations (%1 loops each)?")
                                    .arg(kRemeasureLoops),
                                std::min(kRemeasureDefaultTop, rows), 1, rows, 1, &ok);
                            return ok ? v : 0;
                        }();
    if (n > 0) remeasure(remeasureTargets(n, false));
}

void MainWindow::remeasureSelected() { remeasure(remeasureTargets(0, true)); }

void MainWindow::cancelSweep() {
    if (!m_sweep->isRunning()) return;
    showStatusPoint(tr("Cancelling…"));
    m_sweep->cancel();
}

void MainWindow::onSweepRunning(bool running) {
    m_progress->setVisible(running);
    if (!running) {
        m_statusPoint->clear();
        updateTitle();
        if (m_closeRequested) {
            close();
            return;
        }
    }
    updateActions();
}

void MainWindow::updateActions() {
    const bool running = m_sweep->isRunning();
    const bool rows = m_model->rowCount() > 0;
    MainActions* a = m_actions;
    m_sweepPane->setRunning(running);
    a->start->setEnabled(!running);
    a->cancel->setEnabled(running);
    a->remeasure->setEnabled(!running && rows);
    a->remeasureSelected->setEnabled(!running && rows);
    // Opening a folder would mix its rows into the running sweep's table.
    a->open->setEnabled(!running);
    m_recentMenu->setEnabled(!running && !m_settings->recentFolders().isEmpty());
    a->reload->setEnabled(!running && !m_currentFolder.isEmpty());
    a->loadSweepConfig->setEnabled(!running);
    a->compare->setEnabled(rows);
    a->saveChart->setEnabled(rows);
    a->exportCsv->setEnabled(rows);
    a->exportReport->setEnabled(rows);
    m_compareView->setSources(rows && !running, m_settings->recentFolders());
}

// ---- folders ----------------------------------------------------------------

void MainWindow::chooseFolderToOpen() {
    const QString folder = choosePath(tr("Open sweep folder"), false);
    if (!folder.isEmpty()) openFolder(folder);
}

void MainWindow::chooseFolderToCompare() {
    const QString folder = choosePath(tr("Compare with folder"), false);
    if (!folder.isEmpty()) compareWithFolder(folder);
}

void MainWindow::reload() {
    // After "measure again" the samples shown come from two folders: reread both.
    if (!m_currentFolder.isEmpty()) openFolders(m_currentFolder, m_remeasuredFolder);
}

void MainWindow::openFolder(const QString& folder) { openFolders(folder, QString()); }

void MainWindow::openFolders(const QString& folder, const QString& again) {
    if (m_sweep->isRunning()) {
        showMessage(tr("Cancel the running sweep before opening %1.").arg(folder), true);
        return;
    }
    if (aiotune::isFleetFolder(folder.toStdString())) { // <folder>/<host>/ sweeps of aiotune fleet
        auto* hosts = new HostsView(this);
        hosts->setWindowFlag(Qt::Window);
        hosts->setAttribute(Qt::WA_DeleteOnClose);
        connect(hosts, &HostsView::message, this, &MainWindow::showMessage);
        hosts->openFolder(folder);
        hosts->show();
        return;
    }
    // A newer open supersedes this one: the tracker drops the older result.
    m_loading = true;
    showStatusPoint(tr("Reading %1…").arg(folder));
    // The reading and the analysis run off the UI thread; the result travels
    // behind a shared pointer so no copy of thousands of configurations is
    // made on the way back.
    struct Loaded {
        aiotune::Result<aiotune::ResultSet> results;
        aiotune::Recommendation recommendation;
    };
    m_jobs->run(
        JobTracker::Kind::Open, this,
        [folder, again] {
            auto loaded = std::make_shared<Loaded>(Loaded{aiotune::LogFolderReader().read(folder.toStdString()), {}});
            if (loaded->results && !again.isEmpty()) {
                // The re-measured samples join the sweep's, as when they arrived,
                // and the answer is decided again from all of them (answerFor).
                auto more = aiotune::LogFolderReader().read(again.toStdString());
                if (!more) {
                    loaded->results = aiotune::makeError(more.error());
                    return loaded;
                }
                for (const aiotune::ConfigResult& c : more->configs)
                    for (const aiotune::Sample& sample : c.samples) loaded->results->add(c.key, sample);
                loaded->results->answer = aiotune::answerFor(*loaded->results);
            }
            if (loaded->results) loaded->recommendation = aiotune::analyze(*loaded->results);
            return loaded;
        },
        [this, folder, again](std::shared_ptr<Loaded> loaded) {
            m_loading = false;
            m_statusPoint->clear();
            if (!loaded->results) {
                const QString error = QString::fromStdString(loaded->results.error());
                showMessage(error, true);
                emit loadFailed(folder, error);
                return;
            }
            m_best->setProfileName(resultformat::profileName(*loaded->results));
            setResults(std::move(*loaded->results), std::move(loaded->recommendation), folder);
            m_remeasuredFolder = again;
            updateTitle();
            const aiotune::ResultSet& results = m_model->results();
            m_chart->setRace({});
            m_settings->addRecentFolder(folder);
            updateRecentMenu();
            logSkipped(results);
            m_log->appendMessage(tr("Opened %1: %n configuration(s)", nullptr,
                                    static_cast<int>(results.configs.size()))
                                     .arg(folder));
            emit folderLoaded(folder);
        });
}

void MainWindow::compareWithFolder(const QString& folder) {
    if (aiotune::isFleetFolder(folder.toStdString())) return openFolder(folder); // nodes compare in the hosts view
    compareFolders(QString(), folder);
}

void MainWindow::compareFolders(const QString& a, const QString& b) {
    const aiotune::ResultSet current = m_model->results();
    const QString currentName =
        m_currentFolder.isEmpty() ? tr("this sweep") : folderName(m_currentFolder);
    using Read = aiotune::Result<aiotune::ResultSet>;
    auto read = [current](const QString& folder) -> Read {
        if (folder.isEmpty()) return current;
        return aiotune::LogFolderReader().read(folder.toStdString());
    };
    showStatusPoint(tr("Reading folders to compare…"));
    m_jobs->run(
        JobTracker::Kind::Compare, this, [read, a, b] { return std::pair{read(a), read(b)}; },
        [this, a, b, currentName](std::pair<Read, Read> sides) {
            m_statusPoint->clear();
            for (const Read* side : {&sides.first, &sides.second})
                if (!*side) {
                    showMessage(QString::fromStdString(side->error()), true);
                    return;
                }
            if (!a.isEmpty()) logSkipped(*sides.first);
            if (!b.isEmpty()) logSkipped(*sides.second);
            m_compareView->setBaseline(*sides.first, a.isEmpty() ? currentName : folderName(a));
            m_compareView->setOther(*sides.second, b.isEmpty() ? currentName : folderName(b));
            m_compareView->setPicked(a, b);
            m_tabs->setCurrentIndex(CompareTab);
            emit comparisonLoaded(b);
        });
}

void MainWindow::setResults(const aiotune::ResultSet& results, const QString& folder) {
    setResults(results, aiotune::analyze(results), folder);
}

void MainWindow::setResults(aiotune::ResultSet results, aiotune::Recommendation recommendation,
                            const QString& folder) {
    // A sweep just run or a folder opened: flag figures that cannot be true (table and Log tab).
    m_model->setLinkLimits(recordedLinkLimits(results, m_drives->discoveryReport()));
    m_model->setResults(std::move(results), std::move(recommendation));
    logPlausibility(*m_log, m_model->plausibilityFlags());
    m_currentFolder = folder;
    m_remeasuredFolder.clear();
    updateTitle();
    updateActions();
}

void MainWindow::updateTitle() {
    if (m_sweep->isRunning() && !m_remeasuring) return setWindowTitle(tr("aiotune — sweep running"));
    QString names = m_currentFolder.isEmpty() ? QString() : folderName(m_currentFolder);
    // The samples shown came from both folders: the title names both.
    if (!m_remeasuredFolder.isEmpty())
        names = (names.isEmpty() ? tr("this sweep") : names) + QStringLiteral(" + ") +
                tr("%1 (measured again)").arg(folderName(m_remeasuredFolder));
    setWindowTitle(names.isEmpty() ? tr("aiotune") : tr("%1 — aiotune").arg(names));
}

void MainWindow::logSkipped(const aiotune::ResultSet& results) {
    // One line each, a file's name escaped (a newline in it forged a log
    // line); the first few hundred, then a count (50,000 junk files froze the
    // window for seconds, one appended line at a time).
    constexpr std::size_t kMaxLines = 200;
    for (std::size_t i = 0; i < results.skipped.size() && i < kMaxLines; ++i) {
        const auto& s = results.skipped[i];
        m_log->appendMessage(tr("Skipped %1: %2")
                                 .arg(QString::fromStdString(aiotune::printableName(s.file)),
                                      QString::fromStdString(aiotune::printableName(s.reason))),
                             true);
    }
    if (results.skipped.size() > kMaxLines)
        m_log->appendMessage(tr("… and %1 more skipped files (aiotune analyze --log_dir FOLDER lists them all).")
                                 .arg(results.skipped.size() - kMaxLines),
                             true);
    if (!results.skipped.empty())
        showMessage(tr("%n file(s) could not be used; the Log tab says why.", nullptr,
                       static_cast<int>(results.skipped.size())),
                    false);
}

void MainWindow::updateRecentMenu() {
    m_recentMenu->clear();
    const QStringList recent = m_settings->recentFolders();
    for (int i = 0; i < recent.size(); ++i) {
        const QString folder = recent[i];
        auto* a = m_recentMenu->addAction(QStringLiteral("&%1 %2").arg(i + 1).arg(folder));
        connect(a, &QAction::triggered, this, [this, folder] {
            if (!QFileInfo::exists(folder)) {
                showMessage(tr("%1 no longer exists; removed from the recent list.").arg(folder),
                            true);
                m_settings->removeRecentFolder(folder);
                updateRecentMenu();
                return;
            }
            openFolder(folder);
        });
    }
    if (!recent.isEmpty()) {
        m_recentMenu->addSeparator();
        m_recentMenu->addAction(tr("Clear list"), this, [this] {
            for (const QString& f : m_settings->recentFolders())
                m_settings->removeRecentFolder(f);
            updateRecentMenu();
        });
    }
    updateActions();
}

// ---- other commands ---------------------------------------------------------

void MainWindow::copySelection() {
    const int rows = m_tablePage->copySelection();
    if (rows > 0) statusBar()->showMessage(tr("Copied %n row(s)", nullptr, rows), 3000);
}

QString MainWindow::chooseSavePath(const QString& title, const QString& defaultName,
                                   const QString& filters) {
    if (m_chooser) return m_chooser(title, true);
    const QString start = m_currentFolder.isEmpty() ? QDir::homePath() : m_currentFolder;
    return QFileDialog::getSaveFileName(this, title, start + QLatin1Char('/') + defaultName,
                                        filters);
}

void MainWindow::saveChart() {
    QString path = chooseSavePath(tr("Save chart"), QStringLiteral("aiotune-chart.png"),
                                  tr("PNG image (*.png);;SVG drawing (*.svg)"));
    if (path.isEmpty()) return;
    if (!path.endsWith(QStringLiteral(".png"), Qt::CaseInsensitive) &&
        !path.endsWith(QStringLiteral(".svg"), Qt::CaseInsensitive))
        path += QStringLiteral(".png");
    const QStringList caption =
        sweepsummary::caption(m_model->results(), QDateTime::currentDateTime());
    if (m_chart->saveImage(path, caption))
        showMessage(tr("Chart saved to %1").arg(path), false);
    else
        showMessage(tr("Could not write %1: check the folder exists and is writable.").arg(path),
                    true);
}

void MainWindow::exportCsv() {
    QString path = chooseSavePath(tr("Export table as CSV"), QStringLiteral("aiotune-results.csv"),
                                  tr("CSV files (*.csv)"));
    if (path.isEmpty()) return;
    if (!path.endsWith(QStringLiteral(".csv"), Qt::CaseInsensitive)) path += QStringLiteral(".csv");
    // The save dialog has asked before replacing; the old file is kept as .bak.
    const auto written = aiotune::writeResultsCsv(m_model->results(), path.toStdString(),
                                                  /*overwrite=*/QFileInfo::exists(path));
    if (written)
        showMessage(tr("%n configuration(s) exported to %1", nullptr,
                       static_cast<int>(m_model->results().configs.size()))
                        .arg(path),
                    false);
    else
        showMessage(QString::fromStdString(written.error()), true);
}

void MainWindow::showHelp() {
    auto* dialog = findChild<HelpDialog*>();
    if (!dialog) dialog = new HelpDialog(this);
    dialog->show();
    dialog->raise();
    dialog->activateWindow();
}

QString MainWindow::sharedDriveQuestion(const QStringList& folders) const {
    std::map<QString, QStringList> byDrive;
    for (const QString& f : folders) {
        const QString drive = m_drives->driveOf(f);
        if (!drive.isEmpty()) byDrive[drive] << f;
    }
    QStringList shared;
    for (const auto& [drive, list] : byDrive)
        if (list.size() > 1)
            shared << tr("%1 are on the same drive (%2).").arg(list.join(QStringLiteral(", ")), drive);
    if (shared.isEmpty()) return {};
    const int count = int(folders.size());
    // DeepSpeed's offload_optimizer and offload_param take one nvme_path each.
    return shared.join(QLatin1Char(' ')) + QLatin1Char(' ') +
           tr("The sweep measures the %1 ticked folders together, as one %1-folder configuration "
              "sharing the drive's bandwidth: its answer is the best aio settings for swapping to "
              "%1 folders at once. A DeepSpeed config names one nvme_path, so these figures are "
              "not what it will get from one folder.\n\nMeasure the folders together anyway? "
              "(No: untick all but one folder per drive, then start again.)")
               .arg(count);
}

bool MainWindow::confirmSharedDrives(const QStringList& folders) {
    const QString question = sharedDriveQuestion(folders);
    if (question.isEmpty()) return true;
    const bool yes =
        m_confirmSharedDrives
            ? m_confirmSharedDrives(question)
            : QMessageBox::question(this, tr("Folders on one drive"), question,
                                    QMessageBox::Yes | QMessageBox::No, QMessageBox::No) == QMessageBox::Yes;
    if (yes) m_log->appendMessage(question.section(QLatin1Char('\n'), 0, 0) + QLatin1Char(' ') +
                                  tr("Measured together, as asked."));
    return yes;
}

// The same page as `aiotune report`, rendered and written off the UI thread.
void MainWindow::exportReport() {
    if (m_model->results().configs.empty()) {
        showMessage(tr("Nothing to report yet: open a sweep folder or run a sweep first."), true);
        return;
    }
    const QString start = (m_currentFolder.isEmpty() ? QDir::homePath() : m_currentFolder) +
                          QStringLiteral("/aiotune-report.html");
    QString path = m_chooser ? m_chooser(tr("Export report"), true)
                             : QFileDialog::getSaveFileName(this, tr("Export report as HTML"), start,
                                                            tr("HTML pages (*.html *.htm)"));
    if (path.isEmpty()) return;
    // The dialog confirmed replacing the name chosen, not one with a suffix added.
    const bool confirmed = path.endsWith(QStringLiteral(".html"), Qt::CaseInsensitive) ||
                           path.endsWith(QStringLiteral(".htm"), Qt::CaseInsensitive);
    if (!confirmed) path += QStringLiteral(".html");
    QtConcurrent::run([results = m_model->results(), rec = m_model->recommendation(),
                       folder = m_currentFolder.toStdString(), file = path.toStdString(), confirmed] {
        aiotune::HtmlReportOptions options;
        options.logFolder = folder;
        options.generatedAt = aiotune::formatUtcMinutes(QDateTime::currentMSecsSinceEpoch());
        aiotune::ReportFileOptions fileOptions;
        fileOptions.replaceExisting = confirmed;
        return aiotune::writeReportFile(file, aiotune::renderHtmlReport(results, rec, options), folder,
                                        results, fileOptions);
    }).then(this, [this, path](aiotune::Result<aiotune::AtomicWriteOutcome> written) {
        if (!written) showMessage(QString::fromStdString(written.error()), true);
        else showMessage(tr("Report written to %1").arg(path), false);
    });
}

void MainWindow::showAbout() {
    QMessageBox::about(
        this, tr("About aiotune"),
        tr("<h3>aiotune %1</h3>"
           "<p>Finds the fastest DeepSpeed <code>aio</code> settings (block size, queue depth, "
           "submit and overlap modes, intra-op parallelism) for NVMe offload, measuring every "
           "combination with O_DIRECT on io_uring, and exports the best as JSON.</p>"
           "<p>Reads DeepSpeed's own sweep log folders too.</p>"
           "<p>Qt %2</p>")
            .arg(QStringLiteral(AIOTUNE_VERSION), QString::fromLatin1(qVersion())));
}

void MainWindow::showStatusPoint(const QString& text) {
    // A passing status message is drawn over the point's label: clear it.
    statusBar()->clearMessage();
    m_statusPoint->setText(text);
}

void MainWindow::showMessage(const QString& text, bool isError) {
    m_log->appendMessage(text, isError);
    if (isError) {
        m_messageBar->showMessage(text, true);
        return;
    }
    // A folder name can hold newlines or terminal escapes: one line, each
    // control character shown as a replacement mark (the tooltip and the
    // Log tab keep the text).
    m_statusText = text;
    m_statusLine = text;
    for (QChar& c : m_statusLine)
        if (c.category() == QChar::Other_Control) c = QChar::ReplacementCharacter;
    m_statusClock.start();
    fitStatusMessage(kStatusMessageMs);
}

void MainWindow::fitStatusMessage(int timeoutMs) {
    // One line: cut at the end (where the log folder goes) to what the bar
    // has room for; the whole text is its tooltip and in the Log tab.
    QStatusBar* bar = statusBar();
    const int room = bar->contentsRect().width() - (m_progress->isVisible() ? m_progress->width() : 0) -
                     2 * bar->style()->pixelMetric(QStyle::PM_LayoutHorizontalSpacing, nullptr, bar) - 16;
    m_statusShown = bar->isVisible()
                        ? bar->fontMetrics().elidedText(m_statusLine, Qt::ElideRight, std::max(room, 120))
                        : m_statusLine;
    bar->showMessage(m_statusShown, timeoutMs);
    bar->setToolTip(m_statusShown == m_statusText ? QString() : m_statusText);
}

void MainWindow::resizeEvent(QResizeEvent* event) {
    QMainWindow::resizeEvent(event);
    // A message shown before the resize is cut again for the new width, for
    // the rest of its time.
    const int left = kStatusMessageMs - static_cast<int>(m_statusClock.isValid() ? m_statusClock.elapsed() : 0);
    if (left > 0 && !m_statusShown.isEmpty() && statusBar()->currentMessage() == m_statusShown)
        fitStatusMessage(left);
}

// ---- settings and closing ---------------------------------------------------

QRect MainWindow::availableScreenArea() const {
    const QScreen* s = screen() ? screen() : QGuiApplication::primaryScreen();
    return s ? s->availableGeometry() : QRect(0, 0, 1280, 720);
}

void MainWindow::fitToScreen() {
    const QRect area = availableScreenArea();
    // Up to 1440x900, leaving room for a window manager's frame and title bar.
    const QSize size(std::clamp(area.width() - kFrameAllowance.width(), minimumWidth(), 1440),
                     std::clamp(area.height() - kFrameAllowance.height(), minimumHeight(), 900));
    resize(size);
    move(area.left() + std::max(0, (area.width() - size.width() - kFrameAllowance.width()) / 2),
         area.top() + std::max(0, (area.height() - size.height() - kFrameAllowance.height()) / 2));
}

bool MainWindow::fitsOnScreen() const {
    return availableScreenArea().contains(frameGeometry());
}

void MainWindow::restoreSettings() {
    // A saved geometry from a larger screen would put Start and the status bar off this one.
    bool restored = false;
    if (!m_settings->windowGeometry().isEmpty())
        restored = restoreGeometry(m_settings->windowGeometry()) && fitsOnScreen();
    if (!restored) fitToScreen();
    if (!m_settings->windowState().isEmpty()) {
        restoreState(m_settings->windowState());
    } else {
        // Docks take their size once laid out; a long placeholder would make this one greedy.
        QTimer::singleShot(0, this, [this] {
            resizeDocks({findChild<QDockWidget*>(QStringLiteral("bestDock"))},
                        {std::min(300, width() / 4)}, Qt::Horizontal);
        });
    }
    if (!m_settings->splitterState(QStringLiteral("main")).isEmpty())
        m_mainSplitter->restoreState(m_settings->splitterState(QStringLiteral("main")));
    if (!m_settings->splitterState(QStringLiteral("left")).isEmpty())
        m_sweepPane->splitter()->restoreState(m_settings->splitterState(QStringLiteral("left")));
    updateRecentMenu();

    for (const QString& f : m_settings->extraFolders())
        if (QFileInfo::exists(f)) m_drives->addFolder(f, false);
    QStringList checked = m_settings->checkedFolders();
    if (!m_settings->hasCheckedFolders()) {
        // A fresh start: aiotune's own scratch folder, so Start works at once.
        const QString scratch = m_options.scratchFolder.isEmpty()
                                    ? DrivesPanel::defaultScratchFolder()
                                    : m_options.scratchFolder;
        if (!scratch.isEmpty()) {
            m_drives->addFolder(scratch, true);
            checked = {scratch};
        }
    }
    m_drives->refresh();
    m_drives->setCheckedFolders(checked);
    m_ranges->setFolders(m_drives->checkedFolders());
    m_ranges->restoreSettings(*m_settings);
}

void MainWindow::saveSettings() {
    m_settings->setWindowGeometry(saveGeometry());
    m_settings->setWindowState(saveState());
    m_settings->setSplitterState(QStringLiteral("main"), m_mainSplitter->saveState());
    m_settings->setSplitterState(QStringLiteral("left"), m_sweepPane->splitter()->saveState());
    m_settings->setExtraFolders(m_drives->extraFolders());
    m_settings->setCheckedFolders(m_drives->checkedFolders());
    m_ranges->saveSettings(*m_settings);
    m_settings->sync();
    // Closing: the window is going, so the terminal hears it.
    if (const QString why = m_settings->saveProblem(); !why.isEmpty())
        std::fprintf(stderr, "aiotune: the settings were not saved: %s\n",
                     aiotune::printableName(why.toStdString()).c_str());
}

void MainWindow::closeEvent(QCloseEvent* event) {
    if (m_sweep->isRunning() && !m_closeRequested && !m_closeWithoutAsking) {
        // A long sweep is not thrown away by a stray click: asked first.
        const bool stop =
            m_confirmClose ? m_confirmClose()
                           : QMessageBox::question(this, tr("Stop the sweep?"),
                                                   tr("A sweep is running. Stop it and close? What it measured so "
                                                      "far stays in its log folder, marked cancelled."),
                                                   QMessageBox::Yes | QMessageBox::No, QMessageBox::No) ==
                                 QMessageBox::Yes;
        if (!stop) {
            event->ignore();
            return;
        }
    }
    if (m_sweep->isRunning()) {
        // Closing mid-sweep: stop the worker first, close when it has ended.
        m_closeRequested = true;
        m_statusPoint->setText(tr("Stopping the sweep before closing…"));
        m_sweep->cancel();
        event->ignore();
        return;
    }
    saveSettings();
    event->accept();
}
