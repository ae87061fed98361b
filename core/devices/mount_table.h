#pragma once
// The mount table as the kernel reports it in <procRoot>/self/mountinfo:
// which filesystem is mounted where, from which device, read-only or not.
#include "util/result.h"

#include <string>
#include <string_view>
#include <vector>

namespace aiotune {

struct MountEntry {
    int mountId = 0;
    int parentId = 0;
    unsigned major = 0;           // st_dev of the filesystem: matches a block device's "dev"
    unsigned minor = 0;
    std::string root;             // the subtree of the filesystem mounted here ("/" unless bind)
    std::string mountPoint;       // decoded: "\040" is already a space
    std::string options;          // per-mount options: "rw,relatime"
    std::string fstype;           // "ext4", "xfs", "tmpfs"
    std::string source;           // decoded: "/dev/nvme0n1p1"
    std::string superOptions;     // per-superblock options: "rw,discard"

    // True when either the mount or its superblock is mounted "ro".
    bool readOnly() const;
};

class MountTable {
public:
    // Parses mountinfo text. Lines that do not have the documented shape are
    // skipped (and counted) rather than failing the whole table: one odd line
    // from a future kernel must not hide every drive.
    static MountTable parse(std::string_view text);
    // Reads <procRoot>/self/mountinfo.
    static Result<MountTable> load(const std::string& procRoot = "/proc");

    const std::vector<MountEntry>& entries() const { return m_entries; }
    int skippedLines() const { return m_skippedLines; }

    // The mount that holds an absolute, already-resolved path: the longest
    // mount point that is a whole-component prefix of it. When a mount point
    // is mounted over, the later (top) entry wins. nullptr for relative paths
    // or an empty table.
    const MountEntry* findForPath(std::string_view absolutePath) const;

private:
    std::vector<MountEntry> m_entries;
    int m_skippedLines = 0;
};

// Undoes the kernel's octal escapes in mountinfo fields ("\040" space,
// "\011" tab, "\012" newline, "\134" backslash). Other text is kept as is.
std::string decodeMountEscapes(std::string_view field);

} // namespace aiotune
