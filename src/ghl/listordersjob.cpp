#include "ghl/listordersjob.h"

#include "ghl/ghlclient.h"

#include <QCoreApplication>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>

namespace qrt::ghl {

namespace {

QDateTime utc(const QJsonValue &v)
{
    const QDateTime t = QDateTime::fromString(v.toString(), Qt::ISODateWithMs);
    return t.isValid() ? t.toUTC() : QDateTime();
}

} // namespace

OrderSummary orderSummaryFromJson(const QJsonObject &o)
{
    OrderSummary s;
    s.id = o.value(u"_id").toString();
    s.altId = o.value(u"altId").toString();
    s.status = o.value(u"status").toString();
    s.paymentStatus = o.value(u"paymentStatus").toString();
    s.contactId = o.value(u"contactId").toString();
    s.contactName = o.value(u"contactName").toString();
    s.contactEmail = o.value(u"contactEmail").toString();
    s.amount = o.value(u"amount").toDouble();
    s.currency = o.value(u"currency").toString();
    s.totalProducts = o.value(u"totalProducts").toInt();
    s.createdAt = utc(o.value(u"createdAt"));
    s.updatedAt = utc(o.value(u"updatedAt"));
    return s;
}

ListOrdersJob::ListOrdersJob(GhlClient *client, const ListOrdersQuery &query, QObject *parent)
    : GhlJob(client, parent)
    , m_query(query)
{
}

GhlJob::Request ListOrdersJob::buildRequest() const
{
    Request r;
    r.path = QStringLiteral("/payments/orders");
    r.scope = QStringLiteral("payments/orders.readonly");
    const QString location = client() ? client()->settings().locationId : QString();
    r.query.addQueryItem(QStringLiteral("altId"), location);
    r.query.addQueryItem(QStringLiteral("altType"), QStringLiteral("location"));
    r.query.addQueryItem(QStringLiteral("limit"), QString::number(m_query.limit));
    r.query.addQueryItem(QStringLiteral("offset"), QString::number(m_query.offset));
    const auto add = [&r](const QString &key, const QString &value) {
        if (!value.isEmpty())
            r.query.addQueryItem(key, value);
    };
    add(QStringLiteral("status"), m_query.status);
    add(QStringLiteral("paymentStatus"), m_query.paymentStatus);
    add(QStringLiteral("startAt"), m_query.startAt);
    add(QStringLiteral("endAt"), m_query.endAt);
    add(QStringLiteral("search"), m_query.search);
    add(QStringLiteral("contactId"), m_query.contactId);
    return r;
}

GhlError ListOrdersJob::parse(const QByteArray &body)
{
    QJsonParseError pe;
    const QJsonDocument doc = QJsonDocument::fromJson(body, &pe);
    if (pe.error != QJsonParseError::NoError)
        return malformed(tr("the order list is not valid JSON (%1 at byte %2)").arg(pe.errorString()).arg(pe.offset));
    const QJsonObject root = doc.object();
    const QJsonValue data = root.value(u"data");
    const QJsonValue total = root.value(u"totalCount");
    if (!doc.isObject() || !data.isArray() || !total.isDouble())
        return malformed(tr("the order list has no \"data\" list or no \"totalCount\""));
    OrderPage page;
    page.totalCount = total.toInt();
    page.offset = m_query.offset;
    page.limit = m_query.limit;
    const QJsonArray rows = data.toArray();
    page.orders.reserve(rows.size());
    for (qsizetype i = 0; i < rows.size(); ++i) {
        const QJsonObject row = rows.at(i).toObject();
        const QString id = row.value(u"_id").toString();
        if (!rows.at(i).isObject() || id.trimmed().isEmpty())
            return malformed(tr("order %1 of the list has no id (_id)").arg(m_query.offset + i + 1));
        page.orders.append(orderSummaryFromJson(row));
    }
    m_page = std::move(page);
    return {};
}

} // namespace qrt::ghl
