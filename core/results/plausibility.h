#pragma once
// Figures that cannot be true: a median above what the drive's PCIe link can
// carry, or reads far above writes of the same file (the page cache answered,
// not the drive). Pure: the link limits are a parameter (devices/link_limits.h
// builds them from sysfs), so the same check runs on a sweep just made, a
// folder opened later and DeepSpeed's logs (which name no folder: ratio only).
#include "devices/link_limits.h"
#include "results/result_model.h"

#include <nlohmann/json.hpp>

#include <string>
#include <string_view>
#include <vector>

namespace aiotune {

enum class PlausibilityKind { AboveLinkLimit, PageCacheSuspected };
// "above_link_limit" / "page_cache_suspected"
std::string_view plausibilityKindName(PlausibilityKind kind);

// A median figure above the link by more than this share is flagged; the
// margin keeps rounding (and a kernel's 7.99 for 8 GT/s) from flagging. The
// link's raw rate is already above what NVMe moves after protocol overhead,
// so a true figure never comes near it.
inline constexpr double kLinkLimitMargin = 0.05;
// Reads above this many times the best write median of the same file are
// flagged (every configuration of a sweep reuses one scratch file per folder;
// comparing with the best write keeps one slow, noisy write from flagging its
// configuration's reads). O_DIRECT reads of an NVMe drive at DeepSpeed's
// transfer sizes (megabyte requests, hundreds of MiB per transfer) run at
// about 1x to 2x its writes, while reads the page cache answers run at memory
// speed, 5x to 20x the writes; tmpfs, FUSE and network filesystems may ignore
// O_DIRECT. A QLC drive whose writes fall past its write cache can exceed 3x
// too: the message says so, as a suspicion, not a verdict.
inline constexpr double kPageCacheRatio = 3.0;

struct PlausibilityFlag {
    ConfigKey key;
    IoOp op = IoOp::Read; // the figure flagged (reads, for page cache)
    std::string folder;   // whose own figure it is; empty: the configuration's (all its folders)
    PlausibilityKind kind = PlausibilityKind::AboveLinkLimit;
    double gibps = 0;      // the median flagged
    double limitGiBps = 0; // AboveLinkLimit: what the link(s) carry;
                           // PageCacheSuspected: the best write median of the same file
    std::string message;   // names the configuration, the figures, the limit and what to do

    bool operator==(const PlausibilityFlag&) const = default;
};

// Every flag of every configuration, in configuration order. A configuration
// on one folder is judged against that folder's drive; one driving several
// folders at once against the sum of its distinct drives' links (only when
// every folder's drive is known), and each folder's own samples against its
// own drive. Reads are judged against writes only where the configuration
// has a write figure of its own. Failed samples, and medians that are not
// positive finite numbers, are not judged.
std::vector<PlausibilityFlag> checkPlausibility(const ResultSet& results,
                                                const LinkLimits& limits = {});

// The distinct folders the samples name (Sample::folder), in first-seen order.
std::vector<std::string> recordedFolders(const ResultSet& results);
// The machine a sweep ran on: sweep.json's meta.system.host (uname's name,
// even when --host labelled it), else ResultSet::host; empty for DeepSpeed's logs.
std::string recordingHost(const ResultSet& results);

// [{"config", "op", "kind", "folder"?, "gib_per_s", "limit_gib_per_s" |
//   "write_gib_per_s", "message"}]: `--json`'s "plausibility" array.
nlohmann::ordered_json plausibilityJson(const std::vector<PlausibilityFlag>& flags);

} // namespace aiotune
