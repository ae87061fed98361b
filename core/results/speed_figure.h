#pragma once
// Which speed figures aiotune believes at all, wherever they are read (a
// sweep.json, DeepSpeed's logs): finite, above zero and below a bound no
// machine reaches. A figure outside is refused where it is read, with the
// file named, so nothing downstream sums an "inf" or divides by a zero.
#include <string>

namespace aiotune {

// 1 PiB/s: far above any drive array or memory bus, far below where sums of
// figures could overflow.
inline constexpr double kMaxCredibleGiBps = 1024.0 * 1024.0;

// Empty when gibps is a credible speed; otherwise why not ("is not a number
// (nan)", "is zero", "is negative (-3)", "is 1e+308 GiB/s, beyond ...").
std::string speedFigureProblem(double gibps);

// The same for a duration in seconds (finite and not negative; zero allowed).
std::string secondsFigureProblem(double seconds);

} // namespace aiotune
