#include "webhook/httpmessage.h"

#include <QDateTime>
#include <QJsonDocument>
#include <QJsonObject>
#include <QLocale>

namespace qrt::webhook {

QByteArray HttpRequest::header(QByteArrayView lowerName) const
{
    for (const auto &h : headers) {
        if (h.first == lowerName)
            return h.second;
    }
    return {};
}

bool HttpRequest::hasHeader(QByteArrayView lowerName) const
{
    for (const auto &h : headers) {
        if (h.first == lowerName)
            return true;
    }
    return false;
}

QByteArray HttpRequest::mediaType() const
{
    QByteArray type = header("content-type");
    const qsizetype semi = type.indexOf(';');
    if (semi >= 0)
        type.truncate(semi);
    return type.trimmed().toLower();
}

bool hasToken(const QByteArray &listValue, QByteArrayView token)
{
    for (const QByteArray &t : listValue.split(',')) {
        if (t.trimmed().compare(token, Qt::CaseInsensitive) == 0)
            return true;
    }
    return false;
}

bool HttpRequest::isWebSocketUpgrade() const
{
    return hasToken(header("connection"), "upgrade") && header("upgrade").trimmed().toLower() == "websocket";
}

HttpResponse HttpResponse::json(int status, const QByteArray &jsonBody)
{
    HttpResponse r;
    r.status = status;
    r.body = jsonBody;
    return r;
}

HttpResponse HttpResponse::error(int status, const QString &message)
{
    return json(status, QJsonDocument(QJsonObject { { QStringLiteral("error"), message } }).toJson(QJsonDocument::Compact));
}

QByteArray reasonPhrase(int status)
{
    switch (status) {
    case 100: return QByteArrayLiteral("Continue");
    case 200: return QByteArrayLiteral("OK");
    case 400: return QByteArrayLiteral("Bad Request");
    case 401: return QByteArrayLiteral("Unauthorized");
    case 403: return QByteArrayLiteral("Forbidden");
    case 404: return QByteArrayLiteral("Not Found");
    case 405: return QByteArrayLiteral("Method Not Allowed");
    case 408: return QByteArrayLiteral("Request Timeout");
    case 411: return QByteArrayLiteral("Length Required");
    case 413: return QByteArrayLiteral("Content Too Large");
    case 414: return QByteArrayLiteral("URI Too Long");
    case 415: return QByteArrayLiteral("Unsupported Media Type");
    case 422: return QByteArrayLiteral("Unprocessable Content");
    case 429: return QByteArrayLiteral("Too Many Requests");
    case 431: return QByteArrayLiteral("Request Header Fields Too Large");
    case 500: return QByteArrayLiteral("Internal Server Error");
    case 501: return QByteArrayLiteral("Not Implemented");
    case 502: return QByteArrayLiteral("Bad Gateway");
    case 503: return QByteArrayLiteral("Service Unavailable");
    case 505: return QByteArrayLiteral("HTTP Version Not Supported");
    default: return QByteArrayLiteral("Unknown");
    }
}

QByteArray serializeResponse(const HttpResponse &response, bool keepAlive)
{
    QByteArray out;
    out.reserve(160 + response.body.size());
    out += "HTTP/1.1 " + QByteArray::number(response.status) + ' ' + reasonPhrase(response.status) + "\r\n";
    if (!response.body.isEmpty() || !response.contentType.isEmpty())
        out += "Content-Type: " + response.contentType + "\r\n";
    out += "Content-Length: " + QByteArray::number(response.body.size()) + "\r\n";
    // RFC 9110 section 6.6.1: an origin server with a clock sends Date.
    out += "Date: " + QLocale::c().toString(QDateTime::currentDateTimeUtc(), u"ddd, dd MMM yyyy HH:mm:ss 'GMT'").toLatin1() + "\r\n";
    out += "Cache-Control: no-store\r\nX-Content-Type-Options: nosniff\r\n";
    for (const auto &h : response.headers)
        out += h.first + ": " + h.second + "\r\n";
    out += (keepAlive && !response.close) ? QByteArrayLiteral("Connection: keep-alive\r\n\r\n")
                                          : QByteArrayLiteral("Connection: close\r\n\r\n");
    out += response.body;
    return out;
}

} // namespace qrt::webhook
