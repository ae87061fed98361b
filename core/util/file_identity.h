#pragma once
// Whether two paths name one file: by device and inode when the file exists
// (so a symlink, a hard link or "./x" are caught), else by the canonical path.
#include "util/result.h"

#include <filesystem>
#include <string>
#include <utility>
#include <vector>

namespace aiotune {

bool isSameFile(const std::filesystem::path& a, const std::filesystem::path& b);

// Each entry is (what the user called it, e.g. "--csv"; the path). Empty paths
// are skipped. An error names both and says to choose different files.
Result<void> checkDistinctFiles(
    const std::vector<std::pair<std::string, std::filesystem::path>>& files);

} // namespace aiotune
