#pragma once

#include "core/result.h"

#include <QString>

namespace qrt::db {

enum class Dialect { SQLite, PostgreSQL };

// sqlite:///absolute/path/file.db  or  postgresql://user:password@host:port/dbname?sslmode=require
struct DatabaseUrl
{
    Dialect dialect = Dialect::SQLite;
    QString path; // SQLite file
    QString host;
    int port = 5432;
    QString user;
    QString password;
    QString name;
    QString connectOptions; // PostgreSQL libpq options from the query string, "k=v;k=v"

    static core::Result<DatabaseUrl> parse(const QString &text);
    // For messages and the status bar: never includes the password.
    QString display() const;
    QString kindName() const; // "SQLite" / "PostgreSQL"
};

} // namespace qrt::db
