#include "webhook/httpconnection.h"

#include "webhook/httpserver.h"

#include <QCoreApplication>
#include <QTcpSocket>
#include <QThread>

#include <atomic>

#ifdef Q_OS_WIN
#include <winsock2.h>
#else
#include <sys/socket.h>
#endif

#include <algorithm>

namespace qrt::webhook {

namespace {

// Error bodies go to GHL (and other HTTP clients), never in the station's language: plain English.

// After we decided to close, a peer that does not read our last answer is cut off after this.
constexpr int CloseGraceMs = 5000;
// At most this much is read from the socket at once (and held in its buffer beyond a head).
constexpr qint64 ReadChunkBytes = 64 * 1024;

} // namespace

struct HttpResponder::Private
{
    HttpConnection *connection = nullptr;
    bool keepAlive = true;
    std::atomic_bool sent { false };

    static void post(HttpConnection *connection, HttpResponse response, bool keepAlive)
    {
        // The connection stays alive until its pending responder has answered (see deliver()),
        // so the raw pointer is safe here on any thread.
        if (QThread::currentThread() == connection->thread()) {
            connection->deliver(response, keepAlive);
        } else {
            QMetaObject::invokeMethod(
                connection, [connection, response = std::move(response), keepAlive] { connection->deliver(response, keepAlive); },
                Qt::QueuedConnection);
        }
    }

