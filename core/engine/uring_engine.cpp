#include "engine/uring_engine.h"

#include "engine/parallel_transfer.h"

#include <liburing.h>

#include <cerrno>
#include <chrono>
#include <cstring>
#include <sys/uio.h>
#include <thread>
#include <vector>

namespace aiotune {

namespace {

using Clock = std::chrono::steady_clock;

std::string errorText(int negErrno) {
    if (negErrno == -ENOSPC) return "no space left on device (free space or use a smaller io size)";
    if (negErrno == -EINVAL)
        return std::string(std::strerror(EINVAL)) +
               " (the filesystem may not support O_DIRECT at this alignment)";
    return std::strerror(-negErrno);
}

class UringSliceWorker : public SliceWorker {
  public:
    explicit UringSliceWorker(const UringSubmitFn& submit) : m_submit(submit) {}
    ~UringSliceWorker() override {
        if (m_ringReady) io_uring_queue_exit(&m_ring);
    }

    Result<void> setup(const SliceJob& job) override {
        m_job = job;
        m_depth = static_cast<unsigned>(job.aio->queue_depth);
        m_block = job.aio->block_size;
        m_single = job.aio->single_submit;
        m_overlap = job.aio->overlap_events;
        const int rc = io_uring_queue_init(m_depth, &m_ring, 0);
        if (rc < 0)
            return makeError("io_uring_setup failed: " + std::string(std::strerror(-rc)) +
                             " (io_uring may be disabled by kernel.io_uring_disabled or a "
                             "container's seccomp filter; use --engine portable)");
        m_ringReady = true;
        m_slots.resize(m_depth);
        m_free.reserve(m_depth);
        for (unsigned i = m_depth; i > 0; --i)
            m_free.push_back(i - 1);

        // A registered file saves the kernel a descriptor lookup per request;
        // optional, old kernels refuse it.
        if (io_uring_register_files(&m_ring, &m_job.fd, 1) == 0) m_fixedFile = true;
        // Registered buffers are a what-if (DeepSpeed's libaio pins pages per
        // request): only when the profile asks, and io_uring takes at most 1 GiB each.
        if (m_job.registerBuffers) {
            constexpr std::uint64_t kMaxRegistered = 1ull << 30;
            if (m_job.slice.length > kMaxRegistered) {
                m_note =
                    "registered buffers skipped: a slice of " +
                    std::to_string(m_job.slice.length >> 20) +
                    " MiB is over io_uring's 1 GiB limit per buffer (use more threads or a smaller "
                    "io size to measure them); plain buffers used";
            } else {
                iovec iov{m_job.memory, static_cast<std::size_t>(m_job.slice.length)};
                const int reg = io_uring_register_buffers(&m_ring, &iov, 1);
                if (reg == 0)
                    m_fixedBuffer = true;
                else
                    m_note = "registered buffers refused (" + std::string(std::strerror(-reg)) +
                             (reg == -ENOMEM ? ": RLIMIT_MEMLOCK too low, raise ulimit -l" : "") +
                             "), plain buffers used";
            }
        }
        return {};
    }

    std::string note() const override { return m_note; }

