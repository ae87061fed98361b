#pragma once
// Whether this process was stopped from outside (SIGSTOP, Ctrl-Z / SIGTSTP,
// a debugger) and continued: the kernel then delivers SIGCONT, which a
// handler counts. A transfer timed across such a pause measured the pause,
// not the drive (a 5-second stop turned a sample into 0.003 GiB/s), so the
// sweep compares the count before and after each transfer.
#include <cstdint>

namespace aiotune {

// Installs the SIGCONT handler once (it only counts; the default "continue"
// happens anyway). Safe to call from any thread, any number of times.
void watchForPauses();

// How many times the process was continued since watchForPauses().
std::uint64_t pauseCount();

} // namespace aiotune
