#pragma once

#include <QMap>
#include <QProcess>
#include <QProcessEnvironment>
#include <QString>
#include <QStringList>
#include <QTemporaryDir>

#include <memory>

namespace qrt::test {

// The built qrtickets executable, which ctest passes as QRT_QRTICKETS_BIN to the suites that
// start it; empty when it is not set.
QString qrticketsBinary();

// How a person starts the program: a fresh home folder (HOME and the XDG folders inside it), none
// of the developer's QRTICKETS_* settings, and logs kept in the home folder. Every test that starts
// the real executable builds its environment here.
class FreshHome
{
public:
    FreshHome();
    bool isValid() const { return m_dir.isValid(); }
    QString path() const { return m_dir.path(); }
    QString filePath(const QString &name) const { return m_dir.filePath(name); }
    QString configDir() const { return filePath(QStringLiteral("config")); }
    QString dataDir() const { return filePath(QStringLiteral("data")); }
    QString logDir() const { return filePath(QStringLiteral("logs")); }
    // The system environment less QRTICKETS_*, with HOME, XDG_* and the log folder pointing here;
    // then `overrides` on top (a null value removes that variable).
    QProcessEnvironment environment(const QMap<QString, QString> &overrides = {}) const;

private:
    QTemporaryDir m_dir;
};

struct ChildRun
{
    int exitCode = -1; // -1: crashed or killed after the time limit
    bool timedOut = false;
    QString out;
    QString err;
};

// Runs `program args` in `env` until it exits or `timeoutMs` pass (then it is killed). This
// thread's event loop keeps running meanwhile, so servers of the test (the GHL simulator) answer.
ChildRun runChild(const QString &program, const QStringList &args, const QProcessEnvironment &env, int timeoutMs);

// A child that keeps running beside the test (`qrtickets serve`): started in `env` with its
// output handled as `channels` says. The test stops it with terminate() (SIGTERM) or kill() and
// waits for the end with waitForFinished(); its destructor kills a child still running.
std::unique_ptr<QProcess> startChild(const QString &program, const QStringList &args, const QProcessEnvironment &env,
                                     QProcess::ProcessChannelMode channels = QProcess::SeparateChannels);

} // namespace qrt::test
