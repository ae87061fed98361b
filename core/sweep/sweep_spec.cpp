#include "sweep/sweep_spec.h"

#include "config/transfer_limits.h"
#include "util/byte_size.h"
#include "util/json_input.h"

#include <climits>
#include <set>

namespace aiotune {

namespace {

using nlohmann::json;

// Scalars count as one-element lists, as DeepSpeed's sweep scripts allow.
std::vector<json> asList(const json& v) {
    if (v.is_array()) return std::vector<json>(v.begin(), v.end());
    return {v};
}

std::string where(std::string_view source, std::string_view key) {
    return std::string(source) + ": \"" + std::string(key) + "\"";
}

Result<std::vector<std::uint64_t>> sizeList(const json& v, std::string_view source, std::string_view key) {
    std::vector<std::uint64_t> out;
    for (const auto& item : asList(v)) {
        if (item.is_number_unsigned()) {
            out.push_back(item.get<std::uint64_t>());
        } else if (item.is_string()) {
            auto s = parseByteSize(item.get<std::string>());
            if (!s) return makeError(where(source, key) + ": " + s.error());
            out.push_back(*s);
        } else {
            return makeError(where(source, key) + " has " + item.dump() +
                             ": expected sizes such as \"128K\" or 1048576");
        }
    }
    return out;
}

Result<std::vector<int>> intList(const json& v, std::string_view source, std::string_view key) {
    std::vector<int> out;
    for (const auto& item : asList(v)) {
        // Only the type here; the caps are checkTransferShape's (SweepSpec::validate).
        if (!item.is_number_integer() || item.get<long long>() < 1 || item.get<long long>() > INT_MAX)
            return makeError(where(source, key) + " has " + item.dump() + ": expected whole numbers >= 1");
        out.push_back(item.get<int>());
    }
    return out;
}

Result<std::vector<bool>> boolList(const json& v, std::string_view source, std::string_view key,
                                   bool invert = false) {
    std::vector<bool> out;
    for (const auto& item : asList(v)) {
        if (!item.is_boolean())
            return makeError(where(source, key) + " has " + item.dump() +
                             ": expected true or false (JSON booleans, not strings)");
        out.push_back(item.get<bool>() != invert);
    }
    return out;
}

// Keeps the first of each value, in order; a set keeps a long hostile list linear-ish.
template <typename T> void dedupe(std::vector<T>& v) {
    std::vector<T> out;
    std::set<T> seen;
    for (const T x : v)
        if (seen.insert(x).second) out.push_back(x);
    v = std::move(out);
}

// Applies the keys shared by DeepSpeed's sweep configs and aiotune's own form.
Result<void> applyLists(SweepSpec& spec, const json& doc, std::string_view source,
                        std::vector<std::string>* warnings, bool ownForm) {
    if (!doc.is_object())
        return makeError(std::string(source) + " must hold a JSON object mapping settings to lists");
    bool sawOverlap = false;
    for (const auto& [key, value] : doc.items()) {
        if (key == "block_size") {
            auto v = sizeList(value, source, key);
            if (!v) return makeError(v.error());
            spec.blockSizes = *v;
        } else if (key == "queue_depth") {
            auto v = intList(value, source, key);
            if (!v) return makeError(v.error());
            spec.queueDepths = *v;
        } else if (key == "single_submit") {
            auto v = boolList(value, source, key);
            if (!v) return makeError(v.error());
            spec.singleSubmit = *v;
        } else if (key == "overlap_events" || key == "sequential_requests") {
            if (sawOverlap)
                return makeError(std::string(source) +
                                 " gives both \"overlap_events\" and \"sequential_requests\": keep one");
            sawOverlap = true;
            auto v = boolList(value, source, key, key == "sequential_requests");
            if (!v) return makeError(v.error());
            spec.overlapEvents = *v;
        } else if (key == "io_parallel" || key == "intra_op_parallelism") {
            auto v = intList(value, source, key);
            if (!v) return makeError(v.error());
            spec.threads = *v;
        } else if (key == "threads") {
            // Old sweep configs: benchmark processes per folder (the t<N> tag).
            auto v = intList(value, source, key);
            if (!v) return makeError(v.error());
            if (warnings && (v->size() != 1 || (*v)[0] != 1))
                warnings->push_back(where(source, key) +
                                    " (benchmark processes per folder) is not swept: aiotune runs "
                                    "one set of threads per folder; use io_parallel for threads per transfer");
        } else if (ownForm && key == "io_size") {
            auto v = sizeList(value, source, key);
            if (!v || v->size() != 1) return makeError(v ? where(source, key) + " must be one size" : v.error());
            spec.ioSize = (*v)[0];
        } else if (ownForm && key == "loops") {
            auto v = intList(value, source, key);
            if (!v || v->size() != 1) return makeError(v ? where(source, key) + " must be one number" : v.error());
            spec.loops = (*v)[0];
        } else if (ownForm && (key == "read" || key == "write")) {
            if (!value.is_boolean()) return makeError(where(source, key) + " must be true or false");
            (key == "read" ? spec.read : spec.write) = value.get<bool>();
        } else if (ownForm && key == "folders") {
            spec.folders.clear();
            for (const auto& f : asList(value)) {
                if (!f.is_string()) return makeError(where(source, key) + " must list folder paths");
                spec.folders.emplace_back(f.get<std::string>());
            }
        } else if (warnings) {
            warnings->push_back(where(source, key) + " is not a sweep setting aiotune knows; ignored");
        }
    }
    dedupe(spec.blockSizes);
    dedupe(spec.queueDepths);
    dedupe(spec.singleSubmit);
    dedupe(spec.overlapEvents);
    dedupe(spec.threads);
    return {};
}

} // namespace

namespace {
// Beyond this a sweep would run for weeks; a typo in a list is likelier.
constexpr std::size_t kMaxPoints = 100000;
} // namespace

std::vector<AioConfig> SweepSpec::expand() const {
    std::vector<AioConfig> out;
    out.reserve(pointCount());
    for (auto bs : blockSizes)
        for (int qd : queueDepths)
            for (bool single : singleSubmit)
                for (bool overlap : overlapEvents)
                    for (int t : threads) {
                        AioConfig c;
                        c.block_size = bs;
                        c.queue_depth = qd;
                        c.single_submit = single;
                        c.overlap_events = overlap;
                        c.intra_op_parallelism = t;
                        out.push_back(c);
                    }
    return out;
}

std::size_t SweepSpec::pointCount() const {
    return blockSizes.size() * queueDepths.size() * singleSubmit.size() * overlapEvents.size() *
           threads.size();
}

Result<void> SweepSpec::validate() const {
    if (folders.empty()) return makeError("no folder to test: give at least one folder on an NVMe drive");
    return validateRanges();
}

Result<void> SweepSpec::validateRanges() const {
    if (blockSizes.empty() || queueDepths.empty() || singleSubmit.empty() || overlapEvents.empty() ||
        threads.empty())
        return makeError("every setting needs at least one value to try");
    if (!read && !write) return makeError("nothing to measure: enable reads, writes or both");
    if (loops < 1 || loops > 1000) return makeError("loops " + std::to_string(loops) + " must be 1..1000");
    if (pointCount() > kMaxPoints)
        return makeError("the sweep has " + std::to_string(pointCount()) + " combinations, more than " +
                         std::to_string(kMaxPoints) + " aiotune runs in one sweep: give fewer values");
    // Each value alone, then every block size and thread count together with
    // io_size (queue depth does not enter the relations): the first transfer
    // DeepSpeed would refuse is named with the values that make it so.
    for (int qd : queueDepths)
        if (auto ok = checkQueueDepth(qd); !ok) return ok;
    AioConfig point;
    point.queue_depth = queueDepths.front();
    for (auto bs : blockSizes)
        for (int t : threads) {
            point.block_size = bs;
            point.intra_op_parallelism = t;
            if (auto ok = checkTransferShape(ioSize, point); !ok) return ok;
        }
    return {};
}

Result<SweepSpec> SweepSpec::fromDeepSpeedSweepConfig(const json& doc, std::string_view sourceName,
                                                      std::vector<std::string>* warnings) {
    SweepSpec spec;
    if (auto ok = applyLists(spec, doc, sourceName, warnings, false); !ok) return makeError(ok.error());
    return spec;
}

Result<SweepSpec> SweepSpec::fromDeepSpeedSweepConfigFile(const std::filesystem::path& file,
                                                          std::vector<std::string>* warnings) {
    auto doc = readJsonFile(file);
    if (!doc)
        return makeError(doc.error() + " (a sweep config maps each setting to a list, e.g. "
                         "{\"block_size\": [\"1M\"]})");
    return fromDeepSpeedSweepConfig(*doc, file.string(), warnings);
}

json SweepSpec::toJson() const {
    json j;
    j["block_size"] = json::array();
    for (auto bs : blockSizes) j["block_size"].push_back(formatByteSizeTag(bs));
    j["queue_depth"] = queueDepths;
    j["single_submit"] = singleSubmit;
    j["overlap_events"] = overlapEvents;
    j["io_parallel"] = threads;
    j["io_size"] = formatByteSizeTag(ioSize);
    j["loops"] = loops;
    j["read"] = read;
    j["write"] = write;
    j["folders"] = json::array();
    for (const auto& f : folders) j["folders"].push_back(f.string());
    return j;
}

Result<SweepSpec> SweepSpec::fromJson(const json& doc, std::string_view sourceName) {
    SweepSpec spec;
    if (auto ok = applyLists(spec, doc, sourceName, nullptr, true); !ok) return makeError(ok.error());
    return spec;
}

} // namespace aiotune
