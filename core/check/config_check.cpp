#include "check/config_check.h"
#include "util/json_text.h"

#include "config/aio_value_rules.h"
#include "util/byte_size.h"
#include "util/strict_number.h"

#include <algorithm>
#include <array>
#include <cctype>
#include <charconv>
#include <cmath>
#include <cstdio>
#include <set>

namespace aiotune {

namespace {

using ordered_json = nlohmann::ordered_json;

// DeepSpeed 0.7.0 moved the ZeRO config to pydantic models that refuse
// unknown keys (extra="forbid") and convert "5" or "true" where a number or a
// boolean is wanted; before, sections were plain dicts read key by key.
const DeepSpeedVersion kPydanticZero{0, 7, 0};

constexpr std::uint64_t kParamBufferCountDefault = 5;
constexpr std::uint64_t kParamBufferSizeDefault = 100000000; // 1e8 elements
constexpr std::uint64_t kOptimizerBufferCountDefault = 4;
constexpr std::uint64_t kTorchSizeMax = 9223372036854775807ull; // int64 sizes and element counts

std::string quote(std::string_view s) { return "\"" + std::string(s) + "\""; }


std::string lower(std::string s) {
    for (char& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return s;
}

class ConfigChecker {
  public:
    ConfigChecker(const ordered_json& root, const DeepSpeedVersion& version)
        : m_root(root), m_version(version) {}

    ConfigCheckOutcome run() {
        if (!m_root.is_object()) {
            add(FindingSeverity::Error, "CONFIG_NOT_OBJECT", "", "the config is " + shortJsonText(m_root) +
                    ", not a JSON object; DeepSpeed refuses it",
                "choose the DeepSpeed config file (a { ... } object)");
            return std::move(m_out);
        }
        readPrecision();
        readOptimizer();
        readZero();
        checkAio();
        checkNested();
        checkOffloadUse();
        return std::move(m_out);
    }

  private:
    void add(FindingSeverity s, std::string code, std::string subject, std::string message,
             std::string fix) {
        m_out.findings.push_back(
            {s, std::move(code), std::move(subject), std::move(message), std::move(fix)});
    }

    bool pydantic() const { return m_version >= kPydanticZero; }

    // ---- precision and optimizer: what the swap buffers hold -----------------

    static bool enabledSection(const ordered_json& root, const char* key) {
        const auto it = root.find(key);
        if (it == root.end() || !it->is_object()) return false;
        const auto en = it->find("enabled");
        return en != it->end() && en->is_boolean() && en->get<bool>();
    }

    void readPrecision() {
        // Parameters are swapped in the model's dtype: 2 bytes with fp16 or bf16.
        if (enabledSection(m_root, "fp16") || enabledSection(m_root, "bf16") ||
            enabledSection(m_root, "bfloat16"))
            m_out.settings.paramElementBytes = 2;
    }

    void readOptimizer() {
        const auto it = m_root.find("optimizer");
        if (it == m_root.end() || !it->is_object()) return;
        const auto type = it->find("type");
        if (type == it->end() || !type->is_string()) return;
        auto& s = m_out.settings;
        s.optimizerType = lower(type->get<std::string>());
        // Swapped per parameter: its fp32 copy plus the optimizer's state tensors.
        static const std::set<std::string> twoStates = {
            "adam", "adamw", "lamb", "onebitadam", "zerooneadam", "onebitlamb",
            "fusedadam", "cpuadam", "deepspeedcpuadam", "fusedlamb", "lion", "fusedlion"};
        static const std::set<std::string> oneState = {"adagrad", "sgd", "cpuadagrad"};
        if (twoStates.count(s.optimizerType)) s.optimizerStateTensors = 3;
        else if (oneState.count(s.optimizerType)) s.optimizerStateTensors = 2;
    }

    // ---- zero_optimization and its offload sections ----------------------------

    void readZero() {
        const auto it = m_root.find("zero_optimization");
        if (it == m_root.end() || it->is_null()) return;
        if (it->is_boolean()) { // the oldest form: true means stage 1
            m_out.settings.zeroStage = it->get<bool>() ? 1 : 0;
            return;
        }
        if (!it->is_object()) {
            add(FindingSeverity::Error, "ZERO_WRONG_TYPE", "zero_optimization",
                "\"zero_optimization\" is " + shortJsonText(*it) +
                    ", not an object; DeepSpeed refuses the config",
                "write it as an object such as {\"stage\": 3, ...}");
            return;
        }
        const ordered_json& zero = *it;
        if (const auto st = zero.find("stage"); st != zero.end()) {
            if (st->is_number_integer()) m_out.settings.zeroStage = st->get<int>();
            else if (auto n = numericString(*st)) m_out.settings.zeroStage = static_cast<int>(*n);
        }
        // runtime/zero/constants.py ZERO_OPTIMIZATION_SUB_GROUP_SIZE_DEFAULT: 1e12 up
        // to v0.4.0, 1e9 from v0.4.1 (runtime/zero/config.py sub_group_size since 0.7.0).
        m_out.settings.subGroupSize =
            m_version < DeepSpeedVersion{0, 4, 1} ? 1000000000000ull : 1000000000ull;
        // runtime/zero/config.py (v0.19.5): sub_group_size: int = Field(ge=0), read as
        // every count is (a negative, fractional or non-numeric value is refused;
        // beyond 2^63-1 it bounds nothing: the model's sub-groups decide).
        if (const auto sg = zero.find("sub_group_size"); sg != zero.end() && !sg->is_null())
            if (auto n = readCount(*sg, "zero_optimization.sub_group_size", m_out.settings.subGroupSize,
                                   /*torchSize=*/false))
                m_out.settings.subGroupSize = *n;
        m_out.settings.param = readOffload(zero, "offload_param", true);
        m_out.settings.optimizer = readOffload(zero, "offload_optimizer", false);
    }

    static std::optional<std::uint64_t> numericString(const ordered_json& v) {
        if (!v.is_string()) return std::nullopt;
        const std::string& s = v.get_ref<const std::string&>();
        std::uint64_t n = 0;
        const auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), n);
        if (ec != std::errc() || end != s.data() + s.size() || s.empty()) return std::nullopt;
        return n;
    }

