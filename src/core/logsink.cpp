#include "core/logsink.h"

#include <QDateTime>
#include <QDir>
#include <QJsonDocument>
#include <QJsonObject>
#include <QRegularExpression>
#include <QStandardPaths>

#include <algorithm>
#include <cstdio>

namespace qrt::core {

namespace {

struct State
{
    QMutex mutex;
    LogSink::Options options;
    QFile file;
    QDate day;
};

// Never destroyed: Qt and plugins still log while static objects are torn down at exit (with
// debug logging on, a destroyed state crashed every command at exit: "double free").
State &state()
{
    static State *s = new State;
    return *s;
}

int rank(QtMsgType type)
{
    switch (type) {
    case QtDebugMsg: return 0;
    case QtInfoMsg: return 1;
    case QtWarningMsg: return 2;
    case QtCriticalMsg: return 3;
    case QtFatalMsg: return 4;
    }
    return 1;
}

const char *levelName(QtMsgType type)
{
    switch (type) {
    case QtDebugMsg: return "debug";
    case QtInfoMsg: return "info";
    case QtWarningMsg: return "warning";
    case QtCriticalMsg: return "error";
    case QtFatalMsg: return "fatal";
    }
    return "info";
}

void handler(QtMsgType type, const QMessageLogContext &context, const QString &message)
{
    State &s = state();
    QMutexLocker lock(&s.mutex);
    if (rank(type) < rank(s.options.minLevel) && type != QtFatalMsg)
        return;
    const QString clean = LogSink::redact(message, s.options.secrets);
    const QDateTime now = QDateTime::currentDateTimeUtc();
    if (s.options.alsoStderr) {
        const QByteArray line = (context.category && qstrcmp(context.category, "default") != 0
                                     ? QByteArray(context.category) + ": "
                                     : QByteArray())
            + LogSink::escapeControls(clean).toLocal8Bit() + '\n';
        fwrite(line.constData(), 1, static_cast<size_t>(line.size()), stderr);
        fflush(stderr);
    }
    if (!s.options.dir.isEmpty()) {
        if (s.day != now.date() || !s.file.isOpen()) {
            s.file.close();
            s.day = now.date();
            QDir().mkpath(s.options.dir);
            LogSink::applyRetention(s.options.dir, s.options.keepDays, s.options.maxTotalBytes, s.day);
            s.file.setFileName(LogSink::fileFor(s.options.dir, s.day));
            s.file.open(QIODevice::Append | QIODevice::WriteOnly);
        }
        if (s.file.isOpen()) {
            s.file.write(LogSink::formatLine(type, context.category, clean, now, s.options.station));
            s.file.flush();
        }
    }
    if (type == QtFatalMsg)
        abort();
}

} // namespace

QString LogSink::escapeControls(const QString &text)
{
    QString out;
    out.reserve(text.size());
    for (const QChar c : text) {
        const char16_t u = c.unicode();
        if (u == u'\n')
            out += QStringLiteral("\\n");
        else if (u == u'\r')
            out += QStringLiteral("\\r");
        else if ((u < 0x20 && u != u'\t') || u == 0x7f || u == 0x2028 || u == 0x2029 || (u >= 0x80 && u < 0xa0))
            out += QStringLiteral("\\x%1").arg(uint(u), 2, 16, QChar(u'0'));
        else
            out += c;
    }
    return out;
}

void LogSink::install(const Options &options)
{
    {
        QMutexLocker lock(&state().mutex);
        state().options = options;
        state().options.secrets.removeAll(QString());
        state().file.close();
    }
    qInstallMessageHandler(handler);
}

void LogSink::addSecret(const QString &secret)
{
    if (secret.isEmpty())
        return;
    QMutexLocker lock(&state().mutex);
    if (!state().options.secrets.contains(secret))
        state().options.secrets.append(secret);
}

QString LogSink::defaultDir()
{
    return QStandardPaths::writableLocation(QStandardPaths::AppDataLocation) + QStringLiteral("/logs");
}

QtMsgType LogSink::levelFromName(const QString &name)
{
    if (name == u"debug")
        return QtDebugMsg;
    if (name == u"warning")
        return QtWarningMsg;
    if (name == u"error")
        return QtCriticalMsg;
    return QtInfoMsg;
}

QString LogSink::redact(const QString &text, const QStringList &secrets)
{
    QString out = text;
    for (const QString &secret : secrets) {
        if (secret.size() >= 4)
            out.replace(secret, QStringLiteral("***"));
    }
    // Never destroyed, like state(): redact() runs for messages logged during exit.
    static const auto &patterns = *new QList<std::pair<QRegularExpression, QString>> {
        { QRegularExpression(QStringLiteral("(Bearer\\s+)[^\\s\"',;]+"), QRegularExpression::CaseInsensitiveOption),
          QStringLiteral("\\1***") },
        { QRegularExpression(QStringLiteral("\\bpit-[0-9A-Za-z-]{8,}")), QStringLiteral("pit-***") },
        { QRegularExpression(QStringLiteral("((?:x-ghl-signature|x-wh-signature|x-webhook-secret|authorization)"
                                            "[\"']?\\s*[:=]\\s*[\"']?)[^\\s\"',;]+"),
                             QRegularExpression::CaseInsensitiveOption),
          QStringLiteral("\\1***") },
        { QRegularExpression(QStringLiteral("([?&](?:token|secret|access_token)=)[^&\\s\"']+"),
                             QRegularExpression::CaseInsensitiveOption),
          QStringLiteral("\\1***") },
        { QRegularExpression(QStringLiteral("(postgres(?:ql)?://[^:/@\\s]+:)[^@\\s]+@")), QStringLiteral("\\1***@") },
    };
    for (const auto &[re, replacement] : patterns)
        out.replace(re, replacement);
    return out;
}

QByteArray LogSink::formatLine(QtMsgType type, const char *category, const QString &message, const QDateTime &at,
                               const QString &station)
{
    QJsonObject o { { QStringLiteral("ts"), at.toString(Qt::ISODateWithMs) },
                    { QStringLiteral("level"), QString::fromLatin1(levelName(type)) },
                    { QStringLiteral("category"), QString::fromLatin1(category ? category : "default") },
                    { QStringLiteral("msg"), message } };
    if (!station.isEmpty())
        o.insert(QStringLiteral("station"), station);
    return QJsonDocument(o).toJson(QJsonDocument::Compact) + '\n';
}

QString LogSink::fileFor(const QString &dir, const QDate &day)
{
    return dir + QStringLiteral("/sync-") + day.toString(Qt::ISODate) + QStringLiteral(".log");
}

void LogSink::applyRetention(const QString &dir, int keepDays, qint64 maxTotalBytes, const QDate &today)
{
    static const QRegularExpression name(QStringLiteral("^sync-(\\d{4}-\\d{2}-\\d{2})\\.log$"));
    QDir d(dir);
    QFileInfoList files = d.entryInfoList({ QStringLiteral("sync-*.log") }, QDir::Files, QDir::Name);
    QFileInfoList kept;
    for (const QFileInfo &f : std::as_const(files)) {
        const auto m = name.match(f.fileName());
        if (!m.hasMatch())
            continue;
        const QDate day = QDate::fromString(m.captured(1), Qt::ISODate);
        if (day.isValid() && day.daysTo(today) > keepDays)
            QFile::remove(f.absoluteFilePath());
        else
            kept << f;
    }
    qint64 total = 0;
    for (const QFileInfo &f : std::as_const(kept))
        total += f.size();
    for (const QFileInfo &f : std::as_const(kept)) { // oldest first (names sort by date)
        if (total <= maxTotalBytes || f.fileName() == QFileInfo(fileFor(dir, today)).fileName())
            break;
        total -= f.size();
        QFile::remove(f.absoluteFilePath());
    }
}

} // namespace qrt::core
