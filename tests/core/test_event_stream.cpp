// `aiotune sweep --events`: the runner's events as JSON lines for programs.
// The sink's lines from typed events; a real sweep's stream against the
// sweep.json it wrote beside it (same samples, same field names); `-` keeps
// standard output for the stream alone; a bad target is refused.
#include "results/sweep_file.h"
#include "sweep/event_stream_sink.h"

#include <QDir>
#include <QFile>
#include <QProcess>
#include <QTemporaryDir>
#include <QtTest>
#include <unistd.h>
#include <sys/sysmacros.h>
#include <sys/stat.h>

#include <cstdio>
#include <map>

using namespace aiotune;
using nlohmann::json;

namespace {

struct Run {
    int code = -1;
    QByteArray out, err;
};

Run runAiotune(const QStringList& args) {
    QProcess p;
    p.start(AIOTUNE_CLI, args);
    p.waitForFinished(120000);
    return {p.exitStatus() == QProcess::NormalExit ? p.exitCode() : -1, p.readAllStandardOutput(),
            p.readAllStandardError()};
}

std::vector<json> parseLines(const QByteArray& text) {
    std::vector<json> out;
    for (const QByteArray& line : text.split('\n')) {
        if (line.isEmpty()) continue;
        auto e = parseEventLine(line.toStdString());
        if (!e) {
            qWarning("not an event line: %s", line.constData());
            return {};
        }
        out.push_back(std::move(*e));
    }
    return out;
}

const QStringList kSweep{"--io_size",       "1M",    "--block_size",     "256K,1M",
                         "--queue_depth",   "4",     "--io_parallel",    "1",
                         "--single_submit", "false", "--overlap_events", "true",
                         "--search",        "grid",  "--loops",          "2"};

} // namespace

class TestEventStream : public QObject {
    Q_OBJECT
  private slots:
    void sinkWritesOneLinePerEvent() {
        std::FILE* f = std::tmpfile();
        QVERIFY(f);
        {
            EventStreamSink sink(f);
            StartedEvent started;
            started.header.engine = "io_uring";
            started.header.host = "node7";
            started.header.startedAtMs = 1000;
            started.plannedTransfers = 8;
            started.logFolder = "/logs";
            sink.onStarted(started);
            SampleEvent sample;
            sample.key.aio.block_size = 1 << 20;
            sample.sample.op = IoOp::Read;
            sample.sample.loop = 1;
            sample.sample.bytes = 1 << 20;
            sample.sample.gibPerSec = 2.5;
            sink.onSample(sample);
            sink.onProgress(ProgressEvent{3, 8, 1.5, -1, "read 1M"});
            sink.onMessage(
                MessageEvent{Severity::Error, "caf\xc3\xa9 \xff"}); // not UTF-8 at the end
            RaceEvent race;
            race.contenders = {sample.key.aio};
            race.dropouts = {Dropout{AioConfig{}, 4, "slower"}};
            sink.onRace(race);
            EndedEvent ended;
            ended.status = SweepStatus::Cancelled;
            ended.stopReason = StopReason::Cancelled;
            ended.finishedAtMs = 2000;
            sink.onEnded(ended);
            QVERIFY(sink.writeError().empty());
        }
        std::rewind(f);
        QByteArray text;
        char buf[4096];
        for (std::size_t n; (n = std::fread(buf, 1, sizeof buf, f)) > 0;)
            text.append(buf, static_cast<int>(n));
        std::fclose(f);
        const auto lines = parseLines(text);
        QCOMPARE(lines.size(), 6u);
        std::vector<std::string> types;
        for (const json& l : lines) {
            QCOMPARE(l.at("format").get<std::string>(), std::string("aiotune-events"));
            QCOMPARE(l.at("version").get<int>(), kEventStreamVersion);
            QVERIFY(l.at("at_ms").get<std::int64_t>() > 0);
            types.push_back(l.at("event").get<std::string>());
        }
        QCOMPARE(types, (std::vector<std::string>{"started", "sample", "progress", "message",
                                                  "race", "ended"}));
        QCOMPARE(lines[0].at("host").get<std::string>(), std::string("node7"));
        QCOMPARE(lines[0].at("engine").get<std::string>(), std::string("io_uring"));
        QCOMPARE(lines[0].at("started_at_ms").get<int>(), 1000);
        QCOMPARE(lines[0].at("planned_transfers").get<int>(), 8);
        QCOMPARE(lines[0].at("log_dir").get<std::string>(), std::string("/logs"));
        // A sample: sweep.json's tag, key and sample fields.
        QCOMPARE(lines[1].at("tag").get<std::string>(), (ConfigKey{sampleAio(), 1}.tag()));
        QCOMPARE(lines[1].at("key"), json(configKeyToJson((ConfigKey{sampleAio(), 1}))));
        QCOMPARE(lines[1].at("sample").at("op").get<std::string>(), std::string("read"));
        QCOMPARE(lines[1].at("sample").at("loop").get<int>(), 1);
        QCOMPARE(lines[1].at("sample").at("gibps").get<double>(), 2.5);
        QCOMPARE(lines[2].at("done").get<int>(), 3);
        QCOMPARE(lines[2].at("total").get<int>(), 8);
        QVERIFY(lines[2].at("eta_seconds").is_null()); // not known yet
        QCOMPARE(lines[2].at("current").get<std::string>(), std::string("read 1M"));
        QCOMPARE(lines[3].at("severity").get<std::string>(), std::string("error"));
        QVERIFY(lines[3].at("text").get<std::string>().rfind("caf\xc3\xa9 ", 0) == 0);
        QCOMPARE(lines[4].at("dropouts").at(0).at("after_transfers").get<int>(), 4);
        QCOMPARE(lines[4].at("dropouts").at(0).at("reason").get<std::string>(),
                 std::string("slower"));
        QCOMPARE(lines[4].at("contenders").size(), 1u);
        QCOMPARE(lines[5].at("status").get<std::string>(), std::string("cancelled"));
        QCOMPARE(lines[5].at("stop_reason").get<std::string>(), std::string("cancelled"));
        QVERIFY(!lines[5].contains("error"));
    }

