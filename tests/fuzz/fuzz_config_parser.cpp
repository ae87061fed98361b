// libFuzzer target for everything that reads a user's JSON: DeepSpeed configs
// (hjson-style comments, duplicate keys), the aio-section merge that must keep
// every other byte, and sweep configs. Beyond "no crash", it checks that a
// successful merge re-parses to exactly the settings merged in, and that a
// sweep spec survives its own JSON form.
#include "check/config_check.h"
#include "check/swap_buffer_check.h"
#include "config/aio_config.h"
#include "config/deepspeed_config_merge.h"
#include "sweep/sweep_spec.h"

#include <nlohmann/json.hpp>

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>

using namespace aiotune;

namespace {

[[noreturn]] void fail(const char* what, const std::string& detail) {
    std::fprintf(stderr, "invariant broken: %s\n%s\n", what, detail.c_str());
    std::abort();
}

AioConfig configFrom(std::uint8_t seed) {
    AioConfig c;
    c.block_size = 4096ull << (seed % 12);
    c.queue_depth = 1 << (seed % 8);
    c.intra_op_parallelism = 1 + seed % 8;
    c.single_submit = seed & 0x10;
    c.overlap_events = seed & 0x20;
    return c;
}

void fuzzMerge(std::string_view text, std::uint8_t seed) {
    const AioConfig config = configFrom(seed);
    const DeepSpeedVersion target{0, (seed & 0x40) ? 14 : 19, 0};
    auto merged = mergeAioIntoConfigText(text, config, target, "fuzz.json");
    if (!merged) return;
    // Whatever came in, what goes out must be a config DeepSpeed reads as `config`.
    auto back = parseDeepSpeedConfigText(merged->text, "merged.json");
    if (!back)
        fail("merged text does not parse", back.error() + "\n--- input:\n" + std::string(text));
    AioConfig expected = config;
    expected.use_gds = false;
    AioConfig got = back->config;
    // Before 0.16.4 DeepSpeed reads thread_count, which parseDeepSpeedConfigText maps too.
    if (!(got == expected)) fail("merged aio section reads back differently", merged->text);
    // Merging the same settings again changes nothing.
    auto again = mergeAioIntoConfigText(merged->text, config, target, "merged.json");
    if (!again) fail("re-merge failed", again.error());
    if (again->changed)
        fail("re-merge is not idempotent", merged->text + "\n--- became:\n" + again->text);
}

void fuzzSweepConfig(std::string_view text) {
    auto doc = parseDeepSpeedJson(text, "sweep.json");
    if (!doc) return;
    const nlohmann::json plain = nlohmann::json::parse(doc->dump(), nullptr, false);
    if (plain.is_discarded()) fail("parsed JSON does not re-parse", doc->dump());
    (void)findNestedAioBlocks(*doc);
    if (plain.is_object() && plain.contains("aio")) (void)parseAioSection(plain["aio"]);

    std::vector<std::string> warnings;
    auto spec = SweepSpec::fromDeepSpeedSweepConfig(plain, "sweep.json", &warnings);
    if (spec) {
        if (spec->validate() && spec->pointCount() <= 4096) (void)spec->expand();
        auto round = SweepSpec::fromJson(spec->toJson(), "round-trip");
        if (!round)
            fail("a sweep spec's own JSON is refused",
                 round.error() + "\n" + spec->toJson().dump());
        if (!(*round == *spec))
            fail("a sweep spec changes through its JSON", spec->toJson().dump());
    }
    auto own = SweepSpec::fromJson(plain, "spec.json");
    if (own && own->validate() && own->pointCount() <= 4096) (void)own->expand();
}

// The config half of `aiotune check`, as it reads a config: every finding
// has a code and a message, whatever the numbers (2^63, 1e309, -1) are.
void fuzzCheck(std::string_view text, std::uint8_t seed) {
    auto root = parseDeepSpeedJson(text, "check.json");
    if (!root || !root->is_object()) return;
    const DeepSpeedVersion version{0, (seed & 0x80) ? 14 : 19, 0};
    const ConfigCheckOutcome outcome = checkDeepSpeedConfig(*root, version);
    for (const CheckFinding& f : outcome.findings)
        if (f.code.empty() || f.message.empty()) fail("a check finding without code or message", std::string(text));
    (void)checkSwapBuffers(outcome.settings);
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    if (size < 1 || size > 1 << 16) return -1;
    const std::uint8_t seed = data[0];
    const std::string_view text(reinterpret_cast<const char*>(data) + 1, size - 1);
    (void)parseDeepSpeedConfigText(text, "fuzz.json");
    fuzzCheck(text, seed);
    fuzzMerge(text, seed);
    fuzzSweepConfig(text);
    return 0;
}
