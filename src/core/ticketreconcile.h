#pragma once

#include "core/order.h"

#include <QList>
#include <QString>
#include <QStringList>

namespace qrt::core {

// Who the sync is in the audit trail and in updated_by. A ticket cancelled by this actor was
// cancelled by a sync (a quantity fell) and comes back first when the quantity grows again.
inline const QString kSyncActor = QStringLiteral("sync");

// One stored ticket of the order, as reconciling sees it.
struct ReconcileTicket
{
    qint64 id = 0;         // ids grow with creation: a higher id is a newer ticket
    QString ticketType;
    QString productId;     // empty: a ticket of the original system, not yet given its product
    QString status;        // as stored; a status we do not know is reported and left alone
    QString updatedBy;     // kSyncActor: the sync made the last change
};

// One change to the ticket table, in the order it is to be applied.
struct TicketChange
{
    enum class Kind {
        AssignProduct, // ticketId gets productId (tickets of the original system)
        Restore,       // ticketId: cancelled -> live (a sync had cancelled it)
        Add,           // a new live ticket of productId / ticketType
        Cancel,        // ticketId: live -> cancelled
    };
    Kind kind = Kind::Add;
    qint64 ticketId = 0; // 0 for Add
    QString productId;
    QString ticketType;
    QString reason; // for the audit trail (empty for AssignProduct)

    friend bool operator==(const TicketChange &, const TicketChange &) = default;
};

struct ReconcilePlan
{
    QList<TicketChange> changes;
    QStringList conflicts; // for the sync summary: what the rules could not do, and why

    int count(TicketChange::Kind kind) const;
};

// PRODUCT.md section 2, "Ticket rules", as a pure function: what must change so that the order's
// tickets match what GHL reports. Per (product, ticket type):
// - more wanted than live + used: tickets a sync cancelled come back first (oldest first); then new
//   tickets are added, except that tickets staff cancelled still count as sold (a partial refund
//   keeps its place);
// - fewer wanted (or the order is cancelled/refunded): live tickets are cancelled, newest first,
//   with a reason; used tickets are never touched, and what cannot be cancelled is a conflict.
// Nothing is ever deleted. Tickets without a product (from the original system) first get the
// product that sells their ticket type, the order's event preferred.
ReconcilePlan planReconcile(const Order &order, QList<ReconcileTicket> tickets);

} // namespace qrt::core
