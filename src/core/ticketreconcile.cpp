#include "core/ticketreconcile.h"

#include "core/ticketstatus.h"

#include <QCoreApplication>

#include <algorithm>

namespace qrt::core {

namespace {
// These sentences were written by TicketRepository and are translated under its context; they
// keep it so that their translations still apply.
struct Tr
{
    Q_DECLARE_TR_FUNCTIONS(qrt::db::TicketRepository)
};

struct Key
{
    QString product, type;
    bool operator==(const Key &) const = default;
};

struct Known
{
    ReconcileTicket ticket;
    TicketStatus status;
};

// The product a ticket of the original system belongs to: the one that sells its ticket type,
// the order's event first; the order's event when none does.
QString productFor(const Order &order, const QList<TicketDemand> &demand, const QString &ticketType)
{
    QString product = order.eventId;
    for (const TicketDemand &d : demand) {
        if (d.ticketType == ticketType) {
            product = d.productId;
            if (d.productId == order.eventId)
                break;
        }
    }
    return product;
}
} // namespace

int ReconcilePlan::count(TicketChange::Kind kind) const
{
    return static_cast<int>(
        std::count_if(changes.cbegin(), changes.cend(), [kind](const TicketChange &c) { return c.kind == kind; }));
}

ReconcilePlan planReconcile(const Order &order, QList<ReconcileTicket> tickets)
{
    ReconcilePlan plan;
    std::stable_sort(tickets.begin(), tickets.end(),
                     [](const ReconcileTicket &a, const ReconcileTicket &b) { return a.id < b.id; });
    const QList<TicketDemand> demand = order.ticketDemand();

    QList<Known> known;
    for (const ReconcileTicket &t : std::as_const(tickets)) {
        const auto status = ticketStatusFromString(t.status);
        if (!status) {
            plan.conflicts << Tr::tr("Ticket %1 has the unknown status '%2' and was left as it is.").arg(t.id).arg(t.status);
            continue;
        }
        known.append({ t, *status });
    }

    for (Known &k : known) {
        if (!k.ticket.productId.isEmpty())
            continue;
        const QString product = productFor(order, demand, k.ticket.ticketType);
        if (product.isEmpty())
            continue;
        k.ticket.productId = product;
        plan.changes.append({ TicketChange::Kind::AssignProduct, k.ticket.id, product, k.ticket.ticketType, {} });
    }

    QList<Key> keys;
    for (const TicketDemand &d : demand) {
        if (!keys.contains(Key { d.productId, d.ticketType }))
            keys.append({ d.productId, d.ticketType });
    }
    for (const Known &k : std::as_const(known)) {
        if (!keys.contains(Key { k.ticket.productId, k.ticket.ticketType }))
            keys.append({ k.ticket.productId, k.ticket.ticketType });
    }

    for (const Key &key : std::as_const(keys)) {
        int want = 0;
        for (const TicketDemand &d : demand) {
            if (d.productId == key.product && d.ticketType == key.type)
                want += d.qty;
        }
        QList<const ReconcileTicket *> live, used, syncCancelled, staffCancelled;
        for (const Known &k : std::as_const(known)) {
            if (k.ticket.productId != key.product || k.ticket.ticketType != key.type)
                continue;
            switch (k.status) {
            case TicketStatus::Live: live << &k.ticket; break;
            case TicketStatus::Used: used << &k.ticket; break;
            case TicketStatus::Cancelled:
                (k.ticket.updatedBy == kSyncActor ? syncCancelled : staffCancelled) << &k.ticket;
                break;
            }
        }
        int active = static_cast<int>(live.size() + used.size());
        const QString &label = key.type;
        if (want > active) {
            // Tickets a previous sync cancelled come back first; tickets staff cancelled stay
            // cancelled and still count as sold (a partial refund keeps its place).
            for (const ReconcileTicket *t : std::as_const(syncCancelled)) {
                if (active >= want)
                    break;
                plan.changes.append({ TicketChange::Kind::Restore, t->id, key.product, key.type,
                                      Tr::tr("quantity of %1 in GHL grew to %2").arg(label).arg(want) });
                ++active;
            }
            const int missing = want - active - static_cast<int>(staffCancelled.size());
            for (int i = 0; i < missing; ++i)
                plan.changes.append({ TicketChange::Kind::Add, 0, key.product, key.type,
                                      Tr::tr("bought in GHL (%1 x %2)").arg(want).arg(label) });
        } else if (want < active) {
            int excess = active - want;
            const QString reason = order.isVoid()
                ? Tr::tr("order %1 in GHL").arg(order.orderStatus.isEmpty() ? order.paymentStatus : order.orderStatus)
                : Tr::tr("quantity of %1 in GHL fell to %2").arg(label).arg(want);
            for (auto it = live.crbegin(); it != live.crend() && excess > 0; ++it, --excess)
                plan.changes.append({ TicketChange::Kind::Cancel, (*it)->id, key.product, key.type, reason });
            if (excess > 0)
                plan.conflicts << Tr::tr("Order %1: GHL reports %2 x %3 but %4 more are already used or were admitted "
                                         "meanwhile; they were left as they are.")
                                      .arg(order.orderId)
                                      .arg(want)
                                      .arg(label)
                                      .arg(excess);
        }
    }
    return plan;
}

} // namespace qrt::core
