#pragma once
// One sweep at a time per folder: an advisory lock (flock) on the folder
// itself, held for the whole sweep. A second sweep into the same log folder
// or scratch folder is refused at once. Locking the directory, not a file in
// it, leaves nothing behind in the user's folder even after kill -9, and
// holds no file open for writing (a read-only remount stays possible). The
// kernel drops the lock when its holder dies, so a killed sweep never
// blocks the next one.
//
// Commands that read a log folder (export, report) take the same lock shared
// for as long as they run: they refuse a folder a sweep is writing, and a
// sweep started meanwhile is refused, naming them. A refusal names the
// holder as the kernel records it (/proc/locks: its pid, on this machine).
#include "util/result.h"

#include <filesystem>
#include <optional>
#include <string>

namespace aiotune {

// Who holds a lock on a folder.
struct FolderLockHolder {
    long pid = 0;          // 0: not visible here (another machine, or /proc hides it)
    bool exclusive = true; // a sweep's lock; false: a reader's (export, report)
    std::string command;   // its command line, control characters escaped; may be empty
    std::string host;      // this machine's name when pid is known

    // "pid 4242 on node1 (aiotune sweep --nvme_dir ...)", or "a process this
    // machine cannot see (the folder may be shared with another machine)".
    std::string describe() const;
};

// The holder of a flock on folder, from <procRoot>/locks; nullopt when no lock
// on it is listed (or the folder cannot be read).
std::optional<FolderLockHolder> folderLockHolder(const std::filesystem::path& folder,
                                                 const std::string& procRoot = "/proc");

class FolderLock {
public:
    enum class Mode { Exclusive, Shared };

    // `purpose` names the folder's role in the refusal ("log folder", "scratch folder").
    static Result<FolderLock> acquire(const std::filesystem::path& folder, const std::string& purpose,
                                      Mode mode = Mode::Exclusive);

    // For a command that reads a sweep's log folder (`command`: "export"):
    // refused while a sweep writes there, naming it and what to do.
    static Result<FolderLock> acquireForReading(const std::filesystem::path& folder,
                                                const std::string& command);

    FolderLock() = default;
    FolderLock(FolderLock&& other) noexcept;
    FolderLock& operator=(FolderLock&& other) noexcept;
    FolderLock(const FolderLock&) = delete;
    FolderLock& operator=(const FolderLock&) = delete;
    ~FolderLock();

    bool held() const { return m_fd >= 0; }
    void release();

private:
    int m_fd = -1;
};

} // namespace aiotune
