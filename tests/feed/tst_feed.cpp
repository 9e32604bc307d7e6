#include "core/clock.h"
#include "feed/eventfeed.h"

#include <QJsonDocument>
#include <QJsonObject>
#include <QSignalSpy>
#include <QTcpServer>
#include <QTcpSocket>
#include <QTest>
#include <QThread>
#include <QUrlQuery>
#include <QWebSocket>

#include <memory>

using namespace qrt;
using qrt::feed::EventFeed;

namespace {

constexpr int WaitMs = 20000;

class FixedClock final : public core::Clock
{
public:
    QDateTime now() const override { return QDateTime(QDate(2026, 11, 24), QTime(21, 50, 0, 123), Qt::UTC); }
    qint64 monotonicMs() const override { return 0; }
};

const QString kAt = QStringLiteral("2026-11-24T21:50:00.123Z");

QUrl feedUrl(quint16 port, const QString &token = {})
{
    QUrl url(QStringLiteral("ws://127.0.0.1/ws"));
    url.setPort(port);
    if (!token.isNull()) {
        QUrlQuery query;
        query.addQueryItem(QStringLiteral("token"), QString::fromLatin1(QUrl::toPercentEncoding(token)));
        url.setQuery(query);
    }
    return url;
}

// A feed client that records every message it receives.
struct Client
{
    std::unique_ptr<QWebSocket> socket;
    QList<QJsonObject> messages;
    bool disconnected = false;

    explicit Client(const QString &origin = {}) : socket(std::make_unique<QWebSocket>(origin))
    {
        QObject::connect(socket.get(), &QWebSocket::textMessageReceived, socket.get(), [this](const QString &text) {
            messages << QJsonDocument::fromJson(text.toUtf8()).object();
        });
        QObject::connect(socket.get(), &QWebSocket::disconnected, socket.get(), [this] { disconnected = true; });
    }

    void open(const QUrl &url) { socket->open(url); }
    void open(const QNetworkRequest &request) { socket->open(request); }
};

// The HTTP upgrade request as a browser sends it.
QByteArray upgradeRequest(quint16 port, const QByteArray &target = "/ws")
{
    return "GET " + target + " HTTP/1.1\r\n"
        "Host: 127.0.0.1:" + QByteArray::number(port) + "\r\n"
        "Upgrade: websocket\r\n"
        "Connection: Upgrade\r\n"
        "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
        "Sec-WebSocket-Version: 13\r\n\r\n";
}

// A client that does the handshake by hand and then stops reading: a laptop gone to sleep, or a
// stuck browser tab. It never answers pings either.
std::unique_ptr<QTcpSocket> stalledClient(quint16 port)
{
    // The feed runs in this thread: wait with the event loop running, never with waitFor*().
    auto socket = std::make_unique<QTcpSocket>();
    socket->connectToHost(QHostAddress::LocalHost, port);
    socket->write(upgradeRequest(port));
    QByteArray response;
    const bool answered = QTest::qWaitFor(
        [&] {
            // Only the response head: whatever follows stays unread.
            while (socket->bytesAvailable() > 0 && !response.contains("\r\n\r\n"))
                response += socket->read(1);
            return response.contains("\r\n\r\n");
        },
        WaitMs);
    if (!answered || !response.startsWith("HTTP/1.1 101"))
        return nullptr;
    // A full read buffer stops Qt from reading more from the kernel, so the server's writes back up.
    socket->setReadBufferSize(1);
    return socket;
}

// Stands in for the webhook HTTP server: hands every complete request over to the feed with the
// request still unread, as webhook::HttpServer does.
void handOverEverything(QTcpServer &http, EventFeed &feed)
{
    QObject::connect(&http, &QTcpServer::newConnection, &http, [&http, &feed] {
        while (QTcpSocket *socket = http.nextPendingConnection()) {
            QObject::connect(socket, &QTcpSocket::readyRead, socket, [&feed, socket] {
                if (!socket->peek(socket->bytesAvailable()).contains("\r\n\r\n"))
                    return;
                QObject::disconnect(socket, &QTcpSocket::readyRead, socket, nullptr);
                feed.handleConnection(socket);
            });
        }
    });
}

// The status line the feed answers an upgrade request with (extra: more header lines).
QByteArray statusLineFor(quint16 port, const QByteArray &extra, const QByteArray &target = "/ws")
{
    QTcpSocket socket;
    socket.connectToHost(QHostAddress::LocalHost, port);
    QByteArray request = upgradeRequest(port, target);
    request.insert(request.size() - 2, extra);
    socket.write(request);
    QByteArray response;
    QTest::qWaitFor(
        [&] {
            response += socket.readAll();
            return response.contains("\r\n") || socket.state() == QAbstractSocket::UnconnectedState;
        },
        WaitMs);
    return response.left(response.indexOf("\r\n"));
}

} // namespace

