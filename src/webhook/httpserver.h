#pragma once

#include "core/config.h"
#include "core/result.h"
#include "webhook/httpconnection.h"
#include "webhook/httpmessage.h"
#include "webhook/httpresponder.h"
#include "webhook/webhooklogging.h"

#include <QByteArrayList>
#include <QHostAddress>
#include <QTcpServer>

#include <functional>

class QTcpSocket;

namespace qrt::webhook {

// The embedded HTTP/1.1 listener: a QTcpServer with one HttpConnection per socket, a cap on
// concurrent connections, a small route table and a hand-off of GET /ws to the event feed.
// Also the GHL simulator's transport: it routes every request itself through the fallback
// handler, with no /ws path and its own log category.
// Destroy it only once handlers running on other threads have answered: a pending responder
// refers to its connection.
class HttpServer : public QTcpServer
{
    Q_OBJECT

public:
    struct Options
    {
        int requestTimeoutMs = 10000; // a request must arrive completely within this time
        int idleTimeoutMs = 60000;    // keep-alive connections idle this long are closed
        int maxConnections = 256;     // beyond it new clients get 503 and are closed
        HttpParser::Limits limits;
        QByteArray webSocketPath = QByteArrayLiteral("/ws"); // empty: no event feed hand-off
        QMessageLogger::CategoryFunction logCategory = &lcWebhook; // connection and listener events
    };

    using Handler = std::function<void(const HttpRequest &request, const HttpResponder &responder)>;

    explicit HttpServer(QObject *parent = nullptr);
    explicit HttpServer(const Options &options, QObject *parent = nullptr);
    ~HttpServer() override;

    // requireJson: a body whose Content-Type is not application/json is answered 415.
    void addRoute(const QByteArray &path, const QByteArrayList &methods, Handler handler, bool requireJson = false);
    // Forgets every route (before a handler with new settings installs its own).
    void clearRoutes() { m_routes.clear(); }
    // Answers the requests no route matches (instead of 404), for a user with its own routing.
    void setFallbackHandler(Handler handler) { m_fallback = std::move(handler); }

    // Applies the body limit of the settings, refuses auth = none beyond loopback, and listens
    // on bind:port. port 0 picks a free port (serverPort() tells which).
    core::Result<void> start(const core::WebhookSettings &settings);
    static core::Result<void> checkExposure(const core::WebhookSettings &settings);
    // Stops listening and closes every connection; one whose handler still owes an answer is
    // closed right after that answer.
    void stop();

    const Options &options() const { return m_options; }
    int connectionCount() const { return m_connections; }
    quint64 rejectedConnections() const { return m_rejectedConnections; }

signals:
    // A GET /ws upgrade; the receiver takes ownership of the socket (it has no parent) and should
    // pass it to QWebSocketServer::handleConnection(). The handshake bytes are still unread in it.
    // Connect with a direct connection. Without a receiver /ws answers 404.
    void webSocketUpgradeRequested(QTcpSocket *socket);
    // Every answered request, for the listener panel; never carries bodies or credentials.
    void requestAnswered(const QByteArray &method, const QByteArray &path, int status, const QHostAddress &peer);

protected:
    void incomingConnection(qintptr socketDescriptor) override;

private:
    friend class HttpConnection;
    struct Route
    {
        QByteArray path;
        QByteArrayList methods;
        Handler handler;
        bool requireJson = false;
    };

    // Called by connections.
    bool isUpgradeHandOver(const HttpRequest &request) const;
    void dispatch(const HttpRequest &request, const HttpResponder &responder);
    void handOverWebSocket(QTcpSocket *socket);
    void noteAnswered(const HttpRequest &request, int status);

    Options m_options;
    QList<Route> m_routes;
    Handler m_fallback;
    int m_connections = 0;
    quint64 m_rejectedConnections = 0;
};

} // namespace qrt::webhook
