#include "results/throughput_chart.h"

#include "results/heatmap_widget.h"
#include "results/result_format.h"
#include "results/results_table_model.h"

#include <QFontMetrics>
#include <QResizeEvent>
#include <QBarCategoryAxis>
#include <QBarSet>
#include <QBrush>
#include <QChart>
#include <QChartView>
#include <QComboBox>
#include <QCursor>
#include <QEvent>
#include <QGraphicsRectItem>
#include <QGridLayout>
#include <QHBoxLayout>
#include <QHorizontalBarSeries>
#include <QLabel>
#include <QFile>
#include <QFileInfo>
#include <QRegularExpression>
#include <QLegend>
#include <QLegendMarker>
#include <QPixmap>
#include <QPainter>
#include <QScatterSeries>
#include <QStackedWidget>
#include <QSvgGenerator>
#include <QTimer>
#include <QToolTip>
#include <QVBoxLayout>
#include <QValueAxis>

#include <algorithm>
#include <cmath>
#include <map>
#include <set>

using aiotune::ConfigKey;
using aiotune::ConfigResult;

namespace {
// Distinct from one another and from the highlight in light and dark themes.
const QColor kReadColor(0x4e, 0x79, 0xa7);
const QColor kWriteColor(0xf2, 0x8e, 0x2b);
const QColor kCombinedColor(0x59, 0xa1, 0x4f);
const QColor kBestColor(0x8e, 0x44, 0xad); // purple: "best", not "bad" (red)

// Higher is better: complete configurations by combined, then partial ones.
bool ranksAbove(const ConfigResult& a, const ConfigResult& b) {
    if (a.hasBoth() != b.hasBoth()) return a.hasBoth();
    const double va =
        a.combinedGiBps.value_or(std::max(a.readGiBps.value_or(0.0), a.writeGiBps.value_or(0.0)));
    const double vb =
        b.combinedGiBps.value_or(std::max(b.readGiBps.value_or(0.0), b.writeGiBps.value_or(0.0)));
    if (va != vb) return va > vb;
    return a.key < b.key;
}

// An axis end a little above `max` on a 1/2/2.5/5 x 10^k step, with 4-8
// intervals (QValueAxis::applyNiceNumbers may double the range).
std::pair<double, int> niceAxis(double max) {
    if (max <= 0.0) return {1.0, 6};
    const double raw = max * 1.03 / 6.0;
    const double magnitude = std::pow(10.0, std::floor(std::log10(raw)));
    double step = magnitude * 10.0;
    for (double m : {1.0, 2.0, 2.5, 5.0})
        if (m * magnitude >= raw) {
            step = m * magnitude;
            break;
        }
    const int intervals = static_cast<int>(std::ceil(max * 1.03 / step));
    return {intervals * step, intervals + 1};
}

void selectData(QComboBox* combo, int value) {
    const int i = combo->findData(value);
    if (i >= 0) combo->setCurrentIndex(i);
}
} // namespace

namespace {
// Combos as wide as their longest item would widen the chart when the heatmap's
// filters appear and squeeze the panels beside it: they shrink instead, and
// their popups show the whole text.
void makeCompact(QComboBox* combo, int characters) {
    combo->setSizeAdjustPolicy(QComboBox::AdjustToMinimumContentsLengthWithIcon);
    combo->setMinimumContentsLength(characters);
}
} // namespace

