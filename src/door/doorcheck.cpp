#include "door/doorcheck.h"

#include "core/order.h"
#include "db/doorfunctions.h"
#include "db/ticketrepository.h"

#include <QCoreApplication>
#include <QLocale>

namespace qrt::door {

using core::TicketStatus;

namespace {
// Q_DECLARE_TR_FUNCTIONS gives lupdate and the program the same context for Tr::tr().
struct Tr
{
    Q_DECLARE_TR_FUNCTIONS(qrt::door::DoorCheck)
};

// "by Door 2 on 29/11/2026 at 20:14": the date too, since a ticket may have been used on another day.
QString usedByWhen(const QString &who, const QDateTime &t)
{
    const QString by = who.isEmpty() ? Tr::tr("an unknown station") : who;
    if (!t.isValid())
        return Tr::tr("by %1 at an unknown time").arg(by);
    const QDateTime local = t.toLocalTime();
    return Tr::tr("by %1 on %2 at %3")
        .arg(by, QLocale().toString(local.date(), QLocale::ShortFormat), QLocale().toString(local.time(), QLocale::ShortFormat));
}

// What a scanner typed, short enough for a banner or a terminal line.
QString shortened(const QString &text)
{
    const QString simple = text.simplified();
    return simple.size() > 48 ? simple.left(47) + QChar(0x2026) : simple;
}

bool isRefunded(const core::Order &o)
{
    return o.paymentStatus.compare(core::PaymentStatus::Refunded, Qt::CaseInsensitive) == 0
        || o.orderStatus.compare(core::PaymentStatus::Refunded, Qt::CaseInsensitive) == 0;
}

// Unpaid or partially paid: what [door] admit_unpaid decides about (PRODUCT.md section 4b). Other
// statuses (pending, failed, an empty one of an adopted order) are admitted and shown in the verdict.
bool isUnpaid(const QString &paymentStatus)
{
    static const QStringList unpaid = { core::PaymentStatus::Unpaid, core::PaymentStatus::PartiallyPaid };
    return unpaid.contains(paymentStatus.trimmed().toLower());
}

QString productName(const core::Order &o, const QString &productId)
{
    for (const core::OrderItem &item : o.items) {
        if (item.productId == productId && !item.productName.isEmpty())
            return item.productName;
    }
    if (productId == o.eventId && !o.eventName.isEmpty())
        return o.eventName;
    return productId;
}

QString eventOf(const core::Ticket &t, const core::Order &o)
{
    return t.productId.isEmpty() ? o.eventId : t.productId;
}

// The lines under the banner: who and which event, then what the scan means, then the payment.
QString detailText(const Verdict &v, const QString &middle)
{
    QStringList lines;
    QString who = v.contactName;
    if (!v.eventName.isEmpty())
        who += (who.isEmpty() ? QString() : QStringLiteral(" · ")) + v.eventName;
    if (!middle.isEmpty())
        lines << middle;
    if (!who.isEmpty())
        lines << who;
    if (!v.orderId.isEmpty())
        lines << Tr::tr("Payment: %1")
                     .arg(v.paymentStatus.isEmpty() ? Tr::tr("not known") : core::paymentStatusDisplayName(v.paymentStatus));
    return lines.join(u'\n');
}
} // namespace

Verdict::Tone Verdict::tone() const
{
    switch (kind) {
    case Kind::Admitted: return Tone::Green;
    case Kind::AlreadyUsed:
    case Kind::UnpaidAsk: return Tone::Amber;
    case Kind::Found: return Tone::Neutral;
    default: return Tone::Red;
    }
}

QString Verdict::line() const
{
    QStringList rest = detail.split(u'\n', Qt::SkipEmptyParts);
    QString head = title;
    if (kind == Kind::AlreadyUsed && !rest.isEmpty()) // "Already used" + "by Door 2 at 29/11/2026 20:14"
        head += u' ' + rest.takeFirst();
    return rest.isEmpty() ? head : head + QStringLiteral(" — ") + rest.join(QStringLiteral(" · "));
}

QString toString(Verdict::Kind kind)
{
    switch (kind) {
    case Verdict::Kind::Admitted: return QStringLiteral("admitted");
    case Verdict::Kind::AlreadyUsed: return QStringLiteral("already-used");
    case Verdict::Kind::UnpaidAsk: return QStringLiteral("unpaid-ask");
    case Verdict::Kind::UnpaidRefused: return QStringLiteral("unpaid-refused");
    case Verdict::Kind::TicketCancelled: return QStringLiteral("cancelled");
    case Verdict::Kind::Refunded: return QStringLiteral("refunded");
    case Verdict::Kind::OrderCancelled: return QStringLiteral("order-cancelled");
    case Verdict::Kind::OtherEvent: return QStringLiteral("other-event");
    case Verdict::Kind::UnknownTicket: return QStringLiteral("unknown-ticket");
    case Verdict::Kind::UnknownOrder: return QStringLiteral("unknown-order");
    case Verdict::Kind::NotATicket: return QStringLiteral("not-a-ticket");
    case Verdict::Kind::Failed: return QStringLiteral("failed");
    case Verdict::Kind::Found: return QStringLiteral("found");
    }
    return {};
}

DoorCheck::Policy DoorCheck::Policy::from(const core::Config &config)
{
    const core::DoorSettings door = config.door();
    Policy p;
    p.events = door.events;
    p.admitUnpaid = door.admitUnpaid;
    p.station = config.stationName();
    p.gate = door.gate;
    p.urlTemplate = config.qr().urlTemplate;
    return p;
}

QString DoorCheck::Policy::actor() const
{
    if (gate.isEmpty())
        return station;
    return station.isEmpty() ? gate : station + QStringLiteral(" · ") + gate;
}

Verdict DoorCheck::scan(const QString &text)
{
    return check(parseScan(text, m_policy.urlTemplate));
}

Verdict DoorCheck::check(const ScanInput &input, Mode mode, bool unpaidConfirmed)
{
    auto verdict = run(input, mode, unpaidConfirmed);
    if (verdict)
        return verdict.value();
    Verdict failed;
    failed.kind = Verdict::Kind::Failed;
    failed.input = input.value;
    failed.title = Tr::tr("Could not check in");
    failed.detail = verdict.error().message;
    // A door login on a database whose door functions are older than this program (42883: no such
    // function, 42P01: no such view): `roles install` was not run again after the upgrade.
    if (m_policy.doorRole
        && (verdict.error().details.contains(QStringLiteral("42883")) || verdict.error().details.contains(QStringLiteral("42P01"))))
        failed.detail = Tr::tr("This door login cannot check tickets yet: the database lacks this version's door functions. "
                               "Ask the admin to run `qrtickets roles install` again with the database owner's URL.");
    failed.error = verdict.error();
    return failed;
}

core::Result<Verdict> DoorCheck::run(const ScanInput &input, Mode mode, bool unpaidConfirmed, int attempt)
{
    Verdict v;
    v.input = input.value;
    if (input.kind == ScanInput::Kind::Empty || input.kind == ScanInput::Kind::Unrecognised) {
        v.kind = Verdict::Kind::NotATicket;
        v.title = Tr::tr("Not a ticket");
        v.detail = Tr::tr("\"%1\" is neither a ticket code nor an order link. Scan the QR code on the ticket.")
                       .arg(shortened(input.value));
        return v;
    }
    // One statement reads what the verdict needs (the order, its tickets, its event names): at a
    // 20 ms round trip to the server every statement of a scan shows.
    db::TicketRepository tickets(m_db);
    const bool byCode = input.kind == ScanInput::Kind::TicketCode;
    auto read = tickets.doorOrder(input.value, !byCode, m_policy.doorRole);
    if (!read)
        return read.error();
    if (!read.value()) {
        if (byCode) {
            v.kind = Verdict::Kind::UnknownTicket;
            v.title = Tr::tr("Unknown ticket");
            v.detail = Tr::tr("No ticket has the code %1. If the order is new, press Sync (F5) and scan again.")
                           .arg(shortened(input.value));
            return v;
        }
        v.kind = Verdict::Kind::UnknownOrder;
        v.title = Tr::tr("Unknown order");
        v.detail = Tr::tr("Order %1 is not in the database. If it is new, press Sync (F5) and scan again.")
                       .arg(shortened(input.value));
        return v;
    }
    const core::Order order = read.value()->order;
    std::optional<core::Ticket> scanned;
    if (byCode) {
        for (const core::Ticket &t : std::as_const(read.value()->tickets)) {
            if (t.code == input.value)
                scanned = t;
        }
    }
    v.orderId = order.orderId;
    v.contactName = order.contactName();
    v.paymentStatus = order.paymentStatus;

    const QList<core::Ticket> all = read.value()->tickets;
    const auto inList = [this](const QString &productId) {
        return m_policy.events.isEmpty() || m_policy.events.contains(productId, Qt::CaseInsensitive); // typed in any case
    };
    // The order's tickets this station admits for (every one of them when it admits for all).
    QList<core::Ticket> here;
    QStringList otherEvents;
    for (const core::Ticket &t : all) {
        const QString ev = eventOf(t, order);
        if (inList(ev)) {
            here << t;
        } else if (!otherEvents.contains(ev)) {
            otherEvents << ev;
        }
    }
    const auto countHere = [&v, &here] {
        v.admittedInOrder = 0;
        v.totalInOrder = 0;
        for (const core::Ticket &t : std::as_const(here)) {
            v.admittedInOrder += t.status == TicketStatus::Used ? 1 : 0;
            v.totalInOrder += t.status != TicketStatus::Cancelled ? 1 : 0;
        }
    };
    countHere();
    if (scanned) {
        v.ticket = *scanned;
        v.eventName = productName(order, eventOf(*scanned, order));
    } else {
        QStringList names;
        for (const core::Ticket &t : std::as_const(here)) {
            const QString name = productName(order, eventOf(t, order));
            if (!names.contains(name))
                names << name;
        }
        v.eventName = names.isEmpty() ? order.eventName : names.join(QStringLiteral(", "));
    }

    // 1. GHL says the order is void: nobody gets in on it, whatever its tickets say.
    if (order.isVoid()) {
        const bool refunded = isRefunded(order);
        v.kind = refunded ? Verdict::Kind::Refunded : Verdict::Kind::OrderCancelled;
        v.title = refunded ? Tr::tr("Refunded") : Tr::tr("Cancelled");
        v.detail = detailText(v, refunded ? Tr::tr("This order was refunded: its tickets are not valid.")
                                          : Tr::tr("This order was cancelled: its tickets are not valid."));
        return v;
    }

    // 2. The station's events only.
    const bool otherEvent = scanned ? !inList(eventOf(*scanned, order)) : (here.isEmpty() && !otherEvents.isEmpty());
    if (otherEvent) {
        QStringList names;
        for (const QString &ev : scanned ? QStringList { eventOf(*scanned, order) } : otherEvents)
            names << productName(order, ev);
        v.kind = Verdict::Kind::OtherEvent;
        v.eventName = names.join(QStringLiteral(", "));
        v.title = Tr::tr("Other event: %1").arg(v.eventName);
        v.detail = detailText(v, Tr::tr("This station does not admit for this event. Send the guest to the right entrance."));
        v.admittedInOrder = v.totalInOrder = 0;
        return v;
    }

    // 3. Nothing left to admit here: used or cancelled.
    const core::Ticket *usedOne = nullptr;
    bool anyLive = false;
    for (const core::Ticket &t : std::as_const(here)) {
        anyLive = anyLive || t.status == TicketStatus::Live;
        if (t.status == TicketStatus::Used && (!usedOne || t.updatedAt > usedOne->updatedAt))
            usedOne = &t;
    }
    const auto alreadyUsed = [&v](const core::Ticket &t, bool wholeOrder) {
        v.kind = Verdict::Kind::AlreadyUsed;
        v.ticket = t;
        v.usedBy = t.updatedBy;
        v.usedAt = t.updatedAt;
        v.title = Tr::tr("Already used");
        QString middle = usedByWhen(v.usedBy, v.usedAt);
        if (wholeOrder && v.admittedInOrder > 1)
            middle += u'\n' + Tr::tr("All %1 tickets of this order are admitted.").arg(v.admittedInOrder);
        v.detail = detailText(v, middle);
    };
    const auto cancelled = [&v](bool wholeOrder) {
        v.kind = Verdict::Kind::TicketCancelled;
        v.title = Tr::tr("Cancelled");
        v.detail = detailText(v, wholeOrder ? Tr::tr("Every ticket of this order is cancelled.") : Tr::tr("This ticket is cancelled."));
    };
    if (scanned && scanned->status == TicketStatus::Used) {
        alreadyUsed(*scanned, false);
        return v;
    }
    if (scanned && scanned->status == TicketStatus::Cancelled) {
        cancelled(false);
        return v;
    }
    if (!scanned && !anyLive) {
        if (usedOne) {
            alreadyUsed(*usedOne, true);
        } else if (here.isEmpty()) {
            v.kind = Verdict::Kind::TicketCancelled;
            v.title = Tr::tr("No tickets");
            v.detail = detailText(v, Tr::tr("This order has no tickets yet. Press Sync (F5) and scan again."));
        } else {
            cancelled(true);
        }
        return v;
    }

    // 4. Payment: [door] admit_unpaid.
    QString reason;
    if (isUnpaid(order.paymentStatus)) {
        const QString status = core::paymentStatusDisplayName(order.paymentStatus);
        if (m_policy.admitUnpaid == core::AdmitUnpaid::Never) {
            v.kind = Verdict::Kind::UnpaidRefused;
            v.title = Tr::tr("Not paid");
            v.detail = detailText(v, Tr::tr("This order is %1; this station admits paid orders only.").arg(status));
            return v;
        }
        if (m_policy.admitUnpaid == core::AdmitUnpaid::Ask && !unpaidConfirmed) {
            v.kind = Verdict::Kind::UnpaidAsk;
            v.title = Tr::tr("Not paid");
            v.detail = detailText(v, Tr::tr("This order is %1. Press \"Admit anyway\" to let the guest in (recorded as unpaid).")
                                         .arg(status));
            return v;
        }
        reason = kUnpaidReason;
    }

    // 5. Look: what the buttons would admit, nothing admitted (a guest chosen by name).
    if (mode == Mode::Look) {
        v.kind = Verdict::Kind::Found;
        v.title = v.admittedInOrder == 0 ? Tr::tr("Not admitted yet") : Tr::tr("%1 of %2 admitted").arg(v.admittedInOrder).arg(v.totalInOrder);
        v.detail = detailText(v, Tr::tr("%n ticket(s) to admit. Check who the guest is, then press Admit.", nullptr, v.remaining()));
        return v;
    }

    // 6. Admit: one conditional UPDATE (with its audit row) per ticket, so that of two racing
    // stations exactly one wins; a ticket another station took meanwhile is not ours: an order's
    // next live ticket is tried, and when nothing was left the scan is decided again on a new read.
    const QString actor = m_policy.actor();
    QList<core::Ticket> candidates; // `here` is in ticket_id order: the lowest live ticket first
    if (scanned) {
        candidates << *scanned;
    } else {
        for (const core::Ticket &t : std::as_const(here)) {
            if (t.status == TicketStatus::Live)
                candidates << t;
        }
    }
    QString stoppedBy; // "Admit all" failed part-way: what it admitted stays admitted (and undoable)
    int lost = 0;      // taken by another station between our read and our UPDATE
    for (const core::Ticket &candidate : std::as_const(candidates)) {
        auto won = m_policy.doorRole ? db::DoorFunctions(m_db).admitTicket(candidate.ticketId, actor, reason)
                                     : tickets.admitOne(candidate.ticketId, actor, reason);
        if (!won) {
            if (v.admittedTickets.isEmpty())
                return won.error();
            stoppedBy = won.error().message;
            break;
        }
        if (!won.value()) {
            ++lost;
            continue;
        }
        v.admittedTickets << candidate.ticketId;
        v.ticket = *won.value();
        if (scanned || mode == Mode::One)
            break;
    }
    if (v.admittedTickets.isEmpty()) {
        if (attempt < 3)
            return run(input, mode, unpaidConfirmed, attempt + 1);
        return core::makeError(QStringLiteral("ticket.busy"),
                               Tr::tr("Order %1 is being admitted at another station right now; try again.").arg(order.orderId));
    }
    v.admittedInOrder = std::min(v.totalInOrder, v.admittedInOrder + int(v.admittedTickets.size()) + lost);
    v.kind = Verdict::Kind::Admitted;
    v.title = Tr::tr("Admitted %1 of %2").arg(v.admittedInOrder).arg(v.totalInOrder);
    QString middle = v.admittedTickets.size() > 1 ? Tr::tr("%n ticket(s) admitted now", nullptr, int(v.admittedTickets.size()))
                                                  : Tr::tr("Ticket: %1").arg(v.ticket.ticketType);
    if (!reason.isEmpty())
        middle += u'\n' + Tr::tr("Admitted although not paid.");
    if (!stoppedBy.isEmpty())
        middle += u'\n' + Tr::tr("Stopped before the rest: %1 Press \"Admit all remaining\" again.").arg(stoppedBy);
    v.detail = detailText(v, middle);
    return v;
}

} // namespace qrt::door
