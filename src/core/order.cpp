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
    if (s == PaymentStatus::Paid)
        return Tr::tr("paid");
    if (s == PaymentStatus::Unpaid)
        return Tr::tr("unpaid");
    if (s == PaymentStatus::PartiallyPaid)
        return Tr::tr("partially paid");
    if (s == PaymentStatus::Refunded)
        return Tr::tr("refunded");
    if (s == PaymentStatus::PartiallyRefunded)
        return Tr::tr("partially refunded");
    if (s == PaymentStatus::Pending)
        return Tr::tr("pending");
    if (s == PaymentStatus::Failed)
        return Tr::tr("failed");
    if (s == PaymentStatus::Voided)
        return Tr::tr("voided");
    if (s == PaymentStatus::Cancelled || s == PaymentStatus::Canceled)
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
    static const QStringList voidStates = { PaymentStatus::Cancelled, PaymentStatus::Canceled, PaymentStatus::Refunded,
                                            PaymentStatus::Voided };
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
