#include "results/comparability.h"

namespace aiotune {

namespace {
const char* const kNotRecorded = "not recorded";

std::string shown(const std::string& value) {
    return value.empty() ? kNotRecorded : value;
}

// Two unknowns are not a difference (nothing says they differ); one unknown
// is, since nothing says the two are the same either.
void compareField(Comparability& out, const char* what, const std::string& a,
                  const std::string& b) {
    if (a == b) return;
    out.differences.push_back({what, shown(a), shown(b)});
}
} // namespace

Comparability compareSweeps(const SweepFacts& a, const SweepFacts& b) {
    Comparability out;
    compareField(out, "measurement profile", a.profile, b.profile);
    compareField(out, "I/O size", a.ioSize, b.ioSize);
    compareField(out, "engine", a.engine, b.engine);
    compareField(out, "machine", a.host, b.host); // the host name: all a sweep records of it
    return out;
}

Comparability compareSweeps(const ResultSet& a, const ResultSet& b) {
    return compareSweeps(SweepFacts::fromResults(a), SweepFacts::fromResults(b));
}

std::string Comparability::explanation() const {
    if (differences.empty()) return {};
    std::string text = "Not like for like: ";
    for (std::size_t i = 0; i < differences.size(); ++i) {
        const SweepDifference& d = differences[i];
        if (i > 0) text += "; ";
        text += "the " + d.what + " differs (A: " + d.a + ", B: " + d.b + ")";
    }
    text += ". The figures differ for ";
    text += differences.size() == 1 ? "this reason" : "these reasons";
    text += " too, not only for the drives and the aio settings.";
    return text;
}

} // namespace aiotune
