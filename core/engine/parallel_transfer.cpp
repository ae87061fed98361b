#include "engine/parallel_transfer.h"

#include "engine/aligned_buffer.h"
#include "engine/huge_page_share.h"
#include "engine/scratch_file.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <condition_variable>
#include <mutex>
#include <set>
#include <sys/resource.h>
#include <system_error>
#include <thread>
#include <unistd.h>
#include <utility>

namespace aiotune {

namespace {
constexpr std::uint64_t kAlign = 4096;

double threadCpuSeconds() {
    rusage ru{};
    ::getrusage(RUSAGE_THREAD, &ru);
    return static_cast<double>(ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) +
           static_cast<double>(ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) / 1e6;
}

} // namespace

std::vector<Slice> splitIntoSlices(std::uint64_t ioSize, int threads) {
    std::vector<Slice> slices;
    if (threads < 1) return slices;
    const std::uint64_t pages = ioSize / kAlign;
    const std::uint64_t perThread = (pages + threads - 1) / threads * kAlign;
    std::uint64_t offset = 0;
    for (int t = 0; t < threads && offset < ioSize; ++t) {
        const std::uint64_t len = std::min(perThread, ioSize - offset);
        slices.push_back({offset, len});
        offset += len;
    }
    return slices;
}

LatencySummary summarizeLatencies(std::vector<float>& lat) {
    LatencySummary s;
    s.requests = lat.size();
    if (lat.empty()) return s;
    auto at = [&](double q) {
        const auto k = static_cast<std::size_t>(std::ceil(q * static_cast<double>(lat.size()))) - 1;
        const auto idx = std::min(lat.size() - 1, k == static_cast<std::size_t>(-1) ? 0 : k);
        std::nth_element(lat.begin(), lat.begin() + static_cast<std::ptrdiff_t>(idx), lat.end());
        return static_cast<double>(lat[idx]);
    };
    s.p50Us = at(0.50);
    s.p99Us = at(0.99);
    s.maxUs = static_cast<double>(*std::max_element(lat.begin(), lat.end()));
    return s;
}

namespace {

using Clock = std::chrono::steady_clock;

class ParallelHandle : public IoHandle {
  public:
    ParallelHandle(const TransferParams& params, const ScratchFile& file, AlignedBuffer& buffer,
                   std::string engineName, SliceWorkerFactory makeWorker)
        : m_params(params), m_file(file), m_buffer(buffer), m_engineName(std::move(engineName)),
          m_makeWorker(std::move(makeWorker)),
          m_slices(splitIntoSlices(params.ioSize, params.aio.intra_op_parallelism)),
          m_threads(m_slices.size()) {}

    ~ParallelHandle() override {
        {
            std::lock_guard lock(m_mutex);
            m_exit = true;
        }
        m_go.notify_all();
        m_pool.clear(); // joins; each thread tears its own worker down
        m_threads[0].worker.reset();
        for (auto& t : m_threads)
            if (t.ownFd) ::close(t.fd);
    }

    Result<void> open(const ThreadStarter& startThread) {
        const auto t0 = Clock::now();
        const std::size_t n = m_slices.size();
        // Descriptors first, so a failure is reported before any thread starts.
        for (std::size_t i = 0; i < n; ++i) {
            if (i == 0) {
                m_threads[i].fd = m_file.fd();
                continue;
            }
            auto fd = m_file.openAnotherDescriptor();
            if (!fd) return makeError(fd.error());
            m_threads[i].fd = *fd;
            m_threads[i].ownFd = true;
        }
        std::size_t started = 0;
        m_pool.reserve(n);
        for (std::size_t i = 1; i < n; ++i) {
            try {
                if (startThread)
                    m_pool.push_back(startThread([this, i] { serve(i); }));
                else
                    m_pool.emplace_back([this, i] { serve(i); });
                ++started;
            } catch (const std::system_error& e) {
                // The threads started so far are released by the destructor.
                m_threads[i].error =
                    "cannot start thread " + std::to_string(i + 1) + " of " + std::to_string(n) +
                    " (" + e.code().message() +
                    "): the process or user may be at its thread limit (ulimit -u, pids.max); "
                    "use fewer intra_op_parallelism threads";
                break;
            }
        }
        setUp(0); // the calling thread's worker, while the others set theirs up
        {
            std::unique_lock lock(m_mutex);
            m_done.wait(lock, [&] { return m_ready == started; });
        }
        if (auto failed = firstError(m_params.direction); !failed.empty()) return makeError(failed);
        m_setupSeconds = std::chrono::duration<double>(Clock::now() - t0).count();
        return {};
    }

