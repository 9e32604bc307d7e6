#include "ghl/orderjson.h"

#include <QCoreApplication>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonParseError>

#include <cmath>

namespace qrt::ghl {

namespace {

// Q_DECLARE_TR_FUNCTIONS gives lupdate and the program the same context for Tr::tr().
struct Tr
{
    Q_DECLARE_TR_FUNCTIONS(qrt::ghl::OrderJson)
};

core::Error malformed(const QString &what, const QString &orderId = {})
{
    const QString msg = orderId.isEmpty() ? Tr::tr("The order data from GHL is malformed: %1.").arg(what)
                                          : Tr::tr("The data of order %1 from GHL is malformed: %2.").arg(orderId, what);
    return core::makeError(QStringLiteral("ghl.malformed"), msg);
}

QString str(const QJsonObject &o, std::initializer_list<const char *> keys)
{
    for (const char *k : keys) {
        const QJsonValue v = o.value(QLatin1StringView(k));
        if (v.isString() && !v.toString().isEmpty())
            return v.toString();
    }
    return {};
}

QDateTime time(const QJsonObject &o, const char *key)
{
    const QJsonValue v = o.value(QLatin1StringView(key));
    if (!v.isString())
        return {};
    QDateTime t = QDateTime::fromString(v.toString(), Qt::ISODateWithMs);
    return t.isValid() ? t.toUTC() : QDateTime();
}

} // namespace

core::Result<core::Order> parseOrder(const QByteArray &json)
{
    QJsonParseError error;
    const QJsonDocument doc = QJsonDocument::fromJson(json, &error);
    if (error.error != QJsonParseError::NoError)
        return malformed(Tr::tr("not valid JSON (%1 at byte %2)").arg(error.errorString()).arg(error.offset));
    if (!doc.isObject())
        return malformed(Tr::tr("expected a JSON object"));
    return orderFromJson(doc.object());
}

core::Result<core::Order> orderFromJson(const QJsonObject &o)
{
    core::Order order;
    const QJsonValue id = o.value(QLatin1StringView("_id"));
    if (!id.isString() || id.toString().trimmed().isEmpty())
        return malformed(Tr::tr("it has no order id (_id)"));
    order.orderId = id.toString().trimmed();
    if (order.orderId.size() > 64)
        return malformed(Tr::tr("the order id is longer than 64 characters"));

    order.locationId = str(o, { "altId", "locationId" });
    const QJsonValue amount = o.value(QLatin1StringView("amount"));
    if (!amount.isUndefined() && !amount.isNull() && !amount.isDouble())
        return malformed(Tr::tr("amount is not a number"), order.orderId);
    order.totalPaid = amount.toDouble();
    order.paymentCurrency = str(o, { "currency" });
    order.orderStatus = str(o, { "status" });
    order.paymentStatus = str(o, { "paymentStatus" });
    order.dateAdded = time(o, "createdAt");
    order.ghlUpdatedAt = time(o, "updatedAt");

    const QJsonObject contact = o.value(QLatin1StringView("contactSnapshot")).toObject();
    order.contactId = str(contact, { "id", "_id" });
    if (order.contactId.isEmpty())
        order.contactId = str(o, { "contactId" });
    order.contactFirstName = str(contact, { "firstName", "first_name" });
    order.contactLastName = str(contact, { "lastName", "last_name" });
    order.contactEmail = str(contact, { "email" });
    order.contactPhone = str(contact, { "phone" });
    if (order.contactFirstName.isEmpty() && order.contactLastName.isEmpty()) {
        const QString name = str(contact, { "name", "fullName" });
        const qsizetype space = name.indexOf(u' ');
        order.contactFirstName = space < 0 ? name : name.left(space);
        order.contactLastName = space < 0 ? QString() : name.mid(space + 1);
    }

    const QJsonValue itemsValue = o.value(QLatin1StringView("items"));
    if (!itemsValue.isUndefined() && !itemsValue.isNull() && !itemsValue.isArray())
        return malformed(Tr::tr("items is not a list"), order.orderId);
    const QJsonArray items = itemsValue.toArray();
    for (qsizetype i = 0; i < items.size(); ++i) {
        if (!items[i].isObject())
            return malformed(Tr::tr("item %1 is not an object").arg(i + 1), order.orderId);
        const QJsonObject item = items[i].toObject();
        const QJsonValue qty = item.value(QLatin1StringView("qty"));
        const double q = qty.toDouble(-1);
        if (!qty.isDouble() || q < 0 || q > 100000 || std::floor(q) != q)
            return malformed(Tr::tr("item %1 has no valid quantity (qty)").arg(i + 1), order.orderId);
        const QJsonObject product = item.value(QLatin1StringView("product")).toObject();
        const QJsonObject price = item.value(QLatin1StringView("price")).toObject();
        core::OrderItem line;
        line.productId = str(product, { "_id", "id" });
        line.productName = str(product, { "name" });
        line.productImage = str(product, { "image" });
        line.priceId = str(price, { "_id", "id" });
        line.priceName = str(price, { "name" });
        if (line.priceName.isEmpty())
            line.priceName = str(item, { "name" });
        // Stored as the ticket type and used as the key that reconciles tickets: never translated,
        // or stations in two languages would cancel each other's tickets.
        if (line.priceName.isEmpty())
            line.priceName = QStringLiteral("Ticket");
        line.qty = static_cast<int>(q);
        line.unitPrice = price.value(QLatin1StringView("amount")).toDouble();
        line.currency = str(price, { "currency" });
        const QJsonValue avail = price.value(QLatin1StringView("availableQuantity"));
        line.availableQty = avail.isDouble() ? avail.toInt() : -1;
        order.items.append(line);
        order.ticketQuantities[line.priceName] += line.qty;
    }
    if (!order.items.isEmpty()) {
        const core::OrderItem &first = order.items.first();
        order.eventId = first.productId;
        order.eventName = first.productName;
        order.eventImage = first.productImage;
        order.eventTicketPrice = first.unitPrice;
        order.eventTicketCurrency = first.currency.isEmpty() ? order.paymentCurrency : first.currency;
        order.eventTicketQty = first.qty;
        order.eventTicketType = first.priceName;
        order.eventAvailableQty = std::max(0, first.availableQty);
    }
    return order;
}

} // namespace qrt::ghl
