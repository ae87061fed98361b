#include "results/comparison_view.h"

#include "results/comparison_model.h"

#include <QComboBox>
#include <QDir>
#include <QFileDialog>
#include <QFileInfo>
#include <QGridLayout>
#include <QHeaderView>
#include <QLabel>
#include <QPushButton>
#include <QSortFilterProxyModel>
#include <QTableView>
#include <QVBoxLayout>

ComparisonView::ComparisonView(QWidget* parent) : QWidget(parent) {
    m_model = new ComparisonModel(this);
    m_proxy = new QSortFilterProxyModel(this);
    m_proxy->setSourceModel(m_model);
    m_proxy->setSortRole(ComparisonModel::SortRole);

    m_chooser = [this] {
        return QFileDialog::getExistingDirectory(this, tr("Sweep folder to compare"),
                                                 QDir::homePath());
    };
    auto* pickers = new QGridLayout;
    m_pickA = new QComboBox(this);
    m_pickA->setObjectName(QStringLiteral("comparePickA"));
    m_pickB = new QComboBox(this);
    m_pickB->setObjectName(QStringLiteral("comparePickB"));
    int row = 0;
    for (auto [label, picker] : {std::pair{tr("&A (baseline):"), m_pickA},
                                 std::pair{tr("&B (compared):"), m_pickB}}) {
        picker->setSizeAdjustPolicy(QComboBox::AdjustToMinimumContentsLengthWithIcon);
        picker->setMinimumContentsLength(12);
        auto* l = new QLabel(label, this);
        l->setBuddy(picker);
        auto* browseButton = new QPushButton(tr("Browse…"), this);
        connect(browseButton, &QPushButton::clicked, this, [this, p = picker] { browse(p); });
        connect(picker, &QComboBox::currentIndexChanged, this, &ComparisonView::updateCompareButton);
        pickers->addWidget(l, row, 0);
        pickers->addWidget(picker, row, 1);
        pickers->addWidget(browseButton, row, 2);
        ++row;
    }
    m_compare = new QPushButton(tr("Compare"), this);
    m_compare->setObjectName(QStringLiteral("compareButton"));
    pickers->addWidget(m_compare, 0, 3, 2, 1);
    pickers->setColumnStretch(1, 1);
    auto* deltaNote = new QLabel(
        tr("Δ = B − A: positive when B is faster. Rows are configurations measured in either."),
        this);
    deltaNote->setWordWrap(true);
    connect(m_compare, &QPushButton::clicked, this,
            [this] { emit compareRequested(pickedA(), pickedB()); });

    m_names = new QLabel(this);
    m_names->setWordWrap(true);
    m_names->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_summary = new QLabel(this);
    m_summary->setWordWrap(true);
    m_summary->setObjectName(QStringLiteral("compareSummary"));
    // Before the verdict, so "B is 70% faster" is never read without it.
    m_warning = new QLabel(this);
    m_warning->setObjectName(QStringLiteral("compareWarning"));
    m_warning->setWordWrap(true);
    m_warning->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_warning->setStyleSheet(QStringLiteral("QLabel { color: #d73a49; font-weight: bold; }"));
    m_warning->hide();
    QFont bold = m_summary->font();
    bold.setBold(true);
    m_summary->setFont(bold);

    m_table = new QTableView(this);
    m_table->setModel(m_proxy);
    m_table->setSortingEnabled(true);
    m_table->sortByColumn(ComparisonModel::DeltaPercentColumn, Qt::DescendingOrder);
    m_table->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_table->horizontalHeader()->setSectionResizeMode(QHeaderView::ResizeToContents);
    // The configuration is the vertical header: it stays while the figures scroll.
    m_table->setColumnHidden(ComparisonModel::ConfigColumn, true);
    m_table->verticalHeader()->setVisible(true);
    m_table->verticalHeader()->setSectionResizeMode(QHeaderView::ResizeToContents);
    m_table->setAlternatingRowColors(true);

    auto* layout = new QVBoxLayout(this);
    layout->addLayout(pickers);
    layout->addWidget(deltaNote);
    layout->addWidget(m_names);
    layout->addWidget(m_warning);
    layout->addWidget(m_summary);
    layout->addWidget(m_table, 1);

    connect(m_model, &QAbstractItemModel::modelReset, this, &ComparisonView::updateSummary);
    updateSummary();
    updateCompareButton();
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
    const QString warning = m_model->comparabilityWarning();
    m_warning->setText(QStringLiteral("⚠ ") + warning);
    m_warning->setVisible(!warning.isEmpty());
}

