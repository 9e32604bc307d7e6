#include "db/ticketsql.h"

#include <QCoreApplication>

namespace qrt::db::ticketsql {

namespace {
// Q_DECLARE_TR_FUNCTIONS gives lupdate and the program the same context for Tr::tr().
struct Tr
{
    Q_DECLARE_TR_FUNCTIONS(qrt::db::TicketRepository)
};
} // namespace

using core::TicketStatus;

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
