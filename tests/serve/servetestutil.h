#pragma once

// Shared by tests/serve and tests/bench/webhook: webhook bodies of every shape for orders of the
// GHL simulator, a blocking HTTP helper over QNetworkAccessManager and a burst client that keeps
// many HTTP/1.1 connections busy and records the time to each answer.

#include "ghl/orderjson.h"
#include "support/timeouts.h"

#include <QDateTime>
#include <QElapsedTimer>
#include <QEventLoop>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QList>
#include <QNetworkAccessManager>
#include <QNetworkReply>
#include <QNetworkRequest>
#include <QObject>
#include <QTcpSocket>
#include <QTimer>

#include <functional>
#include <memory>

namespace qrt::servetest {

// The tickets an order of the simulator must end with: every quantity, or none for a cancelled or
// refunded order; -1 when the order does not parse.
inline int expectedTickets(const QJsonObject &order)
{
    auto parsed = ghl::orderFromJson(order);
    if (!parsed)
        return -1;
    int n = 0;
    for (const core::TicketDemand &d : parsed->ticketDemand())
        n += d.qty;
    return n;
}

struct HttpResult
{
    int status = 0; // 0: no answer (connection refused, timeout)
    QByteArray body;
    QByteArray retryAfter; // the Retry-After header, if any
    QJsonObject json() const { return QJsonDocument::fromJson(body).object(); }
};

inline HttpResult send(QNetworkAccessManager &nam, const QByteArray &verb, const QUrl &url, const QByteArray &body,
                       const QList<QPair<QByteArray, QByteArray>> &headers = {}, int timeoutMs = test::kWaitMs)
{
    QNetworkRequest request(url);
    request.setTransferTimeout(timeoutMs);
    if (!body.isEmpty() || verb == "POST")
        request.setHeader(QNetworkRequest::ContentTypeHeader, QByteArrayLiteral("application/json"));
    for (const auto &[name, value] : headers)
        request.setRawHeader(name, value);
    QNetworkReply *reply = nam.sendCustomRequest(request, verb, body);
    QEventLoop loop;
    QObject::connect(reply, &QNetworkReply::finished, &loop, &QEventLoop::quit);
    if (!reply->isFinished())
        loop.exec();
    HttpResult r;
    r.status = reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt();
    r.body = reply->readAll();
    r.retryAfter = reply->rawHeader("Retry-After");
    reply->deleteLater();
    return r;
}

inline QString isoNow()
{
    return QDateTime::currentDateTimeUtc().toString(Qt::ISODateWithMs);
}

inline QJsonObject firstItem(const QJsonObject &order)
{
    return order.value(u"items").toArray().first().toObject();
}

inline QString firstProduct(const QJsonObject &order)
{
    return firstItem(order).value(u"product").toObject().value(u"_id").toString();
}

inline QStringList productsOf(const QJsonObject &order)
{
    QStringList out;
    for (const QJsonValue &i : order.value(u"items").toArray()) {
        const QString p = i.toObject().value(u"product").toObject().value(u"_id").toString();
        if (!out.contains(p))
            out << p;
    }
    return out;
}

// Shape 1: the marketplace OrderCreate event as GHL signs it (the order plus type, webhookId, timestamp).
inline QByteArray marketplaceBody(QJsonObject order, const QString &webhookId, const QString &locationId)
{
    order.insert(QStringLiteral("type"), QStringLiteral("OrderCreate"));
    order.insert(QStringLiteral("locationId"), locationId);
    order.insert(QStringLiteral("webhookId"), webhookId);
    order.insert(QStringLiteral("timestamp"), isoNow());
    return QJsonDocument(order).toJson(QJsonDocument::Compact);
}

// Shape 2: the original system's documented workflow body.
inline QByteArray workflowOrderBody(const QJsonObject &order, const QString &locationId)
{
    QJsonArray items;
    for (const QJsonValue &v : order.value(u"items").toArray()) {
        const QJsonObject i = v.toObject();
        items.append(QJsonObject { { QStringLiteral("product"), QJsonObject { { QStringLiteral("_id"), i.value(u"product").toObject().value(u"_id") } } },
                                   { QStringLiteral("qty"), i.value(u"qty") } });
    }
    const QJsonObject body { { QStringLiteral("type"), QStringLiteral("OrderCreate") },
                             { QStringLiteral("locationId"), locationId },
                             { QStringLiteral("order"), QJsonObject { { QStringLiteral("_id"), order.value(u"_id") },
                                                                      { QStringLiteral("contactId"), order.value(u"contactId") },
                                                                      { QStringLiteral("items"), items } } } };
    return QJsonDocument(body).toJson(QJsonDocument::Compact);
}

// Shape 3: GHL's standard workflow webhook ("Order Submitted") as the original code read it.
inline QByteArray workflowLineItemsBody(const QJsonObject &order)
{
    QJsonArray lines;
    for (const QString &p : productsOf(order))
        lines.append(QJsonObject { { QStringLiteral("meta"), QJsonObject { { QStringLiteral("order_id"), order.value(u"_id") },
                                                                          { QStringLiteral("product_id"), p } } } });
    const QJsonObject body { { QStringLiteral("contact_id"), order.value(u"contactId") },
                             { QStringLiteral("first_name"), QStringLiteral("Test") },
                             { QStringLiteral("email"), QStringLiteral("test@example.com") },
                             { QStringLiteral("order"), QJsonObject { { QStringLiteral("line_items"), lines } } } };
    return QJsonDocument(body).toJson(QJsonDocument::Compact);
}

// Shape 4: custom data a user builds in the workflow.
inline QByteArray customDataBody(const QJsonObject &order)
{
    const QJsonObject body { { QStringLiteral("customData"),
                               QJsonObject { { QStringLiteral("order_id"), order.value(u"_id") },
                                             { QStringLiteral("contact_id"), order.value(u"contactId") },
                                             { QStringLiteral("product_id"), productsOf(order).join(u',') } } } };
    return QJsonDocument(body).toJson(QJsonDocument::Compact);
}

inline QByteArray rawPost(const QByteArray &path, const QByteArray &body, const QByteArray &extraHeaders)
{
    return "POST " + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n" + extraHeaders
        + "Content-Length: " + QByteArray::number(body.size()) + "\r\n\r\n" + body;
}

// Sends prepared requests over `connections` keep-alive sockets, one outstanding request per
// socket, and records for each request the status and the milliseconds from its first byte
// written to its complete answer. A socket that breaks (the server was killed) leaves its
// unanswered requests with status 0; those are not retried.
class BurstClient : public QObject
{
public:
    struct Outcome
    {
        int status = 0;
        double ms = 0;
        QByteArray body;
    };

