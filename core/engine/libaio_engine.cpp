#include "engine/libaio_engine.h"

#include "engine/parallel_transfer.h"

#include <libaio.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstring>
#include <dlfcn.h>
#include <mutex>
#include <set>
#include <string>
#include <thread>

namespace aiotune {

namespace {

using Clock = std::chrono::steady_clock;

// The four calls aiotune needs, looked up in the loaded library. libaio
// returns -errno from each, it does not set errno.
struct LibaioApi {
    int (*setup)(int, io_context_t*) = nullptr;
    int (*destroy)(io_context_t) = nullptr;
    int (*submit)(io_context_t, long, iocb**) = nullptr;
    int (*getevents)(io_context_t, long, long, io_event*, timespec*) = nullptr;
};

const std::vector<std::string>& defaultNames() {
    // Debian 12 ships libaio.so.1 (package libaio1); Debian 13 renamed it for time64.
    static const std::vector<std::string> names{"libaio.so.1", "libaio.so.1t64"};
    return names;
}

Result<LibaioApi> loadLibaio(const std::vector<std::string>& names) {
    std::string tried;
    for (const auto& name : names) {
        // Never closed: the library stays for the life of the process, as if linked.
        void* lib = ::dlopen(name.c_str(), RTLD_NOW | RTLD_LOCAL);
        if (!lib) {
            tried += (tried.empty() ? "" : ", ") + name;
            continue;
        }
        LibaioApi api;
        api.setup = reinterpret_cast<decltype(api.setup)>(::dlsym(lib, "io_setup"));
        api.destroy = reinterpret_cast<decltype(api.destroy)>(::dlsym(lib, "io_destroy"));
        api.submit = reinterpret_cast<decltype(api.submit)>(::dlsym(lib, "io_submit"));
        api.getevents = reinterpret_cast<decltype(api.getevents)>(::dlsym(lib, "io_getevents"));
        if (api.setup && api.destroy && api.submit && api.getevents) return api;
        return makeError(
            name +
            " lacks io_setup/io_submit/io_getevents: reinstall libaio1 (apt-get install libaio1)");
    }
    return makeError("libaio is not installed (tried " + tried +
                     "): install libaio1 to get it (apt-get install libaio1)");
}

// The system's library, loaded once for the process.
Result<LibaioApi> systemLibaio() {
    static std::once_flag once;
    static Result<LibaioApi> api = makeError("libaio not loaded");
    std::call_once(once, [] { api = loadLibaio(defaultNames()); });
    return api;
}

Result<LibaioApi> libaioFor(const std::vector<std::string>& names) {
    return names.empty() ? systemLibaio() : loadLibaio(names);
}

std::string setupError(int rc) {
    std::string text = "io_setup failed: " + std::string(std::strerror(-rc));
    if (rc == -EAGAIN)
        text += " (the system-wide limit fs.aio-max-nr is reached: raise it with sysctl, or use a "
                "lower queue_depth or fewer threads)";
    if (rc == -ENOSYS || rc == -EPERM)
        text += " (kernel without AIO, or blocked by a seccomp filter; use --engine io_uring)";
    return text;
}

std::string errorText(long negErrno) {
    if (negErrno == -ENOSPC) return "no space left on device (free space or use a smaller io size)";
    if (negErrno == -EINVAL)
        return std::string(std::strerror(EINVAL)) +
               " (the filesystem may not support O_DIRECT at this alignment)";
    return std::strerror(static_cast<int>(-negErrno));
}

class LibaioSliceWorker : public SliceWorker {
  public:
    explicit LibaioSliceWorker(LibaioApi api) : m_api(api) {}
    ~LibaioSliceWorker() override {
        if (m_ctxReady) m_api.destroy(m_ctx);
    }

    Result<void> setup(const SliceJob& job) override {
        m_job = job;
        m_depth = static_cast<unsigned>(job.aio->queue_depth);
        const int rc = m_api.setup(static_cast<int>(m_depth), &m_ctx);
        if (rc < 0) return makeError(setupError(rc));
        m_ctxReady = true;
        m_slots.resize(m_depth);
        m_events.resize(m_depth);
        for (unsigned i = m_depth; i > 0; --i)
            m_free.push_back(i - 1);
        return {};
    }