class TestFeed : public QObject
{
    Q_OBJECT

private slots:
    void publishesTheExactJsonShape();
    void eventNames();
    void tokenIsRequiredWhenSet();
    void slowClientIsDroppedOthersKeepReceiving();
    void deadClientIsDroppedByKeepAlive();
    void handedOverSocketsBecomeClients();
    void handedOverGarbageIsClosed();
    void handOverFromAnotherThread();
    void handshakeTimeoutOnlyHitsSilentSockets();
    void foreignBrowserOriginsNeedTheToken();
    void clientMessagesAreIgnored();
    void tooManyClients();
    void publishFromAnotherThread();
    void closeSaysGoingAway();
    void gateWithoutTokenOnlyThisMachine();
    void generatedTokensAreLongAndUrlSafe();
};

void TestFeed::publishesTheExactJsonShape()
{
    FixedClock clock;
    EventFeed feed(clock);
    QVERIFY2(feed.listen(QHostAddress::LocalHost, 0).ok(), "the feed should listen on 127.0.0.1, port 0");
    QSignalSpy connected(&feed, &EventFeed::clientConnected);

    Client client;
    client.open(feedUrl(feed.serverPort()));
    QTRY_COMPARE_WITH_TIMEOUT(feed.clientCount(), 1, WaitMs);
    QCOMPARE(connected.count(), 1);
    QVERIFY(connected.first().first().toString().startsWith(QStringLiteral("127.0.0.1:")));

    feed.publishSyncStatus(true, QStringLiteral("Syncing Orders"));
    feed.publishSyncProgress(true, 45, 3, QStringLiteral("Syncing Orders"));
    feed.publishSyncComplete();
    feed.publishWebhookReceived(QStringLiteral("wh-1"), QStringLiteral("OrderCreate"), QStringLiteral("65f0c2a1b3d4e5f6a7b8c9d0"), false);
    feed.publishOrderSynced(QStringLiteral("65f0c2a1b3d4e5f6a7b8c9d0"), { { QStringLiteral("ticketsAdded"), 2 } });
    core::TicketEvent admitted;
    admitted.ticketId = 17;
    admitted.orderId = QStringLiteral("65f0c2a1b3d4e5f6a7b8c9d0");
    admitted.from = core::TicketStatus::Live;
    admitted.to = core::TicketStatus::Used;
    admitted.at = QDateTime(QDate(2026, 11, 24), QTime(21, 49, 58), Qt::UTC);
    admitted.actor = QStringLiteral("Door 1");
    feed.publishTicketStatusChanged(admitted);
    feed.publish(feed::FeedEvent::SyncComplete, { { QStringLiteral("failed"), 1 } });

    QTRY_COMPARE_WITH_TIMEOUT(client.messages.size(), 7, WaitMs);

    const auto message = [](const char *event, const QJsonObject &data) {
        return QJsonObject { { QStringLiteral("event"), QString::fromLatin1(event) }, { QStringLiteral("data"), data },
            { QStringLiteral("at"), kAt } };
    };
    const QList<QJsonObject> expected {
        message("sync_status", { { QStringLiteral("syncInProgress"), true }, { QStringLiteral("status"), QStringLiteral("Syncing Orders") } }),
        message("sync_progress",
            { { QStringLiteral("syncInProgress"), true }, { QStringLiteral("totalOrders"), 45 }, { QStringLiteral("syncedOrders"), 3 },
                { QStringLiteral("status"), QStringLiteral("Syncing Orders") } }),
        message("sync_complete", {}),
        message("webhook_received",
            { { QStringLiteral("webhookId"), QStringLiteral("wh-1") }, { QStringLiteral("eventType"), QStringLiteral("OrderCreate") },
                { QStringLiteral("orderId"), QStringLiteral("65f0c2a1b3d4e5f6a7b8c9d0") }, { QStringLiteral("duplicate"), false } }),
        message("order_synced", { { QStringLiteral("orderId"), QStringLiteral("65f0c2a1b3d4e5f6a7b8c9d0") }, { QStringLiteral("ticketsAdded"), 2 } }),
        message("ticket_status_changed",
            { { QStringLiteral("ticketId"), 17 }, { QStringLiteral("orderId"), QStringLiteral("65f0c2a1b3d4e5f6a7b8c9d0") },
                { QStringLiteral("from"), QStringLiteral("live") }, { QStringLiteral("to"), QStringLiteral("used") },
                { QStringLiteral("at"), QStringLiteral("2026-11-24T21:49:58.000Z") }, { QStringLiteral("actor"), QStringLiteral("Door 1") },
                { QStringLiteral("reason"), QString() } }),
        message("sync_complete", { { QStringLiteral("failed"), 1 } }),
    };
    for (qsizetype i = 0; i < expected.size(); ++i) {
        QVERIFY2(client.messages.at(i) == expected.at(i),
            qPrintable(QStringLiteral("message %1 is\n  %2\nexpected\n  %3")
                           .arg(i)
                           .arg(QString::fromUtf8(QJsonDocument(client.messages.at(i)).toJson(QJsonDocument::Compact)),
                               QString::fromUtf8(QJsonDocument(expected.at(i)).toJson(QJsonDocument::Compact)))));
    }

    QSignalSpy disconnected(&feed, &EventFeed::clientDisconnected);
    client.socket->close();
    QTRY_COMPARE_WITH_TIMEOUT(feed.clientCount(), 0, WaitMs);
    QCOMPARE(disconnected.count(), 1);
    QCOMPARE(disconnected.first().first(), connected.first().first());
}

