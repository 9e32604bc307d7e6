// The audit trail (ticket_events) and the per-event overview: reads only.
#include "db/orderrepository.h"
#include "db/ticketrepository.h"
#include "db/ticketsql.h"

#include <QCoreApplication>
#include <QHash>

#include <algorithm>

namespace qrt::db {

using core::TicketStatus;
using namespace ticketsql;

namespace {
// Q_DECLARE_TR_FUNCTIONS gives lupdate and the program the same context for Tr::tr().
struct Tr
{
    Q_DECLARE_TR_FUNCTIONS(qrt::db::TicketRepository)
};

core::Result<QList<core::TicketEvent>> readEvents(Database &db, const QString &where, const QVariantMap &binds,
                                                  const QString &what)
{
    auto q = db.prepare(QStringLiteral("SELECT id, ticket_id, order_id, from_status, to_status, at, actor, reason FROM "
                                       "ticket_events WHERE ")
                            + where,
                        what);
    if (!q)
        return q.error();
    for (auto it = binds.cbegin(); it != binds.cend(); ++it)
        q->bind(it.key(), it.value());
    if (auto r = q->exec(); !r)
        return r.error();
    QList<core::TicketEvent> events;
    while (q->next()) {
        core::TicketEvent e;
        e.id = q->value(QStringLiteral("id")).toLongLong();
        e.ticketId = q->value(QStringLiteral("ticket_id")).toLongLong();
        e.orderId = q->value(QStringLiteral("order_id")).toString();
        const QVariant from = q->value(QStringLiteral("from_status"));
        e.from = from.isNull() ? std::nullopt : core::ticketStatusFromString(from.toString());
        e.to = core::ticketStatusFromString(q->value(QStringLiteral("to_status")).toString()).value_or(TicketStatus::Live);
        e.at = timeFromDb(q->value(QStringLiteral("at")));
        e.actor = q->value(QStringLiteral("actor")).toString();
        e.reason = q->value(QStringLiteral("reason")).toString();
        events.append(e);
    }
    return events;
}
} // namespace

core::Result<QList<core::TicketEvent>> TicketRepository::history(const QString &orderId)
{
    return readEvents(m_db, QStringLiteral("order_id = :order_id ORDER BY at, id"),
                      { { QStringLiteral(":order_id"), orderId } }, Tr::tr("read the history of order %1").arg(orderId));
}

core::Result<QList<core::TicketEvent>> TicketRepository::eventsSince(qint64 afterId, int limit)
{
    return readEvents(m_db, QStringLiteral("id > :after ORDER BY id LIMIT :limit"),
                      { { QStringLiteral(":after"), afterId }, { QStringLiteral(":limit"), limit } },
                      Tr::tr("read the latest ticket changes"));
}

core::Result<qint64> TicketRepository::latestEventId()
{
    auto q = m_db.prepare(QStringLiteral("SELECT coalesce(max(id), 0) AS latest FROM ticket_events"),
                          Tr::tr("read the latest ticket changes"));
    if (!q)
        return q.error();
    if (auto r = q->execFirst(); !r)
        return r.error();
    return q->value(QStringLiteral("latest")).toLongLong();
}

core::Result<QList<OverviewRow>> TicketRepository::overview(bool doorViews)
{
    // An order's event_name is its first product's name: it names a group only when that order's
    // first product is the group's. A product that is never first in an order is named from the
    // line items of one of its orders (below).
    const auto countOf = [](TicketStatus s) -> QString {
        return QStringLiteral("sum(CASE WHEN t.status = ") + sqlStatus(s) + QStringLiteral(" THEN 1 ELSE 0 END)");
    };
    const QString doorSql = QStringLiteral("SELECT t.event_id AS ev, max(t.event_name) AS name, t.ticket_type AS ticket_type, ")
        + countOf(TicketStatus::Live) + QStringLiteral(" AS live, ") + countOf(TicketStatus::Used) + QStringLiteral(" AS used, ")
        + countOf(TicketStatus::Cancelled)
        + QStringLiteral(" AS cancelled, NULL AS sample_order FROM qrt_door_tickets t GROUP BY t.event_id, t.ticket_type");
    auto q = doorViews ? m_db.prepare(doorSql, Tr::tr("count tickets per event")) : m_db.prepare(
        QStringLiteral("SELECT ") + kTicketEventExpr + QStringLiteral(" AS ev, max(CASE WHEN o.event_id = ") + kTicketEventExpr
            + QStringLiteral(" THEN o.event_name END) AS name, t.ticket_type AS ticket_type, ")
            + countOf(TicketStatus::Live) + QStringLiteral(" AS live, ") + countOf(TicketStatus::Used)
            + QStringLiteral(" AS used, ") + countOf(TicketStatus::Cancelled)
            + QStringLiteral(" AS cancelled, min(t.order_id) AS sample_order "
                             "FROM ghl_qr_tickets t JOIN ghl_qr_orders o ON o.order_id = t.order_id "
                             "GROUP BY ")
            + kTicketEventExpr + QStringLiteral(", t.ticket_type"),
        Tr::tr("count tickets per event"));
    if (!q)
        return q.error();
    if (auto r = q->exec(); !r)
        return r.error();
    QList<OverviewRow> rows;
    QHash<QString, QString> sampleOrder; // event id -> an order holding its tickets, for unnamed events
    while (q->next()) {
        OverviewRow r;
        r.eventId = q->value(QStringLiteral("ev")).toString();
        r.eventName = q->value(QStringLiteral("name")).toString();
        r.ticketType = q->value(QStringLiteral("ticket_type")).toString();
        r.remaining = q->value(QStringLiteral("live")).toInt();
        r.admitted = q->value(QStringLiteral("used")).toInt();
        r.cancelled = q->value(QStringLiteral("cancelled")).toInt();
        r.sold = r.remaining + r.admitted;
        if (r.eventName.isEmpty())
            sampleOrder.insert(r.eventId, q->value(QStringLiteral("sample_order")).toString());
        rows.append(r);
    }
    if (doorViews)
        sampleOrder.clear(); // line items are not the door's to read (and none is then read)
    QHash<QString, QString> names;
    auto items = OrderRepository(m_db).lineItems(QStringList(sampleOrder.cbegin(), sampleOrder.cend()));
    if (!items)
        return items.error();
    for (auto it = sampleOrder.cbegin(); it != sampleOrder.cend(); ++it) {
        for (const core::OrderItem &item : items.value().value(it.value())) {
            if (item.productId == it.key()) {
                names.insert(it.key(), item.productName);
                break;
            }
        }
    }
    for (OverviewRow &r : rows) {
        if (r.eventName.isEmpty())
            r.eventName = names.value(r.eventId);
    }
    std::sort(rows.begin(), rows.end(), [](const OverviewRow &a, const OverviewRow &b) {
        if (const int byName = QString::localeAwareCompare(a.eventName, b.eventName); byName != 0)
            return byName < 0;
        return a.eventId != b.eventId ? a.eventId < b.eventId : a.ticketType < b.ticketType; // same name: keep events apart
    });
    return rows;
}

core::Result<QList<DoorListRow>> TicketRepository::doorList(const QString &eventId)
{
    // Counted by each ticket's own event, not the order's first: an order of two events is on both
    // lists, each time with that event's tickets only.
    auto q = m_db.prepare(
        QStringLiteral("SELECT o.order_id AS order_id, o.contact_firstname AS firstname, o.contact_lastname AS lastname, "
                       "o.contact_email AS email, o.payment_status AS payment_status, t.ticket_type AS ticket_type, ")
            + QStringLiteral("sum(CASE WHEN t.status = ") + sqlStatus(TicketStatus::Live) + QStringLiteral(" THEN 1 ELSE 0 END) AS live, ")
            + QStringLiteral("sum(CASE WHEN t.status = ") + sqlStatus(TicketStatus::Used) + QStringLiteral(" THEN 1 ELSE 0 END) AS used ")
            + QStringLiteral("FROM ghl_qr_tickets t JOIN ghl_qr_orders o ON o.order_id = t.order_id WHERE ")
            + kTicketEventExpr + QStringLiteral(" = :event_id AND t.status <> ") + sqlStatus(TicketStatus::Cancelled)
            + QStringLiteral(" GROUP BY o.order_id, o.contact_firstname, o.contact_lastname, o.contact_email, "
                             "o.payment_status, t.ticket_type "
                             "ORDER BY lower(o.contact_lastname), lower(o.contact_firstname), o.order_id, t.ticket_type"),
        Tr::tr("read the door list"));
    if (!q)
        return q.error();
    if (auto r = q->bind(QStringLiteral(":event_id"), eventId).exec(); !r)
        return r.error();
    QList<DoorListRow> rows;
    while (q->next()) {
        const QString orderId = q->value(QStringLiteral("order_id")).toString();
        if (rows.isEmpty() || rows.last().orderId != orderId) {
            DoorListRow row;
            row.orderId = orderId;
            row.firstName = q->value(QStringLiteral("firstname")).toString();
            row.lastName = q->value(QStringLiteral("lastname")).toString();
            row.email = q->value(QStringLiteral("email")).toString();
            row.paymentStatus = q->value(QStringLiteral("payment_status")).toString();
            rows.append(row);
        }
        DoorListRow &row = rows.last();
        const int live = q->value(QStringLiteral("live")).toInt();
        const int used = q->value(QStringLiteral("used")).toInt();
        row.live += live;
        row.used += used;
        row.ticketTypes[q->value(QStringLiteral("ticket_type")).toString()] += live + used;
    }
    return rows;
}

} // namespace qrt::db
