#pragma once

#include <QDate>
#include <QFile>
#include <QMutex>
#include <QString>
#include <QStringList>
#include <QtGlobal>

namespace qrt::core {

// Structured logs: one JSON object per line in <dir>/sync-YYYY-MM-DD.log (the original system's
// file names), a new file each day, old files removed by age and total size. Tokens, secrets,
// signatures and database passwords are redacted before anything is written.
class LogSink
{
public:
    struct Options
    {
        QString dir;
        QtMsgType minLevel = QtInfoMsg;
        bool alsoStderr = true;
        QStringList secrets; // exact values to hide (token, webhook secret, feed token, db password)
        int keepDays = 14;
        qint64 maxTotalBytes = 200LL * 1024 * 1024;
        QString station;
    };

    // Installs the Qt message handler for the whole process; call once, early.
    static void install(const Options &options);
    // A secret learned after install (e.g. read from the keychain later) is redacted from then on.
    static void addSecret(const QString &secret);
    static QString defaultDir();
    static QtMsgType levelFromName(const QString &name);
    // The redaction applied to every line, exposed for tests.
    static QString redact(const QString &text, const QStringList &secrets);
    // One line on the terminal / in journald whatever the message holds: CR, LF and the other
    // control characters become visible escapes (\n, \r, \x1b), so no input (a webhook's "type",
    // say) can start a line of its own that looks like ours.
    static QString escapeControls(const QString &text);
    static QByteArray formatLine(QtMsgType type, const char *category, const QString &message, const QDateTime &at,
                                 const QString &station);
    // Deletes logs older than keepDays, then the oldest until the folder is under maxTotalBytes.
    static void applyRetention(const QString &dir, int keepDays, qint64 maxTotalBytes, const QDate &today);
    static QString fileFor(const QString &dir, const QDate &day);
};

} // namespace qrt::core
