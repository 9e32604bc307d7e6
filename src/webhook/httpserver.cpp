#include "webhook/httpserver.h"

#include <QCoreApplication>
#include <QMetaMethod>
#include <QTcpSocket>
#include <QTimer>

#include <algorithm>

#ifdef __GLIBC__
#include <malloc.h>
#endif
#ifdef Q_OS_UNIX
#include <sys/socket.h>
#include <unistd.h>
#endif

namespace qrt::webhook {

HttpServer::HttpServer(QObject *parent) : HttpServer(Options {}, parent) { }

HttpServer::HttpServer(const Options &options, QObject *parent)
    : QTcpServer(parent), m_options(options), m_logLimiter(options.logRepeatsPerMinute, 60000)
{
    m_clock.start();
    m_logFlush.setInterval(10000);
    connect(&m_logFlush, &QTimer::timeout, this, &HttpServer::flushLogSummaries);
    connect(this, &QTcpServer::acceptError, this, &HttpServer::onAcceptError);
    m_waitCheck.setInterval(2);
    connect(&m_waitCheck, &QTimer::timeout, this, &HttpServer::checkWaiting);
}

HttpServer::~HttpServer()
{
    for (const Waiter &w : std::exchange(m_waiting, {}))
        refuse(w.descriptor, false, w.peer, "connections refused at the connection limit", QStringLiteral("listener closing"));
    // Connections go first, while this object is still whole (they report their end to it).
    const auto connections = findChildren<HttpConnection *>(Qt::FindDirectChildrenOnly);
    for (HttpConnection *c : connections) {
        c->disconnect(this);
        delete c;
    }
}

void HttpServer::addRoute(const QByteArray &path, const QByteArrayList &methods, Handler handler, bool requireJson)
{
    m_routes.append(Route { path, methods, std::move(handler), requireJson });
}

core::Result<void> HttpServer::checkExposure(const core::WebhookSettings &settings)
{
    if (settings.auth == core::WebhookAuth::None && settings.bindsBeyondLoopback()) {
        return core::makeError(QStringLiteral("webhook.insecure"),
            tr("The webhook listener would accept unauthenticated requests from the network on %1. "
               "Set [webhook] auth to ghl-signature or shared-secret, or bind to 127.0.0.1.")
                .arg(settings.bind));
    }
    return {};
}

core::Result<void> HttpServer::start(const core::WebhookSettings &settings)
{
    if (auto exposure = checkExposure(settings); !exposure)
        return exposure;
    if (settings.auth == core::WebhookAuth::SharedSecret && settings.secret.isEmpty()) {
        return core::makeError(QStringLiteral("webhook.no_secret"),
            tr("The webhook listener is set to shared-secret authentication but no secret is configured."));
    }
    QHostAddress address;
    if (settings.bind.compare(u"localhost", Qt::CaseInsensitive) == 0)
        address = QHostAddress(QHostAddress::LocalHost);
    else if (!address.setAddress(settings.bind))
        return core::makeError(QStringLiteral("webhook.bind"), tr("%1 is not an IP address to listen on.").arg(settings.bind));
    m_options.limits.maxBodyBytes = settings.maxBodyBytes;
    if (isListening())
        close();
    // Room in the kernel's accept queue for a connect flood, so GHL's SYN is not dropped (a dropped
    // SYN costs a second or more) while we accept and sort.
    setListenBacklogSize(m_options.listenBacklog);
    if (!listen(address, settings.port)) {
        return core::makeError(QStringLiteral("webhook.listen"),
            tr("Could not listen on %1 port %2.").arg(settings.bind).arg(settings.port), errorString());
    }
    qCInfo(m_options.logCategory).noquote() << "listening on" << serverAddress().toString() << "port" << serverPort()
                                << "auth" << core::toString(settings.auth);
    m_logFlush.start();
    return {};
}

void HttpServer::stop()
{
    close();
    m_waitCheck.stop();
    for (const Waiter &w : std::exchange(m_waiting, {}))
        refuse(w.descriptor, false, w.peer, "connections refused at the connection limit", QStringLiteral("listener stopping"));
    const auto connections = findChildren<HttpConnection *>(Qt::FindDirectChildrenOnly);
    for (HttpConnection *c : connections)
        c->closeConnection();
    flushLogSummaries();
    m_logFlush.stop();
    qCInfo(m_options.logCategory) << "listener stopped";
}

void HttpServer::incomingConnection(qintptr socketDescriptor)
{
    // QTcpServer accepts until the kernel's queue is empty: under a connect flood that is never,
    // and the sockets already accepted are never read (each looks silent, none can be told from
    // GHL). After a few accepts, hand the event loop back, then accept again.
    if (++m_acceptedThisTurn >= AcceptsPerTurn && !m_acceptTurnScheduled) {
        m_acceptTurnScheduled = true;
        setMaxPendingConnections(0); // ends QTcpServer's accept loop after this one
        QTimer::singleShot(0, this, [this] {
            m_acceptTurnScheduled = false;
            m_acceptedThisTurn = 0;
            setMaxPendingConnections(30);
            if (isListening())
                resumeAccepting();
        });
    }
    admit(socketDescriptor, peerOf(socketDescriptor), false);
}

// Gives an accepted socket a slot, or refuses it. A newcomer that has sent nothing and finds no
// slot waits a few ms, unread, before its 429 (waited: it has): GHL's request may be just behind
// its connect, and then it takes the slot of a silent connection.
void HttpServer::admit(qintptr socketDescriptor, const QHostAddress &peer, bool waited)
{
    const bool budgeted = m_options.maxConnectionsPerAddress > 0 && (m_options.budgetLoopback || !isTunnelAddress(peer));
    const bool full = (budgeted && m_perAddress.value(peer) >= m_options.maxConnectionsPerAddress)
        || m_live.size() >= m_options.maxConnections;
    const bool spoke = full && HttpConnection::hasUnreadBytes(socketDescriptor);
    const char *refusal = nullptr;
    if (budgeted && m_perAddress.value(peer) >= m_options.maxConnectionsPerAddress && !evictOne(&peer, spoke))
        refusal = "connections refused at the limit per address";
    else if (m_live.size() >= m_options.maxConnections && !evictOne(nullptr, spoke))
        refusal = "connections refused at the connection limit";
    if (refusal && !spoke && !waited && m_options.admissionWaitMs > 0) {
        if (m_waiting.size() >= MaxWaiting) {
            const Waiter oldest = m_waiting.takeFirst(); // it has had its few ms
            admit(oldest.descriptor, oldest.peer, true);
        }
        m_waiting.append({ socketDescriptor, peer, nowMs() });
        if (!m_waitCheck.isActive())
            m_waitCheck.start();
        return;
    }
    if (refusal) {
        refuse(socketDescriptor, spoke, peer, refusal,
               qstrcmp(refusal, "connections refused at the connection limit") == 0
                   ? QStringLiteral("connection limit of %1 reached").arg(m_options.maxConnections)
                   : QStringLiteral("limit of %1 connections per address reached").arg(m_options.maxConnectionsPerAddress));
        return;
    }
    auto *socket = new QTcpSocket;
    if (!socket->setSocketDescriptor(socketDescriptor)) {
        delete socket;
        return;
    }
    HttpConnection::Options options;
    options.requestTimeoutMs = m_options.requestTimeoutMs;
    options.headerTimeoutMs = m_options.headerTimeoutMs;
    options.firstByteTimeoutMs = m_options.firstByteTimeoutMs;
    options.idleTimeoutMs = m_options.idleTimeoutMs;
    options.bodyAllowanceBytes = m_options.bodyAllowanceBytes;
    options.limits = m_options.limits;
    options.limits.maxPendingRequests = std::min(options.limits.maxPendingRequests, HttpConnection::MaxQueued);
    options.logCategory = m_options.logCategory;
    ++m_perAddress[peer];
    auto *connection = new HttpConnection(socket, this, options);
    m_live.append(connection);
}

void HttpServer::checkWaiting()
{
    const qint64 now = nowMs();
    const QList<Waiter> waiting = std::exchange(m_waiting, {});
    for (const Waiter &w : waiting) {
        if (HttpConnection::hasUnreadBytes(w.descriptor) || now - w.sinceMs >= m_options.admissionWaitMs)
            admit(w.descriptor, w.peer, true);
        else
            m_waiting.append(w);
    }
    if (m_waiting.isEmpty())
        m_waitCheck.stop();
}

// Closes the connection that can best make room: see Options. Returns false when every slot
// (from that address) owes an answer, has its request waiting in the kernel, or is a silent
// connection still in its grace (for a newcomer that has sent nothing either).
bool HttpServer::evictOne(const QHostAddress *onlyFrom, bool newcomerSpoke)
{
    const qint64 now = nowMs();
    struct Candidate
    {
        int rank;
        qint64 since;
        HttpConnection *connection;
    };
    QList<Candidate> candidates;
    for (HttpConnection *c : std::as_const(m_live)) {
        const int cls = c->evictionClass();
        if (cls < 0 || (onlyFrom && c->peer() != *onlyFrom))
            continue;
        if (cls == 0 && c->m_socket && c->m_socket->bytesToWrite() > 0)
            continue; // its last answer is still being written: an abort would lose it
        const bool inGrace = cls == 1 && now - c->evictionSinceMs() < m_options.silentGraceMs;
        if (inGrace && !newcomerSpoke)
            continue; // it had no chance to send yet: the newcomer is no better a bet
        candidates.append({ inGrace ? 4 : cls, c->evictionSinceMs(), c });
    }
    std::sort(candidates.begin(), candidates.end(), [](const Candidate &a, const Candidate &b) {
        return a.rank != b.rank ? a.rank < b.rank : a.since < b.since;
    });
    for (const Candidate &candidate : std::as_const(candidates)) {
        if ((candidate.rank == 1 || candidate.rank == 4) && candidate.connection->hasUnreadBytesInKernel())
            continue;
        candidate.connection->evict();
        return true;
    }
    return false;
}

// 127.0.0.1 and ::1 exactly: where a tunnel on this host (cloudflared) connects from. The rest of
// 127/8 is a distinct peer (and what the listener bench's attackers use).
bool HttpServer::isTunnelAddress(const QHostAddress &peer)
{
    bool isV4 = false;
    const quint32 v4 = peer.toIPv4Address(&isV4); // also an IPv4-mapped IPv6 address
    if (isV4)
        return v4 == 0x7f000001u;
    return peer.isEqual(QHostAddress(QHostAddress::LocalHostIPv6));
}

QHostAddress HttpServer::peerOf(qintptr socketDescriptor)
{
#ifdef Q_OS_UNIX
    sockaddr_storage address {};
    socklen_t length = sizeof address;
    if (::getpeername(int(socketDescriptor), reinterpret_cast<sockaddr *>(&address), &length) == 0)
        return QHostAddress(reinterpret_cast<const sockaddr *>(&address));
    return {};
#else
    QTcpSocket socket;
    socket.setSocketDescriptor(socketDescriptor);
    const QHostAddress peer = socket.peerAddress();
    socket.setSocketDescriptor(-1);
    return peer;
#endif
}

void HttpServer::refuse(qintptr socketDescriptor, bool spoke, const QHostAddress &peer, const char *kind, const QString &why)
{
    ++m_rejectedConnections;
    if (logAllowed(kind))
        qCWarning(m_options.logCategory).noquote() << why + QStringLiteral("; refusing") << peer.toString();
    // 429, not 503: GHL re-sends a delivery only after a 429 (reference/ghl-api/README.md); any
    // other answer loses it for good.
    static const QByteArray busy = [] {
        HttpResponse r = HttpResponse::error(429, QStringLiteral("Too many connections; try again shortly."));
        r.headers.append({ QByteArrayLiteral("Retry-After"), QByteArrayLiteral("10") });
        return serializeResponse(r, false);
    }();
#ifdef Q_OS_UNIX
    if (!spoke) {
        // A connect flood is refused as fast as it comes, so that GHL's connect, queued behind it
        // in the kernel, is reached soon: the answer fits the empty send buffer, and the close
        // after it is graceful (nothing unread).
#ifdef MSG_NOSIGNAL
        constexpr int flags = MSG_DONTWAIT | MSG_NOSIGNAL;
#else
        constexpr int flags = MSG_DONTWAIT;
#endif
        [[maybe_unused]] const auto sent = ::send(int(socketDescriptor), busy.constData(), size_t(busy.size()), flags);
        ::close(int(socketDescriptor));
        return;
    }
#endif
    auto *socket = new QTcpSocket(this);
    if (!socket->setSocketDescriptor(socketDescriptor)) {
        delete socket;
        return;
    }
    socket->write(busy);
    connect(socket, &QTcpSocket::disconnected, socket, &QObject::deleteLater);
    QTimer::singleShot(5000, socket, [socket] { socket->abort(); socket->deleteLater(); });
    socket->disconnectFromHost();
}

void HttpServer::connectionReleased(HttpConnection *connection)
{
    if (!m_live.removeOne(connection))
        return;
    auto it = m_perAddress.find(connection->peer());
    if (it != m_perAddress.end() && --*it <= 0)
        m_perAddress.erase(it);
}

bool HttpServer::reserveBody(qint64 bytes)
{
    if (m_inFlightBody + bytes > m_options.maxInFlightBodyBytes)
        return false;
    m_inFlightBody += bytes;
    return true;
}

void HttpServer::releaseBody(qint64 bytes)
{
    m_inFlightBody = std::max<qint64>(0, m_inFlightBody - bytes);
#ifdef __GLIBC__
    // glibc keeps freed body buffers in its heap (its mmap threshold grows with the first large
    // free): after a burst of large bodies, give the memory back, at most once a second.
    if (bytes >= 512 * 1024 && !m_trimScheduled) {
        m_trimScheduled = true;
        QTimer::singleShot(1000, this, [this] {
            m_trimScheduled = false;
            malloc_trim(0);
        });
    }
#endif
}

bool HttpServer::logAllowed(const char *kind)
{
    return m_logLimiter.allow(QByteArray(kind), nowMs());
}

void HttpServer::flushLogSummaries()
{
    const auto suppressed = m_logLimiter.takeSuppressed(nowMs());
    for (const auto &[kind, count] : suppressed) {
        qCWarning(m_options.logCategory).noquote() << count << "more like this in the last minute:"
                                                   << QString::fromLatin1(kind);
    }
}

// Out of file descriptors (EMFILE) QTcpServer stops accepting for good. Close the connection idle
// longest to free one and accept again shortly.
void HttpServer::onAcceptError(QAbstractSocket::SocketError error)
{
    if (logAllowed("accept errors"))
        qCWarning(m_options.logCategory).noquote() << "cannot accept a connection:" << errorString() << int(error);
    evictOne(nullptr, true);
    if (m_resumeScheduled)
        return;
    m_resumeScheduled = true;
    QTimer::singleShot(50, this, [this] {
        m_resumeScheduled = false;
        if (isListening())
            resumeAccepting();
    });
}

bool HttpServer::isUpgradeHandOver(const HttpRequest &request) const
{
    return request.path == m_options.webSocketPath && request.method == "GET" && request.isWebSocketUpgrade()
        && isSignalConnected(QMetaMethod::fromSignal(&HttpServer::webSocketUpgradeRequested));
}

void HttpServer::handOverWebSocket(QTcpSocket *socket)
{
    qCDebug(m_options.logCategory) << "handing a WebSocket upgrade from" << socket->peerAddress().toString() << "to the feed";
    emit webSocketUpgradeRequested(socket);
}

void HttpServer::dispatch(const HttpRequest &request, const HttpResponder &responder)
{
    if (request.path == m_options.webSocketPath) {
        if (request.method != "GET") {
            HttpResponse r = HttpResponse::error(405, QStringLiteral("Use GET to open the event feed."));
            r.headers.append({ QByteArrayLiteral("Allow"), QByteArrayLiteral("GET") });
            responder.send(r);
        } else if (!isSignalConnected(QMetaMethod::fromSignal(&HttpServer::webSocketUpgradeRequested))) {
            responder.send(HttpResponse::error(404, QStringLiteral("The event feed is not available.")));
        } else {
            responder.send(HttpResponse::error(400, QStringLiteral("The event feed needs a WebSocket upgrade request.")));
        }
        return;
    }
    const Route *route = nullptr;
    for (const Route &r : m_routes) {
        if (r.path == request.path) {
            route = &r;
            break;
        }
    }
    if (!route && m_fallback) {
        m_fallback(request, responder);
        return;
    }
    if (!route) {
        responder.send(HttpResponse::error(404, QStringLiteral("Nothing here.")));
        return;
    }
    if (!route->methods.contains(request.method)) {
        HttpResponse r = HttpResponse::error(405, QStringLiteral("Method %1 is not allowed here.").arg(QString::fromLatin1(request.method)));
        r.headers.append({ QByteArrayLiteral("Allow"), route->methods.join(", ") });
        responder.send(r);
        return;
    }
    if (route->requireJson && request.mediaType() != "application/json") {
        responder.send(HttpResponse::error(415, QStringLiteral("The body must be JSON (Content-Type: application/json).")));
        return;
    }
    route->handler(request, responder);
}

void HttpServer::noteAnswered(const HttpRequest &request, int status)
{
    qCDebug(m_options.logCategory).noquote() << request.peerAddress.toString() << request.method << request.path << status;
    emit requestAnswered(request.method, request.path, status, request.peerAddress);
}

} // namespace qrt::webhook
