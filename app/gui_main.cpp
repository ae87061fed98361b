// The window's entry point, kept apart so the headless commands never start Qt.
// Without a display it says so and runs the Quick preset headless instead,
// through `aiotune sweep` (cli_sweep.cpp, no QApplication).
#include "commands.h"
#include "main/english_plurals.h"
#include "main_window.h"
#include "panels/drives_panel.h"
#include "panels/ranges_panel.h"
#include "util/byte_size.h"
#include "util/printable_text.h"

#include <QApplication>
#include <QFile>
#include <QFileInfo>
#include <QIcon>
#include <QSocketNotifier>
#include <QStandardPaths>

#include <cerrno>
#include <csignal>
#include <cstddef>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>

#include <netdb.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <fcntl.h>
#include <unistd.h>

static void initAppResources() {
    Q_INIT_RESOURCE(aiotune);
}

namespace {

bool hasDisplay() {
    const char* platform = std::getenv("QT_QPA_PLATFORM");
    if (platform &&
        (std::strncmp(platform, "offscreen", 9) == 0 || std::strncmp(platform, "minimal", 7) == 0))
        return true;
    auto set = [](const char* name) {
        const char* v = std::getenv(name);
        return v && *v;
    };
    return set("DISPLAY") || set("WAYLAND_DISPLAY");
}

// Whether something listens where the display variables point; empty when
// it does (or cannot be judged), else why not. Qt aborts with a core dump on
// a display it cannot open (a stale DISPLAY after ssh, common).
bool listens(const sockaddr* address, socklen_t length, int family) {
    const int fd = ::socket(family, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
    if (fd < 0) return true; // cannot judge: let Qt try
    bool ok = ::connect(fd, address, length) == 0;
    if (!ok && errno == EINPROGRESS) {
        pollfd p{fd, POLLOUT, 0};
        int err = 0;
        socklen_t len = sizeof err;
        ok = ::poll(&p, 1, 2000) == 1 && ::getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &len) == 0 && err == 0;
    }
    ::close(fd);
    return ok;
}

bool listensAt(const std::string& path) {
    sockaddr_un a{};
    a.sun_family = AF_UNIX;
    if (path.size() >= sizeof a.sun_path) return true;
    std::memcpy(a.sun_path, path.data(), path.size());
    // An abstract name ("\0...") is exactly its bytes; a path ends at its NUL.
    const auto length = static_cast<socklen_t>(offsetof(sockaddr_un, sun_path) + path.size() + (path[0] ? 1 : 0));
    return listens(reinterpret_cast<sockaddr*>(&a), length, AF_UNIX);
}

std::string unreachableDisplay() {
    const char* platform = std::getenv("QT_QPA_PLATFORM");
    if (platform && *platform && std::strncmp(platform, "xcb", 3) != 0 && std::strncmp(platform, "wayland", 7) != 0)
        return {};
    const char* wayland = std::getenv("WAYLAND_DISPLAY");
    const char* x11 = std::getenv("DISPLAY");
    std::string why;
    if (wayland && *wayland && (!platform || std::strncmp(platform, "wayland", 7) == 0)) {
        const char* runtime = std::getenv("XDG_RUNTIME_DIR");
        const std::string path = wayland[0] == '/' ? wayland : std::string(runtime ? runtime : "") + "/" + wayland;
        if (listensAt(path)) return {};
        why = "no Wayland compositor answers at " + path;
    }
    if (x11 && *x11 && (!platform || std::strncmp(platform, "xcb", 3) == 0)) {
        // ":N", ":N.S", "unix:N": the local socket; "host:N": TCP port 6000 + N.
        const std::string d = x11;
        const std::size_t colon = d.rfind(':');
        if (colon == std::string::npos) return {};
        const std::string host = d.substr(0, colon);
        const int n = std::atoi(d.c_str() + colon + 1);
        if (host.empty() || host == "unix") {
            const std::string path = "/tmp/.X11-unix/X" + std::to_string(n);
            if (listensAt(path) || listensAt(std::string(1, '\0') + path)) return {};
            why += (why.empty() ? "" : "; ") + std::string("no X server answers at ") + path;
        } else {
            addrinfo hints{};
            hints.ai_socktype = SOCK_STREAM;
            addrinfo* found = nullptr;
            if (::getaddrinfo(host.c_str(), std::to_string(6000 + n).c_str(), &hints, &found) != 0) return {};
            bool ok = false;
            for (addrinfo* a = found; a && !ok; a = a->ai_next) ok = listens(a->ai_addr, a->ai_addrlen, a->ai_family);
            ::freeaddrinfo(found);
            if (ok) return {};
            why += (why.empty() ? "" : "; ") + std::string("no X server answers at ") + host + " port " +
                   std::to_string(6000 + n);
        }
    }
    return why;
}

// SIGTERM, SIGINT or SIGHUP (a logout, kill, Ctrl-C in the terminal) closes
// the window as its close button does: a running sweep is cancelled and its
// logs say so, the settings are saved. Without this the process died with
// sweep.json still "running" and the settings of the session lost. A second
// signal ends it at once.
int g_closePipe[2] = {-1, -1};

void onTerminate(int signal) {
    const char byte = static_cast<char>(signal);
    if (::write(g_closePipe[1], &byte, 1) < 0) {}
    std::signal(signal, SIG_DFL); // the next one is not asked twice
}

void closeOnTermination(MainWindow& window) {
    if (::pipe2(g_closePipe, O_CLOEXEC | O_NONBLOCK) != 0) return;
    auto* notifier = new QSocketNotifier(g_closePipe[0], QSocketNotifier::Read, &window);
    QObject::connect(notifier, &QSocketNotifier::activated, &window, [&window] {
        char byte = 0;
        while (::read(g_closePipe[0], &byte, 1) > 0) {}
        window.closeWithoutAsking();
    });
    for (const int signal : {SIGTERM, SIGINT, SIGHUP}) std::signal(signal, onTerminate);
}

struct WindowArgs {
    QString openFolder;
    std::string openRaw; // its bytes as given
    std::string error;
    bool help = false;
    bool version = false;
};

const char* const kWindowUsage =
    "Usage: aiotune [--open DIR | DIR]   open the window (on a sweep log folder)\n"
    "       aiotune --help | --version\n"
    "With no display and no arguments it runs the Quick sweep headless instead;\n"
    "'aiotune --help' lists the headless commands.\n";

// `aiotune DIR`, `aiotune --open DIR`, `aiotune --open=DIR`, --help, --version;
// Qt's own options (-style, -platform ...) are left to QApplication. Anything
// else is an error, so a typo never starts a sweep.
WindowArgs parseArgs(int argc, char** argv) {
    WindowArgs out;
    for (int i = 1; i < argc; ++i) {
        const std::string a = argv[i];
        if (a == "--help" || a == "-h") {
            out.help = true;
        } else if (a == "--version" || a == "-V") {
            out.version = true;
        } else if (a == "--open") {
            if (i + 1 >= argc) {
                out.error = "--open needs a folder: aiotune --open DIR";
                return out;
            }
            out.openRaw = argv[++i];
            out.openFolder = QString::fromLocal8Bit(out.openRaw.c_str());
        } else if (a.rfind("--open=", 0) == 0) {
            out.openRaw = a.substr(7);
            out.openFolder = QString::fromLocal8Bit(out.openRaw.c_str());
        } else if (a == "-style" || a == "-platform" || a == "-stylesheet" ||
                   a == "-qwindowgeometry" || a == "-qwindowtitle" || a == "-qwindowicon" ||
                   a == "-platformtheme" || a == "-plugin") {
            ++i; // Qt options taking a value
        } else if (a == "-reverse" || a == "-widgetcount" || a == "-nograb" || a == "-dograb" ||
                   a == "-sync") {
            // Qt's switches
        } else if (!a.empty() && a[0] == '-') {
            out.error = "unknown option '" + a + "'";
            return out;
        } else if (out.openFolder.isEmpty()) {
            out.openRaw = argv[i];
            out.openFolder = QString::fromLocal8Bit(argv[i]);
        } else {
            out.error = "give one folder to open; got '" + out.openFolder.toStdString() +
                        "' and '" + aiotune::printableName(a) + "'";
            return out;
        }
    }
    // A name whose bytes are not text in this locale (a 0xff byte in UTF-8)
    // decodes to another name: opening that said the folder does not exist.
    if (!out.openFolder.isEmpty() && QFile::encodeName(out.openFolder).toStdString() != out.openRaw)
        out.error = "the folder's name (" + aiotune::printableName(out.openRaw) +
                    ") is not valid text in this locale, so the window cannot open it: rename it, or read it "
                    "with aiotune analyze";
    return out;
}

// `aiotune sweep`'s arguments for the Quick preset on aiotune's scratch
// folder: the window's own preset, measured by the command line's sweep.
std::vector<std::string> quickSweepArgs(const aiotune::SweepSpec& spec, const QString& scratch,
                                        const QString& logFolder) {
    const auto joined = [](const auto& values, auto spell) {
        std::string out;
        for (const auto& v : values) out += (out.empty() ? "" : ",") + spell(v);
        return out;
    };
    const auto boolean = [](bool b) { return std::string(b ? "true" : "false"); };
    const auto number = [](int v) { return std::to_string(v); };
    return {"--nvme_dir", scratch.toStdString(),
            "--block_size", joined(spec.blockSizes, [](std::uint64_t b) { return aiotune::formatByteSizeTag(b); }),
            "--queue_depth", joined(spec.queueDepths, number),
            "--io_parallel", joined(spec.threads, number),
            "--single_submit", joined(spec.singleSubmit, boolean),
            "--overlap_events", joined(spec.overlapEvents, boolean),
            "--io_size", aiotune::formatByteSizeTag(spec.ioSize),
            "--loops", number(spec.loops), // the preset's grid, as the window's Quick preset reads

            "--log_dir", logFolder.toStdString()};
}

int runHeadlessQuick() {
    std::fprintf(stderr,
                 "aiotune: no display (DISPLAY and WAYLAND_DISPLAY are unset), so no window.\n"
                 "Running the Quick sweep headless instead; for other sweeps use 'aiotune sweep', "
                 "see 'aiotune --help'.\n");
    auto spec = RangesPanel::presetSpec(QStringLiteral("quick"));
    if (!spec) {
        std::fprintf(stderr, "aiotune: %s\n", spec.error().c_str());
        return 1;
    }
    const QString scratch = DrivesPanel::defaultScratchFolder();
    if (scratch.isEmpty()) {
        std::fprintf(stderr,
                     "aiotune: cannot create the scratch folder %s/aiotune/scratch: "
                     "check HOME / XDG_CACHE_HOME are writable\n",
                     QStandardPaths::writableLocation(QStandardPaths::GenericCacheLocation)
                         .toLocal8Bit()
                         .constData());
        return 1;
    }
    // Logged where the window logs its sweeps, so the window opens it later.
    const QString logFolder = MainWindow::newLogFolder(QString());
    std::fprintf(stderr, "Folder: %s\nLogs: %s\n", scratch.toLocal8Bit().constData(),
                 logFolder.toLocal8Bit().constData());
    // The command line's sweep: its checks, printer, signals, exit codes and answer.
    return aiotune::cli::runSweep(quickSweepArgs(*spec, scratch, logFolder));
}

} // namespace

