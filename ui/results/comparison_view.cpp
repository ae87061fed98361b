#include "results/comparison_view.h"

#include "results/comparison_model.h"

#include <QHeaderView>
#include <QLabel>
#include <QSortFilterProxyModel>
#include <QTableView>
#include <QVBoxLayout>

ComparisonView::ComparisonView(QWidget* parent) : QWidget(parent) {
    m_model = new ComparisonModel(this);
    m_proxy = new QSortFilterProxyModel(this);
    m_proxy->setSourceModel(m_model);
    m_proxy->setSortRole(ComparisonModel::SortRole);

    m_names = new QLabel(this);
    m_names->setWordWrap(true);
    m_names->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_summary = new QLabel(this);
    m_summary->setWordWrap(true);
    QFont bold = m_summary->font();
    bold.setBold(true);
    m_summary->setFont(bold);

    m_table = new QTableView(this);
    m_table->setModel(m_proxy);
    m_table->setSortingEnabled(true);
    m_table->sortByColumn(ComparisonModel::DeltaPercentColumn, Qt::DescendingOrder);
    m_table->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_table->verticalHeader()->setVisible(false);
    m_table->horizontalHeader()->setSectionResizeMode(QHeaderView::ResizeToContents);
    m_table->horizontalHeader()->setSectionResizeMode(ComparisonModel::ConfigColumn,
                                                      QHeaderView::Stretch);
    m_table->verticalHeader()->setSectionResizeMode(QHeaderView::ResizeToContents);
    m_table->setAlternatingRowColors(true);

    auto* layout = new QVBoxLayout(this);
    layout->addWidget(m_names);
    layout->addWidget(m_summary);
    layout->addWidget(m_table, 1);

    connect(m_model, &QAbstractItemModel::modelReset, this, &ComparisonView::updateSummary);
    updateSummary();
}

void ComparisonView::setBaseline(const aiotune::ResultSet& results, const QString& name) {
    m_model->setBaseline(results, name);
}

void ComparisonView::setOther(const aiotune::ResultSet& results, const QString& name) {
    m_model->setOther(results, name);
}

QString ComparisonView::summaryText() const {
    return m_summary->text();
}

void ComparisonView::updateSummary() {
    const QString a = m_model->baselineName().isEmpty() ? tr("(none)") : m_model->baselineName();
    const QString b = m_model->otherName().isEmpty() ? tr("(none)") : m_model->otherName();
    m_names->setText(tr("A: %1\nB: %2").arg(a, b));
    m_summary->setText(m_model->summary());
}
