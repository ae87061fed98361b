#include "sweep/folder_lock.h"

#include "util/json_input.h"
#include "util/printable_text.h"

#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <iterator>
#include <sstream>
#include <utility>
#include <vector>

namespace fs = std::filesystem;

namespace aiotune {

namespace {

std::string thisHost() {
    char name[256] = {};
    if (::gethostname(name, sizeof name - 1) != 0) return {};
    return printableName(name);
}

// Its command line with arguments separated by spaces, escaped, cut to a line.
std::string commandLineOf(long pid, const std::string& procRoot) {
    std::ifstream in(procRoot + "/" + std::to_string(pid) + "/cmdline", std::ios::binary);
    std::string raw((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    while (!raw.empty() && raw.back() == '\0') raw.pop_back();
    for (char& c : raw)
        if (c == '\0') c = ' ';
    constexpr std::size_t kMax = 160;
    if (raw.size() > kMax) raw = raw.substr(0, kMax) + "...";
    return printableName(raw);
}

// Whether one of pid's open descriptors is the folder (device and inode):
// /proc/locks gives the superblock's device, which differs from stat's on
// btrfs subvolumes, so an inode match is confirmed here.
bool holdsOpen(long pid, const struct stat& folder, const std::string& procRoot) {
    std::error_code ec;
    for (fs::directory_iterator it(procRoot + "/" + std::to_string(pid) + "/fd", ec), end;
         !ec && it != end; it.increment(ec)) {
        struct stat st {};
        if (::stat(it->path().c_str(), &st) == 0 && st.st_dev == folder.st_dev &&
            st.st_ino == folder.st_ino)
            return true;
    }
    return false;
}

} // namespace

std::string FolderLockHolder::describe() const {
    if (pid <= 0)
        return "a process this machine cannot see (the folder may be shared with another machine)";
    std::string s = "pid " + std::to_string(pid) + (host.empty() ? "" : " on " + host);
    if (!command.empty()) s += " (" + command + ")";
    return s;
}

std::optional<FolderLockHolder> folderLockHolder(const fs::path& folder, const std::string& procRoot) {
    struct stat st {};
    if (::stat(folder.c_str(), &st) != 0) return std::nullopt;
    std::ifstream locks(procRoot + "/locks");
    if (!locks) return std::nullopt;
    char devText[32];
    std::snprintf(devText, sizeof devText, "%02x:%02x:", major(st.st_dev), minor(st.st_dev));
    const std::string inode = std::to_string(st.st_ino);
    std::optional<FolderLockHolder> found;
    // "1: FLOCK  ADVISORY  WRITE 4242 08:02:131075 0 EOF" ("->" marks a waiter).
    for (std::string line; std::getline(locks, line);) {
        std::istringstream words(line);
        std::vector<std::string> w;
        for (std::string word; words >> word;)
            w.push_back(word);
        if (w.size() < 6 || w[1] != "FLOCK") continue;
        const std::string& id = w[5];
        const auto lastColon = id.rfind(':');
        if (lastColon == std::string::npos || id.substr(lastColon + 1) != inode) continue;
        char* end = nullptr;
        const long pid = std::strtol(w[4].c_str(), &end, 10);
        if (!end || *end != '\0' || pid <= 0) continue;
        if (id.compare(0, lastColon + 1, devText) != 0 && !holdsOpen(pid, st, procRoot)) continue;
        FolderLockHolder h;
        h.pid = pid;
        h.exclusive = w[3] == "WRITE";
        h.command = commandLineOf(pid, procRoot);
        h.host = thisHost();
        // A writer is the one to name; among readers, the first.
        if (!found || (h.exclusive && !found->exclusive)) found = std::move(h);
    }
    return found;
}

Result<FolderLock> FolderLock::acquire(const fs::path& folder, const std::string& purpose, Mode mode) {
    const int fd = ::open(folder.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0)
        return makeError("cannot open the " + purpose + " " + folder.string() + " to lock it: " +
                         std::strerror(errno) + "; choose an existing, readable folder");
    if (::flock(fd, (mode == Mode::Shared ? LOCK_SH : LOCK_EX) | LOCK_NB) != 0) {
        const int err = errno;
        ::close(fd);
        if (err == EWOULDBLOCK) {
            const FolderLockHolder holder = folderLockHolder(folder).value_or(FolderLockHolder{});
            if (holder.pid > 0 && !holder.exclusive)
                return makeError("aiotune is reading the " + purpose + " " + folder.string() +
                                 " (" + holder.describe() +
                                 "): try again once it has finished, or choose another folder");
            return makeError("another aiotune sweep is using the " + purpose + " " +
                             folder.string() + " (" + holder.describe() +
                             "): wait for it to end or choose another folder");
        }
        return makeError("cannot lock the " + purpose + " " + folder.string() + ": " + std::strerror(err));
    }
    FolderLock lock;
    lock.m_fd = fd;
    return lock;
}

Result<FolderLock> FolderLock::acquireForReading(const fs::path& folder, const std::string& command) {
    const int fd = ::open(folder.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0) {
        // Not a folder (or not readable): the reader's own message says so.
        return FolderLock{};
    }
    if (::flock(fd, LOCK_SH | LOCK_NB) == 0) {
        FolderLock lock;
        lock.m_fd = fd;
        return lock;
    }
    const int err = errno;
    ::close(fd);
    if (err != EWOULDBLOCK) return FolderLock{}; // a filesystem without flock: nothing to honour
    const std::optional<FolderLockHolder> holder = folderLockHolder(folder);
    std::string by = holder ? holder->describe() : FolderLockHolder{}.describe();
    if (!holder || holder->pid <= 0) {
        // The sweep's own record says where it runs.
        if (auto doc = readJsonFile(folder / "sweep.json"); doc && doc->is_object()) {
            const auto host = doc->find("host");
            if (host != doc->end() && host->is_string() && !host->get<std::string>().empty())
                by += "; its sweep.json names host " + printableName(host->get<std::string>());
        }
    }
    return makeError(printableName(folder.string()) + " is being swept right now, by " + by +
                     ": " + command + " reads a finished sweep; wait for it to end, then run " +
                     command + " again (aiotune analyze --log_dir " + printableName(folder.string()) +
                     " shows its progress so far)");
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
