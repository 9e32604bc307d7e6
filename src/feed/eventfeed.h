#pragma once

#include "core/clock.h"
#include "core/result.h"
#include "core/ticket.h"

#include <QByteArray>
#include <QDateTime>
#include <QHash>
#include <QHostAddress>
#include <QJsonObject>
#include <QList>
#include <QObject>
#include <QPointer>
#include <QString>
#include <QTimer>

#include <atomic>
#include <functional>

QT_BEGIN_NAMESPACE
class QTcpSocket;
class QWebSocket;
class QWebSocketServer;
QT_END_NAMESPACE

namespace qrt::feed {

// The event names of PRODUCT.md section 3 (the original system's Socket.IO events plus ours).
enum class FeedEvent {
    SyncStatus,          // sync_status          {syncInProgress, status}
    SyncProgress,        // sync_progress        {syncInProgress, totalOrders, syncedOrders, status}
    SyncComplete,        // sync_complete        {} or a summary
    WebhookReceived,     // webhook_received     {webhookId, eventType, orderId, duplicate}
    OrderSynced,         // order_synced         {orderId, ...}
    TicketStatusChanged, // ticket_status_changed {ticketId, orderId, from, to, at, actor, reason}
};

QString toString(FeedEvent event);

// The live event feed: every client receives every event as one text message
//   {"event": "sync_progress", "data": {...}, "at": "2026-11-24T21:50:00.000Z"}
//
// Clients are read-only: what they send is ignored (protocol pings are answered). With a token
// set, a client must present it on the upgrade request, either as the query item `?token=...`
// (browsers cannot set headers on a WebSocket) or as `Authorization: Bearer ...` (compared in
// constant time). Without a token the feed is open only to this machine: a request is refused when
// the listener is bound beyond loopback (setExposed()), when it came through a proxy or tunnel
// (X-Forwarded-For, Forwarded, X-Real-IP or CF-Connecting-IP present: the tunnel's end is on this
// machine, its client is not), or from another address. The feed publishes order ids, which the
// door admits. A refused upgrade handed over by the HTTP listener (handleConnection) is answered
// 401 before any WebSocket exists; one in standalone mode (listen()) is closed right after the
// handshake with close code 1008 (policy violation).
// Without a token, browser pages from other sites (an Origin header whose host is not loopback)
// are refused at the handshake, so a web page a staff member happens to open cannot read the feed.
//
// A client that does not read fast enough is dropped (aborted) once its unsent backlog passes
// maxBacklogBytes(), so one stalled laptop cannot make the server buffer without bound. A client
// that leaves two keep-alive pings in a row unanswered is dropped as dead (two, so that one busy
// moment of our own event loop does not cost a healthy client its connection).
//
// Lives in one thread; publish*() may be called from any thread (it is queued to the feed's).
class EventFeed : public QObject
{
    Q_OBJECT

public:
    static constexpr qint64 DefaultMaxBacklogBytes = 4 * 1024 * 1024;
    static constexpr int DefaultMaxClients = 64;
    static constexpr int DefaultKeepAliveMs = 30000;
    static constexpr int DefaultHandshakeTimeoutMs = 10000;

    explicit EventFeed(QObject *parent = nullptr);
    EventFeed(const core::Clock &clock, QObject *parent = nullptr); // clock: the "at" stamps
    ~EventFeed() override;

    // [feed] token; empty: clients on this machine only (see above).
    void setToken(const QString &token);
    bool requiresToken() const { return !m_tokenHash.isEmpty(); }
    // Whether the listener the feed is reached through is bound beyond loopback: then, without a
    // token, every client is refused.
    void setExposed(bool exposed) { m_exposed = exposed; }
    bool isExposed() const { return m_exposed; }

    // A token fit for [feed] token: 32 random bytes from the system's generator, base64url.
    static QString generateToken();

