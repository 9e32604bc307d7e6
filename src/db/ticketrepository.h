#pragma once

#include "core/order.h"
#include "core/result.h"
#include "core/ticket.h"
#include "core/ticketreconcile.h"
#include "db/database.h"

#include <QList>
#include <QMap>
#include <QStringList>
#include <optional>

namespace qrt::db {

// What a sync did to one order's tickets (PRODUCT.md section 2, ticket rules).
struct ReconcileResult
{
    QString orderId;
    int added = 0;
    int cancelled = 0;
    int restored = 0;
    QStringList conflicts; // e.g. more tickets already used than GHL now reports

    bool changed() const { return added || cancelled || restored; }
};

struct AdmitResult
{
    enum class Outcome {
        Admitted,      // this call turned the ticket from live to used
        AlreadyUsed,   // someone else won: usedBy/usedAt say who and when
        Cancelled,     // the ticket is cancelled
        NotFound,      // no such ticket (or order)
        NoLiveTickets, // admitNext: every ticket of the order is used or cancelled
    };
    Outcome outcome = Outcome::NotFound;
    core::Ticket ticket;
    QString usedBy;
    QDateTime usedAt;
    int admittedInOrder = 0; // used tickets of the order after this call (of the events asked for)
    int totalInOrder = 0;    // live + used tickets of the order (of the events asked for)

    bool admitted() const { return outcome == Outcome::Admitted; }
};

// How many tickets of one order are in one status for one event (product). A ticket's event is its
// own product_id; a ticket without one (written by the original system) belongs to its order's event.
struct EventTicketCount
{
    QString productId;
    core::TicketStatus status = core::TicketStatus::Live;
    int count = 0;
};

// One order on the door list of one event: its tickets of that event only.
struct DoorListRow
{
    QString orderId;
    QString firstName;
    QString lastName;
    QString email;
    QString paymentStatus;
    int live = 0;
    int used = 0;
    QMap<QString, int> ticketTypes; // live + used tickets of the event per ticket type
};

// What the door decides a scan on: the order (the fields a verdict shows, with its line items for
// the event names) and all its tickets, read in one statement.
struct DoorOrder
{
    core::Order order;
    QList<core::Ticket> tickets; // by ticket_id
};

struct BulkResult
{
    int changed = 0;
    int skipped = 0;       // already in the target status
    QStringList problems;  // tickets whose transition was refused, with why
};

// Per event and ticket type: what a door manager watches.
struct OverviewRow
{
    QString eventId;
    QString eventName;
    QString ticketType;
    int sold = 0; // live + used
    int admitted = 0;
    int remaining = 0; // live
    int cancelled = 0;
};

class TicketRepository
{
public:
    static inline const QString kSyncActor = core::kSyncActor;

    explicit TicketRepository(Database &db) : m_db(db) { }

    core::Result<QList<core::Ticket>> forOrder(const QString &orderId);
    core::Result<std::optional<core::Ticket>> byId(qint64 ticketId);
    core::Result<std::optional<core::Ticket>> byCode(const QString &code);

    // Brings the order's tickets in line with what GHL reports: adds missing tickets, cancels
    // excess live ones (newest first), never touches used ones and never deletes; audited. The
    // rules are core::planReconcile; this applies them (ticketreconcile.cpp).
    core::Result<ReconcileResult> reconcile(const core::Order &order, const QString &station);
    // The same inside a transaction the caller owns (db.inTransaction: the sync batches orders).
    static core::Result<ReconcileResult> reconcileIn(Database &db, const core::Order &order, const QString &station);

    // One ticket; the transition is checked against the ticket rules.
    core::Result<core::Ticket> setStatus(qint64 ticketId, core::TicketStatus to, const QString &reason,
                                         const QString &actor);
    core::Result<BulkResult> setStatus(const QList<qint64> &ticketIds, core::TicketStatus to, const QString &reason,
                                       const QString &actor);
    core::Result<BulkResult> setStatusForOrder(const QString &orderId, core::TicketStatus to, const QString &reason,
                                               const QString &actor);

    // live -> used as one conditional UPDATE: of two racing stations exactly one wins. reason goes
    // into ticket_events ("unpaid" when the door admitted an unpaid order on purpose). events: the
    // product ids a door admits for (empty: every event); the counts of the result cover only those.
    // operatorName: who ticket_events records (PostgreSQL; empty: the column's default, session_user),
    // for an upload of an admission another operator made offline.
    core::Result<AdmitResult> admit(qint64 ticketId, const QString &actor, const QString &reason = {},
                                    const QStringList &events = {}, const QString &operatorName = {});
    core::Result<AdmitResult> admitByCode(const QString &code, const QString &actor);
    // Undo at the door: used -> live for the tickets this actor admitted and nobody changed since
    // (still used, updated_by = actor), as conditional UPDATEs in one transaction. Any other ticket
    // (cancelled by a refund meanwhile, admitted again elsewhere) is left alone and listed in problems.
    core::Result<BulkResult> undoAdmissions(const QList<qint64> &ticketIds, const QString &actor, const QString &reason);
    // The door's read: the order holding the ticket with this code (byOrderId false), or the order
    // whose id is `key` in any letter case (exact first), with all its tickets; nullopt when none.
    // doorViews: read through the door role's views (qrt_door_orders, qrt_door_tickets) instead of
    // the tables, for a login in qrtickets_door (roles install): the same rows, line items without
    // prices, a ticket's created_at is its updated_at.
    core::Result<std::optional<DoorOrder>> doorOrder(const QString &key, bool byOrderId, bool doorViews = false);
    // live -> used and its ticket_events row as one statement (PostgreSQL) or one local transaction
    // (SQLite). The ticket as admitted, or nullopt when it was not live (any more): not admitted.
    core::Result<std::optional<core::Ticket>> admitOne(qint64 ticketId, const QString &actor, const QString &reason = {},
                                                       const QString &operatorName = {});
    // The lowest live ticket of the order among the events (empty: every event).
    core::Result<AdmitResult> admitNext(const QString &orderId, const QString &actor, const QStringList &events = {},
                                        const QString &reason = {});
    // The order's tickets per event and status (see EventTicketCount).
    core::Result<QList<EventTicketCount>> countsByEvent(const QString &orderId);
    // Orders holding tickets of the event (by each ticket's own product), by last and first name;
    // orders whose tickets of that event are all cancelled are left out.
    core::Result<QList<DoorListRow>> doorList(const QString &eventId);

    core::Result<QList<core::TicketEvent>> history(const QString &orderId);
    // The audit trail as a stream: events after afterId, oldest first (the live feed's source).
    core::Result<QList<core::TicketEvent>> eventsSince(qint64 afterId, int limit);
    core::Result<qint64> latestEventId();
    // doorViews: from the qrt_door_tickets view (a door login may read nothing else; issue 13
    // point 3), the event named by its orders' event_name only.
    core::Result<QList<OverviewRow>> overview(bool doorViews = false);

    static QString newCode();

private:
    // Tickets matching "<column> = :key" (the column comes from this class, the value is bound).
    core::Result<QList<core::Ticket>> select(const QString &where, const QVariant &value, const QString &what);
    core::Result<BulkResult> changeMany(const QString &where, const QVariantList &keys, core::TicketStatus to,
                                        const QString &reason, const QString &actor);
    core::Result<void> orderCounts(const QString &orderId, AdmitResult &result, const QStringList &events);
    core::Result<AdmitResult> noLiveTicket(const QString &orderId, const QStringList &events);
    Database &m_db;
};

} // namespace qrt::db
