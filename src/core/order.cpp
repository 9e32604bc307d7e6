#include "core/order.h"

#include <QCoreApplication>

namespace qrt::core {

namespace {
// Q_DECLARE_TR_FUNCTIONS gives lupdate and the program the same context for Tr::tr().
struct Tr
{
    Q_DECLARE_TR_FUNCTIONS(qrt::core::Order)
};
} // namespace

QString paymentStatusDisplayName(const QString &paymentStatus)
{
    const QString s = paymentStatus.trimmed().toLower();
    if (s == u"paid")
        return Tr::tr("paid");
    if (s == u"unpaid")
        return Tr::tr("unpaid");
    if (s == u"partially_paid")
        return Tr::tr("partially paid");
    if (s == u"refunded")
        return Tr::tr("refunded");
    if (s == u"partially_refunded")
        return Tr::tr("partially refunded");
    if (s == u"pending")
        return Tr::tr("pending");
    if (s == u"failed")
        return Tr::tr("failed");
    if (s == u"voided")
        return Tr::tr("voided");
    if (s == u"cancelled" || s == u"canceled")
        return Tr::tr("cancelled");
    return paymentStatus;
}

QString Order::contactName() const
{
    if (contactFirstName.isEmpty())
        return contactLastName;
    if (contactLastName.isEmpty())
        return contactFirstName;
    return contactFirstName + u' ' + contactLastName;
}

bool Order::isVoid() const
{
    static const QStringList voidStates = { QStringLiteral("cancelled"), QStringLiteral("canceled"),
                                            QStringLiteral("refunded"), QStringLiteral("voided") };
    return voidStates.contains(orderStatus.toLower()) || voidStates.contains(paymentStatus.toLower());
}

QList<TicketDemand> Order::ticketDemand() const
{
    QList<TicketDemand> demand;
    auto add = [&demand](const QString &productId, const QString &type, int qty) {
        for (TicketDemand &d : demand) {
            if (d.productId == productId && d.ticketType == type) {
                d.qty += qty;
                return;
            }
        }
        demand.append({ productId, type, qty });
    };
    if (!items.isEmpty()) {
        for (const OrderItem &item : items)
            add(item.productId, item.priceName, std::max(0, item.qty));
    } else {
        for (auto it = ticketQuantities.cbegin(); it != ticketQuantities.cend(); ++it)
            add(eventId, it.key(), std::max(0, it.value()));
    }
    if (isVoid()) {
        for (TicketDemand &d : demand)
            d.qty = 0;
    }
    return demand;
}

int Order::ticketCount() const
{
    int n = 0;
    for (int q : ticketQuantities)
        n += q;
    return n;
}

} // namespace qrt::core
