// The listener when the database or a sender misbehaves (issues 12 and 16), over real sockets on
// both databases: an answer within 5 s whatever the database does, a poison delivery that fails
// alone, no signature in the inbox, /healthz detail only with the feed token, pruning that keeps
// de-duplication right, and refused deliveries listed for the panel.
#include "serve/servetestutil.h"
#include "support/testdatabase.h"
#include "support/timeouts.h"
#include "support/verify.h"
#include "webhook/fakeclock.h"
#include "webhook/testkeys.h"

#include "db/inboxrepository.h"
#include "ghlsim/ghlsimulator.h"
#include "webhook/inboxsink.h"
#include "webhook/webhookservice.h"

#include <QDir>
#include <QElapsedTimer>
#include <QSignalSpy>
#include <QTcpSocket>
#include <QTest>

using namespace qrt;
using namespace qrt::servetest;

namespace {

constexpr int WaitMs = test::kWaitMs;
const QByteArray Secret = "resilience-secret";
const QByteArray Path = "/api/ghl/webhook-qr";
const QString FeedToken = QStringLiteral("feed-token-for-health");

// One request on its own connection, read until the server closes it or `readMs` passes: every
// answer the server sent for it, so a second answer to the same request would show.
QList<QByteArray> answersTo(quint16 port, const QByteArray &request, int readMs)
{
    // The listener shares this thread: wait by running the event loop, never by blocking.
    QTcpSocket socket;
    QByteArray all;
    QObject::connect(&socket, &QTcpSocket::readyRead, [&] { all += socket.readAll(); });
    socket.connectToHost(QHostAddress::LocalHost, port);
    if (!QTest::qWaitFor([&] { return socket.state() == QAbstractSocket::ConnectedState; }, WaitMs))
        return {};
    socket.write(request);
    QTest::qWaitFor([&] { return socket.state() != QAbstractSocket::ConnectedState; }, readMs);
    all += socket.readAll();
    QList<QByteArray> answers;
    for (qsizetype at = all.indexOf("HTTP/1."); at >= 0; at = all.indexOf("HTTP/1.", at + 1))
        answers << all.mid(at, all.indexOf("\r\n\r\n", at) - at);
    return answers;
}

int statusOf(const QByteArray &head)
{
    return head.split(' ').value(1).toInt();
}

} // namespace

class TestServeResilience : public QObject
{
    Q_OBJECT

    db::Dialect m_dialect = db::Dialect::SQLite;
    std::unique_ptr<test::TestDatabase> m_t;
    std::unique_ptr<ghlsim::GhlSimulator> m_sim;
    std::unique_ptr<webhook::WebhookService> m_service;
    QNetworkAccessManager m_nam;
    webhook::testing::FakeClock m_clock; // outlives the service that reads it
    bool m_locked = false;

    webhook::WebhookServiceSettings settings(core::WebhookAuth auth, const QString &publicKey = {})
    {
        webhook::WebhookServiceSettings s;
        s.webhook.enabled = true;
        s.webhook.bind = QStringLiteral("127.0.0.1");
        s.webhook.port = 0;
        s.webhook.path = QString::fromLatin1(Path);
        s.webhook.auth = auth;
        s.webhook.secret = QString::fromLatin1(Secret);
        s.webhook.ghlPublicKey = publicKey;
        s.webhook.replayWindowS = 4500;
        s.feedToken = FeedToken;
        s.ghl.baseUrl = m_sim->baseUrl();
        s.ghl.locationId = m_sim->locationId();
        s.ghl.token = m_sim->token();
        s.ghl.apiVersion = ghlsim::GhlSimulator::apiVersion();
        s.ghl.requestTimeoutMs = 10000;
        s.worker.station = QStringLiteral("resilience");
        s.worker.pollIntervalMs = 100;
        return s;
    }

    void start(const webhook::WebhookServiceSettings &s, const core::Clock &clock = core::SystemClock::instance())
    {
        m_service = std::make_unique<webhook::WebhookService>(m_t->shared(), s, clock);
        QVERIFY_OK(m_service->start());
    }

