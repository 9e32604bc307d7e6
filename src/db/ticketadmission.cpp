// Admission at the door: live -> used as one conditional UPDATE, and what the station is told.
#include "db/ticketrepository.h"
#include "db/ticketsql.h"

#include <QCoreApplication>

namespace qrt::db {

using core::TicketStatus;
using namespace ticketsql;

namespace {
// Q_DECLARE_TR_FUNCTIONS gives lupdate and the program the same context for Tr::tr().
struct Tr
{
    Q_DECLARE_TR_FUNCTIONS(qrt::db::TicketRepository)
};
} // namespace

core::Result<void> TicketRepository::orderCounts(const QString &orderId, AdmitResult &result)
{
    auto q = m_db.prepare(QStringLiteral("SELECT status, count(*) AS n FROM ghl_qr_tickets WHERE order_id = :order_id "
                                         "GROUP BY status"),
                          Tr::tr("count the tickets of order %1").arg(orderId));
    if (!q)
        return q.error();
    if (auto r = q->bind(QStringLiteral(":order_id"), orderId).exec(); !r)
        return r;
    result.admittedInOrder = 0;
    result.totalInOrder = 0;
    while (q->next()) {
        const auto status = core::ticketStatusFromString(q->value(QStringLiteral("status")).toString());
        const int n = q->value(QStringLiteral("n")).toInt();
        if (status == TicketStatus::Used)
            result.admittedInOrder += n;
        if (status == TicketStatus::Used || status == TicketStatus::Live)
            result.totalInOrder += n;
    }
    return {};
}

core::Result<AdmitResult> TicketRepository::admit(qint64 ticketId, const QString &actor)
{
    AdmitResult result;
    auto admitted = m_db.inTransaction([&]() -> core::Result<bool> {
        auto q = m_db.prepare(QStringLiteral("UPDATE ghl_qr_tickets SET status = ") + sqlStatus(TicketStatus::Used)
                                  + QStringLiteral(", updated_at = ") + m_db.nowExpr()
                                  + QStringLiteral(", updated_by = :actor WHERE ticket_id = :ticket_id AND status = ")
                                  + sqlStatus(TicketStatus::Live) + QStringLiteral(" RETURNING order_id"),
                              Tr::tr("admit ticket %1").arg(ticketId));
        if (!q)
            return q.error();
        if (auto r = q->bind(QStringLiteral(":actor"), textOrNull(actor)).bind(QStringLiteral(":ticket_id"), ticketId).exec();
            !r)
            return r.error();
        if (!q->next())
            return false; // not live (any more): nothing to commit
        const QString orderId = q->value(QStringLiteral("order_id")).toString();
        q->finish();
        if (auto r = insertEvent(m_db, ticketId, orderId, TicketStatus::Live, TicketStatus::Used, actor, QString()); !r)
            return r.error();
        return true;
    });
    if (!admitted)
        return admitted.error();
    if (admitted.value())
        result.outcome = AdmitResult::Outcome::Admitted;
    auto ticket = byId(ticketId);
    if (!ticket)
        return ticket.error();
    if (!ticket.value()) {
        result.outcome = AdmitResult::Outcome::NotFound;
        return result;
    }
    result.ticket = *ticket.value();
    if (result.outcome != AdmitResult::Outcome::Admitted) {
        if (result.ticket.status == TicketStatus::Used) {
            result.outcome = AdmitResult::Outcome::AlreadyUsed;
            result.usedBy = result.ticket.updatedBy;
            result.usedAt = result.ticket.updatedAt;
        } else if (result.ticket.status == TicketStatus::Cancelled) {
            result.outcome = AdmitResult::Outcome::Cancelled;
        } else {
            // Live again already (undone meanwhile): report as not admitted rather than guess.
            result.outcome = AdmitResult::Outcome::AlreadyUsed;
        }
    } else {
        result.usedBy = result.ticket.updatedBy;
        result.usedAt = result.ticket.updatedAt;
    }
    if (auto r = orderCounts(result.ticket.orderId, result); !r)
        return r.error();
    return result;
}

core::Result<AdmitResult> TicketRepository::admitByCode(const QString &code, const QString &actor)
{
    auto ticket = byCode(code);
    if (!ticket)
        return ticket.error();
    if (!ticket.value())
        return AdmitResult {};
    return admit(ticket.value()->ticketId, actor);
}

// Every ticket of the order is used or cancelled (or there is none): what the station is told.
core::Result<AdmitResult> TicketRepository::noLiveTicket(const QString &orderId)
{
    AdmitResult result;
    auto q = m_db.prepare(QStringLiteral("SELECT ") + kTicketColumns
                              + QStringLiteral(" FROM ghl_qr_tickets WHERE order_id = :order_id ORDER BY (status = ")
                              + sqlStatus(TicketStatus::Used) + QStringLiteral(") DESC, updated_at DESC LIMIT 1"),
                          Tr::tr("read the tickets of order %1").arg(orderId));
    if (!q)
        return q.error();
    if (auto r = q->bind(QStringLiteral(":order_id"), orderId).exec(); !r)
        return r.error();
    if (!q->next()) {
        result.outcome = AdmitResult::Outcome::NotFound;
        return result;
    }
    result.ticket = ticketFrom(q.value());
    result.outcome = AdmitResult::Outcome::NoLiveTickets;
    if (result.ticket.status == TicketStatus::Used) {
        result.usedBy = result.ticket.updatedBy;
        result.usedAt = result.ticket.updatedAt;
    }
    if (auto r = orderCounts(orderId, result); !r)
        return r.error();
    return result;
}

core::Result<AdmitResult> TicketRepository::admitNext(const QString &orderId, const QString &actor)
{
    // Another station may take the same ticket between the SELECT and the UPDATE: then try the next.
    for (int attempt = 0; attempt < 20; ++attempt) {
        auto q = m_db.prepare(QStringLiteral("SELECT ticket_id FROM ghl_qr_tickets WHERE order_id = :order_id AND status = ")
                                  + sqlStatus(TicketStatus::Live) + QStringLiteral(" ORDER BY ticket_id LIMIT 1"),
                              Tr::tr("find a ticket to admit"));
        if (!q)
            return q.error();
        if (auto r = q->bind(QStringLiteral(":order_id"), orderId).exec(); !r)
            return r.error();
        if (!q->next())
            return noLiveTicket(orderId);
        const qint64 id = q->value(QStringLiteral("ticket_id")).toLongLong();
        q->finish();
        auto result = admit(id, actor);
        if (!result || result->outcome != AdmitResult::Outcome::AlreadyUsed)
            return result;
    }
    return core::makeError(QStringLiteral("ticket.busy"),
                           Tr::tr("Order %1 is being admitted at another station right now; try again.").arg(orderId));
}

} // namespace qrt::db
