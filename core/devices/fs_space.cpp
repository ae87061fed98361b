#include "devices/fs_space.h"

#include <linux/magic.h>
#include <sys/statfs.h>
#include <sys/statvfs.h>

namespace aiotune {

std::optional<FsSpace> statvfsSpace(const std::string& path) {
    struct statvfs st {};
    if (::statvfs(path.c_str(), &st) != 0) return std::nullopt;
    const std::uint64_t unit = st.f_frsize != 0 ? st.f_frsize : st.f_bsize;
    return FsSpace{static_cast<std::uint64_t>(st.f_bavail) * unit,
                   static_cast<std::uint64_t>(st.f_blocks) * unit};
}

std::string memoryFilesystemType(const std::string& path) {
    struct statfs st {};
    if (::statfs(path.c_str(), &st) != 0) return {};
    if (static_cast<unsigned long>(st.f_type) == TMPFS_MAGIC) return "tmpfs";
    if (static_cast<unsigned long>(st.f_type) == RAMFS_MAGIC) return "ramfs";
    return {};
}

std::string memoryFolderWarning(const std::string& shownPath, const std::string& fstype) {
    return shownPath + " is in memory (" + fstype +
           "): its figures measure RAM, not a drive, and say nothing about NVMe offload; choose a "
           "folder on the NVMe drive";
}

} // namespace aiotune
