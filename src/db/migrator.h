#pragma once

#include "core/result.h"
#include "db/database.h"

#include <QList>
#include <QString>
#include <QStringList>

namespace qrt::db {

struct Migration
{
    int version = 0;
    QString name;
    QString sql;
};

struct MigrationReport
{
    QList<int> applied;     // versions applied by this run
    int currentVersion = 0; // after the run
};

// Applies the numbered SQL files of resources/sql/<dialect>/ (compiled in as Qt resources) that
// the database has not seen, in order, in one transaction, and records each in schema_migrations.
// Applied files are never edited; a change is a new file.
class Migrator
{
public:
    explicit Migrator(Database &db);

    static QList<Migration> available(Dialect dialect);
    // Splits a migration into statements: quotes, comments, $$-bodies and SQLite trigger bodies
    // (BEGIN ... END;) are kept whole.
    static QStringList splitStatements(const QString &sql);

    core::Result<int> currentVersion();
    core::Result<MigrationReport> migrate();

private:
    core::Result<void> ensureTable(QSqlDatabase &connection);
    Database &m_db;
};

} // namespace qrt::db
