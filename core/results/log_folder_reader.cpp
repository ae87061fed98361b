#include "results/log_folder_reader.h"
#include "config/transfer_limits.h"

#include "util/atomic_file.h"

#include "results/sweep_file.h"
#include "util/byte_size.h"
#include "util/strict_number.h"
#include "results/speed_figure.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <charconv>
#include <cmath>
#include <cstring>
#include <string>
#include <vector>

namespace aiotune {

namespace fs = std::filesystem;

namespace {

// A benchmark's stdout is a few KiB; anything far larger is not one of its logs,
// and reading it whole would only slow the scan down.
constexpr std::size_t kMaxLogBytes = 16u << 20;

constexpr std::string_view kAllocateLine = "tid 0: Allocate tensor of size ";

std::string quote(std::string_view s) {
    return "\"" + std::string(s) + "\"";
}

bool startsWith(std::string_view s, std::string_view prefix) {
    return s.size() >= prefix.size() && s.compare(0, prefix.size(), prefix) == 0;
}

// Digits only, > 0, fits in int.
std::optional<int> positiveInt(std::string_view s) {
    int v = 0;
    if (s.empty()) return std::nullopt;
    const auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
    if (ec != std::errc() || end != s.data() + s.size() || v <= 0) return std::nullopt;
    return v;
}

bool isDigit(char c) {
    return c >= '0' && c <= '9';
}

// Whitespace-separated words, as Python's str.split() (so "\r" goes too).
std::vector<std::string_view> words(std::string_view line) {
    std::vector<std::string_view> out;
    std::size_t i = 0;
    while (i < line.size()) {
        while (i < line.size() && std::isspace(static_cast<unsigned char>(line[i]))) ++i;
        const std::size_t start = i;
        while (i < line.size() && !std::isspace(static_cast<unsigned char>(line[i]))) ++i;
        if (i > start) out.push_back(line.substr(start, i - start));
    }
    return out;
}

// The figure of a metric line "E2E Read Speed = 3.44 GB/sec": exactly the
// name's words, "=", a number and the unit, as DeepSpeed's ds_io prints it;
// the number is the second-to-last word, where DeepSpeed's parser takes it
// (parse_nvme_stats.py get_metric, v0.19.5), read as strictly as its float().
// Anything else (an argument echoed into a line, a cut-off line) is no figure.
Result<double> metricFigure(std::string_view line, std::string_view name, std::string_view unit) {
    const std::vector<std::string_view> w = words(line);
    const std::vector<std::string_view> want = words(name);
    const bool shaped = w.size() == want.size() + 3 && std::equal(want.begin(), want.end(), w.begin()) &&
                        w[want.size()] == "=" && w.back() == unit;
    if (!shaped)
        return makeError("has an \"" + std::string(name) + "\" line that is not a metric line (\"" +
                         std::string(line.substr(0, 120)) + "\"): expected \"" + std::string(name) + " = <number> " +
                         std::string(unit) + "\"");
    auto value = parsePythonFloat(w[w.size() - 2]);
    if (!value)
        return makeError("has an \"" + std::string(name) + "\" line whose figure " + value.error() +
                         " as DeepSpeed's parser (Python's float()) reads it");
    return *value;
}

// The quoted size after `name='` in DeepSpeed's args line, e.g. io_size='400M'.
std::uint64_t quotedSize(std::string_view line, std::string_view name) {
    std::size_t at = line.find(name);
    while (at != std::string_view::npos) {
        // Whole argument name only: "io_size" must not match inside "write_io_size".
        if (at == 0 || line[at - 1] == ' ' || line[at - 1] == '(') break;
        at = line.find(name, at + 1);
    }
    if (at == std::string_view::npos) return 0;
    const std::size_t start = at + name.size();
    const std::size_t end = line.find('\'', start);
    if (end == std::string_view::npos) return 0;
    const auto bytes = parseByteSize(line.substr(start, end - start));
    return bytes ? *bytes : 0;
}

// Reads a whole file into `out` (reused between files to avoid reallocating).
// Returns an empty string on success, else the reason.
// O_NONBLOCK: a FIFO left in the folder must not hang the scan; fstat rejects it.
std::string readWholeFile(const fs::path& file, std::string& out) {
    const int fd = ::open(file.c_str(), O_RDONLY | O_CLOEXEC | O_NONBLOCK);
    if (fd < 0) return std::string("could not be opened: ") + std::strerror(errno);
    struct stat st {};
    if (::fstat(fd, &st) != 0) {
        const int err = errno;
        ::close(fd);
        return std::string("could not be inspected: ") + std::strerror(err);
    }
    if (!S_ISREG(st.st_mode)) {
        ::close(fd);
        return "is not a regular file";
    }
    if (static_cast<std::uint64_t>(st.st_size) > kMaxLogBytes) {
        ::close(fd);
        return "is " + formatByteSizeHuman(static_cast<std::uint64_t>(st.st_size)) +
               ", far too large for a benchmark log; move it out of the log folder";
    }
    out.resize(static_cast<std::size_t>(st.st_size) + 1);
    std::size_t used = 0;
    for (;;) {
        if (used == out.size()) out.resize(out.size() * 2); // the file grew while we read
        const ssize_t n = ::read(fd, out.data() + used, out.size() - used);
        if (n < 0) {
            if (errno == EINTR) continue;
            const int err = errno;
            ::close(fd);
            return std::string("could not be read: ") + std::strerror(err);
        }
        if (n == 0) break;
        used += static_cast<std::size_t>(n);
        if (used > kMaxLogBytes) {
            ::close(fd);
            return "grew past " + formatByteSizeHuman(kMaxLogBytes) + " while being read";
        }
    }
    ::close(fd);
    out.resize(used);
    return {};
}

// Why a name that is not a log is there, in words a user recognizes.
std::string notALogReason(std::string_view name) {
    if (isAtomicWriteTempName(name))
        return "temporary file of a write that was interrupted; delete it";
    if (!name.empty() && name.back() == '~') return "editor backup file, not a benchmark log";
    if (!name.empty() && name.front() == '.') return "hidden file, not a benchmark log";
    return "not a benchmark log: DeepSpeed's logs are named like "
           "read_block_overlap_ftd1_d32_bs1M_p8.txt";
}

bool isDir(const fs::path& p) {
    std::error_code ec;
    return fs::is_directory(p, ec);
}

bool isFile(const fs::path& p) {
    std::error_code ec;
    return fs::is_regular_file(p, ec);
}

} // namespace

Result<LogFileName> LogFolderReader::parseFileName(std::string_view fileName) {
    if (fileName.size() <= 4 || fileName.substr(fileName.size() - 4) != ".txt")
        return makeError(notALogReason(fileName));
    const std::string_view stem = fileName.substr(0, fileName.size() - 4);

    LogFileName out;
    std::optional<bool> single, overlap;
    std::optional<int> folders, depth, threads;
    std::optional<std::uint64_t> block;
    bool sawFtd = false, sawT = false, sawGds = false;
    std::size_t pos = 0;
    bool first = true;
    while (pos <= stem.size()) {
        std::size_t end = stem.find('_', pos);
        if (end == std::string_view::npos) end = stem.size();
        const std::string_view tag = stem.substr(pos, end - pos);
        pos = end + 1;
        const auto duplicate = [&](std::string_view what) {
            return makeError("tag " + quote(tag) + " repeats the " + std::string(what) +
                             ": the name is ambiguous");
        };
        if (first) {
            first = false;
            if (tag == "read")
                out.op = IoOp::Read;
            else if (tag == "write")
                out.op = IoOp::Write;
            else
                return makeError("name does not start with \"read_\" or \"write_\": " +
                                 notALogReason(fileName));
            continue;
        }
        if (tag.empty()) return makeError("empty tag (two underscores in a row)");
        if (tag == "single" || tag == "block") {
            if (single) return duplicate("submit mode");
            single = tag == "single";
        } else if (tag == "overlap" || tag == "sequential") {
            if (overlap) return duplicate("overlap mode");
            overlap = tag == "overlap";
        } else if (tag == "gds") {
            if (sawGds) return duplicate("gds flag");
            sawGds = true;
        } else if (startsWith(tag, "ftd") && positiveInt(tag.substr(3))) {
            if (sawT)
                return makeError("has both a t<N> and an ftd<N> tag: mixes two naming schemes");
            if (folders) return duplicate("folder count");
            folders = positiveInt(tag.substr(3));
            sawFtd = true;
        } else if (startsWith(tag, "bs")) {
            const auto bytes = parseByteSize(tag.substr(2));
            if (!bytes || *bytes == 0)
                return makeError("block size tag " + quote(tag) +
                                 " is not a size such as bs128K or bs1M");
            if (block) return duplicate("block size");
            block = *bytes;
        } else if (tag.size() > 1 && tag[0] == 't' && positiveInt(tag.substr(1))) {
            if (sawFtd)
                return makeError("has both a t<N> and an ftd<N> tag: mixes two naming schemes");
            if (folders) return duplicate("process count");
            folders = positiveInt(tag.substr(1));
            sawT = true;
        } else if (tag.size() > 1 && tag[0] == 'p' && positiveInt(tag.substr(1))) {
            if (threads) return duplicate("thread count");
            threads = positiveInt(tag.substr(1));
        } else if (tag.size() > 1 && tag[0] == 'd' && positiveInt(tag.substr(1))) {
            if (depth) return duplicate("queue depth");
            depth = positiveInt(tag.substr(1));
        } else if (tag.size() > 2 && isDigit(tag[0]) && tag.substr(tag.size() - 2) == "MB" &&
                   positiveInt(tag.substr(0, tag.size() - 2))) {
            if (out.ioBytes != 0) return duplicate("transfer size");
            out.ioBytes = static_cast<std::uint64_t>(*positiveInt(tag.substr(0, tag.size() - 2)))
                          << 20;
        } else {
            return makeError(
                "unknown tag " + quote(tag) +
                ": expected read/write, single/block, overlap/sequential, t<N>, ftd<N>, "
                "p<N>, d<N>, bs<size> or <N>MB");
        }
    }
    out.scheme = sawFtd             ? LogFileName::Scheme::D
                 : out.ioBytes != 0 ? LogFileName::Scheme::APrime
                 : sawT             ? LogFileName::Scheme::C
                                    : LogFileName::Scheme::D;
    // Absent tags mean the sweep's defaults (core/deepspeed-formats.md §2); only the
    // overlap default depends on the scheme.
    AioConfig& aio = out.key.aio;
    aio.single_submit = single.value_or(false);
    aio.overlap_events = overlap.value_or(out.scheme == LogFileName::Scheme::D);
    aio.queue_depth = depth.value_or(1);
    aio.block_size = block.value_or(1u << 20);
    aio.intra_op_parallelism = threads.value_or(1);
    aio.use_gds = sawGds;
    out.key.folders = folders.value_or(1);
    // A setting outside the aio limits (a block of 3 bytes) must never be ranked,
    // or it becomes an answer export cannot write.
    if (auto ok = checkAioLimits(aio); !ok) return makeError("names a setting aiotune will not export: " + ok.error());
    return out;
}

LogFileFigures LogFolderReader::parseBody(std::string_view body, IoOp op) {
    const std::string_view speed = op == IoOp::Read ? "E2E Read Speed" : "E2E Write Speed";
    const std::string_view latency = op == IoOp::Read ? "E2E Read Latency" : "E2E Write Latency";
    LogFileFigures f;
    std::size_t pos = 0;
    while (pos < body.size()) {
        std::size_t nl = body.find('\n', pos);
        if (nl == std::string_view::npos) nl = body.size();
        std::string_view line = body.substr(pos, nl - pos);
        pos = nl + 1;
        if (line.empty()) continue;
        // Cheap first-character test: almost every line is skipped here.
        if (line[0] == 'E') {
            // The first line of each kind counts, as in DeepSpeed's parser.
            if (!f.e2eGiBps && f.speedProblem.empty() && startsWith(line, speed)) {
                auto v = metricFigure(line, speed, "GB/sec");
                if (!v) f.speedProblem = v.error();
                else if (const std::string why = speedFigureProblem(*v); !why.empty())
                    f.speedProblem = "has an \"" + std::string(speed) + "\" figure that " + why +
                                     ": not a speed aiotune can use";
                else f.e2eGiBps = *v;
            } else if (!f.e2eSeconds && startsWith(line, latency)) {
                if (auto v = metricFigure(line, latency, "sec"); v && secondsFigureProblem(*v).empty())
                    f.e2eSeconds = *v;
            }
            if ((f.e2eGiBps || !f.speedProblem.empty()) && f.e2eSeconds) break;
        } else if (line[0] == 'a' && f.ioBytes == 0 && startsWith(line, "args = Namespace(")) {
            f.ioBytes = quotedSize(line, "io_size='");
            if (f.ioBytes == 0)
                f.ioBytes = quotedSize(line, op == IoOp::Read ? "read_size='" : "write_size='");
        } else if (line[0] == 't' && f.ioBytes == 0 && startsWith(line, kAllocateLine)) {
            // Read logs of DeepSpeed 0.4 name no size in their args; thread 0 says it.
            std::uint64_t v = 0;
            const std::string_view rest = line.substr(kAllocateLine.size());
            const auto [end, ec] = std::from_chars(rest.data(), rest.data() + rest.size(), v);
            if (ec == std::errc() && end != rest.data()) f.ioBytes = v;
        }
    }
    return f;
}

Result<fs::path> LogFolderReader::resolveLogDir(const fs::path& folder) {
    const std::string hint = "point aiotune at the folder that holds " + std::string(kReadLogDir) +
                             " and " + std::string(kWriteLogDir) +
                             " (DeepSpeed's --log_dir, by default " + std::string(kDefaultLogDir) +
                             ")";
    std::error_code ec;
    const fs::file_status st = fs::status(folder, ec);
    if (ec || !fs::exists(st))
        return makeError("log folder " + quote(folder.string()) + " does not exist: " + hint);
    if (!fs::is_directory(st))
        return makeError(quote(folder.string()) + " is a file, not a log folder: " + hint);

    fs::path dir = folder.lexically_normal();
    if (!dir.has_filename()) dir = dir.parent_path(); // "logs/" -> "logs"
    const std::string name = dir.filename().string();
    if (name == kReadLogDir || name == kWriteLogDir) {
        // Pointed at one subfolder: read both, from their parent.
        fs::path parent = dir.parent_path();
        return parent.empty() ? fs::path(".") : parent;
    }
    if (isDir(dir / kReadLogDir) || isDir(dir / kWriteLogDir) || isFile(dir / kSweepFileName))
        return dir;
    if (isDir(dir / kDefaultLogDir)) return resolveLogDir(dir / kDefaultLogDir);
    return makeError(quote(folder.string()) + " holds neither " + std::string(kReadLogDir) +
                     " nor " + std::string(kWriteLogDir) + " nor an aiotune " +
                     std::string(kSweepFileName) + ": " + hint);
}

Result<ResultSet> LogFolderReader::read(const fs::path& folder) const {
    auto dir = resolveLogDir(folder);
    if (!dir) return makeError(dir.error());
    const fs::path sweepFile = *dir / kSweepFileName;
    if (!isFile(sweepFile)) return readDeepSpeedLogs(*dir);

    std::string text;
    std::string problem = readWholeFile(sweepFile, text);
    if (problem.empty()) {
        auto parsed = parseSweepFileText(text, sweepFile.string());
        if (parsed) return parsed;
        problem = parsed.error();
    } else {
        problem = sweepFile.string() + " " + problem;
    }
    // A damaged sweep.json (say, a disk that filled up) should not hide the
    // DeepSpeed logs written beside it: use them and say why.
    auto logs = readDeepSpeedLogs(*dir);
    if (!logs) return makeError(problem + "; and the DeepSpeed logs: " + logs.error());
    logs->skipped.insert(logs->skipped.begin(), SkippedFile{std::string(kSweepFileName), problem});
    return logs;
}

Result<ResultSet> LogFolderReader::readDeepSpeedLogs(const fs::path& folder) const {
    auto resolved = resolveLogDir(folder);
    if (!resolved) return makeError(resolved.error());
    const fs::path dir = *resolved;

    ResultSet rs;
    rs.engine = "deepspeed";
    rs.source = "DeepSpeed log folder " + dir.string();

    // Collected first and grouped once at the end: inserting into the sorted
    // configuration list file by file is quadratic on 10,000-file folders.
    std::vector<std::pair<ConfigKey, Sample>> found;
    std::string buffer;
    buffer.reserve(64 * 1024);
    std::size_t filesSeen = 0;
    bool anySubdir = false;

    for (const IoOp folderOp : {IoOp::Read, IoOp::Write}) {
        const std::string_view subName = folderOp == IoOp::Read ? kReadLogDir : kWriteLogDir;
        const fs::path sub = dir / subName;
        if (!isDir(sub)) continue;
        anySubdir = true;

        std::vector<std::string> names;
        names.reserve(1024);
        std::error_code ec;
        for (fs::directory_iterator it(sub, ec), end; !ec && it != end; it.increment(ec))
            names.push_back(it->path().filename().string());
        if (ec) {
            rs.skipped.push_back({std::string(subName), "could not be listed: " + ec.message()});
            continue;
        }
        // Directory order is arbitrary; sorted names make loop indices and
        // skipped lists the same on every run.
        std::sort(names.begin(), names.end());
        filesSeen += names.size();

        for (const std::string& name : names) {
            const std::string rel = std::string(subName) + "/" + name;
            const fs::path path = sub / name;
            auto parsed = parseFileName(name);
            if (!parsed) {
                rs.skipped.push_back({rel, parsed.error()});
                continue;
            }
            if (parsed->op != folderOp) {
                rs.skipped.push_back({rel, "is a " + std::string(ioOpName(parsed->op)) +
                                               " log inside " + std::string(subName) +
                                               "; move it to the " +
                                               std::string(ioOpName(parsed->op)) + " folder"});
                continue;
            }
            if (std::string problem = readWholeFile(path, buffer); !problem.empty()) {
                rs.skipped.push_back({rel, problem});
                continue;
            }
            const LogFileFigures fig = parseBody(buffer, folderOp);
            if (!fig.e2eGiBps && !fig.speedProblem.empty()) {
                rs.skipped.push_back({rel, fig.speedProblem});
                continue;
            }
            if (!fig.e2eGiBps) {
                rs.skipped.push_back(
                    {rel,
                     std::string("has no \"") +
                         (folderOp == IoOp::Read ? "E2E Read Speed" : "E2E Write Speed") +
                         "\" line: the run failed or was cut short; rerun this configuration"});
                continue;
            }
            Sample s;
            s.op = folderOp;
            s.bytes = fig.ioBytes != 0 ? fig.ioBytes : parsed->ioBytes;
            s.gibPerSec = *fig.e2eGiBps;
            if (fig.e2eSeconds)
                s.seconds = *fig.e2eSeconds;
            else if (s.bytes != 0 && s.gibPerSec > 0.0)
                s.seconds = static_cast<double>(s.bytes) / (1024.0 * 1024.0 * 1024.0) / s.gibPerSec;
            s.sourceFile = rel;
            found.emplace_back(parsed->key, std::move(s));
        }
    }

    // Stable: within one configuration, files keep their sorted-name order,
    // reads before writes, and loop indices count up in that order.
    std::stable_sort(found.begin(), found.end(),
                     [](const auto& a, const auto& b) { return a.first < b.first; });
    rs.configs.reserve(found.size() / 2 + 1);
    for (auto& [key, sample] : found) {
        if (rs.configs.empty() || rs.configs.back().key != key) {
            rs.configs.emplace_back();
            rs.configs.back().key = key;
        }
        ConfigResult& c = rs.configs.back();
        sample.loop =
            static_cast<int>(std::count_if(c.samples.begin(), c.samples.end(),
                                           [op = sample.op](const Sample& x) { return x.op == op; }));
        c.samples.push_back(std::move(sample));
    }
    for (ConfigResult& c : rs.configs)
        c.recompute();

    if (!anySubdir)
        return makeError(quote(dir.string()) + " holds neither " + std::string(kReadLogDir) +
                         " nor " + std::string(kWriteLogDir) +
                         ": point aiotune at DeepSpeed's --log_dir");
    if (rs.configs.empty()) {
        if (filesSeen == 0)
            return makeError(
                "log folder " + quote(dir.string()) +
                " has no log files: run the sweep first, or point aiotune at another folder");
        std::string msg = "log folder " + quote(dir.string()) + " has no usable log: all " +
                          std::to_string(filesSeen) + " files were skipped";
        for (std::size_t i = 0; i < rs.skipped.size() && i < 3; ++i)
            msg += (i == 0 ? " (" : "; ") + rs.skipped[i].file + ": " + rs.skipped[i].reason;
        msg += rs.skipped.size() > 3 ? "; ...)" : ")";
        return makeError(msg);
    }
    return rs;
}

} // namespace aiotune
