#include "main/table_page.h"

#include "results/result_format.h"
#include "results/results_filter_proxy.h"
#include "results/results_table_model.h"

#include <QApplication>
#include <QClipboard>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QKeyEvent>
#include <QLabel>
#include <QLineEdit>
#include <QTableView>
#include <QVBoxLayout>

TablePage::TablePage(ResultsTableModel* model, QWidget* parent) : QWidget(parent), m_model(model) {
    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 4, 0, 0);
    m_filter = new QLineEdit(this);
    m_filter->setObjectName(QStringLiteral("tableFilter"));
    m_filter->setPlaceholderText(tr("Filter: whole values, all must match (e.g. 1M single "
                                    "sequential) — Ctrl+F, Esc clears"));
    m_filter->setToolTip(tr("Each word must equal one cell of the row: \"8\" finds queue depth 8 "
                            "or 8 threads, not 128K; \"1M single\" finds rows with both. The "
                            "chart's labels work too (\"1M q32 p8 ss\")."));
    m_filter->setClearButtonEnabled(true);
    m_filter->installEventFilter(this);
    m_rowCount = new QLabel(this);
    m_rowCount->setObjectName(QStringLiteral("rowCount"));
    m_proxy = new ResultsFilterProxy(this);
    m_proxy->setSourceModel(m_model);
    m_proxy->setSortRole(ResultsTableModel::SortRole);
    m_table = new QTableView(this);
    m_table->setObjectName(QStringLiteral("resultsTable"));
    m_table->setModel(m_proxy);
    m_table->setSortingEnabled(true);
    m_table->sortByColumn(ResultsTableModel::CombinedColumn, Qt::DescendingOrder);
    m_table->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_table->setAlternatingRowColors(true);
    m_table->verticalHeader()->hide();
    m_table->horizontalHeader()->setSectionResizeMode(QHeaderView::Interactive);
    m_table->horizontalHeader()->setStretchLastSection(true);
    m_table->verticalHeader()->setDefaultSectionSize(m_table->fontMetrics().height() + 8);
    m_table->setContextMenuPolicy(Qt::ActionsContextMenu);
    sizeColumns();

    auto* filterRow = new QHBoxLayout;
    filterRow->addWidget(m_filter, 1);
    filterRow->addWidget(m_rowCount);
    layout->addLayout(filterRow);
    layout->addWidget(m_table, 1);

    connect(m_filter, &QLineEdit::textChanged, this, [this](const QString& text) {
        m_proxy->setFilterWords(text);
        updateRowCount();
    });
    for (auto signal : {&QAbstractItemModel::rowsInserted, &QAbstractItemModel::rowsRemoved})
        connect(m_proxy, signal, this, &TablePage::updateRowCount);
    connect(m_proxy, &QAbstractItemModel::modelReset, this, &TablePage::updateRowCount);
    connect(m_proxy, &QAbstractItemModel::layoutChanged, this, &TablePage::updateRowCount);
    connect(m_table->selectionModel(), &QItemSelectionModel::currentRowChanged, this,
            [this](const QModelIndex& current) {
                if (!current.isValid()) return;
                if (const auto* config = m_model->configAt(m_proxy->mapToSource(current).row()))
                    emit currentConfigChanged(config->key);
            });
    updateRowCount();
}

void TablePage::sizeColumns() {
    // The figures first, so a narrow window shows them without scrolling.
    QHeaderView* h = m_table->horizontalHeader();
    const int order[] = {ResultsTableModel::CombinedColumn,   ResultsTableModel::ReadColumn,
                         ResultsTableModel::WriteColumn,      ResultsTableModel::BlockSizeColumn,
                         ResultsTableModel::QueueDepthColumn, ResultsTableModel::ThreadsColumn,
                         ResultsTableModel::SubmitColumn,     ResultsTableModel::OverlapColumn,
                         ResultsTableModel::SpreadColumn};
    for (int visual = 0; visual < int(std::size(order)); ++visual)
        h->moveSection(h->visualIndex(order[visual]), visual);
    // Widths fixed once from the header and the longest value a column
    // holds: ResizeToContents would measure every row on every insert,
    // which stalls the window for hundreds of ms with thousands of rows.
    const QFontMetrics fm(m_table->font());
    const QString widest[] = {QStringLiteral("16M"),
                              QStringLiteral("512"),
                              QStringLiteral("16"),
                              resultformat::submitMode(true),
                              resultformat::overlapMode(false),
                              QStringLiteral("8"),
                              QStringLiteral("88.88"),
                              QStringLiteral("88.88"),
                              QStringLiteral("88.88"),
                              QStringLiteral("±88.8%"),
                              QStringLiteral("888"),
                              QStringLiteral("888.88")};
    for (int column = 0; column < int(std::size(widest)); ++column) {
        const QString header =
            m_model->headerData(column, Qt::Horizontal, Qt::DisplayRole).toString();
        h->resizeSection(
            column,
            std::max(fm.horizontalAdvance(header), fm.horizontalAdvance(widest[column]) + 16) + 24);
    }
}

bool TablePage::eventFilter(QObject* watched, QEvent* event) {
    // Esc in a non-empty filter clears it, ahead of Esc = Cancel sweep.
    if (watched == m_filter && !m_filter->text().isEmpty() &&
        (event->type() == QEvent::ShortcutOverride || event->type() == QEvent::KeyPress) &&
        static_cast<QKeyEvent*>(event)->key() == Qt::Key_Escape) {
        if (event->type() == QEvent::KeyPress) m_filter->clear();
        event->accept();
        return event->type() == QEvent::KeyPress;
    }
    return QWidget::eventFilter(watched, event);
}

void TablePage::updateRowCount() {
    const int shown = m_proxy->rowCount(), total = m_model->rowCount();
    const QString rows = total == 1 ? tr("1 row") : tr("%1 rows").arg(total);
    m_rowCount->setText(m_proxy->filterWords().isEmpty() ? rows
                                                         : tr("%1 of %2").arg(shown).arg(rows));
}

void TablePage::showConfig(const aiotune::ConfigKey& key) {
    const int row = m_model->rowOf(key);
    if (row < 0) return;
    const QModelIndex index = m_proxy->mapFromSource(m_model->index(row, 0));
    if (!index.isValid()) return;
    m_table->selectRow(index.row());
    m_table->scrollTo(index);
}

std::vector<const aiotune::ConfigResult*> TablePage::selectedConfigs() const {
    std::vector<const aiotune::ConfigResult*> out;
    for (const QModelIndex& index : m_table->selectionModel()->selectedRows())
        if (const auto* c = m_model->configAt(m_proxy->mapToSource(index).row())) out.push_back(c);
    return out;
}

int TablePage::copySelection() {
    const QModelIndexList indexes = m_table->selectionModel()->selectedIndexes();
    if (indexes.isEmpty()) return 0;
    QApplication::clipboard()->setText(indexesToTsv(indexes));
    return static_cast<int>(m_table->selectionModel()->selectedRows().size());
}

void TablePage::focusFilter() {
    m_filter->setFocus();
    m_filter->selectAll();
}
