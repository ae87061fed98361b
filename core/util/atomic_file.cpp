#include "util/atomic_file.h"

#include <cerrno>
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

std::string quoted(const fs::path& path) { return "\"" + path.string() + "\""; }

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

Result<void> syncAndClose(FdGuard& file, const fs::path& path, bool durable = true) {
    if (durable && ::fsync(file.fd()) != 0)
        return makeError("cannot flush " + quoted(path) + " to disk: " + errnoText(errno));
    if (file.closeNow() != 0)
        return makeError("cannot finish writing " + quoted(path) + ": " + errnoText(errno));
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
        return makeError(quoted(target) + " is not a regular file: choose a JSON file");
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

// Copies the original bytes to the first free <file>.bak[.N], created with
// O_EXCL so an existing file of the user is never touched.
Result<fs::path> writeBackup(const fs::path& target, const OriginalFile& original) {
    for (int attempt = 0; attempt < 1000; ++attempt) {
        const fs::path candidate = firstFreeBackupPath(target);
        const int fd = ::open(candidate.c_str(),
                              O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW,
                              original.mode | S_IRUSR | S_IWUSR);
        if (fd < 0) {
            if (errno == EEXIST) continue; // lost a race with another writer: next name
            return makeError("cannot create the backup " + quoted(candidate) + ": " +
                             errnoText(errno) + "; the original was left unchanged");
        }
        FdGuard guard(fd, candidate);
        if (auto r = writeAll(fd, original.bytes, candidate); !r) return Error{r.error()};
        if (auto r = syncAndClose(guard, candidate); !r) return Error{r.error()};
        guard.keepFile();
        return candidate;
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
        return makeError(quoted(target) + " is not a regular file: choose a JSON file");
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
                             "), so aiotune leaves it alone: make it writable (chmod u+w) or "
                             "pass --force to replace it");
        if (options.expectedOriginal && original->bytes != *options.expectedOriginal)
            return makeError(quoted(target) +
                             " changed since it was read: reload it and review the changes again");
    } else if (options.expectedOriginal) {
        return makeError(quoted(target) + " was removed since it was read: reload it");
    }

    const fs::path folder = folderOf(target);
    if (!fs::is_directory(folder, ec))
        return makeError("cannot write " + quoted(target) + ": the folder " + quoted(folder) +
                         " does not exist: create it first");

    // Temp file next to the target so the rename stays within one file system.
    std::random_device seed;
    std::mt19937_64 random(seed());
    fs::path temp;
    int fd = -1;
    for (int attempt = 0; attempt < 100 && fd < 0; ++attempt) {
        char suffix[17];
        std::snprintf(suffix, sizeof suffix, "%016llx",
                      static_cast<unsigned long long>(random()));
        temp = folder / ("." + target.filename().string() + ".aiotune-" + suffix + ".tmp");
        fd = ::open(temp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0666);
        if (fd < 0 && errno != EEXIST)
            return makeError("cannot create a temporary file in " + quoted(folder) + ": " +
                             errnoText(errno) + " (is the folder writable?)");
    }
    if (fd < 0)
        return makeError("cannot find a free temporary file name in " + quoted(folder));
    FdGuard guard(fd, temp);
    // A replaced file keeps its owner and permissions (a config may be
    // private, or belong to another user when root merges into it).
    if (original) {
        struct stat mine {};
        if (::fstat(fd, &mine) == 0 && (mine.st_uid != original->owner || mine.st_gid != original->group) &&
            ::fchown(fd, original->owner, original->group) != 0)
            return makeError("cannot keep the owner of " + quoted(target) + " (uid " +
                             std::to_string(original->owner) + ", gid " +
                             std::to_string(original->group) + "): " + errnoText(errno) +
                             "; the file was left unchanged: run as its owner");
        ::fchmod(fd, original->mode); // after fchown, which clears set-id bits
    }
    if (auto r = writeAll(fd, contents, temp); !r) return Error{r.error()};
    if (auto r = syncAndClose(guard, temp, options.durable); !r) return Error{r.error()};

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
