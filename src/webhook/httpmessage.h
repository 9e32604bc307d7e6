#pragma once

#include <QByteArray>
#include <QByteArrayView>
#include <QHostAddress>
#include <QList>
#include <QPair>

namespace qrt::webhook {

// Whether a comma-separated header value (Connection, ...) holds `token`, case-insensitively.
bool hasToken(const QByteArray &listValue, QByteArrayView token);

// One parsed HTTP/1.x request. Header names are lower-cased; values are kept as sent (minus
// surrounding whitespace). The body is the raw bytes: signatures are computed over exactly these.
struct HttpRequest
{
    QByteArray method;
    QByteArray target; // as sent: path plus optional ?query
    QByteArray path;
    QByteArray query;  // without the '?'
    int versionMinor = 1; // HTTP/1.0 or HTTP/1.1
    QList<QPair<QByteArray, QByteArray>> headers;
    QByteArray body;
    bool keepAlive = true;
    qsizetype rawSize = 0; // bytes this request took on the wire, including leading blank lines

    QHostAddress peerAddress; // filled in by the connection
    quint16 peerPort = 0;

    QByteArray header(QByteArrayView lowerName) const;
    bool hasHeader(QByteArrayView lowerName) const;
    // Media type of Content-Type without parameters, lower-cased ("application/json").
    QByteArray mediaType() const;
    bool isWebSocketUpgrade() const;
};

struct HttpResponse
{
    int status = 200;
    QByteArray body; // JSON unless contentType says otherwise
    QByteArray contentType = QByteArrayLiteral("application/json");
    QList<QPair<QByteArray, QByteArray>> headers; // extra headers, e.g. Allow
    bool close = false; // force Connection: close

    static HttpResponse json(int status, const QByteArray &jsonBody);
    static HttpResponse error(int status, const QString &message);
};

QByteArray reasonPhrase(int status);

// The bytes on the wire for a response; keepAlive decides the Connection header.
QByteArray serializeResponse(const HttpResponse &response, bool keepAlive);

} // namespace qrt::webhook
