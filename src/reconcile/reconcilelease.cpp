#include "reconcile/reconcilelease.h"

#include "db/database.h"

#include <QCoreApplication>
#include <QJsonDocument>

namespace qrt::reconcile {

namespace {
// Q_DECLARE_TR_FUNCTIONS gives lupdate and the program the same context for Tr::tr().
struct Tr
{
    Q_DECLARE_TR_FUNCTIONS(qrt::reconcile::ReconcileLease)
};
} // namespace

ReconcileLease::ReconcileLease(db::Database &db, QString holder, QString station)
    : m_db(db), m_holder(std::move(holder)), m_station(std::move(station))
{
}

QString ReconcileLease::now() const
{
    return m_db.nowExpr();
}

QString ReconcileLease::nowPlus(const QString &placeholder) const
{
    return m_db.nowPlusExpr(placeholder);
}

namespace {
QVariant secondsValue(const db::Database &db, int seconds)
{
    return db.secondsValue(seconds);
}
} // namespace

core::Result<bool> ReconcileLease::acquire(int leaseS, int freshS)
{
    QString sql = QStringLiteral("UPDATE reconcile_lease SET holder = :holder, holder_station = :station, lease_until = ")
        + nowPlus(QStringLiteral(":lease")) + QStringLiteral(", started_at = ") + now()
        + QStringLiteral(" WHERE id = 1 AND (holder IS NULL OR lease_until IS NULL OR lease_until <= ") + now()
        + QStringLiteral(" OR holder = :holder2)");
    if (freshS > 0)
        sql += QStringLiteral(" AND (last_finished_at IS NULL OR last_holder = :holder3 OR last_finished_at <= ")
            + nowPlus(QStringLiteral(":fresh")) + u')';
    auto q = m_db.prepare(sql, Tr::tr("take the reconciliation lease"));
    if (!q)
        return q.error();
    q->bind(QStringLiteral(":holder"), m_holder)
        .bind(QStringLiteral(":station"), m_station)
        .bind(QStringLiteral(":lease"), secondsValue(m_db, leaseS))
        .bind(QStringLiteral(":holder2"), m_holder);
    if (freshS > 0)
        q->bind(QStringLiteral(":holder3"), m_holder).bind(QStringLiteral(":fresh"), secondsValue(m_db, -freshS));
    if (auto r = q->exec(); !r)
        return r.error();
    if (q->rowsAffected() == 1)
        return true;
    // Held by another, or no row at all (read() puts a lost row back for the next turn).
    auto state = read();
    if (!state)
        return state.error();
    return false;
}

core::Result<bool> ReconcileLease::renew(int leaseS)
{
    auto q = m_db.prepare(QStringLiteral("UPDATE reconcile_lease SET lease_until = ") + nowPlus(QStringLiteral(":lease"))
                              + QStringLiteral(" WHERE id = 1 AND holder = :holder"),
                          Tr::tr("renew the reconciliation lease"));
    if (!q)
        return q.error();
    if (auto r = q->bind(QStringLiteral(":lease"), secondsValue(m_db, leaseS)).bind(QStringLiteral(":holder"), m_holder).exec(); !r)
        return r.error();
    return q->rowsAffected() == 1;
}

core::Result<void> ReconcileLease::finish(const QJsonObject &summary)
{
    // In an UPDATE every right-hand side reads the row as it was: the run's own columns move to last_*.
    auto q = m_db.prepare(QStringLiteral("UPDATE reconcile_lease SET last_holder = holder, last_station = holder_station, "
                                         "last_started_at = started_at, last_finished_at = ")
                              + now()
                              + QStringLiteral(", last_summary = :summary, holder = NULL, holder_station = NULL, "
                                               "lease_until = NULL, started_at = NULL WHERE id = 1 AND holder = :holder"),
                          Tr::tr("record the reconciliation"));
    if (!q)
        return q.error();
    return q->bind(QStringLiteral(":summary"), QString::fromUtf8(QJsonDocument(summary).toJson(QJsonDocument::Compact)))
        .bind(QStringLiteral(":holder"), m_holder)
        .exec();
}

core::Result<void> ReconcileLease::release()
{
    auto q = m_db.prepare(QStringLiteral("UPDATE reconcile_lease SET holder = NULL, holder_station = NULL, lease_until = NULL, "
                                         "started_at = NULL WHERE id = 1 AND holder = :holder"),
                          Tr::tr("free the reconciliation lease"));
    if (!q)
        return q.error();
    return q->bind(QStringLiteral(":holder"), m_holder).exec();
}

core::Result<LeaseState> ReconcileLease::read()
{
    auto q = m_db.prepare(QStringLiteral("SELECT holder, holder_station, lease_until, last_holder, last_station, "
                                         "last_started_at, last_finished_at, last_summary, CASE WHEN holder IS NOT NULL "
                                         "AND lease_until > ")
                              + now() + QStringLiteral(" THEN 1 ELSE 0 END AS live FROM reconcile_lease WHERE id = 1"),
                          Tr::tr("read the reconciliation lease"));
    if (!q)
        return q.error();
    if (auto r = q->exec(); !r)
        return r.error();
    LeaseState s;
    if (!q->next()) {
        // The row the migration made is gone: make it again, so the next acquire() can take it.
        auto insert = m_db.prepare(m_db.isPostgres()
                                       ? QStringLiteral("INSERT INTO reconcile_lease (id) VALUES (1) ON CONFLICT (id) DO NOTHING")
                                       : QStringLiteral("INSERT OR IGNORE INTO reconcile_lease (id) VALUES (1)"),
                                   Tr::tr("create the reconciliation lease"));
        if (!insert)
            return insert.error();
        if (auto r = insert->exec(); !r)
            return r.error();
        return s;
    }
    s.holder = q->value(QStringLiteral("holder")).toString();
    s.holderStation = q->value(QStringLiteral("holder_station")).toString();
    s.leaseUntil = db::timeFromDb(q->value(QStringLiteral("lease_until")));
    s.live = q->value(QStringLiteral("live")).toInt() == 1;
    s.lastHolder = q->value(QStringLiteral("last_holder")).toString();
    s.lastStation = q->value(QStringLiteral("last_station")).toString();
    s.lastStartedAt = db::timeFromDb(q->value(QStringLiteral("last_started_at")));
    s.lastFinishedAt = db::timeFromDb(q->value(QStringLiteral("last_finished_at")));
    s.lastSummary = QJsonDocument::fromJson(q->value(QStringLiteral("last_summary")).toString().toUtf8()).object();
    return s;
}

} // namespace qrt::reconcile
