#include "db/ticketrepository.h"

#include "db/logging.h"
#include "db/orderrepository.h"

#include <QCoreApplication>
#include <QHash>
#include <QRandomGenerator>
#include <QSqlQuery>
#include <QSqlRecord>

#include <algorithm>

namespace qrt::db {

using core::TicketStatus;

namespace {
// Q_DECLARE_TR_FUNCTIONS gives lupdate and the program the same context for Tr::tr().
struct Tr
{
    Q_DECLARE_TR_FUNCTIONS(qrt::db::TicketRepository)
};

const char *const kTicketColumns =
    "ticket_id, order_id, ticket_type, product_id, status, code, created_at, updated_at, updated_by";

core::Ticket ticketFrom(const QSqlQuery &q)
{
    core::Ticket t;
    t.ticketId = q.value(0).toLongLong();
    t.orderId = q.value(1).toString();
    t.ticketType = q.value(2).toString();
    t.productId = q.value(3).toString();
    t.status = core::ticketStatusFromString(q.value(4).toString()).value_or(TicketStatus::Live);
    t.code = q.value(5).toString();
    t.createdAt = timeFromDb(q.value(6));
    t.updatedAt = timeFromDb(q.value(7));
    t.updatedBy = q.value(8).toString();
    return t;
}

core::Result<void> insertEvent(Database &db, QSqlDatabase &c, qint64 ticketId, const QString &orderId,
                               std::optional<TicketStatus> from, TicketStatus to, const QString &actor,
                               const QString &reason)
{
    QSqlQuery q(c);
    q.prepare(QStringLiteral("INSERT INTO ticket_events (ticket_id, order_id, from_status, to_status, at, actor, reason) "
                             "VALUES (?, ?, ?, ?, ")
              + db.nowExpr() + QStringLiteral(", ?, ?)"));
    q.addBindValue(ticketId);
    q.addBindValue(orderId);
    q.addBindValue(from ? QVariant(core::toString(*from)) : QVariant(QMetaType(QMetaType::QString)));
    q.addBindValue(core::toString(to));
    q.addBindValue(textOrNull(actor));
    q.addBindValue(textOrNull(reason));
    if (!q.exec())
        return db.fail(q, Tr::tr("record the ticket change"));
    return {};
}

// The conditional UPDATE at the heart of every change: it only applies while the ticket still
// has the status the caller saw, so concurrent stations cannot both win.
core::Result<bool> changeIn(Database &db, QSqlDatabase &c, qint64 ticketId, const QString &orderId, TicketStatus from,
                            TicketStatus to, const QString &reason, const QString &actor)
{
    QSqlQuery q(c);
    q.prepare(QStringLiteral("UPDATE ghl_qr_tickets SET status = ?, updated_at = ") + db.nowExpr()
              + QStringLiteral(", updated_by = ? WHERE ticket_id = ? AND status = ?"));
    q.addBindValue(core::toString(to));
    q.addBindValue(textOrNull(actor));
    q.addBindValue(ticketId);
    q.addBindValue(core::toString(from));
    if (!q.exec())
        return db.fail(q, Tr::tr("change ticket %1").arg(ticketId));
    if (q.numRowsAffected() != 1)
        return false;
    if (auto r = insertEvent(db, c, ticketId, orderId, from, to, actor, reason); !r)
        return r.error();
    return true;
}

struct Existing
{
    qint64 id;
    QString type;
    QString productId;
    TicketStatus status;
    QString updatedBy;
};

} // namespace

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

core::Result<ReconcileResult> TicketRepository::reconcileIn(Database &db, QSqlDatabase &c, const core::Order &order,
                                                            const QString &station)
{
    ReconcileResult result;
    result.orderId = order.orderId;
    QSqlQuery q(c);
    q.prepare(QStringLiteral("SELECT ticket_id, ticket_type, product_id, status, updated_by FROM ghl_qr_tickets "
                             "WHERE order_id = ? ORDER BY ticket_id"));
    q.addBindValue(order.orderId);
    if (!q.exec())
        return db.fail(q, Tr::tr("read the tickets of order %1").arg(order.orderId));
    QList<Existing> existing;
    while (q.next()) {
        const auto status = core::ticketStatusFromString(q.value(3).toString());
        if (!status) {
            result.conflicts << Tr::tr("Ticket %1 has the unknown status '%2' and was left as it is.")
                                    .arg(q.value(0).toLongLong())
                                    .arg(q.value(3).toString());
            continue;
        }
        existing.append({ q.value(0).toLongLong(), q.value(1).toString(), q.value(2).toString(), *status,
                          q.value(4).toString() });
    }
    q.finish();

    const QList<core::TicketDemand> demand = order.ticketDemand();
    // Tickets of the original system carry no product id: they belong to the product that sells
    // their ticket type (the order's event first), and keep it from now on.
    QSqlQuery assign(c);
    assign.prepare(QStringLiteral("UPDATE ghl_qr_tickets SET product_id = ? WHERE ticket_id = ?"));
    for (Existing &t : existing) {
        if (!t.productId.isEmpty())
            continue;
        QString product = order.eventId;
        for (const core::TicketDemand &d : demand) {
            if (d.ticketType == t.type) {
                product = d.productId;
                if (d.productId == order.eventId)
                    break;
            }
        }
        if (product.isEmpty())
            continue;
        t.productId = product;
        assign.bindValue(0, product);
        assign.bindValue(1, t.id);
        if (!assign.exec())
            return db.fail(assign, Tr::tr("assign ticket %1 to its event").arg(t.id));
    }

    struct Key
    {
        QString product, type;
        bool operator==(const Key &) const = default;
    };
    QList<Key> keys;
    for (const core::TicketDemand &d : demand) {
        if (!keys.contains(Key { d.productId, d.ticketType }))
            keys.append({ d.productId, d.ticketType });
    }
    for (const Existing &t : std::as_const(existing)) {
        if (!keys.contains(Key { t.productId, t.type }))
            keys.append({ t.productId, t.type });
    }

    const QString actor = kSyncActor;
    const QString auditActor = station.isEmpty() ? actor : actor + QStringLiteral(" (") + station + u')';
    QSqlQuery insert(c);
    insert.prepare(QStringLiteral("INSERT INTO ghl_qr_tickets (order_id, ticket_type, product_id, status, code, "
                                  "created_at, updated_at, updated_by) VALUES (?, ?, ?, 'live', ?, ")
                   + db.nowExpr() + QStringLiteral(", ") + db.nowExpr() + QStringLiteral(", ?) RETURNING ticket_id"));

    for (const Key &key : std::as_const(keys)) {
        int want = 0;
        for (const core::TicketDemand &d : demand) {
            if (d.productId == key.product && d.ticketType == key.type)
                want += d.qty;
        }
        QList<const Existing *> live, used, syncCancelled, staffCancelled;
        for (const Existing &t : std::as_const(existing)) {
            if (t.productId != key.product || t.type != key.type)
                continue;
            switch (t.status) {
            case TicketStatus::Live: live << &t; break;
            case TicketStatus::Used: used << &t; break;
            case TicketStatus::Cancelled: (t.updatedBy == actor ? syncCancelled : staffCancelled) << &t; break;
            }
        }
        int active = static_cast<int>(live.size() + used.size());
        const QString label = key.type;
        if (want > active) {
            // Tickets a previous sync cancelled come back first; tickets staff cancelled stay
            // cancelled and still count as sold (a partial refund keeps its place).
            for (const Existing *t : std::as_const(syncCancelled)) {
                if (active >= want)
                    break;
                auto r = changeIn(db, c, t->id, order.orderId, TicketStatus::Cancelled, TicketStatus::Live,
                                  Tr::tr("quantity of %1 in GHL grew to %2").arg(label).arg(want), actor);
                if (!r)
                    return r.error();
                if (r.value()) {
                    ++active;
                    ++result.restored;
                }
            }
            const int missing = want - active - static_cast<int>(staffCancelled.size());
            for (int i = 0; i < missing; ++i) {
                insert.bindValue(0, order.orderId);
                insert.bindValue(1, key.type);
                insert.bindValue(2, textOrNull(key.product));
                insert.bindValue(3, newCode());
                insert.bindValue(4, actor);
                if (!insert.exec() || !insert.next())
                    return db.fail(insert, Tr::tr("add a ticket to order %1").arg(order.orderId));
                const qint64 id = insert.value(0).toLongLong();
                insert.finish();
                if (auto r = insertEvent(db, c, id, order.orderId, std::nullopt, TicketStatus::Live, auditActor,
                                         Tr::tr("bought in GHL (%1 x %2)").arg(want).arg(label));
                    !r)
                    return r.error();
                ++result.added;
            }
        } else if (want < active) {
            int excess = active - want;
            const QString reason = order.isVoid()
                ? Tr::tr("order %1 in GHL").arg(order.orderStatus.isEmpty() ? order.paymentStatus : order.orderStatus)
                : Tr::tr("quantity of %1 in GHL fell to %2").arg(label).arg(want);
            for (auto it = live.crbegin(); it != live.crend() && excess > 0; ++it) {
                auto r = changeIn(db, c, (*it)->id, order.orderId, TicketStatus::Live, TicketStatus::Cancelled, reason,
                                  actor);
                if (!r)
                    return r.error();
                if (r.value()) {
                    --excess;
                    ++result.cancelled;
                }
            }
            if (excess > 0)
                result.conflicts << Tr::tr("Order %1: GHL reports %2 x %3 but %4 more are already used or were admitted "
                                       "meanwhile; they were left as they are.")
                                        .arg(order.orderId)
                                        .arg(want)
                                        .arg(label)
                                        .arg(excess);
        }
    }
    return result;
}

core::Result<ReconcileResult> TicketRepository::reconcile(const core::Order &order, const QString &station)
{
    auto connection = m_db.connection();
    if (!connection)
        return connection.error();
    Transaction tx(m_db, connection.value());
    if (auto r = tx.begin(); !r)
        return r.error();
    auto result = reconcileIn(m_db, connection.value(), order, station);
    if (!result)
        return result.error();
    if (auto r = tx.commit(); !r)
        return r.error();
    return result;
}

core::Result<QList<core::Ticket>> TicketRepository::select(const QString &where, const QVariant &value,
                                                            const QString &what)
{
    auto connection = m_db.connection();
    if (!connection)
        return connection.error();
    QSqlQuery q(connection.value());
    q.prepare(QStringLiteral("SELECT ") + QLatin1StringView(kTicketColumns) + QStringLiteral(" FROM ghl_qr_tickets WHERE ")
              + where + QStringLiteral(" ORDER BY ticket_id"));
    q.addBindValue(value);
    if (!q.exec())
        return m_db.fail(q, what);
    QList<core::Ticket> tickets;
    while (q.next())
        tickets.append(ticketFrom(q));
    return tickets;
}

core::Result<QList<core::Ticket>> TicketRepository::forOrder(const QString &orderId)
{
    return select(QStringLiteral("order_id = ?"), orderId, Tr::tr("read the tickets of order %1").arg(orderId));
}

core::Result<std::optional<core::Ticket>> TicketRepository::byId(qint64 ticketId)
{
    auto found = select(QStringLiteral("ticket_id = ?"), ticketId, Tr::tr("read ticket %1").arg(ticketId));
    if (!found)
        return found.error();
    return found->isEmpty() ? std::optional<core::Ticket>() : std::optional<core::Ticket>(found->first());
}

core::Result<std::optional<core::Ticket>> TicketRepository::byCode(const QString &code)
{
    auto found = select(QStringLiteral("code = ?"), code.trimmed().toLower(), Tr::tr("look up a ticket code"));
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
    auto connection = m_db.connection();
    if (!connection)
        return connection.error();
    Transaction tx(m_db, connection.value());
    if (auto r = tx.begin(); !r)
        return r.error();
    auto changed = changeIn(m_db, connection.value(), ticketId, ticket.orderId, ticket.status, to, reason, actor);
    if (!changed)
        return changed.error();
    if (!changed.value())
        return core::makeError(QStringLiteral("ticket.conflict"),
                               Tr::tr("Ticket %1 was changed by someone else a moment ago; look at it again.")
                                   .arg(ticketId));
    if (auto r = tx.commit(); !r)
        return r.error();
    auto after = byId(ticketId);
    if (!after || !after.value())
        return core::makeError(QStringLiteral("ticket.not_found"), Tr::tr("Ticket %1 does not exist.").arg(ticketId));
    return *after.value();
}

namespace {
// One ticket of a bulk change: skipped when already there, refused with why, or changed.
core::Result<void> applyOne(Database &db, QSqlDatabase &c, const core::Ticket &t, TicketStatus to,
                            const QString &reason, const QString &actor, BulkResult &result)
{
    if (t.status == to) {
        ++result.skipped;
        return {};
    }
    if (const QString problem = core::transitionProblem(t.status, to, reason); !problem.isEmpty()) {
        result.problems << Tr::tr("Ticket %1: %2").arg(t.ticketId).arg(problem);
        return {};
    }
    auto changed = changeIn(db, c, t.ticketId, t.orderId, t.status, to, reason, actor);
    if (!changed)
        return changed.error();
    if (changed.value())
        ++result.changed;
    else
        result.problems << Tr::tr("Ticket %1 was changed by someone else meanwhile.").arg(t.ticketId);
    return {};
}
} // namespace

core::Result<BulkResult> TicketRepository::changeMany(const QString &selectSql, const QVariantList &keys,
                                                      TicketStatus to, const QString &reason, const QString &actor)
{
    auto connection = m_db.connection();
    if (!connection)
        return connection.error();
    Transaction tx(m_db, connection.value());
    if (auto r = tx.begin(); !r)
        return r.error();
    BulkResult result;
    // One bound key at a time: ids and order ids never become SQL text.
    for (const QVariant &key : keys) {
        QSqlQuery q(connection.value());
        q.prepare(selectSql);
        q.addBindValue(key);
        if (!q.exec())
            return m_db.fail(q, Tr::tr("read the tickets to change"));
        QList<core::Ticket> tickets;
        while (q.next())
            tickets.append(ticketFrom(q));
        q.finish();
        if (tickets.isEmpty() && key.typeId() != QMetaType::QString)
            result.problems << Tr::tr("Ticket %1 does not exist.").arg(key.toLongLong());
        for (const core::Ticket &t : std::as_const(tickets)) {
            if (auto r = applyOne(m_db, connection.value(), t, to, reason, actor, result); !r)
                return r.error();
        }
    }
    if (auto r = tx.commit(); !r)
        return r.error();
    return result;
}

core::Result<BulkResult> TicketRepository::setStatus(const QList<qint64> &ticketIds, TicketStatus to,
                                                     const QString &reason, const QString &actor)
{
    QVariantList keys;
    for (qint64 id : ticketIds)
        keys << id;
    return changeMany(QStringLiteral("SELECT ") + QLatin1StringView(kTicketColumns)
                          + QStringLiteral(" FROM ghl_qr_tickets WHERE ticket_id = ?"),
                      keys, to, reason, actor);
}

core::Result<BulkResult> TicketRepository::setStatusForOrder(const QString &orderId, TicketStatus to,
                                                             const QString &reason, const QString &actor)
{
    return changeMany(QStringLiteral("SELECT ") + QLatin1StringView(kTicketColumns)
                          + QStringLiteral(" FROM ghl_qr_tickets WHERE order_id = ? ORDER BY ticket_id"),
                      { orderId }, to, reason, actor);
}

core::Result<void> TicketRepository::orderCounts(QSqlDatabase &c, const QString &orderId, AdmitResult &result)
{
    QSqlQuery q(c);
    q.prepare(QStringLiteral("SELECT status, count(*) FROM ghl_qr_tickets WHERE order_id = ? GROUP BY status"));
    q.addBindValue(orderId);
    if (!q.exec())
        return m_db.fail(q, Tr::tr("count the tickets of order %1").arg(orderId));
    result.admittedInOrder = 0;
    result.totalInOrder = 0;
    while (q.next()) {
        const QString s = q.value(0).toString();
        const int n = q.value(1).toInt();
        if (s == u"used")
            result.admittedInOrder += n;
        if (s == u"used" || s == u"live")
            result.totalInOrder += n;
    }
    return {};
}

core::Result<AdmitResult> TicketRepository::admit(qint64 ticketId, const QString &actor)
{
    auto connection = m_db.connection();
    if (!connection)
        return connection.error();
    AdmitResult result;
    {
        Transaction tx(m_db, connection.value());
        if (auto r = tx.begin(); !r)
            return r.error();
        QSqlQuery q(connection.value());
        q.prepare(QStringLiteral("UPDATE ghl_qr_tickets SET status = 'used', updated_at = ") + m_db.nowExpr()
                  + QStringLiteral(", updated_by = ? WHERE ticket_id = ? AND status = 'live' RETURNING order_id"));
        q.addBindValue(textOrNull(actor));
        q.addBindValue(ticketId);
        if (!q.exec())
            return m_db.fail(q, Tr::tr("admit ticket %1").arg(ticketId));
        if (q.next()) {
            const QString orderId = q.value(0).toString();
            q.finish();
            if (auto r = insertEvent(m_db, connection.value(), ticketId, orderId, TicketStatus::Live,
                                     TicketStatus::Used, actor, QString());
                !r)
                return r.error();
            if (auto r = tx.commit(); !r)
                return r.error();
            result.outcome = AdmitResult::Outcome::Admitted;
        }
    }
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
    if (auto r = orderCounts(connection.value(), result.ticket.orderId, result); !r)
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

core::Result<AdmitResult> TicketRepository::admitNext(const QString &orderId, const QString &actor)
{
    auto connection = m_db.connection();
    if (!connection)
        return connection.error();
    // Another station may take the same ticket between the SELECT and the UPDATE: then try the next.
    for (int attempt = 0; attempt < 20; ++attempt) {
        QSqlQuery q(connection.value());
        q.prepare(QStringLiteral("SELECT ticket_id FROM ghl_qr_tickets WHERE order_id = ? AND status = 'live' "
                                 "ORDER BY ticket_id LIMIT 1"));
        q.addBindValue(orderId);
        if (!q.exec())
            return m_db.fail(q, Tr::tr("find a ticket to admit"));
        if (!q.next()) {
            q.finish();
            AdmitResult result;
            QSqlQuery exists(connection.value());
            exists.prepare(QStringLiteral("SELECT ") + QLatin1StringView(kTicketColumns)
                           + QStringLiteral(" FROM ghl_qr_tickets WHERE order_id = ? ORDER BY (status = 'used') DESC, "
                                            "updated_at DESC LIMIT 1"));
            exists.addBindValue(orderId);
            if (!exists.exec())
                return m_db.fail(exists, Tr::tr("read the tickets of order %1").arg(orderId));
            if (!exists.next()) {
                result.outcome = AdmitResult::Outcome::NotFound;
                return result;
            }
            result.ticket = ticketFrom(exists);
            result.outcome = AdmitResult::Outcome::NoLiveTickets;
            if (result.ticket.status == TicketStatus::Used) {
                result.usedBy = result.ticket.updatedBy;
                result.usedAt = result.ticket.updatedAt;
            }
            if (auto r = orderCounts(connection.value(), orderId, result); !r)
                return r.error();
            return result;
        }
        const qint64 id = q.value(0).toLongLong();
        q.finish();
        auto result = admit(id, actor);
        if (!result || result->outcome != AdmitResult::Outcome::AlreadyUsed)
            return result;
    }
    return core::makeError(QStringLiteral("ticket.busy"),
                           Tr::tr("Order %1 is being admitted at another station right now; try again.").arg(orderId));
}

namespace {
core::Result<QList<core::TicketEvent>> readEvents(Database &db, const QString &where, const QVariantList &binds,
                                                  const QString &what)
{
    auto connection = db.connection();
    if (!connection)
        return connection.error();
    QSqlQuery q(connection.value());
    q.prepare(QStringLiteral("SELECT id, ticket_id, order_id, from_status, to_status, at, actor, reason FROM "
                             "ticket_events WHERE ")
              + where);
    for (const QVariant &b : binds)
        q.addBindValue(b);
    if (!q.exec())
        return db.fail(q, what);
    QList<core::TicketEvent> events;
    while (q.next()) {
        core::TicketEvent e;
        e.id = q.value(0).toLongLong();
        e.ticketId = q.value(1).toLongLong();
        e.orderId = q.value(2).toString();
        e.from = q.value(3).isNull() ? std::nullopt : core::ticketStatusFromString(q.value(3).toString());
        e.to = core::ticketStatusFromString(q.value(4).toString()).value_or(TicketStatus::Live);
        e.at = timeFromDb(q.value(5));
        e.actor = q.value(6).toString();
        e.reason = q.value(7).toString();
        events.append(e);
    }
    return events;
}
} // namespace

core::Result<QList<core::TicketEvent>> TicketRepository::history(const QString &orderId)
{
    return readEvents(m_db, QStringLiteral("order_id = ? ORDER BY at, id"), { orderId },
                      Tr::tr("read the history of order %1").arg(orderId));
}

core::Result<QList<core::TicketEvent>> TicketRepository::eventsSince(qint64 afterId, int limit)
{
    return readEvents(m_db, QStringLiteral("id > ? ORDER BY id LIMIT ?"), { afterId, limit },
                      Tr::tr("read the latest ticket changes"));
}

core::Result<qint64> TicketRepository::latestEventId()
{
    auto connection = m_db.connection();
    if (!connection)
        return connection.error();
    QSqlQuery q(connection.value());
    if (!q.exec(QStringLiteral("SELECT coalesce(max(id), 0) FROM ticket_events")) || !q.next())
        return m_db.fail(q, Tr::tr("read the latest ticket changes"));
    return q.value(0).toLongLong();
}

core::Result<QList<OverviewRow>> TicketRepository::overview()
{
    auto connection = m_db.connection();
    if (!connection)
        return connection.error();
    QSqlQuery q(connection.value());
    // An order's event_name is its first product's name: it names a group only when that order's
    // first product is the group's. A product that is never first in an order is named from the
    // line items of one of its orders (below).
    const QString sql = QStringLiteral(
        "SELECT coalesce(t.product_id, o.event_id) AS ev, "
        "max(CASE WHEN o.event_id = coalesce(t.product_id, o.event_id) THEN o.event_name END), t.ticket_type, "
        "sum(CASE WHEN t.status = 'live' THEN 1 ELSE 0 END), sum(CASE WHEN t.status = 'used' THEN 1 ELSE 0 END), "
        "sum(CASE WHEN t.status = 'cancelled' THEN 1 ELSE 0 END), min(t.order_id) "
        "FROM ghl_qr_tickets t JOIN ghl_qr_orders o ON o.order_id = t.order_id "
        "GROUP BY coalesce(t.product_id, o.event_id), t.ticket_type");
    if (!q.exec(sql))
        return m_db.fail(q, Tr::tr("count tickets per event"));
    QList<OverviewRow> rows;
    QHash<QString, QString> sampleOrder; // event id -> an order holding its tickets, for unnamed events
    while (q.next()) {
        OverviewRow r;
        r.eventId = q.value(0).toString();
        r.eventName = q.value(1).toString();
        r.ticketType = q.value(2).toString();
        r.remaining = q.value(3).toInt();
        r.admitted = q.value(4).toInt();
        r.cancelled = q.value(5).toInt();
        r.sold = r.remaining + r.admitted;
        if (r.eventName.isEmpty())
            sampleOrder.insert(r.eventId, q.value(6).toString());
        rows.append(r);
    }
    QHash<QString, QString> names;
    auto items = OrderRepository(m_db).lineItems(QStringList(sampleOrder.cbegin(), sampleOrder.cend()));
    if (!items)
        return items.error();
    for (auto it = sampleOrder.cbegin(); it != sampleOrder.cend(); ++it) {
        for (const core::OrderItem &item : items.value().value(it.value())) {
            if (item.productId == it.key()) {
                names.insert(it.key(), item.productName);
                break;
            }
        }
    }
    for (OverviewRow &r : rows) {
        if (r.eventName.isEmpty())
            r.eventName = names.value(r.eventId);
    }
    std::sort(rows.begin(), rows.end(), [](const OverviewRow &a, const OverviewRow &b) {
        if (const int byName = QString::localeAwareCompare(a.eventName, b.eventName); byName != 0)
            return byName < 0;
        return a.eventId != b.eventId ? a.eventId < b.eventId : a.ticketType < b.ticketType; // same name: keep events apart
    });
    return rows;
}

} // namespace qrt::db
