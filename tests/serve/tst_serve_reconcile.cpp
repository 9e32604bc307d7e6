#include "serve/servetestutil.h"
#include "support/childprocess.h"
#include "support/freeport.h"
#include "support/testdatabase.h"
#include "support/verify.h"

#include "db/syncrunrepository.h"
#include "ghlsim/ghlsimulator.h"

#include <QProcess>
#include <QTest>
#include <QWebSocket>

using namespace qrt;
using namespace qrt::servetest;

namespace {
const QByteArray FeedToken = "reconcile-feed-token";
}

// `qrtickets serve` runs the reconciliation loop: orders whose webhook never came are stored by
// it, /healthz shows it, and SIGTERM stops a sync in flight cleanly.
class TestServeReconcile : public QObject
{
    Q_OBJECT

    db::Dialect m_dialect = db::Dialect::SQLite;
    std::unique_ptr<test::TestDatabase> m_t;
    std::unique_ptr<ghlsim::GhlSimulator> m_sim;
    test::FreshHome m_home;
    quint16 m_port = 0;
    QNetworkAccessManager m_nam;

    std::unique_ptr<QProcess> startServe(const QString &intervalS)
    {
        const QProcessEnvironment env = m_home.environment({
            { QStringLiteral("QRTICKETS_DATABASE_URL"), m_t->url() },
            { QStringLiteral("QRTICKETS_GHL_BASE_URL"), m_sim->baseUrl().toString() },
            { QStringLiteral("QRTICKETS_GHL_TOKEN"), m_sim->token() },
            { QStringLiteral("QRTICKETS_GHL_LOCATION_ID"), m_sim->locationId() },
            { QStringLiteral("QRTICKETS_WEBHOOK_BIND"), QStringLiteral("127.0.0.1") },
            { QStringLiteral("QRTICKETS_WEBHOOK_PORT"), QString::number(m_port) },
            { QStringLiteral("QRTICKETS_WEBHOOK_AUTH"), QStringLiteral("shared-secret") },
            { QStringLiteral("QRTICKETS_WEBHOOK_SECRET"), QStringLiteral("reconcile-secret") },
            { QStringLiteral("QRTICKETS_FEED_TOKEN"), QString::fromLatin1(FeedToken) },
            { QStringLiteral("QRTICKETS_STATION_NAME"), QStringLiteral("serve-reconcile") },
            { QStringLiteral("QRTICKETS_SYNC_RECONCILE_INTERVAL_S"), intervalS },
            { QStringLiteral("QT_LOGGING_RULES"), QStringLiteral("qrtickets.*.info=false") },
        });
        return test::startChild(test::qrticketsBinary(), { QStringLiteral("serve") }, env, QProcess::ForwardedChannels);
    }

    QJsonObject health()
    {
        const HttpResult r = send(m_nam, "GET", QUrl(QStringLiteral("http://127.0.0.1:%1/healthz").arg(m_port)), {},
                                  { { "Authorization", "Bearer " + FeedToken } }, 2000);
        return r.status == 200 ? r.json() : QJsonObject();
    }

    int storedOrders()
    {
        auto n = m_t->scalar(QStringLiteral("SELECT count(*) FROM ghl_qr_orders"));
        return n ? n->toInt() : -1;
    }

    static void stop(QProcess &serve)
    {
        serve.terminate(); // SIGTERM
        QVERIFY2(serve.state() == QProcess::NotRunning || serve.waitForFinished(test::kWaitMs),
                 "qrtickets serve should stop after SIGTERM");
        QCOMPARE(serve.exitStatus(), QProcess::NormalExit);
        QCOMPARE(serve.exitCode(), 0);
    }

private slots:
    void initTestCase()
    {
        QRT_REQUIRE_BACKEND(m_dialect);
        QVERIFY2(QFile::exists(test::qrticketsBinary()),
                 "QRT_QRTICKETS_BIN should name the qrtickets executable (ctest sets it)");
    }

    void init()
    {
        QRT_FRESH_DATABASE(m_t, m_dialect);
        QVERIFY_OK(m_t->migrate());
        m_sim = std::make_unique<ghlsim::GhlSimulator>();
        m_sim->setRateLimit(0, 10000);
        QVERIFY(m_sim->listen());
        m_port = test::freePort();
    }

    void cleanup()
    {
        m_sim.reset();
        m_t.reset();
    }

