#include "config/deepspeed_install.h"

#include "util/atomic_file.h"

#include <algorithm>
#include <cctype>
#include <cstdlib>

namespace aiotune {

namespace fs = std::filesystem;

namespace {

// Metadata files are small; a larger one is not what it claims to be.
constexpr std::uint64_t kMaxMetadataBytes = 1ull << 20;

// The folders matching prefix/lib/python3*/<leaf>, newest Python first.
std::vector<fs::path> pythonLibDirs(const fs::path& prefix, const char* leaf) {
    std::vector<fs::path> found;
    std::error_code ec;
    for (fs::directory_iterator it(prefix / "lib", ec), end; !ec && it != end; it.increment(ec)) {
        const std::string name = it->path().filename().string();
        if (name.rfind("python3", 0) == 0) found.push_back(it->path() / leaf);
    }
    std::sort(found.begin(), found.end(),
              [](const fs::path& a, const fs::path& b) { return a.string() > b.string(); });
    return found;
}

fs::path under(const fs::path& root, const std::string& absolute) {
    return root / fs::path(absolute).relative_path();
}

// "Version: 0.16.4" in METADATA / PKG-INFO; "version='0.16.4'" in git_version_info.py.
std::optional<DeepSpeedVersion> versionIn(const std::string& text, bool python) {
    std::size_t pos = 0;
    while (pos < text.size()) {
        std::size_t end = text.find('\n', pos);
        if (end == std::string::npos) end = text.size();
        std::string_view line(text.data() + pos, end - pos);
        pos = end + 1;
        if (!python) {
            if (line.rfind("Version:", 0) != 0) continue;
            line.remove_prefix(8);
        } else {
            if (line.rfind("version", 0) != 0) continue;
            line.remove_prefix(7);
            while (!line.empty() && (line.front() == ' ' || line.front() == '='))
                line.remove_prefix(1);
            if (line.empty() || (line.front() != '\'' && line.front() != '"')) continue;
            const char q = line.front();
            line.remove_prefix(1);
            line = line.substr(0, line.find(q));
        }
        if (auto v = DeepSpeedVersion::parse(line); v.ok()) return *v;
        return std::nullopt;
    }
    return std::nullopt;
}

std::optional<InstalledDeepSpeed> inPackageDir(const fs::path& dir) {
    std::error_code ec;
    std::vector<fs::path> candidates;
    for (fs::directory_iterator it(dir, ec), end; !ec && it != end; it.increment(ec)) {
        const std::string name = it->path().filename().string();
        const std::string lower = [&] {
            std::string s = name;
            for (char& c : s)
                c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
            return s;
        }();
        if (lower.rfind("deepspeed-", 0) != 0) continue;
        if (name.size() > 10 && name.ends_with(".dist-info"))
            candidates.push_back(it->path() / "METADATA");
        else if (name.ends_with(".egg-info"))
            candidates.push_back(it->path() / "PKG-INFO");
    }
    std::sort(candidates.begin(), candidates.end());
    for (const fs::path& file : candidates) {
        auto text = readWholeFile(file, kMaxMetadataBytes);
        if (!text) continue;
        if (auto v = versionIn(*text, false)) return InstalledDeepSpeed{*v, file};
    }
    const fs::path info = dir / "deepspeed" / "git_version_info.py";
    if (fs::is_regular_file(info, ec))
        if (auto text = readWholeFile(info, kMaxMetadataBytes); text)
            if (auto v = versionIn(*text, true)) return InstalledDeepSpeed{*v, info};
    return std::nullopt;
}

} // namespace

PythonSearch PythonSearch::fromEnvironment() {
    PythonSearch s;
    if (const char* v = std::getenv("VIRTUAL_ENV")) s.virtualEnv = v;
    if (const char* v = std::getenv("CONDA_PREFIX")) s.condaPrefix = v;
    if (const char* v = std::getenv("HOME")) s.home = v;
    return s;
}

std::vector<fs::path> PythonSearch::packageDirs() const {
    std::vector<fs::path> dirs;
    const auto add = [&](const std::vector<fs::path>& more) {
        dirs.insert(dirs.end(), more.begin(), more.end());
    };
    if (!virtualEnv.empty() && virtualEnv.front() == '/')
        add(pythonLibDirs(under(root, virtualEnv), "site-packages"));
    if (!condaPrefix.empty() && condaPrefix.front() == '/')
        add(pythonLibDirs(under(root, condaPrefix), "site-packages"));
    if (!home.empty() && home.front() == '/')
        add(pythonLibDirs(under(root, home) / ".local", "site-packages"));
    add(pythonLibDirs(under(root, "/usr/local"), "dist-packages"));
    add(pythonLibDirs(under(root, "/usr/local"), "site-packages"));
    dirs.push_back(under(root, "/usr/lib/python3/dist-packages"));
    add(pythonLibDirs(under(root, "/usr"), "site-packages"));
    add(pythonLibDirs(under(root, "/opt/conda"), "site-packages"));
    return dirs;
}

std::optional<InstalledDeepSpeed> findInstalledDeepSpeed(const PythonSearch& search) {
    for (const fs::path& dir : search.packageDirs())
        if (auto found = inPackageDir(dir)) return found;
    return std::nullopt;
}

Result<DeepSpeedTarget> chooseDeepSpeedTarget(std::string_view given, const PythonSearch& search) {
    if (!given.empty()) {
        auto v = DeepSpeedVersion::parse(given);
        if (!v) return Error{v.error()};
        if (v->everyRelease)
            return DeepSpeedTarget{
                *v, "every DeepSpeed release (--deepspeed_version " + std::string(given) +
                        "): both thread_count and intra_op_parallelism are written"};
        return DeepSpeedTarget{*v, "DeepSpeed " + v->toString() + " (--deepspeed_version)"};
    }
    if (auto installed = findInstalledDeepSpeed(search))
        return DeepSpeedTarget{installed->version,
                               "DeepSpeed " + installed->version.toString() +
                                   " (installed: " + installed->metadata.string() + ")"};
    return DeepSpeedTarget{
        DeepSpeedVersion::forEveryRelease(),
        "every DeepSpeed release (no installed DeepSpeed found): both thread_count "
        "(read up to 0.16.3) and intra_op_parallelism (0.16.4 and later) are written; "
        "pass --deepspeed_version to write one"};
}

} // namespace aiotune
