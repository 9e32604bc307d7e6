#include "db/userrepository.h"

#include <QCoreApplication>

#include <algorithm>

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

bool UserRepository::isEmailAddress(const QString &email)
{
    const QString e = email.trimmed();
    if (e.count(u'@') != 1 || e.startsWith(u'@') || e.endsWith(u'@'))
        return false;
    return std::none_of(e.cbegin(), e.cend(), [](QChar c) { return c.isSpace(); });
}

core::Result<QList<User>> UserRepository::list()
{
    // PostgreSQL: the linked login's QR Tickets group (admin wins when it is in both), NULL when
    // there is no such login in either group.
    const QString sql = m_db.isPostgres()
        ? QStringLiteral("SELECT u.id::text AS id, u.name, u.email, u.type, u.created_at, u.operator, "
                         "(SELECT CASE WHEN count(*) = 0 THEN NULL WHEN bool_or(g.rolname = 'qrtickets_admin') THEN 'admin' "
                         "ELSE 'door' END FROM pg_roles r JOIN pg_auth_members m ON m.member = r.oid "
                         "JOIN pg_roles g ON g.oid = m.roleid WHERE r.rolname = u.operator "
                         "AND g.rolname IN ('qrtickets_admin', 'qrtickets_door')) AS operator_role "
                         "FROM ghl_qr_users u ORDER BY lower(u.name), u.email")
        : QStringLiteral("SELECT id, name, email, type, created_at, operator, NULL AS operator_role "
                         "FROM ghl_qr_users ORDER BY lower(name), email");
    auto q = m_db.prepare(sql, Tr::tr("read the users"));
    if (!q)
        return q.error();
    if (auto r = q->exec(); !r)
        return r.error();
    QList<User> users;
    while (q->next())
        users.append({ q->value(QStringLiteral("id")).toString(), q->value(QStringLiteral("name")).toString(),
                       q->value(QStringLiteral("email")).toString(), q->value(QStringLiteral("type")).toString(),
                       timeFromDb(q->value(QStringLiteral("created_at"))), q->value(QStringLiteral("operator")).toString(),
                       q->value(QStringLiteral("operator_role")).toString() });
    return users;
}

core::Result<User> UserRepository::upsert(const User &user)
{
    return save(user, true);
}

core::Result<User> UserRepository::add(const User &user)
{
    User fresh = user;
    fresh.id.clear();
    return save(fresh, false);
}

core::Result<User> UserRepository::update(const User &user)
{
    if (user.id.isEmpty())
        return core::makeError(core::Error::Kind::Invalid, QStringLiteral("db.invalid"), Tr::tr("Which user to change is missing."));
    return save(user, false);
}

// byEmail: the row with this e-mail address (any letter case) is the one to update, or none;
// otherwise user.id names it (empty: a new row) and another row with the address is a duplicate.
core::Result<User> UserRepository::save(const User &user, bool byEmail)
{
    User saved = user;
    saved.name = user.name.trimmed();
    saved.email = user.email.trimmed().toLower();
    if (saved.name.isEmpty())
        return core::makeError(core::Error::Kind::Invalid, QStringLiteral("db.invalid"), Tr::tr("A user needs a name."));
    if (!isEmailAddress(saved.email))
        return core::makeError(core::Error::Kind::Invalid, QStringLiteral("db.invalid"),
                               Tr::tr("'%1' is not an e-mail address: a user needs a valid one.").arg(user.email.trimmed().left(120)));
    if (!userType::all.contains(user.type))
        return core::makeError(core::Error::Kind::Invalid, QStringLiteral("db.invalid"),
                               Tr::tr("A user's type must be Admin, Super Admin or Door, not '%1'.").arg(user.type.left(40)));
    return m_db.inTransaction([&]() -> core::Result<User> {
        auto same = m_db.prepare(QStringLiteral("SELECT ") + idColumn(m_db)
                                     + QStringLiteral(" AS id, name FROM ghl_qr_users WHERE lower(email) = :email"),
                                 Tr::tr("look for user %1").arg(saved.email));
        if (!same)
            return same.error();
        if (auto r = same->bind(QStringLiteral(":email"), saved.email).exec(); !r)
            return r.error();
        while (same->next()) {
            const QString id = same->value(QStringLiteral("id")).toString();
            if (byEmail && saved.id.isEmpty()) {
                saved.id = id;
            } else if (id != saved.id) {
                const QString other = same->value(QStringLiteral("name")).toString();
                return core::makeError(core::Error::Kind::Invalid, QStringLiteral("db.duplicate"),
                                       other.isEmpty() ? Tr::tr("Another user already has the e-mail address %1.").arg(saved.email)
                                                       : Tr::tr("%1 already has the e-mail address %2: each user needs "
                                                                "their own.")
                                                             .arg(other, saved.email));
            }
        }
        same->finish();
        const QString returning = QStringLiteral(" RETURNING ") + idColumn(m_db) + QStringLiteral(" AS id, created_at, operator");
        auto q = saved.id.isEmpty()
            ? m_db.prepare(QStringLiteral("INSERT INTO ghl_qr_users (name, email, type) VALUES (:name, :email, :type)") + returning,
                           Tr::tr("add user %1").arg(saved.email))
            : m_db.prepare(QStringLiteral("UPDATE ghl_qr_users SET name = :name, email = :email, type = :type WHERE ")
                               + idColumn(m_db) + QStringLiteral(" = :id") + returning,
                           Tr::tr("save user %1").arg(saved.email));
        if (!q)
            return q.error();
        q->bind(QStringLiteral(":name"), saved.name).bind(QStringLiteral(":email"), saved.email).bind(QStringLiteral(":type"), saved.type);
        if (!saved.id.isEmpty())
            q->bind(QStringLiteral(":id"), saved.id);
        if (auto r = q->exec(); !r)
            return r.error();
        if (!q->next())
            return core::makeError(core::Error::Kind::NotFound, QStringLiteral("db.not_found"),
                                   Tr::tr("The user %1 is gone: another station removed it.").arg(saved.email));
        saved.id = q->value(QStringLiteral("id")).toString();
        saved.createdAt = timeFromDb(q->value(QStringLiteral("created_at")));
        saved.operatorName = q->value(QStringLiteral("operator")).toString();
        q->finish();
        return saved;
    });
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
