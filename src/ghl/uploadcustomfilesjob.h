#pragma once

#include "ghl/ghljob.h"

#include <QByteArray>
#include <QJsonObject>

namespace qrt::ghl {

// POST /forms/upload-custom-files?contactId={contactId}&locationId={location} (forms.json
// "upload-to-custom-fields"; scope forms.write): puts one file into a contact's FILE_UPLOAD custom
// field. The body is multipart/form-data (QHttpMultiPart) with one file part named
// "<fieldId>_<fileId>", its filename (the QR outbox passes "qr-<order_id>.png") and Content-Type
// (image/png by default). fileId is a random uuid made once per job, so a retry of the same job
// sends the same part name and GHL keeps one file, not two. The location is the client's, as for
// every other job. GHL answers with the updated contact; contact() holds it when it could be read.
//
// Through GhlClient::uploadCustomFile() it goes through the client's rate limiter and retry path
// like any other request: 429/5xx/network errors are retried, 401/403 name scope forms.write, a
// 400 (a field that is not FILE_UPLOAD, a contact GHL does not know, a refused file) is final.
class UploadCustomFilesJob : public GhlJob
{
    Q_OBJECT
public:
    UploadCustomFilesJob(GhlClient *client, const QString &contactId, const QString &fieldId, const QString &fileName,
                         const QByteArray &content, const QByteArray &mimeType = QByteArrayLiteral("image/png"),
                         QObject *parent = nullptr);

    const QString &contactId() const { return m_contactId; }
    const QString &fieldId() const { return m_fieldId; }
    const QString &fileName() const { return m_fileName; }
    const QString &fileId() const { return m_fileId; }
    // "<fieldId>_<fileId>": the multipart part name GHL reads the target field from.
    QString partName() const { return m_fieldId + u'_' + m_fileId; }
    // The contact GHL answered with (its FILE_UPLOAD field then holds the file); may be empty.
    const QJsonObject &contact() const { return m_contact; }

protected:
    Request buildRequest() const override;
    QHttpMultiPart *createMultiPart() const override;
    GhlError parse(const QByteArray &body) override;

private:
    QString m_contactId;
    QString m_fieldId;
    QString m_fileName;
    QString m_fileId;
    QByteArray m_content;
    QByteArray m_mimeType;
    QJsonObject m_contact;
};

} // namespace qrt::ghl
