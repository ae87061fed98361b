#include "check/nvme_path_check.h"

#include "engine/scratch_file.h"
#include "util/byte_size.h"
#include "util/printable_text.h"
#include "util/trusted_path.h"

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <memory>
#include <optional>
#include <set>

#include <sys/stat.h>
#include <unistd.h>

namespace fs = std::filesystem;

namespace aiotune {

namespace {

// Filesystems that several nodes may mount at once: every node's rank 0
// would write the same rank0 swap files.
bool sharedFilesystem(const std::string& fstype) {
    static const std::set<std::string> shared = {"nfs", "nfs4", "cifs", "smb3", "smbfs", "lustre",
                                                 "gpfs", "beegfs", "ceph", "glusterfs", "9p",
                                                 "virtiofs", "afs", "wekafs", "orangefs"};
    return shared.count(fstype) || fstype.rfind("fuse", 0) == 0;
}

std::string quote(const std::string& s) { return "\"" + s + "\""; }

struct SwapUser {
    long pid = 0;
    std::string description; // "pid 4242 (python train.py ...)"
};

// The first process (by pid) with a file open under folder, from
// <procRoot>/<pid>/fd; nullopt when none, or none this user may see.
std::optional<SwapUser> swapFileUser(const fs::path& folder, const std::string& procRoot) {
    std::error_code ec;
    const fs::path real = fs::weakly_canonical(folder, ec);
    if (ec || !fs::is_directory(real, ec)) return std::nullopt;
    const std::string prefix = real.string() + "/";
    std::optional<SwapUser> found;
    for (fs::directory_iterator it(procRoot, ec), end; !ec && it != end; it.increment(ec)) {
        const std::string name = it->path().filename().string();
        if (name.empty() || name.find_first_not_of("0123456789") != std::string::npos) continue;
        const long pid = std::strtol(name.c_str(), nullptr, 10);
        if (found && pid >= found->pid) continue;
        std::error_code fdEc;
        for (fs::directory_iterator fd(it->path() / "fd", fdEc), fdEnd; !fdEc && fd != fdEnd;
             fd.increment(fdEc)) {
            std::error_code linkEc;
            const std::string target = fs::read_symlink(fd->path(), linkEc).string();
            if (linkEc || target.compare(0, prefix.size(), prefix) != 0) continue;
            std::ifstream in(it->path() / "cmdline", std::ios::binary);
            std::string cmd((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
            while (!cmd.empty() && cmd.back() == '\0') cmd.pop_back();
            for (char& c : cmd)
                if (c == '\0') c = ' ';
            if (cmd.size() > 120) cmd = cmd.substr(0, 120) + "...";
            found = SwapUser{pid, "pid " + name + (cmd.empty() ? "" : " (" + printableName(cmd) + ")")};
            break;
        }
    }
    return found;
}

} // namespace

Result<void> probeDirectIo(const std::string& folder) {
    constexpr std::size_t kBytes = 4096;
    auto file = ScratchFile::create(folder, kBytes);
    if (!file) return Error{file.error()};
    std::unique_ptr<void, decltype(&std::free)> buffer(std::aligned_alloc(kBytes, kBytes), &std::free);
    if (!buffer) return makeError("out of memory for a 4 KiB probe buffer");
    auto* bytes = static_cast<unsigned char*>(buffer.get());
    for (std::size_t i = 0; i < kBytes; ++i) bytes[i] = static_cast<unsigned char>((i * 131 + 7) & 0xff);
    if (::pwrite(file->fd(), bytes, kBytes, 0) != static_cast<ssize_t>(kBytes))
        return makeError("an O_DIRECT write of 4 KiB in " + folder + " failed: " + std::strerror(errno));
    std::memset(bytes, 0, kBytes);
    if (::pread(file->fd(), bytes, kBytes, 0) != static_cast<ssize_t>(kBytes))
        return makeError("an O_DIRECT read of 4 KiB in " + folder + " failed: " + std::strerror(errno));
    for (std::size_t i = 0; i < kBytes; ++i)
        if (bytes[i] != static_cast<unsigned char>((i * 131 + 7) & 0xff))
            return makeError("an O_DIRECT read in " + folder + " returned other bytes than were written");
    return {};
}

NvmePathOutcome checkNvmePath(const std::string& path, const std::string& usedBy,
                              const DiscoveryReport& discovery, const NvmePathOptions& options) {
    NvmePathOutcome out;
    const auto add = [&](FindingSeverity s, std::string code, std::string message, std::string fix) {
        out.findings.push_back({s, std::move(code), path, std::move(message), std::move(fix)});
    };
    if (path.empty()) return out; // reported by the config check
    std::error_code ec;
    if (fs::path(path).is_relative())
        add(FindingSeverity::Warning, "NVME_PATH_RELATIVE",
            quote(path) + " (" + usedBy + ") is relative: each rank resolves it against the "
            "folder it was started in, checked here against " + fs::current_path(ec).string(),
            "write the absolute path of a folder on the NVMe drive");

    // DeepSpeed creates missing folders (os.makedirs), so what matters is the
    // nearest folder that exists: the new one lands on its filesystem.
    // Trailing slashes dropped (util/trusted_path.h): "link/" is the link, as "link" is.
    fs::path existing = fs::path(withoutTrailingSlashes(fs::absolute(path, ec).lexically_normal().string()));
    struct stat st {};
    out.exists = ::lstat(existing.c_str(), &st) == 0;
    if (!out.exists) {
        while (existing.has_parent_path() && existing != existing.root_path()) {
            existing = existing.parent_path();
            if (::lstat(existing.c_str(), &st) == 0) break;
        }
    }
    // nvme_path, or the nearest folder that exists (/scratch -> /mnt/nvme0 for
    // /scratch/swap), is a link: DeepSpeed follows it, so the check does too.
    if (S_ISLNK(st.st_mode)) {
        const fs::path link = existing;
        existing = fs::canonical(existing, ec);
        if (ec) {
            add(FindingSeverity::Error, "NVME_PATH_MISSING",
                quote(link.string()) + " is a symbolic link that points nowhere; DeepSpeed fails creating "
                "its swap folder there",
                "point nvme_path at a folder on the NVMe drive");
            return out;
        }
    }
    out.target = inspectFolder(existing.string(), discovery, options.fsSpace);
    FolderTarget& t = out.target;
    const bool blockOrChar = ::stat(existing.c_str(), &st) == 0 && (S_ISBLK(st.st_mode) || S_ISCHR(st.st_mode));

    if (!t.isDirectory && !t.isSymlink) {
        add(FindingSeverity::Error, "NVME_PATH_NOT_FOLDER",
            quote(existing.string()) + (blockOrChar ? " is a device" : " is not a folder") +
                "; DeepSpeed needs a folder there and fails creating its swap files" +
                (blockOrChar ? " (it never swaps to a raw device)" : ""),
            "point nvme_path at a folder on a filesystem mounted from the NVMe drive");
        return out;
    }
    if (!t.usable() && (t.readOnlyMount || !t.writable)) {
        add(FindingSeverity::Error, "NVME_PATH_NOT_WRITABLE",
            quote(existing.string()) +
                (t.readOnlyMount ? " is on a read-only mount (" + t.mountPoint + ")"
                                 : " is not writable by this user") +
                "; DeepSpeed fails " + (out.exists ? "writing swap files" : "creating " + quote(path)),
            "make it writable for the training user, or choose another folder");
        return out;
    }
    if (!out.exists)
        add(FindingSeverity::Warning, "NVME_PATH_WILL_BE_CREATED",
            quote(path) + " does not exist; DeepSpeed will create it under " +
                quote(existing.string()) + (t.disk.empty() ? "" : " on " + t.disk) +
                ": if the NVMe drive is not mounted yet, swaps go to that disk instead",
            "create the folder on the mounted NVMe drive, or correct a typo");

    std::string where = t.disk.empty() ? std::string("an unidentified drive") : t.disk;
    if (!t.device.empty() && t.device != t.disk) where += " (" + t.device + ")";
    add(FindingSeverity::Note, "NVME_PATH_DRIVE",
        quote(path) + " is on " + where + ", " + (t.fstype.empty() ? "unknown filesystem" : t.fstype) +
            (t.mountPoint.empty() ? "" : " mounted at " + t.mountPoint) +
            (t.freeBytes ? ", " + formatByteSizeHuman(*t.freeBytes) + " free" : std::string()),
        "");
    if (t.fstype == "tmpfs" || t.fstype == "ramfs")
        add(FindingSeverity::Warning, "NVME_PATH_NOT_NVME",
            quote(path) + " is in memory (" + t.fstype + "): swapping there uses RAM, not a drive",
            "choose a folder on the NVMe drive");
    else if (!t.disk.empty() && !t.nvme)
        add(FindingSeverity::Warning, "NVME_PATH_NOT_NVME",
            quote(path) + " is on " + t.disk + ", which is not an NVMe drive: swaps will be slower",
            "choose a folder on an NVMe drive if the machine has one");
    if (sharedFilesystem(t.fstype))
        add(FindingSeverity::Warning, "NVME_PATH_SHARED_FS",
            quote(path) + " is on " + t.fstype + ", a filesystem several nodes can mount: ranks "
            "with the same number on different nodes write the same swap files",
            "use a node-local NVMe folder");

    if (options.probeDirectIo) {
        if (auto probe = probeDirectIo(existing.string()); !probe)
            add(FindingSeverity::Error, "NVME_PATH_NO_ODIRECT",
                "O_DIRECT does not work under " + quote(existing.string()) + " (" + probe.error() +
                    "); DeepSpeed's async_io op opens every swap file with O_DIRECT and fails",
                "choose a folder on the NVMe drive's own filesystem (ext4, xfs)");
    }

    // Swap files left by another run, or written by a job running now.
    const fs::path swapDir = fs::path(path) / "zero_stage_3";
    // A process holding files open there is a job using this nvme_path now:
    // a second job's start-up removal (shutil.rmtree of its rank folders,
    // partitioned_param_swapper.py, every release) deletes its live files.
    if (out.exists)
        if (const auto user = swapFileUser(swapDir, options.procRoot))
            add(FindingSeverity::Error, "NVME_PATH_IN_USE",
                quote(path) + " is in use: " + user->description +
                    " has swap files open under " + quote(swapDir.string()) +
                    ". A job started with this config removes its rank folders there at start-up, "
                    "deleting the running job's live files; it then fails on short reads",
                "give this job its own nvme_path, or wait for pid " + std::to_string(user->pid) +
                    " to end");
    if (out.exists && fs::is_directory(swapDir, ec)) {
        bool any = false;
        for (fs::recursive_directory_iterator it(swapDir, fs::directory_options::skip_permission_denied, ec), end;
             !ec && it != end; it.increment(ec))
            if (it->is_regular_file(ec)) {
                any = true;
                break;
            }
        if (any)
            // partitioned_param_swapper.py removes its rank folder at every start
            // (shutil.rmtree, every release); since v0.16.0 a read no longer needs
            // the file to match the buffer, and from v0.17.1 it stops only on a
            // file shorter than the read (csrc/aio/py_lib/deepspeed_py_io_handle.cpp).
            add(FindingSeverity::Warning, "NVME_PATH_STALE_SWAP",
                quote(swapDir.string()) +
                    " holds swap files. An earlier run's are harmless (DeepSpeed "
                    "removes the parameter folder when it starts) but take space; if a job is "
                    "using this "
                    "nvme_path now, a second job started here deletes its live files and it fails "
                    "on "
                    "short reads (\"buffer nbytes != file bytes\" before 0.16.0, \"file_offset + "
                    "buffer "
                    "nbytes > file bytes\" from 0.17.1). The same message also comes from O_DIRECT "
                    "writes "
                    "that failed unchecked: a full drive, or logical blocks above 1024 bytes",
                "give each concurrent job its own nvme_path; delete " + quote(swapDir.string()) +
                    " only when no job uses it");
    }
    return out;
}

} // namespace aiotune
