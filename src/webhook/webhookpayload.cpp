#include "webhook/webhookpayload.h"

#include <QCoreApplication>
#include <QCryptographicHash>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QJsonValue>
#include <QTimeZone>

#include <cmath>

namespace qrt::webhook {

namespace {

// Error bodies go to GHL (and other HTTP clients), never in the station's language: plain English.

// Ids are strings in every shape, but workflow builders sometimes produce numbers.
QString idText(const QJsonValue &v)
{
    if (v.isString())
        return v.toString().trimmed();
    if (v.isDouble()) {
        const double d = v.toDouble();
        if (d >= 0 && d < 9.0e15 && d == static_cast<double>(static_cast<qint64>(d)))
            return QString::number(static_cast<qint64>(d));
    }
    return {};
}

// An id goes into URLs, SQL parameters and log lines: keep it to printable ASCII without spaces.
bool plausibleId(const QString &id)
{
    if (id.isEmpty() || id.size() > 128)
        return false;
    for (QChar c : id) {
        if (c.unicode() <= 0x20 || c.unicode() >= 0x7f)
            return false;
    }
    return true;
}

void addProduct(QStringList &products, const QString &id)
{
    if (plausibleId(id) && !products.contains(id))
        products.append(id);
}

// product_id in custom data: a string (possibly comma-separated) or an array.
void addProductList(QStringList &products, const QJsonValue &v)
{
    if (v.isArray()) {
        for (const QJsonValue &e : v.toArray())
            addProduct(products, idText(e));
    } else if (v.isString()) {
        for (const QString &part : v.toString().split(u','))
            addProduct(products, part.trimmed());
    } else {
        addProduct(products, idText(v));
    }
}

void addItemProducts(QStringList &products, const QJsonValue &items)
{
    for (const QJsonValue &item : items.toArray()) {
        const QJsonValue product = item.toObject().value(u"product");
        if (product.isObject())
            addProduct(products, idText(product.toObject().value(u"_id")));
        else
            addProduct(products, idText(product)); // a bare id
    }
}

QString firstId(std::initializer_list<QJsonValue> candidates)
{
    for (const QJsonValue &v : candidates) {
        const QString id = idText(v);
        if (!id.isEmpty())
            return id;
    }
    return {};
}

// RFC 8259 section 7: a control character (U+0000 to U+001F) inside a string must be escaped.
// QJsonDocument accepts one raw; refuse it before parsing. Outside strings only blanks may occur
// (and anything else fails the parse anyway). Returns the offset of the first one, or -1.
qsizetype rawControlInString(const QByteArray &body)
{
    bool inString = false;
    bool escaped = false;
    for (qsizetype i = 0; i < body.size(); ++i) {
        const auto c = static_cast<unsigned char>(body.at(i));
        if (!inString) {
            inString = c == '"';
            continue;
        }
        if (c < 0x20)
            return i;
        if (escaped)
            escaped = false;
        else if (c == '\\')
            escaped = true;
        else if (c == '"')
            inString = false;
    }
    return -1;
}

// What goes into SQL and log lines as text: no control character (an escaped "\u0000" or "\n"
// decodes to one), a bounded length. Empty is fine (absent).
QString unusableText(const QString &text, qsizetype maxLength)
{
    if (text.size() > maxLength)
        return QStringLiteral("is longer than %1 characters").arg(maxLength);
    for (QChar c : text) {
        if (c.unicode() < 0x20 || c.unicode() == 0x7f || c.category() == QChar::Other_Control
            || c.category() == QChar::Other_Surrogate)
            return QStringLiteral("holds a control character");
    }
    return {};
}

} // namespace

QString toString(PayloadShape shape)
{
    switch (shape) {
    case PayloadShape::MarketplaceOrder:
        return QStringLiteral("marketplace");
    case PayloadShape::WorkflowOrder:
        return QStringLiteral("workflow-order");
    case PayloadShape::WorkflowLineItems:
        return QStringLiteral("workflow-line-items");
    case PayloadShape::CustomData:
        return QStringLiteral("custom-data");
    }
    return {};
}

QString WebhookEvent::idempotencyKey() const
{
    if (!webhookId.isEmpty())
        return QStringLiteral("webhook:") + webhookId;
    return QStringLiteral("sha256:") + QString::fromLatin1(QCryptographicHash::hash(body, QCryptographicHash::Sha256).toHex());
}

QDateTime parseWebhookTimestamp(const QString &text)
{
    const QString t = text.trimmed();
    if (t.isEmpty())
        return {};
    bool numeric = false;
    const qint64 n = t.toLongLong(&numeric);
    if (numeric) {
        if (n <= 0)
            return {};
        // Below 1e11 it cannot be milliseconds of any date after 1973: take it as seconds.
        return n < 100000000000LL ? QDateTime::fromSecsSinceEpoch(n, Qt::UTC)
                                  : QDateTime::fromMSecsSinceEpoch(n, Qt::UTC);
    }
    QDateTime dt = QDateTime::fromString(t, Qt::ISODateWithMs);
    if (!dt.isValid())
        dt = QDateTime::fromString(t, Qt::ISODate);
    if (!dt.isValid())
        return {};
    if (dt.timeSpec() == Qt::LocalTime)
        dt.setTimeSpec(Qt::UTC); // GHL sends UTC; a missing offset means UTC, not local time
    return dt.toUTC();
}

core::Result<WebhookEvent> parseWebhookPayload(const QByteArray &body)
{
    if (const qsizetype at = rawControlInString(body); at >= 0) {
        return core::makeError(QStringLiteral("webhook.malformed"),
            QStringLiteral("The webhook body is not valid JSON: a string holds an unescaped control character at offset %1.").arg(at));
    }
    QJsonParseError error {};
    const QJsonDocument doc = QJsonDocument::fromJson(body, &error);
    if (error.error != QJsonParseError::NoError || !doc.isObject()) {
        return core::makeError(QStringLiteral("webhook.malformed"), QStringLiteral("The webhook body is not a JSON object."),
            error.error != QJsonParseError::NoError ? error.errorString() + QStringLiteral(" at offset ") + QString::number(error.offset)
                                                    : QString());
    }
    const QJsonObject root = doc.object();
    const QJsonObject order = root.value(u"order").toObject();
    const QJsonObject custom = root.value(u"customData").toObject();
    const QJsonArray lineItems = order.value(u"line_items").toArray();

    WebhookEvent e;
    e.body = body;
    e.eventType = root.value(u"type").toString();
    e.webhookId = idText(root.value(u"webhookId"));
    // The type and the delivery id are stored as text and logged: a bad one fails this delivery
    // alone, here, instead of the group commit it would have been part of.
    if (const QString why = unusableText(e.eventType, MaxEventTypeLength); !why.isEmpty())
        return core::makeError(QStringLiteral("webhook.malformed"), QStringLiteral("The webhook's \"type\" %1.").arg(why));
    if (!e.webhookId.isEmpty() && !plausibleId(e.webhookId)) {
        return core::makeError(QStringLiteral("webhook.malformed"),
            QStringLiteral("The webhook's \"webhookId\" is not usable (1 to 128 printable characters without spaces)."));
    }
    const QJsonValue ts = root.value(u"timestamp");
    if (ts.isDouble()) {
        // A number beyond what epoch milliseconds can be is no timestamp (and casting it would be
        // undefined behaviour: found by scripts/fuzz payload).
        const double d = ts.toDouble();
        if (std::isfinite(d) && std::abs(d) < 9.0e15)
            e.timestampText = QString::number(static_cast<qint64>(d));
    } else {
        e.timestampText = ts.toString();
    }
    e.timestamp = parseWebhookTimestamp(e.timestampText);

    QString lineItemOrderId;
    for (const QJsonValue &li : lineItems) {
        const QJsonObject meta = li.toObject().value(u"meta").toObject();
        if (lineItemOrderId.isEmpty())
            lineItemOrderId = idText(meta.value(u"order_id"));
        addProduct(e.productIds, idText(meta.value(u"product_id")));
    }

    // Decide the shape by its distinctive parts, most specific first.
    if (!order.isEmpty() && (order.contains(u"_id") || order.contains(u"items"))) {
        e.shape = PayloadShape::WorkflowOrder;
        e.orderId = firstId({ order.value(u"_id"), order.value(u"id") });
        e.contactId = firstId({ order.value(u"contactId"), root.value(u"contactId"), root.value(u"contact_id") });
        addItemProducts(e.productIds, order.value(u"items"));
        e.locationId = firstId({ root.value(u"locationId"), order.value(u"locationId"), order.value(u"altId") });
    } else if (!lineItems.isEmpty()) {
        e.shape = PayloadShape::WorkflowLineItems;
        e.orderId = lineItemOrderId;
        e.contactId = firstId({ root.value(u"contact_id"), root.value(u"contactId") });
        e.locationId = firstId({ root.value(u"location").toObject().value(u"id"), root.value(u"locationId") });
    } else if (root.contains(u"_id")) {
        e.shape = PayloadShape::MarketplaceOrder;
        e.orderId = idText(root.value(u"_id"));
        e.contactId = firstId({ root.value(u"contactId"), root.value(u"contactSnapshot").toObject().value(u"id") });
        addItemProducts(e.productIds, root.value(u"items"));
        const bool altIsLocation = root.value(u"altType").toString() == u"location";
        e.locationId = firstId({ root.value(u"locationId"), altIsLocation ? root.value(u"altId") : QJsonValue() });
    } else {
        e.shape = PayloadShape::CustomData;
        e.orderId = firstId({ custom.value(u"order_id"), root.value(u"order_id") });
        e.contactId = firstId({ custom.value(u"contact_id"), root.value(u"contact_id"), root.value(u"contactId") });
        e.locationId = firstId({ root.value(u"location").toObject().value(u"id"), root.value(u"locationId"),
                                 custom.value(u"location_id") });
    }
    // Custom data may ride along on any shape (a user adds it to the standard webhook).
    if (e.orderId.isEmpty())
        e.orderId = firstId({ custom.value(u"order_id"), root.value(u"order_id"), lineItemOrderId });
    if (e.contactId.isEmpty())
        e.contactId = firstId({ custom.value(u"contact_id"), root.value(u"contact_id") });
    addProductList(e.productIds, custom.value(u"product_id"));
    addProductList(e.productIds, root.value(u"product_id"));

    if (!plausibleId(e.orderId)) {
        return core::makeError(QStringLiteral("webhook.no_order_id"),
            e.orderId.isEmpty() ? QStringLiteral("The webhook does not name an order.") : QStringLiteral("The webhook's order id is not usable."),
            toString(e.shape));
    }
    if (!plausibleId(e.contactId))
        e.contactId.clear();
    if (!plausibleId(e.locationId))
        e.locationId.clear();
    return e;
}

} // namespace qrt::webhook
