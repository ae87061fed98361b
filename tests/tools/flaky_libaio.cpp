// A stand-in for libaio.so.1 for tests (loaded through LibaioEngine's
// library-name seam): every call goes to the real libaio, except the
// io_setup calls numbered in FLAKY_LIBAIO_FAIL_SETUP ("1,4", or "1,4@tag";
// counted from 1 since the variable last changed), which fail with EAGAIN as
// when another job holds the machine's aio contexts (fs.aio-max-nr).
#include <libaio.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <dlfcn.h>
#include <mutex>
#include <string>

namespace {

void* real(const char* symbol) {
    static void* lib = [] {
        void* l = ::dlopen("libaio.so.1", RTLD_NOW | RTLD_LOCAL);
        return l ? l : ::dlopen("libaio.so.1t64", RTLD_NOW | RTLD_LOCAL);
    }();
    return lib ? ::dlsym(lib, symbol) : nullptr;
}

// Calls are counted from when the variable last changed, so a test sets it
// right before the calls it means, whatever ran in the process before.
bool failsNow() {
    static std::mutex mutex;
    static std::string seen;
    static int calls = 0;
    const std::lock_guard lock(mutex);
    const char* value = std::getenv("FLAKY_LIBAIO_FAIL_SETUP");
    const std::string list = value ? value : "";
    if (list != seen) {
        seen = list;
        calls = 0;
    }
    ++calls;
    const std::string numbers = list.substr(0, list.find('@')); // "1,4@run7": a tag makes each setting new
    return !numbers.empty() && ("," + numbers + ",").find("," + std::to_string(calls) + ",") != std::string::npos;
}

} // namespace

extern "C" {

__attribute__((visibility("default"))) int io_setup(int maxevents, io_context_t* ctx) {
    if (failsNow()) return -EAGAIN;
    auto f = reinterpret_cast<int (*)(int, io_context_t*)>(real("io_setup"));
    return f ? f(maxevents, ctx) : -ENOSYS;
}

__attribute__((visibility("default"))) int io_destroy(io_context_t ctx) {
    auto f = reinterpret_cast<int (*)(io_context_t)>(real("io_destroy"));
    return f ? f(ctx) : -ENOSYS;
}

__attribute__((visibility("default"))) int io_submit(io_context_t ctx, long n, struct iocb** iocbs) {
    auto f = reinterpret_cast<int (*)(io_context_t, long, struct iocb**)>(real("io_submit"));
    return f ? f(ctx, n, iocbs) : -ENOSYS;
}

__attribute__((visibility("default"))) int io_getevents(io_context_t ctx, long min, long max,
                                                        struct io_event* events, struct timespec* timeout) {
    auto f = reinterpret_cast<int (*)(io_context_t, long, long, struct io_event*, struct timespec*)>(
        real("io_getevents"));
    return f ? f(ctx, min, max, events, timeout) : -ENOSYS;
}

} // extern "C"