    void setMaxBacklogBytes(qint64 bytes);
    qint64 maxBacklogBytes() const { return m_maxBacklogBytes; }
    void setMaxClients(int count);
    int maxClients() const { return m_maxClients; }
    void setKeepAliveInterval(int ms); // 0: no pings
    int keepAliveInterval() const { return m_keepAliveMs; }
    void setHandshakeTimeout(int ms);
    int handshakeTimeout() const { return m_handshakeTimeoutMs; }

    // Takes over a socket whose HTTP upgrade request ("GET /ws ...") is still unread in the
    // socket's buffer: the HTTP server routes by peek()ing, then hands the socket over and forgets
    // it (webhook::HttpServer::webSocketUpgradeRequested has this contract). The feed owns the
    // socket from here on and deletes it when it disconnects. May be called from the socket's
    // thread if that is not the feed's: the socket is moved over.
    void handleConnection(QTcpSocket *socket);

    // Standalone mode (tests, or a feed on its own port): accept WebSocket clients directly.
    core::Result<void> listen(const QHostAddress &address, quint16 port = 0);
    bool isListening() const;
    quint16 serverPort() const;
    // Closes every client (1001 going away) and stops listening.
    void close();

    int clientCount() const { return m_clientCount.load(); } // any thread (/healthz reads it)

public Q_SLOTS:
    void publish(qrt::feed::FeedEvent event, const QJsonObject &data);

    void publishSyncStatus(bool syncInProgress, const QString &status);
    void publishSyncProgress(bool syncInProgress, int totalOrders, int syncedOrders, const QString &status);
    void publishSyncComplete(const QJsonObject &summary = {});
    void publishWebhookReceived(const QString &webhookId, const QString &eventType, const QString &orderId,
        bool duplicate);
    void publishOrderSynced(const QString &orderId, const QJsonObject &details = {});
    void publishTicketStatusChanged(const qrt::core::TicketEvent &event);

Q_SIGNALS:
    // peer: "address:port"
    void clientConnected(const QString &peer);
    // For every client that was connected and left, dropped ones included.
    void clientDisconnected(const QString &peer);
    // A client closed by the feed: wrong or missing token, too many clients, too slow, dead.
    void clientRefused(const QString &peer, const QString &reason);

private:
    struct Client
    {
        QString peer;
        int unansweredPings = 0;
    };

    void acceptPending();
    bool originAllowed(const QString &origin) const;
    // Why a client with this upgrade request may not read the feed; empty: it may.
    // header(name) gives a request header (case-insensitive), empty if absent.
    QString refusal(const QUrl &requestUrl, const std::function<QByteArray(const QByteArray &)> &header,
                    const QHostAddress &peer) const;
    bool refuseUpgrade(QTcpSocket *socket);
    void admitOrRefuse(QTcpSocket *socket);
    void refuse(QWebSocket *socket, int closeCode, const QString &reason);
    void drop(QWebSocket *socket, const QString &reason);
    void forget(QWebSocket *socket);
    void sendKeepAlive();
    void send(FeedEvent event, const QJsonObject &data, const QDateTime &at);

    const core::Clock &m_clock;
    QWebSocketServer *m_server = nullptr;
    QHash<QWebSocket *, Client> m_clients;
    std::atomic<int> m_clientCount { 0 }; // m_clients.size(), readable from other threads
    QList<QPointer<QTcpSocket>> m_handshaking;
    QByteArray m_tokenHash; // SHA-256 of the token, so comparisons take the same time for any input
    bool m_exposed = false;
    qint64 m_maxBacklogBytes = DefaultMaxBacklogBytes;
    int m_maxClients = DefaultMaxClients;
    int m_keepAliveMs = DefaultKeepAliveMs;
    int m_handshakeTimeoutMs = DefaultHandshakeTimeoutMs;
    QTimer m_keepAlive;
};

} // namespace qrt::feed

Q_DECLARE_METATYPE(qrt::feed::FeedEvent)
