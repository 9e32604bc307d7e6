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

core::Result<QList<EventTicketCount>> TicketRepository::countsByEvent(const QString &orderId)
{
    auto q = m_db.prepare(QStringLiteral("SELECT ") + kTicketEventExpr
                              + QStringLiteral(" AS product, t.status AS status, count(*) AS n FROM ghl_qr_tickets t "
                                               "JOIN ghl_qr_orders o ON o.order_id = t.order_id WHERE t.order_id = :order_id "
                                               "GROUP BY ")
                              + kTicketEventExpr + QStringLiteral(", t.status"),
                          Tr::tr("count the tickets of order %1").arg(orderId));
    if (!q)
        return q.error();
    if (auto r = q->bind(QStringLiteral(":order_id"), orderId).exec(); !r)
        return r.error();
    QList<EventTicketCount> counts;
    while (q->next()) {
        const auto status = core::ticketStatusFromString(q->value(QStringLiteral("status")).toString());
        if (!status)
            continue;
        counts.append({ q->value(QStringLiteral("product")).toString(), *status, q->value(QStringLiteral("n")).toInt() });
    }
    return counts;
}

core::Result<void> TicketRepository::orderCounts(const QString &orderId, AdmitResult &result, const QStringList &events)
{
    auto counts = countsByEvent(orderId);
    if (!counts)
        return counts.error();
    result.admittedInOrder = 0;
    result.totalInOrder = 0;
    for (const EventTicketCount &c : std::as_const(counts.value())) {
        if (!events.isEmpty() && !events.contains(c.productId, Qt::CaseInsensitive))
            continue;
        if (c.status == TicketStatus::Used)
            result.admittedInOrder += c.count;
        if (c.status == TicketStatus::Used || c.status == TicketStatus::Live)
            result.totalInOrder += c.count;
    }
    return {};
}

core::Result<std::optional<core::Ticket>> TicketRepository::admitOne(qint64 ticketId, const QString &actor,
                                                                     const QString &reason, const QString &operatorName)
{
    const QString update = QStringLiteral("UPDATE ghl_qr_tickets SET status = ") + sqlStatus(TicketStatus::Used)
        + QStringLiteral(", updated_at = ") + m_db.nowExpr()
        + QStringLiteral(", updated_by = :actor WHERE ticket_id = :ticket_id AND status = ") + sqlStatus(TicketStatus::Live)
        + QStringLiteral(" RETURNING ") + kTicketColumns;
    if (m_db.isPostgres()) {
        // One round trip: the conditional UPDATE and its audit row in one statement (one implicit
        // transaction). The INSERT sees the UPDATE's row only when the UPDATE took the ticket.
        auto q = cached(m_db,
                        QStringLiteral("WITH u AS (") + update
                            + QStringLiteral("), e AS (INSERT INTO ticket_events (ticket_id, order_id, from_status, to_status, "
                                             "at, actor, reason, operator) SELECT ticket_id, order_id, ")
                            + sqlStatus(TicketStatus::Live) + QStringLiteral(", ") + sqlStatus(TicketStatus::Used)
                            + QStringLiteral(", updated_at, :event_actor, :reason, COALESCE(:operator, session_user::text) "
                                             "FROM u) SELECT ")
                            + kTicketColumns
                            + QStringLiteral(" FROM u"),
                        Tr::tr("admit ticket %1").arg(ticketId));
        if (!q)
            return q.error();
        q->bind(QStringLiteral(":actor"), textOrNull(actor))
            .bind(QStringLiteral(":ticket_id"), ticketId)
            .bind(QStringLiteral(":event_actor"), textOrNull(actor))
            .bind(QStringLiteral(":reason"), textOrNull(reason))
            .bind(QStringLiteral(":operator"), textOrNull(operatorName));
        if (auto r = execCached(m_db, q.value()); !r)
            return r.error();
        if (!q->next())
            return std::optional<core::Ticket>(); // not live (any more)
        return std::optional<core::Ticket>(ticketFrom(q.value()));
    }
    // SQLite has no data-modifying WITH: the same two writes in one local transaction.
    return m_db.inTransaction([&]() -> core::Result<std::optional<core::Ticket>> {
        auto q = cached(m_db, update, Tr::tr("admit ticket %1").arg(ticketId));
        if (!q)
            return q.error();
        q->bind(QStringLiteral(":actor"), textOrNull(actor)).bind(QStringLiteral(":ticket_id"), ticketId);
        if (auto r = execCached(m_db, q.value()); !r)
            return r.error();
        if (!q->next())
            return std::optional<core::Ticket>();
        const core::Ticket ticket = ticketFrom(q.value());
        q->finish();
        if (auto r = insertEvent(m_db, ticketId, ticket.orderId, TicketStatus::Live, TicketStatus::Used, actor, reason); !r)
            return r.error();
        return std::optional<core::Ticket>(ticket);
    });
}

