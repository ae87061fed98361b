#include "devices/folder_target.h"

#include "util/trusted_path.h"

#include <filesystem>

#include <sys/stat.h>
#include <unistd.h>

namespace fs = std::filesystem;

namespace aiotune {

namespace {

void describeMount(FolderTarget& t, const DiscoveryReport& discovery) {
    const MountEntry* m = discovery.mounts.findForPath(t.resolvedPath);
    if (!m) return;
    t.mountPoint = m->mountPoint;
    t.fstype = m->fstype;
    t.mountSource = m->source;
    t.readOnlyMount = m->readOnly();
    for (const auto& d : discovery.devices)
        for (const auto& dm : d.mounts)
            if (dm.mountId == m->mountId) {
                t.device = dm.source;
                t.disk = d.name;
                t.nvme = d.nvme;
                return;
            }
}

} // namespace

FolderTarget inspectFolder(const std::string& path, const DiscoveryReport& discovery,
                           const FsSpaceFn& fsSpace) {
    FolderTarget t;
    t.path = path;
    if (path.empty()) {
        t.problem = "no folder given: pick a folder on the drive to test";
        return t;
    }
    std::error_code ec;
    // Without trailing slashes: lstat("link/") would follow the link.
    const std::string trimmed = withoutTrailingSlashes(path);
    const fs::path absolute = fs::absolute(trimmed, ec);
    const std::string shown = "\"" + path + "\"";

    struct stat link {};
    if (ec || ::lstat(absolute.c_str(), &link) != 0) {
        t.resolvedPath = absolute.lexically_normal().string();
        describeMount(t, discovery);
        t.problem = "folder " + shown + " does not exist: create it first or pick another folder";
        return t;
    }
    t.exists = true;
    t.isSymlink = S_ISLNK(link.st_mode);
    t.resolvedPath = fs::canonical(absolute, ec).string();
    if (ec) t.resolvedPath = absolute.lexically_normal().string();
    struct stat target {};
    const bool targetOk = ::stat(absolute.c_str(), &target) == 0;
    t.isBlockDevice = targetOk && S_ISBLK(target.st_mode);
    t.isDirectory = !t.isSymlink && S_ISDIR(link.st_mode);
    describeMount(t, discovery);

    if (t.isSymlink) {
        // Refused rather than followed: the user should see, and name, the
        // drive that will really be written.
        t.problem = shown + " is a symbolic link" +
                    (targetOk ? " to \"" + t.resolvedPath + "\"" : std::string(" that points nowhere")) +
                    ": pick the real folder instead";
        return t;
    }
    if (t.isBlockDevice) {
        t.problem = shown + " is a block device: aiotune never writes to a raw device; pick a "
                            "folder on a filesystem mounted from it";
        return t;
    }
    if (!t.isDirectory) {
        t.problem = shown + " is not a folder: pick a folder on the drive to test";
        return t;
    }

    if (fsSpace)
        if (const auto space = fsSpace(t.resolvedPath)) {
            t.freeBytes = space->freeBytes;
            t.totalBytes = space->totalBytes;
        }

    t.writable = !t.readOnlyMount && ::access(t.resolvedPath.c_str(), W_OK | X_OK) == 0;
    if (t.readOnlyMount) {
        t.problem = shown + " is on a read-only mount (" + t.mountPoint +
                    "): pick a folder on a read-write filesystem";
        return t;
    }
    if (!t.writable) {
        t.problem = shown + " is not writable by this user: change its permissions or pick "
                            "another folder";
        return t;
    }

    if (t.fstype == "tmpfs" || t.fstype == "ramfs" || t.fstype == "devtmpfs")
        t.warnings.push_back(memoryFolderWarning(shown, t.fstype));
    else if (!t.disk.empty() && !t.nvme)
        t.warnings.push_back(shown + " is on " + t.disk + ", which is not an NVMe drive");
    else if (t.mountPoint.empty() || t.disk.empty())
        t.warnings.push_back("the drive holding " + shown + " could not be identified");
    return t;
}

FolderTarget inspectFolder(const std::string& path, const DiscoveryOptions& options) {
    DiscoveryOptions all = options;
    all.includeVirtual = true; // a folder on a loop device still needs its device named
    all.fsSpace = nullptr;     // only the folder's own filesystem is queried
    auto discovery = DeviceDiscovery(all).discover();
    DiscoveryReport report;
    if (discovery) report = std::move(discovery).value();
    else {
        auto mounts = MountTable::load(options.procRoot);
        if (mounts) report.mounts = std::move(mounts).value();
    }
    FolderTarget t = inspectFolder(path, report, options.fsSpace);
    if (!discovery) t.warnings.push_back(discovery.error());
    return t;
}

} // namespace aiotune
