#include "fleet/hostfile.h"

#include "fleet/host_list.h"
#include "util/atomic_file.h"

#include <charconv>
#include <set>
#include <sstream>

namespace aiotune {

Result<std::vector<HostfileEntry>> parseHostfile(std::string_view text, std::string_view sourceName) {
    std::vector<HostfileEntry> entries;
    std::set<std::string> seen;
    std::size_t lineNo = 0;
    std::size_t pos = 0;
    while (pos < text.size()) {
        std::size_t end = text.find('\n', pos);
        if (end == std::string_view::npos) end = text.size();
        std::string_view line = text.substr(pos, end - pos);
        pos = end + 1;
        ++lineNo;
        if (const auto hash = line.find('#'); hash != std::string_view::npos) line = line.substr(0, hash);
        std::istringstream words{std::string(line)};
        std::string host, slots, extra;
        words >> host >> slots >> extra;
        if (host.empty()) continue;
        const std::string where = std::string(sourceName) + " line " + std::to_string(lineNo);
        if (!extra.empty())
            return makeError(where + ": unexpected '" + extra + "' (expected 'hostname slots=N')");
        if (!isValidHostName(host))
            return makeError(where + ": '" + host.substr(0, 100) +
                             "' is not a host name (letters, digits, '.', '-', '_' only)");
        HostfileEntry e{host, 1};
        if (!slots.empty()) {
            // DeepSpeed writes "slots=8"; "slots = 8" would split into three words above.
            const std::string prefix = "slots=";
            const char* first = slots.data() + prefix.size();
            const char* last = slots.data() + slots.size();
            const auto [p, ec] = slots.rfind(prefix, 0) == 0 ? std::from_chars(first, last, e.slots)
                                                              : std::from_chars_result{first, std::errc::invalid_argument};
            if (ec != std::errc() || p != last || e.slots < 1)
                return makeError(where + ": '" + slots.substr(0, 100) +
                                 "' is not 'slots=N' with N a whole number >= 1");
        }
        if (!seen.insert(host).second)
            return makeError(where + ": host '" + host + "' is listed twice; keep one line per host");
        entries.push_back(std::move(e));
        if (entries.size() > kMaxFleetHosts)
            return makeError(std::string(sourceName) + " lists more than " + std::to_string(kMaxFleetHosts) +
                             " hosts");
    }
    if (entries.empty())
        return makeError(std::string(sourceName) + " lists no host: write one 'hostname slots=N' per line");
    return entries;
}

Result<std::vector<HostfileEntry>> readHostfile(const std::filesystem::path& file) {
    // readWholeFile's own messages speak of JSON configs.
    std::error_code ec;
    const auto type = std::filesystem::status(file, ec).type();
    if (type == std::filesystem::file_type::not_found)
        return makeError("hostfile " + file.string() + " does not exist: check the path");
    if (type != std::filesystem::file_type::regular)
        return makeError("hostfile " + file.string() +
                         " is not a regular file: give a DeepSpeed hostfile ('hostname slots=N' lines)");
    // A hostfile is a few lines; 1 MiB is far beyond any real one.
    auto text = readWholeFile(file, 1u << 20);
    if (!text) return makeError(text.error());
    return parseHostfile(*text, file.string());
}

} // namespace aiotune
