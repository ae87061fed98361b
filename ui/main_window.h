#pragma once
// aiotune's window: drives and ranges on the left (SweepPane), results on the
// right (Chart / Table / Compare / Log tabs), the best configuration docked
// beside them; every command is one of MainActions'. The window wires them:
// sweeps run in a SweepController; folders are read off the UI thread.
#include "devices/device_discovery.h"
#include "results/result_model.h"

#include <QElapsedTimer>
#include <QMainWindow>
#include <QPointer>

#include <functional>
#include <memory>

class AppSettings;
class DrivesPanel;
class LogPane;
class MessageBar;
class QAction;
class QLabel;
class QLineEdit;
class QMenu;
class QProgressBar;
class QPushButton;
class JobTracker;
class QLabel;
class ResultsFilterProxy;
class QSplitter;
class QTabWidget;
class QTableView;
class RangesPanel;
class ResultsTableModel;
class SweepController;
class ThroughputChart;
class BestConfigPanel;
class MainActions;
class SweepPane;
class TablePage;
class ComparisonModel;
class ComparisonView;

struct MainWindowOptions {
    QString settingsPath;                // an ini file; empty: the user's settings
    aiotune::DiscoveryOptions discovery; // where drives are read from
    QString scratchFolder;               // preselected on a fresh start; empty: the cache default
    QString logRoot;                     // sweeps' log folders go below; empty: app data "/sweeps"
};

class MainWindow : public QMainWindow {
    Q_OBJECT
  public:
    enum Tab { ChartTab, TableTab, CompareTab, LogTab };
    // What a window manager's frame and title bar may add around the window.
    static constexpr QSize kFrameAllowance{16, 48};

    explicit MainWindow(MainWindowOptions options = {}, QWidget* parent = nullptr);
    ~MainWindow() override;

    // Reads a sweep log folder off the UI thread; folderLoaded or loadFailed follows.
    void openFolder(const QString& folder);
    // Reads a second folder and shows it against the current results in the Compare tab.
    void compareWithFolder(const QString& folder);
    // Reads the two sides (an empty folder: the current results) and shows B against A.
    void compareFolders(const QString& a, const QString& b);
    bool isLoading() const { return m_loading; }
    bool isSweeping() const;

    QString currentFolder() const { return m_currentFolder; }
    const aiotune::ResultSet& currentResults() const;
    const aiotune::Recommendation& recommendation() const;

    // File and folder dialogs, replaceable by tests: (title, isFile) -> path.
    void setPathChooser(std::function<QString(const QString& title, bool file)> chooser);

    DrivesPanel* drivesPanel() const { return m_drives; }
    SweepPane* sweepPane() const { return m_sweepPane; }
    TablePage* tablePage() const { return m_tablePage; }
    MainActions* actions() const { return m_actions; }
    RangesPanel* rangesPanel() const { return m_ranges; }
    SweepController* sweepController() const { return m_sweep; }
    ResultsTableModel* resultsModel() const { return m_model; }
    ResultsFilterProxy* tableProxy() const;
    QLabel* rowCountLabel() const;
    ThroughputChart* chart() const { return m_chart; }
    JobTracker* jobs() const { return m_jobs; }
    QTableView* tableView() const;
    QLineEdit* filterEdit() const;
    QTabWidget* tabs() const { return m_tabs; }
    LogPane* logPane() const { return m_log; }
    MessageBar* messageBar() const { return m_messageBar; }
    QProgressBar* progressBar() const { return m_progress; }
    ComparisonModel* comparisonModel() const { return m_comparison; }
    ComparisonView* comparisonView() const { return m_compareView; }
    QMenu* recentMenu() const { return m_recentMenu; }
    AppSettings& settings() const { return *m_settings; }

    // Configurations "measure again" would re-run: the table's selected rows,
    // or else the top `topN` by combined figure.
    std::vector<aiotune::AioConfig> remeasureTargets(int topN, bool selectedOnly) const;
    static constexpr int kRemeasureLoops = 3;
    // A fresh sweep log folder under `logRoot` (empty: app data "/aiotune/sweeps"),
    // the root made; also where the headless Quick sweep logs.
    static QString newLogFolder(const QString& logRoot);
    static constexpr int kRemeasureDefaultTop = 5;
    // How "Measure the top N again" asks for N; returns 0 when the user cancelled.
    void setTopNChooser(std::function<int(int defaultN, int maximum)> chooser) {
        m_topNChooser = std::move(chooser);
    }
    // Asked before a sweep over two or more folders on one drive, with what
    // its answer would mean; true goes on. Replaceable by tests (default: a
    // question box).
    // Asked before closing stops a running sweep; true closes (default: a
    // question box). Replaceable by tests.
    void setCloseConfirmer(std::function<bool()> confirmer) { m_confirmClose = std::move(confirmer); }
    // Closes without asking (SIGTERM, a logout): a running sweep is cancelled first.
    void closeWithoutAsking() {
        m_closeWithoutAsking = true;
        close();
    }
    void setSharedDriveConfirmer(std::function<bool(const QString& text)> confirmer) {
        m_confirmSharedDrives = std::move(confirmer);
    }
    // The question for these folders; empty when each is on a drive of its own.
    QString sharedDriveQuestion(const QStringList& folders) const;

