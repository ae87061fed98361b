#include "engine/aligned_buffer.h"

#include <cstdlib>
#include <cstring>
#include <utility>

namespace aiotune {

namespace {
std::uint64_t patternWord(std::uint64_t offset, std::uint64_t seed) {
    // A cheap mix (splitmix64 step) so neighbouring words differ in every byte.
    std::uint64_t z = offset + seed * 0x9E3779B97F4A7C15ull;
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
}
} // namespace

AlignedBuffer::AlignedBuffer(std::size_t size) {
    const std::size_t rounded = (size + kAlignment - 1) / kAlignment * kAlignment;
    void* p = nullptr;
    if (rounded > 0 && posix_memalign(&p, kAlignment, rounded) == 0) {
        m_data = static_cast<std::byte*>(p);
        m_size = rounded;
    }
}

AlignedBuffer::~AlignedBuffer() { std::free(m_data); }

AlignedBuffer::AlignedBuffer(AlignedBuffer&& other) noexcept
    : m_data(std::exchange(other.m_data, nullptr)), m_size(std::exchange(other.m_size, 0)) {}

AlignedBuffer& AlignedBuffer::operator=(AlignedBuffer&& other) noexcept {
    if (this != &other) {
        std::free(m_data);
        m_data = std::exchange(other.m_data, nullptr);
        m_size = std::exchange(other.m_size, 0);
    }
    return *this;
}

void AlignedBuffer::fillPattern(std::uint64_t seed) {
    for (std::size_t off = 0; off + 8 <= m_size; off += 8) {
        const std::uint64_t w = patternWord(off, seed);
        std::memcpy(m_data + off, &w, 8);
    }
}

void AlignedBuffer::fill(std::byte value) { std::memset(m_data, static_cast<int>(value), m_size); }

std::optional<std::size_t> AlignedBuffer::firstPatternMismatch(std::uint64_t seed,
                                                               std::size_t length) const {
    for (std::size_t off = 0; off + 8 <= length && off + 8 <= m_size; off += 8) {
        const std::uint64_t w = patternWord(off, seed);
        if (std::memcmp(m_data + off, &w, 8) != 0) {
            for (std::size_t i = 0; i < 8; ++i)
                if (m_data[off + i] != reinterpret_cast<const std::byte*>(&w)[i]) return off + i;
        }
    }
    return std::nullopt;
}

} // namespace aiotune
