#include "util/file_identity.h"

#include <sys/stat.h>

namespace aiotune {

namespace fs = std::filesystem;

bool isSameFile(const fs::path& a, const fs::path& b) {
    struct stat sa {}, sb {};
    const bool hasA = ::stat(a.c_str(), &sa) == 0;
    const bool hasB = ::stat(b.c_str(), &sb) == 0;
    if (hasA && hasB) return sa.st_dev == sb.st_dev && sa.st_ino == sb.st_ino;
    // One or both are still to be written: the same place once "..", "." and
    // existing links are resolved.
    std::error_code ea, eb;
    const fs::path ca = fs::weakly_canonical(a, ea), cb = fs::weakly_canonical(b, eb);
    return !ea && !eb && ca == cb;
}

Result<void> checkDistinctFiles(const std::vector<std::pair<std::string, fs::path>>& files) {
    for (std::size_t i = 0; i < files.size(); ++i)
        for (std::size_t j = i + 1; j < files.size(); ++j) {
            const auto& [nameA, a] = files[i];
            const auto& [nameB, b] = files[j];
            if (a.empty() || b.empty() || !isSameFile(a, b)) continue;
            return makeError(nameA + " \"" + a.string() + "\" and " + nameB + " \"" + b.string() +
                             "\" are the same file, so one would overwrite the other: choose "
                             "different files");
        }
    return {};
}

} // namespace aiotune