int runWindow(int argc, char** argv) {
    QCoreApplication::setOrganizationName(QStringLiteral("aiotune"));
    QCoreApplication::setApplicationName(QStringLiteral("aiotune"));
    QCoreApplication::setApplicationVersion(QStringLiteral(AIOTUNE_VERSION));
    initAppResources();

    const WindowArgs args = parseArgs(argc, argv);
    if (!args.error.empty()) {
        std::fprintf(stderr, "aiotune: %s\n\n%s", args.error.c_str(), kWindowUsage);
        return 2;
    }
    if (args.help) {
        std::printf("%s", kWindowUsage);
        return 0;
    }
    if (args.version) {
        std::printf("aiotune %s\n", AIOTUNE_VERSION);
        return 0;
    }
    if (!hasDisplay()) {
        if (!args.openFolder.isEmpty()) {
            std::fprintf(
                stderr,
                "aiotune: no display (DISPLAY and WAYLAND_DISPLAY are unset), so no window.\n"
                "To analyze the folder headless: aiotune analyze %s\n",
                args.openFolder.toLocal8Bit().constData());
            return 1;
        }
        return runHeadlessQuick();
    }

    if (const std::string why = unreachableDisplay(); !why.empty()) {
        std::fprintf(stderr,
                     "aiotune: cannot open the display (DISPLAY=%s, WAYLAND_DISPLAY=%s): %s.\n"
                     "Fix the variable or start the display server; unset both to run headless "
                     "(aiotune analyze DIR reads a folder without a window).\n",
                     std::getenv("DISPLAY") ? std::getenv("DISPLAY") : "", std::getenv("WAYLAND_DISPLAY") ? std::getenv("WAYLAND_DISPLAY") : "",
                     aiotune::printableName(why).c_str());
        return 1;
    }
    QApplication app(argc, argv);
    EnglishPlurals plurals;
    QApplication::installTranslator(&plurals);
    if (QFileInfo::exists(QStringLiteral(":/icons/aiotune.svg")))
        QApplication::setWindowIcon(QIcon(QStringLiteral(":/icons/aiotune.svg")));
    // Lets Wayland docks match the window to its menu entry.
    QApplication::setDesktopFileName(QStringLiteral("org.aiotune.aiotune"));
    MainWindow window;
    closeOnTermination(window);
    window.show();
    if (!args.openFolder.isEmpty())
        window.openFolder(QFileInfo(args.openFolder).absoluteFilePath());
    return app.exec();
}