ThroughputChart::ThroughputChart(QWidget* parent) : QWidget(parent) {
    m_modeCombo = new QComboBox(this);
    m_modeCombo->addItem(tr("Bars"));
    m_modeCombo->addItem(tr("Heatmap"));
    m_modeCombo->setItemData(0, tr("Read, write and combined GiB/s per configuration"),
                             Qt::ToolTipRole);
    m_modeCombo->setItemData(1, tr("Combined GiB/s over block size × queue depth"),
                             Qt::ToolTipRole);
    m_modeCombo->setToolTip(tr("Bars: figures per configuration; Heatmap: block size × queue depth"));

    m_filterBox = new QWidget(this);
    // Two rows of two filters: narrow enough for a 1024-pixel screen.
    auto* filters = new QGridLayout(m_filterBox);
    filters->setContentsMargins(0, 0, 0, 0);
    filters->setVerticalSpacing(2);
    int filterSlot = 0;
    m_threadsCombo = new QComboBox(m_filterBox);
    m_submitCombo = new QComboBox(m_filterBox);
    m_submitCombo->addItem(tr("best of either"), -1);
    m_submitCombo->addItem(resultformat::submitMode(false), 0);
    m_submitCombo->addItem(resultformat::submitMode(true), 1);
    m_overlapCombo = new QComboBox(m_filterBox);
    m_overlapCombo->addItem(tr("best of either"), -1);
    m_overlapCombo->addItem(resultformat::overlapMode(true), 1);
    m_overlapCombo->addItem(resultformat::overlapMode(false), 0);
    m_foldersCombo = new QComboBox(m_filterBox);
    m_foldersLabel = new QLabel(tr("Folders"), m_filterBox);
    auto addFilter = [&](QLabel* label, QComboBox* combo) {
        label->setSizePolicy(QSizePolicy::Fixed, QSizePolicy::Preferred);
        label->setBuddy(combo);
        makeCompact(combo, 6);
        const int row = filterSlot / 2, column = (filterSlot % 2) * 2;
        filters->addWidget(label, row, column);
        filters->addWidget(combo, row, column + 1);
        filters->setColumnStretch(column + 1, 1);
        ++filterSlot;
    };
    addFilter(new QLabel(tr("Threads"), m_filterBox), m_threadsCombo);
    addFilter(new QLabel(tr("Submit"), m_filterBox), m_submitCombo);
    addFilter(new QLabel(tr("Overlap"), m_filterBox), m_overlapCombo);
    addFilter(m_foldersLabel, m_foldersCombo);
    // Hidden in bar mode, but its room is kept: switching modes moves nothing.
    QSizePolicy keep = m_filterBox->sizePolicy();
    keep.setRetainSizeWhenHidden(true);
    m_filterBox->setSizePolicy(keep);
    m_filterBox->setVisible(false);

    auto* top = new QHBoxLayout;
    top->addWidget(m_modeCombo, 0, Qt::AlignTop);
    top->addSpacing(12);
    top->addWidget(m_filterBox, 1);

    m_title = new QLabel(this);
    m_title->setObjectName(QStringLiteral("chartTitle"));
    m_title->setWordWrap(true);
    m_title->setTextInteractionFlags(Qt::TextSelectableByMouse);
    QFont titleFont = m_title->font();
    titleFont.setBold(true);
    m_title->setFont(titleFont);
    m_subtitle = new QLabel(this);
    m_subtitle->setObjectName(QStringLiteral("chartSubtitle"));
    m_subtitle->setWordWrap(true);

    m_chart = new QChart;
    m_chart->setAnimationOptions(QChart::NoAnimation); // live updates must not replay animations
    m_chart->legend()->setAlignment(Qt::AlignTop);
    // Bars of one configuration stack bottom-up in set order; reversed, the
    // legend reads left to right as the bars read top to bottom.
    m_chart->legend()->setReverseMarkers(true);
    m_chart->setMargins(QMargins(4, 4, 8, 4));
    m_series = new QHorizontalBarSeries;
    for (const QString& name : {tr("Read"), tr("Write"), tr("Combined")})
        m_series->append(new QBarSet(name));
    m_series->setBarWidth(0.8);
    m_chart->addSeries(m_series);
    m_bestMarker = new QScatterSeries;
    m_bestMarker->setName(tr("★ Best (combined)"));
    m_bestMarker->setMarkerShape(QScatterSeries::MarkerShapeRectangle);
    m_chart->addSeries(m_bestMarker);
    auto* valueAxis = new QValueAxis;
    valueAxis->setTitleText(tr("Throughput (GiB/s)"));
    valueAxis->setLabelFormat(QStringLiteral("%.1f"));
    auto* categoryAxis = new QBarCategoryAxis;
    m_chart->addAxis(valueAxis, Qt::AlignBottom);
    m_chart->addAxis(categoryAxis, Qt::AlignLeft);
    m_series->attachAxis(valueAxis);
    m_series->attachAxis(categoryAxis);
    // On the bars' own axes: an unattached series upsets the axis layout.
    m_bestMarker->attachAxis(valueAxis);
    m_bestMarker->attachAxis(categoryAxis);
    m_chartView = new QChartView(m_chart, this);
    m_chartView->setRenderHint(QPainter::Antialiasing);
    m_chartView->viewport()->installEventFilter(this);

    // Behind the bars and grid, above the plot background.
    m_selectionBand = new QGraphicsRectItem(m_chart);
    m_selectionBand->setZValue(1.5);
    m_selectionBand->setPen(Qt::NoPen);
    m_selectionBand->setVisible(false);

    m_heatmap = new HeatmapWidget(this);
    m_heatmap->setPlaceholder(tr("No configuration has both a read and a write figure yet."));

    m_stack = new QStackedWidget(this);
    m_stack->addWidget(m_chartView);
    m_stack->addWidget(m_heatmap);

    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addLayout(top);
    layout->addWidget(m_title);
    layout->addWidget(m_subtitle);
    layout->addWidget(m_stack, 1);

    m_refreshTimer = new QTimer(this);
    m_refreshTimer->setSingleShot(true);
    m_refreshTimer->setInterval(80);
    connect(m_refreshTimer, &QTimer::timeout, this, &ThroughputChart::refresh);

    connect(m_modeCombo, &QComboBox::currentIndexChanged, this,
            [this](int i) { setMode(i == 1 ? Mode::Heatmap : Mode::Bars); });
    connect(m_threadsCombo, &QComboBox::activated, this, [this] {
        m_threadsChosen = true;
        rebuildHeatmap();
    });
    for (QComboBox* combo : {m_submitCombo, m_overlapCombo, m_foldersCombo})
        connect(combo, &QComboBox::activated, this, &ThroughputChart::rebuildHeatmap);
    connect(m_series, &QAbstractBarSeries::hovered, this,
            [this](bool status, int index, QBarSet*) { onBarHovered(status, index); });
    connect(m_series, &QAbstractBarSeries::clicked, this,
            [this](int index, QBarSet*) { onBarClicked(index); });
    connect(m_chart, &QChart::plotAreaChanged, this, &ThroughputChart::updateSelectionBand);
    connect(m_heatmap, &HeatmapWidget::cellClicked, this, [this](const ConfigKey& key) {
        selectConfig(key);
        emit configClicked(key);
    });

    applyTheme();
    refresh();
}

