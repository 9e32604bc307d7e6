#include "db/ticketrepository.h"

#include "db/ticketsql.h"

#include <QCoreApplication>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QRandomGenerator>

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

core::Result<std::optional<DoorOrder>> TicketRepository::doorOrder(const QString &key, bool byOrderId, bool doorViews)
{
    // The order and all its tickets in one statement: a scan at a 20 ms round trip pays for each one.
    QString columns = kTicketColumns;
    columns.replace(QStringLiteral(", "), QStringLiteral(", t.")).prepend(QStringLiteral("t."));
    if (doorViews) // qrt_door_tickets has no created_at (nothing at the door reads it)
        columns.replace(QStringLiteral("t.created_at"), QStringLiteral("t.updated_at AS created_at"));
    const QString orders = doorViews ? QStringLiteral("qrt_door_orders") : QStringLiteral("ghl_qr_orders");
    const QString tickets = doorViews ? QStringLiteral("qrt_door_tickets") : QStringLiteral("ghl_qr_tickets");
    const QString head = QStringLiteral("SELECT o.order_id AS the_order_id, o.payment_status AS payment_status, "
                                        "o.order_status AS order_status, o.contact_firstname AS contact_firstname, "
                                        "o.contact_lastname AS contact_lastname, o.event_id AS event_id, "
                                        "o.event_name AS event_name, o.line_items AS line_items, ")
        + columns + QStringLiteral(" FROM %1 o LEFT JOIN %2 t ON t.order_id = o.order_id WHERE o.order_id = ").arg(orders, tickets);
    const QString tail = QStringLiteral(" ORDER BY t.ticket_id");
    QStringList statements;
    if (!byOrderId) {
        statements << head + QStringLiteral("(SELECT order_id FROM %1 WHERE code = :code)").arg(tickets) + tail;
    } else {
        // Exact, lower, upper and swapped case first (the primary key answers); only an id still
        // not found costs a scan of lower(order_id).
        statements << head
                + QStringLiteral("(SELECT order_id FROM %1 WHERE order_id IN (:a, :b, :c, :d) "
                                 "ORDER BY CASE WHEN order_id = :e THEN 0 ELSE 1 END, order_id LIMIT 1)")
                      .arg(orders)
                + tail;
        statements << head
                + QStringLiteral("(SELECT order_id FROM %1 WHERE lower(order_id) = :b ORDER BY order_id LIMIT 1)").arg(orders)
                + tail;
    }
    QString swapped = key;
    for (QChar &c : swapped)
        c = c.isUpper() ? c.toLower() : c.toUpper();
    for (const QString &sql : std::as_const(statements)) {
        auto q = cached(m_db, sql, byOrderId ? Tr::tr("read order %1").arg(key) : Tr::tr("read the ticket %1").arg(key));
        if (!q)
            return q.error();
        if (!byOrderId) {
            q->bind(QStringLiteral(":code"), key);
        } else {
            if (sql.contains(QStringLiteral(":a")))
                q->bind(QStringLiteral(":a"), key)
                    .bind(QStringLiteral(":c"), key.toUpper())
                    .bind(QStringLiteral(":d"), swapped)
                    .bind(QStringLiteral(":e"), key);
            q->bind(QStringLiteral(":b"), key.toLower());
        }
        if (auto r = execCached(m_db, q.value()); !r)
            return r.error();
        std::optional<DoorOrder> found;
        while (q->next()) {
            if (!found) {
                found.emplace();
                core::Order &o = found->order;
                o.orderId = q->value(QStringLiteral("the_order_id")).toString();
                o.paymentStatus = q->value(QStringLiteral("payment_status")).toString();
                o.orderStatus = q->value(QStringLiteral("order_status")).toString();
                o.contactFirstName = q->value(QStringLiteral("contact_firstname")).toString();
                o.contactLastName = q->value(QStringLiteral("contact_lastname")).toString();
                o.eventId = q->value(QStringLiteral("event_id")).toString();
                o.eventName = q->value(QStringLiteral("event_name")).toString();
                const QVariant items = q->value(QStringLiteral("line_items"));
                const QByteArray json = items.typeId() == QMetaType::QByteArray ? items.toByteArray() : items.toString().toUtf8();
                for (const QJsonValue &v : QJsonDocument::fromJson(json).array()) {
                    const QJsonObject i = v.toObject();
                    core::OrderItem item;
                    item.productId = i.value(QStringLiteral("product_id")).toString();
                    item.productName = i.value(QStringLiteral("product_name")).toString();
                    item.qty = i.value(QStringLiteral("qty")).toInt();
                    o.items.append(item);
                }
            }
            if (!q->value(QStringLiteral("ticket_id")).isNull())
                found->tickets.append(ticketFrom(q.value()));
        }
        if (found)
            return found;
    }
    return std::optional<DoorOrder>();
}

QString TicketRepository::newCode()
{
    // 128 random bits from the system's CSPRNG, as 32 hex digits: unguessable, scanner-friendly.
    quint32 words[4];
    QRandomGenerator::system()->fillRange(words);
    QString code;
    code.reserve(32);
    for (quint32 w : words)
        code += QStringLiteral("%1").arg(w, 8, 16, QLatin1Char('0'));
    return code;
}