    // A count or size in an offload section: whole numbers; pydantic also
    // takes a numeric string (or a float with no fraction) and converts it.
    // torchSize: DeepSpeed sizes a tensor with it (buffer_count, buffer_size),
    // not max_in_cpu, which only caps a count of the model's own elements.
    std::optional<std::uint64_t> readCount(const ordered_json& v, const std::string& subject,
                                           std::uint64_t fallback, bool torchSize = true) {
        const auto beyondTorch = [&]() -> std::optional<std::uint64_t> {
            add(FindingSeverity::Error, "OFFLOAD_OUT_OF_RANGE", subject,
                quote(subject) + " is " + shortJsonText(v) + ", beyond " + std::to_string(kTorchSizeMax) +
                    " (2^63-1), the largest size torch takes: DeepSpeed fails allocating its swap buffers",
                "use a realistic value (DeepSpeed's default is " + std::to_string(fallback) + ")");
            return std::nullopt;
        };
        if (v.is_number_unsigned()) {
            const std::uint64_t n = v.get<std::uint64_t>();
            if (n > kTorchSizeMax && torchSize) {
                // pydantic's int is unbounded, but DeepSpeed sizes torch
                // tensors with it, and torch sizes are int64.
                return beyondTorch();
            }
            return n;
        }
        if (v.is_number_integer()) {
            add(FindingSeverity::Error, "OFFLOAD_OUT_OF_RANGE", subject,
                quote(subject) + " is " + shortJsonText(v) + "; DeepSpeed refuses negative values",
                "use a number of at least 0 (DeepSpeed's default is " + std::to_string(fallback) +
                    ")");
            return std::nullopt;
        }
        if (v.is_number_float()) {
            const double d = v.get<double>();
            if (std::isfinite(d) && d >= 9.2e18 && !torchSize) return kTorchSizeMax;
            if (std::isfinite(d) && d >= 9.2e18) return beyondTorch();
            if (std::isfinite(d) && d >= 0 && std::trunc(d) == d) {
                // DeepSpeed's own examples write 1e8: pydantic takes a whole float.
                add(pydantic() ? FindingSeverity::Note : FindingSeverity::Warning, "OFFLOAD_WRONG_TYPE", subject,
                    quote(subject) + " is written as a fractional number (" + shortJsonText(v) +
                        "); DeepSpeed 0.7+ converts it, older releases pass it on as a float",
                    "write it as a whole number: " + std::to_string(static_cast<std::uint64_t>(d)));
                return static_cast<std::uint64_t>(d);
            }
        } else if (auto n = numericString(v)) {
            add(pydantic() ? FindingSeverity::Warning : FindingSeverity::Error, "OFFLOAD_WRONG_TYPE", subject,
                quote(subject) + " is the string " + shortJsonText(v) +
                    (pydantic() ? "; DeepSpeed " + m_version.toString() + " converts it to a number"
                                : "; DeepSpeed " + m_version.toString() +
                                      " uses the string as it is and fails"),
                "write the number without quotes: " + std::to_string(*n));
            return n;
        }
        add(FindingSeverity::Error, "OFFLOAD_WRONG_TYPE", subject,
            quote(subject) + " is " + shortJsonText(v) +
                ", not a whole number; DeepSpeed refuses the config",
            "write a whole number (DeepSpeed's default is " + std::to_string(fallback) + ")");
        return std::nullopt;
    }