    Result<void> run(IoDirection direction, const std::atomic<bool>* cancel,
                     std::vector<float>& latencies) override {
        const std::uint64_t length = m_job.slice.length;
        std::uint64_t next = 0; // next slice-relative offset to hand out
        unsigned inflight = 0;  // handed out, not yet completed
        unsigned pending = 0;   // queued on the ring, not yet taken by the kernel
        unsigned refusals = 0;  // submits in a row the kernel refused with nothing to reap
        std::string error;
        bool stopping = false;
        std::vector<io_uring_cqe*> cqes(m_depth);

        auto submit = [&](unsigned waitFor) {
            const int rc =
                m_submit ? m_submit(&m_ring, waitFor) : io_uring_submit_and_wait(&m_ring, waitFor);
            // The kernel may take fewer than queued; the rest stay on the ring for the next call.
            if (rc > 0) pending -= std::min(pending, static_cast<unsigned>(rc));
            return rc;
        };
        auto issue = [&](unsigned slot) {
            Slot& s = m_slots[slot];
            io_uring_sqe* sqe = io_uring_get_sqe(&m_ring);
            // Never null: at most m_depth requests are queued or in flight on a ring of m_depth
            // entries.
            std::byte* addr = m_job.memory + s.offset + s.done;
            const auto len =
                static_cast<unsigned>(std::min(s.length - s.done, kMaxBytesPerRequest));
            const auto fileOffset = m_job.slice.offset + s.offset + s.done;
            const int fd = m_fixedFile ? 0 : m_job.fd;
            if (direction == IoDirection::Read) {
                if (m_fixedBuffer)
                    io_uring_prep_read_fixed(sqe, fd, addr, len, fileOffset, 0);
                else
                    io_uring_prep_read(sqe, fd, addr, len, fileOffset);
            } else {
                if (m_fixedBuffer)
                    io_uring_prep_write_fixed(sqe, fd, addr, len, fileOffset, 0);
                else
                    io_uring_prep_write(sqe, fd, addr, len, fileOffset);
            }
            if (m_fixedFile) sqe->flags |= IOSQE_FIXED_FILE;
            io_uring_sqe_set_data64(sqe, slot);
            ++pending;
            // single_submit: one submit call per request. A refusal leaves it
            // pending; the loop below retries after reaping.
            if (m_single) submit(0);
        };
        auto startNew = [&]() {
            const unsigned slot = m_free.back();
            m_free.pop_back();
            Slot& s = m_slots[slot];
            s.offset = next;
            s.length = std::min(m_block, length - next);
            s.done = 0;
            s.submitted = Clock::now();
            next += s.length;
            ++inflight;
            issue(slot);
        };
        auto canStart = [&]() { return !stopping && next < length && !m_free.empty(); };

        while (next < length || inflight > 0) {
            if (cancel && cancel->load(std::memory_order_relaxed) && !stopping) {
                stopping = true;
                if (error.empty()) error = "cancelled";
            }
            // Overlapped: top the window up to depth. Sequential: a new batch
            // only once the previous one has fully completed.
            if (m_overlap || inflight == 0)
                while (canStart())
                    startNew();
            if (inflight == 0) break;

            int rc = 0;
            if (pending > 0) {
                rc = submit(1);
                if (rc == -EAGAIN || rc == -EBUSY) {
                    // The kernel wants completions reaped first. With none of ours
                    // in its hands there is nothing to wait for: back off briefly.
                    if (inflight > pending)
                        rc = io_uring_wait_cqe(&m_ring, &cqes[0]);
                    else if (++refusals > kMaxRefusals)
                        return makeError("io_uring refused " + std::to_string(refusals) +
                                         " submissions in a row (" + std::strerror(-rc) +
                                         "): the system may be short of memory");
                    else
                        std::this_thread::sleep_for(std::chrono::milliseconds(1));
                } else if (rc >= 0) {
                    refusals = 0;
                }
            } else {
                rc = io_uring_wait_cqe(&m_ring, &cqes[0]);
            }
            if (rc < 0 && rc != -EINTR && rc != -EAGAIN && rc != -EBUSY && rc != -ETIME) {
                error = "io_uring wait failed: " + std::string(std::strerror(-rc));
                // Nothing more can be reaped safely; the ring teardown cancels the rest.
                return makeError(error);
            }
            const unsigned got = io_uring_peek_batch_cqe(&m_ring, cqes.data(), m_depth);
            const auto now = Clock::now();
            for (unsigned i = 0; i < got; ++i) {
                const auto slot = static_cast<unsigned>(io_uring_cqe_get_data64(cqes[i]));
                const int res = cqes[i]->res;
                Slot& s = m_slots[slot];
                if (res == -EAGAIN || res == -EINTR) {
                    if (!stopping) {
                        issue(slot);
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
                        issue(slot);
                        continue;
                    } // short I/O, or a >2 GiB block
                    if (s.done == s.length)
                        latencies.push_back(
                            std::chrono::duration<float, std::micro>(now - s.submitted).count());
                }
                --inflight;
                m_free.push_back(slot);
            }
            io_uring_cq_advance(&m_ring, got);
        }
        if (!error.empty()) return makeError(error);
        return {};
    }

  private:
    static constexpr unsigned kMaxRefusals = 10000; // about 10 s of 1 ms back-offs

    struct Slot {
        std::uint64_t offset = 0; // relative to the slice
        std::uint64_t length = 0; // 64-bit: a block may be 4 GiB or more
        std::uint64_t done = 0;
        Clock::time_point submitted;
    };

    const UringSubmitFn& m_submit;
    io_uring m_ring{};
    bool m_ringReady = false;
    bool m_fixedFile = false;
    bool m_fixedBuffer = false;
    SliceJob m_job;
    unsigned m_depth = 1;
    std::uint64_t m_block = 0;
    bool m_single = false;
    bool m_overlap = true;
    std::vector<Slot> m_slots;
    std::vector<unsigned> m_free;
    std::string m_note;
};

} // namespace

Result<TransferResult> UringEngine::transfer(const TransferParams& params, const ScratchFile& file,
                                             AlignedBuffer& buffer,
                                             const std::atomic<bool>* cancel) {
    return transferWithOwnHandle(*this, params, file, buffer, cancel);
}

Result<std::unique_ptr<IoHandle>>
UringEngine::open(const TransferParams& params, const ScratchFile& file, AlignedBuffer& buffer) {
    return openParallelHandle(
        params, file, buffer, name(),
        [this] { return std::make_unique<UringSliceWorker>(m_submit); }, m_startThread);
}

Result<void> probeIoUring() {
    io_uring ring{};
    const int rc = io_uring_queue_init(2, &ring, 0);
    if (rc < 0)
        return makeError("io_uring is not available: " + std::string(std::strerror(-rc)) +
                         (rc == -EPERM
                              ? " (disabled by kernel.io_uring_disabled or a seccomp filter)"
                          : rc == -ENOSYS ? " (kernel without io_uring, or blocked by seccomp)"
                                          : ""));
    io_uring_queue_exit(&ring);
    return {};
}

} // namespace aiotune
