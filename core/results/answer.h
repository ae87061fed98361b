#pragma once
// The answer of a sweep: which `aio` section to use, how sure, and why. It
// is decided in one place (decideAnswer), stored with the sweep (sweep.json)
// and read back by every reader through answerFor(), so `sweep`, `export`,
// `analyze`, `report`, `check`, fleets and the window name the same section.
//
// The rule, for any result set (an adaptive search, a grid, DeepSpeed's logs):
// - decisions use the estimates the search uses (estimates.h): noise pooled
//   across all visits, each configuration shrunk towards the grid's model
//   once some configuration was visited twice; with one visit each (DeepSpeed's
//   logs) the measured figures decide, so the best is DeepSpeed's own pick;
// - figures shown are what was measured: each configuration's own mean of
//   read + write GiB/s over its visits (geometric); never-measured ones get
//   the model's prediction;
// - best: the measured configuration with the highest estimate among those a
//   search kept in its race (every measured one for a grid or DeepSpeed's logs);
// - interval: 90% (two-sided) around the best's estimate; absent when the
//   noise is unknown;
// - tied: configurations not shown (at 95%) to be slower than the best;
// - recommended: the cheapest (fewest threads, then lowest queue depth) among
//   the best and the measured configurations shown to be at most the
//   tolerance slower than it; not claimed when the answer is partial;
// - confidence: how much faster another configuration (measured or predicted)
//   could still be at 95%: high within the tolerance, medium within three
//   times it, low beyond or when unknown;
// - partial: the sweep did not finish (cancelled, failed, still running), the
//   noise is unknown, or the search's budget ran out while a configuration
//   could still be faster by more than the tolerance;
// - confirmation: when the sweep measured its finalists (answerFinalists) again
//   with libaio, DeepSpeed's own interface (ResultSet::confirmation), each
//   finalist's figure on both engines; if libaio ranks another finalist ahead
//   of the best beyond the noise (the larger of the search's pooled noise and
//   libaio's own, at 95%), that finalist is the best (DeepSpeed will run
//   libaio), the rest follows from it, and decidedBy says so. A sweep that
//   could not confirm says why (AnswerContext::notConfirmed).
#include "results/result_model.h"

#include "util/result.h"

#include <nlohmann/json.hpp>

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace aiotune {

// What the caller knows besides the samples (a search's grid and state).
struct AnswerContext {
    std::vector<AioConfig> grid; // every configuration the sweep could measure; empty: the measured ones
    double tolerance = 0.03;
    std::string strategy;        // empty: the result set's
    std::string decidedBy;       // empty: from the strategy
    std::string stop;            // what stopped the search, as stopReasonName() spells it; "" when none
    std::optional<SweepStatus> status; // how the sweep ended, when the results do not say yet
    // Why a sweep did not confirm its answer on libaio (libaio missing,
    // switched off, the search measured with libaio itself); empty when it
    // did, or when no confirmation was planned (then the answer has none).
    std::string notConfirmed;
    std::string searchEngine; // the engine the search measured with; empty: the result set's
};

// At most this many finalists are confirmed: the best and the fastest tied with it.
inline constexpr std::size_t kMaxFinalists = 3;
// Each finalist is visited this many times on libaio, round-robin; when fewer
// finalists share an adaptive search's reserve, up to kConfirmMaxVisits each.
inline constexpr int kConfirmVisits = 2;
inline constexpr int kConfirmMaxVisits = 3;
// Visits the check asks for at most (times the operations: its transfers).
inline constexpr std::size_t kConfirmationVisits = kMaxFinalists * static_cast<std::size_t>(kConfirmVisits);

// The rule (see above), from every sample of `results`.
Answer decideAnswer(const ResultSet& results, const AnswerContext& context = {});

// The one function every reader calls: the answer stored with the results
// while the samples it was decided on are unchanged, else decided again from
// all samples by the same rule (and `decidedBy` says so).
Answer answerFor(const ResultSet& results);

// What a sweep confirms on libaio after its search: the answer's best, then
// the fastest configurations tied or contending with it that were measured,
// kMaxFinalists in all; empty when there is no answer.
std::vector<ConfigKey> answerFinalists(const Answer& a);

// One sentence on the confirmation for every reader (CLI, report, window):
// "Checked with libaio, DeepSpeed's interface: 4.10 GiB/s vs 4.20 GiB/s
// measured with io_uring for the best; ..." or "Not checked with libaio,
// DeepSpeed's interface: <why and how>."; empty when the answer has none.
std::string confirmationSentence(const Answer& a);

// Fingerprint of every sample's configuration, operation, loop, figure and error.
std::string samplesDigest(const ResultSet& results);

// sweep.json's "answer" object (and the "answer" of --json outputs).
nlohmann::json answerToJson(const Answer& a);
Result<Answer> answerFromJson(const nlohmann::json& j);

} // namespace aiotune
