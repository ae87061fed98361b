#include "config/deepspeed_config_merge.h"

#include "config/aio_value_rules.h"

#include <algorithm>
#include <cctype>

namespace aiotune {

namespace fs = std::filesystem;

namespace {

using ordered_json = nlohmann::ordered_json;

std::string quote(std::string_view s) { return "\"" + std::string(s) + "\""; }

// Byte offsets of the top-level object's members in JSON text that has already
// been validated, so the scanner only needs to skip strings, comments and nesting.
struct Member {
    std::string rawKey; // between the quotes, escapes not decoded
    std::size_t keyStart = 0;
    std::size_t valueStart = 0;
    std::size_t valueEnd = 0;
};

struct TopLevelLayout {
    std::size_t open = 0;  // the root '{'
    std::size_t close = 0; // its '}'
    std::vector<Member> members;
};

class TopLevelScanner {
public:
    explicit TopLevelScanner(std::string_view text) : m_text(text) {}

    std::optional<TopLevelLayout> scan() {
        TopLevelLayout layout;
        std::size_t pos = skipBlank(0);
        if (pos >= m_text.size() || m_text[pos] != '{') return std::nullopt;
        layout.open = pos;
        pos = skipBlank(pos + 1);
        while (pos < m_text.size() && m_text[pos] != '}') {
            if (m_text[pos] != '"') return std::nullopt;
            Member member;
            member.keyStart = pos;
            const std::size_t keyEnd = skipString(pos);
            member.rawKey = std::string(m_text.substr(pos + 1, keyEnd - pos - 2));
            pos = skipBlank(keyEnd);
            if (pos >= m_text.size() || m_text[pos] != ':') return std::nullopt;
            member.valueStart = pos = skipBlank(pos + 1);
            member.valueEnd = pos = skipValue(pos);
            layout.members.push_back(member);
            pos = skipBlank(pos);
            if (pos < m_text.size() && m_text[pos] == ',') pos = skipBlank(pos + 1);
        }
        if (pos >= m_text.size()) return std::nullopt;
        layout.close = pos;
        return layout;
    }

private:
    std::size_t skipBlank(std::size_t pos) const {
        while (pos < m_text.size()) {
            const char c = m_text[pos];
            if (std::isspace(static_cast<unsigned char>(c))) {
                ++pos;
            } else if (c == '/' && pos + 1 < m_text.size() && m_text[pos + 1] == '/') {
                const std::size_t nl = m_text.find('\n', pos);
                pos = nl == std::string_view::npos ? m_text.size() : nl + 1;
            } else if (c == '/' && pos + 1 < m_text.size() && m_text[pos + 1] == '*') {
                const std::size_t end = m_text.find("*/", pos + 2);
                pos = end == std::string_view::npos ? m_text.size() : end + 2;
            } else {
                break;
            }
        }
        return pos;
    }

    // pos at the opening quote; returns the position after the closing quote.
    std::size_t skipString(std::size_t pos) const {
        for (++pos; pos < m_text.size(); ++pos) {
            if (m_text[pos] == '\\') ++pos;
            else if (m_text[pos] == '"') return pos + 1;
        }
        return m_text.size();
    }

    std::size_t skipValue(std::size_t pos) const {
        if (pos >= m_text.size()) return pos;
        if (m_text[pos] == '"') return skipString(pos);
        if (m_text[pos] == '{' || m_text[pos] == '[') {
            int depth = 0;
            while (pos < m_text.size()) {
                const char c = m_text[pos];
                if (c == '"') {
                    pos = skipString(pos);
                    continue;
                }
                if (c == '/') {
                    const std::size_t after = skipBlank(pos);
                    if (after != pos) {
                        pos = after;
                        continue;
                    }
                }
                if (c == '{' || c == '[') ++depth;
                if (c == '}' || c == ']') {
                    if (--depth == 0) return pos + 1;
                }
                ++pos;
            }
            return pos;
        }
        // A number, true, false or null: runs up to a delimiter.
        while (pos < m_text.size()) {
            const char c = m_text[pos];
            if (c == ',' || c == '}' || c == ']' || c == '/' ||
                std::isspace(static_cast<unsigned char>(c)))
                break;
            ++pos;
        }
        return pos;
    }

