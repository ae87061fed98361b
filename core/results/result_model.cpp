#include "results/result_model.h"

#include "results/statistics.h"
#include "util/byte_size.h"
#include "util/work_steps.h"

#include <algorithm>
#include <tuple>

namespace aiotune {

std::string_view ioOpName(IoOp op) {
    return op == IoOp::Read ? "read" : "write";
}

std::string_view sweepStatusName(SweepStatus s) {
    switch (s) {
    case SweepStatus::Running: return "running";
    case SweepStatus::Finished: return "finished";
    case SweepStatus::Cancelled: return "cancelled";
    case SweepStatus::Failed: return "failed";
    case SweepStatus::None: break;
    }
    return "";
}

SweepStatus parseSweepStatus(std::string_view name) {
    for (const SweepStatus s : {SweepStatus::Running, SweepStatus::Finished, SweepStatus::Cancelled,
                                SweepStatus::Failed})
        if (name == sweepStatusName(s)) return s;
    return SweepStatus::None;
}

std::string_view confidenceName(Confidence c) {
    switch (c) {
    case Confidence::High:
        return "high";
    case Confidence::Medium:
        return "medium";
    case Confidence::Low:
        break;
    }
    return "low";
}

std::strong_ordering ConfigKey::operator<=>(const ConfigKey& other) const {
    work_steps::add(); // counted, as AioConfig's equality is
    const auto tie = [](const ConfigKey& k) {
        return std::make_tuple(k.aio.block_size, k.aio.queue_depth, k.aio.intra_op_parallelism,
                               k.aio.single_submit, k.aio.overlap_events, k.aio.use_gds, k.folders);
    };
    return tie(*this) <=> tie(other);
}

std::string ConfigKey::tag() const {
    std::string s;
    s.reserve(48);
    s += aio.single_submit ? "single" : "block";
    s += aio.overlap_events ? "_overlap" : "_sequential";
    s += "_ftd" + std::to_string(folders);
    s += "_d" + std::to_string(aio.queue_depth);
    s += "_bs" + formatByteSizeTag(aio.block_size);
    s += "_p" + std::to_string(aio.intra_op_parallelism);
    if (aio.use_gds) s += "_gds";
    return s;
}

std::string ConfigKey::label() const {
    std::string s = formatByteSizeTag(aio.block_size);
    s += ", qd " + std::to_string(aio.queue_depth);
    s += ", " + std::to_string(aio.intra_op_parallelism);
    s += aio.intra_op_parallelism == 1 ? " thread" : " threads";
    s += aio.single_submit ? ", single" : ", block";
    s += aio.overlap_events ? ", overlap" : ", sequential";
    if (folders != 1) s += ", " + std::to_string(folders) + " folders";
    if (aio.use_gds) s += ", gds";
    return s;
}

void ConfigResult::recompute() {
    std::vector<double> reads, writes;
    errors = 0;
    for (const Sample& s : samples) {
        if (s.failed()) {
            ++errors;
            continue;
        }
        (s.op == IoOp::Read ? reads : writes).push_back(s.gibPerSec);
    }
    const auto fill = [](const std::vector<double>& v, std::optional<double>& med,
                         std::optional<Spread>& spread) {
        med.reset();
        spread.reset();
        if (v.empty()) return;
        med = median(v);
        const auto [lo, hi] = std::minmax_element(v.begin(), v.end());
        spread = Spread{*lo, *hi, static_cast<int>(v.size())};
    };
    fill(reads, readGiBps, readSpread);
    fill(writes, writeGiBps, writeSpread);
    combinedGiBps.reset();
    if (readGiBps && writeGiBps) combinedGiBps = *readGiBps + *writeGiBps;
}

int ConfigResult::loops() const {
    int r = 0, w = 0;
    for (const Sample& s : samples)
        (s.op == IoOp::Read ? r : w) += 1;
    return std::max(r, w);
}

std::string ConfigResult::firstError() const {
    for (const Sample& s : samples)
        if (s.failed()) return s.error;
    return {};
}

namespace {
// Both lists (the search's and the libaio check's) stay sorted by key.
const ConfigResult* findSorted(const std::vector<ConfigResult>& configs, const ConfigKey& key) {
    const auto it = std::lower_bound(configs.begin(), configs.end(), key,
                                     [](const ConfigResult& c, const ConfigKey& k) { return c.key < k; });
    return it != configs.end() && it->key == key ? &*it : nullptr;
}

ConfigResult& addSorted(std::vector<ConfigResult>& configs, const ConfigKey& key, Sample sample) {
    auto it = std::lower_bound(configs.begin(), configs.end(), key,
                               [](const ConfigResult& c, const ConfigKey& k) { return c.key < k; });
    if (it == configs.end() || it->key != key) {
        work_steps::add(static_cast<std::uint64_t>(configs.end() - it)); // entries moved up
        ConfigResult fresh;
        fresh.key = key;
        it = configs.insert(it, std::move(fresh));
    }
    it->samples.push_back(std::move(sample));
    it->recompute();
    return *it;
}
} // namespace

const ConfigResult* ResultSet::find(const ConfigKey& key) const { return findSorted(configs, key); }

ConfigResult& ResultSet::add(const ConfigKey& key, Sample sample, const std::vector<Sample>& perFolder) {
    ConfigResult& c = add(key, std::move(sample));
    c.folderSamples.insert(c.folderSamples.end(), perFolder.begin(), perFolder.end());
    return c;
}

ConfigResult& ResultSet::add(const ConfigKey& key, Sample sample) { return addSorted(configs, key, std::move(sample)); }

const ConfigResult* ConfirmationSamples::find(const ConfigKey& key) const { return findSorted(configs, key); }

ConfigResult& ConfirmationSamples::add(const ConfigKey& key, Sample sample) {
    return addSorted(configs, key, std::move(sample));
}

int ResultSet::configsWithBoth() const {
    return static_cast<int>(std::count_if(configs.begin(), configs.end(),
                                          [](const ConfigResult& c) { return c.hasBoth(); }));
}

} // namespace aiotune