    // ratio, cpuadam_cores_perc: pydantic floats with ge=0.0, le=1.0
    // (runtime/zero/offload_config.py, v0.19.5; read from 0.12.3 and 0.18.0,
    // both pydantic releases): a numeric string is converted, anything else
    // outside 0..1 refuses the config.
    std::optional<double> readShare(const ordered_json& v, const std::string& subject, double fallback) {
        std::optional<double> d;
        if (v.is_number()) {
            d = v.get<double>();
        } else if (v.is_string()) {
            if (auto parsed = parsePythonFloat(v.get_ref<const std::string&>()); parsed && std::isfinite(*parsed)) {
                d = *parsed;
                add(FindingSeverity::Warning, "OFFLOAD_WRONG_TYPE", subject,
                    quote(subject) + " is the string " + shortJsonText(v) + "; DeepSpeed " +
                        m_version.toString() + " converts it to a number",
                    "write the number without quotes");
            }
        }
        char def[16];
        std::snprintf(def, sizeof def, "%g", fallback);
        if (!d) {
            add(FindingSeverity::Error, "OFFLOAD_WRONG_TYPE", subject,
                quote(subject) + " is " + shortJsonText(v) + ", not a number; DeepSpeed refuses the config",
                std::string("write a number from 0 to 1 (DeepSpeed's default is ") + def + ")");
            return std::nullopt;
        }
        if (!(*d >= 0.0 && *d <= 1.0)) {
            add(FindingSeverity::Error, "OFFLOAD_OUT_OF_RANGE", subject,
                quote(subject) + " is " + shortJsonText(v) + ", outside 0 to 1; DeepSpeed refuses the config",
                std::string("write a number from 0 to 1 (DeepSpeed's default is ") + def + ")");
            return std::nullopt;
        }
        return d;
    }

    std::optional<bool> readFlag(const ordered_json& v, const std::string& subject) {
        if (v.is_boolean()) return v.get<bool>();
        if (v.is_string()) {
            const std::string s = lower(v.get<std::string>());
            const bool truthy = s == "true" || s == "1" || s == "yes" || s == "on";
            const bool falsy = s == "false" || s == "0" || s == "no" || s == "off";
            if (truthy || falsy) {
                add(pydantic() ? FindingSeverity::Warning : FindingSeverity::Error, "OFFLOAD_WRONG_TYPE", subject,
                    quote(subject) + " is the string " + shortJsonText(v) +
                        (pydantic() ? "; DeepSpeed " + m_version.toString() +
                                          " converts it to " + (truthy ? "true" : "false")
                                    : "; DeepSpeed " + m_version.toString() +
                                          " reads any non-empty string as true"),
                    std::string("write ") + (truthy ? "true" : "false") + " without quotes");
                return pydantic() ? truthy : true;
            }
        }
        add(FindingSeverity::Error, "OFFLOAD_WRONG_TYPE", subject,
            quote(subject) + " is " + shortJsonText(v) + ", not a boolean; DeepSpeed refuses the config",
            "write true or false");
        return std::nullopt;
    }

