#pragma once
// Whether two sweeps' figures can be set against each other, and why not:
// the one rule the window's Compare tab (and anything else that compares
// sweeps) asks. Figures measured with another buffer profile, transfer size,
// engine or machine differ for those reasons too, not only for the settings.
#include "report/sweep_facts.h"
#include "results/result_model.h"

#include <string>
#include <vector>

namespace aiotune {

// One way the two sweeps differ; a and b as SweepFacts spells them
// ("not recorded" when a side does not say).
struct SweepDifference {
    std::string what; // "measurement profile", "I/O size", "engine", "machine"
    std::string a;
    std::string b;
};

struct Comparability {
    std::vector<SweepDifference> differences;
    bool comparable() const { return differences.empty(); }
    // "Not like for like: the measurement profile differs (A: …, B: …); …"
    // with what follows for the figures; empty when comparable.
    std::string explanation() const;
};

Comparability compareSweeps(const SweepFacts& a, const SweepFacts& b);
Comparability compareSweeps(const ResultSet& a, const ResultSet& b);

} // namespace aiotune