void TestFeed::eventNames()
{
    QCOMPARE(feed::toString(feed::FeedEvent::SyncStatus), QStringLiteral("sync_status"));
    QCOMPARE(feed::toString(feed::FeedEvent::SyncProgress), QStringLiteral("sync_progress"));
    QCOMPARE(feed::toString(feed::FeedEvent::SyncComplete), QStringLiteral("sync_complete"));
    QCOMPARE(feed::toString(feed::FeedEvent::WebhookReceived), QStringLiteral("webhook_received"));
    QCOMPARE(feed::toString(feed::FeedEvent::OrderSynced), QStringLiteral("order_synced"));
    QCOMPARE(feed::toString(feed::FeedEvent::TicketStatusChanged), QStringLiteral("ticket_status_changed"));
}

void TestFeed::tokenIsRequiredWhenSet()
{
    EventFeed feed;
    const QString token = QStringLiteral(u"s3cret token/&=é");
    feed.setToken(token);
    QVERIFY(feed.requiresToken());
    QVERIFY(feed.listen(QHostAddress::LocalHost, 0).ok());
    QSignalSpy refused(&feed, &EventFeed::clientRefused);

    Client none;
    none.open(feedUrl(feed.serverPort()));
    Client wrong;
    wrong.open(feedUrl(feed.serverPort(), QStringLiteral("s3cret token/&=e")));
    Client empty;
    empty.open(feedUrl(feed.serverPort(), QStringLiteral("")));
    QTRY_VERIFY_WITH_TIMEOUT(none.disconnected && wrong.disconnected && empty.disconnected, WaitMs);
    for (Client *client : { &none, &wrong, &empty }) {
        QCOMPARE(client->socket->closeCode(), QWebSocketProtocol::CloseCodePolicyViolated);
        QVERIFY(client->messages.isEmpty());
    }
    QCOMPARE(refused.count(), 3);
    QCOMPARE(refused.first().at(1).toString(), QStringLiteral("missing or wrong token"));
    QCOMPARE(feed.clientCount(), 0);

    Client byQuery;
    byQuery.open(feedUrl(feed.serverPort(), token));
    Client byHeader;
    QNetworkRequest request(feedUrl(feed.serverPort()));
    request.setRawHeader("Authorization", "Bearer " + token.toUtf8());
    byHeader.open(request);
    QTRY_COMPARE_WITH_TIMEOUT(feed.clientCount(), 2, WaitMs);

    feed.publishSyncStatus(false, QStringLiteral("Delay"));
    QTRY_COMPARE_WITH_TIMEOUT(byQuery.messages.size(), 1, WaitMs);
    QTRY_COMPARE_WITH_TIMEOUT(byHeader.messages.size(), 1, WaitMs);
    QCOMPARE(byQuery.messages.first().value(QStringLiteral("event")).toString(), QStringLiteral("sync_status"));
    QCOMPARE(refused.count(), 3);

    // Clearing the token opens the feed again.
    feed.setToken(QString());
    QVERIFY(!feed.requiresToken());
    Client open;
    open.open(feedUrl(feed.serverPort()));
    QTRY_COMPARE_WITH_TIMEOUT(feed.clientCount(), 3, WaitMs);
}

