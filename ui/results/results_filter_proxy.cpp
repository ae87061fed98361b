#include "results/results_filter_proxy.h"

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
    for (const QString& word : m_words)
        if (!cells.contains(word)) return false;
    return true;
}