    OffloadSection readOffload(const ordered_json& zero, const char* name, bool isParam) {
        OffloadSection s;
        s.path = std::string("zero_optimization.") + name;
        s.bufferCount = isParam ? kParamBufferCountDefault : kOptimizerBufferCountDefault;
        s.bufferSize = isParam ? kParamBufferSizeDefault : 0;
        const auto it = zero.find(name);
        if (it == zero.end() || it->is_null()) return s;
        if (!it->is_object()) {
            add(FindingSeverity::Error, "OFFLOAD_WRONG_TYPE", s.path,
                quote(s.path) + " is " + shortJsonText(*it) + ", not an object; DeepSpeed refuses the config",
                "write it as an object such as {\"device\": \"nvme\", \"nvme_path\": \"/local_nvme\"}");
            return s;
        }
        s.present = true;
        static const std::set<std::string> paramKeys = {"device", "nvme_path", "buffer_count",
                                                        "buffer_size", "max_in_cpu", "pin_memory"};
        // runtime/zero/offload_config.py, by the release that added each field.
        std::set<std::string> optimizerKeys = {"device",     "nvme_path",     "buffer_count",
                                               "pin_memory", "pipeline_read", "pipeline_write",
                                               "fast_init"};
        if (m_version >= DeepSpeedVersion{0, 12, 3}) optimizerKeys.insert("ratio");
        if (m_version >= DeepSpeedVersion{0, 18, 0}) {
            optimizerKeys.insert("super_offload");
            optimizerKeys.insert("cpuadam_cores_perc");
        }
        const auto& known = isParam ? paramKeys : optimizerKeys;
        for (auto kv = it->begin(); kv != it->end(); ++kv) {
            const std::string& key = kv.key();
            const ordered_json& v = kv.value();
            const std::string subject = s.path + "." + key;
            // HF's "auto" placeholders are dropped by DeepSpeed's non-strict loading.
            if (v.is_string() && v.get<std::string>() == "auto" && pydantic()) continue;
            if (!known.count(key)) {
                if (key == "aio") continue; // reported with the other nested aio blocks
                if (!isParam && key == "pipeline") {
                    // Up to 0.6 DeepSpeed overwrote it from pipeline_read/pipeline_write
                    // (offload_config.py); from 0.7 it is no field, so extra="forbid" refuses it.
                    add(pydantic() ? FindingSeverity::Error : FindingSeverity::Warning,
                        "OFFLOAD_UNKNOWN_KEY", subject,
                        "\"pipeline\" is not a setting: DeepSpeed derives it from pipeline_read "
                        "and pipeline_write" +
                            (pydantic() ? "; DeepSpeed " + m_version.toString() +
                                              " refuses the config (extra keys are not permitted)"
                                        : " and overwrites it"),
                        "remove it; set \"pipeline_read\" and/or \"pipeline_write\" instead");
                    continue;
                }
                const char* since = key == "ratio" ? "0.12.3"
                                    : key == "super_offload" || key == "cpuadam_cores_perc"
                                        ? "0.18.0"
                                        : nullptr;
                if (!isParam && since) {
                    add(pydantic() ? FindingSeverity::Error : FindingSeverity::Warning,
                        "OFFLOAD_KEY_TOO_NEW", subject,
                        quote(key) + " arrived in DeepSpeed " + since + "; DeepSpeed " +
                            m_version.toString() +
                            (pydantic() ? " refuses the config (extra keys are not permitted)"
                                        : " ignores it"),
                        "remove it, or upgrade DeepSpeed to " + std::string(since) + " or later");
                    continue;
                }
                add(pydantic() ? FindingSeverity::Error : FindingSeverity::Warning, "OFFLOAD_UNKNOWN_KEY", subject,
                    "unknown key " + quote(key) + " in " + quote(s.path) +
                        (pydantic() ? ": DeepSpeed " + m_version.toString() +
                                          " refuses the config (extra keys are not permitted)"
                                    : ": DeepSpeed ignores it"),
                    "remove it or correct its spelling");
                continue;
            }
            if (key == "device") {
                if (v.is_string()) {
                    s.device = v.get<std::string>();
                    if (s.device != "none" && s.device != "cpu" && s.device != "nvme")
                        add(FindingSeverity::Error, "OFFLOAD_DEVICE_INVALID", subject,
                            "device " + shortJsonText(v) + " is not one DeepSpeed knows; it refuses "
                                                       "the config (values are lower case)",
                            "write \"nvme\", \"cpu\" or \"none\"");
                } else if (!v.is_null()) {
                    add(FindingSeverity::Error, "OFFLOAD_DEVICE_INVALID", subject,
                        "device is " + shortJsonText(v) + ", not a string; DeepSpeed refuses the config",
                        "write \"nvme\", \"cpu\" or \"none\"");
                }
            } else if (key == "nvme_path") {
                if (v.is_string()) s.nvmePath = v.get<std::string>();
                else if (!v.is_null())
                    add(FindingSeverity::Error, "OFFLOAD_WRONG_TYPE", subject,
                        "nvme_path is " + shortJsonText(v) + ", not a path string; DeepSpeed refuses it",
                        "write the folder as a string: \"/local_nvme\"");
            } else if (key == "buffer_count") {
                if (auto n = readCount(v, subject, s.bufferCount)) s.bufferCount = *n;
            } else if (key == "buffer_size") {
                if (auto n = readCount(v, subject, s.bufferSize)) s.bufferSize = *n;
            } else if (key == "max_in_cpu") {
                if (auto n = readCount(v, subject, 1000000000, /*torchSize=*/false))
                    s.maxInCpu = *n;
            } else if (key == "pin_memory") {
                if (auto b = readFlag(v, subject)) s.pinMemory = *b;
            } else if (key == "pipeline_read") {
                if (auto b = readFlag(v, subject)) s.pipelineRead = *b;
            } else if (key == "pipeline_write") {
                if (auto b = readFlag(v, subject)) s.pipelineWrite = *b;
            } else if (key == "fast_init") {
                if (auto b = readFlag(v, subject)) s.fastInit = *b;
            } else if (key == "super_offload") {
                readFlag(v, subject);
            } else if (key == "ratio") {
                if (auto r = readShare(v, subject, 1.0)) s.ratio = *r;
            } else if (key == "cpuadam_cores_perc") {
                readShare(v, subject, 0.8);
            }
        }
        return s;
    }

