#pragma once
// Test-only helpers for making the machine fight back: small tmpfs/ramfs
// mounts that are always unmounted, filling a filesystem to the last page,
// listing a folder with hidden files, and running a check in a forked child
// whose findings come back over a pipe. Header-only so the tests that use it
// need no CMake change.
#include <QDir>
#include <QString>
#include <QStringList>
#include <QTemporaryDir>

#include <atomic>
#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <functional>
#include <poll.h>
#include <string>
#include <sys/fanotify.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <thread>
#include <unistd.h>

namespace aiotune::testing {

inline bool contains(const std::string& text, const std::string& part) {
    return text.find(part) != std::string::npos;
}

// Fails with both texts shown when an error message lacks what it must name.
#define VERIFY_CONTAINS(text, part)                                                                \
    QVERIFY2(aiotune::testing::contains((text), (part)),                                           \
             qPrintable(QStringLiteral("\"%1\" does not mention \"%2\"")                           \
                            .arg(QString::fromStdString(text), QString::fromStdString(part))))

inline bool runningAsRoot() {
    return ::geteuid() == 0;
}

// Every entry of folder, hidden ones included, sorted.
inline QStringList entriesOf(const QString& folder) {
    return QDir(folder).entryList(
        QDir::AllEntries | QDir::NoDotAndDotDot | QDir::Hidden | QDir::System, QDir::Name);
}

// A filesystem mounted on a fresh temporary folder for the lifetime of the
// object. The destructor unmounts lazily (MNT_DETACH) so a test that fails
// while something still holds the mount never leaves it behind.
class ScopedMount {
  public:
    // type "tmpfs" or "ramfs"; options like "size=8m". error() explains a failure.
    ScopedMount(const char* type, const QString& options) {
        if (!m_dir.isValid()) {
            m_error = "cannot create a temporary folder to mount on";
            return;
        }
        const QByteArray opts = options.toUtf8();
        if (::mount(type, m_dir.path().toLocal8Bit().constData(), type, MS_NOSUID | MS_NODEV,
                    opts.isEmpty() ? nullptr : opts.constData()) != 0) {
            m_error =
                QStringLiteral("mount -t %1 -o %2 %3: %4")
                    .arg(type, options, m_dir.path(), QString::fromLocal8Bit(std::strerror(errno)));
            return;
        }
        m_mounted = true;
    }
    ~ScopedMount() {
        if (!m_mounted) return;
        const QByteArray p = m_dir.path().toLocal8Bit();
        if (::umount2(p.constData(), 0) != 0) ::umount2(p.constData(), MNT_DETACH);
    }
    ScopedMount(const ScopedMount&) = delete;
    ScopedMount& operator=(const ScopedMount&) = delete;

    bool ok() const { return m_mounted; }
    QString error() const { return m_error; }
    QString path() const { return m_dir.path(); }
    std::string stdPath() const { return m_dir.path().toStdString(); }

    // mount -o remount,ro / rw. Returns 0 or the errno of the failure.
    int remount(bool readOnly, const QString& options = {}) {
        const QByteArray opts = options.toUtf8();
        unsigned long flags = MS_REMOUNT | MS_NOSUID | MS_NODEV | (readOnly ? MS_RDONLY : 0);
        if (::mount(nullptr, m_dir.path().toLocal8Bit().constData(), nullptr, flags,
                    opts.isEmpty() ? nullptr : opts.constData()) != 0)
            return errno;
        return 0;
    }

