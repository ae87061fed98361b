#include "results/heatmap_widget.h"

#include <QFontMetrics>
#include <QHelpEvent>
#include <QLinearGradient>
#include <QMouseEvent>
#include <QPainter>
#include <QToolTip>

#include <algorithm>
#include <array>
#include <cmath>

namespace {
// Viridis at five stops: perceptually even, readable for color-blind users.
constexpr std::array<QRgb, 5> kRamp = {0xff440154, 0xff3b528b, 0xff21918c, 0xff5ec962, 0xfffde725};

QColor ramp(double t) {
    t = std::clamp(t, 0.0, 1.0) * (kRamp.size() - 1);
    const auto i = std::min(static_cast<std::size_t>(t), kRamp.size() - 2);
    const double f = t - static_cast<double>(i);
    const QColor a(kRamp[i]), b(kRamp[i + 1]);
    return QColor::fromRgbF(static_cast<float>(a.redF() + (b.redF() - a.redF()) * f),
                            static_cast<float>(a.greenF() + (b.greenF() - a.greenF()) * f),
                            static_cast<float>(a.blueF() + (b.blueF() - a.blueF()) * f));
}

QColor textOn(const QColor& background) {
    const double luminance =
        0.2126 * background.redF() + 0.7152 * background.greenF() + 0.0722 * background.blueF();
    return luminance > 0.5 ? Qt::black : Qt::white;
}

constexpr int kMargin = 10;
constexpr int kLegendWidth = 16;
} // namespace

HeatmapWidget::HeatmapWidget(QWidget* parent) : QWidget(parent) {
    setMouseTracking(true);
    setSizePolicy(QSizePolicy::Expanding, QSizePolicy::Expanding);
}

void HeatmapWidget::setAxes(const QStringList& columnLabels, const QString& columnTitle,
                            const QStringList& rowLabels, const QString& rowTitle) {
    m_columnLabels = columnLabels;
    m_columnTitle = columnTitle;
    m_rowLabels = rowLabels;
    m_rowTitle = rowTitle;
    update();
}

void HeatmapWidget::setCells(const QVector<Cell>& cells, const QString& unit) {
    m_cells = cells;
    m_unit = unit;
    m_min = m_max = 0.0;
    if (!cells.isEmpty()) {
        const auto [lo, hi] =
            std::minmax_element(cells.begin(), cells.end(),
                                [](const Cell& a, const Cell& b) { return a.value < b.value; });
        m_min = lo->value;
        m_max = hi->value;
    }
    update();
}

void HeatmapWidget::setMarkedKey(const std::optional<aiotune::ConfigKey>& key) {
    m_marked = key;
    update();
}

void HeatmapWidget::setSelectedKey(const std::optional<aiotune::ConfigKey>& key) {
    m_selected = key;
    update();
}

void HeatmapWidget::setPlaceholder(const QString& text) {
    m_placeholder = text;
    update();
}

void HeatmapWidget::setNoiseBand(double width) {
    m_noiseBand = std::isfinite(width) && width > 0.0 ? width : 0.0;
    update();
}

double HeatmapWidget::scaleMin() const {
    // Min to max would stretch differences inside the noise over the whole
    // ramp; the scale spans at least the noise band.
    return std::min(m_min, m_max - m_noiseBand);
}

QColor HeatmapWidget::colorFor(double value) const {
    const double lo = scaleMin();
    return ramp(m_max > lo ? (value - lo) / (m_max - lo) : 1.0);
}

QSize HeatmapWidget::sizeHint() const {
    return {640, 420};
}
QSize HeatmapWidget::minimumSizeHint() const {
    return {320, 220};
}

