#pragma once

#include "ghl/ghljob.h"
#include "ghl/ghltypes.h"

#include <QJsonObject>
#include <QList>

namespace qrt::ghl {

// PUT /contacts/{contactId} {"customFields":[{"id":FIELD_ID,"field_value":VALUE}, ...]}
// (contacts.json UpdateContactDto; scope contacts.write). Several fields in one call.
class UpdateContactFieldJob : public GhlJob
{
    Q_OBJECT
public:
    UpdateContactFieldJob(GhlClient *client, const QString &contactId, const QList<ContactFieldValue> &fields,
                          QObject *parent = nullptr);
    UpdateContactFieldJob(GhlClient *client, const QString &contactId, const QString &fieldId, const QString &value,
                          QObject *parent = nullptr);

    const QString &contactId() const { return m_contactId; }
    const QList<ContactFieldValue> &fields() const { return m_fields; }
    // The "contact" object GHL answered with (may be empty).
    const QJsonObject &contact() const { return m_contact; }

    static QByteArray requestBody(const QList<ContactFieldValue> &fields);

protected:
    Request buildRequest() const override;
    GhlError parse(const QByteArray &body) override;

private:
    QString m_contactId;
    QList<ContactFieldValue> m_fields;
    QJsonObject m_contact;
};

} // namespace qrt::ghl