  private:
    QTemporaryDir m_dir;
    bool m_mounted = false;
    QString m_error;
};

// Writes zeros to fd until the filesystem refuses, first in 1 MiB and then in
// 4 KiB steps, so not even one page is left. Returns the bytes written; the
// errno of the refusal goes to lastErrno (ENOSPC when the disk is full).
inline quint64 fillFilesystem(int fd, int* lastErrno = nullptr) {
    static const std::string zeros(1 << 20, '\0');
    quint64 total = 0;
    int err = 0;
    for (std::size_t step : {std::size_t(1) << 20, std::size_t(4096)}) {
        for (;;) {
            const ssize_t n = ::write(fd, zeros.data(), step);
            if (n < 0) {
                if (errno == EINTR) continue;
                err = errno;
                break;
            }
            total += static_cast<quint64>(n); // a short write: the next call says why
        }
    }
    ::fsync(fd);
    if (lastErrno) *lastErrno = err;
    return total;
}

// Runs action once at the n-th open of a regular file on the mount holding
// path, while that open waits (fanotify FAN_OPEN_PERM): how a test changes
// the world between aiotune's planning and its real scratch file without a
// race. Every other open is allowed at once. Needs CAP_SYS_ADMIN.
class OpenHook {
  public:
    OpenHook(const QString& path, int nth, std::function<void()> action)
        : m_nth(nth), m_action(std::move(action)) {
        m_fan = ::fanotify_init(FAN_CLOEXEC | FAN_CLASS_CONTENT, O_RDONLY | O_LARGEFILE);
        if (m_fan < 0) {
            m_error = QStringLiteral("fanotify_init: %1")
                          .arg(QString::fromLocal8Bit(std::strerror(errno)));
            return;
        }
        if (::fanotify_mark(m_fan, FAN_MARK_ADD | FAN_MARK_MOUNT, FAN_OPEN_PERM, AT_FDCWD,
                            path.toLocal8Bit().constData()) != 0 ||
            ::pipe2(m_stop, O_CLOEXEC) != 0) {
            m_error = QStringLiteral("fanotify_mark %1: %2")
                          .arg(path, QString::fromLocal8Bit(std::strerror(errno)));
            ::close(m_fan);
            m_fan = -1;
            return;
        }
        m_thread = std::thread([this] { serve(); });
    }
    ~OpenHook() {
        if (m_thread.joinable()) {
            ::write(m_stop[1], "x", 1);
            m_thread.join();
        }
        if (m_fan >= 0) ::close(m_fan); // answers anything still pending with "allow"
        for (int fd : m_stop)
            if (fd >= 0) ::close(fd);
    }
    OpenHook(const OpenHook&) = delete;
    OpenHook& operator=(const OpenHook&) = delete;

    bool ok() const { return m_fan >= 0; }
    QString error() const { return m_error; }
    bool fired() const { return m_fired.load(); }

  private:
    void serve() {
        alignas(fanotify_event_metadata) char buf[4096];
        for (;;) {
            pollfd fds[2] = {{m_fan, POLLIN, 0}, {m_stop[0], POLLIN, 0}};
            if (::poll(fds, 2, -1) < 0) {
                if (errno == EINTR) continue;
                return;
            }
            if (fds[1].revents) return;
            const ssize_t len = ::read(m_fan, buf, sizeof buf);
            if (len <= 0) continue;
            auto* ev = reinterpret_cast<fanotify_event_metadata*>(buf);
            for (ssize_t left = len; FAN_EVENT_OK(ev, left); ev = FAN_EVENT_NEXT(ev, left)) {
                if (ev->fd < 0) continue;
                struct stat st {};
                if ((ev->mask & FAN_OPEN_PERM) && ::fstat(ev->fd, &st) == 0 &&
                    S_ISREG(st.st_mode) && ++m_seen == m_nth) {
                    m_action();
                    m_fired = true;
                }
                if (ev->mask & FAN_OPEN_PERM) {
                    fanotify_response r{ev->fd, FAN_ALLOW};
                    ::write(m_fan, &r, sizeof r);
                }
                ::close(ev->fd);
            }
        }
    }

    int m_fan = -1;
    int m_stop[2] = {-1, -1};
    int m_nth;
    int m_seen = 0;
    std::function<void()> m_action;
    std::atomic<bool> m_fired{false};
    std::thread m_thread;
    QString m_error;
};

// Runs body in a forked child and returns its exit status (or -1 when it was
// killed) plus everything it wrote to the pipe fd it is given. The child must
// end with _exit (body's return value becomes the exit code), never return
// into the test framework.
struct ChildOutcome {
    int exitCode = -1;
    int signal = 0;
    std::string output;
};

inline ChildOutcome runInChild(const std::function<int(int writeFd)>& body) {
    ChildOutcome out;
    int fds[2];
    if (::pipe(fds) != 0) {
        out.output = "pipe failed";
        return out;
    }
    const pid_t pid = ::fork();
    if (pid < 0) {
        ::close(fds[0]);
        ::close(fds[1]);
        out.output = "fork failed";
        return out;
    }
    if (pid == 0) {
        ::close(fds[0]);
        int rc = 1;
        try {
            rc = body(fds[1]);
        } catch (...) {
            rc = 99;
        }
        ::close(fds[1]);
        ::_exit(rc);
    }
    ::close(fds[1]);
    char buf[4096];
    for (;;) {
        const ssize_t n = ::read(fds[0], buf, sizeof buf);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) break;
        out.output.append(buf, static_cast<std::size_t>(n));
    }
    ::close(fds[0]);
    int status = 0;
    while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
    }
    if (WIFEXITED(status)) out.exitCode = WEXITSTATUS(status);
    if (WIFSIGNALED(status)) out.signal = WTERMSIG(status);
    return out;
}

// For children: the whole string to fd.
inline void writeAll(int fd, const std::string& text) {
    std::size_t done = 0;
    while (done < text.size()) {
        const ssize_t n = ::write(fd, text.data() + done, text.size() - done);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) return;
        done += static_cast<std::size_t>(n);
    }
}

} // namespace aiotune::testing
