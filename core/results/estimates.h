#pragma once
// Every configuration's estimate of log(read + write GiB/s), from all visits
// of a result set at once. One estimator serves the adaptive search (what to
// measure next) and the answer (answer.h), so the two cannot disagree.
//
// The noise is pooled across configurations (visits of one configuration
// differ only by noise). When the configurations form a full factorial, a
// model with one term per parameter value is fitted to the configurations'
// means (weighted least squares); each configuration's estimate is then its
// own mean shrunk towards the model's prediction, each weighted by its
// precision, unless its visits contradict the model. Configurations never
// measured get the model's prediction. Before any configuration was visited
// twice, the model's residuals stand in for the noise.
#include "results/analysis.h"
#include "results/result_model.h"

#include <array>
#include <cstddef>
#include <optional>
#include <vector>

namespace aiotune {

struct ConfigEstimates {
    // Index-aligned with the grid. visits 0 and meanLog -inf: neither
    // measured nor predicted; visits 0 and a finite meanLog: predicted.
    std::vector<VisitEstimate> all;
    double sigma = 0.0; // per-visit noise on the log scale; 0 while unknown
    int df = 0;         // degrees of freedom behind sigma (t quantiles); 0: unknown
    bool modelled = false;
};

// grid: every configuration of the sweep (measured or not), each once.
// shrink false: a measured configuration keeps its own mean (what was
// measured: the answer's figures); the model only predicts the unmeasured
// ones and, before repeats, stands in for the noise.
ConfigEstimates estimateConfigs(const std::vector<ConfigKey>& grid, const ResultSet& results,
                                double tolerance, bool shrink = true);

// --- The factorial layout, shared with the adaptive search's screen ---
inline constexpr std::size_t kFactors = 6;
struct Factorial {
    std::vector<std::array<int, kFactors>> index; // value index per parameter, per configuration
    std::array<int, kFactors> levels{};
};
// When the configurations form a full factorial; nullopt otherwise.
std::optional<Factorial> asFactorial(const std::vector<AioConfig>& configs);
// Model columns: intercept, one indicator per non-first value of each
// parameter, and (with interactions) the products for every pair of parameters.
std::vector<double> modelRow(const Factorial& fac, std::size_t config, bool interactions);
// (X'X)^-1 over the rows; empty when they cannot fit the model with a few
// residual degrees of freedom to spare.
std::vector<std::vector<double>> normalInverse(const std::vector<std::vector<double>>& rows);

} // namespace aiotune
