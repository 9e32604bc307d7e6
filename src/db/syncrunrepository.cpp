#include "db/syncrunrepository.h"

#include <QCoreApplication>
#include <QJsonDocument>
#include <QSqlQuery>

#include <algorithm>

namespace qrt::db {

namespace {
// Q_DECLARE_TR_FUNCTIONS gives lupdate and the program the same context for Tr::tr().
struct Tr
{
    Q_DECLARE_TR_FUNCTIONS(qrt::db::SyncRunRepository)
};

const char kColumns[] = "id, mode, station, started_at, finished_at, status, total_orders, synced_orders, "
                        "failed_orders, requests, tickets_added, tickets_cancelled, watermark, summary, error";
} // namespace

core::Result<qint64> SyncRunRepository::start(const QString &mode, const QString &station)
{
    auto c = m_db.connection();
    if (!c)
        return c.error();
    QSqlQuery q(c.value());
    q.prepare(QStringLiteral("INSERT INTO sync_runs (mode, station, started_at, heartbeat_at, status) VALUES (?, ?, ")
              + m_db.nowExpr() + QStringLiteral(", ") + m_db.nowExpr() + QStringLiteral(", 'running') RETURNING id"));
    q.addBindValue(mode);
    q.addBindValue(textOrNull(station));
    if (!q.exec() || !q.next())
        return m_db.fail(q, Tr::tr("record the start of a sync run"));
    return q.value(0).toLongLong();
}

core::Result<void> SyncRunRepository::finish(const SyncRunRecord &r)
{
    auto c = m_db.connection();
    if (!c)
        return c.error();
    QSqlQuery q(c.value());
    q.prepare(QStringLiteral("UPDATE sync_runs SET finished_at = ") + m_db.nowExpr()
              + QStringLiteral(", status = ?, total_orders = ?, synced_orders = ?, failed_orders = ?, requests = ?, "
                               "tickets_added = ?, tickets_cancelled = ?, watermark = ?, summary = ")
              + m_db.jsonParam() + QStringLiteral(", error = ? WHERE id = ?"));
    q.addBindValue(r.status);
    q.addBindValue(r.totalOrders);
    q.addBindValue(r.syncedOrders);
    q.addBindValue(r.failedOrders);
    q.addBindValue(r.requests);
    q.addBindValue(r.ticketsAdded);
    q.addBindValue(r.ticketsCancelled);
    q.addBindValue(toDb(r.watermark));
    q.addBindValue(QString::fromUtf8(QJsonDocument(r.summary).toJson(QJsonDocument::Compact)));
    q.addBindValue(textOrNull(r.error));
    q.addBindValue(r.id);
    if (!q.exec())
        return m_db.fail(q, Tr::tr("record the outcome of sync run %1").arg(r.id));
    if (q.numRowsAffected() == 0)
        return core::makeError(QStringLiteral("db.not_found"), Tr::tr("Sync run %1 is not recorded.").arg(r.id));
    return {};
}

core::Result<QList<SyncRunRecord>> SyncRunRepository::select(const QString &where, const QVariantList &values, int limit)
{
    auto c = m_db.connection();
    if (!c)
        return c.error();
    QSqlQuery q(c.value());
    QString sql = QStringLiteral("SELECT ") + QLatin1StringView(kColumns) + QStringLiteral(" FROM sync_runs");
    if (!where.isEmpty())
        sql += QStringLiteral(" WHERE ") + where;
    sql += QStringLiteral(" ORDER BY started_at DESC, id DESC LIMIT ") + QString::number(std::max(1, limit));
    q.prepare(sql);
    for (const QVariant &v : values)
        q.addBindValue(v);
    if (!q.exec())
        return m_db.fail(q, Tr::tr("read the sync history"));
    QList<SyncRunRecord> rows;
    while (q.next()) {
        SyncRunRecord r;
        r.id = q.value(0).toLongLong();
        r.mode = q.value(1).toString();
        r.station = q.value(2).toString();
        r.startedAt = timeFromDb(q.value(3));
        r.finishedAt = timeFromDb(q.value(4));
        r.status = q.value(5).toString();
        r.totalOrders = q.value(6).toInt();
        r.syncedOrders = q.value(7).toInt();
        r.failedOrders = q.value(8).toInt();
        r.requests = q.value(9).toInt();
        r.ticketsAdded = q.value(10).toInt();
        r.ticketsCancelled = q.value(11).toInt();
        r.watermark = timeFromDb(q.value(12));
        r.summary = QJsonDocument::fromJson(q.value(13).toString().toUtf8()).object();
        r.error = q.value(14).toString();
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
    auto rows = select(QStringLiteral("status <> 'running'"), {}, 1);
    if (!rows)
        return rows.error();
    return rows->isEmpty() ? std::optional<SyncRunRecord>() : std::optional(rows->first());
}

core::Result<void> SyncRunRepository::heartbeat(qint64 id)
{
    auto c = m_db.connection();
    if (!c)
        return c.error();
    QSqlQuery q(c.value());
    q.prepare(QStringLiteral("UPDATE sync_runs SET heartbeat_at = ") + m_db.nowExpr()
              + QStringLiteral(" WHERE id = ? AND status = 'running'"));
    q.addBindValue(id);
    if (!q.exec())
        return m_db.fail(q, Tr::tr("record that sync run %1 is alive").arg(id));
    return {};
}

core::Result<std::optional<SyncRunRecord>> SyncRunRepository::running(int staleAfterS)
{
    // The heartbeat is written with the database's clock, so the cutoff uses it too: a station
    // whose own clock is a minute off must not take a live run for a crashed one.
    const int seconds = std::max(1, staleAfterS);
    auto rows = m_db.isPostgres()
        ? select(QStringLiteral("status = 'running' AND COALESCE(heartbeat_at, started_at) > now() - CAST(? AS integer) * interval '1 second'"),
                 { seconds }, 1)
        : select(QStringLiteral("status = 'running' AND COALESCE(heartbeat_at, started_at) > "
                                "strftime('%Y-%m-%dT%H:%M:%fZ', 'now', ?)"),
                 { QStringLiteral("-%1 seconds").arg(seconds) }, 1);
    if (!rows)
        return rows.error();
    return rows->isEmpty() ? std::optional<SyncRunRecord>() : std::optional(rows->first());
}

} // namespace qrt::db
