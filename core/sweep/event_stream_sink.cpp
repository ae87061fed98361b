#include "sweep/event_stream_sink.h"
#include "util/json_text.h"

#include "results/answer.h"

#include "results/sweep_file.h"
#include "util/printable_text.h"
#include "util/trusted_path.h"

#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <time.h>
#include <unistd.h>

#include <charconv>
#include <optional>
#include <cerrno>
#include <chrono>
#include <cmath>
#include <cstring>

namespace aiotune {

using nlohmann::ordered_json;

namespace {

std::int64_t nowMs() {
    return std::chrono::duration_cast<std::chrono::milliseconds>(
               std::chrono::system_clock::now().time_since_epoch())
        .count();
}

std::string_view severityName(Severity s) {
    switch (s) {
    case Severity::Info:
        return "info";
    case Severity::Warning:
        return "warning";
    case Severity::Error:
        return "error";
    }
    return "warning";
}

// sweep.json's dropout entry (sweep_file.cpp writes the same three fields).
ordered_json dropoutJson(const Dropout& d) {
    return ordered_json{{"key", configKeyToJson(ConfigKey{d.config, 1})},
                        {"after_transfers", d.afterTransfers},
                        {"reason", d.reason}};
}

// /dev/null, /dev/zero, /dev/full.
bool memoryDevice(const struct stat& st) {
    const unsigned maj = major(st.st_rdev), min = minor(st.st_rdev);
    return S_ISCHR(st.st_mode) && maj == 1 && (min == 3 || min == 5 || min == 7);
}

// Terminal drivers (devices.txt): tty and serial 4, tty/console/ptmx 5,
// pts 136-143, ttyACM 166, ttyUSB 188, ttyAMA and others 204, hvc 229.
bool terminalMajor(const struct stat& st) {
    const unsigned maj = major(st.st_rdev);
    return S_ISCHR(st.st_mode) && (maj == 4 || maj == 5 || (maj >= 136 && maj <= 143) || maj == 166 ||
                                   maj == 188 || maj == 204 || maj == 229);
}

// /dev/stderr, /dev/fd/N, /proc/self/fd/N: one of this process's descriptors.
std::optional<int> ownDescriptor(const std::string& target) {
    if (target == "/dev/stdout") return 1;
    if (target == "/dev/stderr") return 2;
    for (const std::string_view prefix : {"/dev/fd/", "/proc/self/fd/"}) {
        if (target.rfind(prefix, 0) != 0) continue;
        int n = -1;
        const char* first = target.data() + prefix.size();
        const auto [end, ec] = std::from_chars(first, target.data() + target.size(), n);
        if (ec == std::errc() && end == target.data() + target.size() && end != first && n >= 0) return n;
    }
    return std::nullopt;
}

} // namespace

Result<std::unique_ptr<EventStreamSink>> EventStreamSink::open(const std::string& target) {
    if (target.empty()) return makeError("--events needs a file name, or - for standard output");
    if (target == "-") {
        auto sink = std::make_unique<EventStreamSink>(stdout);
        sink->m_target = "standard output";
        return sink;
    }
    const auto refuse = [&](const std::string& what) {
        return makeError("cannot write the event stream to " + printableName(target) + ": " + what +
                         "; give a new file, a FIFO, a terminal, or - for standard output");
    };
    int fd = -1;
    if (const std::optional<int> own = ownDescriptor(target)) {
        // A descriptor this process has (/dev/stderr, /dev/fd/N: a job's
        // output file, a pipe) is written through a copy, as the shell set it
        // up; reopening it by name started at the file's beginning, over what
        // was written before, or was refused as a file holding something.
        struct stat st {};
        const int flags = ::fcntl(*own, F_GETFL);
        if (flags < 0 || (flags & O_ACCMODE) == O_RDONLY || ::fstat(*own, &st) != 0)
            return refuse("descriptor " + std::to_string(*own) + " is not open for writing");
        if (S_ISBLK(st.st_mode)) return refuse("it is a block device (a disk), which aiotune never writes to");
        fd = ::fcntl(*own, F_DUPFD_CLOEXEC, 3);
        if (fd < 0) return refuse(std::strerror(errno));
    } else {
        // Never through a link another user planted (util/trusted_path.h), and
        // never waiting forever on a FIFO that nobody reads: opened without
        // blocking (ENXIO then), written with blocking as a pipe is.
        auto resolved = resolveTrustedPath(target);
        if (!resolved)
            return makeError("cannot write the event stream to " + printableName(target) + ": " +
                             resolved.error());
        // A FIFO or a terminal is written as it is; a file is created (or an
        // empty one used) where the links really lead. Never a disk (a block
        // device), a file holding something, or another device: judged by
        // name before opening (opening some devices acts), then again on
        // the descriptor itself (the name may have changed meanwhile).
        struct stat st {};
        const bool exists = ::stat(target.c_str(), &st) == 0;
        if (exists && S_ISBLK(st.st_mode)) return refuse("it is a block device (a disk), which aiotune never writes to");
        if (exists && S_ISCHR(st.st_mode) && !memoryDevice(st) && !terminalMajor(st))
            return refuse("it is a device other than a terminal");
        if (exists && S_ISREG(st.st_mode) && st.st_size > 0)
            return refuse("the file exists and is not empty, and aiotune does not overwrite it");
        const bool stream = exists && (S_ISFIFO(st.st_mode) || S_ISCHR(st.st_mode));
        if (exists && !stream && !S_ISREG(st.st_mode)) return refuse("it is not a file");
        fd = stream ? ::open(target.c_str(), O_WRONLY | O_NONBLOCK | O_NOCTTY | O_CLOEXEC)
                    : ::open(resolved->c_str(),
                             O_WRONLY | O_APPEND | O_NOFOLLOW | O_NONBLOCK | O_NOCTTY | O_CLOEXEC |
                                 (exists ? 0 : O_CREAT | O_EXCL),
                             0644);
        if (fd < 0) {
            const int err = errno;
            if (err == ENXIO)
                return makeError("no program reads the FIFO " + printableName(target) +
                                 " that --events names: start its reader first, then the sweep");
            return makeError("cannot write the event stream to " + printableName(target) + ": " +
                             std::strerror(err) + " (give a writable file, or - for standard output)");
        }
        struct stat opened {};
        const bool same = ::fstat(fd, &opened) == 0 && (!exists || (opened.st_dev == st.st_dev && opened.st_ino == st.st_ino));
        const bool fits = S_ISFIFO(opened.st_mode) || (S_ISREG(opened.st_mode) && opened.st_size == 0) ||
                          (S_ISCHR(opened.st_mode) && (memoryDevice(opened) || ::isatty(fd)));
        if (!same || !fits) {
            ::close(fd);
            return refuse("it changed while it was opened, or is not a terminal");
        }
    }
    if (const int flags = ::fcntl(fd, F_GETFL); flags >= 0) ::fcntl(fd, F_SETFL, flags & ~O_NONBLOCK);
    std::FILE* f = ::fdopen(fd, "w");
    if (!f) {
        const int err = errno;
        ::close(fd);
        return makeError("cannot write the event stream to " + printableName(target) + ": " +
                         std::strerror(err));
    }
    auto sink = std::make_unique<EventStreamSink>(f);
    sink->m_owned = true;
    sink->m_target = target;
    return sink;
}

EventStreamSink::~EventStreamSink() {
    if (m_owned && m_out) std::fclose(m_out);
}

void EventStreamSink::write(std::string_view event, ordered_json fields) {
    if (!m_writeError.empty() || !m_out) return;
    ordered_json line{{"format", kEventStreamFormat},
                      {"version", kEventStreamVersion},
                      {"event", event},
                      {"at_ms", nowMs()}};
    for (auto& [name, value] : fields.items())
        line[name] = std::move(value);
    // Folder names and messages are the user's bytes, not always UTF-8.
    std::string text = jsonText(line);
    text += '\n';
    // One write per line, flushed: a reader (the fleet, through a pipe) sees
    // each event as it happens and never half a line.
    // A reader that went away (a closed pipe) must not end the sweep by
    // SIGPIPE: held back on this thread for the write, and a pending one taken.
    sigset_t pipe, old;
    sigemptyset(&pipe);
    sigaddset(&pipe, SIGPIPE);
    ::pthread_sigmask(SIG_BLOCK, &pipe, &old);
    const bool written =
        std::fwrite(text.data(), 1, text.size(), m_out) == text.size() && std::fflush(m_out) == 0;
    const int err = errno;
    if (!written && err == EPIPE && !sigismember(&old, SIGPIPE)) {
        const struct timespec now {};
        ::sigtimedwait(&pipe, nullptr, &now);
    }
    ::pthread_sigmask(SIG_SETMASK, &old, nullptr);
    if (!written)
        m_writeError = "the event stream to " +
                       (m_target.empty() ? std::string("its file") : printableName(m_target)) +
                       " stopped: " + std::strerror(err) + "; the sweep went on";
}

void EventStreamSink::onStarted(const StartedEvent& e) {
    // sweep.json's header fields, under the same names.
    const nlohmann::json doc = sweepFileJson(e.header);
    ordered_json f;
    for (const char* name : {"engine", "host", "strategy", "profile", "started_at_ms", "meta"})
        if (const auto it = doc.find(name); it != doc.end()) f[name] = *it;
    f["planned_transfers"] = e.plannedTransfers;
    f["log_dir"] = e.logFolder;
    write("started", std::move(f));
}

void EventStreamSink::onSample(const SampleEvent& e) {
    ordered_json f{
        {"tag", e.key.tag()}, {"key", configKeyToJson(e.key)}, {"sample", sampleToJson(e.sample)}};
    if (!e.perFolder.empty()) {
        ordered_json perFolder = ordered_json::array();
        for (const Sample& s : e.perFolder)
            perFolder.push_back(ordered_json(sampleToJson(s)));
        f["folder_samples"] = std::move(perFolder);
    }
    write("sample", std::move(f));
}

void EventStreamSink::onConfirmationSample(const ConfirmationSampleEvent& e) {
    write("confirmation_sample", ordered_json{{"engine", e.engine},
                                              {"tag", e.key.tag()},
                                              {"key", configKeyToJson(e.key)},
                                              {"sample", sampleToJson(e.sample)}});
}

void EventStreamSink::onProgress(const ProgressEvent& e) {
    write("progress", ordered_json{{"done", e.done},
                                   {"total", e.total},
                                   {"elapsed_seconds", e.elapsedSeconds},
                                   {"eta_seconds", e.etaSeconds >= 0 && std::isfinite(e.etaSeconds)
                                                       ? ordered_json(e.etaSeconds)
                                                       : ordered_json()},
                                   {"current", e.current}});
}

void EventStreamSink::onMessage(const MessageEvent& e) {
    write("message", ordered_json{{"severity", severityName(e.severity)}, {"text", e.text}});
}

void EventStreamSink::onAnswer(const AnswerEvent& e) {
    write("answer", ordered_json{{"answer", ordered_json::parse(jsonText(answerToJson(e.answer)))}});
}

void EventStreamSink::onRace(const RaceEvent& e) {
    ordered_json contenders = ordered_json::array(), dropouts = ordered_json::array();
    for (const AioConfig& c : e.contenders)
        contenders.push_back(ordered_json(configKeyToJson(ConfigKey{c, 1})));
    for (const Dropout& d : e.dropouts)
        dropouts.push_back(dropoutJson(d));
    write("race",
          ordered_json{{"contenders", std::move(contenders)}, {"dropouts", std::move(dropouts)}});
}

void EventStreamSink::onEnded(const EndedEvent& e) {
    ordered_json f{{"status", sweepStatusName(e.status)}};
    if (e.error != SweepErrorCode::None) f["error"] = sweepErrorCodeName(e.error);
    if (!e.message.empty()) f["message"] = e.message;
    f["stop_reason"] = stopReasonName(e.stopReason);
    if (e.finishedAtMs != 0) f["finished_at_ms"] = e.finishedAtMs;
    write("ended", std::move(f));
}

std::optional<nlohmann::json> parseEventLine(std::string_view line) {
    while (!line.empty() && (line.back() == '\r' || line.back() == ' '))
        line.remove_suffix(1);
    if (line.size() < 2 || line.front() != '{' || line.back() != '}') return std::nullopt;
    nlohmann::json j = nlohmann::json::parse(line, nullptr, false);
    if (!j.is_object()) return std::nullopt;
    const auto format = j.find("format"), version = j.find("version"), event = j.find("event");
    if (format == j.end() || *format != kEventStreamFormat || version == j.end() ||
        !version->is_number_integer() || version->get<int>() < 1 ||
        version->get<int>() > kEventStreamVersion || event == j.end() || !event->is_string())
        return std::nullopt;
    return j;
}

} // namespace aiotune
