#include "config/aio_config.h"
#include "util/json_text.h"

#include "config/aio_value_rules.h"
#include "config/transfer_limits.h"

#include "util/atomic_file.h"
#include "util/json_input.h"
#include "util/byte_size.h"

#include <algorithm>
#include <array>
#include <cctype>
#include <charconv>
#include <climits>
#include <cmath>
#include <optional>
#include <set>

namespace aiotune {

namespace {

using ordered_json = nlohmann::ordered_json;

constexpr std::array<std::string_view, 6> kAioKeys = {
    "block_size",    "queue_depth",    "intra_op_parallelism",
    "single_submit", "overlap_events", "use_gds"};

std::string quote(std::string_view s) { return "\"" + std::string(s) + "\""; }

std::string setting(std::string_view key) { return "\"aio\" setting " + quote(key); }


template <typename J> std::string jsonKind(const J& value) {
    if (value.is_null()) return "null";
    if (value.is_boolean()) return "a boolean";
    if (value.is_string()) return "a string";
    if (value.is_number_float()) return "a fractional number";
    if (value.is_number()) return "a number";
    if (value.is_array()) return "a list";
    return "an object";
}

// A positive whole number for an integer key. The JSON type is judged by
// DeepSpeed's rules (config/aio_value_rules.h); what it accepts loosely is a warning.
template <typename J>
Result<std::uint64_t> readPositiveInteger(std::string_view key, const J& value, std::uint64_t max,
                                          std::string_view example,
                                          std::vector<std::string>& warnings) {
    const AioValueVerdict verdict = judgeAioValue(key, value);
    // Beyond a C int block_size is also beyond aiotune's own, tighter limit
    // (1G, config/transfer_limits.h): that message, as every front end gives it.
    if (verdict.outOfRange && key == "block_size" && value.is_number_unsigned())
        if (auto limit = checkBlockSize(value.template get<std::uint64_t>()); !limit)
            return makeError("\"aio\" setting " + limit.error());
    if (!verdict.usable) return makeError(describeAioValue(key, verdict) + ": " + verdict.fix);
    if (verdict.severity != AioValueVerdict::Severity::Ok)
        warnings.push_back(describeAioValue(key, verdict) + ": " + verdict.fix);
    const std::int64_t n = verdict.integer.value_or(0);
    const std::string shown = std::to_string(n);
    if (n < 0)
        return makeError(setting(key) + " is " + shown +
                         "; it must be a positive number: use e.g. " + std::string(example));
    if (n == 0)
        return makeError(setting(key) + " is 0; it must be at least 1: use e.g. " +
                         std::string(example));
    if (static_cast<std::uint64_t>(n) > max)
        return makeError(setting(key) + " is " + shown + ", too large (at most " +
                         std::to_string(max) + ")");
    return static_cast<std::uint64_t>(n);
}

// A flag, by DeepSpeed's rules for the key (pybind11 bool or Python truth test).
template <typename J>
Result<bool> readBoolean(std::string_view key, const J& value, std::vector<std::string>& warnings) {
    const AioValueVerdict verdict = judgeAioValue(key, value);
    if (!verdict.usable || verdict.severity == AioValueVerdict::Severity::Error)
        return makeError(describeAioValue(key, verdict) + ": " + verdict.fix);
    if (verdict.severity != AioValueVerdict::Severity::Ok)
        warnings.push_back(describeAioValue(key, verdict) + ": " + verdict.fix);
    return verdict.flag.value_or(false);
}

std::size_t editDistance(std::string_view a, std::string_view b) {
    std::vector<std::size_t> row(b.size() + 1);
    for (std::size_t j = 0; j <= b.size(); ++j) row[j] = j;
    for (std::size_t i = 1; i <= a.size(); ++i) {
        std::size_t diagonal = row[0];
        row[0] = i;
        for (std::size_t j = 1; j <= b.size(); ++j) {
            const std::size_t above = row[j];
            const bool same = std::tolower(static_cast<unsigned char>(a[i - 1])) ==
                              std::tolower(static_cast<unsigned char>(b[j - 1]));
            row[j] = std::min({row[j] + 1, row[j - 1] + 1, diagonal + (same ? 0 : 1)});
            diagonal = above;
        }
    }
    return row[b.size()];
}

std::string suggestionFor(std::string_view unknown) {
    std::string_view best;
    std::size_t bestDistance = 4; // only near misses: a typo, not a different key
    for (std::string_view known : kAioKeys) {
        const std::size_t d = editDistance(unknown, known);
        if (d < bestDistance) {
            bestDistance = d;
            best = known;
        }
    }
    return best.empty() ? std::string() : "; did you mean " + quote(best) + "?";
}

template <typename J> Result<AioParseOutcome> parseSection(const J& aio) {
    AioParseOutcome outcome;
    if (aio.is_null()) return outcome;
    if (!aio.is_object())
        return makeError("\"aio\" is " + shortJsonText(aio) + ", " + jsonKind(aio) +
                         "; it must be an object such as {\"block_size\": 1048576, "
                         "\"queue_depth\": 8}, or null for the defaults");
    AioConfig& config = outcome.config;
    std::optional<int> threadCount;
    std::optional<int> intraOp;
    for (auto it = aio.begin(); it != aio.end(); ++it) {
        const std::string& key = it.key();
        const J& value = it.value();
        if (key == "block_size") {
            auto n = readPositiveInteger(key, value, std::uint64_t(kAioIntMax), "1048576",
                                         outcome.warnings);
            if (!n) return Error{n.error()};
            config.block_size = *n;
        } else if (key == "queue_depth" || key == "intra_op_parallelism" ||
                   key == "thread_count") {
            auto n = readPositiveInteger(key, value, INT_MAX, key == "queue_depth" ? "8" : "1",
                                         outcome.warnings);
            if (!n) return Error{n.error()};
            const int v = static_cast<int>(*n);
            if (key == "queue_depth") config.queue_depth = v;
            else if (key == "thread_count") threadCount = v;
            else intraOp = v;
        } else if (key == "single_submit" || key == "overlap_events" || key == "use_gds") {
            auto b = readBoolean(key, value, outcome.warnings);
            if (!b) return Error{b.error()};
            if (key == "single_submit") config.single_submit = *b;
            else if (key == "overlap_events") config.overlap_events = *b;
            else config.use_gds = *b;
        } else if (key == "num_threads") {
            outcome.warnings.push_back(
                setting(key) + " (" + shortJsonText(value) +
                ") is written by ds_nvme_tune but read by no DeepSpeed release, so it has no "
                "effect: use \"intra_op_parallelism\" (\"thread_count\" before DeepSpeed 0.16.4)");
        } else {
            outcome.warnings.push_back("unknown " + setting(key) + " (" + shortJsonText(value) +
                                       ") is ignored by DeepSpeed" + suggestionFor(key));
        }
    }
    if (threadCount && intraOp && *threadCount != *intraOp)
        return makeError("\"aio\" settings \"thread_count\" (" + std::to_string(*threadCount) +
                         ") and \"intra_op_parallelism\" (" + std::to_string(*intraOp) +
                         ") disagree: DeepSpeed before 0.16.4 reads thread_count, later releases "
                         "read intra_op_parallelism; keep only the one your DeepSpeed reads");
    if (threadCount && intraOp) {
        outcome.warnings.push_back(
            "\"aio\" setting \"thread_count\" (" + std::to_string(*threadCount) +
            ") repeats \"intra_op_parallelism\": DeepSpeed 0.16.4 and later ignore thread_count, "
            "older releases ignore intra_op_parallelism; both agree, so this is harmless");
    } else if (threadCount && *threadCount != 1) {
        outcome.warnings.push_back(
            "\"aio\" setting \"thread_count\" (" + std::to_string(*threadCount) +
            ") is read only by DeepSpeed before 0.16.4; later releases ignore it and use 1 "
            "thread: name it \"intra_op_parallelism\" for DeepSpeed 0.16.4 or later");
    }
    if (intraOp) config.intra_op_parallelism = *intraOp;
    else if (threadCount) config.intra_op_parallelism = *threadCount;
    if (auto valid = validateAioConfig(config); !valid) return Error{valid.error()};
    return outcome;
}

void collectNestedAio(const ordered_json& value, const std::string& path,
                      std::vector<std::string>& found) {
    if (value.is_object()) {
        for (auto it = value.begin(); it != value.end(); ++it) {
            const std::string child = path.empty() ? it.key() : path + "." + it.key();
            if (it.key() == "aio") {
                if (!path.empty()) found.push_back(child);
                continue; // a nested block's own contents are not searched again
            }
            collectNestedAio(it.value(), child, found);
        }
    } else if (value.is_array()) {
        for (std::size_t i = 0; i < value.size(); ++i)
            collectNestedAio(value[i], path + "[" + std::to_string(i) + "]", found);
    }
}

std::string displayName(std::string_view sourceName) {
    return sourceName.empty() ? std::string("DeepSpeed config") : std::string(sourceName);
}

// Line and column (1-based) of a byte offset, for messages a user can jump to.
std::pair<std::size_t, std::size_t> lineAndColumn(std::string_view text, std::size_t offset) {
    offset = std::min(offset, text.size());
    std::size_t line = 1, column = 1;
    for (std::size_t i = 0; i < offset; ++i) {
        if (text[i] == '\n') {
            ++line;
            column = 1;
        } else {
            ++column;
        }
    }
    return {line, column};
}

// nlohmann reports the last character it read (1-based); a user wants the
// start of the offending token, e.g. the opening quote of an unexpected key.
std::size_t tokenStart(std::string_view text, std::size_t byte) {
    if (byte == 0 || text.empty()) return 0;
    std::size_t pos = std::min(byte - 1, text.size() - 1);
    if (byte > text.size()) return text.size(); // unexpected end: point past the end
    const auto isWordChar = [](char c) {
        return std::isalnum(static_cast<unsigned char>(c)) || c == '.' || c == '+' || c == '-';
    };
    if (text[pos] == '"' && pos > 0) {
        std::size_t open = pos - 1;
        while (open > 0 && !(text[open] == '"' && text[open - 1] != '\\')) --open;
        if (text[open] == '"') return open;
    } else if (isWordChar(text[pos])) {
        while (pos > 0 && isWordChar(text[pos - 1])) --pos;
    }
    return pos;
}

} // namespace

// ---- DeepSpeedVersion ------------------------------------------------------

Result<DeepSpeedVersion> DeepSpeedVersion::parse(std::string_view text) {
    const std::string shown = quote(text);
    std::string_view s = text;
    while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front()))) s.remove_prefix(1);
    while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) s.remove_suffix(1);
    if (!s.empty() && (s.front() == 'v' || s.front() == 'V')) s.remove_prefix(1);
    const auto bad = [&] {
        return makeError("DeepSpeed version " + shown +
                         " is not a version number: write it like 0.16.4 (see "
                         "`python -c 'import deepspeed; print(deepspeed.__version__)'`)");
    };
    {
        std::string word(s);
        for (char& c : word)
            c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
        if (word == "any" || word == "every" || word == "all")
            return DeepSpeedVersion::forEveryRelease();
    }
    if (s.empty() || !std::isdigit(static_cast<unsigned char>(s.front()))) return bad();
    std::array<int, 3> parts{0, 0, 0};
    std::size_t count = 0;
    while (count < 3) {
        int n = 0;
        const auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), n);
        if (ec != std::errc() || end == s.data()) return bad();
        parts[count++] = n;
        s.remove_prefix(static_cast<std::size_t>(end - s.data()));
        if (count < 3 && s.size() >= 2 && s[0] == '.' &&
            std::isdigit(static_cast<unsigned char>(s[1]))) {
            s.remove_prefix(1);
            continue;
        }
        break;
    }
    if (count < 2) return bad();
    // What may follow the numbers: a pre-release or local tag ("rc1", "+abc",
    // ".dev0"), never another number ("0.16.4.1") or junk ("0.16x" is fine, "0.16 4" is not).
    if (!s.empty()) {
        const char c = s.front();
        const bool tag = std::isalpha(static_cast<unsigned char>(c)) || c == '+' || c == '-' ||
                         (c == '.' && s.size() > 1 && std::isalpha(static_cast<unsigned char>(s[1])));
        if (!tag) return bad();
        for (char rest : s)
            if (std::isspace(static_cast<unsigned char>(rest))) return bad();
    }
    return DeepSpeedVersion{parts[0], parts[1], parts[2]};
}

