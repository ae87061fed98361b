#pragma once
// What a ResultSet's sweep.json metadata says about where and how it was
// measured, spelled for people: the caption under a saved chart, and the
// per-drive figures of a multi-folder sweep (the runner records one sample
// per folder in meta["per_folder"] beside the aggregate).
#include "results/result_model.h"

#include <QDateTime>
#include <QString>
#include <QStringList>

#include <map>

namespace sweepsummary {

// "host (x86_64, 16 CPUs, Linux 6.1)"; empty when the metadata has no host.
QString machine(const aiotune::ResultSet& results);
// "nvme0n1 (Samsung 990), nvme1n1 (…)"; folders when no drive is known.
QStringList drives(const aiotune::ResultSet& results);
// "1G", "400M" for DeepSpeed's logs (their transfer size); empty when
// unknown. As the HTML report says (SweepFacts).
QString ioSize(const aiotune::ResultSet& results);
// The measurement profile as the HTML report names it (SweepFacts).
QString profile(const aiotune::ResultSet& results);
// When the last sample finished; invalid when no sample carries a time.
QDateTime measuredAt(const aiotune::ResultSet& results);
// Caption lines under a saved chart: machine, drives, io size, profile, date
// (`fallbackDate` when the results carry none).
QStringList caption(const aiotune::ResultSet& results, const QDateTime& fallbackDate);

// Per folder, the configuration's figures measured in that folder alone;
// empty when the metadata holds none for it (one folder, or DeepSpeed logs).
std::map<QString, aiotune::ConfigResult> perFolder(const aiotune::ResultSet& results,
                                                   const aiotune::ConfigKey& key);
// "per drive: /mnt/a read 3.10 write 2.00 GiB/s; /mnt/b …"; empty when none.
QString perFolderText(const aiotune::ResultSet& results, const aiotune::ConfigKey& key);

} // namespace sweepsummary
