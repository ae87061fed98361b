// Benchmark (not a test): the window's longest event-loop stall, measured by
// a timer probe that should fire every 2 ms, while
//  1. a simulated 256-point sweep feeds samples (read + write per point) into
//     the window through the same queued signal path a SweepController uses;
//  2. a folder of 10,000 DeepSpeed logs is opened (File > Open).
// Target: under 50 ms each. Run through tests/bench/window_stall.sh.
//   window_stall [POINTS] [FILES] [SAMPLE_INTERVAL_MS]
#include "main_window.h"
#include "results/metatypes.h"
#include "results/results_table_model.h"

#include <QApplication>
#include <QDir>
#include <QElapsedTimer>
#include <QFile>
#include <QTemporaryDir>
#include <QThread>
#include <QTimer>

#include <algorithm>
#include <cstdio>
#include <vector>

namespace {

// Fires every 2 ms; records how late each firing is (the stall behind it).
class StallProbe : public QObject {
  public:
    StallProbe() {
        m_timer.setTimerType(Qt::PreciseTimer);
        m_timer.setInterval(2);
        QObject::connect(&m_timer, &QTimer::timeout, this, [this] {
            const qint64 now = m_clock.nsecsElapsed();
            if (m_last > 0) m_gaps.push_back((now - m_last) / 1e6 - 2.0);
            m_last = now;
        });
    }
    void start() {
        m_gaps.clear();
        m_last = 0;
        m_clock.start();
        m_timer.start();
    }
    void stop() { m_timer.stop(); }
    double longest() const { return m_gaps.empty() ? 0 : *std::max_element(m_gaps.begin(), m_gaps.end()); }
    double percentile(double p) const {
        if (m_gaps.empty()) return 0;
        std::vector<double> v = m_gaps;
        std::sort(v.begin(), v.end());
        return v[std::min(v.size() - 1, static_cast<std::size_t>(p * v.size()))];
    }

  private:
    QTimer m_timer;
    QElapsedTimer m_clock;
    qint64 m_last = 0;
    std::vector<double> m_gaps;
};

// A worker thread emitting samples as a sweep would; queued into the UI thread.
class Feeder : public QObject {
    Q_OBJECT
  public:
    int points = 256;
    int intervalMs = 4;
  signals:
    void sampleReady(const aiotune::ConfigKey& key, const aiotune::Sample& sample);
    void done();

  public:
    void run() {
        const std::uint64_t sizes[] = {128 << 10, 256 << 10, 512 << 10, 1 << 20};
        const int depths[] = {4, 8, 16, 32};
        const int threads[] = {1, 2, 4, 8};
        int n = 0;
        for (auto bs : sizes)
            for (int qd : depths)
                for (int p : threads)
                    for (bool single : {false, true})
                        for (bool overlap : {true, false}) {
                            if (n++ >= points) break;
                            aiotune::ConfigKey key;
                            key.aio.block_size = bs;
                            key.aio.queue_depth = qd;
                            key.aio.intra_op_parallelism = p;
                            key.aio.single_submit = single;
                            key.aio.overlap_events = overlap;
                            for (auto op : {aiotune::IoOp::Write, aiotune::IoOp::Read}) {
                                aiotune::Sample s;
                                s.op = op;
                                s.bytes = 1 << 30;
                                s.gibPerSec = 1.0 + 0.001 * ((n * 7919) % 3000) +
                                              (op == aiotune::IoOp::Read ? 0.5 : 0.0);
                                s.seconds = 1.0 / s.gibPerSec;
                                s.latencyP99Us = 900.0;
                                emit sampleReady(key, s);
                                QThread::msleep(static_cast<unsigned long>(intervalMs));
                            }
                        }
        emit done();
    }
};

void writeLogFolder(const QString& dir, int files) {
    QDir().mkpath(dir + "/_aio_bench_read_logs");
    QDir().mkpath(dir + "/_aio_bench_write_logs");
    auto body = [](const char* op) {
        return QStringLiteral(
                   "Testing deepspeed_aio python frontend\n"
                   "Successful validation of command line arguments\n"
                   "tid 0: running main task 0\n"
                   "Task %1 Latency = 0.11033294680529722 sec\nTask %1 Speed = 3.540420258051565 GB/sec\n"
                   "E2E %1 Latency = 0.11062872368852779 sec\nE2E %1 Speed = 3.5309545927673742 GB/sec\n")
            .arg(QLatin1String(op))
            .toUtf8();
    };
    const QByteArray readBody = body("Read"), writeBody = body("Write");
    int n = 0;
    for (int ftd = 1; ftd <= 8 && n < files / 2; ++ftd)
        for (const char* sub : {"block", "single"})
            for (const char* ov : {"overlap", "sequential"})
                for (int p : {1, 2, 4, 8, 16})
                    for (int d : {1, 2, 4, 8, 16, 32, 64, 128, 256, 512})
                        for (const char* bs : {"128K", "256K", "512K", "1M", "2M", "4M", "8M", "16M"}) {
                            if (n >= files / 2) break;
                            const QString tag = QStringLiteral("%1_%2_ftd%3_d%4_bs%5_p%6")
                                                    .arg(QLatin1String(sub), QLatin1String(ov))
                                                    .arg(ftd)
                                                    .arg(d)
                                                    .arg(QLatin1String(bs))
                                                    .arg(p);
                            QFile r(dir + "/_aio_bench_read_logs/read_" + tag + ".txt");
                            QFile w(dir + "/_aio_bench_write_logs/write_" + tag + ".txt");
                            if (!r.open(QIODevice::WriteOnly) || !w.open(QIODevice::WriteOnly)) qFatal("cannot write logs in %s", qPrintable(dir));
                            r.write(readBody);
                            w.write(writeBody);
                            ++n;
                        }
}

// With AIOTUNE_STALL_TRACE=1: every top-level event that takes over 20 ms,
// with its receiver, so a stall can be traced to its cause.
class TracingApplication : public QApplication {
  public:
    using QApplication::QApplication;
    bool notify(QObject* receiver, QEvent* event) override {
        if (!m_trace || m_depth > 0) return QApplication::notify(receiver, event);
        ++m_depth;
        QElapsedTimer t;
        t.start();
        const int type = event->type(); // the event may be gone after delivery
        const bool ok = QApplication::notify(receiver, event);
        --m_depth;
        if (t.elapsed() > 20)
            std::fprintf(stderr, "  stall %lld ms: event %d to %s %s\n", static_cast<long long>(t.elapsed()), type,
                         receiver->metaObject()->className(), qPrintable(receiver->objectName()));
        return ok;
    }

