#include "main_window.h"

#include "check/check_dialog.h"
#include "fleet/hosts_view.h"
#include "panels/drives_panel.h"
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
#include <QActionGroup>
#include <QApplication>
#include <QClipboard>
#include <QCloseEvent>
#include <QDateTime>
#include <QDir>
#include <QDockWidget>
#include <QFileDialog>
#include <QFileInfo>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QInputDialog>
#include <QKeyEvent>
#include <QKeySequence>
#include <QLabel>
#include <QLineEdit>
#include <QMenuBar>
#include <QMessageBox>
#include <QProgressBar>
#include <QPushButton>
#include <QScreen>
#include <QScrollArea>
#include <QSortFilterProxyModel>
#include <QSplitter>
#include <QStandardPaths>
#include <QStatusBar>
#include <QTabWidget>
#include <QTableView>
#include <QThread>
#include <QTimer>
#include <QVBoxLayout>

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
    buildActions();
    connectSweep();
    restoreSettings();
    updateActions();
}

MainWindow::~MainWindow() = default;

bool MainWindow::eventFilter(QObject* watched, QEvent* event) {
    // Esc in a non-empty filter clears it, ahead of Esc = Cancel sweep.
    if (watched == m_filter && !m_filter->text().isEmpty() &&
        (event->type() == QEvent::ShortcutOverride || event->type() == QEvent::KeyPress) &&
        static_cast<QKeyEvent*>(event)->key() == Qt::Key_Escape) {
        if (event->type() == QEvent::KeyPress) m_filter->clear();
        event->accept();
        return event->type() == QEvent::KeyPress;
    }
    return QMainWindow::eventFilter(watched, event);
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
    auto* left = new QWidget(m_mainSplitter);
    auto* leftLayout = new QVBoxLayout(left);
    leftLayout->setContentsMargins(0, 0, 0, 0);
    m_leftSplitter = new QSplitter(Qt::Vertical, left);
    m_leftSplitter->setObjectName(QStringLiteral("leftSplitter"));
    m_leftSplitter->setChildrenCollapsible(false);

    auto* drivesBox = new QWidget(m_leftSplitter);
    auto* drivesLayout = new QVBoxLayout(drivesBox);
    drivesLayout->setContentsMargins(0, 0, 0, 0);
    auto* drivesTitle = new QLabel(tr("<b>Drives</b> — tick the folders to test"), drivesBox);
    m_drives = new DrivesPanel(drivesBox);
    m_drives->setDiscoveryOptions(m_options.discovery);
    m_drives->setJobTracker(m_jobs);
    drivesLayout->addWidget(drivesTitle);
    drivesLayout->addWidget(m_drives, 1);

    auto* rangesBox = new QWidget(m_leftSplitter);
    auto* rangesLayout = new QVBoxLayout(rangesBox);
    rangesLayout->setContentsMargins(0, 4, 0, 0);
    m_rangesTitle = new QLabel(rangesBox);
    m_rangesTitle->setWordWrap(true); // the pane may be narrow: wrap, never widen it
    auto* rangesTitle = m_rangesTitle;
    m_ranges = new RangesPanel;
    m_ranges->setJobTracker(m_jobs);
    // Scrolls rather than pushing Start and the status bar below a short screen.
    auto* rangesScroll = new QScrollArea(rangesBox);
    rangesScroll->setObjectName(QStringLiteral("rangesScroll"));
    rangesScroll->setWidget(m_ranges);
    rangesScroll->setWidgetResizable(true);
    rangesScroll->setFrameShape(QFrame::NoFrame);
    rangesScroll->setHorizontalScrollBarPolicy(Qt::ScrollBarAsNeeded);
    rangesLayout->addWidget(rangesTitle);
    rangesLayout->addWidget(rangesScroll, 1);
    m_leftSplitter->addWidget(drivesBox);
    m_leftSplitter->addWidget(rangesBox);
    m_leftSplitter->setStretchFactor(0, 1);
    m_leftSplitter->setStretchFactor(1, 2);
    m_leftSplitter->setSizes({230, 470});
    leftLayout->addWidget(m_leftSplitter, 1);

    auto* buttons = new QHBoxLayout;
    m_startButton = new QPushButton(tr("Start sweep"), left);
    m_startButton->setObjectName(QStringLiteral("startButton"));
    m_startButton->setIcon(style()->standardIcon(QStyle::SP_MediaPlay));
    m_startButton->setDefault(true);
    m_cancelButton = new QPushButton(tr("Cancel"), left);
    m_cancelButton->setObjectName(QStringLiteral("cancelButton"));
    m_cancelButton->setIcon(style()->standardIcon(QStyle::SP_MediaStop));
    buttons->addWidget(m_startButton, 1);
    buttons->addWidget(m_cancelButton);
    leftLayout->addLayout(buttons);
    left->setMinimumWidth(320);

    // Right: the results.
    m_tabs = new QTabWidget(m_mainSplitter);
    m_tabs->setObjectName(QStringLiteral("resultTabs"));
    m_tabs->setDocumentMode(true);

    m_chart = new ThroughputChart(m_tabs);
    m_chart->setModel(m_model);
    m_tabs->addTab(m_chart, tr("&Chart"));

    auto* tablePage = new QWidget(m_tabs);
    auto* tableLayout = new QVBoxLayout(tablePage);
    tableLayout->setContentsMargins(0, 4, 0, 0);
    m_filter = new QLineEdit(tablePage);
    m_filter->setObjectName(QStringLiteral("tableFilter"));
    m_filter->setPlaceholderText(tr("Filter: whole values, all must match (e.g. 1M single "
                                    "sequential) — Ctrl+F, Esc clears"));
    m_filter->setToolTip(tr("Each word must equal one cell of the row: \"8\" finds queue depth 8 "
                            "or 8 threads, not 128K; \"1M single\" finds rows with both."));
    m_filter->setClearButtonEnabled(true);
    m_filter->installEventFilter(this);
    m_rowCount = new QLabel(tablePage);
    m_rowCount->setObjectName(QStringLiteral("rowCount"));
    m_proxy = new ResultsFilterProxy(this);
    m_proxy->setSourceModel(m_model);
    m_proxy->setSortRole(ResultsTableModel::SortRole);
    m_table = new QTableView(tablePage);
    m_table->setObjectName(QStringLiteral("resultsTable"));
    m_table->setModel(m_proxy);
    m_table->setSortingEnabled(true);
    m_table->sortByColumn(ResultsTableModel::CombinedColumn, Qt::DescendingOrder);
    m_table->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_table->setAlternatingRowColors(true);
    m_table->verticalHeader()->hide();
    m_table->horizontalHeader()->setSectionResizeMode(QHeaderView::Interactive);
    m_table->horizontalHeader()->setStretchLastSection(true);
    m_table->verticalHeader()->setDefaultSectionSize(m_table->fontMetrics().height() + 8);
    // The figures first, so a narrow window shows them without scrolling.
    {
        QHeaderView* h = m_table->horizontalHeader();
        const int order[] = {
            ResultsTableModel::CombinedColumn,  ResultsTableModel::ReadColumn,
            ResultsTableModel::WriteColumn,     ResultsTableModel::BlockSizeColumn,
            ResultsTableModel::QueueDepthColumn, ResultsTableModel::ThreadsColumn,
            ResultsTableModel::SubmitColumn,    ResultsTableModel::OverlapColumn,
            ResultsTableModel::SpreadColumn};
        for (int visual = 0; visual < int(std::size(order)); ++visual)
            h->moveSection(h->visualIndex(order[visual]), visual);
        // Widths fixed once from the header and the longest value a column
        // holds: ResizeToContents would measure every row on every insert,
        // which stalls the window for hundreds of ms with thousands of rows.
        const QFontMetrics fm(m_table->font());
        const QString widest[] = {QStringLiteral("16M"),  QStringLiteral("512"),
                                  QStringLiteral("16"),   tr("single"),
                                  tr("sequential"),       QStringLiteral("8"),
                                  QStringLiteral("88.88"), QStringLiteral("88.88"),
                                  QStringLiteral("88.88"), QStringLiteral("±88.8%"),
                                  QStringLiteral("888"),   QStringLiteral("888.88")};
        for (int column = 0; column < int(std::size(widest)); ++column) {
            const QString header =
                m_model->headerData(column, Qt::Horizontal, Qt::DisplayRole).toString();
            h->resizeSection(column, std::max(fm.horizontalAdvance(header),
                                              fm.horizontalAdvance(widest[column]) + 16) +
                                         24);
        }
    }
    auto* filterRow = new QHBoxLayout;
    filterRow->addWidget(m_filter, 1);
    filterRow->addWidget(m_rowCount);
    tableLayout->addLayout(filterRow);
    tableLayout->addWidget(m_table, 1);
    m_tabs->addTab(tablePage, tr("&Table"));
    connect(m_filter, &QLineEdit::textChanged, this, [this](const QString& text) {
        m_proxy->setFilterWords(text);
        updateRowCount();
    });
    for (auto signal : {&QAbstractItemModel::rowsInserted, &QAbstractItemModel::rowsRemoved})
        connect(m_proxy, signal, this, &MainWindow::updateRowCount);
    connect(m_proxy, &QAbstractItemModel::modelReset, this, &MainWindow::updateRowCount);
    connect(m_proxy, &QAbstractItemModel::layoutChanged, this, &MainWindow::updateRowCount);

    m_compareView = new ComparisonView(m_tabs);
    m_compareView->setObjectName(QStringLiteral("compareView"));
    m_comparison = m_compareView->model();
    connect(m_compareView, &ComparisonView::compareRequested, this, &MainWindow::compareFolders);
    m_tabs->addTab(m_compareView, tr("Co&mpare"));

    m_log = new LogPane(m_tabs);
    m_tabs->addTab(m_log, tr("&Log"));

    m_mainSplitter->addWidget(left);
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

    // Wiring between the panels and the views.
    connect(m_drives, &DrivesPanel::selectionChanged, m_ranges, &RangesPanel::setFolders);
    connect(m_drives, &DrivesPanel::message, this, &MainWindow::showMessage);
    connect(m_ranges, &RangesPanel::message, this, &MainWindow::showMessage);
    connect(m_ranges, &RangesPanel::planReady, this, [this](bool ok, const QString&) {
        m_planOk = ok;
        updateActions();
    });
    connect(m_best, &BestConfigPanel::message, this, &MainWindow::showMessage);
    connect(m_model, &ResultsTableModel::recommendationChanged, m_best,
            &BestConfigPanel::setRecommendation);
    connect(m_chart, &ThroughputChart::configClicked, this, [this](const aiotune::ConfigKey& key) {
        const int row = m_model->rowOf(key);
        if (row < 0) return;
        const QModelIndex index = m_proxy->mapFromSource(m_model->index(row, 0));
        if (index.isValid()) {
            m_table->selectRow(index.row());
            m_table->scrollTo(index);
        }
    });
    connect(m_table->selectionModel(), &QItemSelectionModel::currentRowChanged, this,
            [this](const QModelIndex& current) {
                if (!current.isValid()) return;
                const auto* config = m_model->configAt(m_proxy->mapToSource(current).row());
                if (config) m_chart->selectConfig(config->key);
            });
    connect(m_startButton, &QPushButton::clicked, this, &MainWindow::startSweep);
    connect(m_cancelButton, &QPushButton::clicked, this, &MainWindow::cancelSweep);
}