    void writeFailureIsReportedNotFatal() {
        std::FILE* f = std::fopen("/dev/null", "r"); // writes fail
        QVERIFY(f);
        EventStreamSink sink(f);
        sink.onProgress(ProgressEvent{1, 2, 0.1, -1, "x"});
        QVERIFY(!sink.writeError().empty());
        sink.onProgress(ProgressEvent{2, 2, 0.2, -1, "x"}); // no second attempt, no crash
        std::fclose(f);
    }

    void otherLinesAreNotEvents_data() {
        QTest::addColumn<QString>("line");
        QTest::addRow("text") << "[3/8] read 1M: 1.0 GiB/s";
        QTest::addRow("other json") << "{\"event\":\"progress\",\"done\":1}";
        QTest::addRow("newer version")
            << "{\"format\":\"aiotune-events\",\"version\":2,\"event\":\"progress\"}";
        QTest::addRow("no event") << "{\"format\":\"aiotune-events\",\"version\":1}";
        QTest::addRow("broken") << "{\"format\":\"aiotune-events\",\"version\":1,\"event\":\"progr";
        QTest::addRow("array") << "[{\"format\":\"aiotune-events\",\"version\":1,\"event\":\"x\"}]";
    }
    void otherLinesAreNotEvents() {
        QFETCH(QString, line);
        QVERIFY(!parseEventLine(line.toStdString()));
    }

