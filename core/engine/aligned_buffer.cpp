#include "engine/aligned_buffer.h"

#include "engine/huge_page_share.h"

#include <algorithm>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <sys/mman.h>
#include <sys/resource.h>
#include <thread>
#include <utility>
#include <vector>

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

AlignedBuffer::AlignedBuffer(std::size_t size, bool hugePages)
    : AlignedBuffer(size, MeasurementProfile{hugePages ? PagePolicy::Huge : PagePolicy::Normal,
                                             false, false}) {}

AlignedBuffer::AlignedBuffer(std::size_t size, const MeasurementProfile& profile)
    : m_profile(profile) {
    const std::size_t rounded = (size + kAlignment - 1) / kAlignment * kAlignment;
    if (rounded == 0) return;
    if (profile.pages == PagePolicy::Kernel) {
        // DeepSpeed's locked buffers: page-aligned posix_memalign, then mlock,
        // no madvise, so THP "madvise" mode gives normal pages, "always" huge ones.
        void* p = nullptr;
        if (posix_memalign(&p, kAlignment, rounded) != 0) return;
        m_data = static_cast<std::byte*>(p);
    } else {
        void* p =
            ::mmap(nullptr, rounded, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
        if (p == MAP_FAILED) return;
        // Only a whole 2 MiB region can be a huge page; below that the advice is moot.
        ::madvise(p, rounded, profile.pages == PagePolicy::Huge ? MADV_HUGEPAGE : MADV_NOHUGEPAGE);
        m_data = static_cast<std::byte*>(p);
        m_mapped = true;
    }
    m_size = rounded;
    if (!profile.lockMemory) return;
    // mlock also faults every page in, in one thread and in address order.
    if (::mlock(m_data, m_size) == 0) {
        m_locked = true;
        return;
    }
    const int err = errno;
    rlimit lim{};
    ::getrlimit(RLIMIT_MEMLOCK, &lim);
    m_notes = "buffer not locked in memory: mlock of " + std::to_string(m_size >> 10) +
              " KiB refused (" + std::strerror(err) + "; RLIMIT_MEMLOCK is " +
              (lim.rlim_cur == RLIM_INFINITY ? std::string("unlimited")
                                             : std::to_string(lim.rlim_cur >> 10) + " KiB") +
              ", raise it with ulimit -l); measured unlocked";
}

std::optional<double> AlignedBuffer::hugePageShare() const {
    return readHugePageShare(m_data, m_size);
}

void AlignedBuffer::release() {
    // free() may keep the pages in the heap, locked; munmap unlocks them itself.
    if (m_locked && !m_mapped) ::munlock(m_data, m_size);
    if (m_mapped)
        ::munmap(m_data, m_size);
    else
        std::free(m_data);
    m_data = nullptr;
    m_size = 0;
    m_mapped = false;
    m_locked = false;
}

AlignedBuffer::~AlignedBuffer() {
    release();
}

AlignedBuffer::AlignedBuffer(AlignedBuffer&& other) noexcept
    : m_data(std::exchange(other.m_data, nullptr)), m_size(std::exchange(other.m_size, 0)),
      m_mapped(std::exchange(other.m_mapped, false)),
      m_locked(std::exchange(other.m_locked, false)), m_profile(other.m_profile),
      m_notes(std::move(other.m_notes)),
      m_shareReading(std::exchange(other.m_shareReading, std::nullopt)) {}

AlignedBuffer& AlignedBuffer::operator=(AlignedBuffer&& other) noexcept {
    if (this != &other) {
        release();
        m_data = std::exchange(other.m_data, nullptr);
        m_size = std::exchange(other.m_size, 0);
        m_mapped = std::exchange(other.m_mapped, false);
        m_locked = std::exchange(other.m_locked, false);
        m_profile = other.m_profile;
        m_notes = std::move(other.m_notes);
        m_shareReading = std::exchange(other.m_shareReading, std::nullopt);
    }
    return *this;
}

std::optional<double>
AlignedBuffer::recentHugePageShare(std::size_t bytes, std::chrono::steady_clock::duration maxAge) {
    const auto now = std::chrono::steady_clock::now();
    if (!m_shareReading || m_shareReading->bytes != bytes || now - m_shareReading->at > maxAge)
        m_shareReading = ShareReading{bytes, now, readHugePageShare(m_data, bytes)};
    return m_shareReading->share;
}

void AlignedBuffer::fillPattern(std::uint64_t seed) {
    for (std::size_t off = 0; off + 8 <= m_size; off += 8) {
        const std::uint64_t w = patternWord(off, seed);
        std::memcpy(m_data + off, &w, 8);
    }
}

void AlignedBuffer::fillRepeatingPattern(std::uint64_t seed) {
    const std::size_t chunk = std::min<std::size_t>(m_size, 1u << 20);
    for (std::size_t off = 0; off + 8 <= chunk; off += 8) {
        const std::uint64_t w = patternWord(off, seed);
        std::memcpy(m_data + off, &w, 8);
    }
    // First touch faults the pages in (and may make the kernel compact memory
    // for huge pages): spread it over the cores so a sweep starts sooner.
    const std::size_t chunks = (m_size + chunk - 1) / chunk;
    const unsigned workers =
        std::clamp<unsigned>(std::thread::hardware_concurrency(), 1,
                             static_cast<unsigned>(std::min<std::size_t>(chunks, 8)));
    auto copyRange = [&](std::size_t first, std::size_t step) {
        for (std::size_t c = first; c < chunks; c += step) {
            const std::size_t off = c * chunk;
            std::memcpy(m_data + off, m_data, std::min(chunk, m_size - off));
        }
    };
    std::vector<std::thread> pool;
    for (unsigned w = 1; w < workers; ++w)
        pool.emplace_back(copyRange, std::size_t{1} + w, workers);
    copyRange(1, workers);
    for (auto& t : pool)
        t.join();
}

void AlignedBuffer::fill(std::byte value) {
    std::memset(m_data, static_cast<int>(value), m_size);
}

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
