#pragma once

#include "core/config.h"
#include "core/logratelimiter.h"
#include "core/result.h"
#include "webhook/httpconnection.h"
#include "webhook/httpmessage.h"
#include "webhook/httpresponder.h"
#include "webhook/webhooklogging.h"

#include <QByteArrayList>
#include <QElapsedTimer>
#include <QHash>
#include <QHostAddress>
#include <QTcpServer>
#include <QTimer>

#include <functional>

class QTcpSocket;

namespace qrt::webhook {

// The embedded HTTP/1.1 listener: a QTcpServer with one HttpConnection per socket, a small route
// table and a hand-off of GET /ws to the event feed. Its defenses: a cap on connections in total
// and per address, where a newcomer over the cap takes the slot of the connection idle longest
// (silent past its grace, then idle keep-alive, then a request still arriving). A connection
// younger than the grace that has sent nothing yet is never closed for a newcomer that has sent
// nothing either (it had no chance to speak: GHL's request may be a few ms behind its connect),
// nor is one whose request is already waiting in the kernel; a newcomer whose request is already
// in the kernel may take the slot of a silent one in its grace. A newcomer that finds no slot gets
// 429 + Retry-After (GHL re-sends after it). Also first-byte, header and request timeouts; a budget
// of body bytes in flight; and refusals logged a few times a minute with a count of the rest.
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
        int requestTimeoutMs = 10000;  // a request must arrive completely within this time, or 408
        int headerTimeoutMs = 5000;    // its head within this time of its first byte, or 408
        int firstByteTimeoutMs = 3000; // a new connection that sends nothing for this long is closed
        int idleTimeoutMs = 60000;     // keep-alive connections idle this long are closed
        int maxConnections = 256;      // beyond it one idle connection makes room, or 429
        int maxConnectionsPerAddress = 64;
        // A new connection that has sent nothing is not closed to make room before this.
        int silentGraceMs = 1000;
        // A newcomer that finds no slot and has sent nothing waits this long, unread, for its
        // first bytes (then it may take a silent slot) before its 429.
        int admissionWaitMs = 30;
        // A tunnel or reverse proxy on this host (cloudflared) shows every client as 127.0.0.1 (or
        // ::1): by default those two share only the global cap. The rest of 127/8 is budgeted.
        bool budgetLoopback = false;
        // Body bytes buffered across requests not handled yet; each request's first
        // bodyAllowanceBytes are free (webhooks are a few KiB), the rest is charged here.
        qint64 maxInFlightBodyBytes = 32LL * 1024 * 1024;
        qint64 bodyAllowanceBytes = 64 * 1024;
        int listenBacklog = 1024;
        int logRepeatsPerMinute = 5; // of each kind of refusal or timeout; then one summary line
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
    int connectionCount() const { return int(m_live.size()); }
    quint64 rejectedConnections() const { return m_rejectedConnections; }
    qint64 inFlightBodyBytes() const { return m_inFlightBody; }

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
    void connectionReleased(HttpConnection *connection);
    bool reserveBody(qint64 bytes);
    void releaseBody(qint64 bytes);
    bool logAllowed(const char *kind);
    qint64 nowMs() const { return m_clock.elapsed(); }

    // newcomerSpoke: the newcomer's first bytes are already in the kernel.
    bool evictOne(const QHostAddress *onlyFrom, bool newcomerSpoke);
    static bool isTunnelAddress(const QHostAddress &peer);
    // 429 + Retry-After and close; spoke: the client's bytes are unread in the socket.
    void refuse(qintptr socketDescriptor, bool spoke, const QHostAddress &peer, const char *kind, const QString &why);
    static QHostAddress peerOf(qintptr socketDescriptor);
    void admit(qintptr socketDescriptor, const QHostAddress &peer, bool waited);
    void checkWaiting();
    void onAcceptError(QAbstractSocket::SocketError error);
    void flushLogSummaries();

    Options m_options;
    QList<Route> m_routes;
    Handler m_fallback;
    QList<HttpConnection *> m_live;
    QHash<QHostAddress, int> m_perAddress;
    qint64 m_inFlightBody = 0;
    quint64 m_rejectedConnections = 0;
    QElapsedTimer m_clock;
    core::LogRateLimiter m_logLimiter;
    QTimer m_logFlush;
    bool m_resumeScheduled = false;
    bool m_trimScheduled = false;
    struct Waiter
    {
        qintptr descriptor;
        QHostAddress peer;
        qint64 sinceMs;
    };
    static constexpr int MaxWaiting = 64;
    QList<Waiter> m_waiting; // accepted, not admitted yet: see admit()
    QTimer m_waitCheck;
    static constexpr int AcceptsPerTurn = 16;
    int m_acceptedThisTurn = 0;
    bool m_acceptTurnScheduled = false;
};

} // namespace qrt::webhook
