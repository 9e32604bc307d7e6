#include "feed/eventfeed.h"

#include "feed/logging.h"

#include <QCryptographicHash>
#include <QJsonDocument>
#include <QNetworkRequest>
#include <QRandomGenerator>
#include <QTcpSocket>
#include <QThread>
#include <QUrlQuery>
#include <QWebSocket>
#include <QWebSocketCorsAuthenticator>
#include <QWebSocketServer>

namespace qrt::feed {

namespace {

// Clients have nothing to say; anything larger than this is abuse, not a message.
constexpr quint64 MaxIncomingBytes = 64 * 1024;
// How long a refused client gets to answer our close frame before the socket is cut.
constexpr int CloseGraceMs = 5000;

QByteArray tokenDigest(const QString &token)
{
    return QCryptographicHash::hash(token.toUtf8(), QCryptographicHash::Sha256);
}

// Both sides are SHA-256 digests, so the loop always runs 32 times and leaks neither the token's
// length nor where the first difference is.
bool sameDigest(const QByteArray &a, const QByteArray &b)
{
    if (a.size() != b.size())
        return false;
    unsigned char diff = 0;
    for (qsizetype i = 0; i < a.size(); ++i)
        diff |= static_cast<unsigned char>(a[i] ^ b[i]);
    return diff == 0;
}

QString peerOf(const QAbstractSocket &socket)
{
    return socket.peerAddress().toString() + u':' + QString::number(socket.peerPort());
}

QString peerOf(const QWebSocket &socket)
{
    return socket.peerAddress().toString() + u':' + QString::number(socket.peerPort());
}

// Headers a reverse proxy or tunnel (nginx, Caddy, cloudflared, ngrok ...) adds for the client
// it forwards: the connection is from this machine, the client is not.
constexpr const char *ProxyHeaders[] = { "x-forwarded-for", "forwarded", "x-real-ip", "cf-connecting-ip" };

// The request line and headers of an upgrade request still unread in a socket (the HTTP
// listener parsed it completely before handing it over, so it is all there).
struct PeekedRequest
{
    QUrl url;
    QHash<QByteArray, QByteArray> headers; // lower-case names
    bool complete = false;
};

PeekedRequest peekRequest(QTcpSocket &socket)
{
    PeekedRequest r;
    const QByteArray data = socket.peek(std::min<qint64>(socket.bytesAvailable(), 64 * 1024));
    const qsizetype end = data.indexOf("\r\n\r\n");
    if (end < 0)
        return r;
    const QList<QByteArray> lines = data.left(end).split('\n');
    const QList<QByteArray> requestLine = lines.value(0).trimmed().split(' ');
    r.url = QUrl::fromEncoded(requestLine.value(1));
    for (qsizetype i = 1; i < lines.size(); ++i) {
        const qsizetype colon = lines[i].indexOf(':');
        if (colon > 0)
            r.headers.insert(lines[i].left(colon).trimmed().toLower(), lines[i].mid(colon + 1).trimmed());
    }
    r.complete = true;
    return r;
}

} // namespace

QString toString(FeedEvent event)
{
    switch (event) {
    case FeedEvent::SyncStatus:
        return QStringLiteral("sync_status");
    case FeedEvent::SyncProgress:
        return QStringLiteral("sync_progress");
    case FeedEvent::SyncComplete:
        return QStringLiteral("sync_complete");
    case FeedEvent::WebhookReceived:
        return QStringLiteral("webhook_received");
    case FeedEvent::OrderSynced:
        return QStringLiteral("order_synced");
    case FeedEvent::TicketStatusChanged:
        return QStringLiteral("ticket_status_changed");
    }
    return {};
}

EventFeed::EventFeed(QObject *parent) : EventFeed(core::SystemClock::instance(), parent) { }

EventFeed::EventFeed(const core::Clock &clock, QObject *parent)
    : QObject(parent)
    , m_clock(clock)
    , m_server(new QWebSocketServer(QStringLiteral("QR Tickets"), QWebSocketServer::NonSecureMode, this))
{
    m_server->setHandshakeTimeout(m_handshakeTimeoutMs);
    connect(m_server, &QWebSocketServer::newConnection, this, &EventFeed::acceptPending);
    connect(m_server, &QWebSocketServer::originAuthenticationRequired, this,
        [this](QWebSocketCorsAuthenticator *authenticator) {
            if (!originAllowed(authenticator->origin())) {
                qCInfo(lcFeed) << "Refusing a browser page from" << authenticator->origin()
                               << ": set [feed] token to let other sites read the feed";
                authenticator->setAllowed(false);
            }
        });
    connect(m_server, &QWebSocketServer::serverError, this, [](QWebSocketProtocol::CloseCode code) {
        qCDebug(lcFeed) << "WebSocket handshake failed, close code" << int(code);
    });
    connect(&m_keepAlive, &QTimer::timeout, this, &EventFeed::sendKeepAlive);
    setKeepAliveInterval(DefaultKeepAliveMs);
}

EventFeed::~EventFeed()
{
    // Children die after this body; their last signals must not reach a half-destroyed feed.
    for (auto it = m_clients.cbegin(); it != m_clients.cend(); ++it) {
        disconnect(it.key(), nullptr, this, nullptr);
        it.key()->abort();
    }
    disconnect(m_server, nullptr, this, nullptr);
}

void EventFeed::setToken(const QString &token)
{
    m_tokenHash = token.isEmpty() ? QByteArray() : tokenDigest(token);
}

QString EventFeed::generateToken()
{
    QByteArray bytes(32, Qt::Uninitialized);
    QRandomGenerator::system()->generate(bytes.begin(), bytes.end());
    return QString::fromLatin1(bytes.toBase64(QByteArray::Base64UrlEncoding | QByteArray::OmitTrailingEquals));
}

void EventFeed::setMaxBacklogBytes(qint64 bytes)
{
    m_maxBacklogBytes = qMax<qint64>(bytes, 1024);
}

void EventFeed::setMaxClients(int count)
{
    m_maxClients = qMax(count, 1);
}

void EventFeed::setKeepAliveInterval(int ms)
{
    m_keepAliveMs = qMax(ms, 0);
    if (m_keepAliveMs > 0)
        m_keepAlive.start(m_keepAliveMs);
    else
        m_keepAlive.stop();
}

void EventFeed::setHandshakeTimeout(int ms)
{
    m_handshakeTimeoutMs = qMax(ms, 100);
    m_server->setHandshakeTimeout(m_handshakeTimeoutMs);
}

bool EventFeed::originAllowed(const QString &origin) const
{
    // Only browsers send Origin; with a token the token is the gate.
    if (origin.isEmpty() || requiresToken())
        return true;
    const QString host = QUrl(origin).host();
    return host == u"localhost" || QHostAddress(host).isLoopback();
}

void EventFeed::handleConnection(QTcpSocket *socket)
{
    if (!socket)
        return;
    if (QThread::currentThread() != thread()) {
        // Called from the HTTP server's thread: push the socket over to ours first.
        if (socket->thread() == QThread::currentThread()) {
            socket->setParent(nullptr);
            socket->moveToThread(thread());
        }
        QMetaObject::invokeMethod(
            this, [this, guarded = QPointer<QTcpSocket>(socket)] {
                if (guarded)
                    handleConnection(guarded);
            },
            Qt::QueuedConnection);
        return;
    }

    socket->setParent(this);
    m_handshaking.removeIf([](const QPointer<QTcpSocket> &s) { return s.isNull(); });
    m_handshaking.append(socket);
    // QWebSocketServer applies its handshake timeout only to sockets it accepted itself.
    QTimer::singleShot(m_handshakeTimeoutMs, socket, [this, socket] {
        if (m_handshaking.removeAll(socket) > 0) {
            qCInfo(lcFeed) << "Closing" << peerOf(*socket) << ": no WebSocket handshake in time";
            socket->abort();
        }
    });
    // Until QWebSocketServer has it, the socket is ours to delete.
    connect(socket, &QTcpSocket::disconnected, this, [socket] { socket->deleteLater(); });
    connect(socket, &QTcpSocket::readyRead, this, [this, socket] { admitOrRefuse(socket); });
    admitOrRefuse(socket);
}

void EventFeed::admitOrRefuse(QTcpSocket *socket)
{
    // The gate reads the request line and headers; a socket may be handed over before they arrived.
    constexpr qint64 MaxHeadBytes = 64 * 1024;
    if (!socket->peek(std::min<qint64>(socket->bytesAvailable(), MaxHeadBytes)).contains("\r\n\r\n")
        && socket->bytesAvailable() < MaxHeadBytes)
        return;
    disconnect(socket, nullptr, this, nullptr);
    if (refuseUpgrade(socket))
        return;
    // QWebSocketServer deletes the socket when it disconnects, upgraded or not.
    m_server->handleConnection(socket);
}

core::Result<void> EventFeed::listen(const QHostAddress &address, quint16 port)
{
    if (m_server->isListening())
        m_server->close();
    if (!m_server->listen(address, port)) {
        return core::makeError(QStringLiteral("feed.listen_failed"),
            tr("The event feed cannot listen on %1 port %2.").arg(address.toString()).arg(port),
            m_server->errorString());
    }
    qCInfo(lcFeed) << "Event feed listening on" << address.toString() << m_server->serverPort();
    return {};
}

bool EventFeed::isListening() const
{
    return m_server->isListening();
}

quint16 EventFeed::serverPort() const
{
    return m_server->serverPort();
}

void EventFeed::close()
{
    m_server->close();
    const QList<QWebSocket *> sockets = m_clients.keys();
    for (QWebSocket *socket : sockets) {
        forget(socket);
        socket->close(QWebSocketProtocol::CloseCodeGoingAway, QStringLiteral("server shutting down"));
        QTimer::singleShot(CloseGraceMs, socket, &QWebSocket::abort);
    }
}

void EventFeed::acceptPending()
{
    while (m_server->hasPendingConnections()) {
        QWebSocket *socket = m_server->nextPendingConnection();
        if (!socket)
            break;
        socket->setParent(this);
        m_handshaking.removeIf([socket](const QPointer<QTcpSocket> &s) {
            return s.isNull() || (s->peerPort() == socket->peerPort() && s->peerAddress() == socket->peerAddress());
        });
        socket->setMaxAllowedIncomingFrameSize(MaxIncomingBytes);
        socket->setMaxAllowedIncomingMessageSize(MaxIncomingBytes);

        const QNetworkRequest request = socket->request();
        const QString refused = refusal(
            socket->requestUrl(), [&request](const QByteArray &name) { return request.rawHeader(name); },
            socket->peerAddress());
        if (!refused.isEmpty()) {
            refuse(socket, QWebSocketProtocol::CloseCodePolicyViolated, refused);
            continue;
        }
        if (m_clients.size() >= m_maxClients) {
            refuse(socket, QWebSocketProtocol::CloseCodePolicyViolated, QStringLiteral("too many clients"));
            continue;
        }

        const QString peer = peerOf(*socket);
        m_clients.insert(socket, Client { peer, 0 });
        m_clientCount = int(m_clients.size());
        const auto alive = [this, socket] {
            if (auto it = m_clients.find(socket); it != m_clients.end())
                it->unansweredPings = 0;
        };
        connect(socket, &QWebSocket::pong, this, alive);
        // Messages from clients carry nothing; they only prove the client is alive.
        connect(socket, &QWebSocket::textMessageReceived, this, alive);
        connect(socket, &QWebSocket::binaryMessageReceived, this, alive);
        connect(socket, &QWebSocket::disconnected, this, [this, socket] {
            forget(socket);
            socket->deleteLater();
        });
        qCDebug(lcFeed) << "Feed client connected:" << peer;
        Q_EMIT clientConnected(peer);
    }
}

QString EventFeed::refusal(const QUrl &requestUrl, const std::function<QByteArray(const QByteArray &)> &header,
                           const QHostAddress &peer) const
{
    if (!m_tokenHash.isEmpty()) {
        QString presented = QUrlQuery(requestUrl).queryItemValue(QStringLiteral("token"), QUrl::FullyDecoded);
        if (presented.isEmpty()) {
            const QByteArray authorization = header("authorization").trimmed();
            if (authorization.size() > 7 && authorization.left(7).toLower() == "bearer ")
                presented = QString::fromUtf8(authorization.mid(7).trimmed());
        }
        if (presented.isEmpty() || !sameDigest(tokenDigest(presented), m_tokenHash))
            return QStringLiteral("missing or wrong token");
        return {};
    }
    if (m_exposed)
        return QStringLiteral("the listener is reachable from other machines and no feed token is set");
    for (const char *name : ProxyHeaders) {
        if (!header(QByteArray(name)).isEmpty())
            return QStringLiteral("the request came through a proxy or tunnel and no feed token is set");
    }
    if (!peer.isLoopback())
        return QStringLiteral("the request came from another machine and no feed token is set");
    return {};
}

bool EventFeed::refuseUpgrade(QTcpSocket *socket)
{
    const PeekedRequest request = peekRequest(*socket);
    const QString reason = request.complete
        ? refusal(request.url, [&request](const QByteArray &name) { return request.headers.value(name); },
                  socket->peerAddress())
        : QStringLiteral("incomplete upgrade request");
    if (reason.isEmpty())
        return false;
    const QString peer = peerOf(*socket);
    qCInfo(lcFeed) << "Refusing feed client" << peer << ":" << reason;
    socket->readAll(); // the request: closing with it unread could reset the connection before the answer
    QJsonObject answer;
    answer.insert(QStringLiteral("error"),
                  QString(QStringLiteral("The event feed needs its token (Authorization: Bearer, or ?token=): ") + reason));
    const QByteArray body = QJsonDocument(answer).toJson(QJsonDocument::Compact);
    socket->write("HTTP/1.1 401 Unauthorized\r\nContent-Type: application/json\r\n"
                  "WWW-Authenticate: Bearer realm=\"qrtickets-feed\"\r\nConnection: close\r\nContent-Length: "
                  + QByteArray::number(body.size()) + "\r\n\r\n" + body);
    connect(socket, &QTcpSocket::disconnected, socket, &QObject::deleteLater);
    socket->disconnectFromHost();
    QTimer::singleShot(CloseGraceMs, socket, &QTcpSocket::abort);
    Q_EMIT clientRefused(peer, reason);
    return true;
}

void EventFeed::refuse(QWebSocket *socket, int closeCode, const QString &reason)
{
    const QString peer = peerOf(*socket);
    qCInfo(lcFeed) << "Refusing feed client" << peer << ":" << reason;
    connect(socket, &QWebSocket::disconnected, socket, &QObject::deleteLater);
    socket->close(static_cast<QWebSocketProtocol::CloseCode>(closeCode), reason);
    QTimer::singleShot(CloseGraceMs, socket, &QWebSocket::abort);
    Q_EMIT clientRefused(peer, reason);
}

void EventFeed::drop(QWebSocket *socket, const QString &reason)
{
    const QString peer = m_clients.value(socket).peer;
    qCWarning(lcFeed) << "Dropping feed client" << peer << ":" << reason;
    forget(socket);
    // abort(), not close(): a close frame would wait behind the backlog the client is not reading.
    disconnect(socket, nullptr, this, nullptr);
    socket->abort();
    socket->deleteLater();
    Q_EMIT clientRefused(peer, reason);
}

void EventFeed::forget(QWebSocket *socket)
{
    const auto it = m_clients.constFind(socket);
    if (it == m_clients.cend())
        return;
    const QString peer = it->peer;
    m_clients.erase(it);
    m_clientCount = int(m_clients.size());
    qCDebug(lcFeed) << "Feed client disconnected:" << peer;
    Q_EMIT clientDisconnected(peer);
}

void EventFeed::sendKeepAlive()
{
    const QList<QWebSocket *> sockets = m_clients.keys();
    for (QWebSocket *socket : sockets) {
        const auto it = m_clients.find(socket);
        if (it == m_clients.end())
            continue;
        if (it->unansweredPings >= 2) {
            drop(socket, QStringLiteral("no answer to keep-alive ping"));
            continue;
        }
        ++it->unansweredPings;
        socket->ping();
    }
}

void EventFeed::publish(FeedEvent event, const QJsonObject &data)
{
    const QDateTime at = m_clock.now().toUTC();
    if (QThread::currentThread() != thread()) {
        QMetaObject::invokeMethod(
            this, [this, event, data, at] { send(event, data, at); }, Qt::QueuedConnection);
        return;
    }
    send(event, data, at);
}

void EventFeed::send(FeedEvent event, const QJsonObject &data, const QDateTime &at)
{
    if (m_clients.isEmpty())
        return;
    const QJsonObject message {
        { QStringLiteral("event"), toString(event) },
        { QStringLiteral("data"), data },
        { QStringLiteral("at"), at.toString(Qt::ISODateWithMs) },
    };
    const QByteArray utf8 = QJsonDocument(message).toJson(QJsonDocument::Compact);
    const QString text = QString::fromUtf8(utf8);

    const QList<QWebSocket *> sockets = m_clients.keys();
    for (QWebSocket *socket : sockets) {
        if (!m_clients.contains(socket)) // gone while an earlier client was written to
            continue;
        const qint64 backlog = socket->bytesToWrite();
        if (backlog > 0 && backlog + utf8.size() > m_maxBacklogBytes) {
            drop(socket, QStringLiteral("too slow: %1 bytes not yet sent").arg(backlog));
            continue;
        }
        socket->sendTextMessage(text);
    }
}

void EventFeed::publishSyncStatus(bool syncInProgress, const QString &status)
{
    publish(FeedEvent::SyncStatus, {
        { QStringLiteral("syncInProgress"), syncInProgress },
        { QStringLiteral("status"), status },
    });
}

void EventFeed::publishSyncProgress(bool syncInProgress, int totalOrders, int syncedOrders, const QString &status)
{
    publish(FeedEvent::SyncProgress, {
        { QStringLiteral("syncInProgress"), syncInProgress },
        { QStringLiteral("totalOrders"), totalOrders },
        { QStringLiteral("syncedOrders"), syncedOrders },
        { QStringLiteral("status"), status },
    });
}

void EventFeed::publishSyncComplete(const QJsonObject &summary)
{
    publish(FeedEvent::SyncComplete, summary);
}

void EventFeed::publishWebhookReceived(const QString &webhookId, const QString &eventType, const QString &orderId,
    bool duplicate)
{
    publish(FeedEvent::WebhookReceived, {
        { QStringLiteral("webhookId"), webhookId },
        { QStringLiteral("eventType"), eventType },
        { QStringLiteral("orderId"), orderId },
        { QStringLiteral("duplicate"), duplicate },
    });
}

void EventFeed::publishOrderSynced(const QString &orderId, const QJsonObject &details)
{
    QJsonObject data = details;
    data.insert(QStringLiteral("orderId"), orderId);
    publish(FeedEvent::OrderSynced, data);
}

void EventFeed::publishTicketStatusChanged(const core::TicketEvent &event)
{
    publish(FeedEvent::TicketStatusChanged, {
        { QStringLiteral("ticketId"), event.ticketId },
        { QStringLiteral("orderId"), event.orderId },
        { QStringLiteral("from"), event.from ? QJsonValue(core::toString(*event.from)) : QJsonValue(QJsonValue::Null) },
        { QStringLiteral("to"), core::toString(event.to) },
        { QStringLiteral("at"), event.at.isValid() ? event.at.toUTC().toString(Qt::ISODateWithMs) : QString() },
        { QStringLiteral("actor"), event.actor },
        { QStringLiteral("reason"), event.reason },
    });
}

} // namespace qrt::feed
