#include "db/database.h"

#include "db/logging.h"
#include "db/searchtext.h"
#include "db/statementwatchdog.h"

#include <QCoreApplication>
#include <QDir>
#include <QFileInfo>
#include <QSqlDriver>
#include <QSqlQuery>
#include <QThread>
#include <QThreadStorage>
#include <QUuid>

namespace qrt::db {

namespace {
// Q_DECLARE_TR_FUNCTIONS gives lupdate and the program the same context for Tr::tr().
struct Tr
{
    Q_DECLARE_TR_FUNCTIONS(qrt::db::Database)
};

bool isConnectionLoss(const QSqlError &error)
{
    const QString text = error.databaseText() + u' ' + error.driverText();
    return error.type() == QSqlError::ConnectionError || text.contains(QStringLiteral("server closed the connection"))
        || text.contains(QStringLiteral("terminating connection")) || text.contains(QStringLiteral("no connection to the server"))
        || text.contains(QStringLiteral("connection to server")) || text.contains(QStringLiteral("could not send data"))
        || text.contains(QStringLiteral("could not receive data"));
}

// The client deadline of the statement running on this thread (see StatementWatchdog), so that
// fail() can tell "the watchdog cut it off" from a connection that broke by itself.
thread_local const StatementWatchdog::Watch *t_watch = nullptr;

// Arms the connection's client deadline for one statement, from construction to destruction.
class ArmedStatement
{
public:
    ArmedStatement(const Database &db, const QSqlDriver *driver)
        : m_watch(StatementWatchdog::watch(driver, db.isPostgres() ? db.options().clientTimeoutMs : 0)), m_previous(t_watch)
    {
        t_watch = &m_watch;
    }
    ~ArmedStatement() { t_watch = m_previous; }
    ArmedStatement(const ArmedStatement &) = delete;
    ArmedStatement &operator=(const ArmedStatement &) = delete;

private:
    StatementWatchdog::Watch m_watch;
    const StatementWatchdog::Watch *m_previous;
};
} // namespace

ConnectionOptions ConnectionOptions::door()
{
    ConnectionOptions o;
    o.connectTimeoutS = 3;
    o.busyTimeoutMs = 3000;
    o.applicationName = QStringLiteral("qrtickets-door");
    o.keepalivesIdleS = 5;
    o.keepalivesIntervalS = 2;
    o.keepalivesCount = 2;
    o.tcpUserTimeoutMs = 5000;
    o.statementTimeoutMs = 3000;
    o.clientTimeoutMs = 5000;
    return o;
}

ConnectionOptions ConnectionOptions::sync()
{
    ConnectionOptions o;
    o.applicationName = QStringLiteral("qrtickets-sync");
    o.statementTimeoutMs = 60000;
    o.clientTimeoutMs = 90000;
    return o;
}

// Lives in a QThreadStorage: removed when its thread ends, so connections do not pile up.
struct Database::ThreadConnection
{
    QString name;
    ~ThreadConnection()
    {
        if (QSqlDatabase::contains(name)) {
            QSqlDatabase::database(name, false).close();
            QSqlDatabase::removeDatabase(name);
        }
    }
};

namespace {
QThreadStorage<QHash<QString, std::shared_ptr<void>> *> &threadConnections()
{
    static QThreadStorage<QHash<QString, std::shared_ptr<void>> *> storage;
    return storage;
}
} // namespace

Database::Database(DatabaseUrl url, ConnectionOptions options)
    : m_url(std::move(url)), m_options(std::move(options)), m_prefix(QStringLiteral("qrt-") + QUuid::createUuid().toString(QUuid::Id128).left(12))
{
}

Database::~Database()
{
    // Only this thread's connection can be removed safely from here; others go with their threads.
    if (threadConnections().hasLocalData())
        threadConnections().localData()->remove(connectionName());
}

core::Result<std::shared_ptr<Database>> Database::open(const QString &url)
{
    auto parsed = DatabaseUrl::parse(url);
    if (!parsed)
        return parsed.error();
    return std::make_shared<Database>(parsed.value());
}

QString Database::connectionName() const
{
    return m_prefix + u'-' + QString::number(reinterpret_cast<quintptr>(QThread::currentThread()), 16);
}

core::Result<QSqlDatabase> Database::connection()
{
    const QString name = connectionName();
    if (QSqlDatabase::contains(name)) {
        QSqlDatabase db = QSqlDatabase::database(name, false);
        if (db.isOpen())
            return db;
        if (!db.open())
            return classify(db.lastError());
        return db;
    }
    return openNew(name);
}

std::shared_ptr<Database> Database::withOptions(const ConnectionOptions &options) const
{
    return std::make_shared<Database>(m_url, options);
}

QString Database::connectOptionsFor(const ConnectionOptions &options)
{
    // libpq conninfo keywords, ';'-separated as QPSQL takes them. Keepalives and tcp_user_timeout
    // let the operating system give up on a connection whose network vanished.
    QStringList o;
    o << QStringLiteral("connect_timeout=") + QString::number(options.connectTimeoutS)
      << QStringLiteral("application_name=") + options.applicationName;
    if (options.keepalivesIdleS > 0) {
        o << QStringLiteral("keepalives=1") << QStringLiteral("keepalives_idle=") + QString::number(options.keepalivesIdleS)
          << QStringLiteral("keepalives_interval=") + QString::number(std::max(1, options.keepalivesIntervalS))
          << QStringLiteral("keepalives_count=") + QString::number(std::max(1, options.keepalivesCount));
    }
    if (options.tcpUserTimeoutMs > 0)
        o << QStringLiteral("tcp_user_timeout=") + QString::number(options.tcpUserTimeoutMs);
    return o.join(u';');
}

QSqlDatabase Database::addConnection(const QString &name, const ConnectionOptions &options) const
{
    const bool sqlite = m_url.dialect == Dialect::SQLite;
    QSqlDatabase db = QSqlDatabase::addDatabase(sqlite ? QStringLiteral("QSQLITE") : QStringLiteral("QPSQL"), name);
    if (sqlite) {
        db.setDatabaseName(m_url.path);
        db.setConnectOptions(QStringLiteral("QSQLITE_BUSY_TIMEOUT=") + QString::number(options.busyTimeoutMs));
    } else {
        db.setHostName(m_url.host);
        db.setPort(m_url.port);
        db.setUserName(m_url.user);
        db.setPassword(m_url.password);
        db.setDatabaseName(m_url.name);
        QString connectOptions = connectOptionsFor(options);
        if (!m_url.connectOptions.isEmpty()) // the URL's own come last: libpq takes the last of a keyword
            connectOptions += u';' + m_url.connectOptions;
        db.setConnectOptions(connectOptions);
    }
    return db;
}

core::Result<QSqlDatabase> Database::openNew(const QString &name)
{
    const bool sqlite = m_url.dialect == Dialect::SQLite;
    const QString driver = sqlite ? QStringLiteral("QSQLITE") : QStringLiteral("QPSQL");
    if (!QSqlDatabase::isDriverAvailable(driver))
        return core::makeError(QStringLiteral("db.driver"),
                               Tr::tr("The Qt %1 database driver (%2) is not installed; reinstall QR Tickets or add "
                                  "the Qt SQL driver package.")
                                   .arg(m_url.kindName(), driver));
    if (sqlite)
        QDir().mkpath(QFileInfo(m_url.path).absolutePath());
    addConnection(name, m_options);
    auto guard = std::make_shared<ThreadConnection>();
    guard->name = name;
    if (!threadConnections().hasLocalData())
        threadConnections().setLocalData(new QHash<QString, std::shared_ptr<void>>());
    threadConnections().localData()->insert(name, guard);

    QSqlDatabase db = QSqlDatabase::database(name, false);
    if (!db.open()) {
        const core::Error error = classify(db.lastError());
        threadConnections().localData()->remove(name);
        return error;
    }
    if (!sqlite && m_options.statementTimeoutMs > 0) {
        // Set here rather than as a start-up option: connection poolers (PgBouncer, Supavisor)
        // refuse start-up options they do not know.
        QSqlQuery q(db);
        ArmedStatement armed(*this, db.driver());
        if (!q.exec(QStringLiteral("SET statement_timeout = ") + QString::number(m_options.statementTimeoutMs))) {
            const core::Error error = fail(q, Tr::tr("set the statement timeout"));
            threadConnections().localData()->remove(name);
            return error;
        }
    }
    if (sqlite) {
        QSqlQuery q(db);
        // WAL lets the GUI read while `qrtickets serve` writes the same file.
        for (const char *pragma : { "PRAGMA journal_mode=WAL", "PRAGMA foreign_keys=ON", "PRAGMA synchronous=NORMAL" }) {
            if (!q.exec(QString::fromLatin1(pragma))) {
                const core::Error error = classify(q.lastError());
                threadConnections().localData()->remove(name);
                return error;
            }
        }
    }
    if (sqlite) {
        // Name sorts and the name index of migration 0012 need the collation on every connection.
        if (auto r = registerSqliteCollation(db); !r) {
            threadConnections().localData()->remove(name);
            return r.error();
        }
    }
    qCDebug(lcDb) << "opened" << m_url.kindName() << "connection" << m_url.display() << "for thread"
                  << QThread::currentThread();
    return db;
}

int Database::cutStatementsOn(const QThread *thread)
{
    return StatementWatchdog::cutNow(thread);
}

core::Result<void> Database::check()
{
    auto db = connection();
    if (!db)
        return db.error();
    QSqlQuery q(db.value());
    ArmedStatement armed(*this, q.driver());
    if (!q.exec(QStringLiteral("SELECT 1")))
        return fail(q, Tr::tr("check the connection"));
    return {};
}

core::Error Database::classify(const QSqlError &error) const
{
    const QString text = error.databaseText() + u' ' + error.driverText();
    if (m_url.dialect == Dialect::SQLite)
        return core::makeError(QStringLiteral("db.open"),
                               Tr::tr("The database file %1 cannot be opened. Check that the folder exists and is "
                                  "writable.")
                                   .arg(QDir::toNativeSeparators(m_url.path)),
                               text.trimmed());
    if (text.contains(QStringLiteral("password authentication failed")) || text.contains(QStringLiteral("no password supplied"))
        || (text.contains(QStringLiteral("role \"")) && text.contains(QStringLiteral("does not exist"))))
        return core::makeError(core::Error::Kind::Unauthorized, QStringLiteral("db.auth"),
                               Tr::tr("PostgreSQL at %1:%2 refused the user name or password. Check the user and "
                                  "password in the database URL.")
                                   .arg(m_url.host)
                                   .arg(m_url.port),
                               text.trimmed());
    if (text.contains(QStringLiteral("database \"")) && text.contains(QStringLiteral("does not exist")))
        return core::makeError(core::Error::Kind::NotFound, QStringLiteral("db.missing"),
                               Tr::tr("The database \"%1\" does not exist on the PostgreSQL server %2:%3. Create it, or "
                                  "fix the name in the database URL.")
                                   .arg(m_url.name, m_url.host)
                                   .arg(m_url.port),
                               text.trimmed());
    if (isConnectionLoss(error) || text.contains(QStringLiteral("Connection refused"))
        || text.contains(QStringLiteral("could not connect")) || text.contains(QStringLiteral("timeout expired"))
        || text.contains(QStringLiteral("could not translate host name")))
        return core::makeError(core::Error::Kind::Unreachable, QStringLiteral("db.unreachable"),
                               Tr::tr("The PostgreSQL server at %1:%2 cannot be reached. Check that it is running and "
                                  "that the host and port in the database URL are right.")
                                   .arg(m_url.host)
                                   .arg(m_url.port),
                               text.trimmed());
    return core::makeError(core::Error::Kind::Database, QStringLiteral("db.error"), Tr::tr("The database reported an error."),
                           text.trimmed());
}

core::Error Database::fail(const QSqlQuery &query, const QString &what)
{
    return fail(query.lastError(), what);
}

core::Error Database::fail(const QSqlError &error, const QString &what)
{
    if (t_watch && t_watch->fired()) {
        // The watchdog shut the socket down: the network (or the server) went silent.
        const QString name = connectionName();
        if (QSqlDatabase::contains(name))
            QSqlDatabase::database(name, false).close();
        qCWarning(lcDb).noquote() << "no answer within" << m_options.clientTimeoutMs << "ms while trying to" << what;
        return core::makeError(core::Error::Kind::Timeout, QStringLiteral("db.timeout"),
                               Tr::tr("The database server %1 did not answer within %2 s while trying to %3. Check the "
                                      "network to the database server; the next attempt connects again.")
                                   .arg(m_url.display())
                                   .arg((m_options.clientTimeoutMs + 999) / 1000)
                                   .arg(what),
                               error.text().trimmed());
    }
    const QString state = error.nativeErrorCode();
    if (isPostgres() && state == u"57014") { // query_canceled: statement_timeout (or a cancel)
        qCWarning(lcDb).noquote() << "statement timeout while trying to" << what << ":" << error.text();
        return core::makeError(core::Error::Kind::Timeout, QStringLiteral("db.statement_timeout"),
                               Tr::tr("The database did not finish in time while trying to %1 (another station or a sync "
                                      "may be holding the rows). Try again.")
                                   .arg(what),
                               error.text().trimmed());
    }
    if (isPostgres() && (state == u"40P01" || state == u"40001")) {
        // The transaction was chosen as a deadlock victim or could not be serialized: running it
        // again normally succeeds (OrderWriter does).
        qCInfo(lcDb).noquote() << "transaction conflict while trying to" << what << ":" << error.text();
        return core::makeError(core::Error::Kind::Database,
                               state == u"40P01" ? QStringLiteral("db.deadlock") : QStringLiteral("db.serialization"),
                               Tr::tr("The database could not %1 because another station changed the same rows at the "
                                      "same moment.")
                                   .arg(what),
                               error.text().trimmed());
    }
    if (isConnectionLoss(error)) {
        // Drop the broken connection: the next connection() opens a fresh one.
        const QString name = connectionName();
        if (QSqlDatabase::contains(name))
            QSqlDatabase::database(name, false).close();
        core::Error e = classify(error);
        e.kind = core::Error::Kind::ConnectionLost;
        e.code = QStringLiteral("db.connection_lost");
        e.message = Tr::tr("The connection to the database was lost while trying to %1. It will reconnect on the next "
                       "attempt; if this repeats, check the database server.")
                        .arg(what);
        return e;
    }
    qCWarning(lcDb).noquote() << "query failed while trying to" << what << ":" << error.text();
    return core::makeError(core::Error::Kind::Database, QStringLiteral("db.query"), Tr::tr("The database could not %1.").arg(what),
                           error.text().trimmed());
}

QString Database::jsonParam() const
{
    return isPostgres() ? QStringLiteral("CAST(? AS jsonb)") : QStringLiteral("?");
}

QString Database::jsonParam(const QString &placeholder) const
{
    return isPostgres() ? QStringLiteral("CAST(") + placeholder + QStringLiteral(" AS jsonb)") : placeholder;
}

QString Database::nowExpr() const
{
    return isPostgres() ? QStringLiteral("now()") : QStringLiteral("strftime('%Y-%m-%dT%H:%M:%fZ','now')");
}

QString Database::nowPlusExpr(const QString &placeholder) const
{
    // The seconds are bound as a number for PostgreSQL and as a strftime modifier ("+60 seconds")
    // for SQLite; see secondsValue().
    return isPostgres() ? QStringLiteral("(now() + CAST(%1 AS integer) * interval '1 second')").arg(placeholder)
                        : QStringLiteral("strftime('%Y-%m-%dT%H:%M:%fZ', 'now', %1)").arg(placeholder);
}

QVariant Database::secondsValue(int seconds) const
{
    if (isPostgres())
        return seconds;
    return QStringLiteral("%1%2 seconds").arg(seconds < 0 ? QStringLiteral("-") : QStringLiteral("+")).arg(std::abs(seconds));
}

Transaction::Transaction(Database &db, QSqlDatabase connection) : m_db(db), m_connection(std::move(connection)) { }

Transaction::~Transaction()
{
    rollback();
}

core::Result<void> Transaction::begin()
{
    QSqlQuery q(m_connection);
    ArmedStatement armed(m_db, m_connection.driver());
    const QString sql = m_db.isPostgres() ? QStringLiteral("BEGIN") : QStringLiteral("BEGIN IMMEDIATE");
    if (!q.exec(sql))
        return m_db.fail(q, Tr::tr("start a transaction"));
    m_open = true;
    return {};
}

core::Result<void> Transaction::commit()
{
    QSqlQuery q(m_connection);
    ArmedStatement armed(m_db, m_connection.driver());
    if (!q.exec(QStringLiteral("COMMIT"))) {
        const core::Error error = m_db.fail(q, Tr::tr("save the changes"));
        rollback();
        return error;
    }
    m_open = false;
    return {};
}

void Transaction::rollback()
{
    if (!m_open)
        return;
    m_open = false;
    if (m_connection.isOpen()) {
        QSqlQuery q(m_connection);
        ArmedStatement armed(m_db, m_connection.driver());
        q.exec(QStringLiteral("ROLLBACK"));
    }
}

QVariant toDb(const QDateTime &time)
{
    if (!time.isValid())
        return QVariant(QMetaType(QMetaType::QString));
    return time.toUTC().toString(Qt::ISODateWithMs);
}

QDateTime timeFromDb(const QVariant &value)
{
    if (value.isNull())
        return {};
    if (value.typeId() == QMetaType::QDateTime)
        return value.toDateTime().toUTC();
    QString s = value.toString();
    if (s.isEmpty())
        return {};
    s.replace(u' ', u'T');
    QDateTime t = QDateTime::fromString(s, Qt::ISODateWithMs);
    if (t.isValid() && t.timeSpec() == Qt::LocalTime)
        t.setTimeSpec(Qt::UTC);
    return t.toUTC();
}

QVariant textOrNull(const QString &text)
{
    return text.isNull() ? QVariant(QMetaType(QMetaType::QString)) : QVariant(text);
}

core::Result<Query> Database::prepare(const QString &sql, const QString &what)
{
    auto c = connection();
    if (!c)
        return c.error();
    QSqlQuery q(c.value());
    q.setForwardOnly(true);
    ArmedStatement armed(*this, q.driver()); // QPSQL prepares on the server: a round trip too
    if (!q.prepare(sql))
        return fail(q, what);
    return Query(*this, std::move(q), what);
}

Query::Query(Database &db, QSqlQuery query, QString what) : m_db(&db), m_query(std::move(query)), m_what(std::move(what))
{
}

Query &Query::bind(const QString &placeholder, const QVariant &value)
{
    m_query.bindValue(placeholder, value);
    return *this;
}

core::Result<void> Query::exec()
{
    ArmedStatement armed(*m_db, m_query.driver());
    if (!m_query.exec())
        return fail();
    m_record = m_query.record();
    return {};
}

core::Result<void> Query::execFirst()
{
    if (auto r = exec(); !r)
        return r;
    if (!m_query.next())
        return fail();
    return {};
}

QVariant Query::value(const QString &column) const
{
    const int index = m_record.indexOf(column);
    if (index < 0) {
        qCCritical(lcDb) << "no column" << column << "in the result of the statement to" << m_what;
        Q_ASSERT_X(false, "Query::value", "column not in the result");
        return {};
    }
    return m_query.value(index);
}

core::Error Query::fail() const
{
    return m_db->fail(m_query, m_what);
}

} // namespace qrt::db
