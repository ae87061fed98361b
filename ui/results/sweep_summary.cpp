#include "results/sweep_summary.h"

#include "report/sweep_facts.h"
#include "results/result_format.h"

#include <QLocale>

namespace sweepsummary {

using nlohmann::json;

namespace {
QString str(const json& j, const char* key) {
    if (!j.is_object()) return {};
    const auto it = j.find(key);
    return it != j.end() && it->is_string() ? QString::fromStdString(it->get<std::string>())
                                            : QString();
}
const json& child(const json& j, const char* key) {
    static const json null;
    if (!j.is_object()) return null;
    const auto it = j.find(key);
    return it != j.end() ? *it : null;
}
} // namespace

QString machine(const aiotune::ResultSet& results) {
    const json& system = child(results.meta, "system");
    const QString host = str(system, "host");
    if (host.isEmpty()) return {};
    QStringList details;
    if (!str(system, "machine").isEmpty()) details << str(system, "machine");
    const json& cpus = child(system, "cpus");
    if (cpus.is_number_integer()) details << QObject::tr("%1 CPUs").arg(cpus.get<long long>());
    if (!str(system, "kernel").isEmpty()) details << str(system, "kernel");
    return details.isEmpty() ? host
                             : QStringLiteral("%1 (%2)").arg(host, details.join(QStringLiteral(", ")));
}

QStringList drives(const aiotune::ResultSet& results) {
    QStringList out;
    const json& folders = child(child(results.meta, "system"), "folders");
    if (!folders.is_array()) return out;
    for (const json& f : folders) {
        QString name = str(f, "disk");
        if (name.isEmpty()) name = str(f, "device");
        if (name.isEmpty()) name = str(f, "path");
        if (!str(f, "model").isEmpty()) name += QStringLiteral(" (%1)").arg(str(f, "model"));
        if (!out.contains(name)) out << name;
    }
    return out;
}

// The report's facts (core): a caption says what the report says.
QString ioSize(const aiotune::ResultSet& results) {
    return QString::fromStdString(aiotune::SweepFacts::fromResults(results).ioSize);
}

QString profile(const aiotune::ResultSet& results) {
    return QString::fromStdString(aiotune::SweepFacts::fromResults(results).profile);
}

QDateTime measuredAt(const aiotune::ResultSet& results) {
    std::int64_t last = 0;
    for (const auto& c : results.configs)
        for (const auto& s : c.samples)
            last = std::max(last, s.finishedAtMs);
    return last > 0 ? QDateTime::fromMSecsSinceEpoch(last) : QDateTime();
}

QStringList caption(const aiotune::ResultSet& results, const QDateTime& fallbackDate) {
    QStringList lines;
    const QString m = machine(results);
    lines << QObject::tr("Machine: %1").arg(m.isEmpty() ? QObject::tr("unknown") : m);
    const QStringList d = drives(results);
    lines << QObject::tr("Drives: %1")
                 .arg(d.isEmpty() ? QObject::tr("unknown") : d.join(QStringLiteral(", ")));
    const QString io = ioSize(results);
    const QDateTime at = measuredAt(results).isValid() ? measuredAt(results) : fallbackDate;
    lines << QObject::tr("I/O size: %1 · Measurement profile: %2 · %3")
                 .arg(io.isEmpty() ? QObject::tr("unknown") : io, profile(results),
                      at.toString(QStringLiteral("yyyy-MM-dd HH:mm")));
    return lines;
}

std::map<QString, aiotune::ConfigResult> perFolder(const aiotune::ResultSet& results,
                                                   const aiotune::ConfigKey& key) {
    std::map<QString, aiotune::ResultSet> byFolder;
    // The runner keeps each folder's own samples with the configuration.
    if (const aiotune::ConfigResult* c = results.find(key); c && !c->folderSamples.empty()) {
        for (const aiotune::Sample& s : c->folderSamples)
            byFolder[QString::fromStdString(s.folder)].add(key, s);
        std::map<QString, aiotune::ConfigResult> out;
        for (auto& [folder, set] : byFolder) out[folder] = set.configs.front();
        return out;
    }
    // Hand-made result sets may still carry the old meta.per_folder list.
    const json& entries = child(results.meta, "per_folder");
    if (!entries.is_array()) return {};
    const std::string tag = key.tag();
    for (const json& e : entries) {
        if (!e.is_object() || str(e, "tag").toStdString() != tag) continue;
        const json& s = child(e, "sample");
        const json& gibps = child(s, "gibps");
        if (!gibps.is_number()) continue;
        aiotune::Sample sample;
        sample.op = str(s, "op") == QLatin1String("write") ? aiotune::IoOp::Write
                                                            : aiotune::IoOp::Read;
        sample.folder = str(s, "folder").toStdString();
        sample.gibPerSec = gibps.get<double>();
        sample.error = str(s, "error").toStdString();
        byFolder[QString::fromStdString(sample.folder)].add(key, sample);
    }
    std::map<QString, aiotune::ConfigResult> out;
    for (auto& [folder, set] : byFolder)
        if (!set.configs.empty()) out[folder] = set.configs.front();
    return out;
}

QString perFolderText(const aiotune::ResultSet& results, const aiotune::ConfigKey& key) {
    QStringList parts;
    for (const auto& [folder, c] : perFolder(results, key))
        parts << QObject::tr("%1 read %2 write %3 GiB/s")
                     .arg(folder, resultformat::gibps(c.readGiBps),
                          resultformat::gibps(c.writeGiBps));
    return parts.isEmpty() ? QString()
                           : QObject::tr("per drive: %1").arg(parts.join(QStringLiteral("; ")));
}

} // namespace sweepsummary
