#include "util/trusted_path.h"
#include "util/printable_text.h"

#include <cerrno>
#include <cstring>
#include <deque>
#include <fcntl.h>
#include <pwd.h>
#include <sys/stat.h>
#include <unistd.h>

namespace aiotune {

namespace fs = std::filesystem;

namespace {

// Linux gives up after 40 links in one lookup (ELOOP); so do we.
constexpr int kMaxLinks = 40;

// A user's name in a message: one line, its control characters escaped.
std::string quoted(const fs::path& p) { return "\"" + printableName(p.string()) + "\""; }

std::deque<std::string> componentsOf(const fs::path& path) {
    std::deque<std::string> out;
    for (const auto& part : path) {
        const std::string s = part.string();
        if (s.empty() || s == "/" || s == ".") continue;
        out.push_back(s);
    }
    return out;
}

// The rule itself (see the header); folder is the stat of the folder holding the link.
Result<void> checkLink(const fs::path& link, const struct stat& linkStat, const fs::path& folder,
                       const struct stat& folderStat) {
    const bool othersWrite = (folderStat.st_mode & S_ISVTX) || (folderStat.st_mode & S_IWOTH);
    if (!othersWrite) return {};
    if (linkStat.st_uid == ::geteuid() || linkStat.st_uid == folderStat.st_uid) return {};
    return makeError(quoted(link) + " is a symbolic link owned by " +
                     describeUser(linkStat.st_uid) + " in " + quoted(folder) +
                     ", a folder others can write to (" +
                     ((folderStat.st_mode & S_ISVTX) ? "sticky" : "world-writable") +
                     "); aiotune does not follow such links (the kernel's fs.protected_symlinks "
                     "rule), as it may point anywhere: remove the link or give the real folder");
}

} // namespace

std::string withoutTrailingSlashes(std::string path) {
    while (path.size() > 1 && path.back() == '/')
        path.pop_back();
    return path;
}

std::string describeUser(unsigned uid) {
    std::string text = "uid " + std::to_string(uid);
    struct passwd pw {};
    struct passwd* found = nullptr;
    char buffer[4096];
    if (::getpwuid_r(uid, &pw, buffer, sizeof buffer, &found) == 0 && found && found->pw_name)
        text += std::string(" (") + found->pw_name + ")";
    return text;
}

Result<fs::path> resolveTrustedPath(const fs::path& path) {
    if (path.empty()) return makeError("no path given");
    std::error_code ec;
    const fs::path absolute = fs::absolute(path, ec);
    if (ec) return makeError("cannot resolve " + quoted(path) + ": " + ec.message());
    std::deque<std::string> todo = componentsOf(absolute);
    fs::path current = "/";
    int links = 0;
    while (!todo.empty()) {
        const std::string part = std::move(todo.front());
        todo.pop_front();
        if (part == "..") {
            current = current.parent_path();
            continue;
        }
        const fs::path next = current / part;
        struct stat st {};
        if (::lstat(next.c_str(), &st) != 0) {
            if (errno != ENOENT && errno != ENOTDIR)
                return makeError("cannot inspect " + quoted(next) + ": " + std::strerror(errno));
            fs::path rest = next;
            for (const auto& p : todo)
                rest /= p;
            return rest.lexically_normal();
        }
        if (!S_ISLNK(st.st_mode)) {
            current = next;
            continue;
        }
        struct stat folder {};
        if (::stat(current.c_str(), &folder) != 0)
            return makeError("cannot inspect " + quoted(current) + ": " + std::strerror(errno));
        if (auto ok = checkLink(next, st, current, folder); !ok) return Error{ok.error()};
        if (++links > kMaxLinks)
            return makeError(quoted(path) + " goes through more than " + std::to_string(kMaxLinks) +
                             " symbolic links (a loop?): give the real folder");
        const fs::path target = fs::read_symlink(next, ec);
        if (ec) return makeError("cannot read the link " + quoted(next) + ": " + ec.message());
        std::deque<std::string> parts = componentsOf(target);
        todo.insert(todo.begin(), parts.begin(), parts.end());
        if (target.is_absolute()) current = "/";
    }
    return current;
}

Result<CreatedFolder> createFolderNoFollow(const fs::path& path) {
    // A dangling link or a loop where the folder should be: mkdir would fail
    // on it ("File exists"), and creating its target is not what was asked.
    const std::string trimmed = withoutTrailingSlashes(path.string());
    struct stat linkStat {
    }, targetStat{};
    if (::lstat(trimmed.c_str(), &linkStat) == 0 && S_ISLNK(linkStat.st_mode) &&
        ::stat(trimmed.c_str(), &targetStat) != 0) {
        const int err = errno;
        std::error_code ec;
        const fs::path target = fs::read_symlink(trimmed, ec);
        return makeError(
            quoted(path) + " is a symbolic link " +
            (err == ELOOP
                 ? std::string("in a loop")
                 : "that points nowhere" + (ec ? std::string() : " (to " + quoted(target) + ")")) +
            ": give an existing folder, or remove the link");
    }
    auto resolved = resolveTrustedPath(path);
    if (!resolved) return Error{resolved.error()};
    CreatedFolder out;
    out.resolved = *resolved;
    int dir = ::open("/", O_PATH | O_DIRECTORY | O_CLOEXEC);
    if (dir < 0) return makeError(std::string("cannot open /: ") + std::strerror(errno));
    fs::path walked = "/";
    const std::deque<std::string> parts = componentsOf(out.resolved);
    for (std::size_t i = 0; i < parts.size(); ++i) {
        walked /= parts[i];
        bool made = false;
        int next = ::openat(dir, parts[i].c_str(), O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
        if (next < 0 && errno == ENOENT) {
            if (::mkdirat(dir, parts[i].c_str(), 0777) == 0)
                made = true;
            else if (errno != EEXIST) {
                const int err = errno;
                ::close(dir);
                return makeError("cannot create the folder " + quoted(walked) +
                                 (walked == out.resolved
                                      ? std::string()
                                      : " (on the way to " + quoted(path) + ")") +
                                 ": " + std::strerror(err) + "; choose a writable folder");
            }
            next = ::openat(dir, parts[i].c_str(), O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
        }
        const int err = errno;
        ::close(dir);
        if (next < 0) {
            struct stat st {};
            if (::lstat(walked.c_str(), &st) == 0 && S_ISLNK(st.st_mode))
                return makeError(quoted(walked) + " became a symbolic link (owned by " +
                                 describeUser(st.st_uid) +
                                 ") while aiotune created the folder; "
                                 "it does not follow it: remove the link or give the real folder");
            const std::string of =
                walked == out.resolved ? std::string() : " (on the way to " + quoted(path) + ")";
            if (err == ENOTDIR)
                return makeError(quoted(walked) + of + " is not a folder: choose another path");
            return makeError("cannot open the folder " + quoted(walked) + of + ": " +
                             std::strerror(err));
        }
        dir = next;
        if (made) out.made.push_back(walked);
        if (i + 1 == parts.size()) out.created = made;
    }
    ::close(dir);
    return out;
}

} // namespace aiotune
