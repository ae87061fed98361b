#include "results/results_filter_proxy.h"

#include "results/result_format.h"
#include "results/results_table_model.h"

#include <QRegularExpression>

ResultsFilterProxy::ResultsFilterProxy(QObject* parent) : QSortFilterProxyModel(parent) {}

void ResultsFilterProxy::setFilterWords(const QString& text) {
    static const QRegularExpression separators(QStringLiteral("[\\s,;]+"));
    QStringList words = text.toLower().split(separators, Qt::SkipEmptyParts);
    if (words == m_words) return;
    m_words = std::move(words);
    invalidateFilter();
}

bool ResultsFilterProxy::filterAcceptsRow(int sourceRow, const QModelIndex& sourceParent) const {
    if (m_words.isEmpty()) return true;
    const QAbstractItemModel* source = sourceModel();
    QStringList cells;
    const int columns = source->columnCount(sourceParent);
    cells.reserve(columns);
    for (int c = 0; c < columns; ++c)
        cells << source->index(sourceRow, c, sourceParent).data().toString().toLower();
    // The chart's own label words too ("1M q32 p8 ss"), so a label copied off
    // the chart finds its row.
    if (const auto* model = qobject_cast<const ResultsTableModel*>(source))
        if (const auto* config = model->configAt(sourceRow))
            cells << resultformat::shortLabel(config->key).toLower().split(QLatin1Char(' '), Qt::SkipEmptyParts);
    for (const QString& word : m_words)
        if (!cells.contains(word)) return false;
    return true;
}

bool ResultsFilterProxy::lessThan(const QModelIndex& left, const QModelIndex& right) const {
    const auto* model = qobject_cast<const ResultsTableModel*>(sourceModel());
    if (model && sortRole() == ResultsTableModel::SortRole && left.column() == right.column()) {
        const auto a = model->sortNumber(left.row(), left.column());
        const auto b = model->sortNumber(right.row(), right.column());
        if (a && b) return *a < *b;
    }
    return QSortFilterProxyModel::lessThan(left, right);
}
