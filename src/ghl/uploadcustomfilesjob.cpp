#include "ghl/uploadcustomfilesjob.h"

#include "ghl/ghlclient.h"

#include <QHttpMultiPart>
#include <QJsonDocument>
#include <QUuid>

namespace qrt::ghl {

namespace {

// A quoted-string for Content-Disposition: no quotes, backslashes or control characters.
QByteArray dispositionValue(const QString &text)
{
    QByteArray out = text.toUtf8();
    out.removeIf([](char c) { return c == '"' || c == '\\' || uchar(c) < 0x20 || c == 0x7f; });
    return out;
}

} // namespace

UploadCustomFilesJob::UploadCustomFilesJob(GhlClient *client, const QString &contactId, const QString &fieldId,
                                           const QString &fileName, const QByteArray &content,
                                           const QByteArray &mimeType, QObject *parent)
    : GhlJob(client, parent)
    , m_contactId(contactId)
    , m_fieldId(fieldId)
    , m_fileName(fileName)
    , m_fileId(QUuid::createUuid().toString(QUuid::WithoutBraces))
    , m_content(content)
    , m_mimeType(mimeType)
{
}

GhlJob::Request UploadCustomFilesJob::buildRequest() const
{
    Request r;
    r.verb = "POST";
    r.path = QStringLiteral("/forms/upload-custom-files");
    r.scope = QStringLiteral("forms.write");
    r.multipart = true;
    r.query.addQueryItem(QStringLiteral("contactId"), m_contactId);
    r.query.addQueryItem(QStringLiteral("locationId"), client() ? client()->settings().locationId : QString());
    return r;
}

QHttpMultiPart *UploadCustomFilesJob::createMultiPart() const
{
    auto *multiPart = new QHttpMultiPart(QHttpMultiPart::FormDataType);
    QHttpPart file;
    file.setHeader(QNetworkRequest::ContentDispositionHeader,
                   QByteArray("form-data; name=\"" + dispositionValue(partName()) + "\"; filename=\""
                              + dispositionValue(m_fileName) + '"'));
    file.setHeader(QNetworkRequest::ContentTypeHeader, m_mimeType);
    file.setBody(m_content);
    multiPart->append(file);
    return multiPart;
}

GhlError UploadCustomFilesJob::parse(const QByteArray &body)
{
    // The upload took effect (2xx). forms.json only says "the updated contact object": read it
    // whether it comes bare or as {"contact": {...}}; an odd body is logged, not a failure.
    QJsonParseError pe;
    const QJsonDocument doc = QJsonDocument::fromJson(body, &pe);
    if (pe.error == QJsonParseError::NoError && doc.isObject()) {
        const QJsonObject o = doc.object();
        m_contact = o.value(u"contact").isObject() ? o.value(u"contact").toObject() : o;
    } else if (!body.trimmed().isEmpty()) {
        qCWarning(lcGhl) << describe() << "succeeded but its answer is not a JSON object";
    }
    return {};
}

} // namespace qrt::ghl
