#include "check/swap_footprint.h"

#include "check/swap_buffer_check.h"
#include "util/byte_size.h"
#include "util/printable_text.h"
#include "util/strict_number.h"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstdio>

namespace aiotune {

namespace {

std::string count(double n) {
    char text[32];
    std::snprintf(text, sizeof text, "%.4g", n);
    return text;
}

// n x bytes / nodes, rounded up; both bounded (1e15 x 16) far below 2^64.
std::uint64_t perNode(double parameters, int bytesPerParameter, int nodes) {
    return static_cast<std::uint64_t>(std::ceil(parameters * bytesPerParameter / nodes));
}

} // namespace

SwapFootprint swapFootprint(const OffloadSettings& s, const std::optional<ModelSize>& model,
                            int ranksPerNode) {
    const std::uint64_t ranks = static_cast<std::uint64_t>(std::max(1, ranksPerNode));
    SwapFootprint f;
    f.fromModel = model.has_value();
    const std::string nodes =
        model ? (model->nodes == 1 ? "1 node" : std::to_string(model->nodes) + " nodes") : "";
    if (s.param.nvme()) {
        if (model) {
            f.paramBytes = perNode(model->parameters, s.paramElementBytes, model->nodes);
            f.paramText = "parameters " + count(model->parameters) + " x " +
                          std::to_string(s.paramElementBytes) + " bytes / " + nodes + " = " +
                          formatByteSizeHuman(f.paramBytes);
        } else {
            const SwapBufferNeeds needs = swapBufferNeeds(s);
            // Beyond 2^63 bytes the buffers cannot exist (PARAM_BUFFERS_TOO_LARGE): 0 here.
            f.paramBytes = needs.paramPinnedBytes > UINT64_MAX / ranks ? 0 : needs.paramPinnedBytes * ranks;
            f.paramText = "parameter swap buffers " + std::to_string(s.param.bufferCount) +
                          " x " + std::to_string(needs.paramBufferBytes) + " bytes = " +
                          formatByteSizeHuman(needs.paramPinnedBytes) + " per rank" +
                          (ranks > 1 ? " x " + std::to_string(ranks) + " ranks (one per GPU seen)"
                                     : std::string());
        }
    }
    if (s.optimizer.nvme() && model) {
        // The fp32 copy and each state, plus the fp32 gradients.
        const int bytes = 4 * (s.optimizerStateTensors + 1);
        f.optimizerBytes = perNode(model->parameters, bytes, model->nodes);
        f.optimizerText = "optimizer " + count(model->parameters) + " x " +
                          std::to_string(bytes) + " bytes (fp32 copy, " +
                          std::to_string(s.optimizerStateTensors - 1) +
                          " optimizer states and fp32 gradients) / " + nodes + " = " +
                          formatByteSizeHuman(f.optimizerBytes);
    }
    return f;
}

Result<ModelSize> parseModelSize(const std::string& parameters, const std::string& nodes) {
    ModelSize m;
    std::string text = parameters;
    double scale = 1.0;
    if (!text.empty()) {
        switch (text.back()) {
        case 'K': case 'k': scale = 1e3; break;
        case 'M': scale = 1e6; break;
        case 'B': case 'G': case 'b': scale = 1e9; break;
        case 'T': scale = 1e12; break;
        default: break;
        }
        if (scale != 1.0) text.pop_back();
    }
    const auto value = parsePythonFloat(text);
    const double n = value ? *value * scale : 0.0;
    if (!value || !std::isfinite(n) || !(n >= 1.0) || n > kMaxModelParameters)
        return makeError("--model-params \"" + printableName(parameters) +
                         "\": give the model's parameter count, from 1 to 1e15, e.g. 7e9 or 7B");
    m.parameters = std::round(n);
    if (!nodes.empty()) {
        const auto v = parsePythonFloat(nodes);
        if (!v || !(*v >= 1.0) || *v > kMaxNodes || *v != std::floor(*v) ||
            nodes.find_first_not_of("0123456789") != std::string::npos)
            return makeError("--nodes \"" + printableName(nodes) +
                             "\": give the number of nodes the job runs on, a whole number from "
                             "1 to " + std::to_string(kMaxNodes));
        m.nodes = static_cast<int>(*v);
    }
    return m;
}

} // namespace aiotune
