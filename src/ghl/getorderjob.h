#pragma once

#include "core/order.h"
#include "ghl/ghljob.h"

#include <QJsonObject>

namespace qrt::ghl {

// GET /payments/orders/{orderId}?altId=<location>&altType=location (scope payments/orders.readonly)
// -> core::Order through ghl::orderFromJson, plus the raw JSON.
// An answer for another order (its `_id` is not the id asked for) or for another location (its
// `altId` is not the location asked for) is refused as malformed, with a reason that says so:
// nothing from it may be stored, or a QR code for the wrong order could reach a contact.
class GetOrderJob : public GhlJob
{
    Q_OBJECT
public:
    GetOrderJob(GhlClient *client, const QString &orderId, QObject *parent = nullptr);

    const QString &orderId() const { return m_orderId; }
    const core::Order &order() const { return m_order; }
    const QJsonObject &json() const { return m_json; }
    const QByteArray &rawJson() const { return m_raw; }

protected:
    Request buildRequest() const override;
    GhlError parse(const QByteArray &body) override;

private:
    QString m_orderId;
    mutable QString m_location; // the altId the request carried
    core::Order m_order;
    QJsonObject m_json;
    QByteArray m_raw;
};

} // namespace qrt::ghl