    Result<TransferResult> transfer(IoDirection direction,
                                    const std::atomic<bool>* cancel) override {
        const std::size_t n = m_slices.size();
        // DeepSpeed's clock starts as the swap is handed to the handle's threads.
        const auto e2eStart = Clock::now();
        {
            std::lock_guard lock(m_mutex);
            m_direction = direction;
            m_cancel = cancel;
            m_running = n - 1;
            ++m_generation;
        }
        m_go.notify_all();
        runSlice(0);
        {
            std::unique_lock lock(m_mutex);
            m_done.wait(lock, [&] { return m_running == 0; });
        }
        const auto e2eEnd = Clock::now();

        for (const auto& t : m_threads)
            if (!t.error.empty()) {
                if (t.error == "cancelled") return makeError("cancelled");
                break;
            }
        if (auto failed = firstError(direction); !failed.empty()) return makeError(failed);

        TransferResult r;
        r.engine = m_engineName;
        r.bytes = m_params.ioSize;
        r.setupSeconds = std::exchange(m_setupSeconds, 0.0);
        Clock::time_point first = m_threads[0].start, last = m_threads[0].end;
        std::vector<float> all;
        std::set<std::string> notes;
        for (auto& t : m_threads) {
            first = std::min(first, t.start);
            last = std::max(last, t.end);
            r.cpuSeconds += t.cpu;
            all.insert(all.end(), t.latencies.begin(), t.latencies.end());
            if (!t.note.empty()) notes.insert(t.note);
        }
        if (!m_buffer.notes().empty()) notes.insert(m_buffer.notes());
        for (const auto& note : notes)
            r.notes += (r.notes.empty() ? "" : "; ") + note;
        r.profile = m_buffer.profile();
        r.profile.registeredBuffers = m_params.profile.registeredBuffers;
        r.ioSeconds = std::chrono::duration<double>(last - first).count();
        r.seconds = std::chrono::duration<double>(e2eEnd - e2eStart).count();
        constexpr double kGiB = 1024.0 * 1024.0 * 1024.0;
        r.gibPerSec = r.seconds > 0 ? static_cast<double>(r.bytes) / r.seconds / kGiB : 0;
        r.ioGibPerSec = r.ioSeconds > 0 ? static_cast<double>(r.bytes) / r.ioSeconds / kGiB : 0;
        r.latency = summarizeLatencies(all);
        // After the clock: every page the transfer touched is faulted in by
        // now. A reading of the last few seconds stands (smaps is slow to read).
        r.hugePageShare = m_buffer.recentHugePageShare(m_params.ioSize, std::chrono::seconds(10));
        return r;
    }

  private:
    struct PerThread {
        std::unique_ptr<SliceWorker> worker;
        int fd = -1;
        bool ownFd = false;
        std::string error;
        std::string broken; // why the worker could not be set up again after a failure
        std::vector<float> latencies;
        Clock::time_point start{}, end{};
        double cpu = 0;
        std::string note;
    };

    SliceJob jobFor(std::size_t i) const {
        return {m_slices[i], m_threads[i].fd, m_buffer.data() + m_slices[i].offset, &m_params.aio,
                m_params.profile.registeredBuffers};
    }

    // A fresh worker for slice i, set up on the calling thread; the error stays with the slice.
    void setUp(std::size_t i) {
        PerThread& me = m_threads[i];
        me.worker = m_makeWorker();
        if (auto ok = me.worker->setup(jobFor(i)); !ok) {
            me.error = ok.error();
            me.worker.reset();
        }
        me.latencies.reserve(m_slices[i].length / m_params.aio.block_size + 2);
    }

