#pragma once

#include "ghl/ghljob.h"

#include <QJsonObject>
#include <QJsonValue>

namespace qrt::ghl {

// GET /contacts/{contactId} (contacts.json "get-contact", ContactsByIdSuccessfulResponseDto; scope
// contacts.readonly). The QR outbox asks it before writing a field again after a crash or an
// expired lease: what does the field hold now?
class GetContactJob : public GhlJob
{
    Q_OBJECT
public:
    GetContactJob(GhlClient *client, const QString &contactId, QObject *parent = nullptr);

    const QString &contactId() const { return m_contactId; }
    const QJsonObject &contact() const { return m_contact; }
    // The value of custom field `fieldId` as GHL answered it (customFields[].value, or
    // field_value for a file field), undefined when the contact has no value for it.
    QJsonValue customFieldValue(const QString &fieldId) const;

protected:
    Request buildRequest() const override;
    GhlError parse(const QByteArray &body) override;

private:
    QString m_contactId;
    QJsonObject m_contact;
};

} // namespace qrt::ghl
