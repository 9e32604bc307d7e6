#include "db/databaseurl.h"

#include <QCoreApplication>
#include <QDir>
#include <QUrl>
#include <QUrlQuery>

namespace qrt::db {

namespace {
// Q_DECLARE_TR_FUNCTIONS gives lupdate and the program the same context for Tr::tr().
struct Tr
{
    Q_DECLARE_TR_FUNCTIONS(qrt::db::DatabaseUrl)
};

core::Error badUrl(const QString &why)
{
    // A literal context: lupdate loses Tr's in this function (it cannot resolve core::Error).
    const QString message = QCoreApplication::translate("qrt::db::DatabaseUrl",
                                                        "The database URL is not usable: %1. Use sqlite:///path/file.db or "
                                                        "postgresql://user:password@host:port/dbname.")
                                .arg(why);
    return core::makeError(QStringLiteral("db.url"), message);
}
} // namespace

core::Result<DatabaseUrl> DatabaseUrl::parse(const QString &text)
{
    const QString trimmed = text.trimmed();
    if (trimmed.isEmpty())
        return badUrl(Tr::tr("it is empty"));
    const QUrl url(trimmed, QUrl::StrictMode);
    if (!url.isValid())
        return badUrl(Tr::tr("it is not a valid URL"));
    DatabaseUrl result;
    const QString scheme = url.scheme().toLower();
    if (scheme == u"sqlite") {
        result.dialect = Dialect::SQLite;
        QString path = url.path(QUrl::FullyDecoded);
        if (!url.host().isEmpty())
            return badUrl(Tr::tr("a SQLite URL has three slashes before an absolute path (sqlite:///home/me/qr.db)"));
        // sqlite:///C:/Users/x.db arrives as "/C:/Users/x.db"
        if (path.size() > 3 && path[0] == u'/' && path[2] == u':')
            path.remove(0, 1);
        if (path.isEmpty() || path == u"/")
            return badUrl(Tr::tr("it names no database file"));
        result.path = QDir::cleanPath(path);
        return result;
    }
    if (scheme == u"postgresql" || scheme == u"postgres") {
        result.dialect = Dialect::PostgreSQL;
        result.host = url.host();
        if (result.host.isEmpty())
            return badUrl(Tr::tr("it names no server host"));
        result.port = url.port(5432);
        result.user = url.userName(QUrl::FullyDecoded);
        result.password = url.password(QUrl::FullyDecoded);
        result.name = url.path(QUrl::FullyDecoded).mid(1);
        if (result.name.isEmpty())
            result.name = result.user.isEmpty() ? QStringLiteral("postgres") : result.user;
        QStringList options;
        const auto items = QUrlQuery(url).queryItems(QUrl::FullyDecoded);
        for (const auto &[key, value] : items) {
            if (value.contains(u';') || key.contains(u';'))
                return badUrl(Tr::tr("option %1 contains ';'").arg(key));
            options << key + u'=' + value;
        }
        result.connectOptions = options.join(u';');
        return result;
    }
    return badUrl(Tr::tr("the scheme '%1' is not supported").arg(url.scheme()));
}

QString DatabaseUrl::display() const
{
    if (dialect == Dialect::SQLite)
        return QDir::toNativeSeparators(path);
    QString who = user.isEmpty() ? QString() : user + u'@';
    return who + host + u':' + QString::number(port) + u'/' + name;
}

QString DatabaseUrl::kindName() const
{
    return dialect == Dialect::SQLite ? QStringLiteral("SQLite") : QStringLiteral("PostgreSQL");
}

} // namespace qrt::db
