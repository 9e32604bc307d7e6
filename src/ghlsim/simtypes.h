#pragma once

#include <QByteArray>
#include <QDateTime>
#include <QHash>
#include <QJsonObject>
#include <QMap>
#include <QMetaType>
#include <QString>
#include <QUrlQuery>

// The simulator's public values: what tests set up (faults, contacts, custom fields) and what
// they read back (the request log).
namespace qrt::ghlsim {

enum class Endpoint { ListOrders, GetOrder, UpdateContact, ListCustomFields, GetContact, UploadCustomFiles, Other };

// One request as the simulator received it (and what it answered).
struct SimRequest
{
    QByteArray method;
    QString path;
    QUrlQuery query;
    QHash<QByteArray, QByteArray> headers; // lower-case names
    QByteArray body;
    qint64 receivedMs = 0; // monotonic ms since the simulator started
    QDateTime receivedAt;
    Endpoint endpoint = Endpoint::Other;
    int status = 0; // 0: not answered (hang)
    bool faulted = false; // an injected fault answered it

    QByteArray header(const QByteArray &name) const { return headers.value(name.toLower()); }
};

// Shares (0..1) of requests that get an injected fault, drawn from a seeded RNG.
struct SimFaults
{
    double serverError = 0;  // 500 with a JSON body
    double rateLimited = 0;  // 429 with Retry-After
    int retryAfterS = 1;
    double hang = 0;         // never answered (until the client gives up)
    double truncated = 0;    // 200 with the JSON cut in half (Content-Length matches)
    double malformed = 0;    // 200 with a body that is not JSON
    // GET /payments/orders/{id} only (other endpoints answer normally when drawn):
    double otherOrder = 0;    // 200 with the order under another _id (a confused proxy or cache)
    double otherLocation = 0; // 200 with the order under another altId (another sub-account)
};

struct SimCustomField
{
    QString id;
    QString name;
    QString fieldKey;
    QString dataType; // TEXT, LARGE_TEXT, FILE_UPLOAD, ...
    QString model = QStringLiteral("contact");
    // FILE_UPLOAD: isMultiFileAllowed. false: an upload replaces the field's file; true: adds one.
    bool multipleFiles = false;
};

struct SimContact
{
    QString id;
    QString firstName;
    QString lastName;
    QString email;
    QString phone;
    QMap<QString, QString> customFields; // field id -> value
    // FILE_UPLOAD field id -> its value as GHL keeps it (contacts.json FileField.field_value):
    // {fileId: {"meta": {fieldname, originalname, encoding, mimetype, size, uuid}, "url", "documentId"}}
    QMap<QString, QJsonObject> files;
};

// One file POST /forms/upload-custom-files put into a FILE_UPLOAD field, as it arrived.
struct SimUpload
{
    QString contactId;
    QString fieldId;
    QString fileId;     // the part name's "<fieldId>_<fileId>" suffix
    QString fileName;   // the part's filename
    QByteArray mimeType;
    QByteArray content; // the bytes, as received
    QString documentId;
    QDateTime receivedAt;
};

// (contact, FILE_UPLOAD field, file name): what the reliability bench counts deliveries by.
struct SimUploadKey
{
    QString contactId;
    QString fieldId;
    QString fileName;
    friend bool operator==(const SimUploadKey &, const SimUploadKey &) = default;
};

inline size_t qHash(const SimUploadKey &key, size_t seed = 0)
{
    return qHashMulti(seed, key.contactId, key.fieldId, key.fileName);
}

} // namespace qrt::ghlsim

Q_DECLARE_METATYPE(qrt::ghlsim::SimRequest)
