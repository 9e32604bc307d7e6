#include "ledger.h"

#include "ghlsim/ghlsimulator.h"
#include "qr/qrcode.h"
#include "serve/servetestutil.h"

#include <QCryptographicHash>
#include <QJsonArray>
#include <QJsonDocument>
#include <QSqlDatabase>
#include <QSqlError>
#include <QSqlQuery>
#include <QUrl>

namespace qrt::bench {

namespace {

QString orderOfPayload(const QString &payload)
{
    return payload.section(u'/', -1); // the QR holds https://qr.example.com/orders/{order_id}
}

} // namespace

Ledger::Ledger(ghlsim::GhlSimulator &sim, const QString &databaseUrl, QHash<QString, QString> mapping)
    : m_sim(sim), m_connection(QStringLiteral("bench-ledger-%1").arg(quintptr(this))), m_mapping(std::move(mapping))
{
    const QUrl url(databaseUrl);
    QSqlDatabase d = QSqlDatabase::addDatabase(QStringLiteral("QPSQL"), m_connection);
    d.setHostName(url.host());
    d.setPort(url.port(5432));
    d.setUserName(url.userName());
    d.setPassword(url.password());
    d.setDatabaseName(url.path().mid(1));
    d.setConnectOptions(QStringLiteral("connect_timeout=5"));
}

Ledger::~Ledger()
{
    QSqlDatabase::database(m_connection, false).close();
    QSqlDatabase::removeDatabase(m_connection);
}

QString Ledger::orderOfDataUrl(const QString &dataUrl)
{
    const QByteArray key = QCryptographicHash::hash(dataUrl.toLatin1(), QCryptographicHash::Md5);
    if (auto it = m_decoded.constFind(key); it != m_decoded.cend())
        return it.value();
    auto decoded = qr::QrDecoder::decodeDataUrl(dataUrl);
    const QString order = decoded ? orderOfPayload(decoded.value()) : QString();
    m_decoded.insert(key, order);
    return order;
}

QString Ledger::orderOfPng(const QByteArray &png)
{
    const QByteArray key = QCryptographicHash::hash(png, QCryptographicHash::Md5);
    if (auto it = m_decoded.constFind(key); it != m_decoded.cend())
        return it.value();
    auto decoded = qr::QrDecoder::decodeImageData(png);
    const QString order = decoded ? orderOfPayload(decoded.value()) : QString();
    m_decoded.insert(key, order);
    return order;
}

bool Ledger::refresh(QString *error)
{
    const QList<ghlsim::SimRequest> log = m_sim.requests();
    for (; m_requestCursor < log.size(); ++m_requestCursor) {
        const ghlsim::SimRequest &r = log.at(m_requestCursor);
        if (r.endpoint != ghlsim::Endpoint::UpdateContact || r.status != 200)
            continue;
        for (const QJsonValue &v : QJsonDocument::fromJson(r.body).object().value(u"customFields").toArray()) {
            const QJsonObject f = v.toObject();
            const QString value = f.value(u"field_value").toString(f.value(u"value").toString());
            if (!value.startsWith(u"data:image/"))
                continue;
            const QString order = orderOfDataUrl(value);
            if (!order.isEmpty())
                ++m_deliveries[{ order, f.value(u"id").toString() }];
        }
    }
    const QList<ghlsim::SimUpload> uploads = m_sim.uploads();
    for (; m_uploadCursor < uploads.size(); ++m_uploadCursor) {
        const ghlsim::SimUpload &u = uploads.at(m_uploadCursor);
        const QString order = orderOfPng(u.content);
        if (!order.isEmpty())
            ++m_deliveries[{ order, u.fieldId }];
    }

    QSqlDatabase d = QSqlDatabase::database(m_connection, false);
    if (!d.isOpen() && !d.open()) {
        if (error)
            *error = d.lastError().text();
        return false;
    }
    QSqlQuery q(d);
    if (!q.exec(QStringLiteral("SELECT o.order_id, count(t.ticket_id) FROM ghl_qr_orders o "
                               "LEFT JOIN ghl_qr_tickets t ON t.order_id = o.order_id GROUP BY o.order_id"))) {
        if (error)
            *error = q.lastError().text();
        d.close();
        return false;
    }
    m_storedTickets.clear();
    while (q.next())
        m_storedTickets.insert(q.value(0).toString(), q.value(1).toInt());
    return true;
}

Ledger::Figures Ledger::figures() const
{
    Figures f;
    const QStringList ids = m_sim.orderIds();
    f.orders = int(ids.size());
    QHash<QString, QList<QJsonObject>> byContact;
    for (const QString &id : ids) {
        const QJsonObject order = m_sim.orderJson(id);
        byContact[order.value(u"contactId").toString()].append(order);
    }
    // A newer order of the same contact whose QR reached `field`.
    const auto supersededIn = [&](const QJsonObject &order, const QString &field) {
        const QString created = order.value(u"createdAt").toString();
        for (const QJsonObject &other : byContact.value(order.value(u"contactId").toString())) {
            const QString otherId = other.value(u"_id").toString();
            if (other.value(u"createdAt").toString() > created && m_deliveries.value({ otherId, field }) > 0)
                return true;
        }
        return false;
    };
    for (const QString &id : ids) {
        const QJsonObject order = m_sim.orderJson(id);
        const int want = servetest::expectedTickets(order);
        const auto stored = m_storedTickets.constFind(id);
        bool healed = true;
        if (stored == m_storedTickets.cend() || stored.value() < want) {
            ++f.notStored;
            healed = false;
        } else if (want > 0) { // a refunded order has no ticket to admit: no QR owed
            for (const QString &p : servetest::productsOf(order)) {
                const QString field = m_mapping.value(p);
                if (field.isEmpty() || m_deliveries.value({ id, field }) > 0)
                    continue;
                if (supersededIn(order, field)) {
                    ++f.superseded;
                } else {
                    ++f.notDelivered;
                    healed = false;
                    break;
                }
            }
        }
        if (healed)
            ++f.healed;
        else if (f.unhealedSample.size() < 5)
            f.unhealedSample << id;
    }
    for (auto it = m_deliveries.cbegin(); it != m_deliveries.cend(); ++it) {
        if (it.value() > 1) {
            ++f.duplicatePairs;
            f.extraDeliveries += it.value() - 1;
        }
    }
    return f;
}

QString Ledger::explain(const QString &orderId)
{
    const QJsonObject order = m_sim.orderJson(orderId);
    const QString contact = order.value(u"contactId").toString();
    QStringList parts;
    parts << QStringLiteral("%1 (contact %2, status %3, %4 ticket(s) bought, %5 stored)")
                 .arg(orderId, contact, order.value(u"status").toString())
                 .arg(servetest::expectedTickets(order))
                 .arg(m_storedTickets.value(orderId, -1));
    parts << QStringLiteral("created %1").arg(order.value(u"createdAt").toString());
    for (const QString &p : servetest::productsOf(order)) {
        const QString field = m_mapping.value(p);
        parts << QStringLiteral("product %1 -> field %2: %3 QR delivery(ies)").arg(p, field).arg(m_deliveries.value({ orderId, field }));
    }
    QStringList calls;
    for (const ghlsim::SimRequest &r : m_sim.requests()) {
        if (!r.path.contains(contact) && r.query.queryItemValue(QStringLiteral("contactId")) != contact && !r.path.contains(orderId))
            continue;
        QStringList qrOf; // whose QR a PUT carried
        for (const QJsonValue &v : QJsonDocument::fromJson(r.body).object().value(u"customFields").toArray()) {
            const QString value = v.toObject().value(u"field_value").toString();
            if (value.startsWith(u"data:image/"))
                qrOf << orderOfDataUrl(value);
        }
        calls << QStringLiteral("%1 %2 -> %3 at %4 ms%5")
                     .arg(QString::fromLatin1(r.method), r.path)
                     .arg(r.status)
                     .arg(r.receivedMs)
                     .arg(qrOf.isEmpty() ? QString() : QStringLiteral(" (QR of ") + qrOf.join(u',') + u')');
    }
    parts << QStringLiteral("GHL calls: ") + (calls.isEmpty() ? QStringLiteral("none") : calls.join(QStringLiteral("; ")));
    return parts.join(QStringLiteral("\n    "));
}

} // namespace qrt::bench