ThroughputChart::~ThroughputChart() = default;

void ThroughputChart::setModel(ResultsTableModel* model) {
    if (m_model) disconnect(m_model, nullptr, this, nullptr);
    m_model = model;
    if (m_model) {
        connect(m_model, &QAbstractItemModel::rowsInserted, this,
                &ThroughputChart::scheduleRefresh);
        connect(m_model, &QAbstractItemModel::rowsRemoved, this, &ThroughputChart::scheduleRefresh);
        connect(m_model, &QAbstractItemModel::dataChanged, this, &ThroughputChart::scheduleRefresh);
        connect(m_model, &QAbstractItemModel::modelReset, this, &ThroughputChart::scheduleRefresh);
        // A new best redraws at once, in the same frame as the panel that names it,
        // so the title, the starred bar and the panel never disagree.
        connect(m_model, &ResultsTableModel::recommendationChanged, this,
                [this](const aiotune::Recommendation& rec) {
                    const std::optional<ConfigKey> best =
                        rec.best ? std::optional<ConfigKey>(rec.best->key) : std::nullopt;
                    if (best != m_drawnBest) refresh();
                });
        connect(m_model, &QObject::destroyed, this, [this] {
            m_model = nullptr;
            refresh();
        });
    }
    m_threadsChosen = false;
    refresh();
}

void ThroughputChart::setMode(Mode mode) {
    m_mode = mode;
    m_modeCombo->setCurrentIndex(mode == Mode::Heatmap ? 1 : 0);
    m_filterBox->setVisible(mode == Mode::Heatmap);
    m_stack->setCurrentIndex(mode == Mode::Heatmap ? 1 : 0);
    refresh();
    if (mode == Mode::Heatmap)
        m_subtitle->setText(heatmapSubtitle() + QLatin1Char(' ') + tr("Hover a cell for its figures."));
}

void ThroughputChart::setMaxBars(int count) {
    m_maxBars = std::max(1, count);
    refresh();
}

void ThroughputChart::setHeatmapThreads(int threads) {
    refillFilterCombos();
    m_threadsChosen = true;
    selectData(m_threadsCombo, threads);
    rebuildHeatmap();
}

void ThroughputChart::setHeatmapSingleSubmit(int singleSubmit) {
    selectData(m_submitCombo, singleSubmit);
    rebuildHeatmap();
}

void ThroughputChart::setHeatmapOverlap(int overlap) {
    selectData(m_overlapCombo, overlap);
    rebuildHeatmap();
}

void ThroughputChart::setHeatmapFolders(int folders) {
    refillFilterCombos();
    selectData(m_foldersCombo, folders);
    rebuildHeatmap();
}

int ThroughputChart::heatmapThreads() const {
    return m_threadsCombo->currentIndex() >= 0 ? m_threadsCombo->currentData().toInt() : -1;
}

void ThroughputChart::selectConfig(const ConfigKey& key) {
    m_selected = key;
    m_heatmap->setSelectedKey(key);
    updateSelectionBand();
}

