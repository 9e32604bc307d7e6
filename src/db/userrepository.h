#pragma once

#include "core/result.h"
#include "db/database.h"

#include <QDateTime>
#include <QList>
#include <QStringList>

namespace qrt::db {

// ghl_qr_users.type: the original system's "Admin" and "Super Admin", and "Door" for the rows
// `qrtickets operator add NAME --role door --email E` makes (operators.cpp). The only values the
// program writes.
namespace userType {
inline const QString Admin = QStringLiteral("Admin");
inline const QString SuperAdmin = QStringLiteral("Super Admin");
inline const QString Door = QStringLiteral("Door");
inline const QStringList all = { Admin, SuperAdmin, Door };
} // namespace userType

// ghl_qr_users of the original system: kept and editable, so an adopted database loses nothing.
struct User
{
    QString id; // uuid
    QString name;
    QString email;
    QString type; // one of userType::all
    QDateTime createdAt;
    // The PostgreSQL login linked to this user (ghl_qr_users.operator, set by `operator add --email`;
    // read only here), empty for none, and that login's group: "admin", "door", or empty when no
    // such login is in a QR Tickets group any more (or on SQLite, which has no logins).
    QString operatorName {};
    QString operatorRole {};
};

class UserRepository
{
public:
    explicit UserRepository(Database &db) : m_db(db) { }

    // One '@' with something on either side, no white space: the rule `operator add --email` and
    // the Users page share.
    static bool isEmailAddress(const QString &email);

    // By name (case-insensitively), then e-mail; each with its operator link.
    core::Result<QList<User>> list();
    // Inserts, or updates the user with the same e-mail address (in any letter case).
    core::Result<User> upsert(const User &user);
    // A new user; "db.duplicate" when another user has this e-mail address in any letter case.
    core::Result<User> add(const User &user);
    // Name, e-mail and type of the user user.id; "db.duplicate" as add(), NotFound when it is gone.
    core::Result<User> update(const User &user);
    core::Result<bool> remove(const QString &id);

private:
    core::Result<User> save(const User &user, bool byEmail);
    Database &m_db;
};

} // namespace qrt::db
