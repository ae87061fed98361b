#include "settings/app_settings.h"

#include "util/trusted_path.h"

#include <QCoreApplication>
#include <QDir>
#include <QStandardPaths>
#include <QFile>
#include <QFileInfo>

#include <sys/stat.h>
#include <unistd.h>

namespace {
const char kRecent[] = "recent/folders";
const char kLastSpec[] = "sweep/lastSpec";
const char kLastPreset[] = "sweep/lastPreset";
const char kExtraFolders[] = "drives/extraFolders";
const char kCheckedFolders[] = "drives/checkedFolders";
const char kGeometry[] = "window/geometry";
const char kState[] = "window/state";
const char kTheme[] = "view/theme";
const char kCheckModel[] = "check/modelSize";
const char kCheckNodes[] = "check/nodes";
} // namespace

AppSettings::AppSettings() {
    // Where QSettings keeps the user's settings on Linux, worked out without
    // a QSettings: constructing one reads the file (a FIFO there hung the
    // window before it appeared).
    const QString app = QCoreApplication::applicationName().isEmpty() ? QStringLiteral("aiotune")
                                                                     : QCoreApplication::applicationName();
    const QString org = QCoreApplication::organizationName().isEmpty() ? app : QCoreApplication::organizationName();
    useFile(QStandardPaths::writableLocation(QStandardPaths::GenericConfigLocation) + "/" + org + "/" + app + ".conf",
            QSettings::IniFormat);
}

AppSettings::AppSettings(const QString& iniPath) {
    useFile(iniPath, QSettings::IniFormat);
}

QString AppSettings::fileProblem(const QString& path) {
    // A few KiB in practice; a file this large is not aiotune's, and reading
    // it would stall the window's start.
    constexpr qint64 kMaxBytes = 4 << 20;
    if (auto trusted = aiotune::resolveTrustedPath(path.toStdString()); !trusted)
        return QString::fromStdString(trusted.error());
    struct stat st {};
    if (::stat(QFile::encodeName(path).constData(), &st) != 0) return {}; // made on the first save
    if (!S_ISREG(st.st_mode))
        return QStringLiteral("%1 is not a regular file (a device, FIFO or folder, or a link to one)").arg(path);
    if (st.st_size > kMaxBytes)
        return QStringLiteral("%1 is %2 MiB, far more than aiotune's settings").arg(path).arg(st.st_size >> 20);
    return {};
}

QString AppSettings::saveProblem() const {
    if (m_detached) return {};
    if (m_settings->status() == QSettings::AccessError)
        return QStringLiteral("%1 could not be written").arg(m_settings->fileName());
    // The file, or the nearest folder that exists on the way to it.
    QString path = m_settings->fileName();
    while (!path.isEmpty() && !QFileInfo::exists(path)) {
        const QString parent = QFileInfo(path).path();
        if (parent == path) break;
        path = parent;
    }
    if (!path.isEmpty() && ::access(QFile::encodeName(path).constData(), W_OK) != 0)
        return QStringLiteral("%1 is not writable").arg(path);
    return {};
}

void AppSettings::useFile(const QString& path, QSettings::Format format) {
    m_problem = fileProblem(path);
    if (m_problem.isEmpty()) {
        m_settings = std::make_unique<QSettings>(path, format);
        return;
    }
    // Settings for this run only, in a private folder removed at exit.
    m_detached = std::make_unique<QTemporaryDir>();
    m_settings = std::make_unique<QSettings>(m_detached->filePath(QStringLiteral("aiotune.conf")),
                                             QSettings::IniFormat);
}

QStringList AppSettings::recentFolders() const {
    // A hand-edited list of millions froze the menu's construction.
    return m_settings->value(kRecent).toStringList().mid(0, kMaxRecent);
}

void AppSettings::addRecentFolder(const QString& folder) {
    const QString clean = QDir::cleanPath(folder);
    QStringList list = recentFolders();
    list.removeAll(clean);
    list.prepend(clean);
    while (list.size() > kMaxRecent)
        list.removeLast();
    m_settings->setValue(kRecent, list);
}

void AppSettings::removeRecentFolder(const QString& folder) {
    QStringList list = recentFolders();
    list.removeAll(QDir::cleanPath(folder));
    m_settings->setValue(kRecent, list);
}

QString AppSettings::lastSpecJson() const {
    return m_settings->value(kLastSpec).toString();
}
void AppSettings::setLastSpecJson(const QString& json) {
    m_settings->setValue(kLastSpec, json);
}
QString AppSettings::lastPresetName() const {
    return m_settings->value(kLastPreset).toString();
}
void AppSettings::setLastPresetName(const QString& name) {
    m_settings->setValue(kLastPreset, name);
}

QStringList AppSettings::extraFolders() const {
    return m_settings->value(kExtraFolders).toStringList();
}
void AppSettings::setExtraFolders(const QStringList& folders) {
    m_settings->setValue(kExtraFolders, folders);
}
QStringList AppSettings::checkedFolders() const {
    return m_settings->value(kCheckedFolders).toStringList();
}
void AppSettings::setCheckedFolders(const QStringList& folders) {
    m_settings->setValue(kCheckedFolders, folders);
}
bool AppSettings::hasCheckedFolders() const {
    return m_settings->contains(kCheckedFolders);
}

QString AppSettings::theme() const {
    return m_settings->value(kTheme, QStringLiteral("system")).toString();
}
void AppSettings::setTheme(const QString& name) {
    m_settings->setValue(kTheme, name);
}

QString AppSettings::checkModelSize() const {
    return m_settings->value(kCheckModel).toString();
}
int AppSettings::checkNodes() const {
    bool ok = false;
    const int n = m_settings->value(kCheckNodes, 1).toInt(&ok);
    return ok && n >= 1 ? n : 1;
}
void AppSettings::setCheckModelSize(const QString& parameters, int nodes) {
    m_settings->setValue(kCheckModel, parameters);
    m_settings->setValue(kCheckNodes, nodes);
}

QByteArray AppSettings::windowGeometry() const {
    return m_settings->value(kGeometry).toByteArray();
}
void AppSettings::setWindowGeometry(const QByteArray& geometry) {
    m_settings->setValue(kGeometry, geometry);
}
QByteArray AppSettings::windowState() const {
    return m_settings->value(kState).toByteArray();
}
void AppSettings::setWindowState(const QByteArray& state) {
    m_settings->setValue(kState, state);
}

QByteArray AppSettings::splitterState(const QString& name) const {
    return m_settings->value(QStringLiteral("window/splitter_") + name).toByteArray();
}
void AppSettings::setSplitterState(const QString& name, const QByteArray& state) {
    m_settings->setValue(QStringLiteral("window/splitter_") + name, state);
}

void AppSettings::sync() {
    m_settings->sync();
}
