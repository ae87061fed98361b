#pragma once
// One rule for following symbolic links in paths aiotune writes under, the
// rule the kernel applies with fs.protected_symlinks=1 (which some machines
// leave at 0): a link inside a folder that others can write to (sticky or
// world-writable, such as /tmp or a shared /shared) is followed only when it
// belongs to this user or to the folder's owner. Anyone else's link there may
// have been planted to send root's writes elsewhere, so it is refused with a
// message naming the link and its owner.
#include "util/result.h"

#include <filesystem>
#include <vector>
#include <string>

namespace aiotune {

// The absolute path with every link resolved, each one checked by the rule;
// the part that does not exist yet is appended as written ("a/b/" and "a/b"
// resolve alike). Errors name the link, its owner and the folder.
Result<std::filesystem::path> resolveTrustedPath(const std::filesystem::path& path);

struct CreatedFolder {
    std::filesystem::path resolved; // absolute, links resolved
    bool created = false;           // the folder itself did not exist and was made here
    std::vector<std::filesystem::path> made; // every folder made here, outermost first
};

// resolveTrustedPath, then each missing folder made with mkdirat() and every
// component opened with O_NOFOLLOW from "/", so a link swapped in after the
// check is refused rather than followed. An existing non-folder is an error.
Result<CreatedFolder> createFolderNoFollow(const std::filesystem::path& path);

// The one rule for reading a folder path in every command: trailing slashes
// are dropped ("link/" and "link" both name the link itself, so lstat sees a
// symbolic link and its refusal is not bypassed by a slash); "/" stays "/".
std::string withoutTrailingSlashes(std::string path);

// "uid 1001 (bob)" for messages.
std::string describeUser(unsigned uid);

} // namespace aiotune