    std::string_view m_text;
};

// How the file is laid out, so inserted text looks like the rest of it.
struct TextStyle {
    bool compact = false;       // everything on one line
    bool spaced = false;        // compact, but with ": " and ", " as separators
    std::string indent = "  ";  // one nesting level
    std::string newline = "\n"; // "\r\n" for Windows-edited files
};

TextStyle detectStyle(std::string_view text, const TopLevelLayout& layout) {
    TextStyle style;
    if (text.find("\r\n") != std::string_view::npos) style.newline = "\r\n";
    if (layout.members.empty()) return style;
    const std::size_t firstKey = layout.members.front().keyStart;
    const std::size_t lineStart = text.rfind('\n', firstKey);
    if (lineStart == std::string_view::npos || lineStart < layout.open) {
        // The first key shares a line with "{": treat a one-line file as compact.
        if (text.substr(layout.open, layout.close - layout.open).find('\n') ==
            std::string_view::npos)
            style.compact = true;
        const std::size_t valueStart = layout.members.front().valueStart;
        style.spaced = valueStart > 0 && text[valueStart - 1] == ' ';
        return style;
    }
    const std::string_view lead = text.substr(lineStart + 1, firstKey - lineStart - 1);
    const bool allSpaces = !lead.empty() && lead.find_first_not_of(' ') == std::string_view::npos;
    const bool allTabs = !lead.empty() && lead.find_first_not_of('\t') == std::string_view::npos;
    if (allSpaces || allTabs) style.indent = std::string(lead);
    return style;
}

std::string withNewlines(std::string text, const std::string& newline) {
    if (newline == "\n") return text;
    std::string out;
    out.reserve(text.size() + text.size() / 16);
    for (char c : text) {
        if (c == '\n') out += newline;
        else out += c;
    }
    return out;
}

// The aio object as it appears one level deep in the file.
std::string formatAioValue(const ordered_json& aio, const TextStyle& style) {
    if (style.compact) {
        if (!style.spaced) return aio.dump();
        // The aio object holds only known keys, numbers and booleans, so the
        // separators can be spaced textually.
        std::string out;
        for (char c : aio.dump()) {
            out += c;
            if (c == ':' || c == ',') out += ' ';
        }
        return out;
    }
    const char indentChar = style.indent.front() == '\t' ? '\t' : ' ';
    const std::string dumped = aio.dump(static_cast<int>(style.indent.size()), indentChar);
    std::string out;
    for (char c : dumped) {
        out += c;
        if (c == '\n') out += style.indent;
    }
    return out;
}

std::string fullDump(const ordered_json& root, std::string_view original, const TextStyle& style) {
    const char indentChar = style.indent.front() == '\t' ? '\t' : ' ';
    std::string text = style.compact ? root.dump()
                                     : root.dump(static_cast<int>(style.indent.size()), indentChar);
    if (!original.empty() && original.back() == '\n') text += "\n";
    return withNewlines(std::move(text), style.newline);
}

// Splices the new aio value into the original text; empty when the layout
// could not be found (the caller then re-serializes the whole document).
std::optional<std::string> splice(std::string_view original, const ordered_json& aio,
                                  const TextStyle& style, const TopLevelLayout& layout) {
    const std::string value = withNewlines(formatAioValue(aio, style), style.newline);
    for (const Member& m : layout.members) {
        if (m.rawKey == "aio")
            return std::string(original.substr(0, m.valueStart)) + value +
                   std::string(original.substr(m.valueEnd));
    }
    const std::string member =
        style.compact && !style.spaced ? "\"aio\":" + value : "\"aio\": " + value;
    if (layout.members.empty()) {
        return std::string(original.substr(0, layout.open + 1)) + style.newline + style.indent +
               member + style.newline + std::string(original.substr(layout.close));
    }
    const std::size_t at = layout.members.back().valueEnd;
    const std::string separator = style.compact ? (style.spaced ? ", " : ",")
                                                : "," + style.newline + style.indent;
    return std::string(original.substr(0, at)) + separator + member +
           std::string(original.substr(at));
}

std::string keyList(const std::vector<std::string>& keys) {
    std::string out;
    for (std::size_t i = 0; i < keys.size(); ++i)
        out += (i == 0 ? "" : i + 1 == keys.size() ? " and " : ", ") + quote(keys[i]);
    return out;
}

// The thread count DeepSpeed (target) reads from a section; 1 when absent or
// not an integer (AIO_INTRA_OP_PARALLELISM_DEFAULT / AIO_THREAD_COUNT_DEFAULT).
// For every release: the count of whichever thread key the section has.
int threadCountRead(const ordered_json& aio, const DeepSpeedVersion& target) {
    if (!aio.is_object()) return 1;
    for (const std::string& key : target.threadKeys()) {
        const auto it = aio.find(key);
        if (it != aio.end() && it->is_number_integer()) return static_cast<int>(it->get<std::int64_t>());
    }
    return 1;
}

bool optimizerOnNvme(const ordered_json& root) {
    const auto zero = root.find("zero_optimization");
    if (zero == root.end() || !zero->is_object()) return false;
    const auto opt = zero->find("offload_optimizer");
    if (opt == zero->end() || !opt->is_object()) return false;
    const auto device = opt->find("device");
    return device != opt->end() && *device == "nvme";
}

// The new "aio" value: the measured settings replace only the measured keys
// (block_size, queue_depth, the thread count under each name the target or
// the old section uses, single_submit, overlap_events); every other key the
// user set is kept as written (use_gds above all: aiotune measures without
// GDS), and the warnings say what was kept and what it means.
ordered_json mergedAioSection(const ordered_json& old, const AioConfig& config,
                              const DeepSpeedVersion& target, std::vector<std::string>& warnings) {
    const ordered_json measured = toAioJson(config, target);
    const bool oldObject = old.is_object();
    std::vector<std::string> threadKeys = target.threadKeys();
    for (const char* legacy : {"intra_op_parallelism", "thread_count"})
        if (oldObject && old.contains(legacy) &&
            std::find(threadKeys.begin(), threadKeys.end(), legacy) == threadKeys.end()) {
            threadKeys.push_back(legacy);
            warnings.push_back(
                std::string("kept \"") + legacy + "\" and set it to the measured thread count (" +
                std::to_string(config.intra_op_parallelism) + ") as well: DeepSpeed " +
                target.toString() + " reads \"" + target.threadKeys().front() +
                "\", other releases read \"" + legacy + "\", so both must agree");
        }
    const auto isMeasured = [&](const std::string& key) {
        return key == "block_size" || key == "queue_depth" || key == "single_submit" ||
               key == "overlap_events" ||
               std::find(threadKeys.begin(), threadKeys.end(), key) != threadKeys.end();
    };

    // DeepSpeed's key order for what it reads, then the user's other keys in theirs.
    ordered_json aio = ordered_json::object();
    std::vector<std::string> kept;
    for (auto it = measured.begin(); it != measured.end(); ++it) {
        const std::string& key = it.key();
        if (key == "use_gds" && oldObject && old.contains("use_gds")) continue; // placed below
        aio[key] = it.value();
        if (key == target.threadKeys().back())
            for (const std::string& t : threadKeys)
                if (!aio.contains(t)) aio[t] = config.intra_op_parallelism;
    }
    if (!oldObject) {
        if (!old.is_null())
            warnings.push_back("the old \"aio\" value (" + old.dump() +
                               ") was not an object and is replaced");
        return aio;
    }
    for (auto it = old.begin(); it != old.end(); ++it) {
        const std::string& key = it.key();
        const ordered_json& value = it.value();
        if (isMeasured(key)) {
            const AioValueVerdict verdict = judgeAioValue(key, value);
            if (!verdict.usable)
                warnings.push_back(
                    "the old value was not valid and is replaced by the measured one: " +
                    describeAioValue(key, verdict));
            continue;
        }
        aio[key] = value;
        kept.push_back(key);
        if (key == "use_gds") {
            const AioValueVerdict verdict = judgeAioValue(key, value);
            if (!target.readsUseGds())
                warnings.push_back("kept \"use_gds\" as you set it, but DeepSpeed " +
                                   target.toString() +
                                   " does not read it (GPUDirect Storage needs 0.15.0 or later)");
            else if (verdict.severity != AioValueVerdict::Severity::Ok)
                warnings.push_back(describeAioValue(key, verdict) + ": " + verdict.fix);
            if (target.readsUseGds() && verdict.flag.value_or(false))
                warnings.push_back(
                    "\"use_gds\" is on: DeepSpeed swaps parameters through GPUDirect Storage, but "
                    "aiotune measured the drive without GDS (through the page cache-free O_DIRECT "
                    "path), so the merged settings were not measured the way they will be used");
        } else if (key == "num_threads") {
            warnings.push_back("kept \"num_threads\" (" + value.dump() +
                               "), which no DeepSpeed release reads (ds_nvme_tune writes it); \"" +
                               target.threadKeys().front() +
                               "\" holds the thread count: remove it if it misleads");
        } else {
            warnings.push_back("kept the unknown \"aio\" setting " + quote(key) +
                               ", which DeepSpeed ignores");
        }
    }
    if (!kept.empty())
        warnings.push_back("kept the \"aio\" settings aiotune does not measure as you set them: " +
                           keyList(kept));
    return aio;
}

ConfigWriteOutcome unchangedOutcome(const fs::path& file, std::vector<std::string> warnings) {
    ConfigWriteOutcome outcome;
    outcome.written = file;
    outcome.unchanged = true;
    outcome.warnings = std::move(warnings);
    return outcome;
}

} // namespace

Result<MergedConfig> mergeAioIntoConfigText(std::string_view originalText, const AioConfig& config,
                                            const DeepSpeedVersion& target,
                                            std::string_view sourceName) {
    const std::string source = sourceName.empty() ? "DeepSpeed config" : std::string(sourceName);
    if (auto valid = validateAioConfig(config); !valid)
        return makeError("the settings to merge are invalid: " + valid.error());
    auto parsed = parseDeepSpeedJson(originalText, sourceName);
    if (!parsed) return Error{parsed.error()};
    const ordered_json& root = *parsed;
    if (!root.is_object())
        return makeError(source + ": a DeepSpeed config must be a JSON object ({ ... }): choose "
                         "the DeepSpeed config file");

    MergedConfig merged;
    const auto oldAio = root.find("aio");
    const bool userGds = oldAio != root.end() && oldAio->is_object() && oldAio->contains("use_gds");
    if (!userGds)
        for (std::string& w : aioExportWarnings(config, target))
            merged.warnings.push_back(std::move(w));
    const ordered_json oldValue = oldAio != root.end() ? *oldAio : ordered_json();
    const ordered_json aio = mergedAioSection(oldValue, config, target, merged.warnings);
    // NVMe checkpoints keep the optimizer's swap files, sized to 1024 bytes x
    // the thread count (swap_tensor/optimizer_utils.py aligned_bytes, every
    // release); a new count can fail a resume with "file_offset + buffer
    // nbytes > file bytes" (csrc/aio/py_lib/deepspeed_py_io_handle.cpp).
    if (const int before = threadCountRead(oldValue, target);
        optimizerOnNvme(root) && before != config.intra_op_parallelism)
        merged.warnings.push_back(resumeHazardWarning(before, config.intra_op_parallelism));
    for (const std::string& path : findNestedAioBlocks(root)) {
        merged.warnings.push_back(
            "the \"aio\" block in " + quote(path.substr(0, path.size() - 4)) +
            " was left unchanged, but DeepSpeed ignores it (it reads \"aio\" only at the top "
            "level, where the new settings go): consider removing it");
    }

    ordered_json expected = root;
    expected["aio"] = aio; // an existing key keeps its place; a new one goes last

    const std::optional<TopLevelLayout> layout = TopLevelScanner(originalText).scan();
    TextStyle style;
    if (layout) style = detectStyle(originalText, *layout);
    std::optional<std::string> text;
    if (layout) text = splice(originalText, aio, style, *layout);
    // The splice must mean exactly the expected document; otherwise (an escaped
    // key, an unusual layout) fall back to re-serializing the whole config.
    bool spliced = false;
    if (text) {
        auto check = parseDeepSpeedJson(*text, sourceName);
        spliced = check.ok() && *check == expected;
    }
    if (!spliced) {
        text = fullDump(expected, originalText, style);
        merged.warnings.push_back("the file's layout could not be kept exactly, so it was "
                                  "rewritten with the same keys in the same order" +
                                  std::string(originalText.find("/*") != std::string_view::npos ||
                                                      originalText.find("//") !=
                                                          std::string_view::npos
                                                  ? " (comments are lost)"
                                                  : ""));
    }
    merged.text = std::move(*text);
    merged.changed = merged.text != originalText;
    return merged;
}

Result<ConfigMergePreview> previewAioMerge(const fs::path& file, const AioConfig& config,
                                           const DeepSpeedVersion& target) {
    if (auto ok = checkReplaceableFile(file); !ok) return Error{ok.error()};
    auto original = readWholeFile(file, kMaxDeepSpeedConfigBytes);
    if (!original) return Error{original.error()};
    auto merged = mergeAioIntoConfigText(*original, config, target, file.string());
    if (!merged) return Error{merged.error()};
    ConfigMergePreview preview;
    preview.file = file;
    preview.originalText = std::move(original.value());
    preview.merged = std::move(merged.value());
    return preview;
}

Result<ConfigWriteOutcome> applyAioMerge(const ConfigMergePreview& preview, bool replaceReadOnly) {
    if (!preview.merged.changed) {
        // Still make sure the file is what the preview saw before saying "nothing to do".
        auto current = readWholeFile(preview.file, kMaxDeepSpeedConfigBytes);
        if (!current) return Error{current.error()};
        if (*current != preview.originalText)
            return makeError(quote(preview.file.string()) +
                             " changed since it was read: reload it and review the changes again");
        return unchangedOutcome(preview.file, preview.merged.warnings);
    }
    AtomicWriteOptions options;
    options.existing = ExistingFilePolicy::ReplaceKeepBackup;
    options.expectedOriginal = preview.originalText;
    options.replaceReadOnly = replaceReadOnly;
    auto written = writeFileAtomically(preview.file, preview.merged.text, options);
    if (!written) return Error{written.error()};
    ConfigWriteOutcome outcome;
    outcome.written = written->written;
    outcome.backup = written->backup;
    outcome.warnings = preview.merged.warnings;
    return outcome;
}

Result<ConfigWriteOutcome> mergeAioIntoConfigFile(const fs::path& file, const AioConfig& config,
                                                  const DeepSpeedVersion& target,
                                                  bool replaceReadOnly) {
    auto preview = previewAioMerge(file, config, target);
    if (!preview) return Error{preview.error()};
    return applyAioMerge(*preview, replaceReadOnly);
}

std::string resumeHazardWarning(int before, int after) {
    return "the thread count changes from " + std::to_string(before) + " to " +
           std::to_string(after) +
           " in a config that offloads the optimizer to NVMe: DeepSpeed sizes the optimizer's swap "
           "files by it, so resuming from a checkpoint written with " +
           std::to_string(before) +
           " can fail with \"file_offset + buffer nbytes > file bytes\"; start fresh, or keep " +
           std::to_string(before) + " until the next fresh start";
}

std::string aioExportText(const AioConfig& config, const DeepSpeedVersion& target) {
    ordered_json root = ordered_json::object();
    root["aio"] = toAioJson(config, target);
    return root.dump(2) + "\n";
}

std::vector<std::string> aioExportWarnings(const AioConfig& config,
                                           const DeepSpeedVersion& target) {
    std::vector<std::string> warnings;
    if (config.use_gds && !target.readsUseGds())
        warnings.push_back("\"use_gds\": true is not written: DeepSpeed " + target.toString() +
                           " does not read it (GPUDirect Storage needs 0.15.0 or later)");
    return warnings;
}

Result<ConfigWriteOutcome> writeAioExportFile(const fs::path& file, const AioConfig& config,
                                              const DeepSpeedVersion& target, bool overwrite) {
    if (auto valid = validateAioConfig(config); !valid)
        return makeError("cannot export invalid settings: " + valid.error());
    AtomicWriteOptions options;
    options.existing =
        overwrite ? ExistingFilePolicy::ReplaceKeepBackup : ExistingFilePolicy::Refuse;
    options.replaceReadOnly = overwrite;
    auto written = writeFileAtomically(file, aioExportText(config, target), options);
    if (!written) return Error{written.error()};
    ConfigWriteOutcome outcome;
    outcome.written = written->written;
    outcome.backup = written->backup;
    outcome.warnings = aioExportWarnings(config, target);
    return outcome;
}

} // namespace aiotune
