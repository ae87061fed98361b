// A stand-in for libaio.so.1 for tests (loaded through LibaioEngine's
// library-name seam): every call goes to the real libaio, except the
// io_setup calls numbered in FLAKY_LIBAIO_FAIL_SETUP ("2,5", counted from 1
// over the process), which fail with EAGAIN as when another job holds the
// machine's aio contexts (fs.aio-max-nr).
#include <libaio.h>

#include <atomic>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <dlfcn.h>
#include <string>

namespace {

void* real(const char* symbol) {
    static void* lib = [] {
        void* l = ::dlopen("libaio.so.1", RTLD_NOW | RTLD_LOCAL);
        return l ? l : ::dlopen("libaio.so.1t64", RTLD_NOW | RTLD_LOCAL);
    }();
    return lib ? ::dlsym(lib, symbol) : nullptr;
}

bool failsNow(int call) {
    const char* list = std::getenv("FLAKY_LIBAIO_FAIL_SETUP");
    if (!list) return false;
    const std::string wanted = "," + std::string(list) + ",";
    return wanted.find("," + std::to_string(call) + ",") != std::string::npos;
}

std::atomic<int> setups{0};

} // namespace

extern "C" {

__attribute__((visibility("default"))) int io_setup(int maxevents, io_context_t* ctx) {
    if (failsNow(++setups)) return -EAGAIN;
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
