#include "main/sweep_pane.h"

#include "panels/drives_panel.h"
#include "panels/ranges_panel.h"

#include <QHBoxLayout>
#include <QLabel>
#include <QPushButton>
#include <QScrollArea>
#include <QSplitter>
#include <QStyle>
#include <QVBoxLayout>

SweepPane::SweepPane(const aiotune::DiscoveryOptions& discovery, JobTracker* jobs, QWidget* parent)
    : QWidget(parent) {
    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    m_splitter = new QSplitter(Qt::Vertical, this);
    m_splitter->setObjectName(QStringLiteral("leftSplitter"));
    m_splitter->setChildrenCollapsible(false);

    auto* drivesBox = new QWidget(m_splitter);
    auto* drivesLayout = new QVBoxLayout(drivesBox);
    drivesLayout->setContentsMargins(0, 0, 0, 0);
    auto* drivesTitle = new QLabel(tr("<b>Drives</b> — tick the folders to test"), drivesBox);
    m_drives = new DrivesPanel(drivesBox);
    m_drives->setDiscoveryOptions(discovery);
    m_drives->setJobTracker(jobs);
    drivesLayout->addWidget(drivesTitle);
    drivesLayout->addWidget(m_drives, 1);

    auto* rangesBox = new QWidget(m_splitter);
    auto* rangesLayout = new QVBoxLayout(rangesBox);
    rangesLayout->setContentsMargins(0, 4, 0, 0);
    m_rangesTitle = new QLabel(rangesBox);
    m_rangesTitle->setWordWrap(true); // the pane may be narrow: wrap, never widen it
    m_ranges = new RangesPanel;
    m_ranges->setJobTracker(jobs);
    // Scrolls rather than pushing Start and the status bar below a short screen.
    auto* rangesScroll = new QScrollArea(rangesBox);
    rangesScroll->setObjectName(QStringLiteral("rangesScroll"));
    rangesScroll->setWidget(m_ranges);
    rangesScroll->setWidgetResizable(true);
    rangesScroll->setFrameShape(QFrame::NoFrame);
    rangesScroll->setHorizontalScrollBarPolicy(Qt::ScrollBarAsNeeded);
    rangesLayout->addWidget(m_rangesTitle);
    rangesLayout->addWidget(rangesScroll, 1);
    m_splitter->addWidget(drivesBox);
    m_splitter->addWidget(rangesBox);
    m_splitter->setStretchFactor(0, 1);
    m_splitter->setStretchFactor(1, 2);
    m_splitter->setSizes({230, 470});
    layout->addWidget(m_splitter, 1);

    auto* buttons = new QHBoxLayout;
    m_start = new QPushButton(tr("Start sweep"), this);
    m_start->setObjectName(QStringLiteral("startButton"));
    m_start->setIcon(style()->standardIcon(QStyle::SP_MediaPlay));
    m_start->setDefault(true);
    m_cancel = new QPushButton(tr("Cancel"), this);
    m_cancel->setObjectName(QStringLiteral("cancelButton"));
    m_cancel->setIcon(style()->standardIcon(QStyle::SP_MediaStop));
    buttons->addWidget(m_start, 1);
    buttons->addWidget(m_cancel);
    layout->addLayout(buttons);
    setMinimumWidth(320);

    connect(m_drives, &DrivesPanel::selectionChanged, m_ranges, &RangesPanel::setFolders);
    connect(m_start, &QPushButton::clicked, this, &SweepPane::startRequested);
    connect(m_cancel, &QPushButton::clicked, this, &SweepPane::cancelRequested);
    setAdaptive(true);
    setRunning(false);
}

void SweepPane::setAdaptive(bool adaptive) {
    m_rangesTitle->setText(adaptive
                               ? tr("<b>Ranges</b> — the search measures what could be the best")
                               : tr("<b>Ranges</b> — every combination is measured, Loops times"));
    m_ranges->setAdaptive(adaptive);
}

void SweepPane::setRunning(bool running) {
    m_start->setEnabled(!running);
    m_cancel->setEnabled(running);
    m_drives->setEnabled(!running);
    m_ranges->setEnabled(!running);
}
