#pragma once
// The results as a picture, read from a ResultsTableModel and redrawn as its
// rows arrive (live during a sweep). Two modes:
// - Bars: read, write and combined GiB/s per configuration, horizontal bars
//   ranked by combined (best on top, the top maxBars() only), the best marked;
// - Heatmap: combined GiB/s over block size × queue depth for one thread count
//   (or the best of any), with submit / overlap / folder filters.
#include "results/analysis.h"
#include "results/metatypes.h"

#include <QList>
#include <QWidget>

#include <optional>

class ResultsTableModel;
class HeatmapWidget;
class QChart;
class QChartView;
class QComboBox;
class QGraphicsRectItem;
class QHorizontalBarSeries;
class QPainter;
class QScatterSeries;
class QLabel;
class QStackedWidget;
class QTimer;

// The font family saved SVG charts ask for: sans in Chromium and Firefox alike.
inline constexpr char kSvgFontFamily[] = "DejaVu Sans, Liberation Sans, Arial, sans-serif";

class ThroughputChart : public QWidget {
    Q_OBJECT
  public:
    enum class Mode { Bars, Heatmap };

    explicit ThroughputChart(QWidget* parent = nullptr);
    ~ThroughputChart() override;

    // Not owned; may be null. The chart follows rowsInserted, dataChanged and modelReset.
    void setModel(ResultsTableModel* model);
    ResultsTableModel* model() const { return m_model; }

    void setMode(Mode mode);
    Mode mode() const { return m_mode; }
    // Bars mode shows the top `count` configurations by combined figure.
    void setMaxBars(int count);
    int maxBars() const { return m_maxBars; }

    // Heatmap filters; -1 means "the best of any value" for that parameter.
    void setHeatmapThreads(int threads);
    void setHeatmapSingleSubmit(int singleSubmit); // -1, 0 (block), 1 (single)
    void setHeatmapOverlap(int overlap);           // -1, 0 (sequential), 1 (overlap)
    void setHeatmapFolders(int folders);
    int heatmapThreads() const;

    // An adaptive search's race while it runs: configurations that dropped
    // out are greyed ("✗") until the answer (the model's) gives them a state.
    void setRace(const QList<aiotune::ConfigKey>& droppedOut);
    const QList<aiotune::ConfigKey>& droppedOut() const { return m_droppedOut; }
    // Bars that fit the chart's height with their labels unelided (at most maxBars()).
    int barsShown() const;
    // Highlights one configuration in both modes (no signal).
    void selectConfig(const aiotune::ConfigKey& key);
    void clearSelection();
    const std::optional<aiotune::ConfigKey>& selectedConfig() const { return m_selected; }

    // Renders the chart alone (no combo boxes), its title above and `caption`
    // lines below; SVG when the path ends in .svg, else PNG. False when the
    // file cannot be written.
    bool saveImage(const QString& path, const QStringList& caption = {});
    bool savePng(const QString& path) { return saveImage(path); }

    // Rebuilds now; model signals schedule this (coalesced) on their own.
    void refresh();

    // What is drawn, for tests and the window.
    QChart* chart() const { return m_chart; }
    QHorizontalBarSeries* barSeries() const { return m_series; }
    // Bars from bottom to top (the chart's category order): the best is last.
    const QList<aiotune::ConfigKey>& barKeys() const { return m_barKeys; }
    // The bars' labels as drawn, top first ("★ 1M q32 p8 ov", "≈ …", "✗ …").
    QStringList barLabels() const;
    HeatmapWidget* heatmap() const { return m_heatmap; }
    // Above the chart, never elided: the best, then "top N of M" and what the labels mean.
    QString titleText() const;
    QString subtitleText() const;
    // The heatmap's filters that keep a subset ("Threads = 8, Submit = block");
    // empty in bar mode or when every filter is "best of any".
    QString heatmapFilterText() const;
    // What a saved image says under its title: the subtitle without what
    // only a live widget does (hovering), plus the heatmap's filters.
    QString savedSubtitleText() const;
    // Legend entries in the order drawn, left to right.
    QStringList legendLabels() const;
    bool darkTheme() const { return m_dark; }

    // What hovering bar `index` (bottom to top) shows; empty when out of range.
    QString barToolTip(int index) const;

  signals:
    void configClicked(const aiotune::ConfigKey& key);

  protected:
    void changeEvent(QEvent* e) override;
    void resizeEvent(QResizeEvent* e) override;
    void showEvent(QShowEvent* e) override;
    bool eventFilter(QObject* watched, QEvent* event) override;

  private:
    void scheduleRefresh();
    void rebuildBars();
    void rebuildHeatmap();
    void refillFilterCombos();
    void applyTheme();
    void updateSelectionBand();
    void onBarHovered(bool status, int index);
    void onBarClicked(int index);
    QString heatmapSubtitle() const;
    static bool addGenericFontFamily(const QString& svgPath);
    void paintClean(QPainter& painter, const QSize& size, const QStringList& caption);

    ResultsTableModel* m_model = nullptr;
    Mode m_mode = Mode::Bars;
    int m_maxBars = 20;
    bool m_dark = false;
    bool m_threadsChosen = false; // the user picked a thread count: keep it
    std::optional<aiotune::ConfigKey> m_selected;
    QList<aiotune::ConfigKey> m_barKeys;
    QList<aiotune::ConfigKey> m_droppedOut;
    std::optional<aiotune::ConfigKey> m_drawnBest;
    int m_hoveredBar = -1; // under the mouse, bottom to top; -1: none // the best the bars and title show

    QComboBox* m_modeCombo = nullptr;
    QWidget* m_filterBox = nullptr;
    QComboBox* m_threadsCombo = nullptr;
    QComboBox* m_submitCombo = nullptr;
    QComboBox* m_overlapCombo = nullptr;
    QComboBox* m_foldersCombo = nullptr;
    QLabel* m_foldersLabel = nullptr;
    QLabel* m_title = nullptr;
    QLabel* m_subtitle = nullptr;
    QStackedWidget* m_stack = nullptr;
    QChart* m_chart = nullptr;
    QChartView* m_chartView = nullptr;
    int m_fitDrawn = -1; // barsShown() when the bars were last drawn
    QHorizontalBarSeries* m_series = nullptr;
    QScatterSeries* m_bestMarker = nullptr; // empty: only its legend entry shows
    QGraphicsRectItem* m_selectionBand = nullptr;
    HeatmapWidget* m_heatmap = nullptr;
    QTimer* m_refreshTimer = nullptr;
};
