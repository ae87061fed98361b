#pragma once
// aiotune's only data file: created by us in the chosen folder, opened with
// O_DIRECT, and nameless from the moment it exists (O_TMPFILE, or unlinked
// right after an exclusive create), so a killed sweep leaves nothing behind.
#include "util/result.h"

#include <cstdint>
#include <filesystem>
#include <string>

namespace aiotune {

class ScratchFile {
public:
    // Checks the folder (a real directory, not a symlink, writable), creates
    // the file, preallocates size bytes and confirms O_DIRECT works there.
    static Result<ScratchFile> create(const std::filesystem::path& folder, std::uint64_t size);

    ScratchFile() = default;
    ~ScratchFile();
    ScratchFile(ScratchFile&& other) noexcept;
    ScratchFile& operator=(ScratchFile&& other) noexcept;
    ScratchFile(const ScratchFile&) = delete;
    ScratchFile& operator=(const ScratchFile&) = delete;

    int fd() const { return m_fd; }
    std::uint64_t size() const { return m_size; }
    const std::filesystem::path& folder() const { return m_folder; }

    // A second O_DIRECT descriptor with its own open file description, for
    // one thread of an intra-op-parallel transfer. The caller closes it.
    Result<int> openAnotherDescriptor() const;

private:
    int m_fd = -1;
    std::uint64_t m_size = 0;
    std::filesystem::path m_folder;
};

// Refuses what aiotune must never write into: missing paths, symlinks, block
// devices and other non-directories, folders without write permission.
Result<void> checkScratchFolder(const std::filesystem::path& folder);

} // namespace aiotune
