#include "ghlsim/simstore.h"

#include <QJsonArray>

#include <algorithm>

namespace qrt::ghlsim {

QString isoTime(const QDateTime &t)
{
    return t.toUTC().toString(Qt::ISODateWithMs);
}

QDateTime fromIsoTime(const QString &s)
{
    return QDateTime::fromString(s, Qt::ISODateWithMs).toUTC();
}

SimStore::SimStore()
    : m_customFields {
        { QStringLiteral("qrCodeFld0000000000a"), QStringLiteral("QR Code"), QStringLiteral("contact.qr_code"),
          QStringLiteral("LARGE_TEXT"), QStringLiteral("contact") },
        { QStringLiteral("ticketUrlFld0000000b"), QStringLiteral("Ticket Link"), QStringLiteral("contact.ticket_link"),
          QStringLiteral("TEXT"), QStringLiteral("contact") },
        { QStringLiteral("qrImageFld000000000c"), QStringLiteral("QR Image"), QStringLiteral("contact.qr_image"),
          QStringLiteral("FILE_UPLOAD"), QStringLiteral("contact"), false },
        { QStringLiteral("dealNoteFld00000000d"), QStringLiteral("Deal Note"), QStringLiteral("opportunity.deal_note"),
          QStringLiteral("TEXT"), QStringLiteral("opportunity") },
    }
{
}

void SimStore::clear()
{
    m_orders.clear();
    m_orderIndex.clear();
    m_contacts.clear();
    m_uploads.clear();
}

void SimStore::appendOrder(const QJsonObject &json)
{
    auto order = std::make_shared<Order>();
    order->json = json;
    m_orderIndex.insert(json.value(u"_id").toString(), order);
    m_orders.append(order);
}

void SimStore::sortOrders()
{
    std::stable_sort(m_orders.begin(), m_orders.end(), [](const auto &a, const auto &b) {
        return a->json.value(u"createdAt").toString() > b->json.value(u"createdAt").toString();
    });
}

QStringList SimStore::orderIds() const
{
    QStringList ids;
    ids.reserve(m_orders.size());
    for (const auto &o : m_orders)
        ids << o->json.value(u"_id").toString();
    return ids;
}

const QJsonObject *SimStore::order(const QString &orderId) const
{
    const auto it = m_orderIndex.constFind(orderId);
    return it == m_orderIndex.cend() ? nullptr : &it.value()->json;
}

void SimStore::bump(Order &order)
{
    const QDateTime previous = fromIsoTime(order.json.value(u"updatedAt").toString());
    QDateTime next = QDateTime::currentDateTimeUtc();
    if (previous.isValid() && next <= previous)
        next = previous.addMSecs(1);
    order.json.insert(QStringLiteral("updatedAt"), isoTime(next));
}

bool SimStore::change(const QString &orderId, const std::function<bool(QJsonObject &)> &edit)
{
    const auto order = find(orderId);
    if (!order || !edit(order->json))
        return false;
    bump(*order);
    return true;
}

bool SimStore::setItemQuantity(const QString &orderId, int itemIndex, int qty)
{
    return change(orderId, [itemIndex, qty](QJsonObject &json) {
        QJsonArray items = json.value(u"items").toArray();
        if (itemIndex < 0 || itemIndex >= items.size() || qty < 0)
            return false;
        QJsonObject item = items.at(itemIndex).toObject();
        item.insert(QStringLiteral("qty"), qty);
        items.replace(itemIndex, item);
        double amount = 0;
        for (const QJsonValue &v : std::as_const(items)) {
            const QJsonObject i = v.toObject();
            amount += i.value(u"qty").toInt() * i.value(u"price").toObject().value(u"amount").toDouble();
        }
        json.insert(QStringLiteral("items"), items);
        json.insert(QStringLiteral("amount"), amount);
        json.insert(QStringLiteral("amountSummary"),
                    QJsonObject { { QStringLiteral("subtotal"), amount }, { QStringLiteral("discount"), 0 } });
        return true;
    });
}

bool SimStore::cancelOrder(const QString &orderId)
{
    return change(orderId, [](QJsonObject &json) {
        json.insert(QStringLiteral("status"), QStringLiteral("cancelled"));
        return true;
    });
}

bool SimStore::refundOrder(const QString &orderId)
{
    return change(orderId, [](QJsonObject &json) {
        json.insert(QStringLiteral("status"), QStringLiteral("refunded"));
        json.insert(QStringLiteral("paymentStatus"), QStringLiteral("refunded"));
        return true;
    });
}

bool SimStore::removeOrder(const QString &orderId)
{
    const auto order = m_orderIndex.take(orderId);
    if (!order)
        return false;
    m_orders.removeOne(order);
    return true;
}

void SimStore::putOrder(const QJsonObject &json)
{
    const QString id = json.value(u"_id").toString();
    if (id.isEmpty())
        return;
    removeOrder(id);
    appendOrder(json);
    sortOrders();
    const QJsonObject snap = json.value(u"contactSnapshot").toObject();
    const QString contactId = snap.value(u"id").toString(json.value(u"contactId").toString());
    if (!contactId.isEmpty() && !m_contacts.contains(contactId)) {
        SimContact c;
        c.id = contactId;
        c.firstName = snap.value(u"firstName").toString();
        c.lastName = snap.value(u"lastName").toString();
        c.email = snap.value(u"email").toString();
        c.phone = snap.value(u"phone").toString();
        m_contacts.insert(contactId, c);
    }
}

bool SimStore::updateContactFields(const QString &contactId, const QMap<QString, QString> &values)
{
    const auto it = m_contacts.find(contactId);
    if (it == m_contacts.end())
        return false;
    for (auto v = values.cbegin(); v != values.cend(); ++v)
        it->customFields.insert(v.key(), v.value());
    return true;
}

const SimCustomField *SimStore::customField(const QString &fieldId) const
{
    for (const SimCustomField &f : m_customFields) {
        if (f.id == fieldId)
            return &f;
    }
    return nullptr;
}

bool SimStore::addUpload(const SimUpload &upload, bool keepOthers)
{
    const auto it = m_contacts.find(upload.contactId);
    if (it == m_contacts.end())
        return false;
    const QJsonObject meta {
        { QStringLiteral("fieldname"), upload.fieldId },
        { QStringLiteral("originalname"), upload.fileName },
        { QStringLiteral("encoding"), QStringLiteral("7bit") },
        { QStringLiteral("mimetype"), QString::fromLatin1(upload.mimeType) },
        { QStringLiteral("size"), qint64(upload.content.size()) },
        { QStringLiteral("uuid"), upload.fileId },
    };
    QJsonObject value = keepOthers ? it->files.value(upload.fieldId) : QJsonObject();
    const QString url = QStringLiteral("https://services.leadconnectorhq.com/documents/download/") + upload.documentId;
    value.insert(upload.fileId,
                 QJsonObject { { QStringLiteral("meta"), meta },
                               { QStringLiteral("url"), url },
                               { QStringLiteral("documentId"), upload.documentId } });
    it->files.insert(upload.fieldId, value);
    it->customFields.remove(upload.fieldId);
    m_uploads.append(upload);
    return true;
}

} // namespace qrt::ghlsim