void ThroughputChart::clearSelection() {
    m_selected.reset();
    m_heatmap->setSelectedKey(std::nullopt);
    updateSelectionBand();
}

QString ThroughputChart::titleText() const {
    return m_title->text();
}

QString ThroughputChart::subtitleText() const {
    return m_subtitle->text();
}

QString ThroughputChart::heatmapSubtitle() const {
    return tr("Each cell: the best combined GiB/s at that block size and queue depth among the "
              "configurations the filters keep; ★ marks the best overall. Colours within the "
              "noise band (the bracket by the scale) are noise, not a difference.");
}

QString ThroughputChart::heatmapFilterText() const {
    if (m_mode != Mode::Heatmap) return {};
    QStringList kept;
    const auto add = [&kept](const QString& name, const QComboBox* combo, const QString& value) {
        if (combo->currentIndex() >= 0 && combo->currentData().toInt() >= 0)
            kept << QStringLiteral("%1 = %2").arg(name, value);
    };
    add(tr("Threads"), m_threadsCombo, m_threadsCombo->currentData().toString());
    add(tr("Submit"), m_submitCombo, m_submitCombo->currentText());
    add(tr("Overlap"), m_overlapCombo, m_overlapCombo->currentText());
    add(tr("Folders"), m_foldersCombo, m_foldersCombo->currentData().toString());
    return kept.join(QStringLiteral(", "));
}

QString ThroughputChart::savedSubtitleText() const {
    if (m_mode != Mode::Heatmap) return subtitleText();
    const QString filters = heatmapFilterText();
    return heatmapSubtitle() + QLatin1Char(' ') +
           (filters.isEmpty() ? tr("Filters: none (best of any).") : tr("Filters: %1.").arg(filters));
}

QStringList ThroughputChart::legendLabels() const {
    QStringList labels;
    for (QLegendMarker* marker : m_chart->legend()->markers())
        if (marker->series()->isVisible()) labels << marker->label();
    if (m_chart->legend()->reverseMarkers()) std::reverse(labels.begin(), labels.end());
    return labels;
}

bool ThroughputChart::saveImage(const QString& path, const QStringList& caption) {
    if (m_refreshTimer->isActive()) refresh();
    // Hidden widgets (a headless export) have no size of their own yet.
    QWidget* view = m_stack->currentWidget();
    if (!isVisible() && (view->width() < 400 || view->height() < 300)) {
        m_stack->resize(900, 540);
        view->resize(m_stack->size());
    }
    const int margin = 16;
    const int width = view->width() + 2 * margin;
    auto blockHeight = [&](const QFont& f, const QString& text) {
        if (text.isEmpty()) return 0;
        return QFontMetrics(f)
                   .boundingRect(QRect(0, 0, width - 2 * margin, 100000), Qt::TextWordWrap, text)
                   .height() +
               6;
    };
    const int height = margin + blockHeight(m_title->font(), titleText()) +
                       blockHeight(font(), savedSubtitleText()) + view->height() + 8 +
                       blockHeight(font(), caption.join(QLatin1Char('\n'))) + margin;
    const QSize size(width, height);

    if (path.endsWith(QStringLiteral(".svg"), Qt::CaseInsensitive)) {
        QSvgGenerator svg;
        svg.setFileName(path);
        svg.setSize(size);
        svg.setViewBox(QRect(QPoint(0, 0), size));
        svg.setTitle(titleText());
        svg.setDescription(caption.join(QLatin1Char('\n')));
        QPainter painter;
        if (!painter.begin(&svg)) return false;
        paintClean(painter, size, caption);
        painter.end();
        return addGenericFontFamily(path);
    }
    QImage image(size, QImage::Format_ARGB32_Premultiplied);
    QPainter painter(&image);
    paintClean(painter, size, caption);
    painter.end();
    return image.save(path, "PNG");
}

// QSvgGenerator names Qt's family alone (font-family="Sans Serif"), which
// browsers do not know and draw in their default serif: name a font most
// Linux desktops have, then the generic family as the fallback.
bool ThroughputChart::addGenericFontFamily(const QString& path) {
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly)) return false;
    QString svg = QString::fromUtf8(file.readAll());
    file.close();
    if (svg.isEmpty()) return false;
    static const QRegularExpression family(QStringLiteral("font-family=\"([^\"]*)\""));
    svg.replace(family, QStringLiteral("font-family=\"") + QString::fromLatin1(kSvgFontFamily) +
                            QStringLiteral("\""));
    if (!file.open(QIODevice::WriteOnly | QIODevice::Truncate)) return false;
    const QByteArray bytes = svg.toUtf8();
    return file.write(bytes) == bytes.size() && file.flush();
}

