#include "ghl/getcontactjob.h"

#include "ghl/ghlclient.h"

#include <QCoreApplication>
#include <QJsonArray>
#include <QJsonDocument>

namespace qrt::ghl {

GetContactJob::GetContactJob(GhlClient *client, const QString &contactId, QObject *parent)
    : GhlJob(client, parent)
    , m_contactId(contactId)
{
}

QJsonValue GetContactJob::customFieldValue(const QString &fieldId) const
{
    const QJsonArray fields = m_contact.value(u"customFields").toArray();
    for (const QJsonValue &f : fields) {
        const QJsonObject o = f.toObject();
        if (o.value(u"id").toString() != fieldId)
            continue;
        // CustomFieldSchema says "value"; a FileField carries "field_value".
        return o.contains(u"value") ? o.value(u"value") : o.value(u"field_value");
    }
    return QJsonValue(QJsonValue::Undefined);
}

GhlJob::Request GetContactJob::buildRequest() const
{
    Request r;
    r.path = QStringLiteral("/contacts/") + QString::fromLatin1(QUrl::toPercentEncoding(m_contactId));
    r.scope = QStringLiteral("contacts.readonly");
    return r;
}

GhlError GetContactJob::parse(const QByteArray &body)
{
    QJsonParseError pe;
    const QJsonDocument doc = QJsonDocument::fromJson(body, &pe);
    if (pe.error != QJsonParseError::NoError || !doc.isObject() || !doc.object().value(u"contact").isObject())
        return malformed(QCoreApplication::translate("qrt::ghl::GetContactJob", "contact %1 is not a JSON object")
                             .arg(m_contactId));
    m_contact = doc.object().value(u"contact").toObject();
    return {};
}

} // namespace qrt::ghl
