#include "db/arrivals.h"

#include "db/ticketsql.h"

#include <QCoreApplication>

namespace qrt::db {

namespace {
// Q_DECLARE_TR_FUNCTIONS gives lupdate and the program the same context for Tr::tr().
struct Tr
{
    Q_DECLARE_TR_FUNCTIONS(qrt::db::ArrivalsRepository)
};

using core::TicketStatus;
using ticketsql::sqlStatus;

// Admissions and undos only: a sync's cancel or restore is neither.
QString changeCondition(const QString &alias)
{
    return QStringLiteral("((%1.from_status = %2 AND %1.to_status = %3) OR (%1.from_status = %3 AND %1.to_status = %2))")
        .arg(alias, sqlStatus(TicketStatus::Live), sqlStatus(TicketStatus::Used));
}

// The 15-minute slot of ticket_events.at, as seconds since 1970 / 900.
QString slotExpr(const Database &db)
{
    return db.isPostgres() ? QStringLiteral("floor(extract(epoch FROM e.at) / 900)::bigint")
                           : QStringLiteral("CAST(strftime('%s', e.at) AS integer) / 900");
}
} // namespace

QDateTime ArrivalsRepository::bucketStart(const QDateTime &time)
{
    const qint64 secs = time.toSecsSinceEpoch();
    return QDateTime::fromSecsSinceEpoch(secs - ((secs % kBucketSeconds) + kBucketSeconds) % kBucketSeconds, Qt::UTC);
}

core::Result<ArrivalsReport> ArrivalsRepository::arrivals(int hours)
{
    ArrivalsReport report;
    // A door login reads the same rows through its views (the ticket's event is the view's event_id).
    const QString events = m_doorViews ? QStringLiteral("qrt_door_ticket_events") : QStringLiteral("ticket_events");
    const QString eventExpr = m_doorViews ? QStringLiteral("t.event_id") : ticketsql::kTicketEventExpr;
    const QString ticketsJoin = m_doorViews ? QStringLiteral(" qrt_door_tickets t ")
                                            : QStringLiteral(" ghl_qr_tickets t JOIN ghl_qr_orders o ON o.order_id = t.order_id ");
    auto latest = m_db.prepare(QStringLiteral("SELECT max(e.at) AS latest FROM ") + events + QStringLiteral(" e WHERE ")
                                   + changeCondition(QStringLiteral("e")),
                               Tr::tr("read the latest admission"));
    if (!latest)
        return latest.error();
    if (auto r = latest->execFirst(); !r)
        return r.error();
    const QDateTime last = timeFromDb(latest->value(QStringLiteral("latest")));
    latest->finish();

    if (last.isValid()) {
        report.to = bucketStart(last);
        const QDateTime since = report.to.addSecs(-qint64(std::max(1, hours)) * 3600 + kBucketSeconds);
        auto q = m_db.prepare(
            QStringLiteral("SELECT ") + eventExpr + QStringLiteral(" AS ev, ") + slotExpr(m_db)
                + QStringLiteral(" AS slot, sum(CASE WHEN e.to_status = ") + sqlStatus(TicketStatus::Used)
                + QStringLiteral(" THEN 1 ELSE 0 END) AS admitted, sum(CASE WHEN e.to_status = ")
                + sqlStatus(TicketStatus::Live)
                + QStringLiteral(" THEN 1 ELSE 0 END) AS undone FROM ") + events
                + (m_doorViews ? QStringLiteral(" e JOIN qrt_door_tickets t ON t.ticket_id = e.ticket_id ")
                               : QStringLiteral(" e JOIN ghl_qr_tickets t ON t.ticket_id = e.ticket_id "
                                                "JOIN ghl_qr_orders o ON o.order_id = t.order_id "))
                + QStringLiteral("WHERE e.at >= :since AND ")
                + changeCondition(QStringLiteral("e")) + QStringLiteral(" GROUP BY ev, slot ORDER BY slot, ev"),
            Tr::tr("count admissions over time"));
        if (!q)
            return q.error();
        q->bind(QStringLiteral(":since"), toDb(since));
        if (auto r = q->exec(); !r)
            return r.error();
        while (q->next()) {
            ArrivalBucket b;
            b.eventId = q->value(QStringLiteral("ev")).toString();
            b.start = QDateTime::fromSecsSinceEpoch(q->value(QStringLiteral("slot")).toLongLong() * kBucketSeconds,
                                                    Qt::UTC);
            b.admitted = q->value(QStringLiteral("admitted")).toInt();
            b.undone = q->value(QStringLiteral("undone")).toInt();
            report.buckets.append(b);
        }
        report.from = report.buckets.isEmpty() ? report.to : report.buckets.constFirst().start;
    }

    auto inside = m_db.prepare(QStringLiteral("SELECT ") + eventExpr + QStringLiteral(" AS ev, count(*) AS n FROM ") + ticketsJoin
                                   + QStringLiteral("WHERE t.status = ")
                                   + sqlStatus(TicketStatus::Used) + QStringLiteral(" GROUP BY ev"),
                               Tr::tr("count who is inside"));
    if (!inside)
        return inside.error();
    if (auto r = inside->exec(); !r)
        return r.error();
    while (inside->next()) {
        const int n = inside->value(QStringLiteral("n")).toInt();
        report.insideNow.insert(inside->value(QStringLiteral("ev")).toString(), n);
        report.insideTotal += n;
    }
    return report;
}

} // namespace qrt::db