  private:
    const bool m_trace = qEnvironmentVariableIntValue("AIOTUNE_STALL_TRACE") == 1;
    int m_depth = 0;
};

} // namespace

int main(int argc, char** argv) {
    TracingApplication app(argc, argv);
    const int points = argc > 1 ? std::atoi(argv[1]) : 256;
    const int files = argc > 2 ? std::atoi(argv[2]) : 10000;
    const int intervalMs = argc > 3 ? std::atoi(argv[3]) : 4;
    registerResultMetaTypes();

    QTemporaryDir home;
    MainWindowOptions o;
    o.settingsPath = home.filePath("settings.ini");
    o.scratchFolder = home.filePath("scratch");
    o.logRoot = home.filePath("logs");
    QDir().mkpath(o.scratchFolder);
    MainWindow window(o);
    window.resize(1280, 720);
    window.show();
    QElapsedTimer settle;
    settle.start();
    while (settle.elapsed() < 500) app.processEvents(QEventLoop::AllEvents, 50);

    StallProbe probe;

    // 1. The sweep feed.
    {
        QThread thread;
        Feeder feeder;
        feeder.points = points;
        feeder.intervalMs = intervalMs;
        feeder.moveToThread(&thread);
        QObject::connect(&feeder, &Feeder::sampleReady, window.resultsModel(),
                         &ResultsTableModel::addSample, Qt::QueuedConnection);
        QEventLoop loop;
        QObject::connect(&feeder, &Feeder::done, &loop, &QEventLoop::quit, Qt::QueuedConnection);
        thread.start();
        probe.start();
        QElapsedTimer took;
        took.start();
        QMetaObject::invokeMethod(&feeder, [&feeder] { feeder.run(); }, Qt::QueuedConnection);
        loop.exec();
        // Let the last coalesced chart redraw happen inside the measurement.
        QTimer::singleShot(300, &loop, &QEventLoop::quit);
        loop.exec();
        probe.stop();
        thread.quit();
        thread.wait();
        std::printf("sweep feed: %d points, %d samples in %.1f s: longest stall %.1f ms, p99 %.1f ms "
                    "(rows %d)\n",
                    points, 2 * points, took.elapsed() / 1000.0, probe.longest(),
                    probe.percentile(0.99), window.resultsModel()->rowCount());
    }

    // 2. Opening a folder of logs.
    {
        QTemporaryDir logs;
        writeLogFolder(logs.path(), files);
        QString failure;
        QObject::connect(&window, &MainWindow::loadFailed, [&](const QString&, const QString& e) { failure = e; });
        QEventLoop loop;
        QObject::connect(&window, &MainWindow::folderLoaded, &loop, &QEventLoop::quit);
        QObject::connect(&window, &MainWindow::loadFailed, &loop, &QEventLoop::quit);
        probe.start();
        QElapsedTimer took;
        took.start();
        window.openFolder(logs.path());
        loop.exec();
        const double loadSeconds = took.elapsed() / 1000.0;
        QTimer::singleShot(300, &loop, &QEventLoop::quit); // chart and table catch up
        loop.exec();
        probe.stop();
        if (!failure.isEmpty()) {
            std::fprintf(stderr, "open failed: %s\n", qPrintable(failure));
            return 1;
        }
        std::printf("open %d logs: %d configurations in %.2f s: longest stall %.1f ms, p99 %.1f ms\n",
                    files, window.resultsModel()->rowCount(), loadSeconds, probe.longest(),
                    probe.percentile(0.99));
    }
    return 0;
}

#include "window_stall.moc"
