#pragma once
// A page-aligned memory buffer, as O_DIRECT needs, with the known-pattern
// helpers the correctness tests and the read path use.
#include "engine/measurement_profile.h"

#include <cstddef>
#include <cstdint>
#include <optional>

namespace aiotune {

class AlignedBuffer {
public:
    static constexpr std::size_t kAlignment = 4096;

    AlignedBuffer() = default;
    // Allocates size bytes rounded up to kAlignment; data() is null when out of
    // memory. hugePages asks for transparent huge pages on buffers of 2 MiB and
    // more: fewer page faults and pins, and requests of fewer memory segments,
    // which some drives and virtio disks move much faster. PyTorch's pinned
    // tensors usually sit on normal pages, so sweeps can choose either.
    explicit AlignedBuffer(std::size_t size, bool hugePages = true);
    // Pages as the profile says (PagePolicy::Kernel: no madvise at all).
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

    // Every 8-byte word holds its own byte offset mixed with seed, so a block
    // landing at the wrong place is caught, not only a wrong byte.
    void fillPattern(std::uint64_t seed);
    void fill(std::byte value);
    // fillPattern for the first MiB, copied over the rest: what a sweep writes
    // (not compressible within a MiB), at memcpy speed for multi-GiB buffers.
    void fillRepeatingPattern(std::uint64_t seed);
    // Offset of the first byte that differs from fillPattern(seed), or nullopt.
    std::optional<std::size_t> firstPatternMismatch(std::uint64_t seed, std::size_t length) const;

private:
    void release();

    std::byte* m_data = nullptr;
    std::size_t m_size = 0;
    bool m_mapped = false; // large buffers come from mmap; pages fault in on first fill
};

} // namespace aiotune
