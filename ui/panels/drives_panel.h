#pragma once
// Where to sweep: the machine's drives with their mounted folders (one
// checkbox each) plus folders the user added. Every folder is checked with
// inspectFolder before it can be ticked; a refusal (symlink, raw device, no
// write permission, read-only mount) is shown with its reason.
#include "devices/device_discovery.h"
#include "devices/folder_target.h"

#include "jobs/job_tracker.h"

#include <QSet>
#include <QStringList>
#include <QWidget>

#include <optional>
#include <vector>

class QLabel;
class QPushButton;
class QTableWidget;
class QTableWidgetItem;

class DrivesPanel : public QWidget {
    Q_OBJECT
  public:
    enum Column {
        FolderColumn,
        DriveColumn,
        SizeColumn,
        FsColumn,
        FreeColumn,
        NvmeColumn,
        NumaColumn,
        ColumnCount
    };

    explicit DrivesPanel(QWidget* parent = nullptr);
    ~DrivesPanel() override;

    // Where discovery reads /sys and /proc (tests point it at fixture trees).
    void setDiscoveryOptions(const aiotune::DiscoveryOptions& options);
    // The window's tracker (the panel has its own until given one).
    void setJobTracker(JobTracker* jobs);
    // The last discovery; nullopt until the first one finished.
    const std::optional<aiotune::DiscoveryReport>& discoveryReport() const { return m_report; }
    // The drive a listed folder is on ("nvme0n1"); empty when unknown.
    QString driveOf(const QString& folder) const;
    // Rediscovers drives off the UI thread; `discovered` follows.
    void refresh();
    bool isRefreshing() const;

    // Adds (and by default ticks) a folder after checking it; false with the
    // reason in *reason (also sent as an error message) when it is refused.
    bool addFolder(const QString& path, bool checked = true, QString* reason = nullptr);
    // Ticks folders known to the table or adds them; those refused are reported.
    void setCheckedFolders(const QStringList& folders);
    QStringList checkedFolders() const;
    QStringList extraFolders() const;

    QTableWidget* table() const { return m_table; }
    // The row showing `folder`, or -1.
    int rowOf(const QString& folder) const;

    // aiotune's own scratch folder (the cache location + "/scratch"), created
    // when absent; empty when it cannot be created.
    static QString defaultScratchFolder();
    // Asks for a folder (tests replace the dialog).
    void setFolderChooser(std::function<QString()> chooser) { m_chooser = std::move(chooser); }

  public slots:
    void chooseAndAddFolder();

  signals:
    void selectionChanged(const QStringList& folders);
    void message(const QString& text, bool isError);
    void discovered();

  private:
    struct Row {
        QString folder;     // empty for a drive with nothing mounted
        bool extra = false; // added by the user (or the scratch default)
        bool checked = false;
        QString drive, size, fs, free, nvme, numa, tooltip;
    };
    void onDiscovered(aiotune::Result<aiotune::DiscoveryReport> result);
    void rebuild();
    void onItemChanged(QTableWidgetItem* item);
    aiotune::FolderTarget inspect(const QString& path) const;
    Row rowForTarget(const aiotune::FolderTarget& target) const;
    const aiotune::BlockDevice* deviceNamed(const std::string& disk) const;

    aiotune::DiscoveryOptions m_options;
    std::optional<aiotune::DiscoveryReport> m_report;
    JobTracker* m_jobs = nullptr; // discovery runs as one of its jobs
    QSet<QString> m_warned;       // folder warnings already said once
    std::vector<Row> m_rows;
    QStringList m_wantChecked; // ticks asked for before discovery finished
    QTableWidget* m_table = nullptr;
    QLabel* m_status = nullptr;
    QPushButton* m_add = nullptr;
    QPushButton* m_refresh = nullptr;
    std::function<QString()> m_chooser;
    bool m_rebuilding = false;
};
