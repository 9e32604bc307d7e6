#include "db/syncrunrepository.h"

#include <QCoreApplication>
#include <QJsonDocument>

#include <algorithm>

namespace qrt::db {

namespace {
// Q_DECLARE_TR_FUNCTIONS gives lupdate and the program the same context for Tr::tr().
struct Tr
{
    Q_DECLARE_TR_FUNCTIONS(qrt::db::SyncRunRepository)
};

const QString kColumns = QStringLiteral("id, mode, station, started_at, finished_at, status, total_orders, "
                                        "synced_orders, failed_orders, requests, tickets_added, tickets_cancelled, "
                                        "watermark, summary, error");

QString runningSql()
{
    return sqlString(SyncRunStatus::Running);
}
} // namespace

core::Result<qint64> SyncRunRepository::start(const QString &mode, const QString &station)
{
    auto q = m_db.prepare(QStringLiteral("INSERT INTO sync_runs (mode, station, started_at, heartbeat_at, status) VALUES "
                                         "(:mode, :station, ")
                              + m_db.nowExpr() + QStringLiteral(", ") + m_db.nowExpr() + QStringLiteral(", ") + runningSql()
                              + QStringLiteral(") RETURNING id"),
                          Tr::tr("record the start of a sync run"));
    if (!q)
        return q.error();
    if (auto r = q->bind(QStringLiteral(":mode"), mode).bind(QStringLiteral(":station"), textOrNull(station)).execFirst(); !r)
        return r.error();
    return q->value(QStringLiteral("id")).toLongLong();
}

core::Result<void> SyncRunRepository::finish(const SyncRunRecord &r)
{
    auto q = m_db.prepare(QStringLiteral("UPDATE sync_runs SET finished_at = ") + m_db.nowExpr()
                              + QStringLiteral(", status = :status, total_orders = :total_orders, synced_orders = "
                                               ":synced_orders, failed_orders = :failed_orders, requests = :requests, "
                                               "tickets_added = :tickets_added, tickets_cancelled = :tickets_cancelled, "
                                               "watermark = :watermark, summary = ")
                              + m_db.jsonParam(QStringLiteral(":summary")) + QStringLiteral(", error = :error WHERE id = :id"),
                          Tr::tr("record the outcome of sync run %1").arg(r.id));
    if (!q)
        return q.error();
    q->bind(QStringLiteral(":status"), r.status)
        .bind(QStringLiteral(":total_orders"), r.totalOrders)
        .bind(QStringLiteral(":synced_orders"), r.syncedOrders)
        .bind(QStringLiteral(":failed_orders"), r.failedOrders)
        .bind(QStringLiteral(":requests"), r.requests)
        .bind(QStringLiteral(":tickets_added"), r.ticketsAdded)
        .bind(QStringLiteral(":tickets_cancelled"), r.ticketsCancelled)
        .bind(QStringLiteral(":watermark"), toDb(r.watermark))
        .bind(QStringLiteral(":summary"), QString::fromUtf8(QJsonDocument(r.summary).toJson(QJsonDocument::Compact)))
        .bind(QStringLiteral(":error"), textOrNull(r.error))
        .bind(QStringLiteral(":id"), r.id);
    if (auto e = q->exec(); !e)
        return e;
    if (q->rowsAffected() == 0)
        return core::makeError(QStringLiteral("db.not_found"), Tr::tr("Sync run %1 is not recorded.").arg(r.id));
    return {};
}

core::Result<QList<SyncRunRecord>> SyncRunRepository::select(const QString &where, const QVariantMap &values, int limit,
                                                             const QString &orderBy, const QString &staleExpression)
{
    QString sql = QStringLiteral("SELECT ") + kColumns;
    if (!staleExpression.isEmpty())
        sql += QStringLiteral(", (") + staleExpression + QStringLiteral(") AS stale");
    sql += QStringLiteral(" FROM sync_runs");
    if (!where.isEmpty())
        sql += QStringLiteral(" WHERE ") + where;
    sql += QStringLiteral(" ORDER BY ") + orderBy + QStringLiteral(" LIMIT ") + QString::number(std::max(1, limit));
    auto q = m_db.prepare(sql, Tr::tr("read the sync history"));
    if (!q)
        return q.error();
    for (auto it = values.cbegin(); it != values.cend(); ++it)
        q->bind(it.key(), it.value());
    if (auto e = q->exec(); !e)
        return e.error();
    QList<SyncRunRecord> rows;
    while (q->next()) {
        const auto v = [&q](const char *column) { return q->value(QLatin1StringView(column)); };
        SyncRunRecord r;
        r.id = v("id").toLongLong();
        r.mode = v("mode").toString();
        r.station = v("station").toString();
        r.startedAt = timeFromDb(v("started_at"));
        r.finishedAt = timeFromDb(v("finished_at"));
        r.status = v("status").toString();
        r.totalOrders = v("total_orders").toInt();
        r.syncedOrders = v("synced_orders").toInt();
        r.failedOrders = v("failed_orders").toInt();
        r.requests = v("requests").toInt();
        r.ticketsAdded = v("tickets_added").toInt();
        r.ticketsCancelled = v("tickets_cancelled").toInt();
        r.watermark = timeFromDb(v("watermark"));
        r.summary = QJsonDocument::fromJson(v("summary").toString().toUtf8()).object();
        r.error = v("error").toString();
        if (!staleExpression.isEmpty())
            r.stale = r.isRunning() && v("stale").toBool();
        rows.append(r);
    }
    return rows;
}

core::Result<std::optional<SyncRunRecord>> SyncRunRepository::lastRun()
{
    auto rows = select({}, {}, 1);
    if (!rows)
        return rows.error();
    return rows->isEmpty() ? std::optional<SyncRunRecord>() : std::optional(rows->first());
}

core::Result<std::optional<SyncRunRecord>> SyncRunRepository::lastFinishedRun()
{
    auto rows = select(QStringLiteral("status <> ") + runningSql(), {}, 1);
    if (!rows)
        return rows.error();
    return rows->isEmpty() ? std::optional<SyncRunRecord>() : std::optional(rows->first());
}

core::Result<void> SyncRunRepository::heartbeat(qint64 id)
{
    auto q = m_db.prepare(QStringLiteral("UPDATE sync_runs SET heartbeat_at = ") + m_db.nowExpr()
                              + QStringLiteral(" WHERE id = :id AND status = ") + runningSql(),
                          Tr::tr("record that sync run %1 is alive").arg(id));
    if (!q)
        return q.error();
    return q->bind(QStringLiteral(":id"), id).exec();
}

core::Result<void> SyncRunRepository::progress(qint64 id, int totalOrders, int syncedOrders, int failedOrders,
                                               const QJsonObject &snapshot)
{
    auto q = m_db.prepare(QStringLiteral("UPDATE sync_runs SET heartbeat_at = ") + m_db.nowExpr()
                              + QStringLiteral(", total_orders = :total, synced_orders = :synced, failed_orders = "
                                               ":failed, summary = ")
                              + m_db.jsonParam(QStringLiteral(":summary")) + QStringLiteral(" WHERE id = :id AND status = ")
                              + runningSql(),
                          Tr::tr("record the progress of sync run %1").arg(id));
    if (!q)
        return q.error();
    return q->bind(QStringLiteral(":total"), totalOrders)
        .bind(QStringLiteral(":synced"), syncedOrders)
        .bind(QStringLiteral(":failed"), failedOrders)
        .bind(QStringLiteral(":summary"), QString::fromUtf8(QJsonDocument(snapshot).toJson(QJsonDocument::Compact)))
        .bind(QStringLiteral(":id"), id)
        .exec();
}

core::Result<qint64> SyncRunRepository::latestId()
{
    auto q = m_db.prepare(QStringLiteral("SELECT COALESCE(MAX(id), 0) AS id FROM sync_runs"), Tr::tr("read the sync history"));
    if (!q)
        return q.error();
    if (auto r = q->execFirst(); !r)
        return r.error();
    return q->value(QStringLiteral("id")).toLongLong();
}

core::Result<QList<SyncRunRecord>> SyncRunRepository::runsFrom(qint64 fromId, int staleAfterS, int limit)
{
    return select(QStringLiteral("id >= :from"),
                  { { QStringLiteral(":from"), fromId }, { QStringLiteral(":seconds"), staleSeconds(staleAfterS) } },
                  limit, QStringLiteral("id ASC"), staleSql());
}

QString SyncRunRepository::staleSql() const
{
    return m_db.isPostgres()
        ? QStringLiteral("COALESCE(heartbeat_at, started_at) <= now() - CAST(:seconds AS integer) * interval '1 second'")
        : QStringLiteral("COALESCE(heartbeat_at, started_at) <= strftime('%Y-%m-%dT%H:%M:%fZ', 'now', :seconds)");
}

QVariant SyncRunRepository::staleSeconds(int staleAfterS) const
{
    const int seconds = std::max(1, staleAfterS);
    return m_db.isPostgres() ? QVariant(seconds) : QVariant(QStringLiteral("-%1 seconds").arg(seconds));
}

core::Result<std::optional<SyncRunRecord>> SyncRunRepository::running(int staleAfterS)
{
    // The heartbeat is written with the database's clock, so the cutoff uses it too: a station
    // whose own clock is a minute off must not take a live run for a crashed one.
    auto rows = select(QStringLiteral("status = ") + runningSql() + QStringLiteral(" AND NOT (") + staleSql()
                           + QStringLiteral(")"),
                       { { QStringLiteral(":seconds"), staleSeconds(staleAfterS) } }, 1);
    if (!rows)
        return rows.error();
    return rows->isEmpty() ? std::optional<SyncRunRecord>() : std::optional(rows->first());
}

} // namespace qrt::db
