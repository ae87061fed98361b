#include "panels/drives_panel.h"

#include "util/byte_size.h"

#include <QDir>
#include <QFileDialog>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QPushButton>
#include <QStandardPaths>
#include <QTableWidget>
#include <QVBoxLayout>
#include <QtConcurrent/QtConcurrentRun>

namespace {

QString human(std::optional<std::uint64_t> bytes) {
    return bytes ? QString::fromStdString(aiotune::formatByteSizeHuman(*bytes))
                 : QStringLiteral("–");
}

QString clean(const QString& path) {
    return QDir::cleanPath(path);
}

// "~/.cache/aiotune/scratch": shorter in a narrow column; the tooltip keeps the full path.
QString shown(const QString& path) {
    const QString home = QDir::homePath();
    if (home.size() > 1 && (path == home || path.startsWith(home + QLatin1Char('/'))))
        return QLatin1Char('~') + path.mid(home.size());
    return path;
}

} // namespace

DrivesPanel::DrivesPanel(QWidget* parent) : QWidget(parent) {
    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    m_table = new QTableWidget(0, ColumnCount, this);
    m_table->setObjectName(QStringLiteral("drivesTable"));
    m_table->setHorizontalHeaderLabels({tr("Folder"), tr("Drive"), tr("Size"), tr("Filesystem"),
                                        tr("Free"), tr("NVMe"), tr("NUMA")});
    m_table->verticalHeader()->hide();
    m_table->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_table->setSelectionMode(QAbstractItemView::SingleSelection);
    m_table->setEditTriggers(QAbstractItemView::NoEditTriggers);
    m_table->setAlternatingRowColors(true);
    m_table->horizontalHeader()->setSectionResizeMode(QHeaderView::ResizeToContents);
    m_table->horizontalHeader()->setSectionResizeMode(FolderColumn, QHeaderView::Stretch);
    m_table->setWordWrap(false);
    m_table->setTextElideMode(Qt::ElideMiddle); // the end of a path says most
    m_table->verticalHeader()->setDefaultSectionSize(m_table->fontMetrics().height() + 8);
    layout->addWidget(m_table, 1);

    auto* buttons = new QHBoxLayout;
    m_add = new QPushButton(tr("Add folder…"), this);
    m_add->setObjectName(QStringLiteral("addFolderButton"));
    m_add->setToolTip(
        tr("Test a folder of your choice (a writable directory on the drive to tune)"));
    m_refresh = new QPushButton(tr("Rescan"), this);
    m_refresh->setToolTip(tr("Discover drives and mounts again"));
    m_status = new QLabel(this);
    m_status->setTextInteractionFlags(Qt::TextSelectableByMouse);
    buttons->addWidget(m_add);
    buttons->addWidget(m_refresh);
    buttons->addWidget(m_status, 1);
    layout->addLayout(buttons);

    connect(m_add, &QPushButton::clicked, this, &DrivesPanel::chooseAndAddFolder);
    connect(m_refresh, &QPushButton::clicked, this, &DrivesPanel::refresh);
    connect(m_table, &QTableWidget::itemChanged, this, &DrivesPanel::onItemChanged);

    m_jobs = new JobTracker(this);
}

DrivesPanel::~DrivesPanel() = default;

void DrivesPanel::setJobTracker(JobTracker* jobs) {
    m_jobs = jobs;
}

void DrivesPanel::setDiscoveryOptions(const aiotune::DiscoveryOptions& options) {
    m_options = options;
}

void DrivesPanel::refresh() {
    if (isRefreshing()) return;
    m_status->setText(tr("Looking for drives…"));
    m_refresh->setEnabled(false);
    const aiotune::DiscoveryOptions options = m_options;
    m_jobs->run(
        JobTracker::Kind::Discovery, this,
        [options] { return aiotune::DeviceDiscovery(options).discover(); },
        [this](aiotune::Result<aiotune::DiscoveryReport> result) {
            onDiscovered(std::move(result));
        });
}

bool DrivesPanel::isRefreshing() const {
    return m_jobs->isRunning(JobTracker::Kind::Discovery);
}

