#include "db/orderrepository.h"

#include "db/searchtext.h"

#include <QCoreApplication>
#include <QHash>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>

#include <algorithm>

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
    "tickets_cancelled, line_items";

const char *const kDetailColumns =
    ", event_image, event_ticket_price, event_ticket_currency, event_available_qty, event_ticket_qty, "
    "event_ticket_type, qr_code_image";

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

OrderRow rowFrom(const Query &r, bool detail)
{
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
    // The list reads line items too: its Event column names every event of an order.
    o.items = itemsFromDb(r.value(QStringLiteral("line_items")));
    if (detail) {
        o.eventImage = s("event_image");
        o.eventTicketPrice = r.value(QStringLiteral("event_ticket_price")).toDouble();
        o.eventTicketCurrency = s("event_ticket_currency");
        o.eventAvailableQty = r.value(QStringLiteral("event_available_qty")).toInt();
        o.eventTicketQty = r.value(QStringLiteral("event_ticket_qty")).toInt();
        o.eventTicketType = s("event_ticket_type");
        o.qrCodeImage = s("qr_code_image");
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
QString whereClause(const Database &db, const OrderQuery &query, QVariantMap &binds)
{
    QStringList parts;
    const QStringList words = foldForSearch(query.search.simplified()).split(u' ', Qt::SkipEmptyParts);
    for (const QString &word : words.mid(0, 8)) {
        // The search column: order id, names, e-mail and phone, case-folded as the words are
        // (searchtext.h; migrations 0003 and 0012).
        const QString name = QStringLiteral(":word%1").arg(binds.size());
        parts << searchColumn(db.dialect()) + QStringLiteral(" LIKE ") + name + QStringLiteral(" ESCAPE '\\'");
        binds.insert(name, QString(u'%' + escapeLike(word) + u'%'));
    }
    if (!query.eventId.isEmpty()) {
        // An order belongs to every event it holds tickets of (each ticket's own product), not only
        // to its first; tickets without a product (the original system's) are its first event's.
        parts << QStringLiteral("(event_id = :event_id OR order_id IN (SELECT order_id FROM ghl_qr_tickets "
                                "WHERE product_id = :event_product))");
        binds.insert(QStringLiteral(":event_id"), query.eventId);
        binds.insert(QStringLiteral(":event_product"), query.eventId);
    }
    if (!query.paymentStatus.isEmpty()) {
        parts << QStringLiteral("payment_status = :payment_status");
        binds.insert(QStringLiteral(":payment_status"), query.paymentStatus);
    }
    if (!query.orderIds.isEmpty()) {
        QStringList names;
        for (const QString &id : query.orderIds) {
            names << QStringLiteral(":oid%1").arg(names.size());
            binds.insert(names.last(), id);
        }
        parts << QStringLiteral("order_id IN (") + names.join(u',') + u')';
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

QString orderBy(const Database &db, const OrderQuery &query)
{
    QString column;
    switch (query.sort) {
    case OrderSort::OrderId: column = QStringLiteral("order_id"); break;
    case OrderSort::Contact:
        // SQLite: the Unicode collation of searchtext.h ("Ábel" before "Bela"), which the name index of
        // migration 0012 is sorted by. PostgreSQL: the database's collation.
        column = db.isPostgres() ? QStringLiteral("lower(contact_lastname) %1, lower(contact_firstname)")
                                 : QStringLiteral("contact_lastname COLLATE qrt_name %1, contact_firstname COLLATE qrt_name");
        break;
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

namespace {
// The columns an upsert writes, each with where its value comes from: the INSERT, its
// placeholders, the ON CONFLICT update and the bound values are all made from this one list.
// The QR image, its push time, the ticket counts and inserted_at are not in it: never touched.
struct WrittenColumn
{
    const char *name;
    QVariant (*value)(const core::Order &o, const QDateTime &now);
    bool json = false;
};

const WrittenColumn kWritten[] = {
    { "order_id", [](const core::Order &o, const QDateTime &) -> QVariant { return o.orderId; } },
    { "location_id", [](const core::Order &o, const QDateTime &) { return textOrNull(o.locationId); } },
    { "total_paid", [](const core::Order &o, const QDateTime &) -> QVariant { return o.totalPaid; } },
    { "payment_status", [](const core::Order &o, const QDateTime &) { return textOrNull(o.paymentStatus); } },
    { "payment_currency", [](const core::Order &o, const QDateTime &) { return textOrNull(o.paymentCurrency); } },
    { "order_status", [](const core::Order &o, const QDateTime &) { return textOrNull(o.orderStatus); } },
    { "contact_id", [](const core::Order &o, const QDateTime &) { return textOrNull(o.contactId); } },
    { "contact_firstname", [](const core::Order &o, const QDateTime &) { return textOrNull(o.contactFirstName); } },
    { "contact_lastname", [](const core::Order &o, const QDateTime &) { return textOrNull(o.contactLastName); } },
    { "contact_email", [](const core::Order &o, const QDateTime &) { return textOrNull(o.contactEmail); } },
    { "contact_phone", [](const core::Order &o, const QDateTime &) { return textOrNull(o.contactPhone); } },
    { "date_added", [](const core::Order &o, const QDateTime &) { return toDb(o.dateAdded); } },
    { "event_id", [](const core::Order &o, const QDateTime &) { return textOrNull(o.eventId); } },
    { "event_name", [](const core::Order &o, const QDateTime &) { return textOrNull(o.eventName); } },
    { "event_image", [](const core::Order &o, const QDateTime &) { return textOrNull(o.eventImage); } },
    { "event_ticket_price", [](const core::Order &o, const QDateTime &) -> QVariant { return o.eventTicketPrice; } },
    { "event_ticket_currency", [](const core::Order &o, const QDateTime &) { return textOrNull(o.eventTicketCurrency); } },
    { "event_available_qty", [](const core::Order &o, const QDateTime &) -> QVariant { return o.eventAvailableQty; } },
    { "event_ticket_qty", [](const core::Order &o, const QDateTime &) -> QVariant { return o.eventTicketQty; } },
    { "event_ticket_type", [](const core::Order &o, const QDateTime &) { return textOrNull(o.eventTicketType); } },
    { "ticket_quantities",
      [](const core::Order &o, const QDateTime &) -> QVariant { return QString::fromUtf8(quantitiesJson(o.ticketQuantities)); },
      true },
    { "line_items", [](const core::Order &o, const QDateTime &) -> QVariant { return QString::fromUtf8(itemsJson(o.items)); },
      true },
    { "ghl_updated_at", [](const core::Order &o, const QDateTime &) { return toDb(o.ghlUpdatedAt); } },
    { "synced_at", [](const core::Order &o, const QDateTime &now) { return toDb(o.syncedAt.isValid() ? o.syncedAt : now); } },
    { "updated_at", [](const core::Order &, const QDateTime &now) { return toDb(now); } },
};

QString placeholder(const WrittenColumn &c)
{
    return u':' + QLatin1StringView(c.name);
}
} // namespace

QString OrderRepository::upsertSql(const Database &db)
{
    QStringList names, values, updates;
    for (const WrittenColumn &c : kWritten) {
        const QLatin1StringView name(c.name);
        names << name;
        values << (c.json ? db.jsonParam(placeholder(c)) : placeholder(c));
        if (name != u"order_id")
            updates << name + QStringLiteral(" = excluded.") + name;
    }
    return QStringLiteral("INSERT INTO ghl_qr_orders (") + names.join(QStringLiteral(", ")) + QStringLiteral(") VALUES (")
        + values.join(QStringLiteral(", ")) + QStringLiteral(") ON CONFLICT (order_id) DO UPDATE SET ")
        + updates.join(QStringLiteral(", "));
}

core::Result<Query> OrderRepository::prepareUpsert(Database &db, const QString &what)
{
    return db.prepare(upsertSql(db), what);
}

core::Result<void> OrderRepository::upsertOne(Query &q, const core::Order &o)
{
    if (o.orderId.trimmed().isEmpty())
        return core::makeError(QStringLiteral("db.invalid"), Tr::tr("An order without an id cannot be saved."));
    const QDateTime now = QDateTime::currentDateTimeUtc();
    for (const WrittenColumn &c : kWritten)
        q.bind(placeholder(c), c.value(o, now));
    return q.describe(Tr::tr("save order %1").arg(o.orderId)).exec();
}

core::Result<int> OrderRepository::upsert(const QList<core::Order> &orders)
{
    return m_db.inTransaction([&]() -> core::Result<int> {
        auto q = prepareUpsert(m_db, Tr::tr("prepare saving orders"));
        if (!q)
            return q.error();
        auto searchText = SearchTextWriter::prepare(m_db);
        if (!searchText)
            return searchText.error();
        for (const core::Order &o : orders) {
            if (auto r = upsertOne(q.value(), o); !r)
                return r.error();
            if (auto r = searchText->store(o); !r)
                return r.error();
        }
        return static_cast<int>(orders.size());
    });
}

core::Result<std::optional<OrderRow>> OrderRepository::get(const QString &orderId)
{
    auto q = m_db.prepare(QStringLiteral("SELECT ") + QLatin1StringView(kListColumns) + QLatin1StringView(kDetailColumns)
                              + QStringLiteral(" FROM ghl_qr_orders WHERE order_id = :order_id"),
                          Tr::tr("read order %1").arg(orderId));
    if (!q)
        return q.error();
    if (auto r = q->bind(QStringLiteral(":order_id"), orderId).exec(); !r)
        return r.error();
    if (!q->next())
        return std::optional<OrderRow>();
    return std::optional<OrderRow>(rowFrom(q.value(), true));
}

core::Result<QString> OrderRepository::storedOrderId(const QString &typed)
{
    // Exact, lower, upper and swapped case first (the primary key answers); only an id still not
    // found costs a scan of lower(order_id).
    QString swapped = typed;
    for (QChar &c : swapped)
        c = c.isUpper() ? c.toLower() : c.toUpper();
    const QStringList candidates = { typed, typed.toLower(), typed.toUpper(), swapped };
    const QString statements[] = {
        QStringLiteral("SELECT order_id FROM ghl_qr_orders WHERE order_id IN (:a, :b, :c, :d) "
                       "ORDER BY CASE WHEN order_id = :e THEN 0 ELSE 1 END, order_id LIMIT 1"),
        QStringLiteral("SELECT order_id FROM ghl_qr_orders WHERE lower(order_id) = :b ORDER BY order_id LIMIT 1"),
    };
    for (const QString &sql : statements) {
        auto q = m_db.prepare(sql, Tr::tr("read order %1").arg(typed));
        if (!q)
            return q.error();
        if (sql.contains(QStringLiteral(":a")))
            q->bind(QStringLiteral(":a"), candidates.at(0))
                .bind(QStringLiteral(":c"), candidates.at(2))
                .bind(QStringLiteral(":d"), candidates.at(3))
                .bind(QStringLiteral(":e"), candidates.at(0));
        q->bind(QStringLiteral(":b"), candidates.at(1));
        if (auto r = q->exec(); !r)
            return r.error();
        if (q->next())
            return q->value(QStringLiteral("order_id")).toString();
    }
    return QString();
}

core::Result<QHash<QString, QList<core::OrderItem>>> OrderRepository::lineItems(const QStringList &orderIds)
{
    QHash<QString, QList<core::OrderItem>> items;
    if (orderIds.isEmpty())
        return items;
    QStringList placeholders;
    for (qsizetype i = 0; i < orderIds.size(); ++i)
        placeholders << QStringLiteral(":id%1").arg(i);
    auto q = m_db.prepare(QStringLiteral("SELECT order_id, line_items FROM ghl_qr_orders WHERE order_id IN (")
                              + placeholders.join(u',') + u')',
                          Tr::tr("read order %1").arg(orderIds.join(QStringLiteral(", "))));
    if (!q)
        return q.error();
    for (qsizetype i = 0; i < orderIds.size(); ++i)
        q->bind(placeholders.at(i), orderIds.at(i));
    if (auto r = q->exec(); !r)
        return r.error();
    while (q->next())
        items.insert(q->value(QStringLiteral("order_id")).toString(), itemsFromDb(q->value(QStringLiteral("line_items"))));
    return items;
}

core::Result<QString> OrderRepository::sqliteSource(const OrderQuery &query)
{
    const QString plain = QStringLiteral(" FROM ghl_qr_orders");
    // A search sorted by date or name walks an index that holds search_text (migrations 0003, 0012)
    // and stops after a page of matches. Sorted by another column, SQLite walks that column's index
    // (or the table) and reads every row to test it: fine while matches are common, 150-350 ms at
    // 100,000 orders when they are rare. So count up to 2,000 matches first on the narrow search
    // index (~15 ms when rare, at once when common); few matches are then found there and sorted.
    if (m_db.isPostgres() || query.sort == OrderSort::DateAdded || query.sort == OrderSort::Contact
        || foldForSearch(query.search).trimmed().isEmpty())
        return plain;
    OrderQuery searchOnly;
    searchOnly.search = query.search;
    QVariantMap binds;
    const QString searchIndex = QStringLiteral(" FROM ghl_qr_orders INDEXED BY ghl_qr_orders_date_search_idx");
    auto probe = m_db.prepare(QStringLiteral("SELECT count(*) AS n FROM (SELECT 1") + searchIndex
                                  + whereClause(m_db, searchOnly, binds) + QStringLiteral(" LIMIT 10001)"),
                              Tr::tr("list orders"));
    if (!probe)
        return probe.error();
    for (auto it = binds.cbegin(); it != binds.cend(); ++it)
        probe->bind(it.key(), it.value());
    if (auto r = probe->execFirst(); !r)
        return r.error();
    return probe->value(QStringLiteral("n")).toInt() <= 10000 ? searchIndex : plain;
}

core::Result<QList<OrderRow>> OrderRepository::list(const OrderQuery &query)
{
    auto source = sqliteSource(query);
    if (!source)
        return source.error();
    QVariantMap binds;
    auto q = m_db.prepare(QStringLiteral("SELECT ") + QLatin1StringView(kListColumns) + source.value()
                              + whereClause(m_db, query, binds) + orderBy(m_db, query) + QStringLiteral(" LIMIT :limit OFFSET :offset"),
                          Tr::tr("list orders"));
    if (!q)
        return q.error();
    binds.insert(QStringLiteral(":limit"), std::clamp(query.limit, 1, 10000));
    binds.insert(QStringLiteral(":offset"), std::max(0, query.offset));
    for (auto it = binds.cbegin(); it != binds.cend(); ++it)
        q->bind(it.key(), it.value());
    if (auto r = q->exec(); !r)
        return r.error();
    QList<OrderRow> rows;
    rows.reserve(query.limit);
    while (q->next())
        rows.append(rowFrom(q.value(), false));
    return rows;
}

core::Result<int> OrderRepository::count(const OrderQuery &query)
{
    QVariantMap binds;
    auto q = m_db.prepare(QStringLiteral("SELECT count(*) AS n FROM ghl_qr_orders") + whereClause(m_db, query, binds),
                          Tr::tr("count orders"));
    if (!q)
        return q.error();
    for (auto it = binds.cbegin(); it != binds.cend(); ++it)
        q->bind(it.key(), it.value());
    if (auto r = q->execFirst(); !r)
        return r.error();
    return q->value(QStringLiteral("n")).toInt();
}

core::Result<QList<DoorGuest>> OrderRepository::doorGuests(const QString &text, const QString &eventId, int limit)
{
    QString pattern = text.toLower();
    pattern.replace(u'\\', QStringLiteral("\\\\")).replace(u'%', QStringLiteral("\\%")).replace(u'_', QStringLiteral("\\_"));
    pattern = u'%' + pattern + u'%';
    auto q = m_db.prepare(
        QStringLiteral("SELECT order_id, max(contact_firstname) AS first_name, max(contact_lastname) AS last_name, "
                       "string_agg(DISTINCT coalesce(NULLIF(event_name, ''), event_id), ', ') AS events FROM qrt_door_tickets "
                       "WHERE (lower(coalesce(contact_firstname, '') || ' ' || coalesce(contact_lastname, '')) LIKE :q "
                       "OR lower(order_id) LIKE :q) AND (:ev = '' OR lower(event_id) = lower(:ev)) "
                       "GROUP BY order_id ORDER BY max(contact_lastname), max(contact_firstname), order_id LIMIT ")
            + QString::number(std::max(1, limit)),
        Tr::tr("find a guest by name"));
    if (!q)
        return q.error();
    q->bind(QStringLiteral(":q"), pattern).bind(QStringLiteral(":ev"), eventId.isEmpty() ? QStringLiteral("") : eventId);
    if (auto r = q->exec(); !r)
        return r.error();
    QList<DoorGuest> guests;
    while (q->next())
        guests.append({ q->value(QStringLiteral("order_id")).toString(), q->value(QStringLiteral("first_name")).toString(),
                        q->value(QStringLiteral("last_name")).toString(), q->value(QStringLiteral("events")).toString() });
    return guests;
}

core::Result<QList<EventInfo>> OrderRepository::events(bool doorViews)
{
    if (doorViews) {
        // A door login reads its events from the door view (issue 13 point 3), named by their orders.
        auto q = m_db.prepare(QStringLiteral("SELECT event_id, max(event_name) AS event_name, count(DISTINCT order_id) AS orders "
                                             "FROM qrt_door_tickets WHERE event_id IS NOT NULL GROUP BY event_id"),
                              Tr::tr("list events"));
        if (!q)
            return q.error();
        if (auto r = q->exec(); !r)
            return r.error();
        QList<EventInfo> events;
        while (q->next())
            events.append({ q->value(QStringLiteral("event_id")).toString(), q->value(QStringLiteral("event_name")).toString(),
                            q->value(QStringLiteral("orders")).toInt() });
        return events;
    }
    // Every event an order holds tickets of (each ticket's own product), and every order's first
    // event (an order without tickets, e.g. refunded, is still found under it). A product that is
    // never first in an order is named from the line items of one of its orders.
    auto q = m_db.prepare(QStringLiteral(
                              "SELECT e.ev AS event_id, max(o.event_name) AS event_name, count(DISTINCT e.order_id) AS orders, "
                              "min(e.order_id) AS sample_order FROM ("
                              "SELECT event_id AS ev, order_id FROM ghl_qr_orders WHERE event_id IS NOT NULL "
                              "UNION SELECT product_id AS ev, order_id FROM ghl_qr_tickets WHERE product_id IS NOT NULL) e "
                              "LEFT JOIN ghl_qr_orders o ON o.order_id = e.order_id AND o.event_id = e.ev GROUP BY e.ev"),
                          Tr::tr("list events"));
    if (!q)
        return q.error();
    if (auto r = q->exec(); !r)
        return r.error();
    QList<EventInfo> events;
    QHash<QString, QString> sampleOrder; // unnamed event -> an order holding its tickets
    while (q->next()) {
        events.append({ q->value(QStringLiteral("event_id")).toString(), q->value(QStringLiteral("event_name")).toString(),
                        q->value(QStringLiteral("orders")).toInt() });
        if (events.last().eventName.isEmpty())
            sampleOrder.insert(events.last().eventId, q->value(QStringLiteral("sample_order")).toString());
    }
    q->finish();
    if (!sampleOrder.isEmpty()) {
        auto items = lineItems(QStringList(sampleOrder.cbegin(), sampleOrder.cend()));
        if (!items)
            return items.error();
        for (EventInfo &e : events) {
            for (const core::OrderItem &item : items.value().value(sampleOrder.value(e.eventId))) {
                if (e.eventName.isEmpty() && item.productId == e.eventId)
                    e.eventName = item.productName;
            }
        }
    }
    std::sort(events.begin(), events.end(), [](const EventInfo &a, const EventInfo &b) {
        if (const int byName = QString::localeAwareCompare(a.eventName, b.eventName); byName != 0)
            return byName < 0;
        return a.eventId < b.eventId;
    });
    return events;
}

core::Result<QStringList> OrderRepository::paymentStatuses()
{
    auto q = m_db.prepare(QStringLiteral("SELECT DISTINCT payment_status FROM ghl_qr_orders WHERE payment_status IS NOT "
                                         "NULL ORDER BY payment_status"),
                          Tr::tr("list payment statuses"));
    if (!q)
        return q.error();
    if (auto r = q->exec(); !r)
        return r.error();
    QStringList statuses;
    while (q->next())
        statuses << q->value(QStringLiteral("payment_status")).toString();
    return statuses;
}

core::Result<QHash<QString, QDateTime>> OrderRepository::ghlUpdatedAt()
{
    auto q = m_db.prepare(QStringLiteral("SELECT order_id, ghl_updated_at FROM ghl_qr_orders"),
                          Tr::tr("read when orders last changed"));
    if (!q)
        return q.error();
    if (auto r = q->exec(); !r)
        return r.error();
    QHash<QString, QDateTime> result;
    while (q->next())
        result.insert(q->value(QStringLiteral("order_id")).toString(), timeFromDb(q->value(QStringLiteral("ghl_updated_at"))));
    return result;
}

core::Result<void> OrderRepository::setQrImage(const QString &orderId, const QString &dataUrl, const QDateTime &pushedAt)
{
    auto q = m_db.prepare(QStringLiteral("UPDATE ghl_qr_orders SET qr_code_image = :image, qr_pushed_at = :pushed_at "
                                         "WHERE order_id = :order_id"),
                          Tr::tr("store the QR code of order %1").arg(orderId));
    if (!q)
        return q.error();
    q->bind(QStringLiteral(":image"), dataUrl)
        .bind(QStringLiteral(":pushed_at"), toDb(pushedAt))
        .bind(QStringLiteral(":order_id"), orderId);
    if (auto r = q->exec(); !r)
        return r;
    if (q->rowsAffected() == 0)
        return core::makeError(QStringLiteral("db.not_found"), Tr::tr("Order %1 is not in the database.").arg(orderId));
    return {};
}

QString OrderRow::eventNames() const
{
    QStringList names;
    if (!order.eventName.isEmpty())
        names << order.eventName;
    for (const core::OrderItem &item : order.items) {
        const QString name = item.productName.isEmpty() ? item.productId : item.productName;
        if (!name.isEmpty() && !names.contains(name))
            names << name;
    }
    return names.join(QStringLiteral(" + "));
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
