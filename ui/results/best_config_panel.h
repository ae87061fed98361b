#pragma once
// The verdict of a sweep: the best configuration as DeepSpeed "aio" JSON, its
// figures, the cheaper recommended pick and how sure the analysis is; and the
// ways out: copy, export to a file, merge into an existing DeepSpeed config
// (after showing the diff; atomic write with a backup).
//
// Layout, top to bottom: short facts that never scroll away (configuration,
// figure with its interval, confidence in one word, the measurement profile);
// the explanations as one read-only text that wraps and scrolls as a whole
// (partial, why, tied, recommended, measured with, decided by, cost, and a
// confirmation line); then the export controls at their natural size (best or
// recommended, DeepSpeed target, the JSON, the buttons). Every text comes from
// the answer (answerFor); the panel decides nothing.
//
// Target: by default the installed DeepSpeed when one is found, else a
// section every release reads (both thread keys), chosen by the same core
// function as `aiotune export` (chooseDeepSpeedTarget).
//
// The file-choosing and confirming steps are hooks (std::function) with
// dialog defaults, so tests and scripted use need no real dialog.
#include "config/deepspeed_install.h"
#include "results/metatypes.h"

#include <QStringList>
#include <QWidget>

#include <functional>
#include <optional>

class QButtonGroup;
class QComboBox;
class QLabel;
class QPlainTextEdit;
class QPushButton;
class QRadioButton;
class QStackedWidget;
class QTextBrowser;

class BestConfigPanel : public QWidget {
    Q_OBJECT
  public:
    // Installed: the DeepSpeed found on this machine (only when found);
    // AnyVersion: both thread_count and intra_op_parallelism; Current: 0.16.4
    // and later (intra_op_parallelism); Legacy: before 0.16.4 (thread_count).
    enum class Target { Installed, AnyVersion, Current, Legacy };

    // Returns a path, or an empty string when the user cancelled.
    using PathChooser = std::function<QString(QWidget* parent)>;
    // An existing file would be replaced (its old bytes kept as .bak): go ahead?
    using OverwriteConfirmer = std::function<bool(QWidget* parent, const QString& path)>;
    // Shown the diff and the warnings of a merge: write it?
    using MergeConfirmer = std::function<bool(QWidget* parent, const QString& file,
                                              const QString& diff, const QStringList& warnings)>;

    // Looks for the installed DeepSpeed where Python would (PythonSearch::fromEnvironment).
    explicit BestConfigPanel(QWidget* parent = nullptr);

    // Shows the recommendation's answer (answerFor: the one every reader
    // gives) and exports its best or recommended section.
    void setRecommendation(const aiotune::Recommendation& recommendation);
    // The explanation under the facts, as plain text: partial, why, tied,
    // recommended, measured with, decided by, cost, confirmation.
    QString answerText() const;
    // One more sentence for the explanation (e.g. that the answer was checked
    // with libaio); empty removes it. Cleared when a different answer arrives.
    void setConfirmation(const QString& sentence);
    QString confirmation() const { return m_confirmation; }
    // Which measurement profile measured the figures shown ("faithful", ...).
    void setProfileName(const QString& name);
    QString profileName() const { return m_profileName; }
    const aiotune::Recommendation& recommendation() const { return m_recommendation; }
    bool hasResult() const { return m_recommendation.answer.found; }

    // Looks again for the installed DeepSpeed (tests point it at a fixture
    // tree) and selects the default target: the installed one, else AnyVersion.
    void setPythonSearch(const aiotune::PythonSearch& search);
    std::optional<aiotune::InstalledDeepSpeed> installedDeepSpeed() const { return m_installed; }
    // Installed is ignored when no DeepSpeed was found.
    void setTarget(Target target);
    Target target() const;
    aiotune::DeepSpeedVersion targetVersion() const;
    // Which DeepSpeed the section is for, in a sentence (the combo's tooltip,
    // and export messages): "DeepSpeed 0.17.2 (installed: …)", …
    QString targetDescription() const;
    // Act on the recommended cheaper pick instead of the best (when they differ).
    void setUseRecommended(bool useRecommended);
    bool useRecommended() const;
    // The settings the buttons act on; absent in the empty state.
    std::optional<aiotune::AioConfig> chosenConfig() const;
    // {"aio": {...}} as shown and copied; empty in the empty state.
    QString jsonText() const;

    void setExportPathChooser(PathChooser chooser) { m_exportChooser = std::move(chooser); }
    void setMergeFileChooser(PathChooser chooser) { m_mergeChooser = std::move(chooser); }
    void setOverwriteConfirmer(OverwriteConfirmer confirmer) {
        m_confirmOverwrite = std::move(confirmer);
    }
    void setMergeConfirmer(MergeConfirmer confirmer) { m_confirmMerge = std::move(confirmer); }
    // The answer is partial (cancelled, noise unknown, budget spent): write it anyway?
    using PartialConfirmer = std::function<bool(QWidget* parent, const QString& reason)>;
    void setPartialConfirmer(PartialConfirmer confirmer) {
        m_confirmPartial = std::move(confirmer);
    }

  public slots:
    void copyToClipboard();
    // Each returns true when a file was written.
    bool exportJson();
    bool mergeIntoConfig();

  signals:
    // For the window's message bar.
    void message(const QString& text, bool isError);
    // A merge wrote this DeepSpeed config (the window offers to check it).
    void merged(const QString& configFile);

  private:
    void refresh();
    void refreshDetails();
    void fillTargets();
    QString targetShort() const; // "the installed DeepSpeed 0.17.2", for messages
    bool confirmPartial();
    std::optional<aiotune::ConfigKey> bestKey() const;
    std::optional<aiotune::ConfigKey> recommendedKey() const;

    aiotune::Recommendation m_recommendation;
    QString m_profileName;
    QString m_confirmation;
    std::optional<aiotune::InstalledDeepSpeed> m_installed;
    QString m_installedDescription; // chooseDeepSpeedTarget's, when installed
    PathChooser m_exportChooser, m_mergeChooser;
    OverwriteConfirmer m_confirmOverwrite;
    MergeConfirmer m_confirmMerge;
    PartialConfirmer m_confirmPartial;

    QStackedWidget* m_stack = nullptr;
    QLabel* m_placeholder = nullptr;
    // The facts.
    QLabel* m_bestLabel = nullptr;
    QLabel* m_figures = nullptr;
    QLabel* m_confidence = nullptr;
    QLabel* m_profile = nullptr;
    // The explanations.
    QTextBrowser* m_details = nullptr;
    // The controls.
    QWidget* m_choiceBox = nullptr;
    QRadioButton* m_useBest = nullptr;
    QRadioButton* m_useRecommended = nullptr;
    QComboBox* m_targetCombo = nullptr;
    QPlainTextEdit* m_json = nullptr;
    QPushButton* m_copyButton = nullptr;
    QPushButton* m_exportButton = nullptr;
    QPushButton* m_mergeButton = nullptr;
};