    QUrl url(const QByteArray &pathAndQuery) const
    {
        return QUrl(QStringLiteral("http://127.0.0.1:%1%2").arg(m_service->port()).arg(QString::fromLatin1(pathAndQuery)));
    }

    // Holds the inbox's write lock from the test's own connection: the listener's commits wait
    // (PostgreSQL: for as long as it is held, reads too; SQLite: its 10 s busy timeout).
    void lockInbox()
    {
        if (m_dialect == db::Dialect::PostgreSQL)
            QVERIFY_OK(m_t->exec(u"BEGIN; LOCK TABLE webhook_inbox IN ACCESS EXCLUSIVE MODE"_qs));
        else
            QVERIFY_OK(m_t->exec(u"BEGIN IMMEDIATE"_qs));
        m_locked = true;
    }

    void unlockInbox()
    {
        if (m_locked)
            QVERIFY_OK(m_t->exec(u"COMMIT"_qs));
        m_locked = false;
    }

    bool stored(const QString &key)
    {
        auto r = db::InboxRepository(m_t->db()).contains(key);
        return r && r.value();
    }

    static QByteArray order(const QString &orderId, const QString &extra = {})
    {
        return QStringLiteral(R"({"type":"OrderCreate","_id":"%1","contactId":"c-1"%2})").arg(orderId, extra).toUtf8();
    }

private slots:
    void initTestCase() { QRT_REQUIRE_BACKEND(m_dialect); }

    void init()
    {
        QRT_FRESH_DATABASE(m_t, m_dialect);
        QVERIFY_OK(m_t->migrate());
        m_sim = std::make_unique<ghlsim::GhlSimulator>();
        QVERIFY(m_sim->listen());
    }

    void cleanup()
    {
        unlockInbox();
        if (m_service && m_service->isRunning()) {
            QSignalSpy stopped(m_service.get(), &webhook::WebhookService::stopped);
            m_service->stop();
            QVERIFY(stopped.count() > 0 || stopped.wait(WaitMs));
        }
        m_service.reset();
        m_sim.reset();
        m_t.reset();
    }

    // --- 1. an answer within 5 s, whatever the database does ----------------------------------

    void stuckCommitIsAnswered429OnceThenADuplicate()
    {
        start(settings(core::WebhookAuth::SharedSecret));
        const QByteArray body = order(u"o-stuck"_qs);
        const QByteArray request = rawPost(Path, body, "X-Webhook-Secret: " + Secret + "\r\n");
        lockInbox();
        QElapsedTimer took;
        took.start();
        // Read for longer than the deadline: the 429 comes, and nothing after it.
        const QList<QByteArray> answers = answersTo(m_service->port(), request, webhook::WebhookRequestHandler::AnswerWithinMs + 1500);
        qInfo() << "answered in about" << took.elapsed() << "ms while the inbox was locked";
        QVERIFY2(!answers.isEmpty(), "a webhook must be answered while the database is stuck, not left hanging");
        QVERIFY2(statusOf(answers.first()) == 429,
                 qPrintable(u"while the database is stuck the answer must be 429 (GHL retries only then), got: "_qs
                            + QString::fromLatin1(answers.first())));
        QVERIFY2(answers.first().contains(QByteArray(QByteArray("Retry-After: ") + QByteArray::number(webhook::WebhookRequestHandler::RetryAfterS))),
                 "the 429 must say when to retry");
        unlockInbox();
        // The late commit lands; its result changes no answer.
        const QString key = webhook::parseWebhookPayload(body).value().idempotencyKey();
        QTRY_VERIFY2_WITH_TIMEOUT(stored(key), "the commit that was late should still be stored", WaitMs);
        QCOMPARE(answers.size(), 1);

        // GHL's retry of it: a duplicate, answered without waiting for the database.
        lockInbox();
        const HttpResult retry = send(m_nam, "POST", url(Path), body, { { "X-Webhook-Secret", Secret } }, 3000);
        QVERIFY2(retry.status == 200, qPrintable(u"a retry of a stored delivery must be 200 even while the database is "
                                                  "stuck, got %1 %2"_qs.arg(retry.status).arg(QString::fromUtf8(retry.body))));
        QCOMPARE(retry.json().value(u"status").toString(), u"duplicate"_qs);
        unlockInbox();
    }

