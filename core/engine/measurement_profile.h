#pragma once
// How a measurement treats memory: what every sample was measured with.
// Faithful (the default) is what DeepSpeed's swapper gets: page-aligned,
// locked buffers with no madvise either way (the kernel's transparent-huge-
// page policy decides, as it does for DeepSpeed's pinned tensors) and no
// registered buffers. Anything else is a what-if the user opted into.
#include <nlohmann/json.hpp>

#include <string>

namespace aiotune {

enum class PagePolicy {
    Kernel, // no madvise: THP "madvise" mode gives normal pages, "always" huge ones
    Huge,   // MADV_HUGEPAGE (what-if, --huge_pages)
    Normal, // MADV_NOHUGEPAGE (--no_huge_pages)
};

struct MeasurementProfile {
    PagePolicy pages = PagePolicy::Kernel;
    bool lockMemory = true;         // mlock, as pinned tensors are
    bool registeredBuffers = false; // io_uring fixed buffers (what-if)

    static MeasurementProfile faithful() { return {}; }
    // --huge_pages: forced huge pages and registered buffers.
    static MeasurementProfile hugePageWhatIf() { return {PagePolicy::Huge, true, true}; }

    bool isFaithful() const { return pages == PagePolicy::Kernel && !registeredBuffers; }
    // "faithful" or "what-if: huge pages, registered buffers", "normal pages", ...
    std::string name() const;
    nlohmann::json toJson() const; // {"name", "pages": "kernel|huge|normal", "locked", "registered"}
    // Absent or unreadable fields keep their defaults (older sweep.json had only a bool).
    static MeasurementProfile fromJson(const nlohmann::json& j);

    bool operator==(const MeasurementProfile&) const = default;
};

} // namespace aiotune
