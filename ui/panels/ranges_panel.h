#pragma once
// What to sweep: a value list per aio setting as the user types it ("128K, 1M"),
// io size, loops and operations; presets from :/presets/*.json; a DeepSpeed
// sweep config can be loaded. Under the fields a live plan line says what the
// sweep will cost (planSweep, computed off the UI thread, debounced) or why it
// cannot start.
#include "sweep/sweep_runner.h"
#include "sweep/sweep_spec.h"
#include "util/result.h"

#include "jobs/job_tracker.h"

#include <QStringList>
#include <QWidget>

#include <functional>

class AppSettings;
class QCheckBox;
class QComboBox;
class QLabel;
class QLineEdit;
class QSpinBox;
class QTimer;

class RangesPanel : public QWidget {
    Q_OBJECT
  public:
    explicit RangesPanel(QWidget* parent = nullptr);
    ~RangesPanel() override;

    // The ranges as typed, folders from setFolders(). Errors name the field and the text.
    aiotune::Result<aiotune::SweepSpec> spec() const;
    // Fills the fields (the preset box shows "Custom" unless a preset matches).
    void setSpec(const aiotune::SweepSpec& spec);

    // Preset ids, in menu order: "quick", "deepspeed", "thorough".
    static QStringList presetIds();
    // A preset from :/presets/<id>.json; the error names the resource.
    static aiotune::Result<aiotune::SweepSpec> presetSpec(const QString& id);
    static QString presetName(const QString& id);
    bool loadPreset(const QString& id);
    QString currentPreset() const; // an id, or empty for custom ranges

    // A DeepSpeed sweep-config JSON ({"block_size": ["128K", "1M"], ...}).
    bool loadDeepSpeedSweepConfig(const QString& file);
    void setFileChooser(std::function<QString()> chooser) { m_chooser = std::move(chooser); }

    void setFolders(const QStringList& folders);
    // The adaptive search decides its own repetitions: the plan line says what
    // its budget allows, and Loops (the grid's) is greyed.
    void setAdaptive(bool adaptive);
    bool adaptive() const { return m_adaptive; }
    // The window's tracker (the panel has its own until given one).
    void setJobTracker(JobTracker* jobs);
    QStringList folders() const { return m_folders; }

    // The error under the fields (bad text), empty when the ranges parse.
    QString errorText() const;
    // The plan line: a summary, or why the sweep cannot start.
    QString planText() const;
    bool planOk() const { return m_planOk; }
    bool isPlanning() const;

    void saveSettings(AppSettings& settings) const;
    // Restores the last ranges; the Quick preset when none were saved.
    void restoreSettings(const AppSettings& settings);

    // Field widgets, for tests and keyboard focus.
    QLineEdit* blockSizeEdit() const { return m_blockSizes; }
    QLineEdit* queueDepthEdit() const { return m_queueDepths; }
    QLineEdit* threadsEdit() const { return m_threads; }
    QLineEdit* ioSizeEdit() const { return m_ioSize; }

  public slots:
    void chooseDeepSpeedSweepConfig();
    // Recomputes the plan now (the fields also trigger it, debounced).
    void replan();

  signals:
    void specChanged();
    // ok: the sweep can start; text: the summary or the problem.
    void planReady(bool ok, const QString& text);
    void message(const QString& text, bool isError);

  private:
    void onFieldEdited();
    void onPlanned(const aiotune::SweepPlan& plan);
    void showError(const QString& text);

    QComboBox* m_preset = nullptr;
    QLineEdit* m_blockSizes = nullptr;
    QLineEdit* m_queueDepths = nullptr;
    QLineEdit* m_threads = nullptr;
    QCheckBox* m_submitBlock = nullptr;
    QCheckBox* m_submitSingle = nullptr;
    QCheckBox* m_overlapOn = nullptr;
    QCheckBox* m_overlapOff = nullptr;
    QLineEdit* m_ioSize = nullptr;
    QSpinBox* m_loops = nullptr;
    QCheckBox* m_write = nullptr;
    QCheckBox* m_read = nullptr;
    QLabel* m_error = nullptr;
    QLabel* m_plan = nullptr;
    QTimer* m_debounce = nullptr;
    JobTracker* m_jobs = nullptr; // planning runs as one of its jobs
    QStringList m_folders;
    bool m_loading = false;   // fields being filled by code, not typed
    bool m_planAgain = false; // inputs changed while a plan was running
    bool m_planOk = false;
    bool m_adaptive = false;
    std::function<QString()> m_chooser;
};
