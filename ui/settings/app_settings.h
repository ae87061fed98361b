#pragma once
// What aiotune remembers between runs, in one place: recent folders, the last
// sweep ranges and folders, window layout. Wraps a QSettings the caller
// chooses so tests use a temporary ini file instead of the user's settings.
#include <QByteArray>
#include <QSettings>
#include <QString>
#include <QStringList>
#include <QTemporaryDir>

#include <memory>

class AppSettings {
  public:
    static constexpr int kMaxRecent = 8;

    // The user's settings (organization / application names of the app).
    AppSettings();
    // An ini file at `iniPath` (tests, portable setups).
    explicit AppSettings(const QString& iniPath);

    QStringList recentFolders() const;
    // Moves `folder` to the front, dropping duplicates and anything past kMaxRecent.
    void addRecentFolder(const QString& folder);
    void removeRecentFolder(const QString& folder);

    // The ranges as SweepSpec::toJson text (folders excluded); empty when never saved.
    QString lastSpecJson() const;
    void setLastSpecJson(const QString& json);
    QString lastPresetName() const;
    void setLastPresetName(const QString& name);

    // Folders the user added beyond the discovered mounts, and those checked.
    QStringList extraFolders() const;
    void setExtraFolders(const QStringList& folders);
    QStringList checkedFolders() const;
    void setCheckedFolders(const QStringList& folders);
    bool hasCheckedFolders() const; // false on a fresh start

    // View > Theme: "system", "light" or "dark" (see settings/theme.h).
    QString theme() const;
    void setTheme(const QString& name);

    // The Check dialog's model size ("7B"; empty: none) and nodes, last used.
    QString checkModelSize() const;
    int checkNodes() const; // 1 when never set or unreadable
    void setCheckModelSize(const QString& parameters, int nodes);

    QByteArray windowGeometry() const;
    void setWindowGeometry(const QByteArray& geometry);
    QByteArray windowState() const;
    void setWindowState(const QByteArray& state);
    QByteArray splitterState(const QString& name) const;
    void setSplitterState(const QString& name, const QByteArray& state);

    void sync();
    QSettings& raw() { return *m_settings; }

    // Why the settings file is not used this run (then nothing is read from
    // it or written to it, and settings last until the window closes); empty
    // when it is. Saving settings used to write through a link to a device:
    // root's window replaced /dev/zero with its settings.
    QString problem() const { return m_problem; }
    // Why settings read from the file cannot be saved back (a read-only
    // file or folder); empty when they can, or when the file is not used.
    QString saveProblem() const;
    // The same judgement for any path: another user's link on the way, not a
    // regular file, or too large to be aiotune's settings.
    static QString fileProblem(const QString& path);

  private:
    void useFile(const QString& path, QSettings::Format format);

    std::unique_ptr<QSettings> m_settings;
    QString m_problem;
    std::unique_ptr<QTemporaryDir> m_detached; // holds the settings of this run when the file is not used
};