void DrivesPanel::onDiscovered(aiotune::Result<aiotune::DiscoveryReport> result) {
    m_refresh->setEnabled(true);
    if (!result) {
        m_status->setText(tr("No drives found"));
        emit message(tr("Could not list drives: %1").arg(QString::fromStdString(result.error())),
                     true);
    } else {
        m_report = std::move(result).value();
        for (const auto& w : m_report->warnings)
            emit message(QString::fromStdString(w), false);
    }

    // Keep the user's folders and ticks; replace the drive rows.
    QStringList checked = checkedFolders();
    checked.append(m_wantChecked);
    m_wantChecked.clear();
    std::vector<Row> rows;
    for (const auto& r : m_rows)
        if (r.extra) rows.push_back(rowForTarget(inspect(r.folder)));
    if (m_report) {
        for (const auto& dev : m_report->devices) {
            Row base;
            base.drive = QString::fromStdString(dev.name);
            if (!dev.model.empty())
                base.drive += QStringLiteral(" (%1)").arg(QString::fromStdString(dev.model));
            base.size = human(dev.sizeBytes);
            base.nvme = dev.nvme ? tr("yes") : tr("no");
            base.numa = dev.numaNode && *dev.numaNode >= 0 ? QString::number(*dev.numaNode)
                                                           : QStringLiteral("–");
            base.tooltip =
                tr("%1\nserial %2, firmware %3, scheduler %4")
                    .arg(base.drive, QString::fromStdString(dev.serial.empty() ? "–" : dev.serial),
                         QString::fromStdString(dev.firmware.empty() ? "–" : dev.firmware),
                         QString::fromStdString(dev.scheduler.empty() ? "–" : dev.scheduler));
            if (dev.mounts.empty()) {
                Row r = base;
                r.fs = tr("not mounted");
                r.free = QStringLiteral("–");
                rows.push_back(r);
                continue;
            }
            for (const auto& m : dev.mounts) {
                Row r = base;
                r.folder = QString::fromStdString(m.path);
                r.fs =
                    QString::fromStdString(m.fstype) + (m.readOnly ? tr(", read-only") : QString());
                r.free = human(m.freeBytes);
                rows.push_back(r);
            }
        }
    }
    // Folders shown twice (an added folder that is also a mount point) keep the mount row.
    std::vector<Row> unique;
    for (auto& r : rows) {
        bool dup = false;
        for (const auto& u : unique)
            dup = dup || (!r.folder.isEmpty() && clean(u.folder) == clean(r.folder));
        if (!dup) unique.push_back(r);
    }
    m_rows = std::move(unique);
    m_status->setText(m_report
                          ? tr("%n drive(s)", nullptr, static_cast<int>(m_report->devices.size()))
                          : QString());
    rebuild();
    // Re-tick; a mount that cannot take a scratch file stays unticked with its reason.
    for (const QString& f : checked) {
        const int row = rowOf(f);
        if (row >= 0 && !m_rows[static_cast<std::size_t>(row)].checked)
            addFolder(f, true);
        else if (row < 0)
            addFolder(f, true);
    }
    emit discovered();
    emit selectionChanged(checkedFolders());
}

aiotune::FolderTarget DrivesPanel::inspect(const QString& path) const {
    if (m_report) return aiotune::inspectFolder(path.toStdString(), *m_report, m_options.fsSpace);
    return aiotune::inspectFolder(path.toStdString(), m_options);
}

const aiotune::BlockDevice* DrivesPanel::deviceNamed(const std::string& disk) const {
    if (!m_report) return nullptr;
    for (const auto& d : m_report->devices)
        if (d.name == disk) return &d;
    return nullptr;
}

DrivesPanel::Row DrivesPanel::rowForTarget(const aiotune::FolderTarget& t) const {
    Row r;
    r.folder = QString::fromStdString(t.path);
    r.extra = true;
    const auto* dev = deviceNamed(t.disk);
    r.drive = QString::fromStdString(t.disk.empty() ? t.device : t.disk);
    if (dev && !dev->model.empty())
        r.drive += QStringLiteral(" (%1)").arg(QString::fromStdString(dev->model));
    if (r.drive.isEmpty()) r.drive = QStringLiteral("–");
    r.size = dev ? human(dev->sizeBytes) : QStringLiteral("–");
    r.fs = t.fstype.empty() ? QStringLiteral("–") : QString::fromStdString(t.fstype);
    r.free = human(t.freeBytes);
    r.nvme = t.nvme ? tr("yes") : tr("no");
    r.numa = dev && dev->numaNode && *dev->numaNode >= 0 ? QString::number(*dev->numaNode)
                                                         : QStringLiteral("–");
    r.tooltip = tr("%1\non %2 (mounted at %3)")
                    .arg(QString::fromStdString(t.resolvedPath), r.drive,
                         QString::fromStdString(t.mountPoint));
    for (const auto& w : t.warnings)
        r.tooltip += QLatin1Char('\n') + QString::fromStdString(w);
    return r;
}

void DrivesPanel::rebuild() {
    m_rebuilding = true;
    m_table->setRowCount(static_cast<int>(m_rows.size()));
    for (int i = 0; i < static_cast<int>(m_rows.size()); ++i) {
        const Row& r = m_rows[static_cast<std::size_t>(i)];
        const QStringList cells{r.folder.isEmpty() ? tr("(nothing mounted)") : shown(r.folder),
                                r.drive,
                                r.size,
                                r.fs,
                                r.free,
                                r.nvme,
                                r.numa};
        for (int c = 0; c < ColumnCount; ++c) {
            auto* item = new QTableWidgetItem(cells[c]);
            Qt::ItemFlags flags = Qt::ItemIsEnabled | Qt::ItemIsSelectable;
            if (c == FolderColumn && !r.folder.isEmpty()) {
                flags |= Qt::ItemIsUserCheckable;
                item->setCheckState(r.checked ? Qt::Checked : Qt::Unchecked);
            }
            if (r.folder.isEmpty()) flags &= ~Qt::ItemIsEnabled;
            item->setFlags(flags);
            item->setToolTip(c == FolderColumn && !r.folder.isEmpty()
                                 ? r.folder + QLatin1Char('\n') + r.tooltip
                                 : r.tooltip);
            if (c >= SizeColumn && c != FsColumn)
                item->setTextAlignment(Qt::AlignRight | Qt::AlignVCenter);
            m_table->setItem(i, c, item);
        }
    }
    m_rebuilding = false;
}

