#include "engine/measurement_profile.h"

namespace aiotune {

namespace {
const char* pagesName(PagePolicy p) {
    switch (p) {
    case PagePolicy::Huge: return "huge";
    case PagePolicy::Normal: return "normal";
    case PagePolicy::Kernel: break;
    }
    return "kernel";
}
} // namespace

std::string MeasurementProfile::name() const {
    if (isFaithful() && lockMemory) return "faithful";
    std::string s = "what-if:";
    auto add = [&s](const char* part) { s += (s.back() == ':' ? " " : ", ") + std::string(part); };
    if (pages == PagePolicy::Huge) add("huge pages");
    if (pages == PagePolicy::Normal) add("normal pages");
    if (registeredBuffers) add("registered buffers");
    if (!lockMemory) add("unlocked buffers");
    return s;
}

nlohmann::json MeasurementProfile::toJson() const {
    return {{"name", name()}, {"pages", pagesName(pages)}, {"locked", lockMemory}, {"registered", registeredBuffers}};
}

MeasurementProfile MeasurementProfile::fromJson(const nlohmann::json& j) {
    MeasurementProfile p;
    if (!j.is_object()) return p;
    if (auto it = j.find("pages"); it != j.end() && it->is_string()) {
        const auto& v = it->get_ref<const std::string&>();
        if (v == "huge") p.pages = PagePolicy::Huge;
        else if (v == "normal") p.pages = PagePolicy::Normal;
    }
    if (auto it = j.find("locked"); it != j.end() && it->is_boolean()) p.lockMemory = it->get<bool>();
    if (auto it = j.find("registered"); it != j.end() && it->is_boolean()) p.registeredBuffers = it->get<bool>();
    return p;
}

} // namespace aiotune