void ThroughputChart::paintClean(QPainter& painter, const QSize& size, const QStringList& caption) {
    const QPalette pal = palette();
    const int margin = 16;
    const int textWidth = size.width() - 2 * margin;
    painter.fillRect(QRect(QPoint(0, 0), size), pal.color(QPalette::Base));
    painter.setPen(pal.color(QPalette::Text));
    int y = margin;
    auto drawBlock = [&](const QFont& f, const QString& text) {
        if (text.isEmpty()) return;
        painter.setFont(f);
        const QRect r = painter.boundingRect(QRect(margin, y, textWidth, 100000),
                                             Qt::TextWordWrap, text);
        painter.drawText(r, Qt::TextWordWrap, text);
        y = r.bottom() + 1 + 6;
    };
    drawBlock(m_title->font(), titleText());
    drawBlock(font(), savedSubtitleText());
    QWidget* view = m_stack->currentWidget();
    view->render(&painter, QPoint(margin, y), QRegion(), QWidget::DrawChildren);
    y += view->height() + 8;
    QColor dim = pal.color(QPalette::Text);
    dim.setAlpha(170);
    painter.setPen(dim);
    drawBlock(font(), caption.join(QLatin1Char('\n')));
}

void ThroughputChart::scheduleRefresh() {
    // Coalesce a burst of samples into one redraw, without starving a steady stream.
    if (!m_refreshTimer->isActive()) m_refreshTimer->start();
}

void ThroughputChart::refresh() {
    m_refreshTimer->stop();
    refillFilterCombos();
    rebuildBars(); // also the title, which both views show
    // The heatmap only when on screen: setMode() refreshes when it is shown.
    if (m_mode == Mode::Heatmap) rebuildHeatmap();
}