void TestFeed::slowClientIsDroppedOthersKeepReceiving()
{
    EventFeed feed;
    feed.setMaxBacklogBytes(512 * 1024);
    QVERIFY(feed.listen(QHostAddress::LocalHost, 0).ok());
    QSignalSpy refused(&feed, &EventFeed::clientRefused);

    QWebSocket reader;
    int received = 0;
    qint64 receivedBytes = 0;
    connect(&reader, &QWebSocket::textMessageReceived, &reader, [&](const QString &text) {
        ++received;
        receivedBytes += text.size();
    });
    reader.open(feedUrl(feed.serverPort()));
    QTRY_COMPARE_WITH_TIMEOUT(feed.clientCount(), 1, WaitMs);

    const auto stalled = stalledClient(feed.serverPort());
    QVERIFY2(stalled, "the hand-made client should complete the WebSocket handshake");
    QTRY_COMPARE_WITH_TIMEOUT(feed.clientCount(), 2, WaitMs);

    // 64 KiB messages until the stalled client is dropped. Loopback kernel buffers take several
    // MiB before anything backs up in the server, hence the generous cap.
    const QJsonObject big { { QStringLiteral("status"), QString(64 * 1024, u'x') } };
    int published = 0;
    while (refused.isEmpty() && published < 3000) {
        feed.publish(feed::FeedEvent::SyncProgress, big);
        ++published;
        QCoreApplication::processEvents();
        // A healthy client keeps up: at most a message or two in flight.
        QVERIFY2(QTest::qWaitFor([&] { return published - received <= 2 || !refused.isEmpty(); }, WaitMs),
            "the reading client should keep up with the feed");
    }
    QVERIFY2(!refused.isEmpty(), qPrintable(QStringLiteral("the stalled client was not dropped after %1 messages").arg(published)));
    QCOMPARE(refused.count(), 1);
    QVERIFY2(refused.first().at(1).toString().startsWith(QStringLiteral("too slow")), qPrintable(refused.first().at(1).toString()));
    QCOMPARE(feed.clientCount(), 1);

    // The reader got every message, and keeps getting new ones.
    feed.publishSyncComplete();
    QTRY_COMPARE_WITH_TIMEOUT(received, published + 1, WaitMs);
    QVERIFY(receivedBytes > qint64(published) * 64 * 1024);
    QCOMPARE(reader.state(), QAbstractSocket::ConnectedState);

    // The stalled client finds its connection gone once it reads again.
    stalled->setReadBufferSize(0);
    QTRY_VERIFY_WITH_TIMEOUT((stalled->readAll(), stalled->state() == QAbstractSocket::UnconnectedState), WaitMs);
}