    // The id of a signed delivery outside the window is looked up before its age refuses it: a
    // look-up that hangs is a 429 in time as well. PostgreSQL only: SQLite's readers never wait.
    void stuckLookupIsAnswered429()
    {
        if (m_dialect != db::Dialect::PostgreSQL)
            QSKIP("SQLite in WAL mode never blocks a reader, so a look-up cannot hang there (by design).");
        const auto key = webhook::testing::TestKey::ed25519();
        start(settings(core::WebhookAuth::GhlSignature, QString::fromLatin1(key.spkiBase64())));
        const QByteArray body = order(u"o-late-retry"_qs, uR"(,"webhookId":"wh-late","timestamp":"%1")"_qs.arg(
                                          QDateTime::currentDateTimeUtc().addSecs(-2 * 3600).toString(Qt::ISODate)));
        lockInbox();
        const QList<QByteArray> answers = answersTo(
            m_service->port(), rawPost(Path, body, "X-GHL-Signature: " + key.sign(body) + "\r\n"),
            webhook::WebhookRequestHandler::AnswerWithinMs + 1500);
        unlockInbox();
        QVERIFY2(answers.size() == 1 && statusOf(answers.first()) == 429,
                 qPrintable(u"a hanging look-up must end in one 429, got %1 answer(s): %2"_qs.arg(answers.size())
                                .arg(QString::fromLatin1(answers.value(0)))));
    }

    // --- 2. a poison delivery fails alone ------------------------------------------------------

    void poisonTypeFailsAloneAmongSignedNeighbours()
    {
        const auto key = webhook::testing::TestKey::ed25519();
        start(settings(core::WebhookAuth::GhlSignature, QString::fromLatin1(key.spkiBase64())));
        const QString now = isoNow();
        const auto signedPost = [&](const QByteArray &body) { return rawPost(Path, body, "X-GHL-Signature: " + key.sign(body) + "\r\n"); };
        const QList<QByteArray> poisons {
            QByteArray(R"({"type":"Order)") + '\0' + QByteArray(R"(Create","_id":"o-p1","webhookId":"wh-p1","timestamp":")") + now.toUtf8() + "\"}",
            QByteArray(R"({"type":"Order\u0000Create","_id":"o-p2","webhookId":"wh-p2","timestamp":")") + now.toUtf8() + "\"}",
            QByteArray(R"({"type":"OrderCreate)") + '\n' + QByteArray(R"(FAKE LOG LINE","_id":"o-p3","webhookId":"wh-p3","timestamp":")") + now.toUtf8() + "\"}",
            QByteArray(R"({"type":"OrderCreate\nFAKE","_id":"o-p4","webhookId":"wh-p4","timestamp":")") + now.toUtf8() + "\"}",
            QByteArray(R"({"type":")") + QByteArray(200, 'T') + QByteArray(R"(","_id":"o-p5","webhookId":"wh-p5","timestamp":")") + now.toUtf8() + "\"}",
            QByteArray(R"({"type":"OrderCreate","_id":"o-p6","webhookId":"wh\tp6","timestamp":")") + now.toUtf8() + "\"}",
        };
        QList<QByteArray> requests;
        QList<int> poisonAt;
        for (int i = 0; i < 120; ++i) {
            if (i % 20 == 10) {
                poisonAt << int(requests.size());
                requests << signedPost(poisons.at(poisonAt.size() - 1));
            }
            requests << signedPost(order(u"o-n%1"_qs.arg(i), uR"(,"webhookId":"wh-n%1","timestamp":"%2")"_qs.arg(i).arg(now)));
        }
        BurstClient burst(m_service->port(), requests, 20);
        burst.run(WaitMs * 2);
        int neighboursOk = 0;
        for (int i = 0; i < requests.size(); ++i) {
            const BurstClient::Outcome &o = burst.outcomes().at(i);
            if (poisonAt.contains(i)) {
                QVERIFY2(o.status == 400, qPrintable(u"poison %1 should be refused with 400, got %2 %3"_qs.arg(poisonAt.indexOf(i))
                                                         .arg(o.status).arg(QString::fromUtf8(o.body))));
                QVERIFY2(o.body.contains("control character") || o.body.contains("longer than") || o.body.contains("webhookId"),
                         qPrintable(u"the 400 should say what is wrong: "_qs + QString::fromUtf8(o.body)));
            } else {
                neighboursOk += o.status == 200 ? 1 : 0;
            }
        }
        QCOMPARE(neighboursOk, 120);
        for (int p = 1; p <= poisons.size(); ++p)
            QVERIFY2(!stored(u"webhook:wh-p%1"_qs.arg(p)), "a poison delivery must not be stored");
        QVERIFY(stored(u"webhook:wh-n0"_qs) && stored(u"webhook:wh-n119"_qs));
    }

