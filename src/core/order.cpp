#include "core/order.h"

namespace qrt::core {

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
