#pragma once

#include <QDateTime>
#include <QList>
#include <QMap>
#include <QMetaType>
#include <QString>

namespace qrt::core {

// GHL's spellings of payment and order statuses that we know: one constant each. The database
// and CSV keep GHL's word as it came.
namespace PaymentStatus {
inline const QString Paid = QStringLiteral("paid");
inline const QString Unpaid = QStringLiteral("unpaid");
inline const QString PartiallyPaid = QStringLiteral("partially_paid");
inline const QString Refunded = QStringLiteral("refunded");
inline const QString PartiallyRefunded = QStringLiteral("partially_refunded");
inline const QString Pending = QStringLiteral("pending");
inline const QString Failed = QStringLiteral("failed");
inline const QString Voided = QStringLiteral("voided");
inline const QString Cancelled = QStringLiteral("cancelled");
inline const QString Canceled = QStringLiteral("canceled"); // GHL also writes the US spelling
} // namespace PaymentStatus

// GHL's payment status ("paid", "refunded", ...) for people, in the user's language; GHL's own word
// when it is not one we know. The database and CSV keep GHL's word.
QString paymentStatusDisplayName(const QString &paymentStatus);

// One line of a GHL order: a product (our "event") bought at a price (our "ticket type").
struct OrderItem
{
    QString productId;
    QString productName;
    QString productImage;
    QString priceId;
    QString priceName; // the ticket type, as the original system took it (items[].price.name)
    int qty = 0;
    double unitPrice = 0;
    QString currency;
    int availableQty = -1; // -1: not known

    friend bool operator==(const OrderItem &, const OrderItem &) = default;
};

// Tickets wanted for one (product, ticket type) pair.
struct TicketDemand
{
    QString productId;
    QString ticketType;
    int qty = 0;

    friend bool operator==(const TicketDemand &, const TicketDemand &) = default;
};

// An order as stored in ghl_qr_orders. Field names follow the original table's columns.
struct Order
{
    QString orderId; // GHL's 24-hex _id
    QString locationId;
    double totalPaid = 0;
    QString paymentStatus;
    QString paymentCurrency;
    QString orderStatus;
    QString contactId;
    QString contactFirstName;
    QString contactLastName;
    QString contactEmail;
    QString contactPhone;
    QDateTime dateAdded; // GHL createdAt
    QString eventId;     // items[0].product._id, as the original
    QString eventName;
    QString eventImage;
    double eventTicketPrice = 0;
    QString eventTicketCurrency;
    int eventAvailableQty = 0;
    int eventTicketQty = 0;
    QString eventTicketType; // legacy single type
    QString qrCodeImage;     // data URL of the PNG pushed to the contact
    QMap<QString, int> ticketQuantities; // ticket type -> count, summed over all items
    QList<OrderItem> items;               // the per-product breakdown
    QDateTime ghlUpdatedAt;               // GHL updatedAt: drives incremental sync
    QDateTime syncedAt;
    QDateTime qrPushedAt;
    QDateTime insertedAt;
    QDateTime updatedAt;

    QString contactName() const;
    // GHL reports the order cancelled or refunded: every live ticket must be cancelled.
    bool isVoid() const;
    // What the ticket table must hold; legacy rows without items fall back to ticketQuantities
    // under the order's event id.
    QList<TicketDemand> ticketDemand() const;
    // Total tickets over all types.
    int ticketCount() const;

    friend bool operator==(const Order &, const Order &) = default;
};

} // namespace qrt::core

Q_DECLARE_METATYPE(qrt::core::Order)
