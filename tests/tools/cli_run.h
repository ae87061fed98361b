#pragma once
// Runs the aiotune command line as a user would, for tests: exit code,
// stdout and stderr. AIOTUNE_CLI is the built binary (tests/CMakeLists.txt).
#include <QByteArray>
#include <QProcess>
#include <QStringList>

namespace aiotune::testing {

struct CliRun {
    int code = -1; // -1: crashed; -2: timed out (killed)
    QByteArray out, err;
};

inline CliRun runAiotune(const QStringList& args, int timeoutMs = 120000) {
    QProcess p;
    p.start(QStringLiteral(AIOTUNE_CLI), args);
    if (!p.waitForFinished(timeoutMs)) {
        p.kill();
        p.waitForFinished();
        return {-2, p.readAllStandardOutput(), p.readAllStandardError()};
    }
    return {p.exitStatus() == QProcess::NormalExit ? p.exitCode() : -1, p.readAllStandardOutput(),
            p.readAllStandardError()};
}

} // namespace aiotune::testing
