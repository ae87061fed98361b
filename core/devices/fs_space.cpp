#include "devices/fs_space.h"

#include <sys/statvfs.h>

namespace aiotune {

std::optional<FsSpace> statvfsSpace(const std::string& path) {
    struct statvfs st {};
    if (::statvfs(path.c_str(), &st) != 0) return std::nullopt;
    const std::uint64_t unit = st.f_frsize != 0 ? st.f_frsize : st.f_bsize;
    return FsSpace{static_cast<std::uint64_t>(st.f_bavail) * unit,
                   static_cast<std::uint64_t>(st.f_blocks) * unit};
}

} // namespace aiotune
