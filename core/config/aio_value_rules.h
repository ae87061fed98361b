#pragma once
// How DeepSpeed takes each "aio" value, by JSON type: the one table of type
// rules `check`, the config parser and the window's merge dialog all use.
//
// DeepSpeed reads the section with dict.get (runtime/config_utils.py
// get_scalar_param, every release) and passes the values unconverted:
// - block_size, queue_depth, intra_op_parallelism / thread_count go to the
//   async_io handle's constructor, a pybind11 `const int` (csrc/aio/py_lib/
//   py_ds_aio.cpp, every release): Python ints (and true/false, which are
//   ints) within a C int are taken; null, fractions, strings are refused and
//   swapping fails to start.
// - single_submit and overlap_events go to its `const bool`: pybind11's bool
//   caster takes true/false, null as false and numbers by truth (0 false,
//   any other true); strings, lists and objects are refused.
// - use_gds (read from 0.15.0) is only truth-tested in Python
//   (runtime/swap_tensor/aio_config.py `if aio_config[AIO_USE_GDS]`,
//   partitioned_param_swapper.py `... if self.use_gds`), so any non-empty
//   string, "false" included, turns GDS on.
#include <nlohmann/json.hpp>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace aiotune {

enum class AioValueKind {
    Integer,     // pybind11 const int
    HandleFlag,  // pybind11 const bool
    TruthTested, // Python truth test
};

// The key's kind; nullopt for keys DeepSpeed does not read.
std::optional<AioValueKind> aioValueKind(std::string_view key);

// The largest integer DeepSpeed's async_io op takes (a C int).
inline constexpr std::int64_t kAioIntMax = 2147483647;

struct AioValueVerdict {
    enum class Severity { Ok, Note, Warning, Error };
    Severity severity = Severity::Ok;
    bool usable = true;      // DeepSpeed starts swapping with it (possibly not as meant)
    bool outOfRange = false; // an integer beyond a C int (the type is right)
    std::optional<std::int64_t> integer; // the value DeepSpeed uses, Integer keys
    std::optional<bool> flag;            // the value DeepSpeed uses, flag keys
    std::string what;                    // "is the string \"false\"" (empty when Ok)
    std::string effect;                  // what DeepSpeed does with it
    std::string fix;                     // what to write instead
};

AioValueVerdict judgeAioValue(std::string_view key, const nlohmann::ordered_json& value);
AioValueVerdict judgeAioValue(std::string_view key, const nlohmann::json& value);

// "\"aio\" setting \"key\" <what>; <effect>" for messages.
std::string describeAioValue(std::string_view key, const AioValueVerdict& verdict);

} // namespace aiotune