int DrivesPanel::rowOf(const QString& folder) const {
    const QString want = clean(folder);
    for (std::size_t i = 0; i < m_rows.size(); ++i)
        if (!m_rows[i].folder.isEmpty() && clean(m_rows[i].folder) == want)
            return static_cast<int>(i);
    return -1;
}

bool DrivesPanel::addFolder(const QString& path, bool checked, QString* reason) {
    const aiotune::FolderTarget t = inspect(path);
    if (!t.usable()) {
        const QString why = QString::fromStdString(t.problem);
        if (reason) *reason = why;
        emit message(tr("Cannot use %1: %2").arg(path, why), true);
        const int row = rowOf(path);
        if (row >= 0) { // the box may show a tick the user just clicked
            m_rows[static_cast<std::size_t>(row)].checked = false;
            rebuild();
            emit selectionChanged(checkedFolders());
        }
        return false;
    }
    for (const auto& w : t.warnings) {
        // Re-adding a folder (a tick, a rescan) must not repeat what was said.
        // Most warnings name the folder already; say it once.
        const QString warning = QString::fromStdString(w);
        const QString text = warning.contains(path) ? warning : tr("%1: %2").arg(path, warning);
        if (m_warned.contains(text)) continue;
        m_warned.insert(text);
        emit message(text, false);
    }
    int row = rowOf(path);
    if (row < 0) {
        // The user's folders go on top, in the order added.
        std::size_t at = 0;
        while (at < m_rows.size() && m_rows[at].extra)
            ++at;
        Row r = rowForTarget(t);
        r.folder = clean(path);
        m_rows.insert(m_rows.begin() + static_cast<std::ptrdiff_t>(at), r);
        row = static_cast<int>(at);
    }
    m_rows[static_cast<std::size_t>(row)].checked = checked;
    rebuild();
    emit selectionChanged(checkedFolders());
    return true;
}

void DrivesPanel::setCheckedFolders(const QStringList& folders) {
    for (auto& r : m_rows)
        r.checked = false;
    rebuild();
    if (isRefreshing()) {
        m_wantChecked = folders; // ticked when discovery ends
        return;
    }
    for (const QString& f : folders)
        addFolder(f, true);
    emit selectionChanged(checkedFolders());
}

QStringList DrivesPanel::checkedFolders() const {
    QStringList out;
    for (const auto& r : m_rows)
        if (r.checked && !r.folder.isEmpty()) out << r.folder;
    return out;
}

QStringList DrivesPanel::extraFolders() const {
    QStringList out;
    for (const auto& r : m_rows)
        if (r.extra) out << r.folder;
    return out;
}

void DrivesPanel::onItemChanged(QTableWidgetItem* item) {
    if (m_rebuilding || item->column() != FolderColumn) return;
    const int row = item->row();
    if (row < 0 || row >= static_cast<int>(m_rows.size())) return;
    Row& r = m_rows[static_cast<std::size_t>(row)];
    const bool want = item->checkState() == Qt::Checked;
    if (want == r.checked) return;
    if (!want) {
        r.checked = false;
        emit selectionChanged(checkedFolders());
        return;
    }
    // Deferred: addFolder rebuilds the table, which must not happen inside itemChanged.
    const QString folder = r.folder;
    QMetaObject::invokeMethod(
        this, [this, folder] { addFolder(folder, true); }, Qt::QueuedConnection);
}

void DrivesPanel::chooseAndAddFolder() {
    const QString path =
        m_chooser ? m_chooser()
                  : QFileDialog::getExistingDirectory(this, tr("Folder to test"), QDir::homePath());
    if (!path.isEmpty()) addFolder(path, true);
}

QString DrivesPanel::driveOf(const QString& folder) const {
    const int row = rowOf(folder);
    if (row < 0) return {};
    const aiotune::FolderTarget t = inspect(m_rows[static_cast<std::size_t>(row)].folder);
    return QString::fromStdString(t.disk.empty() ? t.device : t.disk);
}

QString DrivesPanel::defaultScratchFolder() {
    // The generic cache root plus our name: ~/.cache/aiotune/scratch, not
    // ~/.cache/<organization>/<application>/.
    const QString base = QStandardPaths::writableLocation(QStandardPaths::GenericCacheLocation);
    if (base.isEmpty()) return {};
    const QString folder = base + QStringLiteral("/aiotune/scratch");
    if (!QDir().mkpath(folder)) return {};
    return folder;
}