void MainWindow::buildActions() {
    auto make = [this](const QString& name, const QString& text, const QKeySequence& key = {}) {
        auto* a = new QAction(text, this);
        a->setObjectName(name);
        if (!key.isEmpty()) a->setShortcut(key);
        return a;
    };
    m_actOpen = make(QStringLiteral("actionOpen"), tr("&Open sweep folder…"), QKeySequence::Open);
    m_actOpen->setStatusTip(tr("Read a sweep log folder (aiotune's or DeepSpeed's) to analyze it"));
    m_actOpen->setIcon(style()->standardIcon(QStyle::SP_DirOpenIcon));
    m_actReload = make(QStringLiteral("actionReload"), tr("&Reload"), QKeySequence(Qt::Key_F5));
    m_actReload->setIcon(style()->standardIcon(QStyle::SP_BrowserReload));
    m_actCompare = make(QStringLiteral("actionCompare"), tr("&Compare with folder…"),
                        QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_O));
    m_actLoadDs = make(QStringLiteral("actionLoadSweepConfig"), tr("Load DeepSpeed &sweep config…"),
                       QKeySequence(Qt::CTRL | Qt::Key_L));
    m_actSaveChart = make(QStringLiteral("actionSaveChart"), tr("Save &chart (PNG or SVG)…"),
                          QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_S));
    m_actExportCsv = make(QStringLiteral("actionExportCsv"), tr("Export table as CS&V…"));
    auto* exportReport = make(QStringLiteral("actionExportReport"), tr("Export &report…"));
    exportReport->setStatusTip(tr("One self-contained HTML page: best aio section, chart, ranked table, machine"));
    connect(exportReport, &QAction::triggered, this, &MainWindow::exportReport);
    auto* quit = make(QStringLiteral("actionQuit"), tr("&Quit"), QKeySequence::Quit);
    m_actStart =
        make(QStringLiteral("actionStart"), tr("&Start sweep"), QKeySequence(Qt::CTRL | Qt::Key_R));
    m_actStart->setIcon(style()->standardIcon(QStyle::SP_MediaPlay));
    m_actCancel =
        make(QStringLiteral("actionCancel"), tr("&Cancel sweep"), QKeySequence(Qt::Key_Escape));
    m_actCancel->setIcon(style()->standardIcon(QStyle::SP_MediaStop));
    auto* addFolder = make(QStringLiteral("actionAddFolder"), tr("&Add folder…"),
                           QKeySequence(Qt::CTRL | Qt::Key_D));
    auto* rescan = make(QStringLiteral("actionRescan"), tr("Rescan &drives"));
    m_actCopy = make(QStringLiteral("actionCopy"), tr("&Copy rows"), QKeySequence::Copy);
    m_actCopy->setShortcutContext(Qt::WidgetWithChildrenShortcut);
    m_table->addAction(m_actCopy);
    m_table->setContextMenuPolicy(Qt::ActionsContextMenu);
    auto* find = make(QStringLiteral("actionFilter"), tr("&Filter rows"), QKeySequence::Find);
    auto* about = make(QStringLiteral("actionAbout"), tr("&About aiotune"));
    auto* help = make(QStringLiteral("actionHelp"), tr("What the &settings mean"),
                      QKeySequence::HelpContents);

    QMenu* file = menuBar()->addMenu(tr("&File"));
    file->addAction(m_actOpen);
    m_recentMenu = file->addMenu(tr("Open &Recent"));
    m_recentMenu->setObjectName(QStringLiteral("recentMenu"));
    file->addAction(m_actReload);
    file->addAction(m_actCompare);
    file->addSeparator();
    file->addAction(m_actLoadDs);
    file->addSeparator();
    // Exports: what leaves the window.
    file->addAction(m_actSaveChart);
    file->addAction(m_actExportCsv);
    file->addAction(exportReport);
    file->addSeparator();
    // `aiotune check` in the window; also offered after a merge (below).
    const auto showCheck = [this](const QString& path) {
        auto* dialog = new CheckDialog(this);
        dialog->setAttribute(Qt::WA_DeleteOnClose);
        dialog->check(CheckDialog::defaultOptions(path));
        dialog->open();
    };
    QAction* checkConfig = file->addAction(tr("Chec&k DeepSpeed config…"));
    checkConfig->setObjectName(QStringLiteral("actionCheckConfig"));
    connect(checkConfig, &QAction::triggered, this, [this, showCheck] {
        const QString path = QFileDialog::getOpenFileName(
            this, tr("Check DeepSpeed config"), QString(), tr("DeepSpeed config (*.json);;All files (*)"));
        if (!path.isEmpty()) showCheck(path);
    });
    connect(m_best, &BestConfigPanel::merged, this, [this, showCheck](const QString& path) {
        auto* offer = new QMessageBox(QMessageBox::Question, tr("Check the config?"),
                                      tr("Check %1 for NVMe offload problems now (nvme_path, swap "
                                         "buffers, locked memory, libaio, the drive)?").arg(path),
                                      QMessageBox::Yes | QMessageBox::No, this);
        offer->setObjectName(QStringLiteral("offerCheck"));
        offer->setAttribute(Qt::WA_DeleteOnClose);
        connect(offer, &QMessageBox::buttonClicked, this, [offer, showCheck, path](QAbstractButton* b) {
            if (offer->standardButton(b) == QMessageBox::Yes) showCheck(path);
        });
        offer->open(); // not modal to the caller: a merge never waits on it
    });
    file->addSeparator();
    file->addAction(quit);

    QMenu* sweep = menuBar()->addMenu(tr("&Sweep"));
    sweep->addAction(m_actStart);
    sweep->addAction(m_actCancel);
    sweep->addSeparator();
    // Faithful buffers (DeepSpeed's) by default; huge pages and registered
    // buffers are a what-if. A new key: older versions saved "sweep/hugePages"
    // true by default, which must not silently keep the what-if on.
    m_actHugePages = sweep->addAction(tr("&Huge-page buffers (what-if)"));
    m_actHugePages->setObjectName(QStringLiteral("actHugePages"));
    m_actHugePages->setCheckable(true);
    m_actHugePages->setChecked(
        m_settings->raw().value(QStringLiteral("sweep/hugePagesWhatIf"), false).toBool());
    m_actHugePages->setToolTip(tr("Measure with forced huge pages and registered buffers: "
                                  "faster on many drives, but not what DeepSpeed's swapper gets. "
                                  "Off: buffers as DeepSpeed allocates them (faithful)"));
    connect(m_actHugePages, &QAction::toggled, this, [this](bool on) {
        m_settings->raw().setValue(QStringLiteral("sweep/hugePagesWhatIf"), on);
    });
    // Adaptive measures again only what could still be the best; the full grid
    // measures every point the Loops setting's times.
    QMenu* searchMenu = sweep->addMenu(tr("Sea&rch"));
    auto* searchGroup = new QActionGroup(this);
    m_actSearchAdaptive = searchMenu->addAction(tr("&Adaptive (fewest transfers)"));
    m_actSearchAdaptive->setObjectName(QStringLiteral("actSearchAdaptive"));
    m_actSearchGrid = searchMenu->addAction(tr("&Full grid (every point, Loops times)"));
    m_actSearchGrid->setObjectName(QStringLiteral("actSearchGrid"));
    for (QAction* a : {m_actSearchAdaptive, m_actSearchGrid}) {
        a->setCheckable(true);
        searchGroup->addAction(a);
    }
    const bool grid =
        m_settings->raw().value(QStringLiteral("sweep/search")).toString() == QLatin1String("grid");
    (grid ? m_actSearchGrid : m_actSearchAdaptive)->setChecked(true);
    // The Ranges panel says what will be measured under the chosen search.
    const auto showSearch = [this] {
        const bool adaptive = m_actSearchAdaptive->isChecked();
        m_rangesTitle->setText(adaptive ? tr("<b>Ranges</b> — the search measures what could be the best")
                                        : tr("<b>Ranges</b> — every combination is measured, Loops times"));
        m_ranges->setAdaptive(adaptive);
    };
    showSearch();
    connect(searchGroup, &QActionGroup::triggered, this, [this, showSearch](QAction* a) {
        m_settings->raw().setValue(QStringLiteral("sweep/search"),
                                   a == m_actSearchGrid ? QStringLiteral("grid")
                                                        : QStringLiteral("adaptive"));
        showSearch();
    });
    m_actRemeasure = sweep->addAction(tr("&Measure the top N again…"));
    m_actRemeasure->setObjectName(QStringLiteral("actRemeasure"));
    m_actRemeasure->setToolTip(
        tr("Run the best configurations %1 more times each and add the samples to the results")
            .arg(kRemeasureLoops));
    m_actRemeasureSelected = new QAction(tr("Measure &selected again"), this);
    m_actRemeasureSelected->setObjectName(QStringLiteral("actRemeasureSelected"));
    connect(m_actRemeasure, &QAction::triggered, this, &MainWindow::remeasureTop);
    connect(m_actRemeasureSelected, &QAction::triggered, this, &MainWindow::remeasureSelected);
    m_table->setContextMenuPolicy(Qt::ActionsContextMenu);
    m_table->addAction(m_actRemeasureSelected);
    sweep->addSeparator();
    sweep->addAction(addFolder);
    sweep->addAction(rescan);

    QMenu* view = menuBar()->addMenu(tr("&View"));
    const QStringList tabNames{tr("Chart"), tr("Table"), tr("Compare"), tr("Log")};
    for (int i = 0; i < tabNames.size(); ++i) {
        auto* a = make(QStringLiteral("actionTab%1").arg(i), tabNames[i],
                       QKeySequence(Qt::ALT | (Qt::Key_1 + i)));
        connect(a, &QAction::triggered, this, [this, i] { m_tabs->setCurrentIndex(i); });
        view->addAction(a);
    }
    view->addSeparator();
    QMenu* themeMenu = view->addMenu(tr("T&heme"));
    auto* themeGroup = new QActionGroup(this);
    const Theme current = parseTheme(m_settings->theme());
    for (const auto& [theme, label] : {std::pair{Theme::System, tr("&System")}, std::pair{Theme::Light, tr("&Light")},
                                       std::pair{Theme::Dark, tr("&Dark")}}) {
        QAction* a = themeMenu->addAction(label);
        a->setObjectName(QStringLiteral("actTheme_") + themeName(theme));
        a->setCheckable(true);
        a->setChecked(theme == current);
        a->setData(themeName(theme));
        themeGroup->addAction(a);
    }
    connect(themeGroup, &QActionGroup::triggered, this, [this](QAction* a) {
        m_settings->setTheme(a->data().toString());
        applyTheme(parseTheme(a->data().toString()));
    });
    view->addAction(find);
    view->addAction(findChild<QDockWidget*>(QStringLiteral("bestDock"))->toggleViewAction());

    QMenu* helpMenu = menuBar()->addMenu(tr("&Help"));
    helpMenu->addAction(help);
    helpMenu->addAction(about);

    connect(m_actOpen, &QAction::triggered, this, &MainWindow::chooseFolderToOpen);
    connect(m_actReload, &QAction::triggered, this, &MainWindow::reload);
    connect(m_actCompare, &QAction::triggered, this, &MainWindow::chooseFolderToCompare);
    connect(m_actLoadDs, &QAction::triggered, m_ranges, &RangesPanel::chooseDeepSpeedSweepConfig);
    connect(m_actSaveChart, &QAction::triggered, this, &MainWindow::saveChart);
    connect(m_actExportCsv, &QAction::triggered, this, &MainWindow::exportCsv);
    connect(help, &QAction::triggered, this, &MainWindow::showHelp);
    connect(quit, &QAction::triggered, this, &QWidget::close);
    connect(m_actStart, &QAction::triggered, this, &MainWindow::startSweep);
    connect(m_actCancel, &QAction::triggered, this, &MainWindow::cancelSweep);
    connect(addFolder, &QAction::triggered, m_drives, &DrivesPanel::chooseAndAddFolder);
    connect(rescan, &QAction::triggered, m_drives, &DrivesPanel::refresh);
    connect(m_actCopy, &QAction::triggered, this, &MainWindow::copySelection);
    connect(find, &QAction::triggered, this, [this] {
        m_tabs->setCurrentIndex(TableTab);
        m_filter->setFocus();
        m_filter->selectAll();
    });
    connect(about, &QAction::triggered, this, &MainWindow::showAbout);
    for (QAction* a : {m_actOpen, m_actReload, m_actCompare, m_actLoadDs, m_actSaveChart, quit,
                       m_actStart, m_actCancel, addFolder, find, help})
        addAction(a); // shortcuts work with the menu bar hidden (some desktops) too
    m_startButton->setToolTip(
        tr("Start the sweep (%1)").arg(m_actStart->shortcut().toString(QKeySequence::NativeText)));
    m_cancelButton->setToolTip(
        tr("Cancel the sweep (%1)")
            .arg(m_actCancel->shortcut().toString(QKeySequence::NativeText)));
}