core::Result<AdmitResult> TicketRepository::admit(qint64 ticketId, const QString &actor, const QString &reason,
                                                  const QStringList &events, const QString &operatorName)
{
    AdmitResult result;
    auto admitted = admitOne(ticketId, actor, reason, operatorName);
    if (!admitted)
        return admitted.error();
    if (admitted.value())
        result.outcome = AdmitResult::Outcome::Admitted;
    auto ticket = admitted.value() ? core::Result<std::optional<core::Ticket>>(admitted.value()) : byId(ticketId);
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
    if (auto r = orderCounts(result.ticket.orderId, result, events); !r)
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
core::Result<AdmitResult> TicketRepository::noLiveTicket(const QString &orderId, const QStringList &events)
{
    AdmitResult result;
    QString columns = kTicketColumns;
    columns.replace(QStringLiteral(", "), QStringLiteral(", t.")).prepend(QStringLiteral("t."));
    auto q = m_db.prepare(QStringLiteral("SELECT ") + columns
                              + QStringLiteral(" FROM ghl_qr_tickets t JOIN ghl_qr_orders o ON o.order_id = t.order_id "
                                               "WHERE t.order_id = :order_id")
                              + eventCondition(events) + QStringLiteral(" ORDER BY (t.status = ")
                              + sqlStatus(TicketStatus::Used) + QStringLiteral(") DESC, t.updated_at DESC LIMIT 1"),
                          Tr::tr("read the tickets of order %1").arg(orderId));
    if (!q)
        return q.error();
    q->bind(QStringLiteral(":order_id"), orderId);
    bindEvents(q.value(), events);
    if (auto r = q->exec(); !r)
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
    if (auto r = orderCounts(orderId, result, events); !r)
        return r.error();
    return result;
}

core::Result<BulkResult> TicketRepository::undoAdmissions(const QList<qint64> &ticketIds, const QString &actor,
                                                          const QString &reason)
{
    return m_db.inTransaction([&]() -> core::Result<BulkResult> {
        BulkResult result;
        for (qint64 id : ticketIds) {
            // Only used -> live, and only what this actor admitted: a cancelled ticket stays
            // cancelled, another station's admission stays.
            auto q = m_db.prepare(QStringLiteral("UPDATE ghl_qr_tickets SET status = ") + sqlStatus(TicketStatus::Live)
                                      + QStringLiteral(", updated_at = ") + m_db.nowExpr()
                                      + QStringLiteral(", updated_by = :actor WHERE ticket_id = :ticket_id AND status = ")
                                      + sqlStatus(TicketStatus::Used)
                                      + QStringLiteral(" AND coalesce(updated_by, '') = :admitted_by RETURNING order_id"),
                                  Tr::tr("undo the admission of ticket %1").arg(id));
            if (!q)
                return q.error();
            if (auto r = q->bind(QStringLiteral(":actor"), textOrNull(actor))
                             .bind(QStringLiteral(":ticket_id"), id)
                             .bind(QStringLiteral(":admitted_by"), actor.isNull() ? QStringLiteral("") : actor)
                             .exec();
                !r)
                return r.error();
            if (q->next()) {
                const QString orderId = q->value(QStringLiteral("order_id")).toString();
                q->finish();
                if (auto r = insertEvent(m_db, id, orderId, TicketStatus::Used, TicketStatus::Live, actor, reason); !r)
                    return r.error();
                ++result.changed;
                continue;
            }
            q->finish();
            auto now = byId(id);
            if (!now)
                return now.error();
            if (!now.value())
                result.problems << Tr::tr("Ticket %1 no longer exists.").arg(id);
            else if (now.value()->status == TicketStatus::Used)
                result.problems << Tr::tr("Ticket %1 stays used: it was admitted again by %2.")
                                       .arg(id)
                                       .arg(now.value()->updatedBy.isEmpty() ? Tr::tr("another station") : now.value()->updatedBy);
            else
                result.problems << Tr::tr("Ticket %1 stays %2: it was changed meanwhile.")
                                       .arg(id)
                                       .arg(core::displayName(now.value()->status));
        }
        return result;
    });
}

core::Result<AdmitResult> TicketRepository::admitNext(const QString &orderId, const QString &actor,
                                                      const QStringList &events, const QString &reason)
{
    // Another station may take the same ticket between the SELECT and the UPDATE: then try the next.
    for (int attempt = 0; attempt < 20; ++attempt) {
        auto q = m_db.prepare(QStringLiteral("SELECT t.ticket_id AS ticket_id FROM ghl_qr_tickets t JOIN ghl_qr_orders o "
                                             "ON o.order_id = t.order_id WHERE t.order_id = :order_id AND t.status = ")
                                  + sqlStatus(TicketStatus::Live) + eventCondition(events)
                                  + QStringLiteral(" ORDER BY t.ticket_id LIMIT 1"),
                              Tr::tr("find a ticket to admit"));
        if (!q)
            return q.error();
        q->bind(QStringLiteral(":order_id"), orderId);
        bindEvents(q.value(), events);
        if (auto r = q->exec(); !r)
            return r.error();
        if (!q->next())
            return noLiveTicket(orderId, events);
        const qint64 id = q->value(QStringLiteral("ticket_id")).toLongLong();
        q->finish();
        auto result = admit(id, actor, reason, events);
        if (!result || result->outcome != AdmitResult::Outcome::AlreadyUsed)
            return result;
    }
    return core::makeError(QStringLiteral("ticket.busy"),
                           Tr::tr("Order %1 is being admitted at another station right now; try again.").arg(orderId));
}

} // namespace qrt::db
