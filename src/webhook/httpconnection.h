#pragma once

#include "webhook/httpmessage.h"
#include "webhook/httpparser.h"
#include "webhook/httpresponder.h"
#include "webhook/webhooklogging.h"

#include <QList>
#include <QObject>
#include <QTimer>

class QTcpSocket;

namespace qrt::webhook {

class HttpServer;

// One client socket: feeds the parser, queues pipelined requests, answers them in order, and
// enforces the request (slow client) and idle (keep-alive) timeouts.
//
// Input is peeked, not read, and only the bytes of a finished request are dropped from the
// socket: a WebSocket upgrade request is therefore still unread in the socket when it is handed
// to QWebSocketServer::handleConnection(), which reads the handshake itself.
class HttpConnection : public QObject
{
    Q_OBJECT

public:
    struct Options
    {
        int requestTimeoutMs = 10000;
        int idleTimeoutMs = 60000;
        HttpParser::Limits limits;
        QMessageLogger::CategoryFunction logCategory = &lcWebhook;
    };

    HttpConnection(QTcpSocket *socket, HttpServer *server, const Options &options);
    ~HttpConnection() override;

signals:
    void closed();

private:
    friend class HttpResponder;
    friend class HttpServer;
    static constexpr int MaxQueued = 32;
    // A client that pipelines without reading our answers is not read from until it catches up.
    static constexpr qint64 MaxUnsentBytes = 256 * 1024;

    void onReadyRead();
    void takeParsedRequests();
    void processNext();
    void deliver(const HttpResponse &response, bool keepAlive); // from a responder, on this thread
    void writeResponse(const HttpResponse &response, bool keepAlive);
    void closeConnection();
    void onDisconnected();
    void updateTimers();
    void handOver();

    QTcpSocket *m_socket;
    HttpServer *m_server;
    Options m_options;
    HttpParser m_parser;
    qint64 m_fed = 0; // bytes at the front of the socket buffer already given to the parser
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
    QTimer m_idleTimer;
};

} // namespace qrt::webhook