void ComparisonView::setSources(bool haveCurrent, const QStringList& recentFolders) {
    const QString a = pickedA(), b = pickedB();
    m_haveCurrent = haveCurrent;
    for (QComboBox* picker : {m_pickA, m_pickB}) {
        QStringList browsed; // folders browsed to stay on offer
        for (int i = 0; i < picker->count(); ++i)
            if (picker->itemData(i, Qt::UserRole + 1).toBool())
                browsed << picker->itemData(i).toString();
        picker->blockSignals(true);
        picker->clear();
        if (haveCurrent) picker->addItem(tr("Current results"), QString());
        for (const QString& f : recentFolders + browsed)
            if (picker->findData(f) < 0) {
                picker->addItem(QFileInfo(f).fileName().isEmpty() ? f : QFileInfo(f).fileName(), f);
                picker->setItemData(picker->count() - 1, f, Qt::ToolTipRole);
                if (browsed.contains(f)) picker->setItemData(picker->count() - 1, true, Qt::UserRole + 1);
            }
        picker->blockSignals(false);
    }
    // Keep the sides picked; by default the current results against the latest other folder.
    setPicked(a, b);
    if (m_pickB->currentIndex() < 0 || pickedA() == pickedB())
        m_pickB->setCurrentIndex(std::min(1, m_pickB->count() - 1));
    updateCompareButton();
}

void ComparisonView::setPicked(const QString& a, const QString& b) {
    for (auto [picker, want] : {std::pair{m_pickA, a}, std::pair{m_pickB, b}}) {
        // A folder compared from File > Compare is not among the recent ones yet:
        // offered as a browsed one, so the picker names what is shown.
        if (!want.isEmpty() && picker->findData(want) < 0) {
            picker->addItem(QFileInfo(want).fileName().isEmpty() ? want : QFileInfo(want).fileName(), want);
            picker->setItemData(picker->count() - 1, want, Qt::ToolTipRole);
            picker->setItemData(picker->count() - 1, true, Qt::UserRole + 1);
        }
        const int i = picker->findData(want);
        if (i >= 0) picker->setCurrentIndex(i);
        else if (picker->currentIndex() < 0 && picker->count() > 0) picker->setCurrentIndex(0);
    }
    updateCompareButton();
}

QString ComparisonView::pickedA() const {
    return m_pickA->currentData().toString();
}

QString ComparisonView::pickedB() const {
    return m_pickB->currentData().toString();
}

void ComparisonView::browse(QComboBox* picker) {
    const QString folder = m_chooser ? m_chooser() : QString();
    if (folder.isEmpty()) return;
    int i = picker->findData(folder);
    if (i < 0) {
        picker->addItem(QFileInfo(folder).fileName().isEmpty() ? folder : QFileInfo(folder).fileName(),
                        folder);
        i = picker->count() - 1;
        picker->setItemData(i, folder, Qt::ToolTipRole);
        picker->setItemData(i, true, Qt::UserRole + 1);
    }
    picker->setCurrentIndex(i);
}

void ComparisonView::updateCompareButton() {
    const bool ok = m_pickA->currentIndex() >= 0 && m_pickB->currentIndex() >= 0 &&
                    pickedA() != pickedB();
    m_compare->setEnabled(ok);
    m_compare->setToolTip(ok ? tr("Read both and show B against A")
                             : tr("Pick two different sources"));
}
