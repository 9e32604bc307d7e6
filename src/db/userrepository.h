#pragma once

#include "core/result.h"
#include "db/database.h"

#include <QDateTime>
#include <QList>

namespace qrt::db {

// ghl_qr_users of the original system: kept and editable, so an adopted database loses nothing.
struct User
{
    QString id; // uuid
    QString name;
    QString email;
    QString type; // "Admin", "Super Admin"
    QDateTime createdAt;
};

class UserRepository
{
public:
    explicit UserRepository(Database &db) : m_db(db) { }

    core::Result<QList<User>> list();
    // Inserts, or updates the user with the same e-mail address.
    core::Result<User> upsert(const User &user);
    core::Result<bool> remove(const QString &id);

private:
    Database &m_db;
};

} // namespace qrt::db
