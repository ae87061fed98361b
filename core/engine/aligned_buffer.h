#pragma once
// A page-aligned memory buffer, as O_DIRECT needs, with the known-pattern
// helpers the correctness tests and the read path use.
#include "engine/measurement_profile.h"

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>

namespace aiotune {

class AlignedBuffer {
public:
    static constexpr std::size_t kAlignment = 4096;

    AlignedBuffer() = default;
    // Allocates size bytes rounded up to kAlignment; data() is null when out of
    // memory. Not locked (a what-if profile). hugePages asks for transparent huge pages on buffers of 2 MiB and
    // more: fewer page faults and pins, and requests of fewer memory segments,
    // which some drives and virtio disks move much faster. PyTorch's pinned
    // tensors usually sit on normal pages, so sweeps can choose either.
    explicit AlignedBuffer(std::size_t size, bool hugePages = true);
    // Memory as the profile says. PagePolicy::Kernel allocates as DeepSpeed
    // allocates its locked buffers (posix_memalign to a page, no madvise), so
    // the kernel's transparent-huge-page mode decides; Huge/Normal madvise an
    // mmap. lockMemory mlocks the buffer, best effort: a refusal (RLIMIT_MEMLOCK)
    // leaves it unlocked and says so in notes().
    AlignedBuffer(std::size_t size, const MeasurementProfile& profile);
    ~AlignedBuffer();
    AlignedBuffer(AlignedBuffer&& other) noexcept;
    AlignedBuffer& operator=(AlignedBuffer&& other) noexcept;
    AlignedBuffer(const AlignedBuffer&) = delete;
    AlignedBuffer& operator=(const AlignedBuffer&) = delete;

    std::byte* data() { return m_data; }
    const std::byte* data() const { return m_data; }
    std::size_t size() const { return m_size; }
    bool valid() const { return m_data != nullptr; }
    // The profile asked for; locked() and notes() say what was really obtained.
    const MeasurementProfile& profile() const { return m_profile; }
    bool locked() const { return m_locked; }
    const std::string& notes() const { return m_notes; }
    // Share of the buffer on huge pages now (from /proc/self/smaps), when known.
    std::optional<double> hugePageShare() const;

    // Every 8-byte word holds its own byte offset mixed with seed, so a block
    // landing at the wrong place is caught, not only a wrong byte.
    void fillPattern(std::uint64_t seed);
    void fill(std::byte value);
    // fillPattern for the first MiB, copied over the rest: what a sweep writes
    // (not compressible within a MiB), at memcpy speed for multi-GiB buffers.
    void fillRepeatingPattern(std::uint64_t seed);
    // Offset of the first byte that differs from fillPattern(seed), or nullopt.
    std::optional<std::size_t> firstPatternMismatch(std::uint64_t seed, std::size_t length) const;

    // Share (0..1) of the first `bytes` on huge pages (smaps), read again only
    // when the last reading of that length is older than maxAge: reading smaps
    // walks the buffer's page tables (about 20 ms for 256 MiB), a gap between
    // transfers as long as a fast transfer, while the share changes only as
    // khugepaged collapses pages, seconds apart at the quickest.
    std::optional<double> recentHugePageShare(std::size_t bytes, std::chrono::steady_clock::duration maxAge);

private:
    void release();

    std::byte* m_data = nullptr;
    std::size_t m_size = 0;
    bool m_mapped = false; // from mmap (Huge/Normal policies), else posix_memalign
    bool m_locked = false;
    MeasurementProfile m_profile;
    std::string m_notes;
    struct ShareReading {
        std::size_t bytes = 0;
        std::chrono::steady_clock::time_point at;
        std::optional<double> share;
    };
    std::optional<ShareReading> m_shareReading;
};

} // namespace aiotune
