#pragma once
// A grid of colored cells (block size × queue depth in ThroughputChart), a
// color legend and axis titles, painted directly: QtCharts has no heatmap,
// and scatter squares do not tile. Colors follow a perceptual ramp (viridis)
// that reads the same in light and dark palettes.
#include "results/metatypes.h"

#include <QStringList>
#include <QVector>
#include <QWidget>

#include <optional>

class HeatmapWidget : public QWidget {
    Q_OBJECT
  public:
    struct Cell {
        int column = 0;
        int row = 0;
        double value = 0.0;
        aiotune::ConfigKey key; // what a click on the cell selects
        QString tooltip;
    };

    explicit HeatmapWidget(QWidget* parent = nullptr);

    // Row 0 is drawn at the top; ThroughputChart lists rows high to low.
    void setAxes(const QStringList& columnLabels, const QString& columnTitle,
                 const QStringList& rowLabels, const QString& rowTitle);
    void setCells(const QVector<Cell>& cells, const QString& unit);
    // The cell drawn with a star (the best configuration), if on this grid.
    void setMarkedKey(const std::optional<aiotune::ConfigKey>& key);
    // The cell drawn with a thick outline (the selected configuration).
    void setSelectedKey(const std::optional<aiotune::ConfigKey>& key);
    void setPlaceholder(const QString& text);

    const QVector<Cell>& cells() const { return m_cells; }
    const QStringList& columnLabels() const { return m_columnLabels; }
    const QStringList& rowLabels() const { return m_rowLabels; }
    // Widget coordinates of a cell, empty when outside the grid.
    QRect cellRect(int column, int row) const;
    // The noise of the best's figure (the width of the answer's interval, in
    // the cells' unit); 0 when unknown. The colour scale spans at least this
    // much below the top, so cells within the noise of each other look alike.
    void setNoiseBand(double width);
    double noiseBand() const { return m_noiseBand; }
    // The value drawn at the bottom of the colour scale.
    double scaleMin() const;
    // The color a value maps to on the current scale.
    QColor colorFor(double value) const;

    QSize sizeHint() const override;
    QSize minimumSizeHint() const override;

  signals:
    void cellClicked(const aiotune::ConfigKey& key);

  protected:
    bool event(QEvent* e) override;
    void paintEvent(QPaintEvent* e) override;
    void mousePressEvent(QMouseEvent* e) override;

  private:
    QRect gridRect() const;
    const Cell* cellAt(const QPoint& pos) const;

    QStringList m_columnLabels, m_rowLabels;
    QString m_columnTitle, m_rowTitle, m_unit, m_placeholder;
    QVector<Cell> m_cells;
    double m_min = 0.0, m_max = 0.0;
    double m_noiseBand = 0.0;
    std::optional<aiotune::ConfigKey> m_marked, m_selected;
};
