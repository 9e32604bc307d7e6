#include "support/childprocess.h"

#include <QDir>
#include <QTest>

namespace qrt::test {

QString qrticketsBinary()
{
    return qEnvironmentVariable("QRT_QRTICKETS_BIN");
}

FreshHome::FreshHome()
{
    for (const QString &sub : { configDir(), dataDir(), logDir(), filePath(QStringLiteral("cache")),
                                filePath(QStringLiteral("runtime")) })
        QDir().mkpath(sub);
    QFile::setPermissions(filePath(QStringLiteral("runtime")), QFile::ReadOwner | QFile::WriteOwner | QFile::ExeOwner);
}

QProcessEnvironment FreshHome::environment(const QMap<QString, QString> &overrides) const
{
    QProcessEnvironment e = QProcessEnvironment::systemEnvironment();
    for (const QString &k : e.keys()) {
        if (k.startsWith(QStringLiteral("QRTICKETS_")))
            e.remove(k);
    }
    // Nor the developer's desktop session: its keyring holds the developer's own secrets.
    e.remove(QStringLiteral("DBUS_SESSION_BUS_ADDRESS"));
    e.insert(QStringLiteral("HOME"), path());
    e.insert(QStringLiteral("XDG_CONFIG_HOME"), configDir());
    e.insert(QStringLiteral("XDG_DATA_HOME"), dataDir());
    e.insert(QStringLiteral("XDG_CACHE_HOME"), filePath(QStringLiteral("cache")));
    e.insert(QStringLiteral("XDG_RUNTIME_DIR"), filePath(QStringLiteral("runtime")));
    e.insert(QStringLiteral("QRTICKETS_LOG_DIR"), logDir());
    for (auto it = overrides.cbegin(); it != overrides.cend(); ++it) {
        if (it.value().isNull())
            e.remove(it.key());
        else
            e.insert(it.key(), it.value());
    }
    return e;
}

ChildRun runChild(const QString &program, const QStringList &args, const QProcessEnvironment &env, int timeoutMs)
{
    QProcess p;
    p.setProcessEnvironment(env);
    p.start(program, args);
    ChildRun run;
    if (!p.waitForStarted(timeoutMs)) {
        run.err = p.errorString();
        return run;
    }
    if (!QTest::qWaitFor([&p] { return p.state() == QProcess::NotRunning; }, timeoutMs)) {
        run.timedOut = true;
        p.kill();
        p.waitForFinished();
    }
    run.exitCode = (p.exitStatus() == QProcess::NormalExit && !run.timedOut) ? p.exitCode() : -1;
    run.out = QString::fromUtf8(p.readAllStandardOutput());
    run.err = QString::fromUtf8(p.readAllStandardError());
    return run;
}

std::unique_ptr<QProcess> startChild(const QString &program, const QStringList &args, const QProcessEnvironment &env,
                                     QProcess::ProcessChannelMode channels)
{
    auto p = std::make_unique<QProcess>();
    p->setProcessEnvironment(env);
    p->setProcessChannelMode(channels);
    p->start(program, args);
    p->waitForStarted();
    return p;
}

} // namespace qrt::test