    // What validation does not catch (here a delivery without a body, which the table refuses)
    // still fails alone: a refused batch is written again row by row.
    void refusedBatchIsRetriedRowByRow()
    {
        webhook::BatchingInboxSink sink(m_t->shared());
        const auto event = [](const QString &orderId, bool poison) {
            webhook::WebhookEvent e;
            e.orderId = orderId;
            e.eventType = u"OrderCreate"_qs;
            e.webhookId = u"wh-"_qs + orderId;
            if (!poison)
                e.body = order(orderId);
            return e;
        };
        QMutex mutex;
        QMap<QString, core::Result<bool>> results;
        const auto commit = [&](const QString &orderId, bool poison) {
            sink.commitAsync(event(orderId, poison), [&, orderId](const core::Result<bool> &r) {
                QMutexLocker lock(&mutex);
                results.insert(orderId, r);
            });
        };
        lockInbox();
        commit(u"first"_qs, false); // the committer waits in this one's batch ...
        QTest::qWait(300);
        for (int i = 0; i < 20; ++i) // ... while these queue up for the next batch
            commit(u"n%1"_qs.arg(i), i == 7);
        const quint64 batchesBefore = sink.batchCount();
        unlockInbox();
        sink.waitIdle();
        QMutexLocker lock(&mutex);
        QCOMPARE(results.size(), 21);
        for (auto it = results.cbegin(); it != results.cend(); ++it) {
            if (it.key() == u"n7")
                QVERIFY2(!it.value(), "the delivery the table refuses must fail");
            else
                QVERIFY2(it.value() && it.value().value(),
                         qPrintable(u"neighbour %1 of a refused delivery must be stored: %2"_qs.arg(it.key(),
                                        it.value() ? u"duplicate"_qs : it.value().error().toString())));
        }
        QVERIFY2(sink.batchCount() - batchesBefore <= 3, "the queued deliveries should have been one batch");
    }

    // --- 3. no signature in the inbox -----------------------------------------------------------

    void signatureIsRedactedInTheInbox()
    {
        const auto key = webhook::testing::TestKey::ed25519();
        start(settings(core::WebhookAuth::GhlSignature, QString::fromLatin1(key.spkiBase64())));
        const QByteArray body = order(u"o-sig"_qs, uR"(,"webhookId":"wh-sig","timestamp":"%1")"_qs.arg(isoNow()));
        const HttpResult r = send(m_nam, "POST", url(Path), body, { { "X-GHL-Signature", key.sign(body) }, { "X-WH-Signature", "legacy" } });
        QCOMPARE(r.status, 200);
        auto headers = m_t->scalar(u"SELECT headers FROM webhook_inbox WHERE idempotency_key = 'webhook:wh-sig'"_qs);
        QVERIFY_OK(headers);
        const QJsonObject o = QJsonDocument::fromJson(headers.value().toString().toUtf8()).object();
        QCOMPARE(o.value(u"x-ghl-signature").toString(), u"[redacted]"_qs);
        QCOMPARE(o.value(u"x-wh-signature").toString(), u"[redacted]"_qs);
        QVERIFY(!headers.value().toString().contains(QString::fromLatin1(key.sign(body))));
    }

