#pragma once

#include <QDateTime>
#include <QList>
#include <QMetaType>
#include <QString>

namespace qrt::ghl {

// One row of List Orders (payments.json OrderResponseSchema). Summaries carry no items.
struct OrderSummary
{
    QString id; // _id, 24 hex
    QString altId;
    QString status;        // e.g. "completed", "cancelled"
    QString paymentStatus; // not in OrderResponseSchema but sent by GHL and by the simulator; may be empty
    QString contactId;
    QString contactName;
    QString contactEmail;
    double amount = 0;
    QString currency;
    int totalProducts = 0;
    QDateTime createdAt; // UTC
    QDateTime updatedAt; // UTC

    friend bool operator==(const OrderSummary &, const OrderSummary &) = default;
};

// ListOrdersResponseDto: one page plus the total the filter matches.
struct OrderPage
{
    QList<OrderSummary> orders;
    int totalCount = 0;
    int offset = 0; // the request's offset, for convenience
    int limit = 0;  // the request's limit
};

// Query of GET /payments/orders. Empty strings are not sent. altId/altType come from the client.
struct ListOrdersQuery
{
    int limit = 100; // GHL default is 10; 100 is the most it returns
    int offset = 0;
    QString status;
    QString paymentStatus; // paid, unpaid, refunded, partially_paid
    QString startAt;       // as GHL takes it, e.g. "2024-02-01"
    QString endAt;
    QString search;
    QString contactId;
};

// A location custom field (locations.json CustomFieldSchema), to pick where the QR goes.
struct CustomField
{
    QString id;
    QString name;
    QString fieldKey; // e.g. "contact.qr_code"
    QString dataType; // e.g. "TEXT", "LARGE_TEXT", "FILE_UPLOAD"
    QString model;    // "contact" or "opportunity"

    friend bool operator==(const CustomField &, const CustomField &) = default;
};

// One value in PUT /contacts/{id} {"customFields":[{"id":..,"field_value":..}]}.
struct ContactFieldValue
{
    QString fieldId;
    QString value;
};

// Last rate-limit headers GHL sent (X-RateLimit-*). -1: not seen yet.
struct RateLimitState
{
    int max = -1;
    int remaining = -1;
    int intervalMs = -1;
    int dailyLimit = -1;
    int dailyRemaining = -1;
};

} // namespace qrt::ghl

Q_DECLARE_METATYPE(qrt::ghl::OrderSummary)
Q_DECLARE_METATYPE(qrt::ghl::CustomField)
Q_DECLARE_METATYPE(qrt::ghl::RateLimitState)
