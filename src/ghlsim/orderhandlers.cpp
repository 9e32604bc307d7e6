// The payments endpoints (payments.json): list orders and get one order.
#include "ghlsim/simhandlers.h"
#include "ghlsim/simstore.h"

#include <QJsonArray>

#include <algorithm>
#include <optional>

namespace qrt::ghlsim::handlers {

namespace {

// altId/altType are required query parameters; altId must be the token's location.
std::optional<SimResponse> refuseAlt(const SimCall &call)
{
    const QString altId = call.request.query.queryItemValue(QStringLiteral("altId"), QUrl::FullyDecoded);
    const QString altType = call.request.query.queryItemValue(QStringLiteral("altType"), QUrl::FullyDecoded);
    QJsonArray problems;
    if (altId.isEmpty())
        problems.append(QStringLiteral("altId should not be empty"));
    if (altType != u"location")
        problems.append(QStringLiteral("altType must be one of the following values: location"));
    if (!problems.isEmpty())
        return SimResponse::error(422, problems);
    if (altId != call.store.locationId())
        return SimResponse::error(403, QStringLiteral("The token does not have access to this location."));
    return std::nullopt;
}

// One row of ListOrdersResponseSchema.data: the order without its items.
QJsonObject summaryJson(const QJsonObject &o)
{
    const QJsonObject snap = o.value(u"contactSnapshot").toObject();
    const QString name = QString(snap.value(u"firstName").toString() + u' ' + snap.value(u"lastName").toString()).trimmed();
    return QJsonObject {
        { QStringLiteral("_id"), o.value(u"_id") },
        { QStringLiteral("altId"), o.value(u"altId") },
        { QStringLiteral("altType"), o.value(u"altType") },
        { QStringLiteral("contactId"), o.value(u"contactId") },
        { QStringLiteral("contactName"), name },
        { QStringLiteral("contactEmail"), snap.value(u"email") },
        { QStringLiteral("currency"), o.value(u"currency") },
        { QStringLiteral("amount"), o.value(u"amount") },
        { QStringLiteral("subtotal"), o.value(u"amountSummary").toObject().value(u"subtotal") },
        { QStringLiteral("discount"), 0 },
        { QStringLiteral("status"), o.value(u"status") },
        { QStringLiteral("paymentStatus"), o.value(u"paymentStatus") },
        { QStringLiteral("liveMode"), o.value(u"liveMode") },
        { QStringLiteral("totalProducts"), int(o.value(u"items").toArray().size()) },
        { QStringLiteral("sourceType"), QStringLiteral("funnel") },
        { QStringLiteral("sourceName"), QStringLiteral("Ticket shop") },
        { QStringLiteral("sourceId"), QStringLiteral("tK7iSrc0000000000001") },
        { QStringLiteral("createdAt"), o.value(u"createdAt") },
        { QStringLiteral("updatedAt"), o.value(u"updatedAt") },
        { QStringLiteral("fulfillmentStatus"), o.value(u"fulfillmentStatus") },
    };
}

// The list's filters; all empty/invalid means "every order".
struct OrderFilter
{
    QString status;
    QString paymentStatus;
    QString contactId;
    QString search;
    QDate startAt;
    QDate endAt;

    explicit OrderFilter(const QUrlQuery &query)
    {
        const auto q = [&query](const char *key) { return query.queryItemValue(QLatin1StringView(key), QUrl::FullyDecoded); };
        status = q("status");
        paymentStatus = q("paymentStatus");
        contactId = q("contactId");
        search = q("search");
        startAt = QDate::fromString(q("startAt").left(10), Qt::ISODate);
        endAt = QDate::fromString(q("endAt").left(10), Qt::ISODate);
    }

    bool isEmpty() const
    {
        return status.isEmpty() && paymentStatus.isEmpty() && contactId.isEmpty() && search.isEmpty() && !startAt.isValid()
            && !endAt.isValid();
    }

    bool accepts(const QJsonObject &o) const
    {
        if (!status.isEmpty() && o.value(u"status").toString() != status)
            return false;
        if (!paymentStatus.isEmpty() && o.value(u"paymentStatus").toString() != paymentStatus)
            return false;
        if (!contactId.isEmpty() && o.value(u"contactId").toString() != contactId)
            return false;
        if (startAt.isValid() || endAt.isValid()) {
            const QDate created = fromIsoTime(o.value(u"createdAt").toString()).date();
            if ((startAt.isValid() && created < startAt) || (endAt.isValid() && created > endAt))
                return false;
        }
        if (!search.isEmpty()) {
            const QJsonObject s = summaryJson(o);
            const QString hay = s.value(u"contactName").toString() + u' ' + s.value(u"contactEmail").toString() + u' '
                + s.value(u"_id").toString();
            if (!hay.contains(search, Qt::CaseInsensitive))
                return false;
        }
        return true;
    }
};

} // namespace

SimResponse listOrders(const SimCall &call)
{
    if (auto refused = refuseAlt(call))
        return *refused;
    const QUrlQuery &query = call.request.query;
    const auto number = [&query](const QString &key, int fallback, bool *valid) {
        const QString v = query.queryItemValue(key);
        if (v.isEmpty())
            return fallback;
        bool isNumber = false;
        const int n = v.toInt(&isNumber);
        if (!isNumber)
            *valid = false;
        return n;
    };
    bool valid = true;
    const int limit = number(QStringLiteral("limit"), 10, &valid);
    const int offset = number(QStringLiteral("offset"), 0, &valid);
    if (!valid || limit < 1 || offset < 0)
        return SimResponse::error(422, QJsonArray { QStringLiteral("limit must be a positive number and offset must not be negative") });
    const int pageSize = std::min(limit, 100);
    const OrderFilter filter(query);
    const SimStore &store = call.store;
    QJsonArray data;
    if (filter.isEmpty()) {
        // The common case (a full sync pages through everything) without a scan.
        for (qsizetype i = offset; i < store.orderCount() && data.size() < pageSize; ++i)
            data.append(summaryJson(store.orderAt(i)));
        return SimResponse::json({ { QStringLiteral("data"), data }, { QStringLiteral("totalCount"), store.orderCount() } });
    }
    int total = 0;
    for (qsizetype i = 0; i < store.orderCount(); ++i) {
        const QJsonObject &o = store.orderAt(i);
        if (!filter.accepts(o))
            continue;
        if (total >= offset && data.size() < pageSize)
            data.append(summaryJson(o));
        ++total;
    }
    return SimResponse::json({ { QStringLiteral("data"), data }, { QStringLiteral("totalCount"), total } });
}

SimResponse getOrder(const SimCall &call)
{
    if (auto refused = refuseAlt(call))
        return *refused;
    const QJsonObject *order = call.store.order(call.params.at(0));
    if (!order)
        return SimResponse::error(404, QStringLiteral("Order not found"));
    return SimResponse::json(*order);
}

} // namespace qrt::ghlsim::handlers
