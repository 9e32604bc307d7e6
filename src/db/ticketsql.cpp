#include "db/ticketsql.h"

#include <QCoreApplication>
#include <QPointer>
#include <QSqlDriver>

#include <map>

#ifdef QRT_HAVE_LIBPQ
#include <libpq-fe.h>
#endif

namespace qrt::db::ticketsql {

namespace {
// Q_DECLARE_TR_FUNCTIONS gives lupdate and the program the same context for Tr::tr().
struct Tr
{
    Q_DECLARE_TR_FUNCTIONS(qrt::db::TicketRepository)
};
// The prepared statements of one connection, a child of its driver (deleted with it).
class StatementCache : public QObject
{
public:
    explicit StatementCache(QSqlDriver *driver) : QObject(driver) { setObjectName(QStringLiteral("qrt-statement-cache")); }
    qint64 backend = -1; // which server connection the statements were prepared on
    std::map<QString, Query> statements;
};

// The server connection behind a driver: PostgreSQL's backend process (a reconnect gets another
// one; the PGconn may come back at the same address), else the handle itself.
qint64 backendOf(const QSqlDriver *driver)
{
    const QVariant handle = driver->handle();
    if (!handle.isValid() || !handle.constData())
        return -1;
    void *pointer = *static_cast<void *const *>(handle.constData());
#ifdef QRT_HAVE_LIBPQ
    if (qstrcmp(handle.typeName(), "PGconn*") == 0 || qstrcmp(handle.typeName(), "pg_conn*") == 0)
        return pointer ? PQbackendPID(static_cast<PGconn *>(pointer)) : -1;
#endif
    return qint64(reinterpret_cast<quintptr>(pointer));
}

// The cache cached() used last on this thread, for execCached() to empty after a failure without
// touching the connection again (a broken one would reconnect).
thread_local QPointer<StatementCache> t_lastCache;

StatementCache *cacheOf(QSqlDriver *driver)
{
    auto *cache = driver->findChild<StatementCache *>(QStringLiteral("qrt-statement-cache"), Qt::FindDirectChildrenOnly);
    return cache ? cache : new StatementCache(driver);
}
} // namespace

using core::TicketStatus;

core::Result<Query> cached(Database &db, const QString &sql, const QString &what)
{
    auto c = db.connection();
    if (!c)
        return c.error();
    QSqlDriver *driver = c.value().driver();
    StatementCache *cache = cacheOf(driver);
    t_lastCache = cache;
    const qint64 backend = backendOf(driver);
    if (cache->backend != backend) {
        cache->statements.clear();
        cache->backend = backend;
    }
    if (auto it = cache->statements.find(sql); it != cache->statements.end()) {
        Query q = it->second;
        return std::move(q.describe(what));
    }
    auto q = db.prepare(sql, what);
    if (!q)
        return q.error();
    cache->statements.insert_or_assign(sql, q.value());
    return q;
}

core::Result<void> execCached(Database &db, Query &q)
{
    auto r = q.exec();
    if (!r) {
        // A statement the server no longer knows, or a connection that broke: prepare afresh next time.
        Q_UNUSED(db)
        if (t_lastCache)
            t_lastCache->statements.clear();
    }
    return r;
}

const QString kTicketColumns =
    QStringLiteral("ticket_id, order_id, ticket_type, product_id, status, code, created_at, updated_at, updated_by");

QString sqlStatus(TicketStatus status)
{
    return sqlString(core::toString(status));
}

core::Ticket ticketFrom(const Query &q)
{
    core::Ticket t;
    t.ticketId = q.value(QStringLiteral("ticket_id")).toLongLong();
    t.orderId = q.value(QStringLiteral("order_id")).toString();
    t.ticketType = q.value(QStringLiteral("ticket_type")).toString();
    t.productId = q.value(QStringLiteral("product_id")).toString();
    t.status = core::ticketStatusFromString(q.value(QStringLiteral("status")).toString()).value_or(TicketStatus::Live);
    t.code = q.value(QStringLiteral("code")).toString();
    t.createdAt = timeFromDb(q.value(QStringLiteral("created_at")));
    t.updatedAt = timeFromDb(q.value(QStringLiteral("updated_at")));
    t.updatedBy = q.value(QStringLiteral("updated_by")).toString();
    return t;
}

QString eventCondition(const QStringList &events)
{
    if (events.isEmpty())
        return QString();
    QStringList placeholders;
    for (qsizetype i = 0; i < events.size(); ++i)
        placeholders << QStringLiteral("lower(:ev%1)").arg(i);
    return QStringLiteral(" AND lower(") + kTicketEventExpr + QStringLiteral(") IN (") + placeholders.join(QStringLiteral(", "))
        + u')';
}

void bindEvents(Query &q, const QStringList &events)
{
    for (qsizetype i = 0; i < events.size(); ++i)
        q.bind(QStringLiteral(":ev%1").arg(i), events.at(i));
}

core::Result<void> insertEvent(Database &db, qint64 ticketId, const QString &orderId, std::optional<TicketStatus> from,
                               TicketStatus to, const QString &actor, const QString &reason)
{
    auto q = db.prepare(QStringLiteral("INSERT INTO ticket_events (ticket_id, order_id, from_status, to_status, at, "
                                       "actor, reason) VALUES (:ticket_id, :order_id, :from_status, :to_status, ")
                            + db.nowExpr() + QStringLiteral(", :actor, :reason)"),
                        Tr::tr("record the ticket change"));
    if (!q)
        return q.error();
    q->bind(QStringLiteral(":ticket_id"), ticketId)
        .bind(QStringLiteral(":order_id"), orderId)
        .bind(QStringLiteral(":from_status"), from ? QVariant(core::toString(*from)) : QVariant(QMetaType(QMetaType::QString)))
        .bind(QStringLiteral(":to_status"), core::toString(to))
        .bind(QStringLiteral(":actor"), textOrNull(actor))
        .bind(QStringLiteral(":reason"), textOrNull(reason));
    return q->exec();
}

core::Result<bool> changeIn(Database &db, qint64 ticketId, const QString &orderId, TicketStatus from, TicketStatus to,
                            const QString &reason, const QString &actor)
{
    auto q = db.prepare(QStringLiteral("UPDATE ghl_qr_tickets SET status = :to, updated_at = ") + db.nowExpr()
                            + QStringLiteral(", updated_by = :actor WHERE ticket_id = :ticket_id AND status = :from"),
                        Tr::tr("change ticket %1").arg(ticketId));
    if (!q)
        return q.error();
    q->bind(QStringLiteral(":to"), core::toString(to))
        .bind(QStringLiteral(":actor"), textOrNull(actor))
        .bind(QStringLiteral(":ticket_id"), ticketId)
        .bind(QStringLiteral(":from"), core::toString(from));
    if (auto r = q->exec(); !r)
        return r.error();
    if (q->rowsAffected() != 1)
        return false;
    if (auto r = insertEvent(db, ticketId, orderId, from, to, actor, reason); !r)
        return r.error();
    return true;
}

} // namespace qrt::db::ticketsql
