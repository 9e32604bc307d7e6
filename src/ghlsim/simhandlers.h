#pragma once

#include "ghlsim/simrouter.h"

#include <QJsonObject>

// One handler per GHL endpoint the product uses, answering as the official OpenAPI files in
// reference/ghl-api/ describe (payments.json, contacts.json, locations.json). The simulator's
// route table (ghlsimulator.cpp) maps method and path to them; authentication, the rate limit
// and faults are decided before a handler runs.
namespace qrt::ghlsim::handlers {

// GET /payments/orders?altId&altType[&limit&offset&status&paymentStatus&contactId&search&startAt&endAt]
SimResponse listOrders(const SimCall &call);
// GET /payments/orders/{orderId}?altId&altType
SimResponse getOrder(const SimCall &call);
// PUT /contacts/{contactId} with {"customFields": [{"id", "field_value"}]}; a string for a
// FILE_UPLOAD field is refused (422)
SimResponse updateContact(const SimCall &call);
// POST /forms/upload-custom-files?contactId&locationId, multipart/form-data, one part per file
// named "<customFieldId>_<fileId>" (forms.json); answers the updated contact
SimResponse uploadCustomFiles(const SimCall &call);

// The contact as the contacts endpoints answer it.
QJsonObject contactJson(const SimContact &contact, const QString &locationId);
// GET /contacts/{contactId}: {"contact": {..., "customFields": [{"id", "value"}]}}
SimResponse getContact(const SimCall &call);
// GET /locations/{locationId}/customFields[?model=contact|opportunity|all]
SimResponse listCustomFields(const SimCall &call);

} // namespace qrt::ghlsim::handlers