void ThroughputChart::rebuildBars() {
    // The answer's order (answerFor: the same as every other reader), then
    // configurations it could not rank (one operation only).
    const aiotune::Answer* answer = m_model ? &m_model->recommendation().answer : nullptr;
    std::map<ConfigKey, std::size_t> order;
    if (answer)
        for (std::size_t i = 0; i < answer->configs.size(); ++i)
            order.emplace(answer->configs[i].key, i);
    std::vector<const ConfigResult*> ranked;
    if (m_model)
        for (const ConfigResult& c : m_model->results().configs)
            if (c.readGiBps || c.writeGiBps) ranked.push_back(&c);
    std::stable_sort(ranked.begin(), ranked.end(), [&](const ConfigResult* a, const ConfigResult* b) {
        const auto ia = order.find(a->key), ib = order.find(b->key);
        if ((ia != order.end()) != (ib != order.end())) return ia != order.end();
        if (ia != order.end()) return ia->second < ib->second;
        return ranksAbove(*a, *b);
    });
    const std::size_t total = ranked.size();
    m_fitDrawn = barsShown();
    const auto shown = static_cast<std::size_t>(m_fitDrawn);
    if (ranked.size() > shown) ranked.resize(shown);
    std::reverse(ranked.begin(), ranked.end()); // categories run bottom-up: the best on top

    std::optional<ConfigKey> best, recommended;
    if (answer && answer->found) {
        best = answer->best;
        recommended = answer->recommended;
    }
    const auto stateOf = [&](const ConfigKey& key) -> std::optional<aiotune::ConfigState> {
        if (const aiotune::ConfigStanding* s = answer ? answer->standing(key) : nullptr) return s->state;
        return std::nullopt;
    };

    m_barKeys.clear();
    m_hoveredBar = -1;
    QStringList categories;
    QList<qreal> reads, writes, combined;
    double maxValue = 0.0;
    int bestIndex = -1;
    QList<int> dropped; // bar indices greyed: out of the race
    for (const ConfigResult* c : ranked) {
        QString label = resultformat::shortLabel(c->key);
        if (best && c->key == *best) {
            bestIndex = static_cast<int>(m_barKeys.size());
            label.prepend(QStringLiteral("★ "));
        } else if (recommended && c->key == *recommended) {
            label.prepend(QStringLiteral("✓ "));
        } else if (const auto state = stateOf(c->key)) {
            // Each state its own mark: a configuration tied with the best is never drawn as dropped.
            if (*state == aiotune::ConfigState::Tied) label.prepend(QStringLiteral("≈ "));
            if (*state == aiotune::ConfigState::Contending) label.prepend(QStringLiteral("? "));
            // Greyed only where a search decided what to measure: in a grid or
            // DeepSpeed's logs every configuration was measured alike.
            if ((*state == aiotune::ConfigState::Eliminated || *state == aiotune::ConfigState::Failed) &&
                answer->strategy == "adaptive") {
                label.prepend(QStringLiteral("✗ "));
                dropped << static_cast<int>(m_barKeys.size());
            }
        } else if (m_droppedOut.contains(c->key)) {
            label.prepend(QStringLiteral("✗ "));
            dropped << static_cast<int>(m_barKeys.size());
        }
        m_barKeys.append(c->key);
        categories << label;
        reads << c->readGiBps.value_or(0.0);
        writes << c->writeGiBps.value_or(0.0);
        combined << c->combinedGiBps.value_or(0.0);
        maxValue = std::max({maxValue, reads.back(), writes.back(), combined.back()});
    }

    const QList<QBarSet*> sets = m_series->barSets();
    for (QBarSet* set : sets) {
        set->deselectAllBars();
        set->remove(0, set->count());
    }
    sets[0]->append(reads);
    sets[1]->append(writes);
    sets[2]->append(combined);
    if (bestIndex >= 0) sets[2]->selectBar(bestIndex);
    sets[0]->selectBars(dropped);
    sets[1]->selectBars(dropped);
    m_drawnBest = best;

    auto* categoryAxis = qobject_cast<QBarCategoryAxis*>(m_chart->axes(Qt::Vertical).value(0));
    categoryAxis->clear();
    // An axis left with no category keeps drawing the old labels: give it a blank one.
    categoryAxis->append(categories.isEmpty() ? QStringList{QString()} : categories);
    auto* valueAxis = qobject_cast<QValueAxis*>(m_chart->axes(Qt::Horizontal).value(0));
    const auto [top, ticks] = niceAxis(maxValue);
    valueAxis->setRange(0.0, top);
    valueAxis->setTickCount(ticks);

    QString title, subtitle;
    if (answer && answer->found) {
        title = tr("Best: %1 — %2").arg(resultformat::longLabel(answer->best), resultformat::answerFigure(*answer));
    } else if (total == 0) {
        title = tr("No results yet: run a sweep or open a log folder");
    } else {
        title = tr("No configuration has both a read and a write figure yet");
    }
    if (total > ranked.size())
        subtitle = tr("Top %1 of %2 configurations by read + write.").arg(ranked.size()).arg(total) +
                   QLatin1Char(' ');
    if (total > 0)
        subtitle += tr("Labels: block size, q queue depth, p threads (intra_op_parallelism), "
                       "ss single submit, ov overlapped / seq sequential requests, f2 two "
                       "folders at once; ★ best, ✓ recommended (the cheapest within the tolerance), "
                       "≈ tied with the best, ? could still be faster, ✗ grey: slower than the best.");
    m_title->setText(title);
    if (m_mode == Mode::Bars) m_subtitle->setText(subtitle);
    // The legend's best entry only when a bar carries the best's colour.
    m_bestMarker->setVisible(bestIndex >= 0);
    updateSelectionBand();
}

void ThroughputChart::refillFilterCombos() {
    std::set<int> threads, folders;
    std::optional<ConfigKey> best;
    if (m_model) {
        for (const ConfigResult& c : m_model->results().configs) {
            if (!c.hasBoth()) continue;
            threads.insert(c.key.aio.intra_op_parallelism);
            folders.insert(c.key.folders);
        }
        if (m_model->recommendation().best) best = m_model->recommendation().best->key;
    }
    const int currentThreads =
        m_threadsCombo->currentIndex() >= 0 ? m_threadsCombo->currentData().toInt() : -1;
    const int currentFolders =
        m_foldersCombo->currentIndex() >= 0 ? m_foldersCombo->currentData().toInt() : -1;
    m_threadsCombo->clear();
    m_threadsCombo->addItem(tr("best of any"), -1);
    for (int t : threads)
        m_threadsCombo->addItem(t == 1 ? tr("1 thread") : tr("%1 threads").arg(t), t);
    // Until the user picks one, show the best configuration's thread count.
    selectData(m_threadsCombo,
               m_threadsChosen || !best ? currentThreads : best->aio.intra_op_parallelism);
    m_foldersCombo->clear();
    m_foldersCombo->addItem(tr("best of any"), -1);
    for (int f : folders)
        m_foldersCombo->addItem(QString::number(f), f);
    selectData(m_foldersCombo, currentFolders);
    m_foldersLabel->setVisible(folders.size() > 1);
    m_foldersCombo->setVisible(folders.size() > 1);
}

