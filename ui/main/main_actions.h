#pragma once
// Every command of the window in one place: the QActions (names, shortcuts,
// tips), the menus they sit in, and the sweep choices they remember (search,
// what-if buffers, theme). The window connects them to what they do.
#include <QKeySequence>
#include <QObject>

#include <array>

class AppSettings;
class QAction;
class QActionGroup;
class QMainWindow;
class QMenu;

class MainActions : public QObject {
    Q_OBJECT
  public:
    // Builds the actions and fills `window`'s menu bar.
    MainActions(AppSettings& settings, QMainWindow* window);

    QAction* open = nullptr;
    QMenu* recentMenu = nullptr;
    QAction* reload = nullptr;
    QAction* compare = nullptr;
    QAction* loadSweepConfig = nullptr;
    QAction* saveChart = nullptr;
    QAction* exportCsv = nullptr;
    QAction* exportReport = nullptr;
    QAction* checkConfig = nullptr;
    QAction* quit = nullptr;

    QAction* start = nullptr;
    QAction* cancel = nullptr;
    QAction* hugePages = nullptr;
    QAction* searchAdaptive = nullptr;
    QAction* searchGrid = nullptr;
    QAction* remeasure = nullptr;
    QAction* remeasureSelected = nullptr; // the table's context menu
    QAction* addFolder = nullptr;
    QAction* rescan = nullptr;

    QAction* copy = nullptr; // the table's
    QAction* find = nullptr;
    std::array<QAction*, 4> tabs{}; // View > Chart, Table, Compare, Log
    QAction* help = nullptr;
    QAction* about = nullptr;

    // View > (dock) shows or hides a dock.
    void addViewToggle(QAction* toggle);
    bool adaptiveSearch() const;
    bool hugePagesWhatIf() const;

  signals:
    void searchChanged(bool adaptive);
    void tabRequested(int index);

  private:
    QAction* make(const QString& name, const QString& text, const QKeySequence& key);

    AppSettings& m_settings;
    QMainWindow* m_window = nullptr;
    QMenu* m_view = nullptr;
};
