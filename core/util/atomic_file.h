#pragma once
// Writing user files so that a crash, a full disk or a second writer never
// leaves a half-written or silently overwritten file: the new bytes go to a
// temporary file in the same folder (created with O_EXCL), are fsynced, and
// are renamed over the target; the original is kept as <file>.bak[.N].
#include "util/result.h"

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>

#include <sys/types.h>

namespace aiotune {

enum class ExistingFilePolicy {
    Refuse,             // a target that exists is an error (never overwrite a user file)
    ReplaceKeepBackup,  // replace it, first copying its bytes to a fresh <file>.bak[.N]
    Replace,            // replace it without a backup: only for aiotune's own files (logs)
};

struct AtomicWriteOptions {
    ExistingFilePolicy existing = ExistingFilePolicy::Refuse;
    // When set, the target must exist and still hold exactly these bytes: a
    // window that showed a diff against them must not clobber a later edit.
    std::optional<std::string> expectedOriginal;
    // Flush data and folder to disk before returning (survives a machine
    // crash). A killed process loses nothing either way: the rename is atomic.
    bool durable = true;
    // A target without any write permission bit (0444) is refused unless this
    // is set (the user's --force): its owner marked it as not to be changed.
    bool replaceReadOnly = false;
    // Remove a killed earlier write's temporaries of this file first
    // (removeStaleAtomicWriteTemps). Off for a sweep's per-point log writes:
    // listing a folder of thousands of logs at every point would make a
    // sweep quadratic; LogFolderWriter cleans its folders once, at create().
    bool removeStaleTemps = true;
};

struct AtomicWriteOutcome {
    std::filesystem::path written;
    std::optional<std::filesystem::path> backup; // set when an existing file was replaced
};

// Writes contents to target atomically (temp file + fsync + rename + fsync of
// the folder). Refuses symlinks and anything that is not a regular file. A
// replaced file keeps its mode, owner and group.
Result<AtomicWriteOutcome> writeFileAtomically(const std::filesystem::path& target,
                                               std::string_view contents,
                                               const AtomicWriteOptions& options = {});

// Whether a file name is one of this writer's temporaries
// (".<name>.aiotune-<host>-<pid>-<hex>.tmp"; older versions wrote
// ".<name>.aiotune-<hex>.tmp"), which only a killed writer leaves behind.
bool isAtomicWriteTempName(std::string_view fileName);

// Who wrote a temporary: pid 0 for the older names that do not say.
struct AtomicWriteTempOwner {
    std::string host;
    pid_t pid = 0;
};
std::optional<AtomicWriteTempOwner> atomicWriteTempOwner(std::string_view fileName);

// Removes the temporaries a killed writer left in folder (those of forFile
// only, when given): written on this host by a process that no longer exists,
// or in the older format without an owner. A live writer's temporary, and
// another host's, stay. Returns how many went.
int removeStaleAtomicWriteTemps(const std::filesystem::path& folder, std::string_view forFile = {});

// Ok when target is a regular file (not a symlink) that a replace could write;
// otherwise an error naming the path and what to do.
Result<void> checkReplaceableFile(const std::filesystem::path& target);

// The first of <file>.bak, <file>.bak.1, <file>.bak.2 ... that does not exist
// (a candidate only: the writer creates it with O_EXCL and moves on if it lost a race).
std::filesystem::path firstFreeBackupPath(const std::filesystem::path& file);

// A whole (small) regular file as bytes; errors name the file. Devices
// (/dev/zero), FIFOs, sockets and folders are refused before anything is read,
// and maxBytes guards against pointing a config dialog at a disk image.
Result<std::string> readWholeFile(const std::filesystem::path& file,
                                  std::uint64_t maxBytes = 64ull << 20);

} // namespace aiotune