  public slots:
    void startSweep();
    // Re-runs these configurations kRemeasureLoops times each (a grid over
    // them), adding the samples to the results shown.
    void remeasure(const std::vector<aiotune::AioConfig>& configs);
    void remeasureTop();      // asks N (default 5)
    void remeasureSelected(); // the table's selected rows
    void cancelSweep();
    void reload();
    // Opens folder; with again, adds the samples of a "measure again" folder.
    void openFolders(const QString& folder, const QString& again);
    void chooseFolderToOpen();
    void chooseFolderToCompare();
    void copySelection();
    void saveChart();
    void exportCsv();
    void exportReport();
    void showAbout();
    void showHelp();
    // Errors go to the message bar and the log; information to the log and the status bar.
    void showMessage(const QString& text, bool isError);

  signals:
    void folderLoaded(const QString& folder);
    void loadFailed(const QString& folder, const QString& error);
    void comparisonLoaded(const QString& folder);

  protected:
    void closeEvent(QCloseEvent* event) override;
    void resizeEvent(QResizeEvent* event) override;

  private:
    void showStatusPoint(const QString& text);
    // Shows the last message, cut to the bar's width, for timeoutMs.
    void fitStatusMessage(int timeoutMs);
    static constexpr int kStatusMessageMs = 8000;
    // "sweep-1 — aiotune", "sweep-1 + sweep-2 (measured again) — aiotune", "aiotune".
    void updateTitle();
    // Sized to the screen's available area (up to 1440x900) and centred.
    void fitToScreen();
    bool fitsOnScreen() const;
    QRect availableScreenArea() const;
    bool confirmSharedDrives(const QStringList& folders);
    // A save-as path from the chooser or a dialog; empty when the user gave none.
    QString chooseSavePath(const QString& title, const QString& defaultName, const QString& filters);
    void buildLayout();
    void connectActions();
    void connectSweep();
    void restoreSettings();
    void saveSettings();
    void updateActions();
    void updateRecentMenu();
    void setResults(const aiotune::ResultSet& results, const QString& folder);
    void setResults(aiotune::ResultSet results, aiotune::Recommendation recommendation, const QString& folder);
    void onSweepRunning(bool running);
    void logSkipped(const aiotune::ResultSet& results);
    QString choosePath(const QString& title, bool file);

    void applySweepSettings();

    MainWindowOptions m_options;
    std::unique_ptr<AppSettings> m_settings;
    std::function<QString(const QString&, bool)> m_chooser;
    std::function<int(int, int)> m_topNChooser;
    std::function<bool(const QString&)> m_confirmSharedDrives;
    std::function<bool()> m_confirmClose;
    bool m_closeWithoutAsking = false;

    DrivesPanel* m_drives = nullptr;
    RangesPanel* m_ranges = nullptr;
    SweepController* m_sweep = nullptr;
    ResultsTableModel* m_model = nullptr;
    JobTracker* m_jobs = nullptr;
    ComparisonModel* m_comparison = nullptr;
    ThroughputChart* m_chart = nullptr;
    BestConfigPanel* m_best = nullptr;
    ComparisonView* m_compareView = nullptr;
    QTabWidget* m_tabs = nullptr;
    LogPane* m_log = nullptr;
    MessageBar* m_messageBar = nullptr;
    QSplitter* m_mainSplitter = nullptr;
    SweepPane* m_sweepPane = nullptr;
    TablePage* m_tablePage = nullptr;
    MainActions* m_actions = nullptr;
    QLabel* m_statusPoint = nullptr;
    QProgressBar* m_progress = nullptr;
    QMenu* m_recentMenu = nullptr;

    QString m_currentFolder;
    // The last passing status message: as given, on one line, as shown.
    QString m_statusText, m_statusLine, m_statusShown;
    QElapsedTimer m_statusClock;
    QString m_sweepLogFolder;
    QString m_remeasuredFolder; // where "measure again" logged the samples added to m_currentFolder's
    bool m_loading = false;
    bool m_closeRequested = false;
    bool m_planOk = false;
    bool m_remeasuring = false; // the running job adds to the results shown
};
