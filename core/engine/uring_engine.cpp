#include "engine/uring_engine.h"

#include "engine/parallel_transfer.h"

#include <liburing.h>

#include <cerrno>
#include <chrono>
#include <cstring>
#include <sys/uio.h>
#include <vector>

namespace aiotune {

namespace {

using Clock = std::chrono::steady_clock;

std::string errorText(int negErrno) {
    if (negErrno == -ENOSPC) return "no space left on device (free space or use a smaller io size)";
    if (negErrno == -EINVAL) return std::string(std::strerror(EINVAL)) +
                                    " (the filesystem may not support O_DIRECT at this alignment)";
    return std::strerror(-negErrno);
}

class UringSliceWorker : public SliceWorker {
public:
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
        for (unsigned i = m_depth; i > 0; --i) m_free.push_back(i - 1);

        // Registration saves the kernel a lookup and a page pin per request;
        // both are optional and refused quietly by RLIMIT_MEMLOCK or old kernels.
        if (io_uring_register_files(&m_ring, &m_job.fd, 1) == 0) m_fixedFile = true;
        iovec iov{m_job.memory, static_cast<std::size_t>(m_job.slice.length)};
        if (m_job.slice.length <= (1ull << 30)) {
            const int reg = io_uring_register_buffers(&m_ring, &iov, 1);
            if (reg == 0) m_fixedBuffer = true;
            else m_note = "registered buffers refused (" + std::string(std::strerror(-reg)) +
                          "), using plain buffers";
        }
        return {};
    }

    std::string note() const override { return m_note; }

    Result<void> run(const std::atomic<bool>* cancel, std::vector<float>& latencies) override {
        const std::uint64_t length = m_job.slice.length;
        std::uint64_t next = 0; // next slice-relative offset to hand out
        unsigned inflight = 0;
        unsigned unsubmitted = 0;
        std::string error;
        bool stopping = false;
        std::vector<io_uring_cqe*> cqes(m_depth);

        auto issue = [&](unsigned slot) {
            Slot& s = m_slots[slot];
            io_uring_sqe* sqe = io_uring_get_sqe(&m_ring);
            // Never null: at most m_depth requests are in flight on a ring of m_depth entries.
            std::byte* addr = m_job.memory + s.offset + s.done;
            const unsigned len = s.length - s.done;
            const auto fileOffset = m_job.slice.offset + s.offset + s.done;
            const int fd = m_fixedFile ? 0 : m_job.fd;
            if (m_job.direction == IoDirection::Read) {
                if (m_fixedBuffer) io_uring_prep_read_fixed(sqe, fd, addr, len, fileOffset, 0);
                else io_uring_prep_read(sqe, fd, addr, len, fileOffset);
            } else {
                if (m_fixedBuffer) io_uring_prep_write_fixed(sqe, fd, addr, len, fileOffset, 0);
                else io_uring_prep_write(sqe, fd, addr, len, fileOffset);
            }
            if (m_fixedFile) sqe->flags |= IOSQE_FIXED_FILE;
            io_uring_sqe_set_data64(sqe, slot);
            ++unsubmitted;
            if (m_single) submitPending(unsubmitted, error);
        };
        auto startNew = [&]() {
            const unsigned slot = m_free.back();
            m_free.pop_back();
            Slot& s = m_slots[slot];
            s.offset = next;
            s.length = static_cast<unsigned>(std::min<std::uint64_t>(m_block, length - next));
            s.done = 0;
            s.submitted = Clock::now();
            next += s.length;
            ++inflight;
            issue(slot);
        };
        auto canStart = [&]() {
            return !stopping && next < length && !m_free.empty();
        };

        while (next < length || inflight > 0) {
            if (cancel && cancel->load(std::memory_order_relaxed) && !stopping) {
                stopping = true;
                if (error.empty()) error = "cancelled";
            }
            // Overlapped: top the window up to depth. Sequential: a new batch
            // only once the previous one has fully completed.
            if (m_overlap || inflight == 0)
                while (canStart()) startNew();
            if (inflight == 0) break;

            int rc = unsubmitted > 0 ? io_uring_submit_and_wait(&m_ring, 1)
                                     : io_uring_wait_cqe(&m_ring, &cqes[0]);
            if (rc >= 0) unsubmitted = 0;
            if (rc < 0 && rc != -EINTR && rc != -EAGAIN && rc != -EBUSY) {
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
                    if (!stopping) { issue(slot); continue; }
                } else if (res < 0) {
                    if (error.empty() || error == "cancelled") error = errorText(res);
                    stopping = true;
                } else if (res == 0 && s.done < s.length) {
                    if (error.empty()) error = "unexpected end of file at offset " +
                                               std::to_string(m_job.slice.offset + s.offset + s.done);
                    stopping = true;
                } else {
                    s.done += static_cast<unsigned>(res);
                    if (s.done < s.length && !stopping) { issue(slot); continue; } // short I/O
                    if (s.done == s.length)
                        latencies.push_back(std::chrono::duration<float, std::micro>(now - s.submitted).count());
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
    struct Slot {
        std::uint64_t offset = 0; // relative to the slice
        unsigned length = 0;
        unsigned done = 0;
        Clock::time_point submitted;
    };

    void submitPending(unsigned& unsubmitted, std::string& error) {
        while (unsubmitted > 0) {
            const int rc = io_uring_submit(&m_ring);
            if (rc >= 0) { unsubmitted = 0; return; }
            if (rc != -EINTR && rc != -EAGAIN && rc != -EBUSY) {
                if (error.empty()) error = "io_uring submit failed: " + std::string(std::strerror(-rc));
                return;
            }
        }
    }

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
                                             AlignedBuffer& buffer, const std::atomic<bool>* cancel) {
    return runParallelTransfer(params, file, buffer, cancel, name(),
                               [] { return std::make_unique<UringSliceWorker>(); });
}

Result<void> probeIoUring() {
    io_uring ring{};
    const int rc = io_uring_queue_init(2, &ring, 0);
    if (rc < 0)
        return makeError("io_uring is not available: " + std::string(std::strerror(-rc)) +
                         (rc == -EPERM ? " (disabled by kernel.io_uring_disabled or a seccomp filter)"
                                       : rc == -ENOSYS ? " (kernel without io_uring, or blocked by seccomp)"
                                                       : ""));
    io_uring_queue_exit(&ring);
    return {};
}

} // namespace aiotune