    // --- 4. /healthz ------------------------------------------------------------------------------

    void healthzDetailOnlyWithTheFeedToken()
    {
        start(settings(core::WebhookAuth::SharedSecret));
        const HttpResult anonymous = send(m_nam, "GET", url("/healthz"), {});
        QCOMPARE(anonymous.status, 200);
        QVERIFY2(anonymous.json().keys() == QStringList { u"status"_qs },
                 qPrintable(u"without the token /healthz says only its status, got "_qs + QString::fromUtf8(anonymous.body)));
        QCOMPARE(anonymous.json().value(u"status").toString(), u"ok"_qs);
        const HttpResult wrong = send(m_nam, "GET", url("/healthz"), {}, { { "Authorization", "Bearer not-the-token" } });
        QCOMPARE(wrong.json().keys(), QStringList { u"status"_qs });
        const HttpResult bearer = send(m_nam, "GET", url("/healthz"), {}, { { "Authorization", "Bearer " + FeedToken.toUtf8() } });
        QVERIFY2(bearer.json().contains(u"inboxDead") && bearer.json().contains(u"lastError"), bearer.body.constData());
        const HttpResult query = send(m_nam, "GET", url("/healthz?token=" + FeedToken.toUtf8()), {});
        QVERIFY2(query.json().contains(u"inboxDepth"), query.body.constData());
    }

    // A /healthz flood costs a probe every 2 s at most, not a query per request.
    void healthzFloodIsServedFromTheCache()
    {
        start(settings(core::WebhookAuth::SharedSecret));
        QList<QByteArray> requests;
        for (int i = 0; i < 400; ++i)
            requests << "GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n";
        const quint64 before = m_service->healthProbes();
        QElapsedTimer took;
        took.start();
        BurstClient flood(m_service->port(), requests, 8);
        flood.run(WaitMs);
        QCOMPARE(flood.answered(200), 400);
        const quint64 probes = m_service->healthProbes() - before;
        const quint64 allowed = 2 + quint64(took.elapsed() / webhook::WebhookService::HealthMaxAgeMs);
        QVERIFY2(probes <= allowed, qPrintable(u"400 /healthz ran %1 database probes (allowed %2)"_qs.arg(probes).arg(allowed)));
    }

    void healthzIs503WhileTheDatabaseIsUnreachable()
    {
        const QString unreachableUrl = m_dialect == db::Dialect::PostgreSQL
            ? u"postgresql://nobody:secret@127.0.0.1:1/qrtickets"_qs
            : u"sqlite://"_qs + QDir::tempPath() + u"/qrt-no-such-dir-%1/inbox.db"_qs.arg(QCoreApplication::applicationPid());
        auto unreachable = db::Database::open(unreachableUrl);
        QVERIFY_OK(unreachable);
        m_service = std::make_unique<webhook::WebhookService>(unreachable.value(), settings(core::WebhookAuth::SharedSecret));
        QVERIFY_OK(m_service->start());
        const HttpResult r = send(m_nam, "GET", url("/healthz"), {});
        QVERIFY2(r.status == 503, qPrintable(u"/healthz must be 503 while the database is away, got %1 %2"_qs.arg(r.status)
                                                 .arg(QString::fromUtf8(r.body))));
        QCOMPARE(r.json(), (QJsonObject { { u"status"_qs, u"degraded"_qs } }));
    }

    // --- 5. pruning keeps de-duplication right ------------------------------------------------

