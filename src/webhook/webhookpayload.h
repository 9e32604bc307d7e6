#pragma once

#include "core/result.h"

#include <QByteArray>
#include <QDateTime>
#include <QString>
#include <QStringList>

namespace qrt::webhook {

// The order webhook shapes of reference/ghl-api/README.md.
enum class PayloadShape {
    MarketplaceOrder, // 1. OrderCreate / OrderStatusUpdate app event: _id, contactId, items[].product._id
    WorkflowOrder,    // 2. {"type", "locationId", "order": {"_id", "contactId", "items"}}
    WorkflowLineItems, // 3. standard workflow webhook: contact_id, order.line_items[].meta.order_id/product_id
    CustomData,       // 4. order_id, contact_id, product_id at top level or in customData
};

QString toString(PayloadShape shape);

// What a webhook says, independent of its shape.
struct WebhookEvent
{
    PayloadShape shape = PayloadShape::MarketplaceOrder;
    QString orderId;
    QString contactId;
    QStringList productIds; // every distinct product, in order of appearance
    QString eventType;      // "OrderCreate", "OrderStatusUpdate", ... ; empty when the body has none
    QString locationId;
    QString webhookId;      // GHL's delivery id of signed webhooks; empty otherwise
    QString timestampText;  // as sent
    QDateTime timestamp;    // UTC; invalid when absent or unreadable
    QByteArray body;        // raw bytes as received
    QByteArray headers;     // the request's headers as a JSON object, secrets redacted (see safeHeaders)

    // Key for de-duplication in the inbox: the webhookId when GHL sent one, otherwise a hash of
    // the body (a workflow retry resends the same bytes).
    QString idempotencyKey() const;
};

// The longest "type" accepted (GHL's are about 20 characters).
constexpr qsizetype MaxEventTypeLength = 100;

// Error codes: "webhook.malformed" (400: not a JSON object, a raw control character inside a
// string (RFC 8259), a "type" with a control character or longer than MaxEventTypeLength, a
// "webhookId" that is not 1 to 128 printable characters), "webhook.no_order_id" (JSON but no
// usable order id: 422).
core::Result<WebhookEvent> parseWebhookPayload(const QByteArray &body);

// ISO-8601 text, or epoch seconds / milliseconds as a number or digit string.
QDateTime parseWebhookTimestamp(const QString &text);

} // namespace qrt::webhook