    ~Private()
    {
        if (!sent.exchange(true))
            post(connection, HttpResponse::error(500, QStringLiteral("The request was not answered.")), keepAlive);
    }
};

void HttpResponder::send(HttpResponse response) const
{
    if (!d || d->sent.exchange(true))
        return;
    Private::post(d->connection, std::move(response), d->keepAlive);
}

HttpConnection::HttpConnection(QTcpSocket *socket, HttpServer *server, const Options &options)
    : QObject(server), m_socket(socket), m_server(server), m_options(options), m_parser(options.limits)
    , m_peer(socket->peerAddress())
{
    m_socket->setParent(this);
    // Bounded buffering: the socket holds at most an unfinished head plus one read; the parser holds
    // the request being received, whose body is charged to the server's budget. The rest waits in
    // the kernel (TCP flow control).
    m_socket->setReadBufferSize(options.limits.maxHeaderBytes + ReadChunkBytes);
    m_classSince = m_server->nowMs();

    m_requestTimer.setSingleShot(true);
    m_requestTimer.setInterval(options.requestTimeoutMs);
    m_headerTimer.setSingleShot(true);
    m_headerTimer.setInterval(options.headerTimeoutMs);
    m_idleTimer.setSingleShot(true);
    connect(&m_requestTimer, &QTimer::timeout, this, [this] { onRequestTimeout("a request that did not arrive in time"); });
    connect(&m_headerTimer, &QTimer::timeout, this, [this] { onRequestTimeout("request headers that did not arrive in time"); });
    connect(&m_idleTimer, &QTimer::timeout, this, [this] {
        if (m_closing) {
            m_socket->abort(); // the grace period after disconnectFromHost() is over
            onDisconnected();
            return;
        }
        if (!m_spoke && m_server->logAllowed("connections closed that sent nothing")) {
            qCInfo(m_options.logCategory).noquote() << "closing a connection from" << m_peer.toString() << "that sent nothing within"
                                                    << m_options.firstByteTimeoutMs << "ms";
        }
        closeConnection();
    });
    connect(m_socket, &QTcpSocket::readyRead, this, &HttpConnection::onReadyRead);
    connect(m_socket, &QTcpSocket::disconnected, this, &HttpConnection::onDisconnected);
    connect(m_socket, &QTcpSocket::bytesWritten, this, [this] {
        if (!m_closing && m_socket->bytesToWrite() <= MaxUnsentBytes && hasUnreadInput())
            onReadyRead();
    });
    updateTimers();
    if (m_socket->bytesAvailable() > 0)
        onReadyRead();
}

HttpConnection::~HttpConnection()
{
    releaseCharge();
    release();
    emit closed();
}

bool HttpConnection::hasUnreadInput() const
{
    return m_socket->bytesAvailable() > 0 || m_parser.hasRequest() || m_parser.unparsedBytes() > 0;
}

void HttpConnection::onReadyRead()
{
    if (m_closing || m_upgradeQueued || m_parser.hasError() || m_refusal || m_queue.size() >= MaxQueued
        || m_socket->bytesToWrite() > MaxUnsentBytes)
        return;
    if (!m_parser.hasRequest()) {
        const qint64 available = std::min<qint64>(m_socket->bytesAvailable(), ReadChunkBytes);
        if (available > 0) {
            m_spoke = true;
            if (!m_socket->isTransactionStarted())
                m_socket->startTransaction();
            const QByteArray data = m_socket->read(available);
            m_txBytes += data.size();
            m_parser.feed(data);
        } else if (m_parser.unparsedBytes() > 0) {
            m_parser.feed({}); // resumes parsing paused at maxPendingRequests
        }
    }
    takeParsedRequests();
    if (!m_upgradeQueued)
        settleTransaction();
    if (!chargeBody())
        return;
    if (m_parser.takeContinueRequest() && m_queue.isEmpty() && !m_busy)
        m_socket->write(QByteArrayLiteral("HTTP/1.1 100 Continue\r\n\r\n"));
    if (!m_busy)
        processNext();
    updateTimers();
    // More than one read's worth may be waiting (a pipeline, or a read cut at ReadChunkBytes).
    if (!m_closing && !m_readScheduled && m_queue.size() < MaxQueued && m_socket->bytesAvailable() > 0) {
        m_readScheduled = true;
        QMetaObject::invokeMethod(this, [this] {
            m_readScheduled = false;
            onReadyRead();
        }, Qt::QueuedConnection);
    }
}

void HttpConnection::takeParsedRequests()
{
    while (m_parser.hasRequest() && m_queue.size() < MaxQueued) {
        HttpRequest request = m_parser.takeRequest();
        request.peerAddress = m_peer;
        request.peerPort = m_socket->peerPort();
        // Only a request whose bytes are all still in the open transaction can be handed over
        // (an upgrade with a body has been read; it is answered like any request).
        if (m_server->isUpgradeHandOver(request) && m_socket->isTransactionStarted() && m_requestStart >= m_consumed) {
            // Put its bytes (and anything after them) back, unread, for QWebSocketServer.
            m_socket->rollbackTransaction();
            m_socket->skip(m_requestStart - m_consumed);
            m_consumed = m_requestStart;
            m_txBytes = 0;
            m_upgradeQueued = true;
            m_queue.append(std::move(request));
            return;
        }
        m_requestStart += request.rawSize;
        const bool large = request.body.size() > m_options.bodyAllowanceBytes;
        m_queue.append(std::move(request));
        // The parser's buffer keeps the capacity it reserved for a large body (a second copy of
        // it, as long as this connection lives): a fresh parser lets it go.
        if (large && m_parser.idle() && !m_parser.hasRequest())
            m_parser = HttpParser(m_options.limits);
    }
}

// Ends the read transaction as far as the input is settled: everything but an unfinished head
// (which may be a WebSocket upgrade) leaves the socket. Each byte is copied at most twice.
void HttpConnection::settleTransaction()
{
    if (!m_socket->isTransactionStarted() || m_parser.hasRequest())
        return; // requests not taken yet keep their bytes until they are
    const qint64 end = m_consumed + m_txBytes;
    const qint64 keepFrom = end - m_parser.unparsedBytes();
    if (keepFrom >= end) {
        m_socket->commitTransaction();
        m_consumed = end;
        m_txBytes = 0;
    } else if (keepFrom > m_consumed) {
        m_socket->rollbackTransaction();
        m_socket->skip(keepFrom - m_consumed);
        m_socket->startTransaction();
        m_socket->skip(end - keepFrom); // within the transaction: read again, kept for a rollback
        m_consumed = keepFrom;
        m_txBytes = end - keepFrom;
    }
}

bool HttpConnection::chargeBody()
{
    if (m_refusal)
        return false;
    if (m_disconnected) {
        releaseCharge();
        return true;
    }
    const qint64 allowance = m_options.bodyAllowanceBytes;
    qint64 want = std::max<qint64>(0, m_parser.bodyBytesReserved() - allowance);
    // The request being handled counts until it is answered: its signature may not be checked yet.
    for (const HttpRequest &queued : std::as_const(m_queue))
        want += std::max<qint64>(0, queued.body.size() - allowance);
    if (want <= m_charge) {
        m_server->releaseBody(m_charge - want);
        m_charge = want;
        return true;
    }
    if (m_server->reserveBody(want - m_charge)) {
        m_charge = want;
        return true;
    }
    // Over the budget: this request and what is queued behind the one being handled are refused.
    releaseCharge();
    if (m_server->logAllowed("requests refused over the in-flight body budget")) {
        qCWarning(m_options.logCategory).noquote() << "refusing a request body from" << m_peer.toString()
                                                   << "over the in-flight body budget";
    }
    HttpResponse busy = HttpResponse::error(429, QStringLiteral("Too many request bodies in flight; try again shortly."));
    busy.headers.append({ QByteArrayLiteral("Retry-After"), QByteArrayLiteral("10") });
    m_refusal = busy;
    m_parser = HttpParser(m_options.limits); // frees the buffered body
    while (m_queue.size() > (m_busy ? 1 : 0))
        m_queue.removeLast();
    if (m_socket->isTransactionStarted())
        m_socket->commitTransaction();
    m_requestTimer.stop();
    m_headerTimer.stop();
    if (!m_busy)
        processNext();
    return false;
}

void HttpConnection::releaseCharge()
{
    if (m_charge > 0)
        m_server->releaseBody(m_charge);
    m_charge = 0;
}

void HttpConnection::onRequestTimeout(const char *what)
{
    if (m_server->logAllowed("requests timed out (408)")) {
        qCInfo(m_options.logCategory).noquote() << "answering 408 to" << m_peer.toString() << "for" << what;
    }
    if (m_busy || !m_queue.isEmpty() || m_closing) {
        closeConnection();
        return;
    }
    HttpRequest unknown;
    unknown.peerAddress = m_peer;
    // Headers that never complete get 408. A body that stalls after complete headers may be a
    // webhook behind a slow tunnel: GHL retries a delivery only after a 429, so that is the answer.
    HttpResponse timeout = m_parser.inBody()
        ? HttpResponse::error(429, QStringLiteral("The request body did not arrive in time; send it again later."))
        : HttpResponse::error(408, QStringLiteral("The request did not arrive in time."));
    if (timeout.status == 429)
        timeout.headers.append({ QByteArrayLiteral("Retry-After"), QByteArrayLiteral("10") });
    m_server->noteAnswered(unknown, timeout.status);
    writeResponse(timeout, false);
}

bool HttpConnection::hasUnreadBytesInKernel() const
{
    if (m_spoke || !m_socket || m_socket->socketDescriptor() < 0)
        return false;
    return hasUnreadBytes(m_socket->socketDescriptor());
}

bool HttpConnection::hasUnreadBytes(qintptr socketDescriptor)
{
    if (socketDescriptor < 0)
        return false;
    char c;
#ifdef MSG_DONTWAIT
    const int flags = MSG_PEEK | MSG_DONTWAIT;
#else
    const int flags = MSG_PEEK; // the socket is non-blocking
#endif
    return ::recv(socketDescriptor, &c, 1, flags) > 0;
}

void HttpConnection::evict()
{
    if (m_server->logAllowed("connections closed to make room")) {
        static const char *const states[] = { "closing", "silent", "idle", "mid-request" };
        qCInfo(m_options.logCategory).noquote() << "closing a" << states[std::clamp(m_class, 0, 3)] << "connection from"
                                                << m_peer.toString() << "to make room";
    }
    m_closing = true;
    m_socket->abort();
    onDisconnected();
}

void HttpConnection::processNext()
{
    // A handler that answers synchronously re-enters through deliver(); the loop below carries on
    // instead, so a long pipeline does not deepen the stack.
    if (m_dispatching)
        return;
    m_dispatching = true;
    while (!m_busy && !m_closing && !m_queue.isEmpty()) {
        if (m_upgradeQueued && m_queue.size() == 1) {
            m_dispatching = false;
            handOver();
            return;
        }
        const HttpRequest request = m_queue.first();
        m_busy = true;
        auto p = std::make_shared<HttpResponder::Private>();
        p->connection = this;
        p->keepAlive = request.keepAlive;
        m_server->dispatch(request, HttpResponder(std::move(p)));
    }
    m_dispatching = false;
    chargeBody(); // what was dispatched no longer counts
    if (!m_busy && !m_closing && m_queue.isEmpty() && (m_parser.hasError() || m_refusal) && !m_errorAnswered) {
        m_errorAnswered = true;
        HttpRequest unknown;
        unknown.peerAddress = m_peer;
        const HttpResponse response = m_refusal ? *m_refusal : HttpResponse::error(m_parser.errorStatus(), m_parser.errorMessage());
        if (!m_refusal && m_server->logAllowed("malformed requests refused")) {
            qCInfo(m_options.logCategory).noquote() << "refused a request from" << unknown.peerAddress.toString() << "with"
                                                    << m_parser.errorStatus() << m_parser.errorMessage();
        }
        m_server->noteAnswered(unknown, response.status);
        writeResponse(response, false);
    }
}

void HttpConnection::deliver(const HttpResponse &response, bool keepAlive)
{
    if (!m_busy || m_queue.isEmpty())
        return;
    const HttpRequest request = m_queue.takeFirst();
    m_busy = false;
    chargeBody();
    m_server->noteAnswered(request, response.status);
    if (m_disconnected) {
        deleteLater();
        return;
    }
    writeResponse(response, keepAlive && !m_closing); // closes unless kept alive
    if (m_closing)
        return;
    // Input may have been held back while the queue was full.
    if (!m_readScheduled && m_queue.size() < MaxQueued && hasUnreadInput()) {
        m_readScheduled = true;
        QMetaObject::invokeMethod(this, [this] {
            m_readScheduled = false;
            onReadyRead();
        }, Qt::QueuedConnection);
    }
    processNext();
    updateTimers();
}

void HttpConnection::writeResponse(const HttpResponse &response, bool keepAlive)
{
    const bool keep = keepAlive && !response.close;
    m_socket->write(serializeResponse(response, keep));
    if (!keep)
        closeConnection();
}

void HttpConnection::closeConnection()
{
    m_closing = true;
    if (!m_released) {
        m_class = m_busy ? -1 : 0;
        m_classSince = m_server->nowMs();
    }
    m_requestTimer.stop();
    m_headerTimer.stop();
    // Pipelined requests after a close are not answered; one being handled still is.
    while (m_queue.size() > (m_busy ? 1 : 0))
        m_queue.removeLast();
    if (m_busy)
        return; // deliver() closes once the pending answer is written
    if (m_disconnected || m_closeStarted)
        return;
    m_closeStarted = true;
    m_socket->disconnectFromHost();
    if (m_socket->state() == QAbstractSocket::UnconnectedState) {
        onDisconnected();
        return;
    }
    m_idleTimer.start(CloseGraceMs);
}

void HttpConnection::onDisconnected()
{
    if (m_disconnected)
        return;
    m_disconnected = true;
    m_closing = true;
    m_requestTimer.stop();
    m_headerTimer.stop();
    m_idleTimer.stop();
    releaseCharge();
    release();
    if (!m_busy)
        deleteLater();
}

// The slot goes back to the server once, as soon as the socket is gone or handed over.
void HttpConnection::release()
{
    if (m_released)
        return;
    m_released = true;
    m_class = -1;
    m_server->connectionReleased(this);
}

void HttpConnection::updateTimers()
{
    if (m_closing) {
        if (!m_released && m_class != 0) {
            m_class = m_busy ? -1 : 0;
            m_classSince = m_server->nowMs();
        }
        return;
    }
    // The clock runs only while we wait on the client: not while it waits on us.
    const bool waitingOnClient = !m_busy && m_queue.isEmpty() && !m_parser.hasRequest();
    const bool partial = waitingOnClient && !m_parser.idle() && !m_parser.hasError();
    if (partial) {
        if (!m_requestTimer.isActive())
            m_requestTimer.start();
        if (m_parser.inBody())
            m_headerTimer.stop();
        else if (!m_headerTimer.isActive())
            m_headerTimer.start();
    } else {
        m_requestTimer.stop();
        m_headerTimer.stop();
    }
    if (waitingOnClient && !partial) {
        if (!m_idleTimer.isActive())
            m_idleTimer.start(m_spoke ? m_options.idleTimeoutMs : m_options.firstByteTimeoutMs);
    } else {
        m_idleTimer.stop();
    }
    const int cls = !waitingOnClient ? -1 : !m_spoke ? 1 : partial ? 3 : 2;
    if (cls != m_class) {
        m_class = cls;
        m_classSince = m_server->nowMs();
    }
}

void HttpConnection::handOver()
{
    QTcpSocket *socket = m_socket;
    const HttpRequest request = m_queue.takeFirst();
    m_closing = true;
    m_requestTimer.stop();
    m_headerTimer.stop();
    m_idleTimer.stop();
    releaseCharge();
    release();
    socket->disconnect(this);
    socket->setReadBufferSize(0);
    socket->setParent(nullptr);
    m_socket = nullptr;
    m_disconnected = true;
    m_server->noteAnswered(request, 101);
    m_server->handOverWebSocket(socket);
    deleteLater();
}

} // namespace qrt::webhook
