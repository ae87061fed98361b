#include "results/log_folder_writer.h"

#include "util/atomic_file.h"

#include "results/log_folder_reader.h"
#include "results/sweep_file.h"
#include "util/byte_size.h"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <charconv>
#include <cmath>
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

std::string pyBool(bool b) {
    return b ? "True" : "False";
}

std::string pyString(std::string_view s) {
    std::string out = "'";
    for (char c : s) {
        if (c == '\'' || c == '\\') out += '\\';
        out += c;
    }
    return out + "'";
}

double medianOf(std::vector<double> v) {
    std::sort(v.begin(), v.end());
    const std::size_t n = v.size();
    return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2.0;
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
    t += engine;
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
        std::string msg = s->error;
        std::replace(msg.begin(), msg.end(), '\n', ' ');
        std::replace(msg.begin(), msg.end(), '\r', ' ');
        t += "aiotune: loop " + std::to_string(s->loop) + " failed: " + msg + "\n";
    }
    if (ok.empty()) return t; // like DeepSpeed's failed runs: no metric line

    std::vector<double> speeds, seconds;
    for (const Sample* s : ok) {
        speeds.push_back(s->gibPerSec);
        seconds.push_back(s->seconds);
    }
    const double speed = medianOf(speeds);
    const double latency = medianOf(seconds);
    if (ok.size() > 1)
        t += "aiotune: median of " + std::to_string(ok.size()) + " loops, " +
             pyFloat(*std::min_element(speeds.begin(), speeds.end())) + " .. " +
             pyFloat(*std::max_element(speeds.begin(), speeds.end())) + " GB/sec\n";
    // Task and E2E lines both print the end-to-end figure (Sample::ioSeconds is not used here).
    t += std::string("Task ") + Op + " Latency = " + pyFloat(latency) + " sec\n";
    t += std::string("Task ") + Op + " Speed = " + pyFloat(speed) + " GB/sec\n";
    t += std::string("E2E ") + Op + " Latency = " + pyFloat(latency) + " sec\n";
    t += std::string("E2E ") + Op + " Speed = " + pyFloat(speed) + " GB/sec\n";
    return t;
}

namespace {
// Logs and sweep.json are aiotune's own files: replaced without a backup. The
// per-point rewrites skip the flush (it cost a sweep ~8% of its time); a
// killed process loses nothing either way, and finish() makes them durable.
Result<void> replaceOwnFile(const fs::path& file, std::string_view content, bool durable) {
    AtomicWriteOptions options;
    options.existing = ExistingFilePolicy::Replace;
    options.durable = durable;
    if (auto r = writeFileAtomically(file, content, options); !r) return makeError(r.error());
    return {};
}
} // namespace

Result<LogFolderWriter> LogFolderWriter::create(const fs::path& folder, std::string engine,
                                                nlohmann::json meta) {
    std::error_code ec;
    for (const std::string_view sub : {kReadLogDir, kWriteLogDir}) {
        fs::create_directories(folder / sub, ec);
        if (ec)
            return makeError("could not create log folder " + (folder / sub).string() + ": " +
                             ec.message() + "; choose a writable folder");
    }
    LogFolderWriter w;
    w.m_folder = folder;
    w.m_results.engine = std::move(engine);
    w.m_results.meta = std::move(meta);
    w.m_results.status = "running";
    w.m_results.source = "aiotune sweep " + folder.string();
    if (auto r = w.writeSweepFile(false); !r) return makeError(r.error());
    return w;
}

Result<void> LogFolderWriter::add(const ConfigKey& key, const std::vector<Sample>& samples) {
    bool touched[2] = {false, false};
    for (const Sample& s : samples) {
        m_results.add(key, s);
        touched[s.op == IoOp::Read ? 0 : 1] = true;
    }
    // sweep.json first: aiotune reads it in preference, so a kill between the
    // two writes leaves aiotune's view complete and only a DeepSpeed text log behind.
    if (auto r = writeSweepFile(false); !r) return r;
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

Result<void> LogFolderWriter::finish(std::string status) {
    m_results.status = std::move(status);
    // The last write makes the whole folder durable.
    for (const auto& config : m_results.configs)
        for (IoOp op : {IoOp::Read, IoOp::Write}) {
            const fs::path file = m_folder / (op == IoOp::Read ? kReadLogDir : kWriteLogDir) / logFileName(op, config.key);
            if (const int fd = ::open(file.c_str(), O_RDONLY | O_CLOEXEC); fd >= 0) {
                ::fdatasync(fd);
                ::close(fd);
            }
        }
    return writeSweepFile(true);
}

Result<void> LogFolderWriter::writeSweepFile(bool durable) const {
    return replaceOwnFile(
        m_folder / kSweepFileName,
        sweepFileJson(m_results).dump(1, ' ', false, nlohmann::json::error_handler_t::replace) +
            "\n",
        durable);
}

} // namespace aiotune
