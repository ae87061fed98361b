#include "util/atomic_file.h"
#include "util/printable_text.h"

#include "util/trusted_path.h"

#include <cctype>
#include <algorithm>
#include <cerrno>
#include <charconv>
#include <dirent.h>
#include <signal.h>
#include <cstdio>
#include <fcntl.h>
#include <random>
#include <sys/stat.h>
#include <system_error>
#include <unistd.h>

namespace aiotune {

namespace fs = std::filesystem;

namespace {

std::string errnoText(int error) { return std::generic_category().message(error); }

// A user's name in a message: one line, its control characters escaped.
std::string quoted(const fs::path& path) { return "\"" + printableName(path.string()) + "\""; }

std::string modeText(mode_t mode) {
    char text[8];
    std::snprintf(text, sizeof text, "%04o", static_cast<unsigned>(mode & 07777));
    return text;
}

// Closes the descriptor (and optionally removes the file) on every early return.
class FdGuard {
public:
    explicit FdGuard(int fd, fs::path unlinkOnFailure = {})
        : m_fd(fd), m_unlink(std::move(unlinkOnFailure)) {}
    FdGuard(const FdGuard&) = delete;
    FdGuard& operator=(const FdGuard&) = delete;
    ~FdGuard() {
        if (m_fd >= 0) ::close(m_fd);
        if (!m_unlink.empty()) ::unlink(m_unlink.c_str());
    }
    int fd() const { return m_fd; }
    // close() can report a delayed write error (NFS), so it is checked.
    int closeNow() {
        const int rc = ::close(m_fd);
        m_fd = -1;
        return rc;
    }
    void keepFile() { m_unlink.clear(); }
    void unlinkOnFailure(fs::path path) { m_unlink = std::move(path); }

private:
    int m_fd;
    fs::path m_unlink;
};

Result<void> writeAll(int fd, std::string_view bytes, const fs::path& path) {
    while (!bytes.empty()) {
        const ssize_t n = ::write(fd, bytes.data(), bytes.size());
        if (n < 0) {
            if (errno == EINTR) continue;
            return makeError("cannot write " + quoted(path) + ": " + errnoText(errno) +
                             " (is the disk full or read-only?)");
        }
        bytes.remove_prefix(static_cast<std::size_t>(n));
    }
    return {};
}

// Makes a rename durable; failure here is not worth failing the write for
// (some file systems refuse fsync on folders).
void syncFolder(const fs::path& folder) {
    const int fd = ::open(folder.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0) return;
    ::fsync(fd);
    ::close(fd);
}

fs::path folderOf(const fs::path& target) {
    const fs::path parent = target.parent_path();
    return parent.empty() ? fs::path(".") : parent;
}

std::string thisHost() {
    char name[256] = {};
    if (::gethostname(name, sizeof name - 1) != 0) return "host";
    std::string host(name);
    // Only characters that keep the name one path component and parseable.
    for (char& c : host)
        if (!std::isalnum(static_cast<unsigned char>(c)) && c != '.' && c != '_') c = '_';
    return host.empty() ? std::string("host") : host;
}

struct TempFile {
    fs::path path;
    int fd = -1;
    // Made with O_TMPFILE: no name until giveName(), so a process killed while
    // writing leaves nothing behind (a named temporary stayed until the next
    // write of that file removed it).
    bool anonymous = false;
};

// ".<name>.aiotune-<host>-<pid>-<16 hex>.tmp" beside `file`, created with
// O_EXCL|O_NOFOLLOW. Host and pid let a later run tell a killed writer's
// leftovers from a live writer's file (removeStaleAtomicWriteTemps).
Result<TempFile> createTempFileBeside(const fs::path& file, mode_t mode, bool anonymous) {
    const fs::path folder = folderOf(file);
    std::random_device seed;
    std::mt19937_64 random(seed());
    const std::string owner = thisHost() + "-" + std::to_string(::getpid()) + "-";
    const auto nameFor = [&] {
        char suffix[17];
        std::snprintf(suffix, sizeof suffix, "%016llx", static_cast<unsigned long long>(random()));
        return folder / ("." + file.filename().string() + ".aiotune-" + owner + suffix + ".tmp");
    };
    // File systems without O_TMPFILE (older NFS, some FUSE) get a named one.
    if (anonymous)
        if (const int fd = ::open(folder.c_str(), O_TMPFILE | O_WRONLY | O_CLOEXEC, mode); fd >= 0)
            return TempFile{nameFor(), fd, true};
    for (int attempt = 0; attempt < 100; ++attempt) {
        TempFile t;
        t.path = nameFor();
        t.fd = ::open(t.path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, mode);
        if (t.fd >= 0) return t;
        if (errno != EEXIST)
            return makeError("cannot create a temporary file in " + quoted(folder) + ": " +
                             errnoText(errno) + " (is the folder writable?)");
    }
    return makeError("cannot find a free temporary file name in " + quoted(folder));
}

// Links an anonymous temporary under its name (through /proc, or
// AT_EMPTY_PATH where /proc is absent), once its bytes are written; from then
// on the guard removes it on failure.
// False when neither way works (no /proc, and AT_EMPTY_PATH needs a
// capability before Linux 6.10): the caller then writes a named one.
Result<void> giveName(TempFile& t, FdGuard& guard) {
    if (!t.anonymous) return {};
    const std::string self = "/proc/self/fd/" + std::to_string(t.fd);
    std::random_device seed;
    std::mt19937_64 random(seed());
    for (int attempt = 0; attempt < 100; ++attempt) {
        int viaProc = 0;
        if (::linkat(AT_FDCWD, self.c_str(), AT_FDCWD, t.path.c_str(), AT_SYMLINK_FOLLOW) == 0 ||
            ((viaProc = errno) != EEXIST && ::linkat(t.fd, "", AT_FDCWD, t.path.c_str(), AT_EMPTY_PATH) == 0)) {
            t.anonymous = false;
            guard.unlinkOnFailure(t.path);
            return {};
        }
        if (errno != EEXIST)
            return makeError("cannot name the temporary file " + quoted(t.path) + ": " + errnoText(viaProc) +
                             " (through /proc), " + errnoText(errno));
        char suffix[17];
        std::snprintf(suffix, sizeof suffix, "%016llx", static_cast<unsigned long long>(random()));
        std::string name = t.path.filename().string();
        name.replace(name.size() - 4 - 16, 16, suffix); // "<16 hex>.tmp"
        t.path.replace_filename(name);
    }
    return makeError("cannot find a free temporary file name in " + quoted(t.path.parent_path()));
}

struct OriginalFile {
    std::string bytes;
    mode_t mode = 0644;
    uid_t owner = 0;
    gid_t group = 0;
};

// Reads the current target without following a symlink, checking it is a regular file.
Result<OriginalFile> readOriginal(const fs::path& target) {
    const int fd = ::open(target.c_str(), O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK);
    if (fd < 0) {
        if (errno == ELOOP)
            return makeError(quoted(target) + " is a symbolic link; aiotune does not write "
                             "through links: choose the file it points to instead");
        return makeError("cannot open " + quoted(target) + ": " + errnoText(errno));
    }
    FdGuard guard(fd);
    struct stat st {};
    if (::fstat(fd, &st) != 0)
        return makeError("cannot inspect " + quoted(target) + ": " + errnoText(errno));
    if (!S_ISREG(st.st_mode))
        return makeError(quoted(target) + " is not a regular file (a device, FIFO or socket): choose a file to write");
    OriginalFile original;
    original.mode = st.st_mode & 07777;
    original.owner = st.st_uid;
    original.group = st.st_gid;
    char buffer[65536];
    for (;;) {
        const ssize_t n = ::read(fd, buffer, sizeof buffer);
        if (n < 0) {
            if (errno == EINTR) continue;
            return makeError("cannot read " + quoted(target) + ": " + errnoText(errno));
        }
        if (n == 0) break;
        original.bytes.append(buffer, static_cast<std::size_t>(n));
    }
    return original;
}

// `contents` as a complete, flushed and closed temporary beside `file`,
// with `original`'s owner and mode when given (a config may be private, or
// belong to another user when root merges into it). Nameless while written
// (O_TMPFILE), named just before it is moved into place; a named one from
// the start where the filesystem or /proc cannot do that. `what` says what
// was left unchanged on failure ("the file", "the original").
Result<fs::path> writeTemporary(const fs::path& file, std::string_view contents, mode_t mode,
                                const OriginalFile* original, bool durable, const std::string& what) {
    std::string unnamed;
    for (const bool anonymous : {true, false}) {
        auto temp = createTempFileBeside(file, mode, anonymous);
        if (!temp) return Error{temp.error()};
        FdGuard guard(temp->fd, temp->anonymous ? fs::path() : temp->path);
        struct stat mine {};
        if (original && ::fstat(guard.fd(), &mine) == 0 &&
            (mine.st_uid != original->owner || mine.st_gid != original->group) &&
            ::fchown(guard.fd(), original->owner, original->group) != 0)
            return makeError("cannot keep the owner (uid " + std::to_string(original->owner) + ", gid " +
                             std::to_string(original->group) + ") for " + quoted(file) + ": " +
                             errnoText(errno) + "; " + what + " was left unchanged: run as its owner");
        if (original) ::fchmod(guard.fd(), original->mode); // after fchown, which clears set-id bits
        if (auto r = writeAll(guard.fd(), contents, file); !r) return Error{r.error()};
        if (durable && ::fsync(guard.fd()) != 0)
            return makeError("cannot flush " + quoted(file) + " to disk: " + errnoText(errno));
        if (auto named = giveName(*temp, guard); !named) {
            unnamed = named.error();
            continue; // written again, named from the start
        }
        if (guard.closeNow() != 0)
            return makeError("cannot finish writing " + quoted(file) + ": " + errnoText(errno));
        guard.keepFile();
        return temp->path;
    }
    return makeError(unnamed);
}

// Writes the original bytes completely to a temporary file (with the
// original's owner and mode, so its owner can still read it when root
// replaced it), then links it under the first free <file>.bak[.N]: a kill
// mid-write leaves only a temporary (removed later), never a truncated file
// that looks like a real backup; link() refuses to replace a user's file.
Result<fs::path> writeBackup(const fs::path& target, const OriginalFile& original) {
    auto temp = writeTemporary(target.string() + ".bak", original.bytes, 0600, &original, true, "the original");
    if (!temp) return makeError("cannot back up " + quoted(target) + ": " + temp.error());
    FdGuard guard(-1, *temp); // the temporary goes whatever happens: the backup is its link
    for (int attempt = 0; attempt < 1000; ++attempt) {
        const fs::path candidate = firstFreeBackupPath(target);
        if (::link(temp->c_str(), candidate.c_str()) == 0) return candidate; // guard unlinks the temp
        if (errno == EEXIST) continue; // lost a race with another writer: next name
        return makeError("cannot create the backup " + quoted(candidate) + ": " + errnoText(errno) +
                         "; the original was left unchanged");
    }
    return makeError("cannot find a free backup name next to " + quoted(target) +
                     ": remove old .bak files");
}

// Moves temp to target; with noReplace it fails instead of overwriting a file
// that appeared since we looked.
Result<void> moveIntoPlace(const fs::path& temp, const fs::path& target, bool noReplace) {
    if (!noReplace) {
        if (::rename(temp.c_str(), target.c_str()) != 0)
            return makeError("cannot replace " + quoted(target) + ": " + errnoText(errno));
        return {};
    }
    if (::renameat2(AT_FDCWD, temp.c_str(), AT_FDCWD, target.c_str(), RENAME_NOREPLACE) == 0)
        return {};
    if (errno != EINVAL && errno != ENOSYS && errno != ENOTSUP) {
        if (errno == EEXIST)
            return makeError(quoted(target) + " appeared while writing; it was left unchanged");
        return makeError("cannot create " + quoted(target) + ": " + errnoText(errno));
    }
    // File systems without RENAME_NOREPLACE: link() also refuses to overwrite.
    if (::link(temp.c_str(), target.c_str()) != 0) {
        if (errno == EEXIST)
            return makeError(quoted(target) + " appeared while writing; it was left unchanged");
        return makeError("cannot create " + quoted(target) + ": " + errnoText(errno));
    }
    ::unlink(temp.c_str());
    return {};
}

} // namespace

bool isAtomicWriteTempName(std::string_view name) {
    constexpr std::string_view marker = ".aiotune-", suffix = ".tmp";
    return name.size() > marker.size() + suffix.size() + 1 && name.front() == '.' &&
           name.substr(name.size() - suffix.size()) == suffix &&
           name.find(marker) != std::string_view::npos;
}

std::optional<AtomicWriteTempOwner> atomicWriteTempOwner(std::string_view name) {
    if (!isAtomicWriteTempName(name)) return std::nullopt;
    constexpr std::string_view marker = ".aiotune-";
    std::string_view rest = name.substr(name.rfind(marker) + marker.size());
    rest.remove_suffix(4); // ".tmp"
    const auto isHex16 = [](std::string_view h) {
        return h.size() == 16 && std::all_of(h.begin(), h.end(), [](char c) {
                   return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f');
               });
    };
    const std::size_t hexDash = rest.rfind('-');
    if (hexDash == std::string_view::npos) {
        // Older format, no owner: ".<name>.aiotune-<16 hex>.tmp" exactly; a
        // user's own ".plan.aiotune-draft.tmp" is not one of ours.
        if (!isHex16(rest)) return std::nullopt;
        return AtomicWriteTempOwner{};
    }
    const std::size_t pidDash = rest.rfind('-', hexDash - 1);
    if (pidDash == std::string_view::npos || hexDash == 0 || !isHex16(rest.substr(hexDash + 1)))
        return std::nullopt;
    AtomicWriteTempOwner owner;
    owner.host = std::string(rest.substr(0, pidDash));
    const std::string_view pid = rest.substr(pidDash + 1, hexDash - pidDash - 1);
    long value = 0;
    const auto [end, ec] = std::from_chars(pid.data(), pid.data() + pid.size(), value);
    if (ec != std::errc() || end != pid.data() + pid.size() || value <= 0) return std::nullopt;
    owner.pid = static_cast<pid_t>(value);
    return owner;
}

int removeStaleAtomicWriteTemps(const fs::path& folder, std::string_view forFile) {
    const int dir = ::open(folder.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (dir < 0) return 0;
    FdGuard guard(dir);
    DIR* listing = ::fdopendir(::dup(dir));
    if (!listing) return 0;
    const std::string host = thisHost();
    const std::string prefix = forFile.empty() ? std::string() : "." + std::string(forFile) + ".aiotune-";
    int removed = 0;
    while (const dirent* entry = ::readdir(listing)) {
        const std::string_view name = entry->d_name;
        if (!prefix.empty() && name.substr(0, prefix.size()) != prefix) continue;
        const auto owner = atomicWriteTempOwner(name);
        if (!owner) continue;
        // A live writer's temporary (this host, its process still there) is
        // not ours to remove; another host's we cannot judge, so it stays.
        if (owner->pid != 0) {
            if (owner->host != host) continue;
            if (::kill(owner->pid, 0) == 0 || errno != ESRCH) continue;
        }
        struct stat st {};
        if (::fstatat(dir, entry->d_name, &st, AT_SYMLINK_NOFOLLOW) != 0 || !S_ISREG(st.st_mode)) continue;
        // Only this user's: in a shared (sticky) folder another user's file of
        // that name is theirs, whatever it is called.
        if (st.st_uid != ::geteuid()) continue;
        if (::unlinkat(dir, entry->d_name, 0) == 0) ++removed;
    }
    ::closedir(listing);
    return removed;
}

fs::path firstFreeBackupPath(const fs::path& file) {
    fs::path candidate = file;
    candidate += ".bak";
    std::error_code ec;
    for (int n = 1; fs::symlink_status(candidate, ec).type() != fs::file_type::not_found; ++n) {
        candidate = file;
        candidate += ".bak." + std::to_string(n);
    }
    return candidate;
}

Result<void> checkReplaceableFile(const fs::path& target) {
    std::error_code ec;
    const fs::file_status status = fs::symlink_status(target, ec);
    if (status.type() == fs::file_type::not_found)
        return makeError(quoted(target) + " does not exist: choose an existing DeepSpeed config");
    if (ec) return makeError("cannot inspect " + quoted(target) + ": " + ec.message());
    if (status.type() == fs::file_type::symlink) {
        const fs::path resolved = fs::read_symlink(target, ec);
        return makeError(quoted(target) + " is a symbolic link" +
                         (ec ? std::string() : " to " + quoted(resolved)) +
                         "; aiotune does not write through links: choose the file it points to");
    }
    if (status.type() != fs::file_type::regular)
        return makeError(quoted(target) + " is not a regular file (a folder, device, FIFO or socket): choose a file");
    return {};
}

Result<AtomicWriteOutcome> writeFileAtomically(const fs::path& target, std::string_view contents,
                                               const AtomicWriteOptions& options) {
    if (target.empty() || target.filename().empty())
        return makeError("no file name given to write: choose a file");
    std::error_code ec;
    const fs::file_status status = fs::symlink_status(target, ec);
    const bool exists = status.type() != fs::file_type::not_found;

    std::optional<OriginalFile> original;
    if (exists) {
        if (auto r = checkReplaceableFile(target); !r) return Error{r.error()};
        if (options.existing == ExistingFilePolicy::Refuse)
            return makeError(quoted(target) +
                             " already exists: choose another name or allow overwriting "
                             "(the old file is then kept as .bak)");
        if (options.existing != ExistingFilePolicy::Replace || options.expectedOriginal) {
            auto read = readOriginal(target);
            if (!read) return Error{read.error()};
            original = std::move(read.value());
        }
        // No write bit for anyone: the owner marked it "do not change"; a
        // rename would replace it anyway (and root ignores modes), so ask.
        if (original && (original->mode & 0222) == 0 && !options.replaceReadOnly)
            return makeError(quoted(target) + " is read-only (mode " + modeText(original->mode) +
                             "), so aiotune leaves it alone: make it writable (chmod u+w) and try again "
                             "(on the command line, --force replaces it)");
        if (options.expectedOriginal && original->bytes != *options.expectedOriginal)
            return makeError(quoted(target) +
                             " changed since it was read: reload it and review the changes again");
    } else if (options.expectedOriginal) {
        return makeError(quoted(target) + " was removed since it was read: reload it");
    }

    const fs::path folder = folderOf(target);
    // Never write through a link another user planted in a shared folder.
    if (auto trusted = resolveTrustedPath(folder); !trusted)
        return makeError("cannot write " + quoted(target) + ": " + trusted.error());
    if (!fs::is_directory(folder, ec))
        return makeError("cannot write " + quoted(target) + ": the folder " + quoted(folder) +
                         " does not exist: create it first");

    // A killed earlier write of this file left its temporary: remove it.
    if (options.removeStaleTemps) removeStaleAtomicWriteTemps(folder, target.filename().string());
    // Temp file next to the target so the rename stays within one file system.
    // A replaced file keeps its owner and permissions.
    auto written = writeTemporary(target, contents, 0666, original ? &*original : nullptr, options.durable,
                                  "the file");
    if (!written) return Error{written.error()};
    const fs::path temp = *written;
    FdGuard guard(-1, temp);

    AtomicWriteOutcome outcome;
    outcome.written = target;
    if (original && options.existing == ExistingFilePolicy::ReplaceKeepBackup) {
        auto backup = writeBackup(target, *original);
        if (!backup) return Error{backup.error()};
        outcome.backup = backup.value();
    }
    if (auto r = moveIntoPlace(temp, target, !exists); !r) return Error{r.error()};
    guard.keepFile();
    if (options.durable) syncFolder(folder);
    return outcome;
}

Result<std::string> readWholeFile(const fs::path& file, std::uint64_t maxBytes) {
    // Opened first, then inspected through the descriptor, so a FIFO or device
    // swapped in after a check is still caught; O_NONBLOCK keeps open() of a
    // FIFO from waiting for a writer.
    const int fd = ::open(file.c_str(), O_RDONLY | O_CLOEXEC | O_NONBLOCK);
    if (fd < 0) {
        if (errno == ENOENT) return makeError(quoted(file) + " does not exist: check the path");
        return makeError("cannot open " + quoted(file) + ": " + errnoText(errno));
    }
    FdGuard guard(fd);
    struct stat st {};
    if (::fstat(fd, &st) != 0)
        return makeError("cannot inspect " + quoted(file) + ": " + errnoText(errno));
    if (S_ISDIR(st.st_mode)) return makeError(quoted(file) + " is a folder: choose a file in it");
    if (!S_ISREG(st.st_mode))
        return makeError(quoted(file) + " is not a regular file (a device, FIFO or socket): "
                         "choose a file");
    const auto tooLarge = [&](const std::string& size) {
        return makeError(quoted(file) + " is " + size + ", more than the " +
                         std::to_string(maxBytes >> 20) + " MiB aiotune reads here: choose the "
                         "right file");
    };
    if (static_cast<std::uint64_t>(st.st_size) > maxBytes)
        return tooLarge(std::to_string(st.st_size) + " bytes");
    std::string bytes;
    bytes.reserve(static_cast<std::size_t>(st.st_size));
    char buffer[65536];
    for (;;) {
        const ssize_t n = ::read(fd, buffer, sizeof buffer);
        if (n < 0) {
            if (errno == EINTR) continue;
            return makeError("cannot read " + quoted(file) + ": " + errnoText(errno));
        }
        if (n == 0) break;
        bytes.append(buffer, static_cast<std::size_t>(n));
        if (bytes.size() > maxBytes) return tooLarge("growing while read and now larger"); // e.g. a log being written
    }
    return bytes;
}

} // namespace aiotune
