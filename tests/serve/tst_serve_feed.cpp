// What the listener trusts and what its event feed carries, over real sockets: a GHL answer for
// another order or location fails the inbox event; sync runs of this process and of a `qrtickets
// sync` child reach /ws; /ws refuses clients without the token beyond loopback or through a
// proxy; `qrtickets serve` bound beyond loopback generates and stores a token on its first start.
#include "serve/servetestutil.h"
#include "support/childprocess.h"
#include "support/freeport.h"
#include "support/testdatabase.h"
#include "support/timeouts.h"
#include "support/verify.h"

#include "db/inboxrepository.h"
#include "db/orderrepository.h"
#include "feed/eventfeed.h"
#include "ghlsim/ghlsimulator.h"
#include "sync/syncengine.h"
#include "webhook/webhookservice.h"

#include <QFile>
#include <QProcess>
#include <QSettings>
#include <QSignalSpy>
#include <QTcpSocket>
#include <QTest>
#include <QWebSocket>

using namespace qrt;
using namespace qrt::servetest;

namespace {

constexpr int WaitMs = test::kWaitMs;
const QByteArray Secret = "feed-test-secret";
const QByteArray Path = "/api/ghl/webhook-qr";

// A /ws client that keeps the sync events it receives, in order.
struct FeedClient
{
    QWebSocket socket;
    QStringList events;       // sync_* only
    QList<QJsonObject> data;  // their data, same order