    // ---- the aio section ------------------------------------------------------

    void checkAio() {
        const auto it = m_root.find("aio");
        if (it == m_root.end() || it->is_null()) return;
        if (!it->is_object()) {
            add(FindingSeverity::Error, "AIO_WRONG_TYPE", "aio",
                "\"aio\" is " + shortJsonText(*it) + ", not an object; DeepSpeed fails reading it",
                "write an object such as {\"block_size\": 1048576, \"queue_depth\": 8}, or "
                "remove it for the defaults");
            return;
        }
        m_out.settings.aioPresent = true;
        const bool intraOp = m_version.readsIntraOpParallelism();
        const std::string threadKey = intraOp ? "intra_op_parallelism" : "thread_count";
        AioConfig& aio = m_out.settings.aio;
        for (auto kv = it->begin(); kv != it->end(); ++kv) {
            const std::string& key = kv.key();
            const ordered_json& v = kv.value();
            const std::string subject = "aio." + key;
            const bool ignoredThreads = (key == "thread_count" || key == "intra_op_parallelism") &&
                                        key != threadKey;
            if (key == "num_threads" || ignoredThreads) {
                std::string what = key == "num_threads"
                                       ? "is written by ds_nvme_tune but read by no DeepSpeed release"
                                       : "is not read by DeepSpeed " + m_version.toString() +
                                             (intraOp ? " (it reads intra_op_parallelism since 0.16.4)"
                                                      : " (intra_op_parallelism arrived in 0.16.4)");
                // Both names with one value: a section written for every release
                // (each reads its own key with dict.get and ignores the other).
                if (key != "num_threads" && it->contains(threadKey) && it->at(threadKey) == v) {
                    add(FindingSeverity::Note, "AIO_DUAL_THREAD_KEYS", subject,
                        quote(key) + " (" + shortJsonText(v) +
                            ") is for DeepSpeed releases that read it; " + m_version.toString() +
                            " reads " + quote(threadKey) +
                            ", which has the same value, so the section works on every release",
                        "");
                    continue;
                }
                const bool harmless = v == ordered_json(1) || it->contains(threadKey);
                add(harmless ? FindingSeverity::Note : FindingSeverity::Warning, "AIO_IGNORED_KEY", subject,
                    quote(key) + " (" + shortJsonText(v) + ") " + what +
                        (it->contains(threadKey) ? "; " + quote(threadKey) + " is there and is used"
                                                 : "; DeepSpeed uses 1 thread"),
                    it->contains(threadKey) ? "remove " + quote(key)
                                            : "rename it to " + quote(threadKey));
                continue;
            }
            if (key == "use_gds" && !m_version.readsUseGds()) {
                const bool on = v.is_boolean() && v.get<bool>();
                add(on ? FindingSeverity::Warning : FindingSeverity::Note, "AIO_IGNORED_KEY", subject,
                    "\"use_gds\" is not read by DeepSpeed " + m_version.toString() +
                        " (GPUDirect Storage arrived in 0.15.0)",
                    on ? "upgrade DeepSpeed to use GDS, or remove the key" : "remove the key");
                continue;
            }
            if (!aioValueKind(key)) {
                // Unknown keys: the parser's message, with its "did you mean".
                ordered_json single = ordered_json::object();
                single[key] = v;
                auto parsed = parseAioSection(single);
                if (parsed && !parsed->warnings.empty())
                    add(FindingSeverity::Warning, "AIO_UNKNOWN_KEY", subject,
                        parsed->warnings.front(), "remove it or correct its spelling");
                continue;
            }
            // The JSON type by DeepSpeed's rules: the table the parser and the
            // merge use too (config/aio_value_rules.h).
            const AioValueVerdict verdict = judgeAioValue(key, v);
            if (verdict.severity != AioValueVerdict::Severity::Ok)
                add(severityOf(verdict.severity),
                    verdict.outOfRange ? "AIO_OUT_OF_RANGE" : "AIO_WRONG_TYPE", subject,
                    describeAioValue(key, verdict), verdict.fix);
            if (!verdict.usable) continue;
            if (verdict.integer) {
                // The range, by the parser's limits (positive, aligned, caps).
                ordered_json single = ordered_json::object();
                single[key] = *verdict.integer;
                auto parsed = parseAioSection(single);
                if (!parsed) {
                    add(FindingSeverity::Error, "AIO_OUT_OF_RANGE", subject,
                        parsed.error() + "; DeepSpeed's async_io op cannot work with it",
                        fixFor(key, *verdict.integer));
                    continue;
                }
                if (key == "block_size")
                    aio.block_size = parsed->config.block_size;
                else if (key == "queue_depth")
                    aio.queue_depth = parsed->config.queue_depth;
                else if (key == threadKey)
                    aio.intra_op_parallelism = parsed->config.intra_op_parallelism;
            } else if (verdict.flag) {
                if (key == "single_submit")
                    aio.single_submit = *verdict.flag;
                else if (key == "overlap_events")
                    aio.overlap_events = *verdict.flag;
                else if (key == "use_gds")
                    aio.use_gds = *verdict.flag;
            }
        }
    }

