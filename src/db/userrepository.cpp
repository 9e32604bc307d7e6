#include "db/userrepository.h"

#include <QCoreApplication>

namespace qrt::db {

namespace {
// Q_DECLARE_TR_FUNCTIONS gives lupdate and the program the same context for Tr::tr().
struct Tr
{
    Q_DECLARE_TR_FUNCTIONS(qrt::db::UserRepository)
};
} // namespace

namespace {
// PostgreSQL's ids are UUIDs; as text they compare with the id a caller hands back.
QString idColumn(const Database &db)
{
    return db.isPostgres() ? QStringLiteral("id::text") : QStringLiteral("id");
}
} // namespace

core::Result<QList<User>> UserRepository::list()
{
    auto q = m_db.prepare(QStringLiteral("SELECT ") + idColumn(m_db)
                              + QStringLiteral(" AS id, name, email, type, created_at FROM ghl_qr_users ORDER BY "
                                               "lower(name), email"),
                          Tr::tr("read the users"));
    if (!q)
        return q.error();
    if (auto r = q->exec(); !r)
        return r.error();
    QList<User> users;
    while (q->next())
        users.append({ q->value(QStringLiteral("id")).toString(), q->value(QStringLiteral("name")).toString(),
                       q->value(QStringLiteral("email")).toString(), q->value(QStringLiteral("type")).toString(),
                       timeFromDb(q->value(QStringLiteral("created_at"))) });
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
    auto q = m_db.prepare(QStringLiteral("INSERT INTO ghl_qr_users (name, email, type) VALUES (:name, :email, :type) "
                                         "ON CONFLICT (email) DO UPDATE SET name = excluded.name, type = excluded.type "
                                         "RETURNING ")
                              + idColumn(m_db) + QStringLiteral(" AS id, created_at"),
                          Tr::tr("save user %1").arg(user.email));
    if (!q)
        return q.error();
    q->bind(QStringLiteral(":name"), user.name.trimmed())
        .bind(QStringLiteral(":email"), user.email.trimmed().toLower())
        .bind(QStringLiteral(":type"), user.type);
    if (auto r = q->execFirst(); !r)
        return r.error();
    User saved = user;
    saved.email = user.email.trimmed().toLower();
    saved.id = q->value(QStringLiteral("id")).toString();
    saved.createdAt = timeFromDb(q->value(QStringLiteral("created_at")));
    return saved;
}

core::Result<bool> UserRepository::remove(const QString &id)
{
    auto q = m_db.prepare(QStringLiteral("DELETE FROM ghl_qr_users WHERE ") + idColumn(m_db) + QStringLiteral(" = :id"),
                          Tr::tr("remove user %1").arg(id));
    if (!q)
        return q.error();
    if (auto r = q->bind(QStringLiteral(":id"), id).exec(); !r)
        return r.error();
    return q->rowsAffected() > 0;
}

} // namespace qrt::db