    // A real sweep: the stream holds every sample sweep.json holds, in order.
    void sweepStreamMatchesSweepFile() {
        QTemporaryDir tmp;
        QVERIFY(tmp.isValid());
        QDir(tmp.path()).mkpath("scratch");
        const QString events = tmp.filePath("events.jsonl"), logs = tmp.filePath("logs");
        const Run r =
            runAiotune(QStringList{"sweep", "--nvme_dir", tmp.filePath("scratch"), "--log_dir",
                                   logs, "--host", "node7", "--events", events} +
                       kSweep);
        QVERIFY2(r.code == 0, r.err.constData());
        QVERIFY2(r.out.contains("\"aio\""), r.out.constData()); // the answer stays on stdout
        QFile f(events);
        QVERIFY(f.open(QIODevice::ReadOnly));
        const auto lines = parseLines(f.readAll());
        QVERIFY(lines.size() > 4);
        QCOMPARE(lines.front().at("event").get<std::string>(), std::string("started"));
        QCOMPARE(lines.back().at("event").get<std::string>(), std::string("ended"));
        QCOMPARE(lines.front().at("host").get<std::string>(), std::string("node7"));
        // The answer, once, just before the end: the one sweep.json stores.
        const json& answerLine = lines[lines.size() - 2];
        QCOMPARE(answerLine.at("event").get<std::string>(), std::string("answer"));
        QCOMPARE(lines.front().at("log_dir").get<std::string>(), logs.toStdString());

        QFile sf(logs + "/sweep.json");
        QVERIFY(sf.open(QIODevice::ReadOnly));
        const json doc = json::parse(sf.readAll().toStdString());
        QCOMPARE(lines.back().at("status"), doc.at("status"));
        QCOMPARE(answerLine.at("answer"), doc.at("answer"));
        QCOMPARE(lines.front().at("meta"), doc.at("meta"));
        QCOMPARE(lines.front().at("engine"), doc.at("engine"));
        // Every sample of sweep.json, field for field, and nothing else.
        std::map<std::string, std::vector<json>> streamed, checked;
        std::size_t lastDone = 0, lastTotal = 0;
        for (const json& l : lines) {
            if (l.at("event") == "sample")
                streamed[l.at("tag").get<std::string>()].push_back(l.at("sample"));
            if (l.at("event") == "confirmation_sample")
                checked[l.at("tag").get<std::string>()].push_back(l.at("sample"));
            if (l.at("event") == "progress") {
                QVERIFY(l.at("done").get<std::size_t>() >=
                        lastDone); // sent as a transfer starts and ends
                lastDone = l.at("done").get<std::size_t>();
                lastTotal = l.at("total").get<std::size_t>();
            }
        }
        std::size_t samples = 0;
        for (const json& c : doc.at("configs")) {
            const auto& mine = streamed[c.at("tag").get<std::string>()];
            QCOMPARE(mine.size(), c.at("samples").size());
            for (std::size_t i = 0; i < mine.size(); ++i)
                QCOMPARE(mine[i], c.at("samples")[i]);
            samples += mine.size();
        }
        QCOMPARE(samples, 8u); // 2 configurations x 2 loops x read + write
        // The check on libaio after the grid: its own events, sweep.json's "confirmation".
        std::size_t checks = 0;
        if (const auto cf = doc.find("confirmation"); cf != doc.end())
            for (const json& c : cf->at("configs")) {
                const auto& mine = checked[c.at("tag").get<std::string>()];
                QCOMPARE(mine.size(), c.at("samples").size());
                for (std::size_t i = 0; i < mine.size(); ++i)
                    QCOMPARE(mine[i], c.at("samples")[i]);
                checks += mine.size();
            }
        std::size_t streamedChecks = 0;
        for (const auto& [tag, list] : checked) streamedChecks += list.size();
        QCOMPARE(streamedChecks, checks);
        QCOMPARE(lastDone, samples + checks);
        QCOMPARE(lastTotal, samples + checks);
    }

    // "-": standard output is the stream alone; the answer goes to stderr.
    void standardOutputHoldsOnlyEvents() {
        QTemporaryDir tmp;
        QDir(tmp.path()).mkpath("scratch");
        const Run r = runAiotune(QStringList{"sweep", "--nvme_dir", tmp.filePath("scratch"),
                                             "--log_dir", tmp.filePath("logs"), "--events", "-"} +
                                 kSweep);
        QVERIFY2(r.code == 0, r.err.constData());
        const auto lines = parseLines(r.out); // empty when any line is not an event
        QVERIFY2(lines.size() > 4, r.out.constData());
        QCOMPARE(lines.back().at("status").get<std::string>(), std::string("finished"));
        QVERIFY2(r.err.contains("\"aio\""), r.err.constData());
    }

