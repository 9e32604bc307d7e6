#pragma once

#include "core/order.h"
#include "ghl/ghljob.h"

#include <QJsonObject>

namespace qrt::ghl {

// GET /payments/orders/{orderId}?altId=<location>&altType=location (scope payments/orders.readonly)
// -> core::Order through ghl::orderFromJson, plus the raw JSON.
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
    core::Order m_order;
    QJsonObject m_json;
    QByteArray m_raw;
};

} // namespace qrt::ghl
