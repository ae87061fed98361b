#pragma once
// One sweep at a time per folder: an advisory lock (flock) on the folder
// itself, held for the whole sweep. A second sweep into the same log folder
// or scratch folder is refused at once. Locking the directory, not a file in
// it, leaves nothing behind in the user's folder even after kill -9, and
// holds no file open for writing (a read-only remount stays possible). The
// kernel drops the lock when its holder dies, so a killed sweep never
// blocks the next one.
#include "util/result.h"

#include <filesystem>
#include <string>

namespace aiotune {

class FolderLock {
public:
    // `purpose` names the folder's role in the refusal ("log folder", "scratch folder").
    static Result<FolderLock> acquire(const std::filesystem::path& folder, const std::string& purpose);

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
