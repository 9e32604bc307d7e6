// The contacts endpoints (contacts.json): read a contact, update its custom fields.
#include "ghlsim/simhandlers.h"
#include "ghlsim/simstore.h"

#include <QJsonArray>
#include <QJsonDocument>

namespace qrt::ghlsim::handlers {

// The contact as GetContectByIdSchema / UpdateContactsSuccessfulResponseDto.contact carry it: a
// FILE_UPLOAD field's value is the FileField object, every other field's a string.
QJsonObject contactJson(const SimContact &c, const QString &locationId)
{
    QJsonArray fields;
    for (auto it = c.customFields.cbegin(); it != c.customFields.cend(); ++it)
        fields.append(QJsonObject { { QStringLiteral("id"), it.key() }, { QStringLiteral("value"), it.value() } });
    for (auto it = c.files.cbegin(); it != c.files.cend(); ++it)
        fields.append(QJsonObject { { QStringLiteral("id"), it.key() }, { QStringLiteral("value"), it.value() } });
    return QJsonObject {
        { QStringLiteral("id"), c.id },
        { QStringLiteral("name"), QString(c.firstName + u' ' + c.lastName).trimmed() },
        { QStringLiteral("locationId"), locationId },
        { QStringLiteral("firstName"), c.firstName },
        { QStringLiteral("lastName"), c.lastName },
        { QStringLiteral("email"), c.email },
        { QStringLiteral("phone"), c.phone },
        { QStringLiteral("customFields"), fields },
    };
}

namespace {

// A field_value as the contact stores it: strings as they are, anything else as its JSON text.
QString storedValue(const QJsonValue &v)
{
    return v.isString() ? v.toString() : QString::fromUtf8(QJsonDocument(QJsonArray { v }).toJson(QJsonDocument::Compact)).mid(1).chopped(1);
}

} // namespace

SimResponse getContact(const SimCall &call)
{
    const QString contactId = call.params.at(0);
    if (!call.store.hasContact(contactId))
        return SimResponse::error(400, QStringLiteral("Contact not found"));
    return SimResponse::json({ { QStringLiteral("contact"), contactJson(call.store.contact(contactId), call.store.locationId()) } });
}

SimResponse updateContact(const SimCall &call)
{
    const QString contactId = call.params.at(0);
    if (!call.store.hasContact(contactId))
        return SimResponse::error(404, QStringLiteral("Contact not found"));
    if (!call.request.header("content-type").toLower().startsWith("application/json"))
        return SimResponse::error(422, QJsonArray { QStringLiteral("Content-Type must be application/json") });
    QJsonParseError pe;
    const QJsonDocument doc = QJsonDocument::fromJson(call.request.body, &pe);
    if (pe.error != QJsonParseError::NoError || !doc.isObject())
        return SimResponse::error(400, QStringLiteral("Body is not a JSON object"));
    const QJsonValue fieldsValue = doc.object().value(u"customFields");
    if (!fieldsValue.isArray())
        return SimResponse::error(422, QJsonArray { QStringLiteral("customFields must be an array") });
    QMap<QString, QString> updates;
    const QJsonArray fields = fieldsValue.toArray();
    for (qsizetype i = 0; i < fields.size(); ++i) {
        const QJsonObject f = fields.at(i).toObject();
        if (!fields.at(i).isObject() || !f.value(u"id").isString() || f.value(u"id").toString().isEmpty())
            return SimResponse::error(422, QJsonArray { QStringLiteral("customFields.%1.id must be a string").arg(i) });
        const QJsonValue v = f.value(u"field_value");
        if (v.isUndefined())
            return SimResponse::error(422, QJsonArray { QStringLiteral("customFields.%1.field_value should not be empty").arg(i) });
        // A File upload field holds uploaded documents (FileField), put there through
        // POST /forms/upload-custom-files; a string written into it is not a file.
        const SimCustomField *field = call.store.customField(f.value(u"id").toString());
        if (field && field->dataType == u"FILE_UPLOAD" && !v.isObject())
            return SimResponse::error(
                422, QJsonArray { QStringLiteral("customFields.%1.field_value must be a file object: field %2 is of "
                                                 "type FILE_UPLOAD; upload files through /forms/upload-custom-files")
                                      .arg(i)
                                      .arg(field->id) });
        updates.insert(f.value(u"id").toString(), storedValue(v));
    }
    call.store.updateContactFields(contactId, updates);
    return SimResponse::json({ { QStringLiteral("succeded"), true },
                               { QStringLiteral("contact"), contactJson(call.store.contact(contactId), call.store.locationId()) } });
}

} // namespace qrt::ghlsim::handlers
