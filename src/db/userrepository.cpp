#include "db/userrepository.h"

#include <QCoreApplication>
#include <QSqlQuery>

namespace qrt::db {

namespace {
// Q_DECLARE_TR_FUNCTIONS gives lupdate and the program the same context for Tr::tr().
struct Tr
{
    Q_DECLARE_TR_FUNCTIONS(qrt::db::UserRepository)
};
} // namespace

core::Result<QList<User>> UserRepository::list()
{
    auto connection = m_db.connection();
    if (!connection)
        return connection.error();
    QSqlQuery q(connection.value());
    const QString idExpr = m_db.isPostgres() ? QStringLiteral("id::text") : QStringLiteral("id");
    if (!q.exec(QStringLiteral("SELECT ") + idExpr
                + QStringLiteral(", name, email, type, created_at FROM ghl_qr_users ORDER BY lower(name), email")))
        return m_db.fail(q, Tr::tr("read the users"));
    QList<User> users;
    while (q.next())
        users.append({ q.value(0).toString(), q.value(1).toString(), q.value(2).toString(), q.value(3).toString(),
                       timeFromDb(q.value(4)) });
    return users;
}

core::Result<User> UserRepository::upsert(const User &user)
{
    static const QStringList types = { QStringLiteral("Admin"), QStringLiteral("Super Admin") };
    if (user.email.trimmed().isEmpty() || !user.email.contains(u'@'))
        return core::makeError(QStringLiteral("db.invalid"), Tr::tr("A user needs a valid e-mail address."));
    if (!types.contains(user.type))
        return core::makeError(QStringLiteral("db.invalid"),
                               Tr::tr("A user's type must be Admin or Super Admin, not '%1'.").arg(user.type));
    auto connection = m_db.connection();
    if (!connection)
        return connection.error();
    QSqlQuery q(connection.value());
    const QString idExpr = m_db.isPostgres() ? QStringLiteral("id::text") : QStringLiteral("id");
    q.prepare(QStringLiteral("INSERT INTO ghl_qr_users (name, email, type) VALUES (?, ?, ?) ON CONFLICT (email) DO "
                             "UPDATE SET name = excluded.name, type = excluded.type RETURNING ")
              + idExpr + QStringLiteral(", created_at"));
    q.addBindValue(user.name.trimmed());
    q.addBindValue(user.email.trimmed().toLower());
    q.addBindValue(user.type);
    if (!q.exec() || !q.next())
        return m_db.fail(q, Tr::tr("save user %1").arg(user.email));
    User saved = user;
    saved.email = user.email.trimmed().toLower();
    saved.id = q.value(0).toString();
    saved.createdAt = timeFromDb(q.value(1));
    return saved;
}

core::Result<bool> UserRepository::remove(const QString &id)
{
    auto connection = m_db.connection();
    if (!connection)
        return connection.error();
    QSqlQuery q(connection.value());
    q.prepare(m_db.isPostgres() ? QStringLiteral("DELETE FROM ghl_qr_users WHERE id::text = ?")
                                : QStringLiteral("DELETE FROM ghl_qr_users WHERE id = ?"));
    q.addBindValue(id);
    if (!q.exec())
        return m_db.fail(q, Tr::tr("remove user %1").arg(id));
    return q.numRowsAffected() > 0;
}

} // namespace qrt::db
