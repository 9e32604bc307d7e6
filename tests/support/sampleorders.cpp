#include "support/sampleorders.h"

#include <QDateTime>

namespace qrt::test {

QString sampleOrderId(int i)
{
    const quint64 mixed = (quint64(i) * 0x9E3779B97F4A7C15ULL) >> 16;
    return QStringLiteral("66f%1%2").arg(mixed % 0xFFFFFFFFFFULL, 10, 16, QLatin1Char('0')).arg(i, 11, 16, QLatin1Char('0'));
}

namespace {
const char *const kEvents[][2] = { { "prod_summer_gala_000001", "Summer Gala 2026" },
                                   { "prod_jazz_night_0000002", "Jazz Night at the Harbour" },
                                   { "prod_kids_theatre_00003", "Kids' Theatre Matinee" } };
} // namespace

QString sampleEventId(int e)
{
    return QString::fromLatin1(kEvents[e % 3][0]);
}

QString sampleEventName(int e)
{
    return QString::fromUtf8(kEvents[e % 3][1]);
}

core::Order sampleMultiEventOrder(int i)
{
    core::Order o = sampleOrders(1, i).first();
    const int e = (i / 7 + 1) % 3;
    core::OrderItem item;
    item.productId = sampleEventId(e);
    item.productName = sampleEventName(e);
    item.priceId = QStringLiteral("price_0");
    item.priceName = QStringLiteral("General Admission");
    item.qty = 1 + i % 2;
    item.unitPrice = 35.0;
    item.currency = o.paymentCurrency;
    o.items.append(item);
    o.ticketQuantities[item.priceName] += item.qty;
    o.totalPaid += item.unitPrice * item.qty;
    return o;
}

QList<core::Order> sampleOrders(int count, int firstIndex)
{
    static const char *const first[] = { "Anna", "Ben", "Clara", "David", "Emma", "Felix", "Greta", "Hugo", "Ida", "Jonas",
                                         "Katrin", "Lukas", "Mia", "Noah", "Olivia", "Paul", "Queenie", "Rafael", "Sofia", "Tom" };
    static const char *const last[] = { "Albrecht", "Bauer", "Castillo", "Dubois", "Eriksen", "Fischer", "García", "Hoffmann",
                                        "Ivanova", "Jansen", "Keller", "Lambert", "Martin", "Nowak", "O'Brien", "Petit",
                                        "Quinn", "Rossi", "Schmidt", "Tanaka", "Umarov", "Vogel", "Weber", "Young", "Zimmermann" };
    static const char *const types[] = { "General Admission", "VIP", "Student" };
    static const double prices[] = { 35.0, 89.0, 19.5 };
    static const char *const payments[] = { "paid", "paid", "paid", "paid", "pending", "refunded" };
    QList<core::Order> orders;
    orders.reserve(count);
    const QDateTime base(QDate(2026, 9, 1), QTime(10, 0), Qt::UTC);
    for (int n = 0; n < count; ++n) {
        const int i = firstIndex + n;
        core::Order o;
        o.orderId = sampleOrderId(i);
        o.locationId = QStringLiteral("3SwdhCu3svxI8AKsPJt6");
        o.contactId = QStringLiteral("contact%1").arg(i, 8, 10, QLatin1Char('0'));
        o.contactFirstName = QString::fromUtf8(first[i % 20]);
        o.contactLastName = QString::fromUtf8(last[(i / 20) % 25]);
        o.contactEmail = QStringLiteral("%1.%2.%3@example.org").arg(o.contactFirstName.toLower(), o.contactLastName.toLower()).arg(i);
        o.contactPhone = QStringLiteral("+4930%1").arg(i, 7, 10, QLatin1Char('0'));
        const int e = (i / 7) % 3;
        o.eventId = sampleEventId(e);
        o.eventName = sampleEventName(e);
        o.paymentStatus = QString::fromLatin1(payments[i % 6]);
        o.paymentCurrency = QStringLiteral("EUR");
        o.orderStatus = o.paymentStatus == u"refunded" ? QStringLiteral("refunded") : QStringLiteral("completed");
        o.dateAdded = base.addSecs(qint64(i) * 97);
        o.ghlUpdatedAt = o.dateAdded.addSecs(60);
        const int t = i % 3;
        const int qty = 1 + (i % 4);
        core::OrderItem item;
        item.productId = o.eventId;
        item.productName = o.eventName;
        item.priceId = QStringLiteral("price_%1").arg(t);
        item.priceName = QString::fromLatin1(types[t]);
        item.qty = qty;
        item.unitPrice = prices[t];
        item.currency = o.paymentCurrency;
        o.items = { item };
        o.ticketQuantities.insert(item.priceName, qty);
        o.eventTicketType = item.priceName;
        o.eventTicketPrice = item.unitPrice;
        o.eventTicketCurrency = item.currency;
        o.eventTicketQty = qty;
        o.totalPaid = prices[t] * qty;
        orders.append(o);
    }
    return orders;
}

} // namespace qrt::test
