#pragma once

#include "webhook/httpmessage.h"
#include "webhook/httpparser.h"
#include "webhook/httpresponder.h"
#include "webhook/webhooklogging.h"

#include <QHostAddress>
#include <QList>
#include <QObject>
#include <QTimer>

#include <optional>

class QTcpSocket;

namespace qrt::webhook {

class HttpServer;

// One client socket: feeds the parser, queues pipelined requests, answers them in order, and
// enforces the first-byte, header and request timeouts (slow clients, answered 408) and the idle
// (keep-alive) timeout. Bodies beyond a small allowance are charged to the server's in-flight
// budget until handled; a request that does not fit is answered 429 with Retry-After.
//
// Input is read once, in a read transaction: the bytes of an unfinished head stay in the socket
// (rolled back, only that part) so that a WebSocket upgrade request is still unread when it is
// handed to QWebSocketServer::handleConnection(), which reads the handshake itself. Every other
// byte is read and parsed once (a body arriving in small pieces costs O(n)).
class HttpConnection : public QObject
{
    Q_OBJECT

public:
    struct Options
    {
        int requestTimeoutMs = 10000;
        int headerTimeoutMs = 5000;
        int firstByteTimeoutMs = 3000;
        int idleTimeoutMs = 60000;
        qint64 bodyAllowanceBytes = 64 * 1024;
        HttpParser::Limits limits;
        QMessageLogger::CategoryFunction logCategory = &lcWebhook;
    };

    HttpConnection(QTcpSocket *socket, HttpServer *server, const Options &options);
    ~HttpConnection() override;

    const QHostAddress &peer() const { return m_peer; }
    // Which connection makes room when the listener is full: lower goes first (0 already closing,
    // 1 never sent a byte, 2 idle keep-alive, 3 a request still arriving); -1 never (an answer
    // is owed or requests wait). Among equals the one in that state longest.
    int evictionClass() const { return m_class; }
    qint64 evictionSinceMs() const { return m_classSince; }
    // A connection that has not been read from yet may already have its request in the kernel:
    // it is not silent (GHL's request must not be closed before it was read).
    bool hasUnreadBytesInKernel() const;
    // The same for a socket descriptor not accepted into a connection yet.
    static bool hasUnreadBytes(qintptr socketDescriptor);
    void evict();

signals:
    void closed();

private:
    friend class HttpResponder;
    friend class HttpServer;
    static constexpr int MaxQueued = 32;
    // A client that pipelines without reading our answers is not read from until it catches up.
    static constexpr qint64 MaxUnsentBytes = 256 * 1024;

    void onReadyRead();
    bool hasUnreadInput() const;
    void takeParsedRequests();
    void settleTransaction();
    bool chargeBody(); // false: refused (over the server's in-flight budget)
    void releaseCharge();
    void onRequestTimeout(const char *what);
    void processNext();
    void deliver(const HttpResponse &response, bool keepAlive); // from a responder, on this thread
    void writeResponse(const HttpResponse &response, bool keepAlive);
    void closeConnection();
    void onDisconnected();
    void updateTimers();
    void handOver();
    void release();

    QTcpSocket *m_socket;
    HttpServer *m_server;
    Options m_options;
    HttpParser m_parser;
    QHostAddress m_peer;
    // Stream offsets: read and gone from the socket; read in the open transaction; start of the
    // next request to take from the parser.
    qint64 m_consumed = 0;
    qint64 m_txBytes = 0;
    qint64 m_requestStart = 0;
    qint64 m_charge = 0; // body bytes charged to the server's in-flight budget
    std::optional<HttpResponse> m_refusal;
    int m_class = 1;
    qint64 m_classSince = 0;
    bool m_spoke = false;
    bool m_released = false;
    QList<HttpRequest> m_queue;
    bool m_busy = false;         // a handler owes an answer
    bool m_dispatching = false;
    bool m_readScheduled = false;
    bool m_upgradeQueued = false; // the last queued request is a WebSocket upgrade
    bool m_errorAnswered = false;
    bool m_closing = false;
    bool m_closeStarted = false;
    bool m_disconnected = false;
    QTimer m_requestTimer;
    QTimer m_headerTimer;
    QTimer m_idleTimer;
};

} // namespace qrt::webhook