    static FindingSeverity severityOf(AioValueVerdict::Severity s) {
        switch (s) {
        case AioValueVerdict::Severity::Error:
            return FindingSeverity::Error;
        case AioValueVerdict::Severity::Warning:
            return FindingSeverity::Warning;
        default:
            return FindingSeverity::Note;
        }
    }

    // The fix for a whole number out of aiotune's and DeepSpeed's range.
    static std::string fixFor(const std::string& key, std::int64_t n) {
        if (key == "block_size" && n > 0) {
            const std::uint64_t up = (static_cast<std::uint64_t>(n) / 4096 + 1) * 4096;
            return "use a multiple of 4096, e.g. " + std::to_string(up) + " (" +
                   formatByteSizeTag(up) + ")";
        }
        return "write a whole number of at least 1";
    }

    // ---- aio blocks where DeepSpeed never reads them ---------------------------

    void checkNested() {
        for (const std::string& path : findNestedAioBlocks(m_root)) {
            const bool inZero = path.rfind("zero_optimization.", 0) == 0;
            const bool refused = inZero && pydantic();
            add(refused ? FindingSeverity::Error : FindingSeverity::Warning, "AIO_NESTED", path,
                "an \"aio\" block in " + quote(path.substr(0, path.size() - 4)) +
                    (refused ? " makes DeepSpeed " + m_version.toString() +
                                   " refuse the config (the ZeRO section permits no extra keys)"
                             : " is never read: DeepSpeed reads \"aio\" only at the top level") +
                    (m_out.settings.aioPresent ? "" : "; the defaults apply"),
                "move its settings to a top-level \"aio\" block and delete this one");
        }
    }

