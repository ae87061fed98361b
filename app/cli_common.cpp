#include "cli_common.h"
#include "util/json_text.h"

#include "config/aio_config.h"
#include "report/sweep_facts.h"
#include "results/answer.h"
#include "util/byte_size.h"

#include "util/printable_text.h"

#include <algorithm>
#include <charconv>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <iomanip>
#include <iostream>
#include <sstream>
#include <streambuf>

#include <fcntl.h>
#include <unistd.h>

namespace aiotune::cli {

namespace {
nlohmann::ordered_json configJson(const ConfigResult& c) {
    nlohmann::ordered_json j = toAioJson(c.key.aio);
    j["folders"] = c.key.folders;
    if (c.readGiBps) j["read"] = *c.readGiBps;
    if (c.writeGiBps) j["write"] = *c.writeGiBps;
    return j;
}
} // namespace

std::string profileName(const ResultSet& results) {
    return SweepFacts::fromResults(results).profile; // one wording: the report's
}

nlohmann::ordered_json profileJson(const ResultSet& results) {
    return results.profile ? nlohmann::ordered_json(results.profile->toJson()) : nlohmann::ordered_json(profileName(results));
}

nlohmann::ordered_json analysisJson(const ResultSet& results, const Recommendation& rec) {
    const Answer& a = rec.answer;
    nlohmann::ordered_json j;
    j["aio"] = a.found ? nlohmann::ordered_json(toAioJson(a.best.aio)) : nlohmann::ordered_json();
    j["read"] = rec.best && rec.best->readGiBps ? nlohmann::ordered_json(*rec.best->readGiBps) : nullptr;
    j["write"] = rec.best && rec.best->writeGiBps ? nlohmann::ordered_json(*rec.best->writeGiBps) : nullptr;
    j["combined"] = rec.best && rec.best->combinedGiBps ? nlohmann::ordered_json(*rec.best->combinedGiBps) : nullptr;
    j["recommended"] = a.recommended ? nlohmann::ordered_json(toAioJson(a.recommended->aio)) : nlohmann::ordered_json();
    j["partial"] = a.partial;
    j["confidence"] = std::string(confidenceName(a.confidence));
    j["confidence_text"] = a.confidenceText;
    j["answer"] = nlohmann::ordered_json::parse(jsonText(answerToJson(a)));
    // The check on libaio in one sentence (details under answer.confirmation); null when none.
    if (const std::string check = confirmationSentence(a); !check.empty())
        j["confirmation"] = check;
    else
        j["confirmation"] = nullptr;
    j["configs_with_both"] = rec.configsWithBoth;
    j["engine"] = results.engine;
    j["profile"] = profileJson(results);
    j["units"] = "GiB/s";
    j["read_only"] = nlohmann::ordered_json::array();
    for (const auto& c : rec.readOnly) j["read_only"].push_back(configJson(c));
    j["write_only"] = nlohmann::ordered_json::array();
    for (const auto& c : rec.writeOnly) j["write_only"].push_back(configJson(c));
    j["failed"] = nlohmann::ordered_json::array();
    for (const auto& c : rec.failed)
        j["failed"].push_back({{"config", c.key.tag()}, {"error", c.firstError()}});
    j["skipped"] = nlohmann::ordered_json::array();
    for (const auto& s : results.skipped) j["skipped"].push_back({{"file", s.file}, {"reason", s.reason}});
    if (!rec.message.empty()) j["message"] = rec.message;
    return j;
}

void printAnswer(std::ostream& out, const Answer& a) {
    const auto gib = [](double v) {
        std::ostringstream s;
        s << std::fixed << std::setprecision(2) << v;
        return s.str();
    };
    if (!a.found) {
        out << printableName(a.message) << "\n";
        return;
    }
    out << "Best: " << a.best.label() << ", " << gib(a.bestGiBps) << " GiB/s read+write (";
    if (a.interval)
        out << "90% interval " << gib(a.interval->low) << " to " << gib(a.interval->high) << ", ";
    else
        out << "no interval: the noise is unknown, ";
    out << a.bestVisits << (a.bestVisits == 1 ? " visit" : " visits") << ")\n";
    out << jsonText(nlohmann::ordered_json{{"aio", toAioJson(a.best.aio)}}, 2) << "\n";
    if (!a.tied.empty()) {
        out << "Tied with it (not shown to be slower):\n";
        // The fastest few; --json lists them all.
        constexpr std::size_t kShown = 8;
        for (std::size_t i = 0; i < a.tied.size() && i < kShown; ++i)
            if (const ConfigKey& k = a.tied[i]; const ConfigStanding* s = a.standing(k))
                out << "  " << k.label() << ", " << (s->gibps ? gib(*s->gibps) : std::string("?")) << " GiB/s ("
                    << s->visits << (s->visits == 1 ? " visit" : " visits")
                    << (s->state == ConfigState::Contending ? "; could still be faster by more than the tolerance"
                                                             : "")
                    << ")\n";
        if (a.tied.size() > kShown) out << "  ... and " << a.tied.size() - kShown << " more (--json lists them all)\n";
    }
    if (a.recommended)
        out << "Recommended (the cheapest shown to be within " << std::setprecision(3) << 100.0 * a.tolerance
            << std::defaultfloat << "% of the best): "
            << (*a.recommended == a.best ? "the best itself" : a.recommended->label() + ", " +
                                                                    gib(a.recommendedGiBps) + " GiB/s")
            << "\n";
    else
        out << "Recommended: not claimed, the answer is partial\n";
    if (a.recommended && !(*a.recommended == a.best))
        out << jsonText(nlohmann::ordered_json{{"aio", toAioJson(a.recommended->aio)}}, 2) << "\n";
    // The texts come from sweep.json as stored (another user's file): escaped.
    if (a.partial) out << "Partial answer: " << printableName(a.partialReason) << ".\n";
    out << "Confidence: " << confidenceName(a.confidence) << ". " << printableName(a.confidenceText) << "\n";
    out << "Decided by " << printableName(a.decidedBy) << "\n";
    if (const std::string check = confirmationSentence(a); !check.empty()) out << printableName(check) << "\n";
}

void printAnalysis(std::ostream& out, std::ostream& notes, const ResultSet& results,
                   const Recommendation& rec) {
    // File names and reasons quoting them are not ours: escaped (util/printable_text.h).
    for (const auto& s : results.skipped)
        notes << "skipped " << printableName(s.file) << ": " << printableName(s.reason) << "\n";
    for (const auto& c : rec.readOnly) notes << "read-only (no write log): " << c.key.tag() << "\n";
    for (const auto& c : rec.writeOnly) notes << "write-only (no read log): " << c.key.tag() << "\n";
    for (const auto& c : rec.failed) notes << "failed: " << c.key.tag() << ": " << printableName(c.firstError()) << "\n";
    if (!rec.answer.found) {
        notes << rec.answer.message << "\n";
        return;
    }
    if (rec.best) // DeepSpeed's own line: the best's medians
        out << std::setprecision(6) << "Best performance (GiB/s): read = " << rec.best->readGiBps.value_or(0)
            << ", write = " << rec.best->writeGiBps.value_or(0) << "  (" << rec.best->key.label() << ")\n";
    printAnswer(out, rec.answer);
    if (!results.engine.empty()) out << "Measured by: " << printableName(results.engine) << "\n";
    notes << "Measurement profile: " << profileName(results) << "\n";
}

std::string flagNames(const std::string& name) {
    std::string dashed = name;
    std::replace(dashed.begin(), dashed.end(), '_', '-');
    return dashed == name ? "--" + name : "--" + name + ",--" + dashed;
}

CLI::App makeCommand(const std::string& command, const std::string& summary) {
    return CLI::App(summary, "aiotune " + command); // a prvalue: CLI::App cannot be copied or moved
}

std::optional<int> parseCommandLine(CLI::App& app, const std::vector<std::string>& args) {
    app.get_formatter()->column_width(34);
    std::vector<std::string> reversed(args.rbegin(), args.rend()); // CLI11 parses from the back
    try {
        app.parse(reversed);
    } catch (const CLI::CallForHelp&) {
        std::cout << app.help();
        return kExitOk;
    } catch (const CLI::CallForAllHelp&) {
        std::cout << app.help();
        return kExitOk;
    } catch (const CLI::ParseError& e) {
        std::cerr << app.get_name() << ": " << e.what() << "\n(see '" << app.get_name()
                  << " --help')\n";
        return kExitUsage;
    }
    return std::nullopt;
}

const CLI::Validator& sizeValidator() {
    static const CLI::Validator v(
        [](std::string& text) {
            auto bytes = parseByteSize(text);
            return bytes ? std::string() : bytes.error();
        },
        "SIZE");
    return v;
}

const CLI::Validator& engineValidator() {
    static const CLI::Validator v(
        [](std::string& text) {
            EngineKind kind{};
            return parseEngineKind(text, kind) ? std::string()
                                               : "unknown engine \"" + text + "\": use auto, io_uring, libaio or portable";
        },
        "NAME");
    return v;
}

const CLI::Validator& boolValidator() {
    static const CLI::Validator v(
        [](std::string& text) {
            std::vector<bool> out;
            return parseBoolList({text}, out) ? std::string()
                                              : "\"" + text + "\" is not true or false";
        },
        "BOOL");
    return v;
}

const CLI::Validator& seedValidator() {
    // An unsigned option alone takes "-1" as 2^64 - 1.
    static const CLI::Validator v(
        [](std::string& text) {
            std::uint64_t value = 0;
            const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
            return !text.empty() && ec == std::errc() && end == text.data() + text.size()
                       ? std::string()
                       : "\"" + text + "\" is not a whole number from 0 to 18446744073709551615";
        },
        "SEED");
    return v;
}

const CLI::Validator& nonEmptyValidator() {
    static const CLI::Validator v(
        [](std::string& text) { return text.empty() ? std::string("must not be empty") : std::string(); },
        "");
    return v;
}

namespace {
// std::cout / std::cerr onto a stdio FILE, optionally through ControlEscaper,
// remembering the first write error and how much was written.
class StdioBuf : public std::streambuf {
public:
    StdioBuf(std::FILE* file, bool escape) : m_file(file), m_escape(escape) {}
    std::size_t written() const { return m_written; }
    int error() const { return m_error; }

protected:
    int overflow(int c) override {
        if (c == traits_type::eof()) return traits_type::not_eof(c);
        const char ch = static_cast<char>(c);
        return xsputn(&ch, 1) == 1 ? c : traits_type::eof();
    }
    std::streamsize xsputn(const char* s, std::streamsize n) override {
        if (!m_escape) return put(std::string_view(s, static_cast<std::size_t>(n))) ? n : 0;
        std::string out;
        out.reserve(static_cast<std::size_t>(n));
        for (std::streamsize i = 0; i < n; ++i) m_escaper.feed(s[i], out);
        return put(out) ? n : 0;
    }
    int sync() override {
        std::string rest;
        m_escaper.finish(rest);
        if (!put(rest)) return -1;
        if (std::fflush(m_file) != 0) {
            if (!m_error) m_error = errno ? errno : EIO;
            return -1;
        }
        return 0;
    }

private:
    bool put(std::string_view bytes) {
        m_written += bytes.size();
        if (bytes.empty() || std::fwrite(bytes.data(), 1, bytes.size(), m_file) == bytes.size()) return true;
        if (!m_error) m_error = errno ? errno : EIO;
        return false;
    }
    std::FILE* m_file;
    bool m_escape;
    ControlEscaper m_escaper;
    std::size_t m_written = 0;
    int m_error = 0;
};

StdioBuf* g_outBuf = nullptr;
StdioBuf* g_errBuf = nullptr;
bool g_stdoutWasClosed = false;
} // namespace

void installStreamGuards() {
    for (const int fd : {STDIN_FILENO, STDOUT_FILENO, STDERR_FILENO})
        if (::fcntl(fd, F_GETFD) == -1 && errno == EBADF) {
            // open() takes the lowest free descriptor: this one.
            ::open("/dev/null", fd == STDIN_FILENO ? O_RDONLY : O_WRONLY);
            if (fd == STDOUT_FILENO) g_stdoutWasClosed = true;
        }
    static StdioBuf out(stdout, ::isatty(STDOUT_FILENO) == 1);
    static StdioBuf err(stderr, true);
    g_outBuf = &out;
    g_errBuf = &err;
    std::cout.rdbuf(&out);
    std::cerr.rdbuf(&err);
}

void clearStatusLine() {
    std::cerr.flush();
    std::fputs("\r\033[K", stderr);
}

int finishStandardOutput(int status) {
    std::cout.flush();
    int error = g_outBuf ? g_outBuf->error() : 0;
    errno = 0;
    if (std::fflush(stdout) != 0 || std::ferror(stdout)) error = error ? error : (errno ? errno : EIO);
    if (!error && g_stdoutWasClosed && g_outBuf && g_outBuf->written() > 0) error = EBADF;
    if (!error) return status;
    std::cerr << "aiotune: the output could not be written to standard output ("
              << (error == EBADF ? "it is closed" : std::strerror(error))
              << "): nothing or only part of it arrived; write it to a file or a working pipe\n";
    std::cerr.flush();
    return status == kExitOk ? kExitFailure : status;
}

bool parseBoolList(const std::vector<std::string>& items, std::vector<bool>& out) {
    out.clear();
    for (const auto& s : items) {
        if (s == "true" || s == "1" || s == "True") out.push_back(true);
        else if (s == "false" || s == "0" || s == "False") out.push_back(false);
        else return false;
    }
    return !out.empty();
}

bool parseEngineKind(const std::string& text, EngineKind& out) {
    const auto kind = engineKindFromName(text);
    if (kind) out = *kind;
    return kind.has_value();
}

} // namespace aiotune::cli