std::string DeepSpeedVersion::toString() const {
    if (everyRelease) return "every release";
    return std::to_string(major) + "." + std::to_string(minor) + "." + std::to_string(patch);
}

bool DeepSpeedVersion::readsIntraOpParallelism() const {
    return *this >= DeepSpeedVersion{0, 16, 4};
}

bool DeepSpeedVersion::readsUseGds() const { return *this >= DeepSpeedVersion{0, 15, 0}; }

DeepSpeedVersion DeepSpeedVersion::forEveryRelease() {
    DeepSpeedVersion v;
    v.everyRelease = true;
    return v;
}

std::vector<std::string> DeepSpeedVersion::threadKeys() const {
    // deepspeed/runtime/swap_tensor/constants.py: AIO_THREAD_COUNT "thread_count"
    // up to v0.16.3, AIO_INTRA_OP_PARALLELISM "intra_op_parallelism" from v0.16.4.
    if (everyRelease) return {"intra_op_parallelism", "thread_count"};
    return {readsIntraOpParallelism() ? "intra_op_parallelism" : "thread_count"};
}

// ---- parsing ---------------------------------------------------------------

Result<AioParseOutcome> parseAioSection(const nlohmann::json& aio) { return parseSection(aio); }

Result<AioParseOutcome> parseAioSection(const nlohmann::ordered_json& aio) {
    return parseSection(aio);
}