    // ---- how the offload sections fit together ---------------------------------

    void checkOffloadUse() {
        const auto& s = m_out.settings;
        for (const OffloadSection* o : {&s.param, &s.optimizer}) {
            if (!o->nvme()) continue;
            if (!o->nvmePath || o->nvmePath->empty())
                add(FindingSeverity::Error, "OFFLOAD_NVME_PATH_MISSING", o->path + ".nvme_path",
                    quote(o->path) + " has device \"nvme\" but no nvme_path; DeepSpeed fails when "
                                     "it sets up swapping",
                    "add \"nvme_path\": a folder on the NVMe drive, e.g. \"/local_nvme\"");
            if (s.zeroStage != 3)
                add(FindingSeverity::Warning, "NVME_NEEDS_STAGE3", o->path + ".device",
                    "NVMe offload is implemented only for ZeRO stage 3 (ZeRO-Infinity); with "
                    "stage " + std::to_string(s.zeroStage) + " DeepSpeed swaps nothing to NVMe",
                    "set \"zero_optimization\": {\"stage\": 3}, or use device \"cpu\"");
        }
        // runtime/zero/config.py offload_ratio_check (from v0.12.3): partial
        // offload only with stage 3.
        if (s.optimizer.present && s.optimizer.ratio < 1.0 && s.zeroStage != 3 &&
            m_version >= DeepSpeedVersion{0, 12, 3})
            add(FindingSeverity::Error, "OFFLOAD_RATIO_NEEDS_STAGE3", s.optimizer.path + ".ratio",
                "ratio " + shortJsonText(ordered_json(s.optimizer.ratio)) +
                    " offloads part of the optimizer, which DeepSpeed supports only with ZeRO "
                    "stage 3; "
                    "with stage " +
                    std::to_string(s.zeroStage) +
                    " it refuses the config (\"Partial offloading only supported for ZeRO Stage "
                    "3\")",
                "set \"stage\": 3, or remove ratio (1.0 offloads all)");
        if (s.param.present && s.param.device != "none" && s.zeroStage != 3 && !s.param.nvme())
            add(FindingSeverity::Warning, "OFFLOAD_PARAM_NEEDS_STAGE3", s.param.path,
                "offload_param is used only with ZeRO stage 3; stage " +
                    std::to_string(s.zeroStage) + " ignores it",
                "set \"stage\": 3 or remove offload_param");
        if (s.anyNvme() && !s.aioPresent) {
            const AioConfig d;
            add(FindingSeverity::Warning, "AIO_DEFAULTS_USED", "aio",
                "NVMe offload is on but the config has no \"aio\" section, so DeepSpeed uses its "
                "defaults: block_size " + std::to_string(d.block_size) + ", queue_depth " +
                    std::to_string(d.queue_depth) + ", " +
                    (m_version.readsIntraOpParallelism() ? "intra_op_parallelism" : "thread_count") +
                    " 1, single_submit false, overlap_events true",
                "measure the drive (aiotune sweep --nvme_dir <nvme_path>) and merge the best "
                "settings (aiotune export --log_dir <dir> --config <this file>)");
        }
        if (!s.anyNvme() && s.aioPresent)
            add(FindingSeverity::Note, "AIO_UNUSED", "aio",
                "the \"aio\" section only matters for NVMe offload, and this config offloads "
                "nothing to NVMe",
                "");
        for (const OffloadSection* o : {&s.param, &s.optimizer})
            if (o->nvme() && !o->pinMemory)
                add(FindingSeverity::Note, "PIN_MEMORY_NVME", o->path + ".pin_memory",
                    "pin_memory false does not apply to NVMe swap buffers: DeepSpeed always "
                    "allocates them page-locked",
                    "");
    }

    const ordered_json& m_root;
    DeepSpeedVersion m_version;
    ConfigCheckOutcome m_out;
};

} // namespace

ConfigCheckOutcome checkDeepSpeedConfig(const nlohmann::ordered_json& root,
                                        const DeepSpeedVersion& version) {
    return ConfigChecker(root, version).run();
}

} // namespace aiotune
