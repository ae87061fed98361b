#include "sweep/folder_lock.h"

#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <utility>

namespace aiotune {

Result<FolderLock> FolderLock::acquire(const std::filesystem::path& folder, const std::string& purpose) {
    const int fd = ::open(folder.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0)
        return makeError("cannot open the " + purpose + " " + folder.string() + " to lock it: " +
                         std::strerror(errno) + "; choose an existing, readable folder");
    if (::flock(fd, LOCK_EX | LOCK_NB) != 0) {
        const int err = errno;
        ::close(fd);
        if (err == EWOULDBLOCK)
            return makeError("another aiotune sweep is using the " + purpose + " " + folder.string() +
                             ": wait for it to end or choose another folder");
        return makeError("cannot lock the " + purpose + " " + folder.string() + ": " + std::strerror(err));
    }
    FolderLock lock;
    lock.m_fd = fd;
    return lock;
}

FolderLock::FolderLock(FolderLock&& other) noexcept : m_fd(std::exchange(other.m_fd, -1)) {}

FolderLock& FolderLock::operator=(FolderLock&& other) noexcept {
    if (this != &other) {
        release();
        m_fd = std::exchange(other.m_fd, -1);
    }
    return *this;
}

FolderLock::~FolderLock() {
    release();
}

void FolderLock::release() {
    if (m_fd < 0) return;
    ::close(m_fd); // drops the lock
    m_fd = -1;
}

} // namespace aiotune
