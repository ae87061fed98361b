#include "report/sweep_facts.h"

#include "engine/measurement_profile.h"
#include "util/byte_size.h"

#include <ctime>
#include <set>

namespace aiotune {

namespace {
using json = nlohmann::json;

const json* member(const json& j, const char* key) {
    if (!j.is_object()) return nullptr;
    auto it = j.find(key);
    return it == j.end() ? nullptr : &*it;
}

// A scalar as display text: strings as they are, numbers and booleans spelled
// out; objects, arrays and null are "unknown" (empty).
std::string text(const json& j, const char* key) {
    const json* v = member(j, key);
    if (!v) return {};
    if (v->is_string()) return v->get<std::string>();
    if (v->is_number_integer()) return std::to_string(v->get<std::int64_t>());
    if (v->is_number_unsigned()) return std::to_string(v->get<std::uint64_t>());
    if (v->is_number_float()) return v->dump();
    if (v->is_boolean()) return v->get<bool>() ? "yes" : "no";
    return {};
}

std::int64_t epochMs(const json& j, const char* key) {
    const json* v = member(j, key);
    return v && v->is_number_integer() ? v->get<std::int64_t>() : 0;
}

std::string joined(const std::set<std::string>& items) {
    std::string out;
    for (const auto& s : items) out += (out.empty() ? "" : ", ") + s;
    return out;
}

// The profile, most trusted source first: meta's "profile" object, the
// samples' own profile names, older sweep.json's huge_pages flag.
void fillProfile(const ResultSet& results, const json& system, SweepFacts& f) {
    if (results.profile) f.profile = results.profile->name();
    if (const json* p = member(results.meta, "profile"); p && f.profile.empty()) {
        if (p->is_string()) f.profile = p->get<std::string>();
        else if (p->is_object()) {
            f.profile = text(*p, "name");
            if (f.profile.empty()) f.profile = MeasurementProfile::fromJson(*p).name();
        }
    }
    if (f.profile.empty()) {
        std::set<std::string> names;
        for (const auto& c : results.configs)
            for (const auto& s : c.samples)
                if (!s.profile.empty()) names.insert(s.profile);
        if (names.size() == 1) f.profile = *names.begin();
        else if (names.size() > 1) f.profile = "mixed: " + joined(names);
    }
    if (f.profile.empty()) {
        if (const json* h = member(system, "huge_pages"); h && h->is_boolean())
            f.profile = h->get<bool>() ? "what-if: huge pages (recorded by an older aiotune)"
                                       : "normal pages (recorded by an older aiotune)";
    }
    if (f.profile.empty())
        f.profile = f.fromDeepSpeedLogs ? "unknown (DeepSpeed logs)" : "unknown (not recorded)";
    f.profileIsWhatIf = f.profile.rfind("what-if", 0) == 0 || f.profile.rfind("mixed", 0) == 0;
}
} // namespace

SweepFacts SweepFacts::fromResults(const ResultSet& results) {
    SweepFacts f;
    f.engine = results.engine;
    f.fromDeepSpeedLogs = results.engine == "deepspeed";
    f.status = std::string(sweepStatusName(results.status));
    const json* systemPtr = member(results.meta, "system");
    const json system = systemPtr ? *systemPtr : json();
    f.host = results.host.empty() ? text(system, "host") : results.host;
    f.kernel = text(system, "kernel");
    f.machine = text(system, "machine");
    f.cpus = text(system, "cpus");
    f.aiotuneVersion = text(system, "aiotune_version");
    f.liburingVersion = text(system, "liburing_version");
    if (f.engine.empty()) f.engine = text(system, "engine");
    f.engineFallbackReason = text(system, "engine_fallback_reason");
    if (const json* folders = member(system, "folders"); folders && folders->is_array()) {
        for (const auto& e : *folders) {
            DriveFacts d;
            if (e.is_string()) d.path = e.get<std::string>();
            d.path = d.path.empty() ? text(e, "path") : d.path;
            d.mountPoint = text(e, "mount_point");
            d.filesystem = text(e, "filesystem");
            d.device = text(e, "device");
            d.disk = text(e, "disk");
            d.model = text(e, "model");
            d.firmware = text(e, "firmware");
            d.numaNode = text(e, "numa_node");
            if (d.numaNode.rfind('-', 0) == 0) d.numaNode.clear(); // sysfs says -1: no NUMA node
            d.nvme = text(e, "nvme");
            f.drives.push_back(std::move(d));
        }
    }
    fillProfile(results, system, f);

    const json* specPtr = member(results.meta, "spec");
    const json spec = specPtr ? *specPtr : json();
    f.ioSize = text(spec, "io_size");
    if (const json* v = member(spec, "io_size"); v && v->is_number_unsigned())
        f.ioSize = formatByteSizeTag(v->get<std::uint64_t>());
    if (f.ioSize.empty()) { // DeepSpeed's logs: the sizes their args lines name
        std::set<std::uint64_t> sizes;
        for (const auto& c : results.configs)
            for (const auto& s : c.samples)
                if (s.bytes > 0) sizes.insert(s.bytes);
        std::string out;
        for (auto b : sizes) out += (out.empty() ? "" : ", ") + formatByteSizeTag(b);
        f.ioSize = out;
    }
    f.loops = text(spec, "loops");
    if (f.drives.empty()) { // no fingerprint: the spec's folders, else the samples' own
        std::set<std::string> paths;
        if (const json* folders = member(spec, "folders"); folders && folders->is_array())
            for (const auto& p : *folders)
                if (p.is_string()) paths.insert(p.get<std::string>());
        if (paths.empty())
            for (const auto& c : results.configs)
                for (const auto& s : c.samples)
                    if (!s.folder.empty()) paths.insert(s.folder);
        for (const auto& p : paths) {
            DriveFacts d;
            d.path = p;
            f.drives.push_back(std::move(d));
        }
    }
    f.startedAtMs = results.startedAtMs ? results.startedAtMs : epochMs(results.meta, "started_at_ms");
    f.finishedAtMs = results.finishedAtMs ? results.finishedAtMs : epochMs(results.meta, "finished_at_ms");
    return f;
}

std::string measuredWithText(const SweepFacts& facts) {
    std::string text = "measured with the " + facts.profile + " profile";
    if (facts.profileIsWhatIf)
        text += " (a what-if: DeepSpeed's swapper allocates its buffers otherwise, so expect less)";
    return text;
}

std::string formatUtcMinutes(std::int64_t epochMs) {
    // Years 1970..9999 only: anything else in a file is garbage, not a date.
    if (epochMs <= 0 || epochMs >= 253402300800000LL) return {};
    const std::time_t t = static_cast<std::time_t>(epochMs / 1000);
    std::tm tm{};
    if (!::gmtime_r(&t, &tm)) return {};
    char buf[40];
    if (std::strftime(buf, sizeof buf, "%Y-%m-%d %H:%M UTC", &tm) == 0) return {};
    return buf;
}

} // namespace aiotune