void TestFeed::deadClientIsDroppedByKeepAlive()
{
    EventFeed feed;
    feed.setKeepAliveInterval(1000);
    QVERIFY(feed.listen(QHostAddress::LocalHost, 0).ok());
    QSignalSpy refused(&feed, &EventFeed::clientRefused);

    Client healthy; // QWebSocket answers pings by itself
    healthy.open(feedUrl(feed.serverPort()));
    QTRY_COMPARE_WITH_TIMEOUT(feed.clientCount(), 1, WaitMs);
    const auto dead = stalledClient(feed.serverPort());
    QVERIFY2(dead, "the hand-made client should complete the WebSocket handshake");
    QTRY_COMPARE_WITH_TIMEOUT(feed.clientCount(), 2, WaitMs);

    QTRY_COMPARE_WITH_TIMEOUT(refused.count(), 1, WaitMs);
    QCOMPARE(refused.first().at(1).toString(), QStringLiteral("no answer to keep-alive ping"));
    QCOMPARE(feed.clientCount(), 1);
    QVERIFY2(!healthy.disconnected, "a client that answers pings must stay connected");

    feed.publishSyncStatus(true, QStringLiteral("Syncing Orders"));
    QTRY_COMPARE_WITH_TIMEOUT(healthy.messages.size(), 1, WaitMs);
    QCOMPARE(refused.count(), 1);
}

void TestFeed::handedOverSocketsBecomeClients()
{
    FixedClock clock;
    EventFeed feed(clock);
    feed.setToken(QStringLiteral("door"));
    QVERIFY(!feed.isListening());

    // Stands in for the webhook HTTP server: routes by peeking at the request line, then hands
    // the socket over with the request still unread.
    QTcpServer http;
    QVERIFY(http.listen(QHostAddress::LocalHost, 0));
    int handedOver = 0;
    connect(&http, &QTcpServer::newConnection, &http, [&] {
        while (QTcpSocket *socket = http.nextPendingConnection()) {
            connect(socket, &QTcpSocket::readyRead, socket, [&, socket] {
                const QByteArray head = socket->peek(socket->bytesAvailable());
                if (!head.contains("\r\n\r\n") || !head.startsWith("GET /ws"))
                    return;
                disconnect(socket, &QTcpSocket::readyRead, socket, nullptr);
                ++handedOver;
                feed.handleConnection(socket);
            });
        }
    });

    QSignalSpy refused(&feed, &EventFeed::clientRefused);
    Client client;
    client.open(feedUrl(http.serverPort(), QStringLiteral("door")));
    Client intruder;
    QSignalSpy intruderConnected(intruder.socket.get(), &QWebSocket::connected);
    intruder.open(feedUrl(http.serverPort(), QStringLiteral("window")));
    QTRY_COMPARE_WITH_TIMEOUT(feed.clientCount(), 1, WaitMs);
    // A wrong token is answered 401 before the upgrade: the intruder never gets a WebSocket.
    QTRY_COMPARE_WITH_TIMEOUT(refused.count(), 1, WaitMs);
    QCOMPARE(refused.first().at(1).toString(), QStringLiteral("missing or wrong token"));
    QTRY_VERIFY_WITH_TIMEOUT(intruder.socket->state() == QAbstractSocket::UnconnectedState, WaitMs);
    QCOMPARE(intruderConnected.count(), 0);
    QCOMPARE(handedOver, 2);

    feed.publishWebhookReceived(QStringLiteral("wh-9"), QStringLiteral("OrderCreate"), QStringLiteral("abc"), true);
    QTRY_COMPARE_WITH_TIMEOUT(client.messages.size(), 1, WaitMs);
    QCOMPARE(client.messages.first().value(QStringLiteral("event")).toString(), QStringLiteral("webhook_received"));
    QCOMPARE(client.messages.first().value(QStringLiteral("at")).toString(), kAt);
    QCOMPARE(client.messages.first().value(QStringLiteral("data")).toObject().value(QStringLiteral("duplicate")).toBool(), true);

    client.socket->close();
    QTRY_COMPARE_WITH_TIMEOUT(feed.clientCount(), 0, WaitMs);
}

