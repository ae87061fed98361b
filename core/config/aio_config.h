#pragma once
// The DeepSpeed "aio" config section: keys, defaults, parsing, validation and
// serialization for a target DeepSpeed version (see core/deepspeed-formats.md §1).
#include "util/result.h"
#include "util/work_steps.h"

#include <nlohmann/json.hpp>

#include <cstdint>
#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

namespace aiotune {

// Defaults are DeepSpeed's AIO_DEFAULT_DICT.
struct AioConfig {
    std::uint64_t block_size = 1048576;
    int queue_depth = 8;
    int intra_op_parallelism = 1; // "thread_count" before DeepSpeed 0.16.4
    bool single_submit = false;
    bool overlap_events = true;
    bool use_gds = false;

    // Counted (util/work_steps.h): a scan of every configuration per configuration shows in tests.
    bool operator==(const AioConfig& o) const {
        work_steps::add();
        return block_size == o.block_size && queue_depth == o.queue_depth &&
               intra_op_parallelism == o.intra_op_parallelism && single_submit == o.single_submit &&
               overlap_events == o.overlap_events && use_gds == o.use_gds;
    }
};

struct DeepSpeedVersion {
    int major = 0;
    int minor = 19;
    int patch = 0;

    // "0.16.4", "v0.14", "0.15.0rc1" -> numbers; anything else is an error naming the text.
    static Result<DeepSpeedVersion> parse(std::string_view text);
    std::string toString() const;
    // >= 0.16.4 reads intra_op_parallelism (and ignores thread_count).
    bool readsIntraOpParallelism() const;
    // >= 0.15.0 reads use_gds.
    bool readsUseGds() const;
    // No one release but all of them (export's default when no installed
    // DeepSpeed is found): both thread keys are written, since each release
    // reads its own with dict.get and ignores the other. Its numbers are the
    // newest release's, so version rules treat it as new.
    bool everyRelease = false;
    static DeepSpeedVersion forEveryRelease();
    // The thread-count keys a section for this target holds, in order.
    std::vector<std::string> threadKeys() const;
    auto operator<=>(const DeepSpeedVersion&) const = default;
};

// A parsed section plus the warnings a user should see (unknown keys, an
// "aio" block nested where DeepSpeed ignores it, ...).
struct AioParseOutcome {
    AioConfig config;
    std::vector<std::string> warnings;
};

// The largest DeepSpeed config aiotune reads, for check, export's merge and
// the window alike (real configs are a few KiB; this stops a disk image).
inline constexpr std::uint64_t kMaxDeepSpeedConfigBytes = 16ull << 20;

// Parses the value of the "aio" key (null means all defaults). Errors name the
// key and the value: a string "false" is an error (DeepSpeed would read it as true).
Result<AioParseOutcome> parseAioSection(const nlohmann::json& aio);
Result<AioParseOutcome> parseAioSection(const nlohmann::ordered_json& aio);
// A whole DeepSpeed config as JSON text; sourceName (a file name) goes into messages.
Result<AioParseOutcome> parseDeepSpeedConfigText(std::string_view text, std::string_view sourceName);
Result<AioParseOutcome> parseDeepSpeedConfigFile(const std::filesystem::path& file);

// JSON text read the way DeepSpeed loads its config (hjson with a duplicate-key
// check): // and /* */ comments are accepted, a key repeated within one object
// is an error. Errors name sourceName and the line and column.
Result<nlohmann::ordered_json> parseDeepSpeedJson(std::string_view text, std::string_view sourceName);

// Where "aio" blocks sit below the top level ("zero_optimization.aio"): DeepSpeed
// reads "aio" only at the top level and silently ignores these.
std::vector<std::string> findNestedAioBlocks(const nlohmann::ordered_json& root);

// Checks values a parsed or user-built config must satisfy, by the limits of
// config/transfer_limits.h (positive, block size a multiple of 4096, caps).
Result<void> validateAioConfig(const AioConfig& config);

// The "aio" object with real JSON booleans and integers, using the key names
// the given DeepSpeed version reads, in DeepSpeed's key order.
nlohmann::ordered_json toAioJson(const AioConfig& config, const DeepSpeedVersion& target = {});

} // namespace aiotune
