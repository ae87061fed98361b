#include "engine/parallel_transfer.h"

#include "engine/aligned_buffer.h"
#include "engine/huge_page_share.h"
#include "engine/scratch_file.h"

#include <algorithm>
#include <barrier>
#include <chrono>
#include <cmath>
#include <mutex>
#include <set>
#include <system_error>
#include <sys/resource.h>
#include <thread>
#include <unistd.h>

namespace aiotune {

namespace {
constexpr std::uint64_t kAlign = 4096;

double threadCpuSeconds() {
    rusage ru{};
    ::getrusage(RUSAGE_THREAD, &ru);
    return static_cast<double>(ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) +
           static_cast<double>(ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) / 1e6;
}

std::string describe(const TransferParams& p) {
    return std::string(p.direction == IoDirection::Read ? "read" : "write") +
           " of " + std::to_string(p.ioSize) + " bytes";
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

Result<TransferResult> runParallelTransfer(const TransferParams& params, const ScratchFile& file,
                                           AlignedBuffer& buffer, const std::atomic<bool>* cancel,
                                           const std::string& engineName,
                                           const SliceWorkerFactory& makeWorker,
                                           const ThreadStarter& startThread) {
    using Clock = std::chrono::steady_clock;
    if (auto ok = validateTransfer(params); !ok) return makeError(ok.error());
    if (!buffer.valid() || buffer.size() < params.ioSize)
        return makeError("the memory buffer (" + std::to_string(buffer.size()) +
                         " bytes) is smaller than io_size " + std::to_string(params.ioSize));
    if (file.size() < params.ioSize)
        return makeError("the scratch file in " + file.folder().string() + " holds " +
                         std::to_string(file.size()) + " bytes, fewer than io_size " +
                         std::to_string(params.ioSize));

    const auto e2eStart = Clock::now();
    const std::vector<Slice> slices = splitIntoSlices(params.ioSize, params.aio.intra_op_parallelism);
    const std::size_t n = slices.size();

    struct PerThread {
        std::unique_ptr<SliceWorker> worker;
        int fd = -1;
        bool ownFd = false;
        std::string error;
        std::vector<float> latencies;
        Clock::time_point start{}, end{};
        double cpu = 0;
        std::string note;
    };
    std::vector<PerThread> threads(n);
    // Descriptors are opened here so a failure is reported before any thread starts.
    for (std::size_t i = 0; i < n; ++i) {
        if (i == 0) {
            threads[i].fd = file.fd();
            continue;
        }
        auto fd = file.openAnotherDescriptor();
        if (!fd) {
            for (auto& t : threads)
                if (t.ownFd) ::close(t.fd);
            return makeError(fd.error());
        }
        threads[i].fd = *fd;
        threads[i].ownFd = true;
    }

    std::atomic<bool> setupFailed{false};
    std::barrier startLine(static_cast<std::ptrdiff_t>(n));
    auto body = [&](std::size_t i) {
        PerThread& me = threads[i];
        const double cpu0 = threadCpuSeconds();
        me.worker = makeWorker();
        SliceJob job{slices[i], me.fd, buffer.data() + slices[i].offset, params.direction, &params.aio,
                     params.profile.registeredBuffers};
        if (auto ok = me.worker->setup(job); !ok) {
            me.error = ok.error();
            setupFailed = true;
        }
        me.latencies.reserve(slices[i].length / params.aio.block_size + 2);
        startLine.arrive_and_wait();
        if (!setupFailed) {
            me.start = Clock::now();
            if (auto ok = me.worker->run(cancel, me.latencies); !ok) me.error = ok.error();
            me.end = Clock::now();
        }
        me.note = me.worker->note();
        me.worker.reset(); // ring teardown belongs to this thread's CPU time
        me.cpu = threadCpuSeconds() - cpu0;
    };
    {
        std::vector<std::jthread> pool;
        pool.reserve(n);
        for (std::size_t i = 1; i < n; ++i) {
            try {
                if (startThread) pool.push_back(startThread([&body, i] { body(i); }));
                else pool.emplace_back(body, i);
            } catch (const std::system_error& e) {
                // The threads not started will never arrive: drop them from the
                // barrier so the started ones go on to see setupFailed.
                threads[i].error = "cannot start thread " + std::to_string(i + 1) + " of " + std::to_string(n) +
                                   " (" + e.code().message() +
                                   "): the process or user may be at its thread limit (ulimit -u, pids.max); "
                                   "use fewer intra_op_parallelism threads";
                setupFailed = true;
                for (std::size_t j = i; j < n; ++j) startLine.arrive_and_drop();
                break;
            }
        }
        body(0); // the calling thread moves slice 0
    }
    for (auto& t : threads)
        if (t.ownFd) ::close(t.fd);

    for (std::size_t i = 0; i < n; ++i)
        if (!threads[i].error.empty()) {
            if (threads[i].error == "cancelled") return makeError("cancelled");
            return makeError(describe(params) + " in " + file.folder().string() + " failed" +
                             (n > 1 ? " (thread " + std::to_string(i) + ")" : std::string()) +
                             ": " + threads[i].error);
        }

    TransferResult r;
    r.engine = engineName;
    r.bytes = params.ioSize;
    Clock::time_point first = threads[0].start, last = threads[0].end;
    std::vector<float> all;
    std::set<std::string> notes;
    for (auto& t : threads) {
        first = std::min(first, t.start);
        last = std::max(last, t.end);
        r.cpuSeconds += t.cpu;
        all.insert(all.end(), t.latencies.begin(), t.latencies.end());
        if (!t.note.empty()) notes.insert(t.note);
    }
    if (!buffer.notes().empty()) notes.insert(buffer.notes());
    for (const auto& note : notes) r.notes += (r.notes.empty() ? "" : "; ") + note;
    r.profile = buffer.profile();
    r.profile.registeredBuffers = params.profile.registeredBuffers;
    r.ioSeconds = std::chrono::duration<double>(last - first).count();
    r.seconds = std::chrono::duration<double>(Clock::now() - e2eStart).count();
    constexpr double kGiB = 1024.0 * 1024.0 * 1024.0;
    r.gibPerSec = r.seconds > 0 ? static_cast<double>(r.bytes) / r.seconds / kGiB : 0;
    r.ioGibPerSec = r.ioSeconds > 0 ? static_cast<double>(r.bytes) / r.ioSeconds / kGiB : 0;
    r.latency = summarizeLatencies(all);
    // After the clock: every page the transfer touched is faulted in by now.
    r.hugePageShare = readHugePageShare(buffer.data(), params.ioSize);
    return r;
}

} // namespace aiotune
