// libFuzzer target for aiotune's own sweep.json, which comes from shared
// folders and other machines as much as DeepSpeed's logs do. Beyond "no
// crash": every figure a parsed file yields is a credible speed (nothing
// later sums an "inf" or divides by a zero), configurations are unique and
// sorted, the file survives its own JSON form, and analysis and replay of
// what it holds finish (replay crashed on 1e308 figures, issue 17); the
// answer it stores is held to the same standard as its samples.
#include "results/analysis.h"
#include "results/answer.h"
#include "results/speed_figure.h"
#include "results/sweep_file.h"
#include "sweep/replay.h"

#include <cmath>
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

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    if (size < 1 || size > 1 << 16) return -1;
    const std::string_view text(reinterpret_cast<const char*>(data), size);
    auto parsed = parseSweepFileText(text, "fuzz/sweep.json");
    if (!parsed) {
        if (parsed.error().find("fuzz/sweep.json") == std::string::npos)
            fail("a refusal does not name the file", parsed.error());
        return 0;
    }
    const ResultSet& rs = *parsed;
    for (std::size_t i = 0; i < rs.configs.size(); ++i) {
        if (i > 0 && !(rs.configs[i - 1].key < rs.configs[i].key))
            fail("configurations are not unique and sorted", std::string(text));
        for (const Sample& s : rs.configs[i].samples)
            if (!s.failed() && !speedFigureProblem(s.gibPerSec).empty())
                fail("an incredible figure was accepted", std::string(text));
        if (const auto& c = rs.configs[i].combinedGiBps; c && !std::isfinite(*c))
            fail("a combined figure is not finite", std::string(text));
    }
    auto again = parseSweepFile(sweepFileJson(rs), "round-trip");
    if (!again) fail("a parsed file's own JSON is refused", again.error());
    if (again->configs.size() != rs.configs.size())
        fail("configurations change through the JSON form", std::string(text));
    // The stored answer is read as strictly as the samples (issue 17, second
    // round): a trusted one, or the one decided again, shows credible figures.
    if (rs.answer && rs.answer->found && !speedFigureProblem(rs.answer->bestGiBps).empty())
        fail("a stored answer with an incredible figure was accepted", std::string(text));
    const Answer answer = answerFor(rs);
    if (answer.found && (!std::isfinite(answer.bestGiBps) || answer.bestGiBps < 0.0))
        fail("the answer shows a figure that is not a speed", std::string(text));
    if (answer.measured > answer.configurations)
        fail("the answer measured more configurations than it has", std::string(text));
    (void)analyze(rs);
    if (rs.configs.size() <= 64) {
        AdaptiveOptions options;
        (void)replaySearch(rs, options, data[0]);
    }
    return 0;
}
