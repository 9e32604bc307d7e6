#include "db/doorfunctions.h"

#include "db/ticketsql.h"

#include <QCoreApplication>

namespace qrt::db {

namespace {
struct Tr
{
    Q_DECLARE_TR_FUNCTIONS(qrt::db::DoorFunctions)
};

// A PostgreSQL text[] literal, bound as one text parameter and cast: every element quoted, so a
// product id can hold any character.
QVariant textArray(const QStringList &items)
{
    if (items.isEmpty())
        return QVariant(QMetaType(QMetaType::QString));
    QStringList quoted;
    for (QString item : items) {
        item.replace(u'\\', QStringLiteral("\\\\")).replace(u'"', QStringLiteral("\\\""));
        quoted << u'"' + item + u'"';
    }
    return QVariant(u'{' + quoted.join(u',') + u'}');
}
} // namespace

core::Result<DatabaseRole> detectRole(Database &db)
{
    if (!db.isPostgres())
        return DatabaseRole::Full;
    // pg_has_role by oid: no error when the groups do not exist (roles never installed).
    auto q = db.prepare(QStringLiteral(
                            "SELECT (SELECT rolsuper FROM pg_roles WHERE rolname = session_user) AS super, "
                            "CASE WHEN to_regrole('qrtickets_admin') IS NULL THEN false "
                            "ELSE pg_has_role(session_user, to_regrole('qrtickets_admin')::oid, 'MEMBER') END AS admin, "
                            "CASE WHEN to_regrole('qrtickets_door') IS NULL THEN false "
                            "ELSE pg_has_role(session_user, to_regrole('qrtickets_door')::oid, 'MEMBER') END AS door"),
                        Tr::tr("read the connected user's role"));
    if (!q)
        return q.error();
    if (auto r = q->execFirst(); !r)
        return r.error();
    if (q->value(QStringLiteral("super")).toBool())
        return DatabaseRole::Full;
    if (q->value(QStringLiteral("admin")).toBool())
        return DatabaseRole::Admin;
    if (q->value(QStringLiteral("door")).toBool())
        return DatabaseRole::Door;
    return DatabaseRole::Full;
}

core::Result<DoorAdmission> DoorFunctions::admit(const QString &function, const QString &key, const QString &station,
                                                 const QStringList &events, bool admitUnpaid)
{
    auto q = m_db.prepare(QStringLiteral("SELECT * FROM ") + function
                              + QStringLiteral("(:key, :station, CAST(:events AS text[]), :unpaid)"),
                          Tr::tr("admit %1").arg(key));
    if (!q)
        return q.error();
    q->bind(QStringLiteral(":key"), key)
        .bind(QStringLiteral(":station"), station)
        .bind(QStringLiteral(":events"), textArray(events))
        .bind(QStringLiteral(":unpaid"), admitUnpaid);
    if (auto r = q->execFirst(); !r)
        return r.error();
    DoorAdmission a;
    a.outcome = q->value(QStringLiteral("outcome")).toString();
    a.ticketId = q->value(QStringLiteral("ticket_id")).toLongLong();
    a.orderId = q->value(QStringLiteral("order_id")).toString();
    a.ticketStatus = q->value(QStringLiteral("ticket_status")).toString();
    a.usedBy = q->value(QStringLiteral("used_by")).toString();
    a.usedAt = timeFromDb(q->value(QStringLiteral("used_at")));
    a.admittedInOrder = q->value(QStringLiteral("admitted_in_order")).toInt();
    a.totalInOrder = q->value(QStringLiteral("total_in_order")).toInt();
    a.firstName = q->value(QStringLiteral("contact_firstname")).toString();
    a.lastName = q->value(QStringLiteral("contact_lastname")).toString();
    a.paymentStatus = q->value(QStringLiteral("payment_status")).toString();
    a.eventId = q->value(QStringLiteral("event_id")).toString();
    return a;
}

core::Result<DoorAdmission> DoorFunctions::admitCode(const QString &code, const QString &station, const QStringList &events,
                                                     bool admitUnpaid)
{
    return admit(QStringLiteral("qrt_door_admit_code"), code, station, events, admitUnpaid);
}

core::Result<DoorAdmission> DoorFunctions::admitOrder(const QString &orderId, const QString &station,
                                                      const QStringList &events, bool admitUnpaid)
{
    return admit(QStringLiteral("qrt_door_admit_order"), orderId, station, events, admitUnpaid);
}

core::Result<bool> DoorFunctions::undo(qint64 ticketId, const QString &station)
{
    auto q = m_db.prepare(QStringLiteral("SELECT qrt_door_undo(:ticket_id, :station) AS outcome"),
                          Tr::tr("undo the admission of ticket %1").arg(ticketId));
    if (!q)
        return q.error();
    if (auto r = q->bind(QStringLiteral(":ticket_id"), ticketId).bind(QStringLiteral(":station"), station).execFirst(); !r)
        return r.error();
    return q->value(QStringLiteral("outcome")).toString() == u"undone";
}

core::Result<QList<DoorCacheRow>> DoorFunctions::cache(const QStringList &events)
{
    auto q = m_db.prepare(QStringLiteral("SELECT * FROM qrt_door_cache(CAST(:events AS text[]))"), Tr::tr("read the door cache"));
    if (!q)
        return q.error();
    if (auto r = q->bind(QStringLiteral(":events"), textArray(events)).exec(); !r)
        return r.error();
    QList<DoorCacheRow> rows;
    while (q->next()) {
        DoorCacheRow c;
        c.ticketId = q->value(QStringLiteral("ticket_id")).toLongLong();
        c.code = q->value(QStringLiteral("code")).toString();
        c.orderId = q->value(QStringLiteral("order_id")).toString();
        c.ticketType = q->value(QStringLiteral("ticket_type")).toString();
        c.productId = q->value(QStringLiteral("product_id")).toString();
        c.eventId = q->value(QStringLiteral("event_id")).toString();
        c.eventName = q->value(QStringLiteral("event_name")).toString();
        c.firstName = q->value(QStringLiteral("contact_firstname")).toString();
        c.lastName = q->value(QStringLiteral("contact_lastname")).toString();
        c.paymentStatus = q->value(QStringLiteral("payment_status")).toString();
        c.orderStatus = q->value(QStringLiteral("order_status")).toString();
        c.status = q->value(QStringLiteral("status")).toString();
        c.updatedBy = q->value(QStringLiteral("updated_by")).toString();
        c.updatedAt = timeFromDb(q->value(QStringLiteral("updated_at")));
        rows.append(c);
    }
    return rows;
}

core::Result<std::optional<core::Ticket>> DoorFunctions::admitTicket(qint64 ticketId, const QString &station,
                                                                     const QString &reason)
{
    // Prepared once per connection, as the table path's admitOne: a scan pays one round trip here.
    auto q = ticketsql::cached(m_db, QStringLiteral("SELECT * FROM qrt_door_admit_ticket(:ticket_id, :station, :reason)"),
                               Tr::tr("admit ticket %1").arg(ticketId));
    if (!q)
        return q.error();
    q->bind(QStringLiteral(":ticket_id"), ticketId)
        .bind(QStringLiteral(":station"), textOrNull(station))
        .bind(QStringLiteral(":reason"), textOrNull(reason));
    if (auto r = ticketsql::execCached(m_db, q.value()); !r)
        return r.error();
    if (!q->next())
        return std::optional<core::Ticket>(); // not live (any more)
    return std::optional<core::Ticket>(ticketsql::ticketFrom(q.value()));
}

core::Result<void> DoorFunctions::recordConflict(qint64 ticketId, const QString &station, const QDateTime &admittedAt)
{
    auto q = m_db.prepare(QStringLiteral("SELECT qrt_door_record_conflict(:ticket_id, :station, CAST(:at AS timestamptz)) AS reason"),
                          Tr::tr("record a conflict of an offline admission"));
    if (!q)
        return q.error();
    q->bind(QStringLiteral(":ticket_id"), ticketId)
        .bind(QStringLiteral(":station"), textOrNull(station))
        .bind(QStringLiteral(":at"), admittedAt.isValid() ? QVariant(toDb(admittedAt)) : QVariant(QMetaType(QMetaType::QString)));
    if (auto r = q->execFirst(); !r)
        return r.error();
    return {};
}

core::Result<std::optional<core::Ticket>> DoorFunctions::ticket(qint64 ticketId)
{
    auto q = m_db.prepare(QStringLiteral("SELECT ticket_id, order_id, ticket_type, product_id, status, code, "
                                         "updated_at AS created_at, updated_at, updated_by FROM qrt_door_tickets "
                                         "WHERE ticket_id = :ticket_id"),
                          Tr::tr("read ticket %1").arg(ticketId));
    if (!q)
        return q.error();
    if (auto r = q->bind(QStringLiteral(":ticket_id"), ticketId).exec(); !r)
        return r.error();
    if (!q->next())
        return std::optional<core::Ticket>();
    return std::optional<core::Ticket>(ticketsql::ticketFrom(q.value()));
}

} // namespace qrt::db
