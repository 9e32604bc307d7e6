#pragma once

#include <QProcess>
#include <QProcessEnvironment>
#include <QString>
#include <QStringList>
#include <QTemporaryDir>

namespace qrt::test {

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
    // The system environment less QRTICKETS_*, with HOME, XDG_* and the log folder pointing here.
    QProcessEnvironment environment() const;

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

// Runs `program args` in `env` until it exits or `timeoutMs` pass (then it is killed).
ChildRun runChild(const QString &program, const QStringList &args, const QProcessEnvironment &env, int timeoutMs);

} // namespace qrt::test