// A DeepSpeed config holds a few dozen keys per section and a few hundred in
// all; these are far above that and keep a hostile file's read to a moment.
constexpr std::size_t kMaxObjectKeys = 2000;
constexpr std::size_t kMaxConfigKeys = 50000;

Result<nlohmann::ordered_json> parseDeepSpeedJson(std::string_view text,
                                                  std::string_view sourceName) {
    const std::string source = displayName(sourceName);
    if (auto ok = checkJsonLimits(text, source); !ok) return Error{ok.error()};
    // DeepSpeed's loader rejects a key repeated within one object; nlohmann
    // keeps the last one (util/json_input.h).
    JsonKeyTracker keys;
    struct TooManyKeys {
        std::string where;
    };
    const ordered_json::parser_callback_t callback =
        [&](int, ordered_json::parse_event_t event, ordered_json& parsed) {
            // nlohmann's ordered_json looks a key up by a linear scan of its
            // object: a config of a million keys took minutes to read.
            if (event == ordered_json::parse_event_t::key &&
                (keys.keysInAll() >= kMaxConfigKeys || keys.keysHere() >= kMaxObjectKeys))
                throw TooManyKeys{keys.path()};
            keys.onEvent(event, parsed);
            return true;
        };
    try {
        ordered_json root = ordered_json::parse(text.begin(), text.end(), callback,
                                                /*allow_exceptions=*/true,
                                                /*ignore_comments=*/true);
        if (const auto& duplicate = keys.duplicate())
            return makeError(source + ": the key " + quote(duplicate->first) + " appears twice " +
                             (duplicate->second.empty() ? std::string("at the top level")
                                                        : "in " + quote(duplicate->second)) +
                             "; DeepSpeed rejects configs with duplicate keys: keep one");
        return root;
    } catch (const TooManyKeys& e) {
        return makeError(source + ": more keys than a DeepSpeed config holds (at most " +
                         std::to_string(kMaxObjectKeys) + " in one object, " + std::to_string(kMaxConfigKeys) +
                         " in all; stopped " + (e.where.empty() ? std::string("at the top level") : "in " + quote(e.where)) +
                         "): is it the DeepSpeed config? Choose the config file");
    } catch (const nlohmann::json::parse_error& e) {
        // e.byte counts from 1 and points at the character that broke the parse.
        std::string reason = e.what();
        if (const auto pos = reason.find("column "); pos != std::string::npos) {
            if (const auto colon = reason.find(": ", pos); colon != std::string::npos)
                reason = reason.substr(colon + 2);
        }
        std::size_t offset = tokenStart(text, e.byte);
        // A bad literal ("tru}") is reported at the character after it.
        if (reason.find("invalid") != std::string::npos)
            while (offset > 0 && offset <= text.size() &&
                   std::isalnum(static_cast<unsigned char>(text[offset - 1])))
                --offset;
        const auto [line, column] = lineAndColumn(text, offset);
        return makeError(source + ": not valid JSON at line " + std::to_string(line) +
                         ", column " + std::to_string(column) + " (byte " +
                         std::to_string(e.byte) + "): " + reason + "; fix the file in an editor");
    } catch (const nlohmann::json::out_of_range& e) {
        // 406: a number beyond a double (1e309); nlohmann's own text is cryptic.
        if (e.id == 406)
            return makeError(source + ": a number in it is too large for JSON (beyond about 1.8e308, "
                             "such as 1e309); no DeepSpeed setting is that large: fix the value in an editor");
        return makeError(source + ": cannot read the JSON: " + e.what());
    } catch (const nlohmann::json::exception& e) {
        return makeError(source + ": cannot read the JSON: " + e.what());
    }
}

