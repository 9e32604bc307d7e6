// The forms endpoint (forms.json "upload-to-custom-fields"): files into FILE_UPLOAD custom fields.
#include "ghlsim/simhandlers.h"
#include "ghlsim/simmultipart.h"
#include "ghlsim/simstore.h"

#include <QFileInfo>
#include <QJsonArray>
#include <QSet>
#include <QUuid>

namespace qrt::ghlsim::handlers {

namespace {

// forms.json: "The allowed file types are: PDF, DOCX, DOC, JPG, JPEG, PNG, GIF, CSV, XLSX, XLS,
// MP4, MPEG, ZIP, RAR, TXT, SVG". Judged by the file name's extension and the part's type.
bool allowedExtension(const QString &fileName)
{
    static const QSet<QString> allowed { QStringLiteral("pdf"), QStringLiteral("docx"), QStringLiteral("doc"),
                                         QStringLiteral("jpg"), QStringLiteral("jpeg"), QStringLiteral("png"),
                                         QStringLiteral("gif"), QStringLiteral("csv"), QStringLiteral("xlsx"),
                                         QStringLiteral("xls"), QStringLiteral("mp4"), QStringLiteral("mpeg"),
                                         QStringLiteral("zip"), QStringLiteral("rar"), QStringLiteral("txt"),
                                         QStringLiteral("svg") };
    return allowed.contains(QFileInfo(fileName).suffix().toLower());
}

bool allowedType(const QByteArray &type)
{
    static const QSet<QByteArray> allowed {
        "application/pdf", "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        "application/msword", "image/jpeg", "image/png", "image/gif", "text/csv",
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "application/vnd.ms-excel",
        "video/mp4", "video/mpeg", "application/zip", "application/x-zip-compressed", "application/vnd.rar",
        "application/x-rar-compressed", "text/plain", "image/svg+xml",
    };
    return allowed.contains(type);
}

// What the file's bytes say it is, for the image types GHL previews; an empty array: unknown.
QByteArray sniffedImageType(const QByteArray &content)
{
    if (content.startsWith("\x89PNG\r\n\x1a\n"))
        return "image/png";
    if (content.startsWith("\xff\xd8\xff"))
        return "image/jpeg";
    if (content.startsWith("GIF87a") || content.startsWith("GIF89a"))
        return "image/gif";
    return {};
}

SimResponse badRequest(const QString &message)
{
    return SimResponse::error(400, message);
}

} // namespace

SimResponse uploadCustomFiles(const SimCall &call)
{
    SimStore &store = call.store;
    const QString contactId = call.request.query.queryItemValue(QStringLiteral("contactId"), QUrl::FullyDecoded);
    const QString locationId = call.request.query.queryItemValue(QStringLiteral("locationId"), QUrl::FullyDecoded);
    QJsonArray missing;
    if (contactId.isEmpty())
        missing.append(QStringLiteral("contactId should not be empty"));
    if (locationId.isEmpty())
        missing.append(QStringLiteral("locationId should not be empty"));
    if (!missing.isEmpty())
        return SimResponse::error(422, missing);
    if (locationId != store.locationId())
        return SimResponse::error(403, QStringLiteral("The token does not have access to this location."));
    if (!store.hasContact(contactId))
        return badRequest(QStringLiteral("Contact not found"));

    QList<MultipartPart> parts;
    QString error;
    if (!parseMultipart(call.request.header("content-type"), call.request.body, &parts, &error))
        return badRequest(error);

    // Everything is checked before anything is stored: one bad part refuses the whole upload.
    QList<SimUpload> uploads;
    for (const MultipartPart &part : std::as_const(parts)) {
        if (!part.hasFileName)
            continue; // a plain form field: nothing to store
        const qsizetype underscore = part.name.indexOf(u'_');
        if (underscore <= 0 || underscore == part.name.size() - 1)
            return badRequest(QStringLiteral("The file key '%1' must be '<custom_field_id>_<file_id>'").arg(part.name));
        SimUpload upload;
        upload.contactId = contactId;
        upload.fieldId = part.name.left(underscore);
        upload.fileId = part.name.mid(underscore + 1);
        const SimCustomField *field = store.customField(upload.fieldId);
        if (!field || field->model != u"contact")
            return badRequest(QStringLiteral("Custom field %1 not found").arg(upload.fieldId));
        if (field->dataType != u"FILE_UPLOAD")
            return badRequest(QStringLiteral("Custom field %1 is of type %2, not FILE_UPLOAD").arg(field->id, field->dataType));
        if (part.body.size() > store.maxUploadBytes())
            return badRequest(QStringLiteral("File size is limited to %1 MB").arg(store.maxUploadBytes() / (1024.0 * 1024.0)));
        if (part.body.isEmpty())
            return badRequest(QStringLiteral("File %1 is empty").arg(part.fileName));
        if (!allowedExtension(part.fileName) || !allowedType(part.contentType))
            return badRequest(QStringLiteral("File type not allowed: %1 (%2)")
                                  .arg(part.fileName, QString::fromLatin1(part.contentType)));
        const QByteArray sniffed = sniffedImageType(part.body);
        if (part.contentType.startsWith("image/") && part.contentType != "image/svg+xml" && sniffed != part.contentType)
            return badRequest(QStringLiteral("File %1 is not a %2 image").arg(part.fileName, QString::fromLatin1(part.contentType)));
        upload.fileName = part.fileName;
        upload.mimeType = part.contentType;
        upload.content = part.body;
        upload.documentId = QUuid::createUuid().toString(QUuid::Id128).left(20);
        upload.receivedAt = QDateTime::currentDateTimeUtc();
        uploads.append(upload);
    }
    if (uploads.isEmpty())
        return badRequest(QStringLiteral("No file to upload"));
    for (const SimUpload &upload : std::as_const(uploads))
        store.addUpload(upload, store.customField(upload.fieldId)->multipleFiles);
    // forms.json: "The API will return the updated contact object."
    return SimResponse::json({ { QStringLiteral("contact"), contactJson(store.contact(contactId), store.locationId()) } });
}

} // namespace qrt::ghlsim::handlers
