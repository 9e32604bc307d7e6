#pragma once

#include "core/order.h"
#include "core/result.h"

#include <QByteArray>
#include <QJsonObject>

namespace qrt::ghl {

// GHL GetOrderResponseSchema (shared/reference/ghl-api/payments.json) -> core::Order.
// As the original system: items[].price.name is the ticket type, items[].qty the count and
// items[0].product the order's event. Unlike it, every item is kept (an order can hold
// several events). Also accepts the OrderCreate/OrderStatusUpdate webhook body, which has
// the same shape.
core::Result<core::Order> parseOrder(const QByteArray &json);
core::Result<core::Order> orderFromJson(const QJsonObject &object);

} // namespace qrt::ghl