std::vector<std::string> findNestedAioBlocks(const nlohmann::ordered_json& root) {
    std::vector<std::string> found;
    collectNestedAio(root, "", found);
    return found;
}

Result<AioParseOutcome> parseDeepSpeedConfigText(std::string_view text,
                                                 std::string_view sourceName) {
    const std::string source = displayName(sourceName);
    auto root = parseDeepSpeedJson(text, sourceName);
    if (!root) return Error{root.error()};
    if (!root->is_object())
        return makeError(source + ": a DeepSpeed config must be a JSON object ({ ... }), but it "
                         "is " + jsonKind(*root) + ": choose the DeepSpeed config file");
    const auto top = root->find("aio");
    auto section = parseAioSection(top == root->end() ? ordered_json() : *top);
    if (!section) return makeError(source + ": " + section.error());
    AioParseOutcome outcome = std::move(section.value());
    for (std::string& warning : outcome.warnings) warning = source + ": " + warning;
    for (const std::string& path : findNestedAioBlocks(*root)) {
        const std::string parent = path.substr(0, path.size() - 4); // drop ".aio"
        outcome.warnings.push_back(
            source + ": the \"aio\" block in " + quote(parent) +
            " is ignored by DeepSpeed, which reads \"aio\" only at the top level" +
            (top == root->end() ? std::string(" (so the defaults apply)") : std::string()) +
            ": move it to the top level of the config");
    }
    return outcome;
}

Result<AioParseOutcome> parseDeepSpeedConfigFile(const std::filesystem::path& file) {
    auto text = readWholeFile(file, kMaxDeepSpeedConfigBytes);
    if (!text) return Error{text.error()};
    return parseDeepSpeedConfigText(*text, file.string());
}

// ---- validation and serialization ------------------------------------------

Result<void> validateAioConfig(const AioConfig& config) {
    if (auto ok = checkAioLimits(config); !ok) return makeError("\"aio\" setting " + ok.error());
    return {};
}

nlohmann::ordered_json toAioJson(const AioConfig& config, const DeepSpeedVersion& target) {
    ordered_json aio = ordered_json::object();
    aio["block_size"] = config.block_size;
    aio["queue_depth"] = config.queue_depth;
    for (const std::string& key : target.threadKeys())
        aio[key] = config.intra_op_parallelism;
    aio["single_submit"] = config.single_submit;
    aio["overlap_events"] = config.overlap_events;
    if (target.readsUseGds()) aio["use_gds"] = config.use_gds;
    return aio;
}

} // namespace aiotune
