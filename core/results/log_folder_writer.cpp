#include "results/log_folder_writer.h"
#include "util/json_text.h"

#include "util/atomic_file.h"

#include "results/log_folder_reader.h"
#include "results/statistics.h"
#include "results/sweep_file.h"
#include "util/byte_size.h"
#include "util/printable_text.h"
#include "util/trusted_path.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <climits>
#include <charconv>
#include <cmath>
#include <cstdio>
#include <cstring>

namespace aiotune {

namespace fs = std::filesystem;

namespace {

// Python's repr of a float, near enough for DeepSpeed's parser and exact on
// the way back: the shortest text that reads back as the same double.
std::string pyFloat(double v) {
    if (!std::isfinite(v)) return "0.0";
    char buf[64];
    const auto [end, ec] = std::to_chars(buf, buf + sizeof buf, v);
    std::string s(buf, ec == std::errc() ? end : buf);
    if (s.find_first_of(".e") == std::string::npos) s += ".0";
    return s;
}

// Text that must stay on its line of a log (failure messages, the engine's name).
std::string oneLine(std::string_view text) {
    std::string out;
    for (const char c : text) {
        const auto byte = static_cast<unsigned char>(c);
        out += byte < 0x20 || byte == 0x7f ? ' ' : c;
    }
    return out;
}

std::string pyBool(bool b) {
    return b ? "True" : "False";
}

// Python's repr of a str: a name is one quoted token on one line whatever it
// holds, so a folder named "d\nE2E Read Speed = 9999 GB/sec" cannot add a
// metric line to the log (line breaks and other control bytes are escaped).
std::string pyString(std::string_view s) {
    std::string out = "'";
    for (const char c : s) {
        const auto byte = static_cast<unsigned char>(c);
        if (c == '\'' || c == '\\') out += std::string("\\") + c;
        else if (c == '\n') out += "\\n";
        else if (c == '\r') out += "\\r";
        else if (c == '\t') out += "\\t";
        else if (byte < 0x20 || byte == 0x7f) {
            char hex[5];
            std::snprintf(hex, sizeof hex, "\\x%02x", byte);
            out += hex;
        } else out += c;
    }
    return out + "'";
}


} // namespace

std::string LogFolderWriter::logFileName(IoOp op, const ConfigKey& key) {
    return std::string(ioOpName(op)) + "_" + key.tag() + ".txt";
}

std::string LogFolderWriter::deepSpeedLogText(const ConfigResult& config, IoOp op,
                                              std::string_view engine) {
    const bool read = op == IoOp::Read;
    const char* Op = read ? "Read" : "Write";
    std::vector<const Sample*> ok, failed;
    for (const Sample& s : config.samples)
        if (s.op == op) (s.failed() ? failed : ok).push_back(&s);
    const Sample* first = !ok.empty() ? ok.front() : (!failed.empty() ? failed.front() : nullptr);
    const AioConfig& aio = config.key.aio;

    std::string t;
    t.reserve(1024);
    t += "Testing aiotune ";
    t += oneLine(engine);
    t += " engine (DeepSpeed-compatible log written by aiotune " AIOTUNE_VERSION ")\n";
    // The args line in DeepSpeed 0.15+ spelling, so people and scripts see the settings.
    t += "args = Namespace(folder=None, folder_to_device_mapping=";
    t += first && !first->folder.empty() ? "[" + pyString(first->folder + ":0") + "]"
                                         : std::string("None");
    t += ", io_size=" +
         (first && first->bytes ? pyString(formatByteSizeTag(first->bytes)) : std::string("None"));
    t += ", read=" + pyBool(read);
    t += ", multi_process=" + std::to_string(config.key.folders);
    t += ", block_size=" + pyString(formatByteSizeTag(aio.block_size));
    t += ", queue_depth=" + std::to_string(aio.queue_depth);
    t += ", single_submit=" + pyBool(aio.single_submit);
    t += ", sequential_requests=" + pyBool(!aio.overlap_events);
    t += ", validate=False, handle=True, loops=" + std::to_string(ok.size() + failed.size());
    t += ", io_parallel=" + std::to_string(aio.intra_op_parallelism);
    t += ", gpu=False, use_gds=" + pyBool(aio.use_gds) + ", slow_bounce_buffer=False)\n";
    for (const Sample* s : failed) {
        // One line per failure: a message line must never pass for a metric line.
        t += "aiotune: loop " + std::to_string(s->loop) + " failed: " + oneLine(s->error) + "\n";
    }
    if (ok.empty()) return t; // like DeepSpeed's failed runs: no metric line

    // Task lines: the I/O alone (first submit to last completion), as
    // DeepSpeed's Task lines and `aiotune io` report it; E2E lines: the whole
    // transfer. Samples without an I/O time (older sweeps) use the E2E one.
    std::vector<double> speeds, seconds, ioSpeeds, ioSeconds;
    for (const Sample* s : ok) {
        speeds.push_back(s->gibPerSec);
        seconds.push_back(s->seconds);
        const double io = s->ioSeconds && *s->ioSeconds > 0 ? *s->ioSeconds : s->seconds;
        ioSeconds.push_back(io);
        ioSpeeds.push_back(io > 0 && s->bytes ? static_cast<double>(s->bytes) / io / (1024.0 * 1024.0 * 1024.0)
                                              : s->gibPerSec);
    }
    const double speed = *median(speeds);
    const double latency = *median(seconds);
    if (ok.size() > 1)
        t += "aiotune: median of " + std::to_string(ok.size()) + " loops, " +
             pyFloat(*std::min_element(speeds.begin(), speeds.end())) + " .. " +
             pyFloat(*std::max_element(speeds.begin(), speeds.end())) + " GB/sec\n";
    t += std::string("Task ") + Op + " Latency = " + pyFloat(*median(ioSeconds)) + " sec\n";
    t += std::string("Task ") + Op + " Speed = " + pyFloat(*median(ioSpeeds)) + " GB/sec\n";
    t += std::string("E2E ") + Op + " Latency = " + pyFloat(latency) + " sec\n";
    t += std::string("E2E ") + Op + " Speed = " + pyFloat(speed) + " GB/sec\n";
    return t;
}

namespace {
// sweep.json padded with trailing blanks (valid JSON) to a whole 4 KiB with
// at least 1 KiB to spare: room the final status can take in place when the
// disk is full, so a sweep that failed for lack of space can still say so.
std::string sweepFileText(const ResultSet& results) {
    std::string text = jsonText(sweepFileJson(results), 1);
    const std::size_t padded = (text.size() + 1024 + 4095) / 4096 * 4096;
    text.append(padded - text.size() - 1, ' ');
    text += '\n';
    return text;
}

// Logs and sweep.json are aiotune's own files: replaced without a backup. The
// per-point rewrites skip the flush (it cost a sweep ~8% of its time); a
// killed process loses nothing either way, and finish() makes them durable.
Result<void> replaceOwnFile(const fs::path& file, std::string_view content, bool durable) {
    AtomicWriteOptions options;
    options.existing = ExistingFilePolicy::Replace;
    options.durable = durable;
    options.removeStaleTemps = false; // done once by create()
    if (auto r = writeFileAtomically(file, content, options); !r) return makeError(r.error());
    return {};
}
// Everything written below `folder` (and the rest of its file system) to
// the disk at once; false when that could not be confirmed.
bool syncFolderFileSystem(const fs::path& folder) {
    const int fd = ::open(folder.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0) return false;
    const bool ok = ::syncfs(fd) == 0; // reports writeback errors since Linux 5.8
    ::close(fd);
    return ok;
}
} // namespace

std::string LogFolderWriter::existingLogs(const fs::path& folder) {
    std::error_code ec;
    if (fs::exists(folder / kSweepFileName, ec))
        return folder.string() + " already holds a sweep's logs (" + std::string(kSweepFileName) +
               "): move it away or choose another log folder, so two sweeps never mix";
    for (const std::string_view sub : {kReadLogDir, kWriteLogDir})
        for (fs::directory_iterator it(folder / sub, ec), end; !ec && it != end; it.increment(ec))
            if (it->path().extension() == ".txt" && !isAtomicWriteTempName(it->path().filename().string()))
                return folder.string() + " already holds sweep logs (" +
                       (fs::path(sub) / it->path().filename()).string() +
                       "): move them away or choose another log folder, so two sweeps never mix";
    return {};
}

namespace {
// A killed writer leaves its temporaries (".sweep.json.aiotune-*.tmp"); a
// live one's (a concurrent `aiotune report -o` into this folder) stay.
void removeStaleTemporaries(const fs::path& folder) {
    for (const fs::path& dir : {folder, folder / kReadLogDir, folder / kWriteLogDir})
        removeStaleAtomicWriteTemps(dir);
}
} // namespace

Result<LogFolderWriter> LogFolderWriter::create(const fs::path& folder, std::string engine,
                                                nlohmann::json meta) {
    ResultSet header;
    header.engine = std::move(engine);
    header.meta = std::move(meta);
    return create(folder, std::move(header));
}

Result<LogFolderWriter> LogFolderWriter::create(const fs::path& folder, ResultSet header) {
    if (folder.empty())
        return makeError("no log folder given (an empty path): name a folder for the sweep logs, "
                         "e.g. --log_dir _aio_bench_logs");
    // Every file goes below the folder with names up to ~200 characters
    // (temporaries included): a path Linux cannot take is refused up front,
    // not as a sweep that fails at its first log.
    std::error_code ec;
    const std::size_t length = fs::absolute(folder, ec).string().size();
    if (length + 256 > PATH_MAX)
        return makeError("the log folder path is " + std::to_string(length) +
                         " characters long; with the log files' names below it that is more than Linux "
                         "takes in a path (" + std::to_string(PATH_MAX) + "): choose a shorter log folder path");
    // The folder and its two subfolders are made without following a link
    // another user planted (util/trusted_path.h): the logs land where named.
    if (auto made = createFolderNoFollow(folder); !made)
        return makeError("could not create log folder: " + made.error());
    // A planted subfolder link is refused before anything looks into it
    // (removing temporaries there would remove them in the link's target).
    // Any link there, whoever owns it: the folder may belong to another user
    // (root sweeping into it), and its owner's link is then trusted by the
    // rule for folders, yet points wherever they chose.
    for (const std::string_view sub : {kReadLogDir, kWriteLogDir}) {
        if (auto trusted = resolveTrustedPath(folder / sub); !trusted)
            return makeError("could not use log folder: " + trusted.error());
        struct stat st {};
        if (::lstat((folder / sub).c_str(), &st) == 0 && S_ISLNK(st.st_mode))
            return makeError("could not use log folder: " + printableName((folder / sub).string()) +
                             " is a symbolic link; aiotune writes its logs only into folders, not "
                             "through links: remove the link or choose another log folder");
    }
    // A killed run's temporaries go even when the folder is refused: they
    // are nobody's data (a live writer's stay, see removeStaleAtomicWriteTemps).
    removeStaleTemporaries(folder);
    if (const std::string mixed = existingLogs(folder); !mixed.empty()) return makeError(mixed);
    for (const std::string_view sub : {kReadLogDir, kWriteLogDir})
        if (auto made = createFolderNoFollow(folder / sub); !made)
            return makeError("could not create log folder: " + made.error());
    LogFolderWriter w;
    w.m_folder = folder;
    w.m_results = std::move(header);
    w.m_results.configs.clear();
    w.m_results.confirmation = {};
    w.m_results.skipped.clear();
    w.m_results.status = SweepStatus::Running;
    w.m_results.source = "aiotune sweep " + folder.string();
    if (auto r = w.writeSweepFile(w.m_results, false); !r) return makeError(r.error());
    return w;
}

Result<void> LogFolderWriter::add(const ConfigKey& key, const std::vector<Sample>& samples,
                                  const std::vector<Sample>& perFolder) {
    // Committed only once sweep.json holds it, so a failed write leaves
    // results() equal to the file (what finish() then rewrites).
    ResultSet next = m_results;
    bool touched[2] = {false, false};
    for (std::size_t i = 0; i < samples.size(); ++i) {
        // The per-folder samples go with the last aggregate (one call per visit).
        next.add(key, samples[i], i + 1 == samples.size() ? perFolder : std::vector<Sample>{});
        touched[samples[i].op == IoOp::Read ? 0 : 1] = true;
    }
    // sweep.json first: aiotune reads it in preference, so a kill between the
    // two writes leaves aiotune's view complete and only a DeepSpeed text log behind.
    if (auto r = writeSweepFile(next, false); !r) return r;
    m_results = std::move(next);
    const ConfigResult* config = m_results.find(key);
    if (config) {
        for (const IoOp op : {IoOp::Read, IoOp::Write}) {
            if (!touched[op == IoOp::Read ? 0 : 1]) continue;
            const fs::path file =
                m_folder / (op == IoOp::Read ? kReadLogDir : kWriteLogDir) / logFileName(op, key);
            if (auto r = replaceOwnFile(file, deepSpeedLogText(*config, op, m_results.engine), false);
                !r)
                return r;
        }
    }
    return {};
}

Result<void> LogFolderWriter::addConfirmation(const std::string& engine, const ConfigKey& key,
                                              const Sample& sample) {
    ResultSet next = m_results;
    next.confirmation.engine = engine;
    next.confirmation.add(key, sample);
    if (auto r = writeSweepFile(next, false); !r) return r;
    m_results = std::move(next);
    return {};
}

Result<void> LogFolderWriter::setDropouts(std::vector<Dropout> dropouts) {
    ResultSet next = m_results;
    next.dropouts = std::move(dropouts);
    if (auto r = writeSweepFile(next, false); !r) return r;
    m_results = std::move(next);
    return {};
}

Result<void> LogFolderWriter::finish(SweepStatus status, std::string error, std::int64_t finishedAtMs) {
    m_results.status = status;
    m_results.error = std::move(error);
    m_results.finishedAtMs = finishedAtMs;
    // One flush for the whole folder: the final sweep.json is swapped in
    // atomically, then syncfs() writes every log, sweep.json and the three
    // folders' entries to the disk with one journal commit and one cache
    // flush (an fdatasync per log cost one cache flush each: 0.1-0.35 s at
    // the end of a 64-transfer sweep). A kill -9 before it lost nothing
    // anyway (every file is replaced whole, by rename); this makes them
    // survive a power cut. It also flushes other programs' writes to that
    // file system, which only they would have waited for otherwise.
    if (auto synced = writeSweepFile(m_results, false); synced) {
        if (syncFolderFileSystem(m_folder)) return {};
    }
    // No syncfs (not Linux, or it failed): the file-by-file way.
    for (const auto& config : m_results.configs)
        for (IoOp op : {IoOp::Read, IoOp::Write}) {
            const fs::path file = m_folder / (op == IoOp::Read ? kReadLogDir : kWriteLogDir) / logFileName(op, config.key);
            if (const int fd = ::open(file.c_str(), O_RDONLY | O_CLOEXEC); fd >= 0) {
                ::fdatasync(fd);
                ::close(fd);
            }
        }
    for (const std::string_view sub : {kReadLogDir, kWriteLogDir})
        if (const int fd = ::open((m_folder / sub).c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC); fd >= 0) {
            ::fsync(fd);
            ::close(fd);
        }
    const auto atomic = writeSweepFile(m_results, true);
    if (atomic) return atomic;
    // A full disk refuses the temporary file; the old sweep.json's own blocks
    // still take the final text, for which its padding left room (see
    // sweepFileText). A kill during this one write could cut it short: only on this path.
    const fs::path file = m_folder / kSweepFileName;
    const int fd = ::open(file.c_str(), O_WRONLY | O_CLOEXEC | O_NOFOLLOW);
    if (fd < 0) return atomic;
    struct stat st {};
    std::string text = jsonText(sweepFileJson(m_results), 1);
    if (::fstat(fd, &st) == 0 && m_results.answer && text.size() + 1 > static_cast<std::size_t>(st.st_size)) {
        // No room for the answer: the status matters more, and answerFor()
        // decides the answer again from the samples by the same rule.
        ResultSet withoutAnswer = m_results;
        withoutAnswer.answer.reset();
        text = jsonText(sweepFileJson(withoutAnswer), 1);
    }
    if (text.size() + 1 < static_cast<std::size_t>(st.st_size))
        text.append(static_cast<std::size_t>(st.st_size) - text.size() - 1, ' '); // its own blocks only
    text += '\n';
    std::size_t done = 0;
    while (done < text.size()) {
        const ssize_t n = ::pwrite(fd, text.data() + done, text.size() - done, static_cast<off_t>(done));
        if (n <= 0) break;
        done += static_cast<std::size_t>(n);
    }
    const bool ok = done == text.size() && ::ftruncate(fd, static_cast<off_t>(text.size())) == 0 &&
                    ::fdatasync(fd) == 0;
    ::close(fd);
    if (!ok) return makeError(atomic.error() + "; writing the final status in place failed too");
    return {};
}

Result<void> LogFolderWriter::writeSweepFile(const ResultSet& results, bool durable) const {
    return replaceOwnFile(m_folder / kSweepFileName, sweepFileText(results), durable);
}

} // namespace aiotune