void ThroughputChart::rebuildHeatmap() {
    const int threads = heatmapThreads();
    const int submit = m_submitCombo->currentData().toInt();
    const int overlap = m_overlapCombo->currentData().toInt();
    const int folders =
        m_foldersCombo->currentIndex() >= 0 ? m_foldersCombo->currentData().toInt() : -1;

    std::set<std::uint64_t> blockSizes;
    std::set<int> depths;
    std::map<std::pair<std::uint64_t, int>, const ConfigResult*> bestPerCell;
    if (m_model) {
        for (const ConfigResult& c : m_model->results().configs) {
            if (!c.hasBoth()) continue;
            // The grid's shape stays the same whatever the filters.
            blockSizes.insert(c.key.aio.block_size);
            depths.insert(c.key.aio.queue_depth);
            const auto& aio = c.key.aio;
            if (threads >= 0 && aio.intra_op_parallelism != threads) continue;
            if (submit >= 0 && aio.single_submit != (submit == 1)) continue;
            if (overlap >= 0 && aio.overlap_events != (overlap == 1)) continue;
            if (folders >= 0 && c.key.folders != folders) continue;
            auto& slot = bestPerCell[{aio.block_size, aio.queue_depth}];
            if (!slot || ranksAbove(c, *slot)) slot = &c;
        }
    }
    QStringList columns, rows;
    for (std::uint64_t bs : blockSizes)
        columns << resultformat::blockSize(bs);
    // Deeper queues on top, as on a plot's y axis.
    for (auto it = depths.rbegin(); it != depths.rend(); ++it)
        rows << QString::number(*it);
    QVector<HeatmapWidget::Cell> cells;
    for (const auto& [where, c] : bestPerCell) {
        HeatmapWidget::Cell cell;
        cell.column =
            static_cast<int>(std::distance(blockSizes.begin(), blockSizes.find(where.first)));
        cell.row = static_cast<int>(std::distance(depths.find(where.second), depths.end())) - 1;
        cell.value = *c->combinedGiBps;
        cell.key = c->key;
        cell.tooltip = resultformat::tooltip(*c);
        cells.append(cell);
    }
    m_heatmap->setAxes(columns, tr("Block size"), rows, tr("Queue depth"));
    m_heatmap->setCells(cells, tr("GiB/s combined"));
    // The answer's interval is the noise of the best's figure (core decides it).
    double band = 0.0;
    if (m_model && m_model->recommendation().answer.found) {
        const aiotune::Answer& a = m_model->recommendation().answer;
        if (a.interval) band = a.interval->high - a.interval->low;
        else if (a.noise) band = 2.0 * *a.noise * a.bestGiBps;
    }
    m_heatmap->setNoiseBand(band);
    m_heatmap->setMarkedKey(m_model && m_model->recommendation().best
                                ? std::optional<ConfigKey>(m_model->recommendation().best->key)
                                : std::nullopt);
    m_heatmap->setSelectedKey(m_selected);
}

void ThroughputChart::applyTheme() {
    const QPalette pal = palette();
    m_dark = pal.color(QPalette::Window).lightness() < 128;
    m_chart->setTheme(m_dark ? QChart::ChartThemeDark : QChart::ChartThemeLight);
    // Blend into the window rather than the theme's own gradient.
    m_chart->setBackgroundBrush(pal.color(QPalette::Base));
    m_chart->setTitleBrush(pal.color(QPalette::Text));
    QFont titleFont = font();
    titleFont.setBold(true);
    m_chart->setTitleFont(titleFont);
    m_chart->legend()->setLabelColor(pal.color(QPalette::Text));
    for (QAbstractAxis* axis : m_chart->axes()) {
        axis->setLabelsBrush(pal.color(QPalette::Text));
        axis->setTitleBrush(pal.color(QPalette::Text));
        axis->setLabelsFont(font());
        QColor grid = pal.color(QPalette::Text);
        grid.setAlpha(40);
        axis->setGridLineColor(grid);
    }
    const QList<QBarSet*> sets = m_series->barSets();
    const QColor colors[] = {kReadColor, kWriteColor, kCombinedColor};
    for (int i = 0; i < sets.size() && i < 3; ++i) {
        sets[i]->setColor(colors[i]);
        sets[i]->setBorderColor(colors[i]);
    }
    sets[2]->setSelectedColor(kBestColor);
    // Out of the race: read and write bars grey, whatever the theme.
    const QColor grey = m_dark ? QColor(0x5a, 0x5a, 0x5a) : QColor(0xc8, 0xc8, 0xc8);
    sets[0]->setSelectedColor(grey);
    sets[1]->setSelectedColor(grey);
    m_bestMarker->setColor(kBestColor);
    m_bestMarker->setBorderColor(kBestColor);
    QColor band = pal.color(QPalette::Highlight);
    band.setAlpha(70);
    m_selectionBand->setBrush(band);
}

