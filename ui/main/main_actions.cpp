#include "main/main_actions.h"

#include "settings/app_settings.h"
#include "settings/theme.h"

#include <QAction>
#include <QActionGroup>
#include <QMainWindow>
#include <QMenu>
#include <QMenuBar>
#include <QStyle>

MainActions::MainActions(AppSettings& settings, QMainWindow* window)
    : QObject(window), m_settings(settings), m_window(window) {
    QStyle* style = window->style();
    open = make(QStringLiteral("actionOpen"), tr("&Open sweep folder…"), QKeySequence::Open);
    open->setStatusTip(tr("Read a sweep log folder (aiotune's or DeepSpeed's) to analyze it"));
    open->setIcon(style->standardIcon(QStyle::SP_DirOpenIcon));
    reload = make(QStringLiteral("actionReload"), tr("&Reload"), QKeySequence(Qt::Key_F5));
    reload->setIcon(style->standardIcon(QStyle::SP_BrowserReload));
    compare = make(QStringLiteral("actionCompare"), tr("&Compare with folder…"),
                   QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_O));
    loadSweepConfig = make(QStringLiteral("actionLoadSweepConfig"),
                           tr("Load DeepSpeed &sweep config…"), QKeySequence(Qt::CTRL | Qt::Key_L));
    saveChart = make(QStringLiteral("actionSaveChart"), tr("Save &chart (PNG or SVG)…"),
                     QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_S));
    exportCsv = make(QStringLiteral("actionExportCsv"), tr("Export table as CS&V…"), {});
    exportReport = make(QStringLiteral("actionExportReport"), tr("Export &report…"), {});
    exportReport->setStatusTip(
        tr("One self-contained HTML page: best aio section, chart, ranked table, machine"));
    checkConfig = make(QStringLiteral("actionCheckConfig"), tr("Chec&k DeepSpeed config…"), {});
    quit = make(QStringLiteral("actionQuit"), tr("&Quit"), QKeySequence::Quit);
    start =
        make(QStringLiteral("actionStart"), tr("&Start sweep"), QKeySequence(Qt::CTRL | Qt::Key_R));
    start->setIcon(style->standardIcon(QStyle::SP_MediaPlay));
    cancel =
        make(QStringLiteral("actionCancel"), tr("&Cancel sweep"), QKeySequence(Qt::Key_Escape));
    cancel->setIcon(style->standardIcon(QStyle::SP_MediaStop));
    addFolder = make(QStringLiteral("actionAddFolder"), tr("&Add folder…"),
                     QKeySequence(Qt::CTRL | Qt::Key_D));
    rescan = make(QStringLiteral("actionRescan"), tr("Rescan &drives"), {});
    copy = make(QStringLiteral("actionCopy"), tr("&Copy rows"), QKeySequence::Copy);
    copy->setShortcutContext(Qt::WidgetWithChildrenShortcut);
    find = make(QStringLiteral("actionFilter"), tr("&Filter rows"), QKeySequence::Find);
    about = make(QStringLiteral("actionAbout"), tr("&About aiotune"), {});
    help = make(QStringLiteral("actionHelp"), tr("What the &settings mean"),
                QKeySequence::HelpContents);

    QMenu* file = window->menuBar()->addMenu(tr("&File"));
    file->addAction(open);
    recentMenu = file->addMenu(tr("Open &Recent"));
    recentMenu->setObjectName(QStringLiteral("recentMenu"));
    file->addAction(reload);
    file->addAction(compare);
    file->addSeparator();
    file->addAction(loadSweepConfig);
    file->addSeparator();
    // Exports: what leaves the window.
    file->addAction(saveChart);
    file->addAction(exportCsv);
    file->addAction(exportReport);
    file->addSeparator();
    file->addAction(checkConfig); // `aiotune check` in the window
    file->addSeparator();
    file->addAction(quit);

    QMenu* sweep = window->menuBar()->addMenu(tr("&Sweep"));
    sweep->addAction(start);
    sweep->addAction(cancel);
    sweep->addSeparator();
    // Faithful buffers (DeepSpeed's) by default; huge pages and registered
    // buffers are a what-if. A new key: older versions saved "sweep/hugePages"
    // true by default, which must not silently keep the what-if on.
    hugePages = sweep->addAction(tr("&Huge-page buffers (what-if)"));
    hugePages->setObjectName(QStringLiteral("actHugePages"));
    hugePages->setCheckable(true);
    hugePages->setChecked(
        m_settings.raw().value(QStringLiteral("sweep/hugePagesWhatIf"), false).toBool());
    hugePages->setToolTip(tr("Measure with forced huge pages and registered buffers: "
                             "faster on many drives, but not what DeepSpeed's swapper gets. "
                             "Off: buffers as DeepSpeed allocates them (faithful)"));
    connect(hugePages, &QAction::toggled, this, [this](bool on) {
        m_settings.raw().setValue(QStringLiteral("sweep/hugePagesWhatIf"), on);
    });
    // Adaptive measures again only what could still be the best; the full grid
    // measures every point the Loops setting's times.
    QMenu* searchMenu = sweep->addMenu(tr("Sea&rch"));
    auto* searchGroup = new QActionGroup(this);
    searchAdaptive = searchMenu->addAction(tr("&Adaptive (fewest transfers)"));
    searchAdaptive->setObjectName(QStringLiteral("actSearchAdaptive"));
    searchGrid = searchMenu->addAction(tr("&Full grid (every point, Loops times)"));
    searchGrid->setObjectName(QStringLiteral("actSearchGrid"));
    for (QAction* a : {searchAdaptive, searchGrid}) {
        a->setCheckable(true);
        searchGroup->addAction(a);
    }
    const bool grid =
        m_settings.raw().value(QStringLiteral("sweep/search")).toString() == QLatin1String("grid");
    (grid ? searchGrid : searchAdaptive)->setChecked(true);
    connect(searchGroup, &QActionGroup::triggered, this, [this](QAction* a) {
        m_settings.raw().setValue(QStringLiteral("sweep/search"), a == searchGrid
                                                                      ? QStringLiteral("grid")
                                                                      : QStringLiteral("adaptive"));
        emit searchChanged(adaptiveSearch());
    });
    remeasure = sweep->addAction(tr("&Measure the top N again…"));
    remeasure->setObjectName(QStringLiteral("actRemeasure"));
    remeasureSelected = new QAction(tr("Measure &selected again"), this);
    remeasureSelected->setObjectName(QStringLiteral("actRemeasureSelected"));
    sweep->addSeparator();
    sweep->addAction(addFolder);
    sweep->addAction(rescan);

    m_view = window->menuBar()->addMenu(tr("&View"));
    const QStringList tabNames{tr("Chart"), tr("Table"), tr("Compare"), tr("Log")};
    for (int i = 0; i < int(tabs.size()); ++i) {
        tabs[i] = make(QStringLiteral("actionTab%1").arg(i), tabNames[i],
                       QKeySequence(Qt::ALT | (Qt::Key_1 + i)));
        connect(tabs[i], &QAction::triggered, this, [this, i] { emit tabRequested(i); });
        m_view->addAction(tabs[i]);
    }
    m_view->addSeparator();
    QMenu* themeMenu = m_view->addMenu(tr("T&heme"));
    auto* themeGroup = new QActionGroup(this);
    const Theme current = parseTheme(m_settings.theme());
    for (const auto& [theme, label] :
         {std::pair{Theme::System, tr("&System")}, std::pair{Theme::Light, tr("&Light")},
          std::pair{Theme::Dark, tr("&Dark")}}) {
        QAction* a = themeMenu->addAction(label);
        a->setObjectName(QStringLiteral("actTheme_") + themeName(theme));
        a->setCheckable(true);
        a->setChecked(theme == current);
        a->setData(themeName(theme));
        themeGroup->addAction(a);
    }
    connect(themeGroup, &QActionGroup::triggered, this, [this](QAction* a) {
        m_settings.setTheme(a->data().toString());
        applyTheme(parseTheme(a->data().toString()));
    });
    m_view->addAction(find);

    QMenu* helpMenu = window->menuBar()->addMenu(tr("&Help"));
    helpMenu->addAction(help);
    helpMenu->addAction(about);

    for (QAction* a : {open, reload, compare, loadSweepConfig, saveChart, quit, start, cancel,
                       addFolder, find, help})
        window->addAction(a); // shortcuts work with the menu bar hidden (some desktops) too
}

QAction* MainActions::make(const QString& name, const QString& text, const QKeySequence& key) {
    auto* a = new QAction(text, m_window);
    a->setObjectName(name);
    if (!key.isEmpty()) a->setShortcut(key);
    return a;
}

void MainActions::addViewToggle(QAction* toggle) {
    m_view->addAction(toggle);
}

bool MainActions::adaptiveSearch() const {
    return searchAdaptive->isChecked();
}

bool MainActions::hugePagesWhatIf() const {
    return hugePages->isChecked();
}
