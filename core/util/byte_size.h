#pragma once
// Sizes as users type them: 4096, 128K, 1M, 1G (powers of 1024).
#include "util/result.h"

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace aiotune {

// Accepts digits with an optional K/M/G/T suffix (case-insensitive, an optional
// trailing "B" or "iB" too: "1MiB", "128KB"). Rejects empty, negative,
// fractional and overflowing values with a message naming the text.
Result<std::uint64_t> parseByteSize(std::string_view text);

// "128K", "1M", "4096": the shortest exact spelling, as DeepSpeed's log tags use.
std::string formatByteSizeTag(std::uint64_t bytes);

// "1.5 GiB", "512 MiB": for humans, rounded.
std::string formatByteSizeHuman(std::uint64_t bytes);

// Splits "128K,1M" (commas and/or spaces) and parses each item.
Result<std::vector<std::uint64_t>> parseByteSizeList(std::string_view text);

} // namespace aiotune
