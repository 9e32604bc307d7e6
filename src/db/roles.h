#pragma once

#include "core/result.h"
#include "db/database.h"

#include <QByteArray>
#include <QList>
#include <QString>

// Operators and door roles, enforced by PostgreSQL (issue 13; PRODUCT.md 4b "Operators and roles",
// "Roles, precisely"). `qrtickets roles install` and `qrtickets operator ...` run as the owner of the
// tables (a role with CREATEROLE; on Supabase the `postgres` user). SQLite has no roles.
namespace qrt::db {

inline const QString kAdminGroup = QStringLiteral("qrtickets_admin");
inline const QString kDoorGroup = QStringLiteral("qrtickets_door");

// One LOGIN role in qrtickets_admin or qrtickets_door.
struct Operator
{
    QString name;
    QString role;  // "admin" | "door"
    QString email; // the ghl_qr_users row linked to it, empty for none
    int sessions = 0;
};

// What `operator add` hands back once: the password is never stored or logged by this program.
struct NewOperator
{
    Operator who;
    QString password;
    QString databaseUrl; // the connecting URL with this login and password: for the station's Settings
};

class Roles
{
public:
    explicit Roles(Database &db) : m_db(db) { }

    // Creates or updates the groups, the door's views and functions, and the grants
    // (resources/sql/roles/postgresql_roles.sql). Idempotent and additive.
    core::Result<void> install();

    core::Result<NewOperator> addOperator(const QString &name, const QString &role, const QString &email);
    core::Result<QList<Operator>> operators();
    // Drops the login (only a QR Tickets operator) after ending its sessions; the count ended.
    core::Result<int> removeOperator(const QString &name);

    // NAME as a login: lower-case letters, digits and '_', starting with a letter or '_', at most
    // 63 characters, not pg_* and not a group's name. Anything else is refused, never quoted through.
    static core::Result<void> validateName(const QString &name);
    static QString quoteIdentifier(const QString &name);
    // 24 characters from [A-Za-z0-9] from the system's random source (about 143 bits).
    static QString generatePassword();
    // The SCRAM-SHA-256 verifier PostgreSQL stores for `password` (RFC 5802/7677, as libpq's
    // PQencryptPasswordConn makes it): CREATE ROLE gets this, never the password itself, so not even
    // a server that logs every statement sees it.
    static QString scramVerifier(const QString &password, const QByteArray &salt);
    // `url` with another user and password, as a postgresql:// URL (its options kept).
    static QString urlWith(const DatabaseUrl &url, const QString &user, const QString &password);

private:
    core::Result<void> requirePostgres() const;
    core::Result<void> requireCreateRole();
    core::Result<void> requireGroups();
    core::Result<std::optional<QString>> groupOf(const QString &name); // "admin" | "door" | none
    core::Result<bool> roleExists(const QString &name);
    core::Result<void> run(const QString &sql, const QString &what);

    Database &m_db;
};

} // namespace qrt::db