    Result<void> run(IoDirection direction, const std::atomic<bool>* cancel,
                     std::vector<float>& latencies) override {
        m_direction = direction;
        const std::uint64_t length = m_job.slice.length;
        const std::uint64_t block = m_job.aio->block_size;
        const bool overlap = m_job.aio->overlap_events;
        std::uint64_t next = 0;
        unsigned inflight = 0; // handed out and not completed, submitted or not
        std::string error;
        bool stopping = false;
        m_unsubmitted.clear();

        // Reaps at least minEvents completions (fewer if interrupted); a short
        // transfer or -EAGAIN goes back on the submit list.
        auto reap = [&](long minEvents) -> Result<void> {
            const int n = m_api.getevents(m_ctx, minEvents, static_cast<long>(m_depth),
                                          m_events.data(), nullptr);
            if (n == -EINTR) return {};
            if (n < 0) return makeError("io_getevents failed: " + std::string(std::strerror(-n)));
            const auto now = Clock::now();
            for (int i = 0; i < n; ++i) {
                Slot& s = *static_cast<Slot*>(m_events[i].data);
                const long res = static_cast<long>(m_events[i].res);
                if (res == -EAGAIN || res == -EINTR) {
                    if (!stopping) {
                        queue(s);
                        continue;
                    }
                } else if (res < 0) {
                    if (error.empty() || error == "cancelled") error = errorText(res);
                    stopping = true;
                } else if (res == 0 && s.done < s.length) {
                    if (error.empty())
                        error = "unexpected end of file at offset " +
                                std::to_string(m_job.slice.offset + s.offset + s.done);
                    stopping = true;
                } else {
                    s.done += static_cast<std::uint64_t>(res);
                    if (s.done < s.length && !stopping) {
                        queue(s);
                        continue;
                    } // short, or a >2 GiB block
                    if (s.done == s.length)
                        latencies.push_back(
                            std::chrono::duration<float, std::micro>(now - s.submitted).count());
                }
                --inflight;
                m_free.push_back(static_cast<unsigned>(&s - m_slots.data()));
            }
            return {};
        };
        // Hands everything on the submit list to the kernel: one io_submit per
        // request (single_submit) or per batch. io_submit may take fewer than
        // offered; on EAGAIN completions are reaped before trying again.
        auto submitAll = [&]() -> Result<void> {
            unsigned refusals = 0;
            std::size_t first = 0;
            while (first < m_unsubmitted.size()) {
                const long offer =
                    m_job.aio->single_submit ? 1 : static_cast<long>(m_unsubmitted.size() - first);
                const int rc = m_api.submit(m_ctx, offer, m_unsubmitted.data() + first);
                if (rc > 0) {
                    first += static_cast<std::size_t>(rc);
                    refusals = 0;
                    continue;
                }
                if (rc != -EAGAIN && rc != -EINTR && rc != 0)
                    return makeError("io_submit failed: " + errorText(rc));
                const unsigned inKernel =
                    inflight - static_cast<unsigned>(m_unsubmitted.size() - first);
                if (inKernel > 0) {
                    // Reaping may requeue onto the list's end; the unsent part stays in order.
                    m_unsubmitted.erase(m_unsubmitted.begin(),
                                        m_unsubmitted.begin() + static_cast<long>(first));
                    first = 0;
                    if (auto ok = reap(1); !ok) return ok;
                } else if (++refusals > 10000) {
                    return makeError("io_submit refused " + std::to_string(refusals) +
                                     " times in a row: the system may be short of memory");
                } else {
                    std::this_thread::sleep_for(std::chrono::milliseconds(1));
                }
            }
            m_unsubmitted.clear();
            return {};
        };

        while (next < length || inflight > 0) {
            if (cancel && cancel->load(std::memory_order_relaxed) && !stopping) {
                stopping = true;
                if (error.empty()) error = "cancelled";
            }
            // Overlapped: refill to queue_depth. Sequential: the next batch of
            // queue_depth only when the last one has fully completed.
            if (overlap || inflight == 0) {
                while (!stopping && next < length && !m_free.empty()) {
                    Slot& s = m_slots[m_free.back()];
                    m_free.pop_back();
                    s.offset = next;
                    s.length = std::min(block, length - next);
                    s.done = 0;
                    s.submitted = Clock::now();
                    next += s.length;
                    ++inflight;
                    queue(s);
                }
            }
            if (inflight == 0) break;
            // On a failed call requests may still be in the kernel, writing into
            // the buffer: io_destroy (in the destructor) waits for them first.
            if (auto ok = submitAll(); !ok) return ok;
            // Overlapped: go on as soon as one completes. Sequential: the batch.
            if (inflight > 0)
                if (auto ok = reap(overlap ? 1 : static_cast<long>(inflight)); !ok) return ok;
        }
        if (!error.empty()) return makeError(error);
        return {};
    }

