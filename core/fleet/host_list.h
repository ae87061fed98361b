#pragma once
// Slurm/pdsh host lists: "node[1-8,10]", "gpu[01-04]-ib", "a,b,rack[1-2]-n[1-2]".
// Expanded in order, duplicates dropped (as pdsh does). Names are limited to
// letters, digits, '.', '-' and '_', because they end up in shell commands
// and folder names on every node.
#include "util/result.h"

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

namespace aiotune {

// Refuses lists that expand beyond this: a typo such as node[1-1000000]
// must not start a million ssh sessions.
inline constexpr std::size_t kMaxFleetHosts = 10000;

// Errors quote the list and say what is wrong ("node[3-1]: range runs backwards").
Result<std::vector<std::string>> expandHostList(std::string_view text);

// Whether a single name is usable as a host label (and folder name).
bool isValidHostName(std::string_view name);

} // namespace aiotune