void TestFeed::handedOverGarbageIsClosed()
{
    EventFeed feed;
    QTcpServer http;
    QVERIFY(http.listen(QHostAddress::LocalHost, 0));
    connect(&http, &QTcpServer::newConnection, &http, [&] {
        while (QTcpSocket *socket = http.nextPendingConnection()) {
            connect(socket, &QTcpSocket::readyRead, socket, [&, socket] {
                if (!socket->peek(socket->bytesAvailable()).contains("\r\n\r\n"))
                    return;
                disconnect(socket, &QTcpSocket::readyRead, socket, nullptr);
                feed.handleConnection(socket);
            });
        }
    });

    // An upgrade request without the WebSocket headers.
    QTcpSocket raw;
    raw.connectToHost(QHostAddress::LocalHost, http.serverPort());
    QVERIFY(raw.waitForConnected(WaitMs));
    raw.write("GET /ws HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n");
    QTRY_COMPARE_WITH_TIMEOUT(raw.state(), QAbstractSocket::UnconnectedState, WaitMs);
    QCOMPARE(feed.clientCount(), 0);
}

void TestFeed::handOverFromAnotherThread()
{
    EventFeed feed;
    QThread worker;
    worker.start();
    auto *http = new QTcpServer;
    http->moveToThread(&worker);
    connect(&worker, &QThread::finished, http, &QObject::deleteLater);
    // The HTTP server's thread hands sockets over with a direct call, as webhook::HttpServer does.
    connect(http, &QTcpServer::newConnection, http, [&feed, http] {
        while (QTcpSocket *socket = http->nextPendingConnection()) {
            connect(socket, &QTcpSocket::readyRead, socket, [&feed, socket] {
                if (!socket->peek(socket->bytesAvailable()).contains("\r\n\r\n"))
                    return;
                disconnect(socket, &QTcpSocket::readyRead, socket, nullptr);
                feed.handleConnection(socket);
            });
        }
    });
    bool listening = false;
    QMetaObject::invokeMethod(
        http, [&] { listening = http->listen(QHostAddress::LocalHost, 0); }, Qt::BlockingQueuedConnection);
    QVERIFY(listening);

    Client client;
    client.open(feedUrl(http->serverPort()));
    QTRY_COMPARE_WITH_TIMEOUT(feed.clientCount(), 1, WaitMs);
    feed.publishSyncStatus(true, QStringLiteral("Syncing Orders"));
    QTRY_COMPARE_WITH_TIMEOUT(client.messages.size(), 1, WaitMs);
    QCOMPARE(client.messages.first().value(QStringLiteral("event")).toString(), QStringLiteral("sync_status"));

    worker.quit();
    QVERIFY(worker.wait(WaitMs));
    // The upgraded socket now lives in the feed's thread and survives the HTTP thread.
    feed.publishSyncComplete();
    QTRY_COMPARE_WITH_TIMEOUT(client.messages.size(), 2, WaitMs);
}

void TestFeed::handshakeTimeoutOnlyHitsSilentSockets()
{
    EventFeed feed;
    feed.setHandshakeTimeout(300);
    QTcpServer http;
    QVERIFY(http.listen(QHostAddress::LocalHost, 0));
    // Hands every connection over at once, before any byte arrived.
    connect(&http, &QTcpServer::newConnection, &http, [&] {
        while (QTcpSocket *socket = http.nextPendingConnection())
            feed.handleConnection(socket);
    });

    QTcpSocket silent;
    silent.connectToHost(QHostAddress::LocalHost, http.serverPort());
    Client client;
    client.open(feedUrl(http.serverPort()));
    QTRY_COMPARE_WITH_TIMEOUT(feed.clientCount(), 1, WaitMs);
    QTRY_COMPARE_WITH_TIMEOUT(silent.state(), QAbstractSocket::UnconnectedState, WaitMs);

    // Well past the handshake timeout, the upgraded client is still there.
    QTest::qWait(1000);
    QCOMPARE(feed.clientCount(), 1);
    QVERIFY(!client.disconnected);
    feed.publishSyncStatus(true, QStringLiteral("Syncing Tickets"));
    QTRY_COMPARE_WITH_TIMEOUT(client.messages.size(), 1, WaitMs);
}

