#include "outbox/outboxrepository.h"

#include <QCoreApplication>

namespace qrt::outbox {

namespace {

struct Tr
{
    Q_DECLARE_TR_FUNCTIONS(qrt::outbox::OutboxRepository)
};

const QString kColumns = QStringLiteral("order_id, field_id, contact_id, field_type, state, attempts, lease_until, "
                                        "claimed_by, delivered_at, delivered_value, last_error, kind");

OutboxState stateFrom(const QString &text)
{
    for (OutboxState s : { OutboxState::Pending, OutboxState::Claimed, OutboxState::Delivered, OutboxState::Failed,
                           OutboxState::Superseded }) {
        if (toString(s) == text)
            return s;
    }
    return OutboxState::Pending;
}

OutboxRow rowFrom(const db::Query &q)
{
    OutboxRow r;
    r.orderId = q.value(QStringLiteral("order_id")).toString();
    r.fieldId = q.value(QStringLiteral("field_id")).toString();
    r.contactId = q.value(QStringLiteral("contact_id")).toString();
    r.fieldType = q.value(QStringLiteral("field_type")).toString();
    r.state = stateFrom(q.value(QStringLiteral("state")).toString());
    r.attempts = q.value(QStringLiteral("attempts")).toInt();
    r.leaseUntil = db::timeFromDb(q.value(QStringLiteral("lease_until")));
    r.claimedBy = q.value(QStringLiteral("claimed_by")).toString();
    r.deliveredAt = db::timeFromDb(q.value(QStringLiteral("delivered_at")));
    r.deliveredValue = q.value(QStringLiteral("delivered_value")).toString();
    r.lastError = q.value(QStringLiteral("last_error")).toString();
    r.kind = q.value(QStringLiteral("kind")).toString() == toString(OutboxKind::TicketPdf) ? OutboxKind::TicketPdf
                                                                                          : OutboxKind::Qr;
    return r;
}

QString sqlState(OutboxState s)
{
    return db::sqlString(toString(s));
}

// The stored orders whose tickets may go out (pendingOrders' rules): o (ghl_qr_orders) with a live
// or used ticket t, a contact, not cancelled or refunded, not adopted from the original system.
const QString kOrderTickets = QStringLiteral(
    "FROM ghl_qr_orders o JOIN ghl_qr_tickets t ON t.order_id = o.order_id AND t.status IN ('live', 'used') ");
const QString kDeliverable = QStringLiteral(
    "WHERE o.contact_id IS NOT NULL AND o.contact_id <> '' "
    "AND NOT (o.qr_code_image IS NOT NULL AND o.qr_code_image <> '' AND o.qr_pushed_at IS NULL) "
    "AND LOWER(COALESCE(o.payment_status, '')) NOT IN ('cancelled', 'canceled', 'refunded', 'voided') "
    "AND LOWER(COALESCE(o.order_status, '')) NOT IN ('cancelled', 'canceled', 'refunded', 'voided') ");

// The product's ticket PDF field (migration 16) lacks this order's PDF (a row of the QR kind,
// migration 22, does not count).
QString ticketPdfMissing()
{
    return QStringLiteral("(f.ticket_pdf_field_id IS NOT NULL AND f.ticket_pdf_field_id <> '' "
                          "AND f.ticket_pdf_field_id <> f.field_id AND NOT EXISTS (SELECT 1 FROM qr_outbox y "
                          "WHERE y.order_id = o.order_id AND y.field_id = f.ticket_pdf_field_id AND y.kind = ")
        + db::sqlString(toString(OutboxKind::TicketPdf)) + QStringLiteral(" AND y.state IN (")
        + sqlState(OutboxState::Delivered) + QStringLiteral(", ") + sqlState(OutboxState::Superseded) + QStringLiteral(")))");
}

} // namespace

QString toString(OutboxState state)
{
    switch (state) {
    case OutboxState::Pending: return QStringLiteral("pending");
    case OutboxState::Claimed: return QStringLiteral("claimed");
    case OutboxState::Delivered: return QStringLiteral("delivered");
    case OutboxState::Failed: return QStringLiteral("failed");
    case OutboxState::Superseded: return QStringLiteral("superseded");
    }
    return {};
}

QString toString(OutboxKind kind)
{
    return kind == OutboxKind::TicketPdf ? QStringLiteral("pdf") : QStringLiteral("qr");
}

QString OutboxRepository::leaseExpr() const
{
    return m_db.nowPlusExpr(QStringLiteral(":lease_s"));
}

core::Result<std::optional<OutboxRow>> OutboxRepository::get(const QString &orderId, const QString &fieldId)
{
    auto q = m_db.prepare(QStringLiteral("SELECT ") + kColumns
                              + QStringLiteral(" FROM qr_outbox WHERE order_id = :order_id AND field_id = :field_id"),
                          Tr::tr("read the QR delivery of order %1").arg(orderId));
    if (!q)
        return q.error();
    if (auto r = q->bind(QStringLiteral(":order_id"), orderId).bind(QStringLiteral(":field_id"), fieldId).exec(); !r)
        return r.error();
    if (!q->next())
        return std::optional<OutboxRow>();
    return std::optional<OutboxRow>(rowFrom(q.value()));
}

core::Result<OutboxClaim> OutboxRepository::claim(const QString &orderId, const QString &fieldId,
                                                  const QString &contactId, const QString &fieldType,
                                                  const QString &station, int leaseS, OutboxKind kind)
{
    const QString now = m_db.nowExpr();
    const QString what = Tr::tr("claim the QR delivery of order %1").arg(orderId);
    auto insert = m_db.prepare(QStringLiteral("INSERT INTO qr_outbox (order_id, field_id, contact_id, field_type, state, "
                                              "attempts, kind, created_at, updated_at) VALUES (:order_id, :field_id, "
                                              ":contact_id, :field_type, 'pending', 0, :kind, ")
                                   + now + u',' + now + QStringLiteral(") ON CONFLICT (order_id, field_id) DO NOTHING"),
                               what);
    if (!insert)
        return insert.error();
    insert->bind(QStringLiteral(":order_id"), orderId)
        .bind(QStringLiteral(":field_id"), fieldId)
        .bind(QStringLiteral(":contact_id"), db::textOrNull(contactId))
        .bind(QStringLiteral(":field_type"), db::textOrNull(fieldType))
        .bind(QStringLiteral(":kind"), toString(kind));
    if (auto r = insert->exec(); !r)
        return r.error();

    // The row delivered (or was to deliver) the other kind: the field was mapped for it before.
    // That is not this kind's delivery; the row takes this kind as one more attempt, so that the
    // claim below reads GHL's field first (the file name or value may be there from before).
    auto sw = m_db.prepare(QStringLiteral("UPDATE qr_outbox SET kind = :kind, state = 'pending', attempts = attempts + 1, "
                                          "lease_until = NULL, claimed_by = NULL, delivered_at = NULL, delivered_value = "
                                          "NULL, last_error = NULL, updated_at = ")
                               + now
                               + QStringLiteral(" WHERE order_id = :order_id AND field_id = :field_id AND kind <> :kind2 "
                                                "AND (state IN ('pending', 'failed', 'delivered', 'superseded') OR (state = "
                                                "'claimed' AND (lease_until IS NULL OR lease_until <= ")
                               + now + QStringLiteral(")))"),
                           what);
    if (!sw)
        return sw.error();
    if (auto r = sw->bind(QStringLiteral(":kind"), toString(kind))
                     .bind(QStringLiteral(":order_id"), orderId)
                     .bind(QStringLiteral(":field_id"), fieldId)
                     .bind(QStringLiteral(":kind2"), toString(kind))
                     .exec();
        !r)
        return r.error();

    auto current = get(orderId, fieldId);
    if (!current)
        return current.error();
    if (current->has_value() && current->value().kind != kind) // a live claim of the other kind
        return OutboxClaim { OutboxClaim::Busy, 0, current->value().claimedBy };
    if (current->has_value()) {
        if (current->value().state == OutboxState::Delivered)
            return OutboxClaim { OutboxClaim::AlreadyDelivered, current->value().attempts, {} };
        if (current->value().state == OutboxState::Superseded)
            return OutboxClaim { OutboxClaim::Superseded, current->value().attempts, {} };
    }

    // The field keeps the newest order's QR: an older order does not write over a newer one that
    // is there or being written (GHL createdAt, then the order id, decide which is newer).
    auto newer = newerHolder(orderId, contactId, fieldId);
    if (!newer)
        return newer.error();
    if (!newer->isEmpty()) {
        const QString by = newer.value();
        auto s = m_db.prepare(QStringLiteral("UPDATE qr_outbox SET state = 'superseded', last_error = :why, updated_at = ")
                                  + now
                                  + QStringLiteral(" WHERE order_id = :order_id AND field_id = :field_id AND state IN "
                                                   "('pending', 'failed')"),
                              what);
        if (!s)
            return s.error();
        s->bind(QStringLiteral(":why"), Tr::tr("the newer order %1 of this contact holds the field").arg(by))
            .bind(QStringLiteral(":order_id"), orderId)
            .bind(QStringLiteral(":field_id"), fieldId);
        if (auto r = s->exec(); !r)
            return r.error();
        if (s->rowsAffected() > 0)
            return OutboxClaim { OutboxClaim::Superseded, 0, {} };
    }

    // One statement decides: a waiting row, or a claim whose lease the database says has ended.
    // Of two racing stations one updates the row; the other finds it claimed and leased (Busy).
    auto q = m_db.prepare(QStringLiteral("UPDATE qr_outbox SET state = 'claimed', attempts = attempts + 1, lease_until = ")
                              + leaseExpr()
                              + QStringLiteral(", claimed_by = :station, contact_id = :contact_id, field_type = "
                                               ":field_type, updated_at = ")
                              + now
                              + QStringLiteral(" WHERE order_id = :order_id AND field_id = :field_id AND kind = :kind "
                                               "AND (state IN ('pending', 'failed') OR (state = 'claimed' AND "
                                               "(lease_until IS NULL OR lease_until <= ")
                              + now
                              // Another order of the contact being written to this field: after it.
                              + QStringLiteral("))) AND NOT EXISTS (SELECT 1 FROM qr_outbox o WHERE o.contact_id = "
                                               ":contact_id2 AND o.field_id = :field_id2 AND o.order_id <> :order_id2 "
                                               "AND o.state = 'claimed' AND o.lease_until > ")
                              + now + QStringLiteral(") RETURNING attempts"),
                          what);
    if (!q)
        return q.error();
    q->bind(QStringLiteral(":station"), station)
        .bind(QStringLiteral(":lease_s"), m_db.secondsValue(std::max(1, leaseS)))
        .bind(QStringLiteral(":contact_id"), db::textOrNull(contactId))
        .bind(QStringLiteral(":field_type"), db::textOrNull(fieldType))
        .bind(QStringLiteral(":order_id"), orderId)
        .bind(QStringLiteral(":field_id"), fieldId)
        .bind(QStringLiteral(":contact_id2"), contactId)
        .bind(QStringLiteral(":field_id2"), fieldId)
        .bind(QStringLiteral(":order_id2"), orderId)
        .bind(QStringLiteral(":kind"), toString(kind));
    if (auto r = q->exec(); !r)
        return r.error();
    if (q->next())
        return OutboxClaim { OutboxClaim::Claimed, q->value(QStringLiteral("attempts")).toInt(), {} };
    q->finish();
    auto after = get(orderId, fieldId);
    if (!after)
        return after.error();
    if (after->has_value() && after->value().kind == kind && after->value().state == OutboxState::Delivered)
        return OutboxClaim { OutboxClaim::AlreadyDelivered, after->value().attempts, {} };
    if (after->has_value() && after->value().kind == kind && after->value().state == OutboxState::Superseded)
        return OutboxClaim { OutboxClaim::Superseded, after->value().attempts, {} };
    return OutboxClaim { OutboxClaim::Busy, 0, after->has_value() ? after->value().claimedBy : QString() };
}

core::Result<QString> OutboxRepository::newerHolder(const QString &orderId, const QString &contactId,
                                                   const QString &fieldId)
{
    const QString what = Tr::tr("claim the QR delivery of order %1").arg(orderId);
    auto newer = m_db.prepare(
        QStringLiteral("SELECT x.order_id FROM qr_outbox x JOIN ghl_qr_orders n ON n.order_id = x.order_id "
                       "JOIN ghl_qr_orders me ON me.order_id = :order_id "
                       "WHERE x.contact_id = :contact_id AND x.field_id = :field_id AND x.order_id <> :order_id "
                       // Delivered, being written, or still to be written (also after a crash or a
                       // failed attempt): the newer order writes the field, so the older one never does.
                       // Writing the older one first would make the newer one write a second time.
                       "AND x.state <> 'superseded' "
                       "AND LOWER(COALESCE(n.payment_status, '')) NOT IN ('cancelled', 'canceled', 'refunded', 'voided') "
                       "AND LOWER(COALESCE(n.order_status, '')) NOT IN ('cancelled', 'canceled', 'refunded', 'voided') "
                       "AND (n.date_added > me.date_added OR (n.date_added = me.date_added AND n.order_id > "
                       "me.order_id)) LIMIT 1"),
        what);
    if (!newer)
        return newer.error();
    newer->bind(QStringLiteral(":order_id"), orderId)
        .bind(QStringLiteral(":contact_id"), contactId)
        .bind(QStringLiteral(":field_id"), fieldId);
    if (auto r = newer->exec(); !r)
        return r.error();
    if (!newer->next())
        return QString();
    return newer->value(QStringLiteral("order_id")).toString();
}

core::Result<bool> OutboxRepository::supersede(const QString &orderId, const QString &fieldId, const QString &claimedBy,
                                               const QString &newerOrderId)
{
    auto q = m_db.prepare(QStringLiteral("UPDATE qr_outbox SET state = 'superseded', last_error = :why, lease_until = NULL, "
                                         "updated_at = ")
                              + m_db.nowExpr()
                              + QStringLiteral(" WHERE order_id = :order_id AND field_id = :field_id AND state = "
                                               "'claimed' AND claimed_by = :me"),
                          Tr::tr("record the QR delivery of order %1").arg(orderId));
    if (!q)
        return q.error();
    if (auto r = q->bind(QStringLiteral(":why"), Tr::tr("the newer order %1 of this contact holds the field").arg(newerOrderId))
                     .bind(QStringLiteral(":order_id"), orderId)
                     .bind(QStringLiteral(":field_id"), fieldId)
                     .bind(QStringLiteral(":me"), claimedBy)
                     .exec();
        !r)
        return r.error();
    return q->rowsAffected() > 0;
}

core::Result<QStringList> OutboxRepository::renew(const QString &orderId, const QStringList &fieldIds,
                                                  const QString &station, int leaseS)
{
    QStringList renewed;
    for (const QString &fieldId : fieldIds) {
        auto q = m_db.prepare(QStringLiteral("UPDATE qr_outbox SET lease_until = ") + leaseExpr()
                                  + QStringLiteral(" WHERE order_id = :order_id AND field_id = :field_id AND state = "
                                                   "'claimed' AND claimed_by = :station"),
                              Tr::tr("renew the QR delivery claim of order %1").arg(orderId));
        if (!q)
            return q.error();
        q->bind(QStringLiteral(":order_id"), orderId)
            .bind(QStringLiteral(":field_id"), fieldId)
            .bind(QStringLiteral(":station"), station)
            .bind(QStringLiteral(":lease_s"), m_db.secondsValue(std::max(1, leaseS)));
        if (auto r = q->exec(); !r)
            return r.error();
        if (q->rowsAffected() > 0)
            renewed << fieldId;
    }
    return renewed;
}

core::Result<int> OutboxRepository::releaseClaims(const QString &station)
{
    auto q = m_db.prepare(QStringLiteral("UPDATE qr_outbox SET lease_until = ") + m_db.nowExpr()
                              + QStringLiteral(" WHERE state = 'claimed' AND claimed_by = :station"),
                          Tr::tr("resume interrupted QR deliveries"));
    if (!q)
        return q.error();
    if (auto r = q->bind(QStringLiteral(":station"), station).exec(); !r)
        return r.error();
    return q->rowsAffected();
}

core::Result<QStringList> OutboxRepository::claimers()
{
    auto q = m_db.prepare(QStringLiteral("SELECT DISTINCT claimed_by FROM qr_outbox WHERE state = 'claimed' AND claimed_by "
                                         "IS NOT NULL"),
                          Tr::tr("resume interrupted QR deliveries"));
    if (!q)
        return q.error();
    if (auto r = q->exec(); !r)
        return r.error();
    QStringList out;
    while (q->next())
        out << q->value(QStringLiteral("claimed_by")).toString();
    return out;
}

core::Result<bool> OutboxRepository::markDelivered(const QString &orderId, const QString &fieldId, const QString &value,
                                                  const QString &claimedBy)
{
    const QString now = m_db.nowExpr();
    auto q = m_db.prepare(QStringLiteral("UPDATE qr_outbox SET state = 'delivered', delivered_at = ") + now
                              + QStringLiteral(", delivered_value = :value, lease_until = NULL, last_error = NULL, "
                                               "updated_at = ")
                              + now
                              + QStringLiteral(" WHERE order_id = :order_id AND field_id = :field_id AND (state IN "
                                               "('pending', 'failed') OR (state = 'claimed' AND claimed_by = :me))"),
                          Tr::tr("record the QR delivery of order %1").arg(orderId));
    if (!q)
        return q.error();
    if (auto r = q->bind(QStringLiteral(":value"), value)
                     .bind(QStringLiteral(":order_id"), orderId)
                     .bind(QStringLiteral(":field_id"), fieldId)
                     .bind(QStringLiteral(":me"), claimedBy)
                     .exec();
        !r)
        return r.error();
    return q->rowsAffected() > 0;
}

core::Result<bool> OutboxRepository::markFailed(const QString &orderId, const QString &fieldId,
                                                const QString &contactId, const QString &error, const QString &claimedBy,
                                                OutboxKind kind)
{
    const QString now = m_db.nowExpr();
    const QString what = Tr::tr("record the failed QR delivery of order %1").arg(orderId);
    if (!claimedBy.isEmpty()) {
        auto q = m_db.prepare(QStringLiteral("UPDATE qr_outbox SET state = 'failed', last_error = :error, lease_until = "
                                             "NULL, updated_at = ")
                                  + now
                                  + QStringLiteral(" WHERE order_id = :order_id AND field_id = :field_id AND state = "
                                                   "'claimed' AND claimed_by = :me"),
                              what);
        if (!q)
            return q.error();
        if (auto r = q->bind(QStringLiteral(":error"), error)
                         .bind(QStringLiteral(":order_id"), orderId)
                         .bind(QStringLiteral(":field_id"), fieldId)
                         .bind(QStringLiteral(":me"), claimedBy)
                         .exec();
            !r)
            return r.error();
        return q->rowsAffected() > 0;
    }
    // Never claimed (a field gone from GHL, a type that takes no QR): the row says why in the
    // panel, unless another station's live claim holds it.
    auto q = m_db.prepare(QStringLiteral("INSERT INTO qr_outbox (order_id, field_id, contact_id, state, attempts, "
                                         "last_error, kind, created_at, updated_at) VALUES (:order_id, :field_id, "
                                         ":contact_id, 'failed', 0, :error, :kind, ")
                              + now + u',' + now
                              + QStringLiteral(") ON CONFLICT (order_id, field_id) DO UPDATE SET state = 'failed', "
                                               "last_error = :error, kind = excluded.kind, lease_until = NULL, updated_at = ")
                              + now
                              + QStringLiteral(" WHERE qr_outbox.state IN ('pending', 'failed') OR (qr_outbox.state = "
                                               "'claimed' AND (qr_outbox.lease_until IS NULL OR qr_outbox.lease_until <= ")
                              + now + QStringLiteral("))"),
                          what);
    if (!q)
        return q.error();
    if (auto r = q->bind(QStringLiteral(":order_id"), orderId)
                     .bind(QStringLiteral(":field_id"), fieldId)
                     .bind(QStringLiteral(":contact_id"), db::textOrNull(contactId))
                     .bind(QStringLiteral(":error"), error)
                     .bind(QStringLiteral(":kind"), toString(kind))
                     .exec();
        !r)
        return r.error();
    return q->rowsAffected() > 0;
}

core::Result<void> OutboxRepository::recordKnown(const QString &orderId, const QString &fieldId,
                                                 const QString &contactId, const QString &value)
{
    const QString now = m_db.nowExpr();
    auto q = m_db.prepare(QStringLiteral("INSERT INTO qr_outbox (order_id, field_id, contact_id, state, attempts, "
                                         "delivered_at, delivered_value, created_at, updated_at) VALUES (:order_id, "
                                         ":field_id, :contact_id, 'delivered', 0, ")
                              + now + QStringLiteral(", :value, ") + now + u',' + now
                              + QStringLiteral(") ON CONFLICT (order_id, field_id) DO UPDATE SET state = 'delivered', "
                                               "kind = 'qr', delivered_at = ")
                              + now + QStringLiteral(", delivered_value = :value, lease_until = NULL, updated_at = ") + now
                              + QStringLiteral(" WHERE qr_outbox.state IN ('pending', 'failed')"),
                          Tr::tr("record the QR delivery of order %1").arg(orderId));
    if (!q)
        return q.error();
    return q->bind(QStringLiteral(":order_id"), orderId)
        .bind(QStringLiteral(":field_id"), fieldId)
        .bind(QStringLiteral(":contact_id"), db::textOrNull(contactId))
        .bind(QStringLiteral(":value"), value)
        .exec();
}

core::Result<QStringList> OutboxRepository::pendingOrders()
{
    auto q = m_db.prepare(
        QStringLiteral("SELECT DISTINCT o.order_id, o.date_added ") + kOrderTickets
            + QStringLiteral("JOIN ghl_qr_fields f ON f.product_id = COALESCE(t.product_id, o.event_id) "
                             "AND f.field_id IS NOT NULL AND f.field_id <> '' ")
            + kDeliverable
            + QStringLiteral("AND (NOT EXISTS (SELECT 1 FROM qr_outbox x WHERE x.order_id = o.order_id AND x.field_id = "
                             "f.field_id AND x.kind = ")
            + db::sqlString(toString(OutboxKind::Qr)) + QStringLiteral(" AND x.state IN (")
            + sqlState(OutboxState::Delivered) + QStringLiteral(", ") + sqlState(OutboxState::Superseded)
            // The product's ticket PDF field counts the same way.
            + QStringLiteral(")) OR ") + ticketPdfMissing() + QStringLiteral(") ORDER BY o.date_added, o.order_id"),
        Tr::tr("find orders whose QR code was not delivered"));
    if (!q)
        return q.error();
    if (auto r = q->exec(); !r)
        return r.error();
    QStringList out;
    while (q->next())
        out << q->value(QStringLiteral("order_id")).toString();
    return out;
}

core::Result<QHash<QString, QString>> OutboxRepository::contactsOf(const QStringList &orderIds)
{
    QHash<QString, QString> out;
    for (qsizetype from = 0; from < orderIds.size(); from += 200) {
        const QStringList chunk = orderIds.mid(from, 200);
        QStringList holders;
        for (qsizetype i = 0; i < chunk.size(); ++i)
            holders << QStringLiteral(":o%1").arg(i);
        auto q = m_db.prepare(QStringLiteral("SELECT order_id, contact_id FROM ghl_qr_orders WHERE order_id IN (")
                                  + holders.join(QStringLiteral(", ")) + u')',
                              Tr::tr("read the contacts of %1 orders").arg(chunk.size()));
        if (!q)
            return q.error();
        for (qsizetype i = 0; i < chunk.size(); ++i)
            q->bind(holders.at(i), chunk.at(i));
        if (auto r = q->exec(); !r)
            return r.error();
        while (q->next())
            out.insert(q->value(QStringLiteral("order_id")).toString(), q->value(QStringLiteral("contact_id")).toString());
    }
    return out;
}

core::Result<int> OutboxRepository::ticketPdfBacklog(const QString &productId, const QString &pdfFieldId)
{
    // pdfFieldId as it would be saved: ghl_qr_fields may still hold another (or none).
    auto q = m_db.prepare(QStringLiteral("SELECT COUNT(DISTINCT o.order_id) AS n ") + kOrderTickets + kDeliverable
                              + QStringLiteral("AND COALESCE(t.product_id, o.event_id) = :product_id AND NOT EXISTS ("
                                               "SELECT 1 FROM qr_outbox y WHERE y.order_id = o.order_id AND y.field_id = "
                                               ":pdf AND y.kind = ")
                              + db::sqlString(toString(OutboxKind::TicketPdf)) + QStringLiteral(" AND y.state IN (")
                              + sqlState(OutboxState::Delivered) + QStringLiteral(", ") + sqlState(OutboxState::Superseded)
                              + QStringLiteral("))"),
                          Tr::tr("count the orders of product %1 that would get their ticket PDF").arg(productId));
    if (!q)
        return q.error();
    if (auto r = q->bind(QStringLiteral(":product_id"), productId)
                     .bind(QStringLiteral(":pdf"), pdfFieldId)
                     .exec();
        !r)
        return r.error();
    return q->next() ? q->value(QStringLiteral("n")).toInt() : 0;
}

} // namespace qrt::outbox