    // --events /dev/stderr with stderr a file (a batch job's log): the
    // stream goes through the process's own descriptor, after what was
    // written before, never over it (it was refused as a file holding
    // something, or written from the file's start).
    void ownDescriptorIsWrittenThrough() {
        QTemporaryDir tmp;
        QDir(tmp.path()).mkpath("scratch");
        const QString log = tmp.filePath("job.log");
        QProcess p;
        p.setStandardErrorFile(log);
        p.start(AIOTUNE_CLI, QStringList{"sweep", "--nvme_dir", tmp.filePath("scratch"), "--log_dir",
                                         tmp.filePath("logs"), "--events", "/dev/stderr"} +
                                 kSweep);
        QVERIFY(p.waitForFinished(120000));
        QCOMPARE(p.exitCode(), 0);
        QFile f(log);
        QVERIFY(f.open(QIODevice::ReadOnly));
        const QList<QByteArray> lines = f.readAll().split('\n');
        QVERIFY2(lines.size() > 4 && lines.front().startsWith("aiotune sweep"), lines.front().constData());
        int events = 0;
        for (const QByteArray& line : lines)
            if (parseEventLine(line.toStdString())) ++events;
        QVERIFY2(events > 4, qPrintable(QString::number(events)));
        QVERIFY(parseEventLine(lines[lines.size() - 2].toStdString()).has_value() ||
                lines.back().isEmpty());
    }

    void badTargetIsRefused() {
        QTemporaryDir tmp;
        QDir(tmp.path()).mkpath("scratch");
        const Run r = runAiotune(QStringList{"sweep", "--nvme_dir", tmp.filePath("scratch"),
                                             "--log_dir", tmp.filePath("logs"), "--events",
                                             "/nonexistent/dir/events.jsonl"} +
                                 kSweep);
        QCOMPARE(r.code, 1);
        QVERIFY2(r.err.contains("cannot write the event stream to /nonexistent/dir/events.jsonl"),
                 r.err.constData());
        // Nothing the user owns is written over: a file with content, a disk, a
        // device other than a terminal. The file keeps its bytes.
        const QString mine = tmp.filePath("notes.txt");
        {
            QFile f(mine);
            QVERIFY(f.open(QIODevice::WriteOnly) && f.write("my notes\n") == 9);
        }
        QStringList targets{mine};
        // As root: a disk's node and another device's (major 61, "local/experimental use": no driver has it,
        // so nothing could be written even if they were opened).
        if (::geteuid() == 0 &&
            ::mknod(tmp.filePath("disk").toLocal8Bit(), S_IFBLK | 0600, makedev(61, 251)) == 0 &&
            ::mknod(tmp.filePath("device").toLocal8Bit(), S_IFCHR | 0600, makedev(61, 251)) == 0)
            targets << tmp.filePath("disk") << tmp.filePath("device");
        else
            qInfo("not root: the disk and device cases are not tried");
        for (const QString& target : targets) {
            const Run refused = runAiotune(QStringList{"sweep", "--nvme_dir", tmp.filePath("scratch"),
                                                       "--log_dir", tmp.filePath("logs"), "--events", target} +
                                           kSweep);
            QCOMPARE(refused.code, 1);
            QVERIFY2(refused.err.contains("cannot write the event stream to " + target.toUtf8()) &&
                         refused.err.contains("give a new file"),
                     refused.err.constData());
        }
        QFile f(mine);
        QVERIFY(f.open(QIODevice::ReadOnly));
        QCOMPARE(f.readAll(), QByteArray("my notes\n"));
        const Run replay = runAiotune({"sweep", "--replay", tmp.path(), "--events", "-"});
        QCOMPARE(replay.code, 2);
        QVERIFY2(replay.err.contains("--replay measures nothing: drop --events"),
                 replay.err.constData());
    }

  private:
    static AioConfig sampleAio() {
        AioConfig a;
        a.block_size = 1 << 20;
        return a;
    }
};

QTEST_GUILESS_MAIN(TestEventStream)
#include "test_event_stream.moc"