QRect HeatmapWidget::gridRect() const {
    const QFontMetrics fm(font());
    int rowLabelWidth = 0;
    for (const QString& l : m_rowLabels)
        rowLabelWidth = std::max(rowLabelWidth, fm.horizontalAdvance(l));
    // Right side: legend bar plus its tick labels ("12.34") and unit.
    const int legendTicks =
        std::max(fm.horizontalAdvance(QStringLiteral("000.00")), fm.horizontalAdvance(m_unit));
    const int left = kMargin + fm.height() + 6 + rowLabelWidth + 6;
    const int right = kMargin + kLegendWidth + 6 + legendTicks + 16;
    const int top = kMargin + fm.height() * 2; // room for the legend's unit above it
    const int bottom = kMargin + 2 * fm.height() + 10;
    return QRect(left, top, std::max(1, width() - left - right),
                 std::max(1, height() - top - bottom));
}

QRect HeatmapWidget::cellRect(int column, int row) const {
    if (column < 0 || row < 0 || column >= m_columnLabels.size() || row >= m_rowLabels.size())
        return {};
    const QRect g = gridRect();
    const int x0 = g.left() + g.width() * column / static_cast<int>(m_columnLabels.size());
    const int x1 = g.left() + g.width() * (column + 1) / static_cast<int>(m_columnLabels.size());
    const int y0 = g.top() + g.height() * row / static_cast<int>(m_rowLabels.size());
    const int y1 = g.top() + g.height() * (row + 1) / static_cast<int>(m_rowLabels.size());
    return QRect(QPoint(x0, y0), QPoint(x1 - 1, y1 - 1));
}

const HeatmapWidget::Cell* HeatmapWidget::cellAt(const QPoint& pos) const {
    for (const Cell& c : m_cells)
        if (cellRect(c.column, c.row).contains(pos)) return &c;
    return nullptr;
}

