#include "ghl/listcustomfieldsjob.h"

#include "ghl/ghlclient.h"

#include <QCoreApplication>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>

namespace qrt::ghl {

ListCustomFieldsJob::ListCustomFieldsJob(GhlClient *client, const QString &model, QObject *parent)
    : GhlJob(client, parent)
    , m_model(model)
{
}

GhlJob::Request ListCustomFieldsJob::buildRequest() const
{
    Request r;
    const QString location = client() ? client()->settings().locationId : QString();
    r.path = QStringLiteral("/locations/") + QString::fromLatin1(QUrl::toPercentEncoding(location))
        + QStringLiteral("/customFields");
    r.scope = QStringLiteral("locations/customFields.readonly");
    if (!m_model.isEmpty())
        r.query.addQueryItem(QStringLiteral("model"), m_model);
    return r;
}

GhlError ListCustomFieldsJob::parse(const QByteArray &body)
{
    QJsonParseError pe;
    const QJsonDocument doc = QJsonDocument::fromJson(body, &pe);
    if (pe.error != QJsonParseError::NoError)
        return malformed(QCoreApplication::translate("qrt::ghl::ListCustomFieldsJob",
                                                     "the custom field list is not valid JSON (%1 at byte %2)")
                             .arg(pe.errorString())
                             .arg(pe.offset));
    const QJsonValue list = doc.object().value(u"customFields");
    if (!list.isArray())
        return malformed(QCoreApplication::translate("qrt::ghl::ListCustomFieldsJob",
                                                     "the custom field list has no \"customFields\" list"));
    QList<CustomField> fields;
    for (const QJsonValue &v : list.toArray()) {
        const QJsonObject o = v.toObject();
        CustomField f;
        f.id = o.value(u"id").toString();
        f.name = o.value(u"name").toString();
        f.fieldKey = o.value(u"fieldKey").toString();
        f.dataType = o.value(u"dataType").toString();
        f.model = o.value(u"model").toString();
        if (f.id.isEmpty())
            continue; // nothing we could write to
        fields.append(f);
    }
    m_fields = std::move(fields);
    return {};
}

} // namespace qrt::ghl
