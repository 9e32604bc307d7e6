#pragma once

#include "core/result.h"
#include "db/databaseurl.h"

#include <QMutex>
#include <QSqlDatabase>
#include <QSqlError>
#include <QSqlQuery>
#include <QSqlRecord>
#include <QString>
#include <QVariant>

#include <atomic>
#include <memory>
#include <type_traits>

class QThread;

namespace qrt::db {

class Database;

// One statement on this thread's connection, made by Database::prepare(). Values are bound by
// placeholder name (":order_id") and read by column name (as the SELECT or RETURNING names it),
// so adding a column cannot shift the others; every failure is a readable error that names what
// was being done.
class Query
{
public:
    Query(Database &db, QSqlQuery query, QString what);

    Query &bind(const QString &placeholder, const QVariant &value);
    core::Result<void> exec();
    // exec(), then the first row: for statements that always return one (count(*), RETURNING).
    core::Result<void> execFirst();
    bool next() { return m_query.next(); }
    QVariant value(const QString &column) const;
    int rowsAffected() const { return m_query.numRowsAffected(); }
    void finish() { m_query.finish(); }
    // What a failure of the next exec() says could not be done, for a statement run many times.
    Query &describe(const QString &what)
    {
        m_what = what;
        return *this;
    }
    // This statement's error as Database::fail() words it.
    core::Error fail() const;

private:
    Database *m_db;
    QSqlQuery m_query;
    QString m_what;
    QSqlRecord m_record; // the result's columns, read once per exec()
};

// How a Database's connections are made (PostgreSQL; SQLite takes only busyTimeoutMs). Every
// PostgreSQL connection carries libpq keepalives and tcp_user_timeout, so a dropped network is
// noticed by the operating system instead of a read waiting for ever; door() and sync() add a
// statement_timeout (set after connecting) and a client deadline: a statement whose answer has
// not arrived within clientTimeoutMs has its socket shut down by a watchdog thread, so the call
// returns a Timeout error even when the network swallows packets without a reset.
struct ConnectionOptions
{
    int connectTimeoutS = 5;
    int busyTimeoutMs = 10000;
    QString applicationName = QStringLiteral("qrtickets");
    int keepalivesIdleS = 10;     // libpq keepalives_idle: first probe after this much silence
    int keepalivesIntervalS = 5;  // keepalives_interval
    int keepalivesCount = 3;      // keepalives_count: probes lost before the connection is dead
    int tcpUserTimeoutMs = 20000; // tcp_user_timeout: sent data unacknowledged this long: dead
    int statementTimeoutMs = 0;   // PostgreSQL statement_timeout; 0: the server's default
    int clientTimeoutMs = 0;      // the client deadline per statement (needs libpq); 0: none

    // The door: a scan answers within seconds or says the database is not answering.
    static ConnectionOptions door();
    // A sync's writer: long batches are normal, a stuck statement is not.
    static ConnectionOptions sync();
};

// Hands out one QSqlDatabase connection per thread (Qt's rule: a connection may only be used by
// the thread that created it). Repositories call connection() on the thread they run on; the
// connection is closed and removed when that thread ends.
class Database
{
public:
    explicit Database(DatabaseUrl url, ConnectionOptions options = {});
    ~Database();
    Database(const Database &) = delete;
    Database &operator=(const Database &) = delete;

    static core::Result<std::shared_ptr<Database>> open(const QString &url);

    const DatabaseUrl &url() const { return m_url; }
    Dialect dialect() const { return m_url.dialect; }
    bool isPostgres() const { return m_url.dialect == Dialect::PostgreSQL; }

    using ConnectionOptions = db::ConnectionOptions;
    // A connection of its own under `name`, configured from the URL but not opened: for users that
    // need one outside the per-thread pool (the GUI's LISTEN connection). The caller removes it.
    QSqlDatabase addConnection(const QString &name, const ConnectionOptions &options) const;
    // The conninfo keywords addConnection() gives QPSQL (without the URL's own), for tests and logs.
    static QString connectOptionsFor(const ConnectionOptions &options);

    const ConnectionOptions &options() const { return m_options; }
    // The same database through connections made with other options (a separate per-thread pool).
    std::shared_ptr<Database> withOptions(const ConnectionOptions &options) const;

    // This thread's connection, opened (and reopened after a lost connection) on demand.
    core::Result<QSqlDatabase> connection();
    // Opens a connection and runs a trivial query: "is the database there and are we allowed in".
    core::Result<void> check();
    // Ends now every PostgreSQL statement in flight on `thread` as if its client deadline had passed
    // (it fails as db.timeout): an owner stopping that thread never waits for a silent network.
    static int cutStatementsOn(const QThread *thread);

    // The preamble of every repository call: this thread's connection, the statement prepared,
    // or an error that says what could not be done (`what` completes "The database could not …").
    core::Result<Query> prepare(const QString &sql, const QString &what);

    // Runs fn() (returning a core::Result) between BEGIN and COMMIT on this thread's connection:
    // committed when fn succeeds, rolled back when it returns an error or throws. Statements that
    // fn prepares with prepare() run on the same connection, so inside the transaction.
    template <typename Fn>
    std::invoke_result_t<Fn> inTransaction(Fn &&fn);

    // Turns a failed query into a staff-readable error; a lost connection is closed so that the
    // next connection() reconnects.
    core::Error fail(const QSqlQuery &query, const QString &what);
    core::Error fail(const QSqlError &error, const QString &what);

    // SQL fragments that differ between the dialects.
    QString jsonParam() const; // a bound JSON text parameter
    QString jsonParam(const QString &placeholder) const; // the same, by name (":summary")
    QString nowExpr() const;   // the current time, in the stored format
    // The database's now plus the seconds bound to `placeholder` (bind secondsValue(n) to it): a
    // lease's end from the database's clock, never a station's.
    QString nowPlusExpr(const QString &placeholder) const;
    QVariant secondsValue(int seconds) const;

private:
    struct ThreadConnection;
    QString connectionName() const;
    core::Result<QSqlDatabase> openNew(const QString &name);
    core::Error classify(const QSqlError &error) const;

    DatabaseUrl m_url;
    ConnectionOptions m_options;
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
// A constant of ours (a status spelling, never user input) as an SQL string literal: for
// statements whose text must carry it, such as those matched against a partial index.
inline QString sqlString(const QString &constant)
{
    return u'\'' + constant + u'\'';
}

template <typename Fn>
std::invoke_result_t<Fn> Database::inTransaction(Fn &&fn)
{
    auto c = connection();
    if (!c)
        return c.error();
    Transaction tx(*this, c.value());
    if (auto r = tx.begin(); !r)
        return r.error();
    std::invoke_result_t<Fn> result = fn(); // an exception leaves through ~Transaction: rolled back
    if (!result)
        return result;
    if (auto r = tx.commit(); !r)
        return r.error();
    return result;
}

} // namespace qrt::db