    void pruningKeepsEveryKeyOfTheReplayWindow()
    {
        const auto key = webhook::testing::TestKey::ed25519();
        webhook::testing::FakeClock &clock = m_clock;
        const QDateTime now = QDateTime::currentDateTimeUtc();
        const auto put = [&](const QString &id, qint64 ageS, const char *state) {
            clock.set(now.addSecs(-ageS));
            db::InboxDelivery d;
            d.idempotencyKey = u"webhook:"_qs + id;
            d.orderId = u"o-"_qs + id;
            d.eventType = u"OrderCreate"_qs;
            d.body = order(d.orderId, uR"(,"webhookId":"%1","timestamp":"%2")"_qs.arg(id, clock.now().toString(Qt::ISODate)));
            QVERIFY_OK(db::InboxRepository(m_t->db(), clock).commit(d));
            QVERIFY_OK(m_t->exec(u"UPDATE webhook_inbox SET state = '%1', next_attempt_at = received_at + %2 WHERE idempotency_key = '%3'"_qs
                                     .arg(QLatin1StringView(state),
                                          m_dialect == db::Dialect::PostgreSQL ? u"interval '1 year'"_qs : u"0"_qs, d.idempotencyKey)));
        };
        put(u"old-done"_qs, 3 * 3600, "done");   // older than the window + 1 h: pruned
        put(u"young-done"_qs, 2 * 3600, "done"); // older than the window, younger than window + 1 h: kept
        put(u"old-dead"_qs, 3 * 3600, "dead");   // never pruned: someone must look at it
        clock.set(now);
        webhook::WebhookServiceSettings s = settings(core::WebhookAuth::GhlSignature, QString::fromLatin1(key.spkiBase64()));
        s.inboxKeepDays = 0; // only the window protects the keys here
        s.pruneIntervalS = 1;
        start(s, clock);
        QTRY_VERIFY2_WITH_TIMEOUT(!stored(u"webhook:old-done"_qs), "a done event older than the retention should be pruned in the background", WaitMs);
        QVERIFY2(stored(u"webhook:young-done"_qs), "an id younger than the replay window + 1 h must be kept");
        QVERIFY2(stored(u"webhook:old-dead"_qs), "a dead event must never be pruned");

        // GHL's late retry of the kept one is still a duplicate, never processed twice.
        auto young = m_t->scalar(u"SELECT body FROM webhook_inbox WHERE idempotency_key = 'webhook:young-done'"_qs);
        QVERIFY_OK(young);
        const QByteArray body = young.value().toByteArray();
        const HttpResult retry = send(m_nam, "POST", url(Path), body, { { "X-GHL-Signature", key.sign(body) } });
        QVERIFY2(retry.status == 200 && retry.json().value(u"status").toString() == u"duplicate",
                 qPrintable(u"a kept id must stay a duplicate, got %1 %2"_qs.arg(retry.status).arg(QString::fromUtf8(retry.body))));
    }

    // --- 6. refused deliveries for the listener panel -----------------------------------------

    void refusedDeliveriesAreListedWithoutSecrets()
    {
        webhook::WebhookServiceSettings s = settings(core::WebhookAuth::SharedSecret);
        s.webhook.maxBodyBytes = 4096;
        start(s);
        QSignalSpy spy(m_service.get(), &webhook::WebhookService::deliveryRejected);
        QCOMPARE(send(m_nam, "POST", url(Path), order(u"o-1"_qs), { { "X-Webhook-Secret", "wrong-secret-value" } }).status, 401);
        QCOMPARE(send(m_nam, "POST", url(Path), QByteArray(8000, ' '), { { "X-Webhook-Secret", Secret } }).status, 413);
        QCOMPARE(send(m_nam, "POST", url(Path), "{\"type\":\"x\"}", { { "X-Webhook-Secret", Secret } }).status, 422);
        QTRY_COMPARE_WITH_TIMEOUT(spy.count(), 3, WaitMs);
        const QList<webhook::RejectedDelivery> list = m_service->recentRejections();
        QCOMPARE(list.size(), 3);
        QList<int> statuses;
        for (const webhook::RejectedDelivery &r : list) {
            statuses << r.status;
            QCOMPARE(r.peer, u"127.0.0.1"_qs);
            QVERIFY(!r.reason.isEmpty());
            QVERIFY2(!r.reason.contains(u"wrong-secret-value") && !r.reason.contains(QString::fromLatin1(Secret)), qPrintable(r.reason));
        }
        std::sort(statuses.begin(), statuses.end());
        QCOMPARE(statuses, (QList<int> { 401, 413, 422 }));
    }
};

QTEST_MAIN(TestServeResilience)
#include "tst_serve_resilience.moc"
