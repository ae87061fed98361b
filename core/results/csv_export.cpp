#include "results/csv_export.h"

#include "results/statistics.h"
#include "util/atomic_file.h"

#include <charconv>
#include <cmath>

namespace aiotune {

namespace {

// RFC 4180: quote a cell holding a comma, quote or line break; double its quotes.
std::string cell(std::string_view s) {
    if (s.find_first_of(",\"\r\n") == std::string_view::npos) return std::string(s);
    std::string out = "\"";
    for (char c : s) {
        if (c == '"') out += '"';
        out += c;
    }
    return out + "\"";
}

std::string num(double v) {
    if (!std::isfinite(v)) return {};
    char buf[64];
    const auto [end, ec] = std::to_chars(buf, buf + sizeof buf, v);
    return ec == std::errc() ? std::string(buf, end) : std::string();
}

std::string num(const std::optional<double>& v) {
    return v ? num(*v) : std::string();
}

} // namespace

std::string resultsToCsv(const ResultSet& results) {
    std::string out =
        "tag,label,block_size,queue_depth,intra_op_parallelism,single_submit,overlap_events,use_"
        "gds,"
        "folders,read_gibps,write_gibps,combined_gibps,read_min,read_max,write_min,write_max,"
        "read_samples,write_samples,errors,first_error,spread,read_p99_us,write_p99_us\n";
    for (const ConfigResult& c : results.configs) {
        const AioConfig& a = c.key.aio;
        const auto b = [](bool v) { return std::string(v ? "true" : "false"); };
        const std::string cols[] = {
            cell(c.key.tag()),
            cell(c.key.label()),
            std::to_string(a.block_size),
            std::to_string(a.queue_depth),
            std::to_string(a.intra_op_parallelism),
            b(a.single_submit),
            b(a.overlap_events),
            b(a.use_gds),
            std::to_string(c.key.folders),
            num(c.readGiBps),
            num(c.writeGiBps),
            num(c.combinedGiBps),
            c.readSpread ? num(c.readSpread->min) : std::string(),
            c.readSpread ? num(c.readSpread->max) : std::string(),
            c.writeSpread ? num(c.writeSpread->min) : std::string(),
            c.writeSpread ? num(c.writeSpread->max) : std::string(),
            std::to_string(c.readSpread ? c.readSpread->count : 0),
            std::to_string(c.writeSpread ? c.writeSpread->count : 0),
            std::to_string(c.errors),
            cell(c.firstError()),
            // Appended, so scripts reading the older columns by position still work.
            num(spreadFraction(c)),
            num(p99LatencyUs(c, IoOp::Read)),
            num(p99LatencyUs(c, IoOp::Write)),
        };
        bool firstCol = true;
        for (const std::string& col : cols) {
            if (!firstCol) out += ',';
            out += col;
            firstCol = false;
        }
        out += '\n';
    }
    return out;
}

Result<void> writeResultsCsv(const ResultSet& results, const std::filesystem::path& file,
                             bool overwrite) {
    AtomicWriteOptions options;
    options.existing = overwrite ? ExistingFilePolicy::ReplaceKeepBackup : ExistingFilePolicy::Refuse;
    if (auto r = writeFileAtomically(file, resultsToCsv(results), options); !r)
        return makeError(r.error());
    return {};
}

} // namespace aiotune
