#pragma once

#include "core/order.h"

#include <QList>
#include <QString>

// Deterministic sample orders for the GUI tests, screenshots, exports and the UI benchmark:
// realistic names and e-mails, three events, ticket types "General Admission", "VIP", "Student",
// one item of 1-4 tickets each. (The GHL simulator generates its own orders as GHL's JSON; these
// go straight into the database.)
namespace qrt::test {

// Looks like GHL's 24-hex ids (a timestamp, then a counter), unique per index.
QString sampleOrderId(int i);

// Orders firstIndex .. firstIndex + count - 1; the same index always gives the same order.
QList<core::Order> sampleOrders(int count, int firstIndex = 0);

// The three sample events (product id, name), in sampleOrders' order: Summer Gala, Jazz Night,
// Kids' Theatre.
QString sampleEventId(int e);
QString sampleEventName(int e);

// Sample order i with a second line item for the next event (1 + i % 2 "General Admission"
// tickets): an order of two events, as 18 of the demo's 200 orders are. Its first event (eventId,
// eventName) stays sampleOrders' one.
core::Order sampleMultiEventOrder(int i);

} // namespace qrt::test
