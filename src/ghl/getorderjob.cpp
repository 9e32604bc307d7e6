#include "ghl/getorderjob.h"

#include "ghl/ghlclient.h"
#include "ghl/orderjson.h"

#include <QCoreApplication>
#include <QJsonDocument>

namespace qrt::ghl {

GetOrderJob::GetOrderJob(GhlClient *client, const QString &orderId, QObject *parent)
    : GhlJob(client, parent)
    , m_orderId(orderId)
{
}

GhlJob::Request GetOrderJob::buildRequest() const
{
    Request r;
    r.path = QStringLiteral("/payments/orders/") + QString::fromLatin1(QUrl::toPercentEncoding(m_orderId));
    r.scope = QStringLiteral("payments/orders.readonly");
    m_location = client() ? client()->settings().locationId : QString();
    r.query.addQueryItem(QStringLiteral("altId"), m_location);
    r.query.addQueryItem(QStringLiteral("altType"), QStringLiteral("location"));
    return r;
}

GhlError GetOrderJob::parse(const QByteArray &body)
{
    QJsonParseError pe;
    const QJsonDocument doc = QJsonDocument::fromJson(body, &pe);
    if (pe.error != QJsonParseError::NoError || !doc.isObject()) {
        const QString what = pe.error != QJsonParseError::NoError
            ? QCoreApplication::translate("qrt::ghl::GetOrderJob", "order %1 is not valid JSON (%2 at byte %3)")
                  .arg(m_orderId, pe.errorString())
                  .arg(pe.offset)
            : QCoreApplication::translate("qrt::ghl::GetOrderJob", "order %1 is not a JSON object").arg(m_orderId);
        return malformed(what);
    }
    // Some GHL answers wrap the order as {"order": {...}}; the spec's shape is the bare object.
    QJsonObject object = doc.object();
    if (!object.contains(u"_id") && object.value(u"order").isObject())
        object = object.value(u"order").toObject();
    core::Result<core::Order> order = orderFromJson(object);
    if (!order) {
        GhlError e = malformed(order.error().message);
        e.error.message = order.error().message; // already a full sentence
        return e;
    }
    // GHL answering for another order or location is a GHL (or proxy, or cache) fault, never data.
    if (order->orderId != m_orderId) {
        GhlError e = malformed(order->orderId);
        e.error.message = QCoreApplication::translate("qrt::ghl::GetOrderJob",
                                                      "GHL answered order %1 for %2; the answer is not stored.")
                              .arg(order->orderId, m_orderId);
        return e;
    }
    if (!m_location.isEmpty() && !order->locationId.isEmpty() && order->locationId != m_location) {
        GhlError e = malformed(order->locationId);
        e.error.message = QCoreApplication::translate("qrt::ghl::GetOrderJob",
                                                      "Order %1 belongs to location %2, not to %3 (the configured "
                                                      "location); it is not stored.")
                              .arg(m_orderId, order->locationId, m_location);
        return e;
    }
    m_order = std::move(order).value();
    m_json = object;
    m_raw = body;
    return {};
}

} // namespace qrt::ghl