// ---- sweeps -----------------------------------------------------------------

void MainWindow::connectSweep() {
    connect(m_sweep, &SweepController::runningChanged, this, &MainWindow::onSweepRunning);
    connect(m_model, &QAbstractItemModel::modelReset, this, &MainWindow::updateActions);
    connect(m_model, &QAbstractItemModel::rowsInserted, this, &MainWindow::updateActions);
    connect(m_sweep, &SweepController::started, this, [this](quint64, int total) {
        if (!m_remeasuring) m_model->clear();
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
        showMessage(tr("The sweep could not start: %1").arg(error), true);
    });
    connect(m_sweep, &SweepController::cancelled, this, [this] {
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
    warnSharedDrives(m_drives->checkedFolders());
    m_sweepLogFolder = newLogFolder();
    m_sweep->setLogFolder(m_sweepLogFolder);
    applySweepSettings();
    m_remeasuring = false;
    m_currentFolder.clear();
    setWindowTitle(tr("aiotune — sweep running"));
    m_log->appendMessage(tr("Sweep started: %1 point(s) on %2")
                             .arg(spec->pointCount())
                             .arg(m_drives->checkedFolders().join(QStringLiteral(", "))));
    m_sweep->start(*spec);
}

QString MainWindow::newLogFolder() {
    // Every sweep leaves a DeepSpeed-compatible log folder to reopen, compare or hand to
    // DeepSpeed's tools.
    // ~/.local/share/aiotune/sweeps: the generic data root plus our name, not
    // <organization>/<application> (both "aiotune").
    const QString root =
        m_options.logRoot.isEmpty()
            ? QStandardPaths::writableLocation(QStandardPaths::GenericDataLocation) +
                  QStringLiteral("/aiotune/sweeps")
            : m_options.logRoot;
    QDir().mkpath(root);
    const QString stem = root + QStringLiteral("/sweep-") +
                         QDateTime::currentDateTime().toString(QStringLiteral("yyyyMMdd-HHmmss"));
    QString folder = stem;
    for (int n = 2; QFileInfo::exists(folder); ++n) // two sweeps within a second
        folder = stem + QLatin1Char('-') + QString::number(n);
    return folder;
}

void MainWindow::applySweepSettings() {
    const auto profile = m_actHugePages->isChecked() ? aiotune::MeasurementProfile::hugePageWhatIf()
                                                     : aiotune::MeasurementProfile::faithful();
    m_sweep->setProfile(profile);
    m_sweep->setSearch(m_actSearchGrid->isChecked() ? SweepController::Search::Grid
                                                    : SweepController::Search::Adaptive);
    m_best->setProfileName(QString::fromStdString(profile.name()));
}

std::vector<aiotune::AioConfig> MainWindow::remeasureTargets(int topN, bool selectedOnly) const {
    std::vector<aiotune::AioConfig> out;
    const auto add = [&out](const aiotune::ConfigResult* c) {
        if (c && std::find(out.begin(), out.end(), c->key.aio) == out.end()) out.push_back(c->key.aio);
    };
    if (selectedOnly) {
        for (const QModelIndex& index : m_table->selectionModel()->selectedRows())
            add(m_model->configAt(m_proxy->mapToSource(index).row()));
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
    m_sweepLogFolder = newLogFolder();
    m_sweep->setLogFolder(m_sweepLogFolder);
    applySweepSettings();
    m_remeasuring = true;
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
        if (m_currentFolder.isEmpty()) setWindowTitle(tr("aiotune"));
        if (m_closeRequested) {
            close();
            return;
        }
    }
    updateActions();
}

void MainWindow::updateActions() {
    const bool running = m_sweep->isRunning();
    m_actStart->setEnabled(!running);
    m_startButton->setEnabled(!running);
    m_actCancel->setEnabled(running);
    m_actRemeasure->setEnabled(!running && m_model->rowCount() > 0);
    m_actRemeasureSelected->setEnabled(!running && m_model->rowCount() > 0);
    m_cancelButton->setEnabled(running);
    m_drives->setEnabled(!running);
    m_ranges->setEnabled(!running);
    // Opening a folder would mix its rows into the running sweep's table.
    m_actOpen->setEnabled(!running);
    m_recentMenu->setEnabled(!running && !m_settings->recentFolders().isEmpty());
    m_actReload->setEnabled(!running && !m_currentFolder.isEmpty());
    m_actLoadDs->setEnabled(!running);
    m_actCompare->setEnabled(m_model->rowCount() > 0);
    m_actSaveChart->setEnabled(m_model->rowCount() > 0);
    m_actExportCsv->setEnabled(m_model->rowCount() > 0);
    m_compareView->setSources(m_model->rowCount() > 0 && !running, m_settings->recentFolders());
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
    if (!m_currentFolder.isEmpty()) openFolder(m_currentFolder);
}

void MainWindow::openFolder(const QString& folder) {
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
        [folder] {
            auto loaded = std::make_shared<Loaded>(Loaded{aiotune::LogFolderReader().read(folder.toStdString()), {}});
            if (loaded->results) loaded->recommendation = aiotune::analyze(*loaded->results);
            return loaded;
        },
        [this, folder](std::shared_ptr<Loaded> loaded) {
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
    setWindowTitle(folder.isEmpty() ? tr("aiotune") : tr("%1 — aiotune").arg(folderName(folder)));
    updateActions();
}

void MainWindow::logSkipped(const aiotune::ResultSet& results) {
    for (const auto& s : results.skipped)
        m_log->appendMessage(
            tr("Skipped %1: %2")
                .arg(QString::fromStdString(s.file), QString::fromStdString(s.reason)),
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
    const QModelIndexList indexes = m_table->selectionModel()->selectedIndexes();
    if (indexes.isEmpty()) return;
    QApplication::clipboard()->setText(indexesToTsv(indexes));
    statusBar()->showMessage(tr("Copied %n row(s)", nullptr,
                                static_cast<int>(m_table->selectionModel()->selectedRows().size())),
                             3000);
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

void MainWindow::updateRowCount() {
    const int shown = m_proxy->rowCount(), total = m_model->rowCount();
    const QString rows = total == 1 ? tr("1 row") : tr("%1 rows").arg(total);
    m_rowCount->setText(m_proxy->filterWords().isEmpty() ? rows
                                                         : tr("%1 of %2").arg(shown).arg(rows));
}

void MainWindow::warnSharedDrives(const QStringList& folders) {
    std::map<QString, QStringList> byDrive;
    for (const QString& f : folders) {
        const QString drive = m_drives->driveOf(f);
        if (!drive.isEmpty()) byDrive[drive] << f;
    }
    for (const auto& [drive, shared] : byDrive)
        if (shared.size() > 1)
            showMessage(tr("%1 are on the same drive (%2): they share its bandwidth, and the "
                           "sweep measures them as one %3-folder configuration. Tick one folder "
                           "per drive to measure drives side by side.")
                            .arg(shared.join(QStringLiteral(", ")), drive)
                            .arg(shared.size()),
                        true);
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
    if (isError)
        m_messageBar->showMessage(text, true);
    else
        statusBar()->showMessage(text, 8000);
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
        m_leftSplitter->restoreState(m_settings->splitterState(QStringLiteral("left")));
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
    m_settings->setSplitterState(QStringLiteral("left"), m_leftSplitter->saveState());
    m_settings->setExtraFolders(m_drives->extraFolders());
    m_settings->setCheckedFolders(m_drives->checkedFolders());
    m_ranges->saveSettings(*m_settings);
    m_settings->sync();
}

void MainWindow::closeEvent(QCloseEvent* event) {
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
