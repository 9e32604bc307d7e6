#include "support/childprocess.h"

#include <QDir>

namespace qrt::test {

FreshHome::FreshHome()
{
    for (const QString &sub : { configDir(), dataDir(), logDir(), filePath(QStringLiteral("cache")),
                                filePath(QStringLiteral("runtime")) })
        QDir().mkpath(sub);
    QFile::setPermissions(filePath(QStringLiteral("runtime")), QFile::ReadOwner | QFile::WriteOwner | QFile::ExeOwner);
}

QProcessEnvironment FreshHome::environment() const
{
    QProcessEnvironment e = QProcessEnvironment::systemEnvironment();
    for (const QString &k : e.keys()) {
        if (k.startsWith(QStringLiteral("QRTICKETS_")))
            e.remove(k);
    }
    e.insert(QStringLiteral("HOME"), path());
    e.insert(QStringLiteral("XDG_CONFIG_HOME"), configDir());
    e.insert(QStringLiteral("XDG_DATA_HOME"), dataDir());
    e.insert(QStringLiteral("XDG_CACHE_HOME"), filePath(QStringLiteral("cache")));
    e.insert(QStringLiteral("XDG_RUNTIME_DIR"), filePath(QStringLiteral("runtime")));
    e.insert(QStringLiteral("QRTICKETS_LOG_DIR"), logDir());
    return e;
}

ChildRun runChild(const QString &program, const QStringList &args, const QProcessEnvironment &env, int timeoutMs)
{
    QProcess p;
    p.setProcessEnvironment(env);
    p.start(program, args);
    ChildRun run;
    if (!p.waitForFinished(timeoutMs)) {
        run.timedOut = true;
        p.kill();
        p.waitForFinished();
    }
    run.exitCode = (p.exitStatus() == QProcess::NormalExit && !run.timedOut) ? p.exitCode() : -1;
    run.out = QString::fromUtf8(p.readAllStandardOutput());
    run.err = QString::fromUtf8(p.readAllStandardError());
    return run;
}

} // namespace qrt::test
