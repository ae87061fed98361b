#include "engine/scratch_file.h"
#include "util/printable_text.h"

#include "util/trusted_path.h"

#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <random>
#include <sys/stat.h>
#include <unistd.h>
#include <utility>

namespace aiotune {

namespace {
std::string errnoText(int err) { return std::strerror(err); }

std::string directIoHint(const std::filesystem::path& folder) {
    return "the filesystem of " + folder.string() +
           " does not support O_DIRECT (tmpfs before Linux 6.6, some FUSE or overlay "
           "filesystems): choose a folder on the NVMe drive's own filesystem";
}
} // namespace

Result<void> checkScratchFolder(const std::filesystem::path& folder) {
    // "link/" must be refused as "link" is (util/trusted_path.h).
    const std::string name = withoutTrailingSlashes(folder.string());
    if (name.empty()) return makeError("no folder given: choose a writable folder on the drive to test");
    const std::string shown = printableName(name); // a name's newline must not forge a line
    // A link planted by another user higher up the path is refused too.
    if (auto trusted = resolveTrustedPath(name); !trusted) return makeError("refusing " + shown + ": " + trusted.error());
    struct stat st {};
    if (::lstat(name.c_str(), &st) != 0)
        return makeError("cannot use " + shown + ": " + errnoText(errno) +
                         " (create the folder first, or choose another)");
    if (S_ISLNK(st.st_mode))
        return makeError("refusing " + shown +
                         ": it is a symbolic link; give the real folder it points to");
    if (S_ISBLK(st.st_mode) || S_ISCHR(st.st_mode))
        return makeError("refusing " + shown +
                         ": it is a device; aiotune never writes to devices, give a folder on "
                         "a filesystem on that drive");
    if (!S_ISDIR(st.st_mode))
        return makeError("refusing " + shown + ": not a folder; give a folder on the drive to test");
    if (::access(name.c_str(), W_OK | X_OK) != 0)
        return makeError("cannot write in " + shown + ": " + errnoText(errno) +
                         " (choose a folder you own, or fix its permissions)");
    return {};
}

Result<ScratchFile> ScratchFile::create(const std::filesystem::path& folder, std::uint64_t size) {
    if (auto ok = checkScratchFolder(folder); !ok) return makeError(ok.error());
    const std::string dir = folder.string();

    int fd = ::open(dir.c_str(), O_TMPFILE | O_RDWR | O_EXCL | O_CLOEXEC, 0600);
    if (fd < 0 && (errno == EOPNOTSUPP || errno == EISDIR || errno == EINVAL)) {
        // No O_TMPFILE here: an exclusive create under a random name, unlinked at once.
        std::random_device rd;
        for (int attempt = 0; attempt < 16 && fd < 0; ++attempt) {
            const std::string path = dir + "/.aiotune-scratch-" + std::to_string(::getpid()) +
                                     "-" + std::to_string(rd()) + ".tmp";
            fd = ::open(path.c_str(), O_CREAT | O_EXCL | O_NOFOLLOW | O_RDWR | O_CLOEXEC, 0600);
            if (fd >= 0) ::unlink(path.c_str());
            else if (errno != EEXIST) break;
        }
    }
    if (fd < 0)
        return makeError("cannot create a scratch file in " + dir + ": " + errnoText(errno));

    ScratchFile file;
    file.m_fd = fd;
    file.m_size = size;
    file.m_folder = folder;

    if (size > 0) {
        const int rc = ::posix_fallocate(fd, 0, static_cast<off_t>(size));
        if (rc == ENOSPC)
            return makeError("no space left on " + dir + " for a " + std::to_string(size) +
                             "-byte scratch file: free space or choose a smaller io size");
        if (rc != 0 && rc != EOPNOTSUPP && rc != EINVAL)
            return makeError("cannot preallocate the scratch file in " + dir + ": " + errnoText(rc));
        if (rc != 0 && ::ftruncate(fd, static_cast<off_t>(size)) != 0)
            return makeError("cannot size the scratch file in " + dir + ": " + errnoText(errno));
    }

    // Switch this descriptor to O_DIRECT: fails with EINVAL where unsupported.
    const int flags = ::fcntl(fd, F_GETFL);
    if (flags < 0 || ::fcntl(fd, F_SETFL, flags | O_DIRECT) != 0)
        return makeError(errno == EINVAL ? directIoHint(folder)
                                         : "cannot enable O_DIRECT in " + dir + ": " + errnoText(errno));
    return file;
}

Result<int> ScratchFile::openAnotherDescriptor() const {
    // Reopening through /proc gives a new open file description of the same
    // nameless file; dup() (shared description) is the fallback without /proc.
    const std::string self = "/proc/self/fd/" + std::to_string(m_fd);
    int fd = ::open(self.c_str(), O_RDWR | O_DIRECT | O_CLOEXEC);
    if (fd < 0) fd = ::fcntl(m_fd, F_DUPFD_CLOEXEC, 0);
    if (fd < 0)
        return makeError("cannot open another descriptor for the scratch file in " +
                         m_folder.string() + ": " + errnoText(errno));
    return fd;
}

ScratchFile::~ScratchFile() {
    if (m_fd >= 0) ::close(m_fd);
}

ScratchFile::ScratchFile(ScratchFile&& other) noexcept
    : m_fd(std::exchange(other.m_fd, -1)), m_size(other.m_size), m_folder(std::move(other.m_folder)) {}

ScratchFile& ScratchFile::operator=(ScratchFile&& other) noexcept {
    if (this != &other) {
        if (m_fd >= 0) ::close(m_fd);
        m_fd = std::exchange(other.m_fd, -1);
        m_size = other.m_size;
        m_folder = std::move(other.m_folder);
    }
    return *this;
}

} // namespace aiotune
