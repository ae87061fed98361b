#pragma once
// What the kernel really gave a buffer: the share of its bytes on transparent
// huge pages, read from /proc/<pid>/smaps (AnonHugePages against Size of every
// mapping overlapping the buffer). The text is a parameter so tests feed fixtures.
#include <cstdint>
#include <filesystem>
#include <optional>
#include <string_view>

namespace aiotune {

// Share (0..1) of [begin, end) on huge pages according to smaps text; nullopt
// when no mapping in the text overlaps the range. A mapping larger than the
// range (the kernel merges neighbouring anonymous mappings) counts in
// proportion to the overlap.
std::optional<double> hugePageShareFromSmaps(std::string_view smapsText, std::uintptr_t begin,
                                             std::uintptr_t end);

// The same, reading smapsPath (default: this process's own).
std::optional<double> readHugePageShare(const void* data, std::size_t size,
                                        const std::filesystem::path& smapsPath = "/proc/self/smaps");

} // namespace aiotune
