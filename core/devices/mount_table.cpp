#include "devices/mount_table.h"

#include <charconv>
#include <fstream>
#include <sstream>

namespace aiotune {

namespace {

std::vector<std::string_view> splitFields(std::string_view line) {
    std::vector<std::string_view> fields;
    std::size_t i = 0;
    while (i < line.size()) {
        while (i < line.size() && (line[i] == ' ' || line[i] == '\t')) ++i;
        const std::size_t start = i;
        while (i < line.size() && line[i] != ' ' && line[i] != '\t') ++i;
        if (i > start) fields.push_back(line.substr(start, i - start));
    }
    return fields;
}

template <typename T> bool parseNumber(std::string_view text, T& out) {
    const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), out);
    return ec == std::errc() && end == text.data() + text.size();
}

bool hasOption(std::string_view options, std::string_view wanted) {
    std::size_t start = 0;
    while (start <= options.size()) {
        std::size_t comma = options.find(',', start);
        if (comma == std::string_view::npos) comma = options.size();
        if (options.substr(start, comma - start) == wanted) return true;
        start = comma + 1;
    }
    return false;
}

// Layout (proc(5)): id parent major:minor root mountpoint options [optional...] - fstype source superoptions
bool parseLine(std::string_view line, MountEntry& entry) {
    const auto f = splitFields(line);
    if (f.size() < 6) return false;
    if (!parseNumber(f[0], entry.mountId) || !parseNumber(f[1], entry.parentId)) return false;
    const auto colon = f[2].find(':');
    if (colon == std::string_view::npos || !parseNumber(f[2].substr(0, colon), entry.major) ||
        !parseNumber(f[2].substr(colon + 1), entry.minor))
        return false;
    entry.root = decodeMountEscapes(f[3]);
    entry.mountPoint = decodeMountEscapes(f[4]);
    entry.options = std::string(f[5]);
    // Optional fields ("shared:1", "master:2", ...) come in any number before the lone "-".
    std::size_t sep = 6;
    while (sep < f.size() && f[sep] != "-") ++sep;
    if (sep + 2 >= f.size()) return false; // needs "-", fstype and source
    entry.fstype = std::string(f[sep + 1]);
    entry.source = decodeMountEscapes(f[sep + 2]);
    entry.superOptions = sep + 3 < f.size() ? std::string(f[sep + 3]) : std::string();
    return true;
}

bool isOctal(char c) { return c >= '0' && c <= '7'; }

} // namespace

bool MountEntry::readOnly() const { return hasOption(options, "ro") || hasOption(superOptions, "ro"); }

std::string decodeMountEscapes(std::string_view field) {
    std::string out;
    out.reserve(field.size());
    for (std::size_t i = 0; i < field.size(); ++i) {
        if (field[i] == '\\' && i + 3 < field.size() && isOctal(field[i + 1]) &&
            isOctal(field[i + 2]) && isOctal(field[i + 3])) {
            out += static_cast<char>((field[i + 1] - '0') * 64 + (field[i + 2] - '0') * 8 +
                                     (field[i + 3] - '0'));
            i += 3;
        } else {
            out += field[i];
        }
    }
    return out;
}

MountTable MountTable::parse(std::string_view text) {
    MountTable table;
    std::size_t start = 0;
    while (start < text.size()) {
        std::size_t end = text.find('\n', start);
        if (end == std::string_view::npos) end = text.size();
        const std::string_view line = text.substr(start, end - start);
        start = end + 1;
        if (line.find_first_not_of(" \t\r") == std::string_view::npos) continue;
        MountEntry entry;
        if (parseLine(line, entry)) table.m_entries.push_back(std::move(entry));
        else ++table.m_skippedLines;
    }
    return table;
}

Result<MountTable> MountTable::load(const std::string& procRoot) {
    const std::string path = procRoot + "/self/mountinfo";
    std::ifstream in(path);
    if (!in)
        return makeError("cannot read the mount table " + path +
                         ": check that /proc is mounted (or pass the right --proc_root)");
    std::ostringstream text;
    text << in.rdbuf();
    return parse(text.str());
}

const MountEntry* MountTable::findForPath(std::string_view path) const {
    if (path.empty() || path.front() != '/') return nullptr;
    const MountEntry* best = nullptr;
    std::size_t bestLength = 0;
    for (const auto& e : m_entries) {
        std::string_view mp = e.mountPoint;
        // "/mnt/x/" and "/mnt/x" name the same mount point.
        while (mp.size() > 1 && mp.back() == '/') mp.remove_suffix(1);
        bool matches = false;
        if (mp == "/") matches = true;
        else if (path.size() >= mp.size() && path.substr(0, mp.size()) == mp)
            matches = path.size() == mp.size() || path[mp.size()] == '/';
        // ">=" so that a later entry on the same mount point (mounted over) wins.
        if (matches && (best == nullptr || mp.size() >= bestLength)) {
            best = &e;
            bestLength = mp.size();
        }
    }
    return best;
}

} // namespace aiotune
