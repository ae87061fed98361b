#include "results/sweep_file.h"
#include "util/json_text.h"
#include "config/transfer_limits.h"

#include "results/answer.h"
#include "results/speed_figure.h"
#include "util/json_input.h"

#include <cmath>
#include <cstdint>
#include <map>
#include <stdexcept>
#include <string>
#include <utility>

namespace aiotune {

using nlohmann::json;

namespace {
// JSON has no NaN/inf: nlohmann writes them as null, which would not read back.
json number(double v) {
    return std::isfinite(v) ? json(v) : json(nullptr);
}

void putOptional(json& j, const char* name, const std::optional<double>& v) {
    if (v && std::isfinite(*v)) j[name] = *v;
}

// A whole number that fits T, or fallback when absent. A float, a string or an
// out-of-range value throws: converting 1e300 to an integer is undefined.
template <typename T> T wholeNumber(const json& j, const char* name, T fallback) {
    const auto it = j.find(name);
    if (it == j.end()) return fallback;
    if (it->is_number_unsigned()) {
        const auto v = it->get<std::uint64_t>();
        if (std::in_range<T>(v)) return static_cast<T>(v);
    } else if (it->is_number_integer()) {
        const auto v = it->get<std::int64_t>();
        if (std::in_range<T>(v)) return static_cast<T>(v);
    }
    throw std::invalid_argument(std::string("\"") + name + "\" must be a whole number in range, not " +
                                jsonText(*it));
}

std::string textOr(const json& j, const char* name) {
    const auto it = j.find(name);
    return it != j.end() && it->is_string() ? it->get<std::string>() : std::string();
}

std::optional<double> getOptional(const json& j, const char* name) {
    const auto it = j.find(name);
    if (it == j.end() || !it->is_number()) return std::nullopt;
    return it->get<double>();
}

// Version 1 kept what the runner held beyond the samples in its meta blob:
// per-folder figures as meta.per_folder [{"tag", "sample": {op, loop, folder,
// gibps, seconds, error}}] and the buffer kind as meta.system.huge_pages (the
// engine then registered its buffers and did not lock them).
void readVersion1Extras(ResultSet& rs) {
    if (!rs.meta.is_object()) return;
    if (const auto sys = rs.meta.find("system"); sys != rs.meta.end() && sys->is_object())
        if (const auto hp = sys->find("huge_pages"); hp != sys->end() && hp->is_boolean())
            rs.profile = MeasurementProfile{hp->get<bool>() ? PagePolicy::Huge : PagePolicy::Normal, false, true};
    const auto pf = rs.meta.find("per_folder");
    if (pf == rs.meta.end() || !pf->is_array()) return;
    std::map<std::string, ConfigResult*> byTag; // not a scan per entry
    for (ConfigResult& c : rs.configs)
        byTag.emplace(c.key.tag(), &c);
    for (const json& entry : *pf) {
        if (!entry.is_object() || !entry.contains("sample")) continue;
        const std::string tag = textOr(entry, "tag");
        auto s = sampleFromJson(entry["sample"]);
        if (!s) continue; // a damaged extra never hides the samples themselves
        if (const auto it = byTag.find(tag); it != byTag.end())
            it->second->folderSamples.push_back(std::move(s.value()));
    }
}
} // namespace

json configKeyToJson(const ConfigKey& key) {
    return json{{"block_size", key.aio.block_size},
                {"queue_depth", key.aio.queue_depth},
                {"intra_op_parallelism", key.aio.intra_op_parallelism},
                {"single_submit", key.aio.single_submit},
                {"overlap_events", key.aio.overlap_events},
                {"use_gds", key.aio.use_gds},
                {"folders", key.folders}};
}

Result<ConfigKey> configKeyFromJson(const json& j) {
    if (!j.is_object()) return makeError("configuration key is not a JSON object");
    // A field this reader does not know would otherwise be dropped, and the
    // key read as the defaults: another configuration's.
    for (auto it = j.begin(); it != j.end(); ++it)
        if (const std::string& name = it.key(); name != "block_size" && name != "queue_depth" && name != "intra_op_parallelism" &&
            name != "single_submit" && name != "overlap_events" && name != "use_gds" && name != "folders")
            return makeError("configuration key " + jsonText(j) +
                             " has the unknown field \"" + name + "\"");
    ConfigKey key;
    try {
        // Absent keys keep DeepSpeed's defaults, as in a DeepSpeed config.
        key.aio.block_size = wholeNumber(j, "block_size", key.aio.block_size);
        key.aio.queue_depth = wholeNumber(j, "queue_depth", key.aio.queue_depth);
        key.aio.intra_op_parallelism =
            wholeNumber(j, "intra_op_parallelism", key.aio.intra_op_parallelism);
        key.aio.single_submit = j.value("single_submit", key.aio.single_submit);
        key.aio.overlap_events = j.value("overlap_events", key.aio.overlap_events);
        key.aio.use_gds = j.value("use_gds", key.aio.use_gds);
        key.folders = wholeNumber(j, "folders", key.folders);
    } catch (const std::exception& e) {
        return makeError(std::string("configuration key ") +
                         jsonText(j) +
                         " has a value of the wrong type (" + e.what() + ")");
    }
    if (key.aio.block_size == 0 || key.aio.queue_depth <= 0 || key.aio.intra_op_parallelism <= 0 ||
        key.folders <= 0)
        return makeError("configuration key " +
                         jsonText(j) +
                         " has a zero or negative value");
    // A setting outside the aio limits (a block of 3 bytes) must never be ranked,
    // or it becomes an answer export cannot write.
    if (auto ok = checkAioLimits(key.aio); !ok)
        return makeError("configuration key " + jsonText(j) + " names a setting aiotune will not export: " + ok.error());
    return key;
}

json sampleToJson(const Sample& s) {
    json j{{"op", ioOpName(s.op)},
           {"loop", s.loop},
           {"bytes", s.bytes},
           {"seconds", number(s.seconds)},
           {"gibps", number(s.gibPerSec)}};
    if (!s.folder.empty()) j["folder"] = s.folder;
    putOptional(j, "latency_p50_us", s.latencyP50Us);
    putOptional(j, "latency_p99_us", s.latencyP99Us);
    putOptional(j, "latency_max_us", s.latencyMaxUs);
    putOptional(j, "cpu_seconds", s.cpuSeconds);
    if (s.finishedAtMs != 0) j["finished_at_ms"] = s.finishedAtMs;
    putOptional(j, "io_seconds", s.ioSeconds);
    putOptional(j, "setup_seconds", s.setupSeconds);
    if (!s.profile.empty()) j["profile"] = s.profile;
    putOptional(j, "huge_page_share", s.hugePageShare);
    if (!s.notes.empty()) j["notes"] = s.notes;
    if (!s.sourceFile.empty()) j["source_file"] = s.sourceFile;
    if (!s.error.empty()) j["error"] = s.error;
    return j;
}

Result<Sample> sampleFromJson(const json& j) {
    if (!j.is_object()) return makeError("sample is not a JSON object");
    Sample s;
    try {
        const std::string op = j.at("op").get<std::string>();
        if (op == "read")
            s.op = IoOp::Read;
        else if (op == "write")
            s.op = IoOp::Write;
        else
            return makeError("sample has op \"" + op + "\": expected \"read\" or \"write\"");
        s.loop = wholeNumber(j, "loop", 0);
        s.folder = j.value("folder", std::string());
        s.bytes = wholeNumber(j, "bytes", std::uint64_t{0});
        s.seconds = getOptional(j, "seconds").value_or(0.0);
        s.gibPerSec = getOptional(j, "gibps").value_or(0.0);
        s.latencyP50Us = getOptional(j, "latency_p50_us");
        s.latencyP99Us = getOptional(j, "latency_p99_us");
        s.latencyMaxUs = getOptional(j, "latency_max_us");
        s.cpuSeconds = getOptional(j, "cpu_seconds");
        s.finishedAtMs = wholeNumber(j, "finished_at_ms", std::int64_t{0});
        s.ioSeconds = getOptional(j, "io_seconds");
        s.setupSeconds = getOptional(j, "setup_seconds");
        s.profile = textOr(j, "profile");
        s.hugePageShare = getOptional(j, "huge_page_share");
        s.notes = textOr(j, "notes");
        s.sourceFile = j.value("source_file", std::string());
        s.error = j.value("error", std::string());
    } catch (const std::exception& e) {
        return makeError("sample " + jsonText(j) +
                         " is malformed (" + e.what() + ")");
    }
    // A figure nothing could measure is refused here, where the file is
    // named, rather than summed into an "inf" or a NaN later.
    if (!s.failed()) {
        if (!j.contains("gibps") || !j["gibps"].is_number())
            return makeError("sample has no \"gibps\" figure (and no \"error\"): the file is damaged");
        if (const std::string why = speedFigureProblem(s.gibPerSec); !why.empty())
            return makeError("sample's \"gibps\" " + why);
        if (const std::string why = secondsFigureProblem(s.seconds); !why.empty())
            return makeError("sample's \"seconds\" " + why);
    }
    return s;
}

json sweepFileJson(const ResultSet& results) {
    json configs = json::array();
    for (const ConfigResult& c : results.configs) {
        json samples = json::array();
        for (const Sample& s : c.samples)
            samples.push_back(sampleToJson(s));
        json jc{{"tag", c.key.tag()}, {"key", configKeyToJson(c.key)}};
        // Derived figures are for people and other tools reading the file; the
        // reader recomputes them from the samples.
        if (c.readGiBps) jc["read_gibps"] = *c.readGiBps;
        if (c.writeGiBps) jc["write_gibps"] = *c.writeGiBps;
        if (c.combinedGiBps) jc["combined_gibps"] = *c.combinedGiBps;
        jc["samples"] = std::move(samples);
        if (!c.folderSamples.empty()) {
            json perFolder = json::array();
            for (const Sample& s : c.folderSamples)
                perFolder.push_back(sampleToJson(s));
            jc["folder_samples"] = std::move(perFolder);
        }
        configs.push_back(std::move(jc));
    }
    json skipped = json::array();
    for (const SkippedFile& f : results.skipped)
        skipped.push_back({{"file", f.file}, {"reason", f.reason}});
    json doc{{"format", kSweepFileFormat},
             {"version", kSweepFileVersion},
             {"engine", results.engine},
             {"status", sweepStatusName(results.status)}};
    if (!results.error.empty()) doc["error"] = results.error;
    if (!results.host.empty()) doc["host"] = results.host;
    if (!results.strategy.empty()) doc["strategy"] = results.strategy;
    if (results.profile) doc["profile"] = results.profile->toJson();
    if (results.startedAtMs != 0) doc["started_at_ms"] = results.startedAtMs;
    if (results.finishedAtMs != 0) doc["finished_at_ms"] = results.finishedAtMs;
    doc["meta"] = results.meta;
    doc["configs"] = std::move(configs);
    if (!results.dropouts.empty()) {
        json dropouts = json::array();
        for (const Dropout& d : results.dropouts)
            dropouts.push_back({{"key", configKeyToJson(ConfigKey{d.config, 1})},
                                {"after_transfers", d.afterTransfers},
                                {"reason", d.reason}});
        doc["dropouts"] = std::move(dropouts);
    }
    if (!results.confirmation.empty()) {
        json confirm = json::array();
        for (const ConfigResult& c : results.confirmation.configs) {
            json samples = json::array();
            for (const Sample& s : c.samples)
                samples.push_back(sampleToJson(s));
            confirm.push_back({{"tag", c.key.tag()}, {"key", configKeyToJson(c.key)}, {"samples", std::move(samples)}});
        }
        doc["confirmation"] = {{"engine", results.confirmation.engine}, {"configs", std::move(confirm)}};
    }
    if (results.answer) doc["answer"] = answerToJson(*results.answer);
    if (!skipped.empty()) doc["skipped"] = std::move(skipped);
    return doc;
}

Result<ResultSet> parseSweepFile(const json& doc, std::string_view sourceName) {
    const std::string where(sourceName);
    if (!doc.is_object() || textOr(doc, "format") != kSweepFileFormat)
        return makeError(where +
                         " is not an aiotune sweep file (no \"format\": \"aiotune-sweep\"); "
                         "delete or rename it to read the DeepSpeed logs beside it");
    ResultSet rs;
    try {
        const int version = wholeNumber(doc, "version", 0);
        if (version > kSweepFileVersion)
            return makeError(where + " has version " + std::to_string(version) +
                             ", newer than this aiotune reads (" +
                             std::to_string(kSweepFileVersion) + "): update aiotune");
        rs.engine = textOr(doc, "engine");
        rs.status = parseSweepStatus(textOr(doc, "status"));
        rs.error = textOr(doc, "error");
        rs.host = textOr(doc, "host");
        rs.strategy = textOr(doc, "strategy");
        if (const auto it = doc.find("profile"); it != doc.end() && it->is_object())
            rs.profile = MeasurementProfile::fromJson(*it);
        rs.startedAtMs = wholeNumber(doc, "started_at_ms", std::int64_t{0});
        rs.finishedAtMs = wholeNumber(doc, "finished_at_ms", std::int64_t{0});
        if (const auto it = doc.find("meta"); it != doc.end()) rs.meta = *it;
        const auto configs = doc.find("configs");
        if (configs == doc.end() || !configs->is_array())
            return makeError(where +
                             " has no \"configs\" list: the file is damaged; delete it to read "
                             "the DeepSpeed logs beside it");
        // Gathered in key order whatever order the file lists them in: inserting
        // each into the sorted list made a file in reverse order quadratic.
        std::map<ConfigKey, ConfigResult> read;
        for (std::size_t i = 0; i < configs->size(); ++i) {
            const json& jc = (*configs)[i];
            const std::string at = where + ": configs[" + std::to_string(i) + "]";
            if (!jc.is_object()) return makeError(at + " is not an object");
            const auto keyIt = jc.find("key");
            if (keyIt == jc.end()) return makeError(at + " has no \"key\"");
            auto key = configKeyFromJson(*keyIt);
            // One bad configuration is listed as skipped; the others still count.
            if (!key) {
                rs.skipped.push_back({std::string(kSweepFileName) + " configs[" + std::to_string(i) + "]", key.error()});
                continue;
            }
            if (read.count(*key)) {
                rs.skipped.push_back({std::string(kSweepFileName) + " configs[" + std::to_string(i) + "]",
                                      "repeats the configuration " + key->tag() + " listed before it"});
                continue;
            }
            const auto samples = jc.find("samples");
            if (samples == jc.end() || !samples->is_array())
                return makeError(at + " has no \"samples\" list");
            ConfigResult c;
            c.key = *key;
            for (std::size_t k = 0; k < samples->size(); ++k) {
                auto s = sampleFromJson((*samples)[k]);
                if (!s) return makeError(at + ".samples[" + std::to_string(k) + "]: " + s.error());
                c.samples.push_back(std::move(s.value()));
            }
            if (c.samples.empty()) continue; // nothing measured: not listed
            if (const auto perFolder = jc.find("folder_samples");
                perFolder != jc.end() && perFolder->is_array()) {
                for (std::size_t k = 0; k < perFolder->size(); ++k) {
                    auto s = sampleFromJson((*perFolder)[k]);
                    if (!s) return makeError(at + ".folder_samples[" + std::to_string(k) + "]: " + s.error());
                    c.folderSamples.push_back(std::move(s.value()));
                }
            }
            c.recompute();
            read.emplace(*key, std::move(c));
        }
        rs.configs.reserve(read.size());
        for (auto& entry : read)
            rs.configs.push_back(std::move(entry.second));
        // Configurations listed and none readable: the file is damaged, not empty.
        if (!configs->empty() && rs.configs.empty() && !rs.skipped.empty())
            return makeError(where + ": none of its " + std::to_string(configs->size()) +
                             " configurations could be read (" + rs.skipped.front().file + ": " +
                             rs.skipped.front().reason + "); delete it to read the DeepSpeed logs beside it");
        if (const auto d = doc.find("dropouts"); d != doc.end() && d->is_array())
            for (std::size_t k = 0; k < d->size(); ++k) {
                const json& jd = (*d)[k];
                if (!jd.is_object()) return makeError(where + ": dropouts[" + std::to_string(k) + "] is not an object");
                auto key = configKeyFromJson(jd.value("key", json::object()));
                if (!key) return makeError(where + ": dropouts[" + std::to_string(k) + "]: " + key.error());
                rs.dropouts.push_back({key->aio, wholeNumber(jd, "after_transfers", std::size_t{0}), textOr(jd, "reason")});
            }
        // The finalists measured again with libaio: apart from configs, so
        // they never mix into the search engine's figures.
        if (const auto cf = doc.find("confirmation"); cf != doc.end() && cf->is_object()) {
            rs.confirmation.engine = textOr(*cf, "engine");
            const auto list = cf->find("configs");
            if (list == cf->end() || !list->is_array())
                return makeError(where + ": \"confirmation\" has no \"configs\" list");
            for (std::size_t i = 0; i < list->size(); ++i) {
                const json& jc = (*list)[i];
                const std::string at = where + ": confirmation.configs[" + std::to_string(i) + "]";
                if (!jc.is_object()) return makeError(at + " is not an object");
                auto key = configKeyFromJson(jc.value("key", json::object()));
                if (!key) return makeError(at + ": " + key.error());
                const auto samples = jc.find("samples");
                if (samples == jc.end() || !samples->is_array()) return makeError(at + " has no \"samples\" list");
                for (std::size_t k = 0; k < samples->size(); ++k) {
                    auto s = sampleFromJson((*samples)[k]);
                    if (!s) return makeError(at + ".samples[" + std::to_string(k) + "]: " + s.error());
                    rs.confirmation.add(*key, std::move(s.value()));
                }
            }
        }
        if (version < 2) readVersion1Extras(rs);
        // A damaged answer is not fatal: answerFor() decides again from the samples.
        if (const auto an = doc.find("answer"); an != doc.end()) {
            if (auto answer = answerFromJson(*an))
                rs.answer = std::move(*answer);
            else
                rs.skipped.push_back({where, answer.error() + ": the answer was decided again from the samples"});
        }
        if (const auto sk = doc.find("skipped"); sk != doc.end() && sk->is_array())
            for (const json& f : *sk)
                rs.skipped.push_back(
                    {f.value("file", std::string()), f.value("reason", std::string())});
    } catch (const std::exception& e) {
        return makeError(where + " is malformed (" + e.what() +
                         "); delete it to read the DeepSpeed logs "
                         "beside it");
    }
    rs.source = "aiotune sweep file " + where;
    return rs;
}

Result<ResultSet> parseSweepFileText(std::string_view text, std::string_view sourceName) {
    auto doc = parseJsonText(text, sourceName); // limits and duplicate keys (util/json_input.h)
    if (!doc) {
        const bool cut = doc.error().find("is not valid JSON") != std::string::npos;
        return makeError(doc.error() + (cut ? " (perhaps cut short)" : "") +
                         ": delete it to read the DeepSpeed logs beside it, if any");
    }
    return parseSweepFile(*doc, sourceName);
}

} // namespace aiotune