void ThroughputChart::updateSelectionBand() {
    const int index = m_selected ? static_cast<int>(m_barKeys.indexOf(*m_selected)) : -1;
    if (index < 0 || m_barKeys.isEmpty()) {
        m_selectionBand->setVisible(false);
        return;
    }
    const QRectF plot = m_chart->plotArea();
    const qreal h = plot.height() / m_barKeys.size();
    m_selectionBand->setRect(plot.left(), plot.bottom() - (index + 1) * h, plot.width(), h);
    m_selectionBand->setVisible(true);
}

bool ThroughputChart::eventFilter(QObject* watched, QEvent* event) {
    // The view shrinks without this widget resizing when the title above it
    // takes more lines (or a banner appears): drawn again if fewer bars fit,
    // else Qt Charts cuts every label to "…".
    if (watched == m_chartView->viewport() && event->type() == QEvent::Resize && m_mode == Mode::Bars &&
        m_model && barsShown() != m_fitDrawn)
        scheduleRefresh();
    // The chart's scene answers a tooltip request itself and, finding no item
    // tooltip, hides ours: over a bar, answer it here first.
    if (watched == m_chartView->viewport() && event->type() == QEvent::ToolTip) {
        if (m_hoveredBar >= 0) {
            onBarHovered(true, m_hoveredBar);
            return true;
        }
    }
    return QWidget::eventFilter(watched, event);
}

QString ThroughputChart::barToolTip(int index) const {
    if (!m_model || index < 0 || index >= m_barKeys.size()) return {};
    const ConfigKey& key = m_barKeys[index];
    const QModelIndex row = m_model->index(m_model->rowOf(key), 0);
    if (!row.isValid()) return {};
    QString tip = row.data(Qt::ToolTipRole).toString();
    // The row's tooltip already leads with where the answer puts it.
    if (!m_model->recommendation().answer.standing(key) && m_droppedOut.contains(key))
        tip += QLatin1Char('\n') + tr("Dropped out of the search.");
    return tip;
}

QStringList ThroughputChart::barLabels() const {
    QStringList labels;
    if (auto* axis = qobject_cast<QBarCategoryAxis*>(m_chart->axes(Qt::Vertical).value(0)))
        labels = axis->categories();
    std::reverse(labels.begin(), labels.end());
    return labels;
}

void ThroughputChart::setRace(const QList<ConfigKey>& droppedOut) {
    if (m_droppedOut == droppedOut) return;
    m_droppedOut = droppedOut;
    scheduleRefresh();
}

int ThroughputChart::barsShown() const {
    // A category needs about two text lines to keep its label whole (Qt Charts
    // elides labels with "…" once a category is thinner than its text); the
    // plot area is the chart view less the title, legend and axis.
    // Not on screen (a render to file, a fresh widget): no height to go by yet.
    if (!m_chartView || !m_chartView->isVisible()) return m_maxBars;
    const int line = QFontMetrics(font()).height();
    const int usable = m_chartView->height() - 4 * line;
    const int fit = std::max(5, usable / std::max(1, 2 * line));
    return std::min(m_maxBars, fit);
}

void ThroughputChart::showEvent(QShowEvent* e) {
    QWidget::showEvent(e);
    if (m_mode == Mode::Bars && m_model) scheduleRefresh();
}

void ThroughputChart::resizeEvent(QResizeEvent* e) {
    QWidget::resizeEvent(e);
    // The view's new height is laid out after this: the coalesced refresh reads it.
    if (m_mode == Mode::Bars && m_model) scheduleRefresh();
}

void ThroughputChart::onBarHovered(bool status, int index) {
    m_hoveredBar = status ? index : -1;
    if (!status || !m_model || index < 0 || index >= m_barKeys.size()) {
        QToolTip::hideText();
        return;
    }
    const QString tip = barToolTip(index);
    if (!tip.isEmpty()) QToolTip::showText(QCursor::pos(), tip, m_chartView);
}

void ThroughputChart::onBarClicked(int index) {
    if (index < 0 || index >= m_barKeys.size()) return;
    const ConfigKey key = m_barKeys[index];
    selectConfig(key);
    emit configClicked(key);
}

void ThroughputChart::changeEvent(QEvent* e) {
    if (e->type() == QEvent::PaletteChange || e->type() == QEvent::FontChange) applyTheme();
    QWidget::changeEvent(e);
}
