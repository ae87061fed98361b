// Times LogFolderReader over a log folder: best and median of several runs.
// Built and run by bench_log_reader.sh; a benchmark, not a pass/fail test.
#include "results/log_folder_reader.h"

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <vector>

int main(int argc, char** argv) {
    if (argc < 2) {
        std::fprintf(stderr, "usage: %s LOG_FOLDER [RUNS]\n", argv[0]);
        return 2;
    }
    const int runs = argc > 2 ? std::max(1, std::atoi(argv[2])) : 5;
    std::vector<double> ms;
    std::size_t configs = 0, skipped = 0;
    for (int i = 0; i < runs; ++i) {
        const auto t0 = std::chrono::steady_clock::now();
        auto rs = aiotune::LogFolderReader().read(argv[1]);
        const auto t1 = std::chrono::steady_clock::now();
        if (!rs) {
            std::fprintf(stderr, "%s\n", rs.error().c_str());
            return 1;
        }
        configs = rs->configs.size();
        skipped = rs->skipped.size();
        ms.push_back(std::chrono::duration<double, std::milli>(t1 - t0).count());
    }
    std::sort(ms.begin(), ms.end());
    std::printf("%zu configurations, %zu skipped; %d runs: best %.1f ms, median %.1f ms\n", configs,
                skipped, runs, ms.front(), ms[ms.size() / 2]);
    return 0;
}
