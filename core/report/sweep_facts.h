#pragma once
// What a report (or a chart caption) says about where and how a sweep was
// measured, drawn from a ResultSet: sweep.json's meta (spec, system
// fingerprint, measurement profile) or, for DeepSpeed's folders, the little
// their logs tell. Every field is plain text for display; meta is input from
// a file, so nothing here trusts its shape.
#include "results/result_model.h"

#include <cstdint>
#include <string>
#include <vector>

namespace aiotune {

// One folder a sweep ran in and the drive behind it; empty fields are unknown.
struct DriveFacts {
    std::string path;
    std::string mountPoint;
    std::string filesystem;
    std::string device; // e.g. /dev/nvme0n1p2
    std::string disk;   // e.g. nvme0n1
    std::string model;
    std::string firmware;
    std::string numaNode;
    std::string nvme; // "yes" / "no" / "" (unknown)
};

struct SweepFacts {
    bool fromDeepSpeedLogs = false; // engine "deepspeed": no machine or profile recorded
    std::string host;
    std::string kernel;
    std::string machine; // architecture, e.g. x86_64
    std::string cpus;
    std::string aiotuneVersion;
    std::string liburingVersion;
    std::string engine;
    std::string engineFallbackReason;
    std::vector<DriveFacts> drives;
    std::string profile; // "faithful", "what-if: huge pages", "unknown (DeepSpeed logs)", ...
    bool profileIsWhatIf = false;
    std::string ioSize;  // "400M", "128M, 1G"; empty when unknown
    std::string loops;   // repetitions per configuration; empty when unknown
    std::string status;  // "finished", "cancelled", "running"; empty for DeepSpeed's logs
    std::int64_t startedAtMs = 0;  // 0 when unknown
    std::int64_t finishedAtMs = 0; // 0 when unknown

    static SweepFacts fromResults(const ResultSet& results);
};

// "measured with the what-if: huge pages profile (a what-if: …)": what an
// export says of the figures behind it, in the CLI and in the window alike.
std::string measuredWithText(const SweepFacts& facts);

// "2026-12-01 10:07 UTC"; empty for 0 or a value out of range.
std::string formatUtcMinutes(std::int64_t epochMs);

} // namespace aiotune
