#include "core/instanceid.h"

#include <QCoreApplication>
#include <QRegularExpression>
#include <QSysInfo>
#include <QUuid>

#ifdef Q_OS_UNIX
#include <cerrno>
#include <csignal>
#endif

namespace qrt::core {

QString instanceId(const QString &station)
{
    return QStringLiteral("%1@%2:%3:%4")
        .arg(station, QSysInfo::machineHostName())
        .arg(QCoreApplication::applicationPid())
        .arg(QUuid::createUuid().toString(QUuid::Id128).left(8));
}

QString stationOfInstance(const QString &claimedBy)
{
    const qsizetype at = claimedBy.lastIndexOf(u'@');
    return at < 0 ? claimedBy : claimedBy.left(at);
}

bool isDeadLocalInstance(const QString &claimedBy)
{
    static const QRegularExpression re(QStringLiteral("@([^@]*):(\\d+):([0-9a-f]{8})$"));
    const auto m = re.match(claimedBy);
    if (!m.hasMatch() || m.captured(1) != QSysInfo::machineHostName())
        return false;
    const qint64 pid = m.captured(2).toLongLong();
    if (pid == QCoreApplication::applicationPid())
        return false; // this process (or one long gone whose pid it got: the lease decides)
#ifdef Q_OS_UNIX
    return pid > 0 && ::kill(pid_t(pid), 0) != 0 && errno == ESRCH;
#else
    return false; // the lease decides
#endif
}

} // namespace qrt::core
