#include "ghl/updatecontactfieldjob.h"

#include "ghl/ghlclient.h"

#include <QJsonArray>
#include <QJsonDocument>

namespace qrt::ghl {

UpdateContactFieldJob::UpdateContactFieldJob(GhlClient *client, const QString &contactId,
                                             const QList<ContactFieldValue> &fields, QObject *parent)
    : GhlJob(client, parent)
    , m_contactId(contactId)
    , m_fields(fields)
{
}

UpdateContactFieldJob::UpdateContactFieldJob(GhlClient *client, const QString &contactId, const QString &fieldId,
                                             const QString &value, QObject *parent)
    : UpdateContactFieldJob(client, contactId, QList<ContactFieldValue> { ContactFieldValue { fieldId, value } }, parent)
{
}

QByteArray UpdateContactFieldJob::requestBody(const QList<ContactFieldValue> &fields)
{
    QJsonArray array;
    for (const ContactFieldValue &f : fields)
        array.append(QJsonObject { { QStringLiteral("id"), f.fieldId }, { QStringLiteral("field_value"), f.value } });
    return QJsonDocument(QJsonObject { { QStringLiteral("customFields"), array } }).toJson(QJsonDocument::Compact);
}

GhlJob::Request UpdateContactFieldJob::buildRequest() const
{
    Request r;
    r.verb = "PUT";
    r.path = QStringLiteral("/contacts/") + QString::fromLatin1(QUrl::toPercentEncoding(m_contactId));
    r.scope = QStringLiteral("contacts.write");
    r.body = requestBody(m_fields);
    return r;
}

GhlError UpdateContactFieldJob::parse(const QByteArray &body)
{
    // The write took effect (2xx); an odd answer body is logged, not treated as a failure.
    QJsonParseError pe;
    const QJsonDocument doc = QJsonDocument::fromJson(body, &pe);
    if (pe.error == QJsonParseError::NoError && doc.isObject())
        m_contact = doc.object().value(u"contact").toObject();
    else if (!body.trimmed().isEmpty())
        qCWarning(lcGhl) << describe() << "succeeded but its answer is not a JSON object";
    return {};
}

} // namespace qrt::ghl
