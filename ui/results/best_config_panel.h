#pragma once
// The verdict of a sweep: the best configuration as DeepSpeed "aio" JSON, its
// figures, the cheaper recommended pick and how sure the analysis is; and the
// ways out: copy, export to a file, merge into an existing DeepSpeed config
// (after showing the diff; atomic write with a backup).
//
// The file-choosing and confirming steps are hooks (std::function) with
// dialog defaults, so tests and scripted use need no real dialog.
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
class QFormLayout;
class QScrollArea;
class QStackedWidget;

class BestConfigPanel : public QWidget {
    Q_OBJECT
  public:
    enum class Target { Current, Legacy }; // DeepSpeed >= 0.16.4 / older (thread_count)

    // Returns a path, or an empty string when the user cancelled.
    using PathChooser = std::function<QString(QWidget* parent)>;
    // An existing file would be replaced (its old bytes kept as .bak): go ahead?
    using OverwriteConfirmer = std::function<bool(QWidget* parent, const QString& path)>;
    // Shown the diff and the warnings of a merge: write it?
    using MergeConfirmer = std::function<bool(QWidget* parent, const QString& file,
                                              const QString& diff, const QStringList& warnings)>;

    explicit BestConfigPanel(QWidget* parent = nullptr);

    // Shows the recommendation's answer (answerFor: the one every reader
    // gives) and exports its best or recommended section.
    void setRecommendation(const aiotune::Recommendation& recommendation);
    // The explanation under the facts: confidence, tied ones, how decided, cost.
    QString answerText() const;
    // Which measurement profile measured the figures shown ("faithful", ...).
    void setProfileName(const QString& name);
    QString profileName() const { return m_profileName; }
    const aiotune::Recommendation& recommendation() const { return m_recommendation; }
    bool hasResult() const { return m_recommendation.answer.found; }

    void setTarget(Target target);
    Target target() const;
    aiotune::DeepSpeedVersion targetVersion() const;
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
    void setPartialConfirmer(PartialConfirmer confirmer) { m_confirmPartial = std::move(confirmer); }

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
    void relayoutFacts();
    bool confirmPartial();
    std::optional<aiotune::ConfigKey> bestKey() const;
    std::optional<aiotune::ConfigKey> recommendedKey() const;

    aiotune::Recommendation m_recommendation;
    QString m_profileName;
    PathChooser m_exportChooser, m_mergeChooser;
    OverwriteConfirmer m_confirmOverwrite;
    MergeConfirmer m_confirmMerge;
    PartialConfirmer m_confirmPartial;

    QStackedWidget* m_stack = nullptr;
    QFormLayout* m_exportForm = nullptr;
    QScrollArea* m_factsScroll = nullptr;
    QLabel* m_placeholder = nullptr;
    QLabel* m_bestLabel = nullptr;
    QLabel* m_figures = nullptr;
    QLabel* m_recommendedLabel = nullptr;
    QWidget* m_choiceBox = nullptr;
    QRadioButton* m_useBest = nullptr;
    QRadioButton* m_useRecommended = nullptr;
    QLabel* m_confidence = nullptr;
    QLabel* m_partial = nullptr;
    QLabel* m_search = nullptr;
    QLabel* m_profile = nullptr;
    QComboBox* m_targetCombo = nullptr;
    QPlainTextEdit* m_json = nullptr;
    QPushButton* m_copyButton = nullptr;
    QPushButton* m_exportButton = nullptr;
    QPushButton* m_mergeButton = nullptr;
};
