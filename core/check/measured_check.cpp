#include "check/measured_check.h"

#include "results/answer.h"

#include "devices/folder_target.h"
#include "results/analysis.h"
#include "util/figure_text.h"

#include <cmath>
#include <cstdio>

namespace fs = std::filesystem;

namespace aiotune {

std::map<std::string, ResultSet> resultsByDrive(const ResultSet& results,
                                                const DiscoveryReport& discovery) {
    std::map<std::string, ResultSet> out;
    std::map<std::string, std::string> diskOfFolder;
    for (const ConfigResult& c : results.configs) {
        for (const Sample& s : c.samples) {
            std::string disk;
            if (!s.folder.empty()) {
                auto it = diskOfFolder.find(s.folder);
                if (it == diskOfFolder.end())
                    it = diskOfFolder.emplace(s.folder, inspectFolder(s.folder, discovery, nullptr).disk).first;
                disk = it->second;
            }
            ResultSet& set = out[disk];
            set.source = results.source;
            set.engine = results.engine;
            set.add(c.key, s);
        }
    }
    // One drive (the usual sweep): the whole set, so its stored answer is the
    // one answerFor gives, as export and analyze give it for the folder.
    if (out.size() == 1) {
        out.begin()->second = results;
        return out;
    }
    // Several: each drive's samples alone, decided again by the same rule
    // with the sweep's context (its grid, tolerance, race).
    for (auto& [disk, set] : out) {
        set.strategy = results.strategy;
        set.status = results.status;
        set.dropouts = results.dropouts;
        set.answer = results.answer;
    }
    return out;
}

std::optional<fs::path> newestSweepFolder(const fs::path& sweepsRoot) {
    std::error_code ec;
    std::optional<fs::path> best;
    fs::file_time_type bestTime{};
    for (fs::directory_iterator it(sweepsRoot, ec), end; !ec && it != end; it.increment(ec)) {
        std::error_code e2;
        if (!it->is_directory(e2)) continue;
        const bool sweep = fs::exists(it->path() / "sweep.json", e2) ||
                           fs::exists(it->path() / "_aio_bench_read_logs", e2);
        if (!sweep) continue;
        const auto t = fs::last_write_time(it->path(), e2);
        if (e2) continue;
        if (!best || t > bestTime) {
            best = it->path();
            bestTime = t;
        }
    }
    return best;
}

std::vector<CheckFinding> checkAgainstMeasurements(const std::map<std::string, ResultSet>& byDrive,
                                                   const std::string& source, const AioConfig& config,
                                                   const std::string& nvmePath, const std::string& disk,
                                                   const std::string& configFile) {
    std::vector<CheckFinding> out;
    const std::string subject = nvmePath;
    auto it = disk.empty() ? byDrive.end() : byDrive.find(disk);
    bool driveUnknown = false;
    if (it == byDrive.end()) {
        // DeepSpeed's logs do not say where they ran: use them, and say so.
        it = byDrive.find("");
        driveUnknown = it != byDrive.end();
    }
    const std::string sweepHint = "aiotune sweep --nvme_dir " + nvmePath + " --log_dir <dir>, then aiotune "
                                  "export --log_dir <dir> --config " + configFile;
    if (it == byDrive.end() || it->second.configs.empty()) {
        out.push_back({FindingSeverity::Note, "NOT_MEASURED", subject,
                       "no measurement on " + (disk.empty() ? std::string("this drive") : disk) +
                           (source.empty() ? std::string(" was found (no --log_dir and no earlier sweep)")
                                           : " in " + source),
                       "measure it: " + sweepHint});
        return out;
    }
    // The folder's one answer (answerFor), as export, analyze and the window give it.
    const Recommendation rec = analyze(it->second);
    const Answer& answer = rec.answer;
    if (!answer.found || !rec.best) return out;
    const std::string where = driveUnknown ? "in " + source + " (the drive it ran on is not recorded)"
                                           : "on " + disk + " (" + source + ")";
    const double best = answer.bestGiBps;
    const std::string bestText = answer.best.label() + " at " + gibNumber(best) + " GiB/s read + write";
    ConfigKey key;
    key.aio = config;
    key.folders = answer.best.folders;
    const ConfigStanding* mine = answer.standing(key);
    if (!mine || mine->visits == 0 || !mine->gibps) {
        out.push_back({FindingSeverity::Note, "SETTINGS_NOT_MEASURED", "aio",
                       "the config's aio settings (" + key.label() + ") were not among those "
                       "measured " + where + "; the answer there is " + bestText,
                       "merge the answer: aiotune export --log_dir <that folder> --config " + configFile});
        return out;
    }
    const double own = *mine->gibps;
    const bool isAnswer = key == answer.best || (answer.recommended && key == *answer.recommended);
    if (isAnswer || mine->state == ConfigState::Tied) {
        out.push_back({FindingSeverity::Note, "MATCHES_MEASURED", "aio",
                       "the config's aio settings measured " + gibNumber(own) + " GiB/s read + write " + where + ": " +
                           (key == answer.best ? std::string("the answer's best")
                            : isAnswer         ? std::string("the answer's recommendation")
                                               : "tied with the answer's best, " + bestText),
                       ""});
    } else if (mine->state == ConfigState::Eliminated) {
        out.push_back({FindingSeverity::Warning, "SLOWER_THAN_MEASURED", "aio",
                       "the config's aio settings measured " + gibNumber(own) + " GiB/s read + write " + where +
                           ", " + std::to_string(static_cast<int>(100.0 * (1.0 - own / best) + 0.5)) +
                           "% below the answer's best, " + bestText,
                       "merge the answer: aiotune export --log_dir <that folder> --config " + configFile});
    } else {
        out.push_back({FindingSeverity::Note, "NOT_SETTLED", "aio",
                       "the config's aio settings measured " + gibNumber(own) + " GiB/s read + write " + where +
                           "; the samples cannot tell them apart from the answer's best, " + bestText + " (" +
                           mine->reason + ")",
                       "measure again to settle it: aiotune sweep --nvme_dir " + nvmePath + " --log_dir <dir>"});
    }
    return out;
}

} // namespace aiotune