    void runSlice(std::size_t i) {
        PerThread& me = m_threads[i];
        me.latencies.clear();
        if (!me.worker) { // set up again after an earlier failure, and that failed
            me.error = me.broken;
            me.start = me.end = Clock::now();
            return;
        }
        me.error.clear();
        const double cpu0 = threadCpuSeconds();
        me.start = Clock::now();
        if (auto ok = me.worker->run(m_direction, m_cancel, me.latencies); !ok)
            me.error = ok.error();
        me.end = Clock::now();
        me.note = me.worker->note();
        me.cpu = threadCpuSeconds() - cpu0;
        if (!me.error.empty() && me.error != "cancelled") {
            // A failed run may leave requests behind: a fresh ring or context
            // (the old one's teardown waits for them) serves the next transfer.
            // A cancelled run drained its requests: the worker stays.
            const std::string runError = me.error;
            me.worker.reset();
            setUp(i);
            me.broken = me.error;
            me.error = runError;
        }
    }

    // The pool thread of slice i: set up, then one run per transfer until the handle closes.
    void serve(std::size_t i) {
        setUp(i);
        std::uint64_t seen = 0;
        {
            std::lock_guard lock(m_mutex);
            ++m_ready;
            seen = m_generation;
        }
        m_done.notify_all();
        for (;;) {
            {
                std::unique_lock lock(m_mutex);
                m_go.wait(lock, [&] { return m_exit || m_generation != seen; });
                if (m_exit) break;
                seen = m_generation;
            }
            runSlice(i);
            {
                std::lock_guard lock(m_mutex);
                --m_running;
            }
            m_done.notify_all();
        }
        m_threads[i].worker.reset(); // ring teardown on its own thread
    }

    std::string firstError(IoDirection direction) const {
        const std::size_t n = m_threads.size();
        for (std::size_t i = 0; i < n; ++i)
            if (!m_threads[i].error.empty())
                return describe(direction, m_params.ioSize) + " in " + m_file.folder().string() +
                       " failed" + (n > 1 ? " (thread " + std::to_string(i) + ")" : std::string()) +
                       ": " + m_threads[i].error;
        return {};
    }

    static std::string describe(IoDirection direction, std::uint64_t ioSize) {
        return std::string(direction == IoDirection::Read ? "read" : "write") + " of " +
               std::to_string(ioSize) + " bytes";
    }

    const TransferParams m_params;
    const ScratchFile& m_file;
    AlignedBuffer& m_buffer;
    const std::string m_engineName;
    const SliceWorkerFactory m_makeWorker;
    const std::vector<Slice> m_slices;
    std::vector<PerThread> m_threads;
    std::vector<std::jthread> m_pool;
    double m_setupSeconds = 0;

    std::mutex m_mutex;
    std::condition_variable m_go, m_done;
    std::uint64_t m_generation = 0;
    std::size_t m_ready = 0;
    std::size_t m_running = 0;
    bool m_exit = false;
    IoDirection m_direction = IoDirection::Write;
    const std::atomic<bool>* m_cancel = nullptr;
};

} // namespace

Result<std::unique_ptr<IoHandle>> openParallelHandle(const TransferParams& params,
                                                     const ScratchFile& file, AlignedBuffer& buffer,
                                                     const std::string& engineName,
                                                     SliceWorkerFactory makeWorker,
                                                     ThreadStarter startThread) {
    if (auto ok = validateTransfer(params); !ok) return makeError(ok.error());
    if (!buffer.valid() || buffer.size() < params.ioSize)
        return makeError("the memory buffer (" + std::to_string(buffer.size()) +
                         " bytes) is smaller than io_size " + std::to_string(params.ioSize));
    if (file.size() < params.ioSize)
        return makeError("the scratch file in " + file.folder().string() + " holds " +
                         std::to_string(file.size()) + " bytes, fewer than io_size " +
                         std::to_string(params.ioSize));
    auto handle =
        std::make_unique<ParallelHandle>(params, file, buffer, engineName, std::move(makeWorker));
    if (auto ok = handle->open(startThread); !ok) return makeError(ok.error());
    return std::unique_ptr<IoHandle>(std::move(handle));
}

Result<TransferResult> transferWithOwnHandle(IoEngine& engine, const TransferParams& params,
                                             const ScratchFile& file, AlignedBuffer& buffer,
                                             const std::atomic<bool>* cancel) {
    auto handle = engine.open(params, file, buffer);
    if (!handle) return makeError(handle.error());
    return (*handle)->transfer(params.direction, cancel);
}

} // namespace aiotune
