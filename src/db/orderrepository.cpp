#include "db/orderrepository.h"

#include <QCoreApplication>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QSqlQuery>
#include <QSqlRecord>

namespace qrt::db {

namespace {
// Q_DECLARE_TR_FUNCTIONS gives lupdate and the program the same context for Tr::tr().
struct Tr
{
    Q_DECLARE_TR_FUNCTIONS(qrt::db::OrderRepository)
};

const char *const kListColumns =
    "order_id, location_id, total_paid, payment_status, payment_currency, order_status, contact_id, "
    "contact_firstname, contact_lastname, contact_email, contact_phone, date_added, event_id, event_name, "
    "ticket_quantities, ghl_updated_at, synced_at, qr_pushed_at, inserted_at, updated_at, tickets_live, tickets_used, "
    "tickets_cancelled";

const char *const kDetailColumns =
    ", event_image, event_ticket_price, event_ticket_currency, event_available_qty, event_ticket_qty, "
    "event_ticket_type, qr_code_image, line_items";

QByteArray quantitiesJson(const QMap<QString, int> &q)
{
    QJsonObject o;
    for (auto it = q.cbegin(); it != q.cend(); ++it)
        o.insert(it.key(), it.value());
    return QJsonDocument(o).toJson(QJsonDocument::Compact);
}

QByteArray itemsJson(const QList<core::OrderItem> &items)
{
    QJsonArray a;
    for (const core::OrderItem &i : items) {
        QJsonObject o { { QStringLiteral("product_id"), i.productId },
                        { QStringLiteral("product_name"), i.productName },
                        { QStringLiteral("price_id"), i.priceId },
                        { QStringLiteral("price_name"), i.priceName },
                        { QStringLiteral("qty"), i.qty },
                        { QStringLiteral("unit_price"), i.unitPrice },
                        { QStringLiteral("currency"), i.currency } };
        if (!i.productImage.isEmpty())
            o.insert(QStringLiteral("product_image"), i.productImage);
        if (i.availableQty >= 0)
            o.insert(QStringLiteral("available_qty"), i.availableQty);
        a.append(o);
    }
    return QJsonDocument(a).toJson(QJsonDocument::Compact);
}

QJsonDocument jsonFromDb(const QVariant &v)
{
    if (v.isNull())
        return {};
    return QJsonDocument::fromJson(v.typeId() == QMetaType::QByteArray ? v.toByteArray() : v.toString().toUtf8());
}

QList<core::OrderItem> itemsFromDb(const QVariant &lineItems)
{
    QList<core::OrderItem> items;
    for (const QJsonValue &v : jsonFromDb(lineItems).array()) {
        const QJsonObject i = v.toObject();
        core::OrderItem item;
        item.productId = i.value(QStringLiteral("product_id")).toString();
        item.productName = i.value(QStringLiteral("product_name")).toString();
        item.productImage = i.value(QStringLiteral("product_image")).toString();
        item.priceId = i.value(QStringLiteral("price_id")).toString();
        item.priceName = i.value(QStringLiteral("price_name")).toString();
        item.qty = i.value(QStringLiteral("qty")).toInt();
        item.unitPrice = i.value(QStringLiteral("unit_price")).toDouble();
        item.currency = i.value(QStringLiteral("currency")).toString();
        item.availableQty = i.value(QStringLiteral("available_qty")).toInt(-1);
        items.append(item);
    }
    return items;
}

OrderRow rowFrom(const QSqlQuery &q, bool detail)
{
    const QSqlRecord r = q.record();
    auto s = [&r](const char *c) { return r.value(QLatin1StringView(c)).toString(); };
    OrderRow row;
    core::Order &o = row.order;
    o.orderId = s("order_id");
    o.locationId = s("location_id");
    o.totalPaid = r.value(QStringLiteral("total_paid")).toDouble();
    o.paymentStatus = s("payment_status");
    o.paymentCurrency = s("payment_currency");
    o.orderStatus = s("order_status");
    o.contactId = s("contact_id");
    o.contactFirstName = s("contact_firstname");
    o.contactLastName = s("contact_lastname");
    o.contactEmail = s("contact_email");
    o.contactPhone = s("contact_phone");
    o.dateAdded = timeFromDb(r.value(QStringLiteral("date_added")));
    o.eventId = s("event_id");
    o.eventName = s("event_name");
    const QJsonObject quantities = jsonFromDb(r.value(QStringLiteral("ticket_quantities"))).object();
    for (auto it = quantities.begin(); it != quantities.end(); ++it)
        o.ticketQuantities.insert(it.key(), it.value().toInt());
    o.ghlUpdatedAt = timeFromDb(r.value(QStringLiteral("ghl_updated_at")));
    o.syncedAt = timeFromDb(r.value(QStringLiteral("synced_at")));
    o.qrPushedAt = timeFromDb(r.value(QStringLiteral("qr_pushed_at")));
    o.insertedAt = timeFromDb(r.value(QStringLiteral("inserted_at")));
    o.updatedAt = timeFromDb(r.value(QStringLiteral("updated_at")));
    row.tickets.live = r.value(QStringLiteral("tickets_live")).toInt();
    row.tickets.used = r.value(QStringLiteral("tickets_used")).toInt();
    row.tickets.cancelled = r.value(QStringLiteral("tickets_cancelled")).toInt();
    if (detail) {
        o.eventImage = s("event_image");
        o.eventTicketPrice = r.value(QStringLiteral("event_ticket_price")).toDouble();
        o.eventTicketCurrency = s("event_ticket_currency");
        o.eventAvailableQty = r.value(QStringLiteral("event_available_qty")).toInt();
        o.eventTicketQty = r.value(QStringLiteral("event_ticket_qty")).toInt();
        o.eventTicketType = s("event_ticket_type");
        o.qrCodeImage = s("qr_code_image");
        o.items = itemsFromDb(r.value(QStringLiteral("line_items")));
    }
    return row;
}

QString escapeLike(const QString &text)
{
    QString out;
    out.reserve(text.size() + 2);
    for (const QChar c : text) {
        if (c == u'\\' || c == u'%' || c == u'_')
            out += u'\\';
        out += c;
    }
    return out;
}

// WHERE clause with bound values only: nothing the user typed is ever put into SQL text.
QString whereClause(const OrderQuery &query, QVariantList &binds)
{
    QStringList parts;
    const QStringList words = query.search.simplified().toLower().split(u' ', Qt::SkipEmptyParts);
    for (const QString &word : words.mid(0, 8)) {
        // search_text: lower-case order id, names, e-mail and phone, kept by the database (migration 0003).
        parts << QStringLiteral("search_text LIKE ? ESCAPE '\\'");
        binds << QString(u'%' + escapeLike(word) + u'%');
    }
    if (!query.eventId.isEmpty()) {
        parts << QStringLiteral("event_id = ?");
        binds << query.eventId;
    }
    if (!query.paymentStatus.isEmpty()) {
        parts << QStringLiteral("payment_status = ?");
        binds << query.paymentStatus;
    }
    switch (query.checkIn) {
    case CheckInState::Any:
        break;
    case CheckInState::NotArrived:
        parts << QStringLiteral("(tickets_used = 0 AND tickets_live > 0)");
        break;
    case CheckInState::Partial:
        parts << QStringLiteral("(tickets_used > 0 AND tickets_live > 0)");
        break;
    case CheckInState::Complete:
        parts << QStringLiteral("(tickets_used > 0 AND tickets_live = 0)");
        break;
    case CheckInState::NoLiveTickets:
        parts << QStringLiteral("(tickets_live = 0)");
        break;
    }
    return parts.isEmpty() ? QString() : QStringLiteral(" WHERE ") + parts.join(QStringLiteral(" AND "));
}

QString orderBy(const OrderQuery &query)
{
    QString column;
    switch (query.sort) {
    case OrderSort::OrderId: column = QStringLiteral("order_id"); break;
    case OrderSort::Contact: column = QStringLiteral("lower(contact_lastname) %1, lower(contact_firstname)"); break;
    case OrderSort::Email: column = QStringLiteral("lower(contact_email)"); break;
    case OrderSort::Event: column = QStringLiteral("event_name"); break;
    case OrderSort::Live: column = QStringLiteral("tickets_live"); break;
    case OrderSort::Used: column = QStringLiteral("tickets_used"); break;
    case OrderSort::Cancelled: column = QStringLiteral("tickets_cancelled"); break;
    case OrderSort::Total: column = QStringLiteral("total_paid"); break;
    case OrderSort::PaymentStatus: column = QStringLiteral("payment_status"); break;
    case OrderSort::Updated: column = QStringLiteral("updated_at"); break;
    case OrderSort::DateAdded: column = QStringLiteral("date_added"); break;
    }
    const QString dir = query.order == Qt::AscendingOrder ? QStringLiteral("ASC") : QStringLiteral("DESC");
    if (column.contains(QStringLiteral("%1")))
        column = column.arg(dir);
    // order_id last keeps paging stable when many rows share a value.
    return QStringLiteral(" ORDER BY ") + column + u' ' + dir + QStringLiteral(", order_id ") + dir;
}

} // namespace

QString OrderRepository::upsertSql(const Database &db)
{
    const QString json = db.jsonParam();
    return QStringLiteral(
               "INSERT INTO ghl_qr_orders (order_id, location_id, total_paid, payment_status, payment_currency, "
               "order_status, contact_id, contact_firstname, contact_lastname, contact_email, contact_phone, date_added, "
               "event_id, event_name, event_image, event_ticket_price, event_ticket_currency, event_available_qty, "
               "event_ticket_qty, event_ticket_type, ticket_quantities, line_items, ghl_updated_at, synced_at, updated_at) "
               "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, %1, %1, ?, ?, ?) "
               "ON CONFLICT (order_id) DO UPDATE SET location_id = excluded.location_id, total_paid = excluded.total_paid, "
               "payment_status = excluded.payment_status, payment_currency = excluded.payment_currency, "
               "order_status = excluded.order_status, contact_id = excluded.contact_id, "
               "contact_firstname = excluded.contact_firstname, contact_lastname = excluded.contact_lastname, "
               "contact_email = excluded.contact_email, contact_phone = excluded.contact_phone, "
               "date_added = excluded.date_added, event_id = excluded.event_id, event_name = excluded.event_name, "
               "event_image = excluded.event_image, event_ticket_price = excluded.event_ticket_price, "
               "event_ticket_currency = excluded.event_ticket_currency, "
               "event_available_qty = excluded.event_available_qty, event_ticket_qty = excluded.event_ticket_qty, "
               "event_ticket_type = excluded.event_ticket_type, ticket_quantities = excluded.ticket_quantities, "
               "line_items = excluded.line_items, ghl_updated_at = excluded.ghl_updated_at, "
               "synced_at = excluded.synced_at, updated_at = excluded.updated_at")
        .arg(json);
}

core::Result<void> OrderRepository::upsertOne(Database &db, QSqlQuery &q, const core::Order &o)
{
    if (o.orderId.trimmed().isEmpty())
        return core::makeError(QStringLiteral("db.invalid"), Tr::tr("An order without an id cannot be saved."));
    const QDateTime now = QDateTime::currentDateTimeUtc();
    const QVariantList values = {
        o.orderId, textOrNull(o.locationId), o.totalPaid, textOrNull(o.paymentStatus), textOrNull(o.paymentCurrency),
        textOrNull(o.orderStatus), textOrNull(o.contactId), textOrNull(o.contactFirstName),
        textOrNull(o.contactLastName), textOrNull(o.contactEmail), textOrNull(o.contactPhone), toDb(o.dateAdded),
        textOrNull(o.eventId), textOrNull(o.eventName), textOrNull(o.eventImage), o.eventTicketPrice,
        textOrNull(o.eventTicketCurrency), o.eventAvailableQty, o.eventTicketQty, textOrNull(o.eventTicketType),
        QString::fromUtf8(quantitiesJson(o.ticketQuantities)), QString::fromUtf8(itemsJson(o.items)),
        toDb(o.ghlUpdatedAt), toDb(o.syncedAt.isValid() ? o.syncedAt : now), toDb(now)
    };
    for (int i = 0; i < values.size(); ++i)
        q.bindValue(i, values[i]);
    if (!q.exec())
        return db.fail(q, Tr::tr("save order %1").arg(o.orderId));
    return {};
}

core::Result<int> OrderRepository::upsert(const QList<core::Order> &orders)
{
    auto connection = m_db.connection();
    if (!connection)
        return connection.error();
    Transaction tx(m_db, connection.value());
    if (auto r = tx.begin(); !r)
        return r.error();
    QSqlQuery q(connection.value());
    if (!q.prepare(upsertSql(m_db)))
        return m_db.fail(q, Tr::tr("prepare saving orders"));
    for (const core::Order &o : orders) {
        if (auto r = upsertOne(m_db, q, o); !r)
            return r.error();
    }
    if (auto r = tx.commit(); !r)
        return r.error();
    return static_cast<int>(orders.size());
}

core::Result<std::optional<OrderRow>> OrderRepository::get(const QString &orderId)
{
    auto connection = m_db.connection();
    if (!connection)
        return connection.error();
    QSqlQuery q(connection.value());
    q.prepare(QStringLiteral("SELECT ") + QLatin1StringView(kListColumns) + QLatin1StringView(kDetailColumns)
              + QStringLiteral(" FROM ghl_qr_orders WHERE order_id = ?"));
    q.addBindValue(orderId);
    if (!q.exec())
        return m_db.fail(q, Tr::tr("read order %1").arg(orderId));
    if (!q.next())
        return std::optional<OrderRow>();
    return std::optional<OrderRow>(rowFrom(q, true));
}

core::Result<QHash<QString, QList<core::OrderItem>>> OrderRepository::lineItems(const QStringList &orderIds)
{
    QHash<QString, QList<core::OrderItem>> items;
    if (orderIds.isEmpty())
        return items;
    auto connection = m_db.connection();
    if (!connection)
        return connection.error();
    QSqlQuery q(connection.value());
    q.prepare(QStringLiteral("SELECT order_id, line_items FROM ghl_qr_orders WHERE order_id IN (")
              + QStringList(orderIds.size(), QStringLiteral("?")).join(u',') + u')');
    for (const QString &id : orderIds)
        q.addBindValue(id);
    if (!q.exec())
        return m_db.fail(q, Tr::tr("read order %1").arg(orderIds.join(QStringLiteral(", "))));
    while (q.next())
        items.insert(q.value(0).toString(), itemsFromDb(q.value(1)));
    return items;
}

core::Result<QList<OrderRow>> OrderRepository::list(const OrderQuery &query)
{
    auto connection = m_db.connection();
    if (!connection)
        return connection.error();
    QVariantList binds;
    QString sql = QStringLiteral("SELECT ") + QLatin1StringView(kListColumns) + QStringLiteral(" FROM ghl_qr_orders")
        + whereClause(query, binds) + orderBy(query) + QStringLiteral(" LIMIT ? OFFSET ?");
    binds << std::clamp(query.limit, 1, 10000) << std::max(0, query.offset);
    QSqlQuery q(connection.value());
    q.setForwardOnly(true);
    q.prepare(sql);
    for (const QVariant &v : std::as_const(binds))
        q.addBindValue(v);
    if (!q.exec())
        return m_db.fail(q, Tr::tr("list orders"));
    QList<OrderRow> rows;
    rows.reserve(query.limit);
    while (q.next())
        rows.append(rowFrom(q, false));
    return rows;
}

core::Result<int> OrderRepository::count(const OrderQuery &query)
{
    auto connection = m_db.connection();
    if (!connection)
        return connection.error();
    QVariantList binds;
    QSqlQuery q(connection.value());
    q.prepare(QStringLiteral("SELECT count(*) FROM ghl_qr_orders") + whereClause(query, binds));
    for (const QVariant &v : std::as_const(binds))
        q.addBindValue(v);
    if (!q.exec() || !q.next())
        return m_db.fail(q, Tr::tr("count orders"));
    return q.value(0).toInt();
}

core::Result<QList<EventInfo>> OrderRepository::events()
{
    auto connection = m_db.connection();
    if (!connection)
        return connection.error();
    QSqlQuery q(connection.value());
    if (!q.exec(QStringLiteral("SELECT event_id, max(event_name), count(*) FROM ghl_qr_orders WHERE event_id IS NOT NULL "
                               "GROUP BY event_id ORDER BY max(event_name)")))
        return m_db.fail(q, Tr::tr("list events"));
    QList<EventInfo> events;
    while (q.next())
        events.append({ q.value(0).toString(), q.value(1).toString(), q.value(2).toInt() });
    return events;
}

core::Result<QStringList> OrderRepository::paymentStatuses()
{
    auto connection = m_db.connection();
    if (!connection)
        return connection.error();
    QSqlQuery q(connection.value());
    if (!q.exec(QStringLiteral("SELECT DISTINCT payment_status FROM ghl_qr_orders WHERE payment_status IS NOT NULL "
                               "ORDER BY payment_status")))
        return m_db.fail(q, Tr::tr("list payment statuses"));
    QStringList statuses;
    while (q.next())
        statuses << q.value(0).toString();
    return statuses;
}

core::Result<QHash<QString, QDateTime>> OrderRepository::ghlUpdatedAt()
{
    auto connection = m_db.connection();
    if (!connection)
        return connection.error();
    QSqlQuery q(connection.value());
    q.setForwardOnly(true);
    if (!q.exec(QStringLiteral("SELECT order_id, ghl_updated_at FROM ghl_qr_orders")))
        return m_db.fail(q, Tr::tr("read when orders last changed"));
    QHash<QString, QDateTime> result;
    while (q.next())
        result.insert(q.value(0).toString(), timeFromDb(q.value(1)));
    return result;
}

core::Result<void> OrderRepository::setQrImage(const QString &orderId, const QString &dataUrl, const QDateTime &pushedAt)
{
    auto connection = m_db.connection();
    if (!connection)
        return connection.error();
    QSqlQuery q(connection.value());
    q.prepare(QStringLiteral("UPDATE ghl_qr_orders SET qr_code_image = ?, qr_pushed_at = ? WHERE order_id = ?"));
    q.addBindValue(dataUrl);
    q.addBindValue(toDb(pushedAt));
    q.addBindValue(orderId);
    if (!q.exec())
        return m_db.fail(q, Tr::tr("store the QR code of order %1").arg(orderId));
    if (q.numRowsAffected() == 0)
        return core::makeError(QStringLiteral("db.not_found"), Tr::tr("Order %1 is not in the database.").arg(orderId));
    return {};
}

QString toString(CheckInState state)
{
    switch (state) {
    case CheckInState::Any: return QStringLiteral("any");
    case CheckInState::NotArrived: return QStringLiteral("not-arrived");
    case CheckInState::Partial: return QStringLiteral("partial");
    case CheckInState::Complete: return QStringLiteral("complete");
    case CheckInState::NoLiveTickets: return QStringLiteral("no-live-tickets");
    }
    return {};
}

} // namespace qrt::db
