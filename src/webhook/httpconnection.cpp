#include "webhook/httpconnection.h"

#include "webhook/httpserver.h"

#include <QCoreApplication>
#include <QTcpSocket>
#include <QThread>

#include <atomic>

namespace qrt::webhook {

namespace {

// Error bodies go to GHL (and other HTTP clients), never in the station's language: plain English.

// After we decided to close, a peer that does not read our last answer is cut off after this.
constexpr int CloseGraceMs = 5000;

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
{
    m_socket->setParent(this);
    // Bounded buffering: at most one request's worth is held in memory; the rest waits in the
    // kernel (TCP flow control) until earlier requests are consumed. A chunked body's framing is
    // bounded separately (maxChunkFramingBytes) and must fit too: the request's bytes leave the
    // socket buffer only once it is complete.
    m_socket->setReadBufferSize(options.limits.maxHeaderBytes + options.limits.maxBodyBytes
                                + options.limits.maxChunkFramingBytes + 64 * 1024);

    m_requestTimer.setSingleShot(true);
    m_requestTimer.setInterval(options.requestTimeoutMs);
    m_idleTimer.setSingleShot(true);
    m_idleTimer.setInterval(options.idleTimeoutMs);
    connect(&m_requestTimer, &QTimer::timeout, this, [this] {
        qCInfo(m_options.logCategory).noquote() << "closing a connection from" << m_socket->peerAddress().toString()
                          << "that did not send a complete request in time";
        closeConnection();
    });
    connect(&m_idleTimer, &QTimer::timeout, this, [this] {
        if (m_closing) {
            m_socket->abort(); // the grace period after disconnectFromHost() is over
            onDisconnected();
        } else {
            closeConnection();
        }
    });
    connect(m_socket, &QTcpSocket::readyRead, this, &HttpConnection::onReadyRead);
    connect(m_socket, &QTcpSocket::disconnected, this, &HttpConnection::onDisconnected);
    connect(m_socket, &QTcpSocket::bytesWritten, this, [this] {
        if (!m_closing && m_socket->bytesToWrite() <= MaxUnsentBytes && m_socket->bytesAvailable() > m_fed)
            onReadyRead();
    });
    updateTimers();
    if (m_socket->bytesAvailable() > 0)
        onReadyRead();
}

HttpConnection::~HttpConnection()
{
    emit closed();
}

void HttpConnection::onReadyRead()
{
    if (m_closing || m_upgradeQueued || m_parser.hasError() || m_queue.size() >= MaxQueued
        || m_socket->bytesToWrite() > MaxUnsentBytes)
        return;
    const qint64 available = m_socket->bytesAvailable();
    if (available > m_fed) {
        const QByteArray data = m_socket->peek(available);
        m_parser.feed(QByteArrayView(data).sliced(m_fed));
        m_fed = data.size();
    }
    if (m_parser.hasRequest())
        m_requestTimer.stop(); // the next request gets its own full time
    takeParsedRequests();
    if (m_parser.takeContinueRequest() && m_queue.isEmpty() && !m_busy)
        m_socket->write(QByteArrayLiteral("HTTP/1.1 100 Continue\r\n\r\n"));
    if (!m_busy)
        processNext();
    updateTimers();
}

void HttpConnection::takeParsedRequests()
{
    while (m_parser.hasRequest()) {
        HttpRequest request = m_parser.takeRequest();
        request.peerAddress = m_socket->peerAddress();
        request.peerPort = m_socket->peerPort();
        if (m_server->isUpgradeHandOver(request)) {
            // Leave its bytes (and anything after them) unread for QWebSocketServer.
            m_upgradeQueued = true;
            m_queue.append(std::move(request));
            return;
        }
        m_socket->skip(request.rawSize);
        m_fed -= request.rawSize;
        m_queue.append(std::move(request));
    }
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
    if (!m_busy && !m_closing && m_queue.isEmpty() && m_parser.hasError() && !m_errorAnswered) {
        m_errorAnswered = true;
        HttpRequest unknown;
        unknown.peerAddress = m_socket->peerAddress();
        const HttpResponse response = HttpResponse::error(m_parser.errorStatus(), m_parser.errorMessage());
        qCInfo(m_options.logCategory).noquote() << "refused a request from" << unknown.peerAddress.toString() << "with"
                                    << m_parser.errorStatus() << m_parser.errorMessage();
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
    m_server->noteAnswered(request, response.status);
    if (m_disconnected) {
        deleteLater();
        return;
    }
    writeResponse(response, keepAlive && !m_closing); // closes unless kept alive
    if (m_closing)
        return;
    // Input may have been held back while the queue was full.
    if (!m_readScheduled && m_queue.size() < MaxQueued && m_socket->bytesAvailable() > m_fed) {
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
    m_requestTimer.stop();
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
    m_idleTimer.stop();
    if (!m_busy)
        deleteLater();
}

void HttpConnection::updateTimers()
{
    if (m_closing)
        return;
    const bool partial = !m_parser.idle() && !m_parser.hasError();
    if (partial) {
        if (!m_requestTimer.isActive())
            m_requestTimer.start();
    } else {
        m_requestTimer.stop();
    }
    if (!partial && m_queue.isEmpty() && !m_busy) {
        if (!m_idleTimer.isActive())
            m_idleTimer.start(m_options.idleTimeoutMs);
    } else {
        m_idleTimer.stop();
    }
}

void HttpConnection::handOver()
{
    QTcpSocket *socket = m_socket;
    const HttpRequest request = m_queue.takeFirst();
    m_closing = true;
    m_requestTimer.stop();
    m_idleTimer.stop();
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
