#include "engine/portable_engine.h"

#include "engine/parallel_transfer.h"

#include <cerrno>
#include <chrono>
#include <cstring>
#include <unistd.h>

namespace aiotune {

namespace {

class PosixSliceWorker : public SliceWorker {
  public:
    Result<void> setup(const SliceJob& job) override {
        m_job = job;
        return {};
    }

    std::string note() const override {
        return "queue_depth, single_submit and overlap_events do not apply to the portable engine";
    }

    Result<void> run(IoDirection direction, const std::atomic<bool>* cancel,
                     std::vector<float>& latencies) override {
        using Clock = std::chrono::steady_clock;
        const std::uint64_t block = m_job.aio->block_size;
        for (std::uint64_t off = 0; off < m_job.slice.length;) {
            if (cancel && cancel->load(std::memory_order_relaxed)) return makeError("cancelled");
            const std::uint64_t len = std::min(block, m_job.slice.length - off);
            const auto t0 = Clock::now();
            std::uint64_t done = 0;
            while (done < len) { // requeue short transfers and EINTR, as the ring engine does
                std::byte* addr = m_job.memory + off + done;
                const auto fileOffset = static_cast<off_t>(m_job.slice.offset + off + done);
                const ssize_t n = direction == IoDirection::Read
                                      ? ::pread(m_job.fd, addr, len - done, fileOffset)
                                      : ::pwrite(m_job.fd, addr, len - done, fileOffset);
                if (n < 0 && (errno == EINTR || errno == EAGAIN)) continue;
                if (n < 0)
                    return makeError(
                        errno == ENOSPC
                            ? "no space left on device (free space or use a smaller io size)"
                            : std::strerror(errno));
                if (n == 0)
                    return makeError("unexpected end of file at offset " +
                                     std::to_string(fileOffset));
                done += static_cast<std::uint64_t>(n);
            }
            latencies.push_back(
                std::chrono::duration<float, std::micro>(Clock::now() - t0).count());
            off += len;
        }
        return {};
    }

  private:
    SliceJob m_job;
};

} // namespace

Result<TransferResult> PortableEngine::transfer(const TransferParams& params,
                                                const ScratchFile& file, AlignedBuffer& buffer,
                                                const std::atomic<bool>* cancel) {
    return transferWithOwnHandle(*this, params, file, buffer, cancel);
}

Result<std::unique_ptr<IoHandle>>
PortableEngine::open(const TransferParams& params, const ScratchFile& file, AlignedBuffer& buffer) {
    return openParallelHandle(params, file, buffer, name(),
                              [] { return std::make_unique<PosixSliceWorker>(); });
}

} // namespace aiotune