    void serveStoresOrdersWhoseWebhookNeverCame()
    {
        m_sim->generate(12, 21); // none of them ever reaches the listener as a webhook
        auto serve = startServe(QStringLiteral("5"));
        QTRY_VERIFY2_WITH_TIMEOUT(!health().isEmpty(), "qrtickets serve should answer /healthz", test::kWaitMs);
        QTRY_VERIFY2_WITH_TIMEOUT(storedOrders() == 12,
                                  qPrintable(QStringLiteral("the reconciliation at start should store all 12 orders; "
                                                            "stored: %1")
                                                 .arg(storedOrders())),
                                  test::kSyncRunMs);
        QTRY_VERIFY_WITH_TIMEOUT(health().value(u"reconciliation").toObject().value(u"last").isObject(), test::kWaitMs);
        const QJsonObject rec = health().value(u"reconciliation").toObject();
        const QJsonObject last = rec.value(u"last").toObject();
        QCOMPARE(last.value(u"station").toString(), QStringLiteral("serve-reconcile"));
        QCOMPARE(last.value(u"ordersNew").toInt(), 12);
        QCOMPARE(rec.value(u"intervalS").toInt(), 5);
        QVERIFY2(!rec.value(u"nextRunAt").toString().isEmpty() || rec.value(u"state").toString() == u"running",
                 "the next run should be announced");

        // The loop's syncs reach the /ws feed as a manual sync's do.
        QWebSocket ws;
        QStringList events;
        connect(&ws, &QWebSocket::textMessageReceived, this, [&](const QString &text) {
            events << QJsonDocument::fromJson(text.toUtf8()).object().value(u"event").toString();
        });
        ws.open(QUrl(QStringLiteral("ws://127.0.0.1:%1/ws?token=%2").arg(m_port).arg(QString::fromLatin1(FeedToken))));
        QTRY_VERIFY_WITH_TIMEOUT(ws.state() == QAbstractSocket::ConnectedState, test::kWaitMs);

        // An order that arrives now, without a webhook, is stored by the next turn (5 s later).
        const QStringList late = m_sim->addOrders(1);
        QTRY_VERIFY2_WITH_TIMEOUT(storedOrders() == 13, "the next reconciliation should store the new order",
                                  test::kSyncRunMs);
        QTRY_VERIFY2_WITH_TIMEOUT(events.contains(QStringLiteral("sync_complete")),
                                  qPrintable(QStringLiteral("the feed should carry the reconciliation's sync; it carried: %1")
                                                 .arg(events.join(QStringLiteral(", ")))),
                                  test::kWaitMs);
        ws.close();
        stop(*serve);
    }

    void sigtermCancelsASyncInFlight()
    {
        m_sim->generate(400, 22);
        m_sim->setLatencyMs(50);
        auto serve = startServe(QStringLiteral("600"));
        QTRY_VERIFY_WITH_TIMEOUT(m_sim->requestCount() >= 10, test::kWaitMs);
        stop(*serve);
        db::SyncRunRepository runs(m_t->db());
        auto last = runs.lastRun();
        QVERIFY_OK(last);
        QVERIFY2(last->has_value(), "the reconciliation's sync should be recorded");
        QVERIFY2(last->value().status == db::SyncRunStatus::Cancelled,
                 qPrintable(QStringLiteral("SIGTERM should cancel the sync cleanly; its run says '%1'").arg(last->value().status)));
        QVERIFY2(storedOrders() < 400, "the sync should have been stopped before the end");
        auto holder = m_t->scalar(QStringLiteral("SELECT COALESCE(holder, '') FROM reconcile_lease"));
        QVERIFY_OK(holder);
        QVERIFY2(holder->toString().isEmpty(), "serve should free the reconciliation lease as it stops");
    }

    void intervalZeroIsOffInServe()
    {
        m_sim->generate(3, 23);
        auto serve = startServe(QStringLiteral("0"));
        QTRY_VERIFY2_WITH_TIMEOUT(!health().isEmpty(), "qrtickets serve should answer /healthz", test::kWaitMs);
        const QJsonObject rec = health().value(u"reconciliation").toObject();
        QCOMPARE(rec.value(u"state").toString(), QStringLiteral("off"));
        stop(*serve);
        QCOMPARE(m_sim->requestCount(), 0);
        QCOMPARE(storedOrders(), 0);
    }
};

QTEST_GUILESS_MAIN(TestServeReconcile)
#include "tst_serve_reconcile.moc"