void HeatmapWidget::paintEvent(QPaintEvent*) {
    QPainter p(this);
    p.setRenderHint(QPainter::Antialiasing);
    const QPalette pal = palette();
    p.fillRect(rect(), pal.color(QPalette::Base));
    const QFontMetrics fm(font());
    p.setPen(pal.color(QPalette::Text));

    if (m_columnLabels.isEmpty() || m_rowLabels.isEmpty()) {
        p.setPen(pal.color(QPalette::PlaceholderText));
        p.drawText(rect().adjusted(kMargin, kMargin, -kMargin, -kMargin),
                   Qt::AlignCenter | Qt::TextWordWrap, m_placeholder);
        return;
    }

    const QRect g = gridRect();
    // Empty cells: a neutral tone, so a missing measurement is not read as slow.
    const QColor emptyFill = pal.color(QPalette::AlternateBase);
    for (int r = 0; r < m_rowLabels.size(); ++r)
        for (int c = 0; c < m_columnLabels.size(); ++c) {
            const QRect cr = cellRect(c, r).adjusted(1, 1, -1, -1);
            p.fillRect(cr, emptyFill);
            p.setPen(pal.color(QPalette::PlaceholderText));
            p.drawText(cr, Qt::AlignCenter, QStringLiteral("–"));
        }

    // Values as large as the cells comfortably allow.
    QFont valueFont = font();
    const QRect sample = cellRect(0, 0);
    const qreal basePoints = font().pointSizeF() > 0 ? font().pointSizeF() : 9.0;
    valueFont.setPointSizeF(std::clamp(sample.height() / 5.0, basePoints, basePoints * 1.6));
    while (valueFont.pointSizeF() > basePoints &&
           QFontMetrics(valueFont).horizontalAdvance(QStringLiteral("★ 00.00")) >
               sample.width() - 6)
        valueFont.setPointSizeF(valueFont.pointSizeF() - 1.0);
    for (const Cell& cell : m_cells) {
        const QRect cr = cellRect(cell.column, cell.row).adjusted(1, 1, -1, -1);
        const QColor fill = colorFor(cell.value);
        p.fillRect(cr, fill);
        const bool marked = m_marked && *m_marked == cell.key;
        valueFont.setBold(marked);
        p.setFont(valueFont);
        p.setPen(textOn(fill));
        const QString text =
            (marked ? QStringLiteral("★ ") : QString()) + QString::number(cell.value, 'f', 2);
        p.drawText(cr, Qt::AlignCenter, text);
        if (m_selected && *m_selected == cell.key) {
            p.setPen(QPen(pal.color(QPalette::Highlight), 4));
            p.setBrush(Qt::NoBrush);
            p.drawRect(cr.adjusted(2, 2, -2, -2));
        }
    }
    p.setFont(font());

    // Axis labels and titles.
    p.setPen(pal.color(QPalette::Text));
    for (int c = 0; c < m_columnLabels.size(); ++c) {
        const QRect cr = cellRect(c, 0);
        p.drawText(QRect(cr.left(), g.bottom() + 4, cr.width(), fm.height()),
                   Qt::AlignHCenter | Qt::AlignTop, m_columnLabels[c]);
    }
    for (int r = 0; r < m_rowLabels.size(); ++r) {
        const QRect cr = cellRect(0, r);
        p.drawText(QRect(0, cr.top(), g.left() - 6, cr.height()), Qt::AlignRight | Qt::AlignVCenter,
                   m_rowLabels[r]);
    }
    QFont titleFont = font();
    titleFont.setBold(true);
    p.setFont(titleFont);
    p.drawText(QRect(g.left(), g.bottom() + 6 + fm.height(), g.width(), fm.height() + 4),
               Qt::AlignHCenter | Qt::AlignTop, m_columnTitle);
    p.save();
    p.translate(kMargin, g.center().y());
    p.rotate(-90);
    p.drawText(QRect(-g.height() / 2, 0, g.height(), fm.height() + 2),
               Qt::AlignHCenter | Qt::AlignTop, m_rowTitle);
    p.restore();
    p.setFont(font());

    // Color legend: the ramp from min (bottom) to max (top) with three ticks.
    const QRect legend(g.right() + 16, g.top(), kLegendWidth, g.height());
    QLinearGradient gradient(legend.bottomLeft(), legend.topLeft());
    for (std::size_t i = 0; i < kRamp.size(); ++i)
        gradient.setColorAt(static_cast<double>(i) / (kRamp.size() - 1), QColor(kRamp[i]));
    p.fillRect(legend, gradient);
    p.setPen(pal.color(QPalette::Mid));
    p.drawRect(legend);
    p.setPen(pal.color(QPalette::Text));
    if (!m_cells.isEmpty()) {
        const double lo = scaleMin();
        for (int i = 0; i <= 2; ++i) {
            const double v = lo + (m_max - lo) * i / 2.0;
            const int y = legend.bottom() - legend.height() * i / 2;
            p.drawLine(legend.right(), y, legend.right() + 3, y);
            p.drawText(QRect(legend.right() + 6, y - fm.height() / 2, width() - legend.right() - 6,
                             fm.height()),
                       Qt::AlignLeft | Qt::AlignVCenter, QString::number(v, 'f', 2));
        }
    }
    // The noise band beside the top of the legend: colours within it are noise.
    if (!m_cells.isEmpty() && m_noiseBand > 0.0 && m_max > scaleMin()) {
        const int h = std::max(2, int(legend.height() * m_noiseBand / (m_max - scaleMin())));
        QPen bracket(pal.color(QPalette::Text), 2);
        p.setPen(bracket);
        p.drawLine(legend.left() - 4, legend.top(), legend.left() - 4, legend.top() + h);
        p.setPen(pal.color(QPalette::Text));
    }
    p.drawText(QRect(legend.left() - 8, legend.top() - fm.height() * 3 / 2 - 2,
                     width() - legend.left() + 8, fm.height()),
               Qt::AlignLeft | Qt::AlignTop, m_unit);
}

bool HeatmapWidget::event(QEvent* e) {
    if (e->type() == QEvent::ToolTip) {
        const auto* help = static_cast<QHelpEvent*>(e);
        if (const Cell* c = cellAt(help->pos()))
            QToolTip::showText(help->globalPos(), c->tooltip, this);
        else
            QToolTip::hideText();
        return true;
    }
    return QWidget::event(e);
}

void HeatmapWidget::mousePressEvent(QMouseEvent* e) {
    if (e->button() == Qt::LeftButton)
        if (const Cell* c = cellAt(e->position().toPoint())) emit cellClicked(c->key);
    QWidget::mousePressEvent(e);
}
