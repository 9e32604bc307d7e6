// Applies core::planReconcile (the ticket rules of the sync) to the ticket table.
#include "core/ticketreconcile.h"

#include "db/ticketrepository.h"
#include "db/ticketsql.h"

#include <QCoreApplication>

namespace qrt::db {

using core::TicketChange;
using core::TicketStatus;
using namespace ticketsql;

namespace {
// Q_DECLARE_TR_FUNCTIONS gives lupdate and the program the same context for Tr::tr().
struct Tr
{
    Q_DECLARE_TR_FUNCTIONS(qrt::db::TicketRepository)
};

core::Result<QList<core::ReconcileTicket>> readTickets(Database &db, const QString &orderId)
{
    auto q = db.prepare(QStringLiteral("SELECT ticket_id, ticket_type, product_id, status, updated_by FROM "
                                       "ghl_qr_tickets WHERE order_id = :order_id ORDER BY ticket_id"),
                        Tr::tr("read the tickets of order %1").arg(orderId));
    if (!q)
        return q.error();
    if (auto r = q->bind(QStringLiteral(":order_id"), orderId).exec(); !r)
        return r.error();
    QList<core::ReconcileTicket> tickets;
    while (q->next())
        tickets.append({ q->value(QStringLiteral("ticket_id")).toLongLong(), q->value(QStringLiteral("ticket_type")).toString(),
                         q->value(QStringLiteral("product_id")).toString(), q->value(QStringLiteral("status")).toString(),
                         q->value(QStringLiteral("updated_by")).toString() });
    return tickets;
}

core::Result<void> assignProduct(Database &db, const TicketChange &change)
{
    auto q = db.prepare(QStringLiteral("UPDATE ghl_qr_tickets SET product_id = :product_id WHERE ticket_id = :ticket_id"),
                        Tr::tr("assign ticket %1 to its event").arg(change.ticketId));
    if (!q)
        return q.error();
    return q->bind(QStringLiteral(":product_id"), textOrNull(change.productId)).bind(QStringLiteral(":ticket_id"), change.ticketId).exec();
}

core::Result<void> addTicket(Database &db, const QString &orderId, const TicketChange &change, const QString &auditActor)
{
    auto q = db.prepare(QStringLiteral("INSERT INTO ghl_qr_tickets (order_id, ticket_type, product_id, status, code, "
                                       "created_at, updated_at, updated_by) VALUES (:order_id, :ticket_type, "
                                       ":product_id, :status, :code, ")
                            + db.nowExpr() + QStringLiteral(", ") + db.nowExpr()
                            + QStringLiteral(", :updated_by) RETURNING ticket_id"),
                        Tr::tr("add a ticket to order %1").arg(orderId));
    if (!q)
        return q.error();
    q->bind(QStringLiteral(":order_id"), orderId)
        .bind(QStringLiteral(":ticket_type"), change.ticketType)
        .bind(QStringLiteral(":product_id"), textOrNull(change.productId))
        .bind(QStringLiteral(":status"), core::toString(TicketStatus::Live))
        .bind(QStringLiteral(":code"), TicketRepository::newCode())
        .bind(QStringLiteral(":updated_by"), core::kSyncActor);
    if (auto r = q->execFirst(); !r)
        return r;
    const qint64 id = q->value(QStringLiteral("ticket_id")).toLongLong();
    q->finish();
    return insertEvent(db, id, orderId, std::nullopt, TicketStatus::Live, auditActor, change.reason);
}
} // namespace

core::Result<ReconcileResult> TicketRepository::reconcile(const core::Order &order, const QString &station)
{
    return m_db.inTransaction([&] { return reconcileIn(m_db, order, station); });
}

core::Result<ReconcileResult> TicketRepository::reconcileIn(Database &db, const core::Order &order, const QString &station)
{
    ReconcileResult result;
    result.orderId = order.orderId;
    const QString actor = core::kSyncActor;
    const QString auditActor = station.isEmpty() ? actor : actor + QStringLiteral(" (") + station + u')';
    // A conditional change loses when another station changed that ticket between our read and
    // our write (PostgreSQL; SQLite holds the write lock): then read again and plan what is left.
    for (int round = 0; round < 3; ++round) {
        auto tickets = readTickets(db, order.orderId);
        if (!tickets)
            return tickets.error();
        const core::ReconcilePlan plan = core::planReconcile(order, tickets.value());
        result.conflicts = plan.conflicts;
        bool lostRace = false;
        for (const TicketChange &change : plan.changes) {
            switch (change.kind) {
            case TicketChange::Kind::AssignProduct:
                if (auto r = assignProduct(db, change); !r)
                    return r.error();
                break;
            case TicketChange::Kind::Add:
                if (auto r = addTicket(db, order.orderId, change, auditActor); !r)
                    return r.error();
                ++result.added;
                break;
            case TicketChange::Kind::Restore:
            case TicketChange::Kind::Cancel: {
                const bool restore = change.kind == TicketChange::Kind::Restore;
                const TicketStatus from = restore ? TicketStatus::Cancelled : TicketStatus::Live;
                const TicketStatus to = restore ? TicketStatus::Live : TicketStatus::Cancelled;
                auto r = changeIn(db, change.ticketId, order.orderId, from, to, change.reason, actor);
                if (!r)
                    return r.error();
                if (!r.value())
                    lostRace = true;
                else
                    ++(restore ? result.restored : result.cancelled);
                break;
            }
            }
        }
        if (!lostRace)
            return result;
    }
    // Still losing after three reads: the door is busy with this very order. Say so rather than
    // leave tickets GHL no longer counts silently live; the next sync finishes the job.
    result.conflicts << Tr::tr("Order %1 changed at the door while syncing; some tickets were left as they "
                               "are. Sync again to finish.")
                            .arg(order.orderId);
    return result;
}

} // namespace qrt::db