    FeedClient()
    {
        QObject::connect(&socket, &QWebSocket::textMessageReceived, &socket, [this](const QString &text) {
            const QJsonObject m = QJsonDocument::fromJson(text.toUtf8()).object();
            const QString name = m.value(u"event").toString();
            if (!name.startsWith(u"sync_"))
                return;
            events << name;
            data << m.value(u"data").toObject();
        });
    }
    // The run's events as the original emitted them: status, progress..., complete, status.
    QString checkOneRun() const
    {
        if (events.size() < 4)
            return QStringLiteral("too few events: ") + events.join(u',');
        if (events.first() != u"sync_status" || !data.first().value(u"syncInProgress").toBool())
            return QStringLiteral("the first event should be sync_status {syncInProgress: true}: ") + events.join(u',');
        const QStringList tail = events.mid(events.size() - 3);
        if (tail != QStringList { QStringLiteral("sync_progress"), QStringLiteral("sync_complete"), QStringLiteral("sync_status") })
            return QStringLiteral("the run should end with sync_progress, sync_complete, sync_status: ") + events.join(u',');
        for (qsizetype i = 1; i < events.size() - 3; ++i) {
            if (events.at(i) != u"sync_progress" || !data.at(i).value(u"syncInProgress").toBool())
                return QStringLiteral("between start and end only sync_progress {syncInProgress: true}: ") + events.join(u',');
        }
        if (data.at(data.size() - 3).value(u"syncInProgress").toBool() || data.last().value(u"syncInProgress").toBool())
            return QStringLiteral("the last progress and status should say syncInProgress false");
        return {};
    }
};

// The status line /ws answers a hand-made upgrade request with.
QByteArray upgradeStatus(quint16 port, const QByteArray &target, const QByteArray &extraHeaders = {})
{
    QTcpSocket socket;
    socket.connectToHost(QHostAddress::LocalHost, port);
    socket.write("GET " + target + " HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                 "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n" + extraHeaders + "\r\n");
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

class TestServeFeed : public QObject
{
    Q_OBJECT

    db::Dialect m_dialect = db::Dialect::SQLite;
    std::unique_ptr<test::TestDatabase> m_t;
    std::unique_ptr<ghlsim::GhlSimulator> m_sim;
    std::unique_ptr<webhook::WebhookService> m_service;
    QNetworkAccessManager m_nam;

    webhook::WebhookServiceSettings settings(const QString &bind = QStringLiteral("127.0.0.1"))
    {
        webhook::WebhookServiceSettings s;
        s.webhook.enabled = true;
        s.webhook.bind = bind;
        s.webhook.port = 0;
        s.webhook.path = QString::fromLatin1(Path);
        s.webhook.auth = core::WebhookAuth::SharedSecret;
        s.webhook.secret = QString::fromLatin1(Secret);
        s.ghl.baseUrl = m_sim->baseUrl();
        s.ghl.locationId = m_sim->locationId();
        s.ghl.token = m_sim->token();
        s.ghl.apiVersion = ghlsim::GhlSimulator::apiVersion();
        s.ghl.concurrency = 4;
        s.ghl.requestTimeoutMs = 10000;
        s.qr.urlTemplate = QStringLiteral("https://qr.example.com/orders/{order_id}");
        s.worker.station = QStringLiteral("feed-station");
        s.worker.backoff = db::InboxBackoff { 100, 300, 0.2 };
        s.worker.pollIntervalMs = 100;
        ghl::RetryPolicy once;
        once.maxAttempts = 1;
        s.worker.ghlRetry = once;
        return s;
    }

    bool startService(const webhook::WebhookServiceSettings &s)
    {
        m_service = std::make_unique<webhook::WebhookService>(m_t->shared(), s);
        auto started = m_service->start();
        if (!started)
            qWarning().noquote() << started.error().toString();
        return started.ok();
    }

    bool openFeed(FeedClient &client, const QString &query = {})
    {
        QSignalSpy connected(&client.socket, &QWebSocket::connected);
        client.socket.open(QUrl(QStringLiteral("ws://127.0.0.1:%1/ws%2").arg(m_service->port()).arg(query)));
        return connected.wait(WaitMs) && QTest::qWaitFor([this] { return m_service->feed().clientCount() > 0; }, WaitMs);
    }

    std::optional<db::InboxItem> eventFor(const QString &orderId)
    {
        auto recent = db::InboxRepository(m_t->db()).recent(100);
        if (!recent)
            return std::nullopt;
        for (const db::InboxItem &i : recent.value()) {
            if (i.orderId == orderId)
                return i;
        }
        return std::nullopt;
    }

    bool stored(const QString &orderId)
    {
        auto o = db::OrderRepository(m_t->db()).get(orderId);
        return o && o->has_value();
    }

private slots:
    void initTestCase() { QRT_REQUIRE_BACKEND(m_dialect); }

    void init()
    {
        QRT_FRESH_DATABASE(m_t, m_dialect);
        QVERIFY_OK(m_t->migrate());
        m_sim = std::make_unique<ghlsim::GhlSimulator>();
        m_sim->setRateLimit(0, 10000);
        QVERIFY(m_sim->listen());
        m_sim->generate(12, 77);
    }

    void cleanup()
    {
        if (m_service && m_service->isRunning()) {
            QSignalSpy stopped(m_service.get(), &webhook::WebhookService::stopped);
            m_service->stop();
            QVERIFY(stopped.count() > 0 || stopped.wait(WaitMs));
        }
        m_service.reset();
        m_sim.reset();
        m_t.reset();
    }

    // GHL answering the worker's GET /payments/orders/X with order Y, or with an order of another
    // location: the event fails with that reason (and is retried), nothing is stored; once GHL
    // answers right, the retry stores it.
    void answerForAnotherOrderOrLocationFailsTheEvent()
    {
        const QStringList ids = m_sim->orderIds();
        const QString swapped = ids.at(1);
        const QString foreign = ids.at(2);
        ghlsim::SimFaults otherOrder;
        otherOrder.otherOrder = 1.0;
        m_sim->setPathFaults(QStringLiteral("/payments/orders/") + swapped, otherOrder);
        ghlsim::SimFaults otherLocation;
        otherLocation.otherLocation = 1.0;
        m_sim->setPathFaults(QStringLiteral("/payments/orders/") + foreign, otherLocation);
        QVERIFY(startService(settings()));
        for (const QString &id : { swapped, foreign }) {
            const HttpResult r = send(m_nam, "POST", QUrl(QStringLiteral("http://127.0.0.1:%1%2").arg(m_service->port()).arg(QString::fromLatin1(Path))),
                                      customDataBody(m_sim->orderJson(id)), { { "X-Webhook-Secret", Secret } });
            QCOMPARE(r.status, 200);
        }
        const auto failedWith = [this](const QString &id, const QString &reason) {
            const auto e = eventFor(id);
            return e && e->attempts >= 2 && e->state != db::InboxState::Done && e->lastError.contains(reason);
        };
        QTRY_VERIFY2_WITH_TIMEOUT(failedWith(swapped, QStringLiteral("GHL answered order")),
                                  qPrintable(eventFor(swapped) ? eventFor(swapped)->lastError : QStringLiteral("no event")), WaitMs);
        QTRY_VERIFY2_WITH_TIMEOUT(failedWith(foreign, QStringLiteral("belongs to location")),
                                  qPrintable(eventFor(foreign) ? eventFor(foreign)->lastError : QStringLiteral("no event")), WaitMs);
        QVERIFY2(eventFor(swapped)->lastError.contains(QStringLiteral("for ") + swapped), qPrintable(eventFor(swapped)->lastError));
        QVERIFY(!stored(swapped));
        QVERIFY(!stored(foreign));
        QCOMPARE(m_t->scalar(QStringLiteral("SELECT count(*) FROM ghl_qr_orders")).value().toInt(), 0);

        m_sim->clearFaults();
        QTRY_VERIFY_WITH_TIMEOUT(eventFor(swapped)->state == db::InboxState::Done && eventFor(foreign)->state == db::InboxState::Done,
                                 WaitMs);
        QVERIFY(stored(swapped));
        QVERIFY(stored(foreign));
    }

    // A sync in this process (the desktop's Sync, or serve's reconciliation: any SyncEngine)
    // reaches /ws of the listener as the original's three events, in order.
    void syncInThisProcessReachesTheFeed()
    {
        QVERIFY(startService(settings()));
        FeedClient client;
        QVERIFY(openFeed(client));
        sync::SyncEngine engine(m_t->shared());
        QSignalSpy finished(&engine, &sync::SyncEngine::finished);
        sync::SyncRequest request;
        request.mode = sync::SyncMode::Full;
        request.station = QStringLiteral("desk-1");
        request.ghl = settings().ghl;
        QVERIFY(engine.start(request));
        QVERIFY(finished.wait(test::kSyncRunMs));
        QTRY_VERIFY2_WITH_TIMEOUT(client.events.count(QStringLiteral("sync_complete")) == 1 && client.events.last() == u"sync_status",
                                  qPrintable(client.events.join(u',')), WaitMs);
        const QString problem = client.checkOneRun();
        QVERIFY2(problem.isEmpty(), qPrintable(problem));
        const QJsonObject complete = client.data.at(client.events.indexOf(QStringLiteral("sync_complete")));
        QCOMPARE(complete.value(u"syncedOrders").toInt(), 12);
        QCOMPARE(complete.value(u"station").toString(), QStringLiteral("desk-1"));
        QCOMPARE(client.data.at(client.data.size() - 3).value(u"syncedOrders").toInt(), 12);
    }

    // `qrtickets sync` in another process: its run reaches this listener's /ws through the database.
    void syncInAnotherProcessReachesTheFeed()
    {
        const QString binary = test::qrticketsBinary();
        if (binary.isEmpty())
            QFAIL("QRT_QRTICKETS_BIN is not set: ctest passes the built qrtickets binary (tests/serve/CMakeLists.txt).");
        m_sim->generate(60, 78);
        m_sim->setLatencyMs(20); // a run of a second or two: progress while it runs
        QVERIFY(startService(settings()));
        FeedClient client;
        QVERIFY(openFeed(client));
        test::FreshHome home;
        QVERIFY(home.isValid());
        const QProcessEnvironment env = home.environment({
            { QStringLiteral("DBUS_SESSION_BUS_ADDRESS"), QStringLiteral("disabled:") },
            { QStringLiteral("QRTICKETS_DATABASE_URL"), m_t->url() },
            { QStringLiteral("QRTICKETS_GHL_BASE_URL"), m_sim->baseUrl().toString() },
            { QStringLiteral("QRTICKETS_GHL_TOKEN"), m_sim->token() },
            { QStringLiteral("QRTICKETS_GHL_LOCATION_ID"), m_sim->locationId() },
            { QStringLiteral("QRTICKETS_GHL_CONCURRENCY"), QStringLiteral("2") },
            { QStringLiteral("QRTICKETS_STATION_NAME"), QStringLiteral("cli-station") },
        });
        const test::ChildRun run = test::runChild(binary, { QStringLiteral("sync"), QStringLiteral("--mode"), QStringLiteral("full") },
                                                  env, test::kSyncRunMs);
        QVERIFY2(run.exitCode == 0, qPrintable(run.err));
        QTRY_VERIFY2_WITH_TIMEOUT(client.events.count(QStringLiteral("sync_complete")) == 1 && client.events.last() == u"sync_status",
                                  qPrintable(client.events.join(u',')), WaitMs);
        const QString problem = client.checkOneRun();
        QVERIFY2(problem.isEmpty(), qPrintable(problem));
        const QJsonObject complete = client.data.at(client.events.indexOf(QStringLiteral("sync_complete")));
        QCOMPARE(complete.value(u"syncedOrders").toInt(), 60);
        QCOMPARE(complete.value(u"station").toString(), QStringLiteral("cli-station"));
        QCOMPARE(client.data.at(client.data.size() - 3).value(u"totalOrders").toInt(), 60);
    }

    // Without a token /ws serves this machine only: bound beyond loopback it refuses (401), and on
    // loopback a request that came through a proxy or tunnel is refused too. With the token it upgrades.
    void feedWithoutTokenIsThisMachineOnly()
    {
        QVERIFY(startService(settings()));
        const quint16 loopback = m_service->port();
        QCOMPARE(upgradeStatus(loopback, "/ws"), QByteArray("HTTP/1.1 101 Switching Protocols"));
        QVERIFY(upgradeStatus(loopback, "/ws", "X-Forwarded-For: 198.51.100.7\r\n").startsWith("HTTP/1.1 401"));
        QVERIFY(upgradeStatus(loopback, "/ws", "CF-Connecting-IP: 198.51.100.7\r\n").startsWith("HTTP/1.1 401"));
        QVERIFY(upgradeStatus(loopback, "/ws", "Forwarded: for=198.51.100.7\r\n").startsWith("HTTP/1.1 401"));

        // Bound to every address, no token and nothing to keep a generated one: closed.
        core::WebhookSettings exposed = settings(QStringLiteral("0.0.0.0")).webhook;
        QVERIFY_OK(m_service->listen(exposed, QString()));
        const quint16 port = m_service->port();
        QVERIFY(upgradeStatus(port, "/ws").startsWith("HTTP/1.1 401"));
        QVERIFY2(m_service->warnings().join(u' ').contains(QStringLiteral("refuses every client")),
                 qPrintable(m_service->warnings().join(u' ')));

        // With a token: the token opens it, as a Bearer header or a query item; nothing else does.
        QVERIFY_OK(m_service->listen(exposed, QStringLiteral("tok-0123456789")));
        QVERIFY(upgradeStatus(m_service->port(), "/ws").startsWith("HTTP/1.1 401"));
        QVERIFY(upgradeStatus(m_service->port(), "/ws?token=tok-012345678").startsWith("HTTP/1.1 401"));
        QCOMPARE(upgradeStatus(m_service->port(), "/ws", "Authorization: Bearer tok-0123456789\r\n"),
                 QByteArray("HTTP/1.1 101 Switching Protocols"));
        QCOMPARE(upgradeStatus(m_service->port(), "/ws?token=tok-0123456789"), QByteArray("HTTP/1.1 101 Switching Protocols"));
    }

    // A keeper that cannot store the generated token (a read-only settings file): the feed stays
    // closed and the service says why.
    void tokenThatCannotBeKeptLeavesTheFeedClosed()
    {
        auto s = settings(QStringLiteral("0.0.0.0"));
        m_service = std::make_unique<webhook::WebhookService>(m_t->shared(), s);
        QString offered;
        m_service->setFeedTokenKeeper([&offered](const QString &token) -> core::Result<void> {
            offered = token;
            return core::makeError(QStringLiteral("config.write"), QStringLiteral("the settings file is read-only"));
        });
        QVERIFY_OK(m_service->start());
        QCOMPARE(offered.size(), 43);
        QVERIFY(m_service->feedToken().isEmpty());
        QVERIFY2(m_service->warnings().join(u' ').contains(QStringLiteral("read-only")), qPrintable(m_service->warnings().join(u' ')));
        QVERIFY(upgradeStatus(m_service->port(), "/ws", "Authorization: Bearer " + offered.toLatin1() + "\r\n").startsWith("HTTP/1.1 401"));
    }

    // `qrtickets serve` bound beyond loopback without [feed] token: a token is generated, stored in
    // its settings file, and opens /ws; the next start uses the stored one.
    void serveGeneratesAndStoresTheTokenOnFirstStart()
    {
        const QString binary = test::qrticketsBinary();
        if (binary.isEmpty())
            QFAIL("QRT_QRTICKETS_BIN is not set: ctest passes the built qrtickets binary (tests/serve/CMakeLists.txt).");
        test::FreshHome home;
        QVERIFY(home.isValid());
        const QString configFile = home.filePath(QStringLiteral("serve.ini"));
        {
            QSettings ini(configFile, QSettings::IniFormat);
            ini.setValue(QStringLiteral("station/name"), QStringLiteral("serve-feed"));
        }
        const quint16 port = test::freePort();
        const QProcessEnvironment env = home.environment({
            { QStringLiteral("DBUS_SESSION_BUS_ADDRESS"), QStringLiteral("disabled:") },
            { QStringLiteral("QRTICKETS_DATABASE_URL"), m_t->url() },
            { QStringLiteral("QRTICKETS_GHL_BASE_URL"), m_sim->baseUrl().toString() },
            { QStringLiteral("QRTICKETS_GHL_TOKEN"), m_sim->token() },
            { QStringLiteral("QRTICKETS_GHL_LOCATION_ID"), m_sim->locationId() },
            { QStringLiteral("QRTICKETS_WEBHOOK_BIND"), QStringLiteral("0.0.0.0") },
            { QStringLiteral("QRTICKETS_WEBHOOK_PORT"), QString::number(port) },
            { QStringLiteral("QRTICKETS_WEBHOOK_AUTH"), QStringLiteral("shared-secret") },
            { QStringLiteral("QRTICKETS_WEBHOOK_SECRET"), QString::fromLatin1(Secret) },
            { QStringLiteral("QRTICKETS_SYNC_RECONCILE_INTERVAL_S"), QStringLiteral("0") },
        });
        const QStringList args { QStringLiteral("serve"), QStringLiteral("--config"), configFile };
        QString token;
        for (int start = 1; start <= 2; ++start) {
            auto serve = test::startChild(binary, args, env);
            QTRY_VERIFY2_WITH_TIMEOUT(send(m_nam, "GET", QUrl(QStringLiteral("http://127.0.0.1:%1/healthz").arg(port)), {}, {}, 2000).status == 200,
                                      qPrintable(QString::fromUtf8(serve->readAllStandardError())), WaitMs);
            const QString out = QString::fromUtf8(serve->readAllStandardOutput());
            const QString stored = QSettings(configFile, QSettings::IniFormat).value(QStringLiteral("feed/token")).toString();
            if (start == 1) {
                QVERIFY2(out.contains(QStringLiteral("Generated an event feed token")), qPrintable(out));
                QCOMPARE(stored.size(), 43);
                token = stored;
            } else {
                QVERIFY2(!out.contains(QStringLiteral("Generated")), qPrintable(out));
                QCOMPARE(stored, token);
            }
            QVERIFY2(!out.contains(token), "the token itself is never printed");
            QVERIFY(upgradeStatus(port, "/ws").startsWith("HTTP/1.1 401"));
            QCOMPARE(upgradeStatus(port, "/ws", "Authorization: Bearer " + token.toLatin1() + "\r\n"),
                     QByteArray("HTTP/1.1 101 Switching Protocols"));
            serve->terminate();
            QVERIFY(serve->waitForFinished(WaitMs));
        }
    }
};

QTEST_GUILESS_MAIN(TestServeFeed)
#include "tst_serve_feed.moc"
