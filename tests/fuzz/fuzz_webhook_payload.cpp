// libFuzzer target: the webhook payload extraction (every order shape of reference/ghl-api) must
// never crash, and whatever it accepts must be safe to store and log: an order id, contact id,
// location id, delivery id and product ids of printable ASCII without spaces (1 to 128
// characters), an event type without control characters and at most MaxEventTypeLength long, and
// a body that is valid JSON without a raw control character inside a string (RFC 8259).

#include "webhook/webhookpayload.h"

#include <QJsonDocument>

#include <cstddef>
#include <cstdint>

using namespace qrt::webhook;

namespace {

void check(bool condition)
{
    if (!condition)
        __builtin_trap();
}

bool plausible(const QString &id)
{
    if (id.isEmpty() || id.size() > 128)
        return false;
    for (QChar c : id) {
        if (c.unicode() <= 0x20 || c.unicode() >= 0x7f)
            return false;
    }
    return true;
}

bool printableText(const QString &text)
{
    for (QChar c : text) {
        if (c.unicode() < 0x20 || c.unicode() == 0x7f || c.category() == QChar::Other_Control)
            return false;
    }
    return true;
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const QByteArray body(reinterpret_cast<const char *>(data), static_cast<qsizetype>(size));
    const auto parsed = parseWebhookPayload(body);
    // The timestamp reader takes any text a body can carry.
    parseWebhookTimestamp(QString::fromUtf8(body.left(64)));
    if (!parsed) {
        const QString code = parsed.error().code;
        check(code == u"webhook.malformed" || code == u"webhook.no_order_id");
        return 0;
    }
    const WebhookEvent &e = parsed.value();
    check(e.body == body);
    check(QJsonDocument::fromJson(body).isObject());
    for (char c : body) // outside strings only blanks; inside strings every control is escaped
        check(static_cast<unsigned char>(c) >= 0x20 || c == ' ' || c == '\t' || c == '\n' || c == '\r');
    check(plausible(e.orderId));
    check(e.contactId.isEmpty() || plausible(e.contactId));
    check(e.locationId.isEmpty() || plausible(e.locationId));
    check(e.webhookId.isEmpty() || plausible(e.webhookId));
    for (const QString &product : e.productIds)
        check(plausible(product));
    check(e.eventType.size() <= MaxEventTypeLength && printableText(e.eventType));
    check(!e.idempotencyKey().isEmpty());
    return 0;
}
