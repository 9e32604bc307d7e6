#pragma once

#include <QByteArray>
#include <QDateTime>
#include <QHash>
#include <QMap>
#include <QMetaType>
#include <QString>
#include <QUrlQuery>

// The simulator's public values: what tests set up (faults, contacts, custom fields) and what
// they read back (the request log).
namespace qrt::ghlsim {

enum class Endpoint { ListOrders, GetOrder, UpdateContact, ListCustomFields, Other };

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
};

struct SimCustomField
{
    QString id;
    QString name;
    QString fieldKey;
    QString dataType;
    QString model = QStringLiteral("contact");
};

struct SimContact
{
    QString id;
    QString firstName;
    QString lastName;
    QString email;
    QString phone;
    QMap<QString, QString> customFields; // field id -> value
};

} // namespace qrt::ghlsim

Q_DECLARE_METATYPE(qrt::ghlsim::SimRequest)
