#pragma once

#include "core/result.h"
#include "db/databaseurl.h"

#include <QMutex>
#include <QSqlDatabase>
#include <QSqlError>
#include <QString>
#include <QVariant>

#include <atomic>
#include <memory>

class QSqlQuery;

namespace qrt::db {

// Hands out one QSqlDatabase connection per thread (Qt's rule: a connection may only be used by
// the thread that created it). Repositories call connection() on the thread they run on; the
// connection is closed and removed when that thread ends.
class Database
{
public:
    explicit Database(DatabaseUrl url);
    ~Database();
    Database(const Database &) = delete;
    Database &operator=(const Database &) = delete;

    static core::Result<std::shared_ptr<Database>> open(const QString &url);

    const DatabaseUrl &url() const { return m_url; }
    Dialect dialect() const { return m_url.dialect; }
    bool isPostgres() const { return m_url.dialect == Dialect::PostgreSQL; }

    // A connection of its own under `name`, configured from the URL but not opened: for users that
    // need one outside the per-thread pool (the GUI's LISTEN connection). The caller removes it.
    struct ConnectionOptions
    {
        int connectTimeoutS = 5;
        int busyTimeoutMs = 10000;
        QString applicationName = QStringLiteral("qrtickets");
    };
    QSqlDatabase addConnection(const QString &name, const ConnectionOptions &options) const;

    // This thread's connection, opened (and reopened after a lost connection) on demand.
    core::Result<QSqlDatabase> connection();
    // Opens a connection and runs a trivial query: "is the database there and are we allowed in".
    core::Result<void> check();

    // Turns a failed query into a staff-readable error; a lost connection is closed so that the
    // next connection() reconnects.
    core::Error fail(const QSqlQuery &query, const QString &what);
    core::Error fail(const QSqlError &error, const QString &what);

    // SQL fragments that differ between the dialects.
    QString jsonParam() const; // a bound JSON text parameter
    QString nowExpr() const;   // the current time, in the stored format

private:
    struct ThreadConnection;
    QString connectionName() const;
    core::Result<QSqlDatabase> openNew(const QString &name);
    core::Error classify(const QSqlError &error) const;

    DatabaseUrl m_url;
    QString m_prefix;
};

// BEGIN ... COMMIT with rollback on scope exit. On SQLite a write transaction starts with
// BEGIN IMMEDIATE so two writers queue on the busy timeout instead of failing on upgrade.
class Transaction
{
public:
    Transaction(Database &db, QSqlDatabase connection);
    ~Transaction();
    Transaction(const Transaction &) = delete;
    Transaction &operator=(const Transaction &) = delete;

    core::Result<void> begin();
    core::Result<void> commit();
    void rollback();

private:
    Database &m_db;
    QSqlDatabase m_connection;
    bool m_open = false;
};

// Timestamps are stored as UTC; SQLite keeps them as ISO-8601 text ("2026-11-24T21:55:12.345Z"),
// which sorts correctly as text.
QVariant toDb(const QDateTime &time);
QDateTime timeFromDb(const QVariant &value);
QVariant textOrNull(const QString &text);

} // namespace qrt::db
