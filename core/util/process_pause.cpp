#include "util/process_pause.h"

#include <atomic>
#include <csignal>
#include <mutex>

namespace aiotune {

namespace {
std::atomic<std::uint64_t> g_continued{0};
extern "C" void onContinued(int) {
    g_continued.fetch_add(1, std::memory_order_relaxed);
}
} // namespace

void watchForPauses() {
    static std::once_flag once;
    std::call_once(once, [] {
        struct sigaction sa {};
        sa.sa_handler = onContinued;
        sa.sa_flags = SA_RESTART;
        sigemptyset(&sa.sa_mask);
        ::sigaction(SIGCONT, &sa, nullptr);
    });
}

std::uint64_t pauseCount() {
    return g_continued.load(std::memory_order_relaxed);
}

} // namespace aiotune