core::Result<QList<core::Ticket>> TicketRepository::select(const QString &where, const QVariant &value,
                                                            const QString &what)
{
    auto q = m_db.prepare(QStringLiteral("SELECT ") + kTicketColumns + QStringLiteral(" FROM ghl_qr_tickets WHERE ")
                              + where + QStringLiteral(" ORDER BY ticket_id"),
                          what);
    if (!q)
        return q.error();
    if (auto r = q->bind(QStringLiteral(":key"), value).exec(); !r)
        return r.error();
    QList<core::Ticket> tickets;
    while (q->next())
        tickets.append(ticketFrom(q.value()));
    return tickets;
}

core::Result<QList<core::Ticket>> TicketRepository::forOrder(const QString &orderId)
{
    return select(QStringLiteral("order_id = :key"), orderId, Tr::tr("read the tickets of order %1").arg(orderId));
}

core::Result<std::optional<core::Ticket>> TicketRepository::byId(qint64 ticketId)
{
    auto found = select(QStringLiteral("ticket_id = :key"), ticketId, Tr::tr("read ticket %1").arg(ticketId));
    if (!found)
        return found.error();
    return found->isEmpty() ? std::optional<core::Ticket>() : std::optional<core::Ticket>(found->first());
}

core::Result<std::optional<core::Ticket>> TicketRepository::byCode(const QString &code)
{
    auto found = select(QStringLiteral("code = :key"), code.trimmed().toLower(), Tr::tr("look up a ticket code"));
    if (!found)
        return found.error();
    return found->isEmpty() ? std::optional<core::Ticket>() : std::optional<core::Ticket>(found->first());
}

core::Result<core::Ticket> TicketRepository::setStatus(qint64 ticketId, TicketStatus to, const QString &reason,
                                                       const QString &actor)
{
    auto current = byId(ticketId);
    if (!current)
        return current.error();
    if (!current.value())
        return core::makeError(QStringLiteral("ticket.not_found"), Tr::tr("Ticket %1 does not exist.").arg(ticketId));
    const core::Ticket ticket = *current.value();
    if (const QString problem = core::transitionProblem(ticket.status, to, reason); !problem.isEmpty())
        return core::makeError(QStringLiteral("ticket.transition"), problem);
    auto changed = m_db.inTransaction([&]() -> core::Result<void> {
        auto r = changeIn(m_db, ticketId, ticket.orderId, ticket.status, to, reason, actor);
        if (!r)
            return r.error();
        if (!r.value())
            return core::makeError(QStringLiteral("ticket.conflict"),
                                   Tr::tr("Ticket %1 was changed by someone else a moment ago; look at it again.")
                                       .arg(ticketId));
        return {};
    });
    if (!changed)
        return changed.error();
    auto after = byId(ticketId);
    if (!after || !after.value())
        return core::makeError(QStringLiteral("ticket.not_found"), Tr::tr("Ticket %1 does not exist.").arg(ticketId));
    return *after.value();
}

namespace {
// One ticket of a bulk change: skipped when already there, refused with why, or changed.
core::Result<void> applyOne(Database &db, const core::Ticket &t, TicketStatus to, const QString &reason,
                            const QString &actor, BulkResult &result)
{
    if (t.status == to) {
        ++result.skipped;
        return {};
    }
    if (const QString problem = core::transitionProblem(t.status, to, reason); !problem.isEmpty()) {
        result.problems << Tr::tr("Ticket %1: %2").arg(t.ticketId).arg(problem);
        return {};
    }
    auto changed = changeIn(db, t.ticketId, t.orderId, t.status, to, reason, actor);
    if (!changed)
        return changed.error();
    if (changed.value())
        ++result.changed;
    else
        result.problems << Tr::tr("Ticket %1 was changed by someone else meanwhile.").arg(t.ticketId);
    return {};
}
} // namespace

core::Result<BulkResult> TicketRepository::changeMany(const QString &where, const QVariantList &keys, TicketStatus to,
                                                      const QString &reason, const QString &actor)
{
    return m_db.inTransaction([&]() -> core::Result<BulkResult> {
        BulkResult result;
        // One bound key at a time: ids and order ids never become SQL text.
        for (const QVariant &key : keys) {
            auto tickets = select(where, key, Tr::tr("read the tickets to change"));
            if (!tickets)
                return tickets.error();
            if (tickets->isEmpty() && key.typeId() != QMetaType::QString)
                result.problems << Tr::tr("Ticket %1 does not exist.").arg(key.toLongLong());
            for (const core::Ticket &t : std::as_const(tickets.value())) {
                if (auto r = applyOne(m_db, t, to, reason, actor, result); !r)
                    return r.error();
            }
        }
        return result;
    });
}

core::Result<BulkResult> TicketRepository::setStatus(const QList<qint64> &ticketIds, TicketStatus to,
                                                     const QString &reason, const QString &actor)
{
    QVariantList keys;
    for (qint64 id : ticketIds)
        keys << id;
    return changeMany(QStringLiteral("ticket_id = :key"), keys, to, reason, actor);
}

core::Result<BulkResult> TicketRepository::setStatusForOrder(const QString &orderId, TicketStatus to,
                                                             const QString &reason, const QString &actor)
{
    return changeMany(QStringLiteral("order_id = :key"), { orderId }, to, reason, actor);
}

} // namespace qrt::db