void TestFeed::foreignBrowserOriginsNeedTheToken()
{
    EventFeed feed;
    QVERIFY(feed.listen(QHostAddress::LocalHost, 0).ok());

    Client foreign(QStringLiteral("https://evil.example"));
    foreign.open(feedUrl(feed.serverPort()));
    Client local(QStringLiteral("http://localhost:3000"));
    local.open(feedUrl(feed.serverPort()));
    QTRY_VERIFY_WITH_TIMEOUT(foreign.disconnected, WaitMs);
    QTRY_COMPARE_WITH_TIMEOUT(feed.clientCount(), 1, WaitMs);
    QVERIFY(!local.disconnected);

    // With a token, the token decides, whatever the page.
    feed.setToken(QStringLiteral("t0ken"));
    Client dashboard(QStringLiteral("https://dashboard.example"));
    dashboard.open(feedUrl(feed.serverPort(), QStringLiteral("t0ken")));
    QTRY_COMPARE_WITH_TIMEOUT(feed.clientCount(), 2, WaitMs);
    feed.publishSyncComplete();
    QTRY_COMPARE_WITH_TIMEOUT(dashboard.messages.size(), 1, WaitMs);
    QVERIFY(foreign.messages.isEmpty());
}

void TestFeed::clientMessagesAreIgnored()
{
    EventFeed feed;
    QVERIFY(feed.listen(QHostAddress::LocalHost, 0).ok());
    Client client;
    client.open(feedUrl(feed.serverPort()));
    QTRY_COMPARE_WITH_TIMEOUT(feed.clientCount(), 1, WaitMs);

    client.socket->sendTextMessage(QStringLiteral("{\"event\":\"sync_complete\"}"));
    client.socket->sendBinaryMessage(QByteArray(100, '\0'));
    QSignalSpy pong(client.socket.get(), &QWebSocket::pong);
    client.socket->ping("are you there");
    QVERIFY2(pong.wait(WaitMs), "the feed should answer a ping");
    QCOMPARE(pong.first().at(1).toByteArray(), QByteArray("are you there"));

    feed.publishSyncStatus(false, QStringLiteral("Delay"));
    QTRY_COMPARE_WITH_TIMEOUT(client.messages.size(), 1, WaitMs);
    QCOMPARE(client.messages.first().value(QStringLiteral("event")).toString(), QStringLiteral("sync_status"));
    QCOMPARE(feed.clientCount(), 1);

    // Large uploads are refused by closing the connection.
    client.socket->sendTextMessage(QString(200 * 1024, u'a'));
    QTRY_VERIFY_WITH_TIMEOUT(client.disconnected, WaitMs);
    QTRY_COMPARE_WITH_TIMEOUT(feed.clientCount(), 0, WaitMs);
}

void TestFeed::tooManyClients()
{
    EventFeed feed;
    feed.setMaxClients(1);
    QVERIFY(feed.listen(QHostAddress::LocalHost, 0).ok());
    Client first;
    first.open(feedUrl(feed.serverPort()));
    QTRY_COMPARE_WITH_TIMEOUT(feed.clientCount(), 1, WaitMs);
    Client second;
    second.open(feedUrl(feed.serverPort()));
    QTRY_VERIFY_WITH_TIMEOUT(second.disconnected, WaitMs);
    QCOMPARE(second.socket->closeCode(), QWebSocketProtocol::CloseCodePolicyViolated);
    QCOMPARE(second.socket->closeReason(), QStringLiteral("too many clients"));
    QCOMPARE(feed.clientCount(), 1);
    QVERIFY(!first.disconnected);
}

void TestFeed::publishFromAnotherThread()
{
    EventFeed feed;
    QVERIFY(feed.listen(QHostAddress::LocalHost, 0).ok());
    Client client;
    client.open(feedUrl(feed.serverPort()));
    QTRY_COMPARE_WITH_TIMEOUT(feed.clientCount(), 1, WaitMs);

    std::unique_ptr<QThread> worker(QThread::create([&feed] {
        for (int i = 1; i <= 50; ++i)
            feed.publishSyncProgress(true, 50, i, QStringLiteral("Syncing Orders"));
    }));
    worker->start();
    QVERIFY(worker->wait(WaitMs));
    QTRY_COMPARE_WITH_TIMEOUT(client.messages.size(), 50, WaitMs);
    for (int i = 0; i < 50; ++i)
        QCOMPARE(client.messages.at(i).value(QStringLiteral("data")).toObject().value(QStringLiteral("syncedOrders")).toInt(), i + 1);
}

