#pragma once

#include "ghl/ghljob.h"
#include "ghl/ghltypes.h"

namespace qrt::ghl {

// GET /payments/orders?altId=<location>&altType=location&limit=..&offset=..[&filters]
// (scope payments/orders.readonly) -> one page of OrderSummary plus totalCount.
class ListOrdersJob : public GhlJob
{
    Q_OBJECT
public:
    ListOrdersJob(GhlClient *client, const ListOrdersQuery &query, QObject *parent = nullptr);

    const ListOrdersQuery &query() const { return m_query; }
    const OrderPage &page() const { return m_page; }

protected:
    Request buildRequest() const override;
    GhlError parse(const QByteArray &body) override;

private:
    ListOrdersQuery m_query;
    OrderPage m_page;
};

// Exposed for tests and the webhook/sync code: one OrderResponseSchema object -> summary.
OrderSummary orderSummaryFromJson(const class QJsonObject &object);

} // namespace qrt::ghl