    BurstClient(quint16 port, QList<QByteArray> requests, int connections)
        : m_port(port), m_requests(std::move(requests)), m_outcomes(m_requests.size())
    {
        m_connections = std::max(1, std::min<int>(connections, int(m_requests.size())));
    }

    // Runs until every request is answered or its connection failed; timeoutMs bounds the wait.
    void run(int timeoutMs = 120000)
    {
        m_clock.start();
        QEventLoop loop;
        m_loop = &loop;
        for (int i = 0; i < m_connections; ++i)
            startConnection();
        QTimer::singleShot(timeoutMs, &loop, &QEventLoop::quit);
        if (m_open > 0)
            loop.exec();
        m_loop = nullptr;
        m_wallMs = double(m_clock.nsecsElapsed()) / 1e6;
    }

    const QList<Outcome> &outcomes() const { return m_outcomes; }
    double wallMs() const { return m_wallMs; }
    int answered(int status) const
    {
        int n = 0;
        for (const Outcome &o : m_outcomes)
            n += o.status == status ? 1 : 0;
        return n;
    }
    // Waits this long before each further request on a connection (0: back to back).
    void setPaceMs(int ms) { m_paceMs = ms; }
    // Called after each answer (index, outcome); e.g. to kill the server midway.
    std::function<void(int, const Outcome &)> onAnswer;

private:
    struct Conn
    {
        QTcpSocket *socket = nullptr;
        QByteArray buffer;
        int current = -1;
        qint64 sentNs = 0;
    };

    void startConnection()
    {
        auto conn = std::make_shared<Conn>();
        conn->socket = new QTcpSocket(this);
        ++m_open;
        connect(conn->socket, &QTcpSocket::connected, this, [this, conn] { next(conn); });
        connect(conn->socket, &QTcpSocket::readyRead, this, [this, conn] {
            conn->buffer += conn->socket->readAll();
            parse(conn);
        });
        connect(conn->socket, &QTcpSocket::disconnected, this, [this, conn] { closed(conn); });
        connect(conn->socket, &QTcpSocket::errorOccurred, this, [this, conn](QAbstractSocket::SocketError) {
            if (conn->socket->state() != QAbstractSocket::ConnectedState)
                closed(conn);
        });
        conn->socket->connectToHost(QHostAddress::LocalHost, m_port);
    }

    void next(const std::shared_ptr<Conn> &conn)
    {
        if (m_next >= m_requests.size()) {
            conn->current = -1;
            conn->socket->disconnectFromHost();
            return;
        }
        conn->current = m_next++;
        const auto write = [this, conn] {
            if (conn->current < 0 || conn->socket->state() != QAbstractSocket::ConnectedState)
                return;
            conn->sentNs = m_clock.nsecsElapsed();
            conn->socket->write(m_requests.at(conn->current));
        };
        if (m_paceMs > 0 && conn->current >= m_connections)
            QTimer::singleShot(m_paceMs, this, write);
        else
            write();
    }

    void parse(const std::shared_ptr<Conn> &conn)
    {
        for (;;) {
            const qsizetype end = conn->buffer.indexOf("\r\n\r\n");
            if (end < 0 || conn->current < 0)
                return;
            const QByteArray head = conn->buffer.left(end);
            qsizetype length = 0;
            for (const QByteArray &line : head.split('\n')) {
                if (line.toLower().startsWith("content-length:"))
                    length = line.mid(15).trimmed().toLongLong();
            }
            if (conn->buffer.size() < end + 4 + length)
                return;
            Outcome &o = m_outcomes[conn->current];
            o.status = head.split(' ').value(1).toInt();
            o.ms = double(m_clock.nsecsElapsed() - conn->sentNs) / 1e6;
            o.body = conn->buffer.mid(end + 4, length);
            conn->buffer.remove(0, end + 4 + length);
            const int index = conn->current;
            if (onAnswer)
                onAnswer(index, o);
            next(conn);
        }
    }

    void closed(const std::shared_ptr<Conn> &conn)
    {
        if (!conn->socket || conn->current == -2)
            return;
        conn->current = -2;
        conn->socket->deleteLater();
        if (--m_open == 0 && m_loop)
            m_loop->quit();
    }

    quint16 m_port;
    QList<QByteArray> m_requests;
    QList<Outcome> m_outcomes;
    int m_connections = 1;
    int m_paceMs = 0;
    int m_next = 0;
    int m_open = 0;
    QElapsedTimer m_clock;
    QEventLoop *m_loop = nullptr;
    double m_wallMs = 0;
};

} // namespace qrt::servetest