void TestFeed::closeSaysGoingAway()
{
    EventFeed feed;
    QVERIFY(feed.listen(QHostAddress::LocalHost, 0).ok());
    const quint16 port = feed.serverPort();
    Client client;
    client.open(feedUrl(port));
    QTRY_COMPARE_WITH_TIMEOUT(feed.clientCount(), 1, WaitMs);

    feed.close();
    QCOMPARE(feed.clientCount(), 0);
    QVERIFY(!feed.isListening());
    QTRY_VERIFY_WITH_TIMEOUT(client.disconnected, WaitMs);
    QCOMPARE(client.socket->closeCode(), QWebSocketProtocol::CloseCodeGoingAway);

    // Listening again works (a restart from the listener panel).
    QVERIFY(feed.listen(QHostAddress::LocalHost, 0).ok());
    Client again;
    again.open(feedUrl(feed.serverPort()));
    QTRY_COMPARE_WITH_TIMEOUT(feed.clientCount(), 1, WaitMs);
}

QTEST_GUILESS_MAIN(TestFeed)
#include "tst_feed.moc"

// Without a token only clients on this machine may read the feed: not when the listener is bound
// beyond loopback, not through a proxy or tunnel (its headers say the client is elsewhere). With
// one, the token is the gate, as a query item or a Bearer header, wherever the client is.
void TestFeed::gateWithoutTokenOnlyThisMachine()
{
    EventFeed feed;
    QTcpServer http;
    QVERIFY(http.listen(QHostAddress::LocalHost, 0));
    handOverEverything(http, feed);
    const quint16 port = http.serverPort();

    QCOMPARE(statusLineFor(port, {}), QByteArray("HTTP/1.1 101 Switching Protocols"));
    for (const QByteArray &proxy : { QByteArray("X-Forwarded-For: 203.0.113.9\r\n"),
                                     QByteArray("Forwarded: for=203.0.113.9\r\n"),
                                     QByteArray("CF-Connecting-IP: 203.0.113.9\r\n"),
                                     QByteArray("X-Real-IP: 203.0.113.9\r\n") })
        QVERIFY2(statusLineFor(port, proxy).startsWith("HTTP/1.1 401"), proxy.constData());

    feed.setExposed(true);
    QVERIFY2(statusLineFor(port, {}).startsWith("HTTP/1.1 401"), "bound beyond loopback, no token: refused");

    feed.setToken(QStringLiteral("s3cret-token"));
    QVERIFY(statusLineFor(port, {}).startsWith("HTTP/1.1 401"));
    QVERIFY(statusLineFor(port, "Authorization: Bearer wrong\r\n").startsWith("HTTP/1.1 401"));
    QVERIFY(statusLineFor(port, {}, "/ws?token=s3cret-toke").startsWith("HTTP/1.1 401"));
    QCOMPARE(statusLineFor(port, "Authorization: Bearer s3cret-token\r\n"), QByteArray("HTTP/1.1 101 Switching Protocols"));
    QCOMPARE(statusLineFor(port, "X-Forwarded-For: 203.0.113.9\r\n", "/ws?token=s3cret-token"),
             QByteArray("HTTP/1.1 101 Switching Protocols"));
}

void TestFeed::generatedTokensAreLongAndUrlSafe()
{
    const QString a = EventFeed::generateToken();
    const QString b = EventFeed::generateToken();
    QVERIFY(a != b);
    QCOMPARE(a.size(), 43); // 32 bytes, base64url without padding
    const QByteArray decoded = QByteArray::fromBase64(a.toLatin1(), QByteArray::Base64UrlEncoding);
    QCOMPARE(decoded.size(), 32);
    for (QChar c : a)
        QVERIFY2(c.isLetterOrNumber() || c == u'-' || c == u'_', qPrintable(a));
}
