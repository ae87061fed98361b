#pragma once
// The verdict over a ResultSet, as every reader shows it, and the
// statistics of visits that the answer (answer.h) is drawn from.
#include "results/result_model.h"

#include <limits>
#include <vector>

namespace aiotune {

// Configurations with both figures in the answer's order (best first).
std::vector<ConfigResult> rankByAnswer(const ResultSet& results, const Answer& answer);

// The answer (answerFor) with the figures of its configurations, and the
// configurations it could not rank (read-only, write-only, failed).
Recommendation analyze(const ResultSet& results);

// --- Statistics for searches (adaptive search, replay, "tied with the best") ---
//
// A visit is one pass over a configuration (write, then read); its figure is
// the sum of its operations' GiB/s (read + write, DeepSpeed's rule), taken on
// a log scale so that noise is relative: drives vary by a share of their
// speed, not by a fixed amount. The noise is pooled across configurations,
// because a configuration measured once has no spread of its own.

// One-sided level of every interval and test below.
inline constexpr double kSearchConfidence = 0.95;

struct VisitEstimate {
    ConfigKey key;
    int visits = 0;      // visits whose every operation succeeded (0: predicted, not measured)
    double meanLog = 0;  // estimate of log(GiB/s): the mean over those visits, or a model's
    double variance = std::numeric_limits<double>::infinity(); // of meanLog; +inf: unknown
    double gibps() const; // exp(meanLog): the geometric mean
};

struct VisitStatistics {
    // Configurations with at least one full visit, key order; variance =
    // sigma^2 / visits once the noise is known.
    std::vector<VisitEstimate> configs;
    double sigma = 0.0; // pooled within-configuration standard deviation of log figures
    int df = 0;         // its degrees of freedom; 0: no configuration was visited twice
    const VisitEstimate* find(const ConfigKey& key) const;
};

// Pairs each configuration's samples by loop; a loop counts when it holds every
// operation the set measured (read and write, or only the one measured) and
// none failed.
VisitStatistics visitStatistics(const ResultSet& results);

// Student's t quantile at kSearchConfidence (one-sided) for df degrees of
// freedom; +inf for df < 1 (no estimate of the noise, no bound).
double tQuantile(int df);

// What the samples say about a chosen best.
struct TiedAnswer {
    ConfigKey best;
    double bestGiBps = 0;      // its estimate (geometric mean of its visits, or a model's)
    double bestLowGiBps = 0;   // two-sided interval at 2*kSearchConfidence-1 (90%); equal to
    double bestHighGiBps = 0;  //   bestGiBps when the noise is unknown
    int bestVisits = 0;
    // Not significantly slower than the best (itself excluded), fastest first.
    std::vector<VisitEstimate> tied;
    // Cheapest (fewest threads, then lowest depth) among the best and the
    // configurations shown to be at most `tolerance` slower than it.
    ConfigKey recommended;
    double recommendedGiBps = 0;
    // How much faster than the best another configuration (measured or
    // predicted) could still be, at kSearchConfidence (0.04 = 4%); +inf when
    // the noise is unknown.
    double possibleGain = 0;
    bool noiseKnown = false;  // every variance above is finite
};

// `best` must be among `estimates`; `df` is the degrees of freedom behind the
// variances (t quantiles). Configurations with visits == 0 (predicted only)
// count for possibleGain and tied, never for recommended.
TiedAnswer compareWithBest(const std::vector<VisitEstimate>& estimates, const ConfigKey& best,
                           double tolerance, int df);
inline TiedAnswer compareWithBest(const VisitStatistics& stats, const ConfigKey& best, double tolerance) {
    return compareWithBest(stats.configs, best, tolerance, stats.df);
}

} // namespace aiotune