  private:
    struct Slot {
        iocb cb{};
        std::uint64_t offset = 0; // relative to the slice
        std::uint64_t length = 0;
        std::uint64_t done = 0;
        Clock::time_point submitted;
    };

    // Prepares the rest of the slot's request and puts it on the submit list.
    void queue(Slot& s) {
        std::byte* addr = m_job.memory + s.offset + s.done;
        const std::uint64_t len = std::min(s.length - s.done, kMaxBytesPerRequest);
        const auto fileOffset = static_cast<long long>(m_job.slice.offset + s.offset + s.done);
        if (m_direction == IoDirection::Read)
            io_prep_pread(&s.cb, m_job.fd, addr, len, fileOffset);
        else
            io_prep_pwrite(&s.cb, m_job.fd, addr, len, fileOffset);
        s.cb.data = &s;
        m_unsubmitted.push_back(&s.cb);
    }

    const LibaioApi m_api;
    io_context_t m_ctx{};
    bool m_ctxReady = false;
    SliceJob m_job;
    IoDirection m_direction = IoDirection::Write;
    unsigned m_depth = 1;
    std::vector<Slot> m_slots;
    std::vector<io_event> m_events;
    std::vector<unsigned> m_free;
    std::vector<iocb*> m_unsubmitted;
};

} // namespace

Result<TransferResult> LibaioEngine::transfer(const TransferParams& params, const ScratchFile& file,
                                              AlignedBuffer& buffer,
                                              const std::atomic<bool>* cancel) {
    return transferWithOwnHandle(*this, params, file, buffer, cancel);
}

Result<std::unique_ptr<IoHandle>>
LibaioEngine::open(const TransferParams& params, const ScratchFile& file, AlignedBuffer& buffer) {
    auto api = libaioFor(m_libraryNames);
    if (!api) return makeError(api.error() + ", or measure with --engine io_uring");
    const LibaioApi calls = *api;
    return openParallelHandle(params, file, buffer, name(),
                              [calls] { return std::make_unique<LibaioSliceWorker>(calls); });
}

Result<void> probeLibaio(const std::vector<std::string>& libraryNames) {
    // A success is remembered for the process: io_destroy waits out an RCU
    // grace period (30-50 ms), and a sweep asks at its plan and at its start.
    // A failure is asked again (libaio may be installed meanwhile).
    static std::mutex mutex;
    static std::set<std::vector<std::string>> working;
    {
        const std::lock_guard lock(mutex);
        if (working.count(libraryNames)) return {};
    }
    auto api = libaioFor(libraryNames);
    if (!api) return makeError(api.error());
    io_context_t ctx{};
    if (const int rc = api->setup(1, &ctx); rc < 0) return makeError(setupError(rc));
    api->destroy(ctx);
    const std::lock_guard lock(mutex);
    working.insert(libraryNames);
    return {};
}

} // namespace aiotune
