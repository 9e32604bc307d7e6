#include "serve/servetestutil.h"
#include "support/verify.h"
#include "support/testdatabase.h"
#include "support/timeouts.h"
#include "webhook/fakeclock.h"
#include "webhook/testkeys.h"

#include "db/fieldmappingrepository.h"
#include "db/inboxrepository.h"
#include "db/orderrepository.h"
#include "db/ticketrepository.h"
#include "feed/eventfeed.h"
#include "ghl/orderjson.h"
#include "ghlsim/ghlsimulator.h"
#include "qr/qrcode.h"
#include "webhook/inboxsink.h"
#include "webhook/webhookservice.h"

#include <QDir>
#include <QElapsedTimer>
#include <QFile>
#include <QMutex>
#include <QProcess>
#include <QSet>
#include <QSignalSpy>
#include <QSqlQuery>
#include <QSysInfo>
#include <QTcpServer>
#include <QTest>
#include <QThread>
#include <QWebSocket>

using namespace qrt;
using namespace qrt::servetest;

namespace {

constexpr int WaitMs = test::kWaitMs;
const QString UrlTemplate = QStringLiteral("https://qr.example.com/orders/{order_id}");
const QByteArray Secret = "serve-test-secret";
const QByteArray Path = "/api/ghl/webhook-qr";

QJsonObject officialExample()
{
    QFile f(QStringLiteral(QRT_SERVE_FIXTURES "/ordercreate-example.json"));
    if (!f.open(QIODevice::ReadOnly))
        return {};
    return QJsonDocument::fromJson(f.readAll()).object();
}

} // namespace

class TestServe : public QObject
{
    Q_OBJECT

    db::Dialect m_dialect = db::Dialect::SQLite;
    std::unique_ptr<test::TestDatabase> m_t;
    std::unique_ptr<ghlsim::GhlSimulator> m_sim;
    std::unique_ptr<webhook::WebhookService> m_service;
    QNetworkAccessManager m_nam;

    db::Database &database() { return m_t->db(); }

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
        s.webhook.replayWindowS = 300;
        s.ghl.baseUrl = m_sim->baseUrl();
        s.ghl.locationId = m_sim->locationId();
        s.ghl.token = m_sim->token();
        s.ghl.apiVersion = ghlsim::GhlSimulator::apiVersion();
        s.ghl.concurrency = 4;
        s.ghl.requestTimeoutMs = 10000;
        s.qr.urlTemplate = UrlTemplate;
        s.worker.station = QStringLiteral("test-station");
        s.worker.concurrency = 4;
        s.worker.maxAttempts = 3;
        s.worker.backoff = db::InboxBackoff { 100, 400, 0.2 };
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

    QUrl url(const QByteArray &path) const
    {
        return QUrl(QStringLiteral("http://127.0.0.1:%1%2").arg(m_service->port()).arg(QString::fromLatin1(path)));
    }

    HttpResult postSecret(const QByteArray &body)
    {
        return send(m_nam, "POST", url(Path), body, { { "X-Webhook-Secret", Secret } });
    }

    // Maps every product of the simulator's orders to a contact field "field-<product>".
    void mapProducts(const QStringList &products)
    {
        db::FieldMappingRepository fields(database());
        QList<ghlsim::SimCustomField> known = m_sim->customFields(); // a mapped field must exist in GHL
        for (const QString &p : products) {
            QVERIFY_OK(fields.upsert(p, QStringLiteral("field-") + p, QStringLiteral("QR ") + p));
            known.append({ QStringLiteral("field-") + p, QStringLiteral("QR ") + p, QStringLiteral("contact.qr_") + p,
                           QStringLiteral("TEXT") });
        }
        m_sim->setCustomFields(known);
    }

    std::optional<db::InboxItem> eventFor(const QString &orderId)
    {
        db::InboxRepository repo(database());
        auto recent = repo.recent(1000);
        if (!recent)
            return std::nullopt;
        for (const db::InboxItem &i : recent.value()) {
            if (i.orderId == orderId)
                return i;
        }
        return std::nullopt;
    }

    QString stateOf(const QString &orderId)
    {
        auto e = eventFor(orderId);
        return e ? db::toString(e->state) : QStringLiteral("(not in the inbox)");
    }

    int ticketCount(const QString &orderId)
    {
        db::TicketRepository tickets(database());
        auto list = tickets.forOrder(orderId);
        return list ? int(list->size()) : -1;
    }


    int contactPuts(const QString &contactId)
    {
        int n = 0;
        for (const ghlsim::SimRequest &r : m_sim->requests()) {
            if (r.endpoint == ghlsim::Endpoint::UpdateContact && r.path.endsWith(contactId) && r.status == 200)
                ++n;
        }
        return n;
    }

    // The whole outcome of one processed webhook: contact field, QR content, stored order and tickets.
    void verifyProcessed(const QJsonObject &order, const QString &product)
    {
        const QString orderId = order.value(u"_id").toString();
        const QString contactId = order.value(u"contactId").toString();
        QTRY_VERIFY2_WITH_TIMEOUT(stateOf(orderId) == u"done",
                                  qPrintable(QStringLiteral("the webhook of order %1 should be processed, it is %2")
                                                 .arg(orderId, stateOf(orderId))),
                                  WaitMs);
        const QString value = m_sim->contactFieldValue(contactId, QStringLiteral("field-") + product);
        QVERIFY2(value.startsWith(u"data:image/png;base64,"),
                 qPrintable(QStringLiteral("contact %1 should hold the QR data URL in field-%2").arg(contactId, product)));
        auto decoded = qr::QrDecoder::decodeDataUrl(value);
        QVERIFY2(decoded, qPrintable(decoded ? QString() : decoded.error().toString()));
        QCOMPARE(decoded.value(), QStringLiteral("https://qr.example.com/orders/") + orderId);

        db::OrderRepository orders(database());
        auto stored = orders.get(orderId);
        QVERIFY_OK(stored);
        QVERIFY2(stored->has_value(), "the order should be stored");
        QCOMPARE(stored->value().order.contactId, contactId);
        QCOMPARE(stored->value().order.qrCodeImage, value);
        QCOMPARE(ticketCount(orderId), expectedTickets(order));
    }

private slots:
    void initTestCase()
    {
        QRT_REQUIRE_BACKEND(m_dialect);
        qRegisterMetaType<db::InboxStats>();
    }

    void init()
    {
        QRT_FRESH_DATABASE(m_t, m_dialect);
        QVERIFY_OK(m_t->migrate());
        m_sim = std::make_unique<ghlsim::GhlSimulator>();
        m_sim->setRateLimit(0, 10000);
        QVERIFY(m_sim->listen());
        m_sim->generate(8, 42);
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

    // --- the inbox itself ---------------------------------------------------------------------

    void commitIsIdempotent()
    {
        db::InboxRepository repo(database());
        db::InboxDelivery d { QStringLiteral("webhook:abc"), QStringLiteral("OrderCreate"), QStringLiteral("o1"),
                              QStringLiteral("c1"), {}, QByteArrayLiteral("{\"_id\":\"o1\"}") };
        auto first = repo.commit(d);
        QVERIFY_OK(first);
        QVERIFY2(first.value(), "the first delivery should be stored as new");
        auto second = repo.commit(d);
        QVERIFY_OK(second);
        QVERIFY2(!second.value(), "the same idempotency key should be reported as a duplicate");
        auto stats = repo.stats();
        QVERIFY_OK(stats);
        QCOMPARE(stats->pending, 1);
        QCOMPARE(stats->acceptedToday, 1);
        auto claimed = repo.claimNext(QStringLiteral("s"));
        QVERIFY_OK(claimed);
        QVERIFY(claimed->has_value());
        QCOMPARE(claimed->value().body, d.body);
        QCOMPARE(claimed->value().attempts, 1);
    }

    void commitBatchStoresEachKeyOnce()
    {
        db::InboxRepository repo(database());
        QVERIFY_OK(repo.commit({ QStringLiteral("k-old"), {}, QStringLiteral("o0"), {}, {}, QByteArrayLiteral("{}") }));
        const QList<db::InboxDelivery> batch {
            { QStringLiteral("k1"), {}, QStringLiteral("o1"), {}, {}, QByteArrayLiteral("{\"a\":1}") },
            { QStringLiteral("k-old"), {}, QStringLiteral("o0"), {}, {}, QByteArrayLiteral("{}") },
            { QStringLiteral("k2"), {}, QStringLiteral("o2"), {}, {}, QByteArrayLiteral("{\"a\":2}") },
            { QStringLiteral("k1"), {}, QStringLiteral("o1"), {}, {}, QByteArrayLiteral("{\"a\":1}") },
        };
        auto stored = repo.commitBatch(batch);
        QVERIFY_OK(stored);
        QCOMPARE(stored.value(), (QList<bool> { true, false, true, false }));
        auto stats = repo.stats();
        QVERIFY_OK(stats);
        QCOMPARE(stats->pending, 3);
    }

    void commitBatchKeepsItsStatementAcrossReconnects()
    {
        db::InboxRepository repo(database());
        const auto batch = [](const QString &a, const QString &b) {
            return QList<db::InboxDelivery> { { a, {}, a, {}, {}, QByteArrayLiteral("{}") },
                                              { b, {}, b, {}, {}, QByteArrayLiteral("{}") } };
        };
        QVERIFY_OK(repo.commitBatch(batch(u"r1"_qs, u"r2"_qs)));
        auto second = repo.commitBatch(batch(u"r3"_qs, u"r1"_qs));
        QVERIFY_OK(second);
        QCOMPARE(second.value(), (QList<bool> { true, false }));
        auto connection = database().connection();
        QVERIFY_OK(connection);
        if (m_dialect == db::Dialect::PostgreSQL) {
            QSqlQuery q(connection.value());
            QVERIFY(q.exec(u"SELECT count(*) FROM pg_prepared_statements WHERE statement LIKE '%INSERT INTO webhook_inbox%'"_qs));
            QVERIFY(q.next());
            // PostgreSQL: through libpq with the bodies as parameters, nothing kept (tst_inboxbatch).
            QCOMPARE(q.value(0).toInt(), 0);
        }
        // The session ends (a server restart, a dropped connection): the kept statement is gone
        // with it, and the next batch prepares it again on the new session instead of failing.
        connection->close();
        auto third = repo.commitBatch(batch(u"r4"_qs, u"r5"_qs));
        QVERIFY2(third.ok(), qPrintable(third ? QString() : third.error().toString()));
        QCOMPARE(third.value(), (QList<bool> { true, true }));
        auto stats = repo.stats();
        QVERIFY_OK(stats);
        QCOMPARE(stats->pending, 5);
    }

    void commitBatchNamesWhatIsWrongWithTheTable()
    {
        // A table that is not what the program expects (a migration someone undid by hand): the
        // error names the missing column, not a follow-up error of running an unprepared statement.
        QVERIFY_OK(m_t->exec(QStringLiteral("ALTER TABLE webhook_inbox DROP COLUMN headers")));
        db::InboxRepository repo(database());
        auto stored = repo.commitBatch({ { u"k1"_qs, {}, u"o1"_qs, {}, {}, QByteArrayLiteral("{}") } });
        QVERIFY(!stored.ok());
        QVERIFY2(stored.error().toString().contains(u"headers"), qPrintable(stored.error().toString()));
    }

    void groupCommitUnderConcurrency()
    {
        // 40 callers at once through the batching sink: every one gets its answer, each key is
        // new exactly once, and the writes share transactions.
        webhook::BatchingInboxSink sink(m_t->shared());
        QMutex mutex;
        int fresh = 0, duplicates = 0;
        QStringList errors;
        QList<QThread *> threads;
        for (int t = 0; t < 40; ++t) {
            threads << QThread::create([&, t] {
                webhook::WebhookEvent e;
                e.orderId = QStringLiteral("o%1").arg(t % 20);
                e.webhookId = QStringLiteral("w%1").arg(t % 20); // every key twice
                e.body = QByteArrayLiteral("{}");
                auto r = sink.commit(e);
                QMutexLocker lock(&mutex);
                if (!r)
                    errors << r.error().toString();
                else
                    (r.value() ? fresh : duplicates)++;
            });
            threads.last()->start();
        }
        for (QThread *t : threads) {
            QVERIFY(t->wait(60000));
            delete t;
        }
        QVERIFY2(errors.isEmpty(), qPrintable(errors.join(u'\n')));
        QCOMPARE(fresh, 20);
        QCOMPARE(duplicates, 20);
        QVERIFY2(sink.batchCount() <= 40, "no more transactions than callers");
        qInfo("40 concurrent commits took %llu transaction(s)", sink.batchCount());
    }

    void backoffDeadAndManualRetry()
    {
        webhook::testing::FakeClock clock;
        clock.set(QDateTime::currentDateTimeUtc());
        db::InboxRepository repo(database(), clock);
        QVERIFY_OK(repo.commit({ QStringLiteral("k1"), {}, QStringLiteral("o1"), {}, {}, QByteArrayLiteral("{}") }));
        const db::InboxBackoff backoff { 60000, 600000, 0 };

        auto c1 = repo.claimNext(QStringLiteral("s"));
        QVERIFY_OK(c1);
        QVERIFY(c1->has_value());
        const qint64 id = c1->value().id;
        auto s1 = repo.markFailed(id, QStringLiteral("GHL said 500"), 2, backoff);
        QVERIFY_OK(s1);
        QCOMPARE(db::toString(s1.value()), QStringLiteral("failed"));
        auto notDue = repo.claimNext(QStringLiteral("s"));
        QVERIFY_OK(notDue);
        QVERIFY2(!notDue->has_value(), "a failed event must wait for its backoff");

        clock.set(clock.now().addSecs(61));
        auto c2 = repo.claimNext(QStringLiteral("s"));
        QVERIFY_OK(c2);
        QVERIFY2(c2->has_value(), "after the backoff the event is due again");
        QCOMPARE(c2->value().attempts, 2);
        auto s2 = repo.markFailed(id, QStringLiteral("GHL said 500 again"), 2, backoff);
        QVERIFY_OK(s2);
        QCOMPARE(db::toString(s2.value()), QStringLiteral("dead"));

        auto stats = repo.stats();
        QVERIFY_OK(stats);
        QCOMPARE(stats->dead, 1);
        QCOMPARE(stats->depth(), 0);
        QCOMPARE(stats->lastError, QStringLiteral("GHL said 500 again"));

        clock.set(clock.now().addSecs(3600));
        auto none = repo.claimNext(QStringLiteral("s"));
        QVERIFY_OK(none);
        QVERIFY2(!none->has_value(), "a dead event is never claimed again by itself");

        auto retried = repo.retry(id);
        QVERIFY_OK(retried);
        QVERIFY(retried.value());
        auto c3 = repo.claimNext(QStringLiteral("s"));
        QVERIFY_OK(c3);
        QVERIFY2(c3->has_value(), "a retried event is due at once");
        QCOMPARE(c3->value().attempts, 1);
        QVERIFY_OK(repo.markDone(id));
        auto recent = repo.recent(10);
        QVERIFY_OK(recent);
        QCOMPARE(recent->size(), 1);
        QCOMPARE(db::toString(recent->first().state), QStringLiteral("done"));
    }

    void backoffGrowsWithJitterBounds()
    {
        const db::InboxBackoff b { 1000, 60000, 0.2 };
        QCOMPARE(db::InboxRepository::backoffMs(1, b, 0x7fffffffu), qint64(1000));
        QVERIFY(db::InboxRepository::backoffMs(3, b, 0) >= 3200 && db::InboxRepository::backoffMs(3, b, 0) <= 4000);
        QVERIFY(db::InboxRepository::backoffMs(3, b, 0xffffffffu) <= 4800);
        QVERIFY(db::InboxRepository::backoffMs(30, b, 0xffffffffu) <= 72000);
    }

    void resumeOnlyOwnClaims()
    {
        webhook::testing::FakeClock clock;
        clock.set(QDateTime::currentDateTimeUtc());
        db::InboxRepository repo(database(), clock);
        QVERIFY_OK(repo.commit({ QStringLiteral("k1"), {}, QStringLiteral("o1"), {}, {}, QByteArrayLiteral("{}") }));
        auto c = repo.claimNext(QStringLiteral("station-a"));
        QVERIFY_OK(c);
        QVERIFY(c->has_value());
        auto other = repo.resumeInterrupted(QStringLiteral("station-b"));
        QVERIFY_OK(other);
        QCOMPARE(other.value(), 0);
        auto own = repo.resumeInterrupted(QStringLiteral("station-a"));
        QVERIFY_OK(own);
        QCOMPARE(own.value(), 1);
        auto again = repo.claimNext(QStringLiteral("station-b"));
        QVERIFY_OK(again);
        QVERIFY(again->has_value());
        // A station whose clock runs 1000 s ahead leaves station-b's live claim alone: its lease
        // (the database's clock) decides when the event is taken again.
        clock.set(clock.now().addSecs(1000));
        auto fast = repo.resumeInterrupted(QStringLiteral("station-c"));
        QVERIFY_OK(fast);
        QCOMPARE(fast.value(), 0);
    }

    void concurrentClaimsNeverShareAnEvent()
    {
        db::InboxRepository repo(database());
        const int events = 60;
        for (int i = 0; i < events; ++i)
            QVERIFY_OK(repo.commit({ QStringLiteral("k%1").arg(i), {}, QStringLiteral("o%1").arg(i), {}, {}, QByteArrayLiteral("{}") }));
        QMutex mutex;
        QList<qint64> claimed;
        QStringList errors;
        QList<QThread *> threads;
        for (int t = 0; t < 4; ++t) {
            threads << QThread::create([&, t] {
                db::InboxRepository own(database());
                for (;;) {
                    auto c = own.claimNext(QStringLiteral("w%1").arg(t));
                    QMutexLocker lock(&mutex);
                    if (!c) {
                        errors << c.error().toString();
                        return;
                    }
                    if (!c->has_value())
                        return;
                    claimed << c->value().id;
                }
            });
            threads.last()->start();
        }
        for (QThread *t : threads) {
            QVERIFY(t->wait(60000));
            delete t;
        }
        QVERIFY2(errors.isEmpty(), qPrintable(errors.join(u'\n')));
        QCOMPARE(claimed.size(), events);
        QCOMPARE(QSet<qint64>(claimed.begin(), claimed.end()).size(), events);
    }

    // --- end to end over the listener ---------------------------------------------------------

    void officialOrderCreateSigned()
    {
        const auto key = webhook::testing::TestKey::ed25519();
        QVERIFY(key.isValid());
        const QJsonObject example = officialExample();
        QVERIFY2(!example.isEmpty(), "the OrderCreate example fixture should be readable");
        const QString orderId = example.value(u"_id").toString();
        const QString contactId = example.value(u"contactId").toString();
        // The simulator is the sample's own location (the listener refuses an order of another
        // location) and serves the order GHL would return for this webhook.
        const QString location = example.value(u"altId").toString();
        QCOMPARE(location, example.value(u"locationId").toString());
        m_sim->setLocationId(location);
        QJsonObject simOrder = example;
        simOrder.remove(QStringLiteral("type"));
        simOrder.remove(QStringLiteral("locationId"));
        m_sim->putOrder(simOrder);
        m_sim->putContact({ contactId, QStringLiteral("Maxwell"), QStringLiteral("Schmidt"),
                            QStringLiteral("limof@mailinator.com"), QStringLiteral("+2389372075506"), {} });
        const QStringList products = productsOf(example);
        QCOMPARE(products.size(), 2);
        mapProducts(products);

        QVERIFY(startService(settings(core::WebhookAuth::GhlSignature, QString::fromLatin1(key.spkiBase64()))));
        QJsonObject signedBody = example;
        signedBody.insert(QStringLiteral("webhookId"), QStringLiteral("e2e-webhook-1"));
        signedBody.insert(QStringLiteral("timestamp"), isoNow());
        const QByteArray body = QJsonDocument(signedBody).toJson(QJsonDocument::Compact);

        const HttpResult forged = send(m_nam, "POST", url(Path), body, { { "X-GHL-Signature", key.sign(body + " ") } });
        QCOMPARE(forged.status, 401);
        const HttpResult r = send(m_nam, "POST", url(Path), body, { { "X-GHL-Signature", key.sign(body) } });
        QCOMPARE(r.status, 200);
        QCOMPARE(r.json().value(u"status").toString(), QStringLiteral("accepted"));

        verifyProcessed(simOrder, products.at(0));
        const QString second = m_sim->contactFieldValue(contactId, QStringLiteral("field-") + products.at(1));
        QCOMPARE(second, m_sim->contactFieldValue(contactId, QStringLiteral("field-") + products.at(0)));
        QCOMPARE(contactPuts(contactId), 1); // both fields in one update
        QCOMPARE(ticketCount(orderId), 2);
    }

    // GHL re-sends a 429'd delivery unchanged (same webhookId and timestamp) 10 to 70 minutes
    // later: a known id is a duplicate whatever its age, an unknown one that old is refused.
    void signedRetryOutsideTheWindowIsADuplicate()
    {
        const auto key = webhook::testing::TestKey::ed25519();
        QVERIFY(key.isValid());
        webhook::testing::FakeClock clock;
        clock.set(QDateTime::currentDateTimeUtc());
        webhook::WebhookServiceSettings s = settings(core::WebhookAuth::GhlSignature, QString::fromLatin1(key.spkiBase64()));
        s.webhook.replayWindowS = 300;
        m_service = std::make_unique<webhook::WebhookService>(m_t->shared(), s, clock);
        QVERIFY_OK(m_service->start());
        const auto signedBody = [&](const QString &webhookId, const QDateTime &at) {
            QJsonObject o { { u"type"_qs, u"OrderCreate"_qs }, { u"_id"_qs, QString(u"o-"_qs + webhookId) }, { u"contactId"_qs, u"c1"_qs },
                            { u"webhookId"_qs, webhookId }, { u"timestamp"_qs, at.toString(Qt::ISODateWithMs) } };
            return QJsonDocument(o).toJson(QJsonDocument::Compact);
        };
        const auto post = [&](const QByteArray &body) {
            return send(m_nam, "POST", url(Path), body, { { "X-GHL-Signature", key.sign(body) } });
        };
        const QDateTime first = clock.now();
        const HttpResult stale = post(signedBody(u"wh-unknown"_qs, first.addSecs(-40 * 60)));
        QVERIFY2(stale.status == 401, qPrintable(QStringLiteral("an unknown delivery 40 minutes old must be refused, got %1 %2")
                                                     .arg(stale.status).arg(QString::fromUtf8(stale.body))));
        const QByteArray body = signedBody(u"wh-retried"_qs, first);
        const HttpResult accepted = post(body);
        QCOMPARE(accepted.status, 200);
        QCOMPARE(accepted.json().value(u"status").toString(), u"accepted"_qs);
        clock.set(first.addSecs(40 * 60)); // GHL's retry, 40 minutes later, unchanged
        const HttpResult retried = post(body);
        QVERIFY2(retried.status == 200, qPrintable(QStringLiteral("a known webhookId 40 minutes old must be a duplicate, got %1 %2")
                                                       .arg(retried.status).arg(QString::fromUtf8(retried.body))));
        QCOMPARE(retried.json().value(u"status").toString(), u"duplicate"_qs);
        const HttpResult ahead = post(signedBody(u"wh-ahead"_qs, clock.now().addSecs(6 * 60)));
        QVERIFY2(ahead.status == 401, "an unknown delivery more than 5 minutes in the future must be refused");
        db::InboxRepository repo(database());
        QCOMPARE(repo.contains(u"webhook:wh-retried"_qs).value(), true);
        QCOMPARE(repo.contains(u"webhook:wh-unknown"_qs).value(), false);
    }

    // The database is away: the listener answers 429 with Retry-After, so that GHL re-sends the
    // delivery (any other answer loses it for good).
    void unreachableDatabaseIs429WithRetryAfter()
    {
        const QString url = m_dialect == db::Dialect::PostgreSQL
            ? u"postgresql://nobody:secret@127.0.0.1:1/qrtickets"_qs // nothing listens on port 1
            : u"sqlite://"_qs + QDir::tempPath() + u"/qrt-no-such-dir-%1/inbox.db"_qs.arg(QCoreApplication::applicationPid());
        auto unreachable = db::Database::open(url);
        QVERIFY_OK(unreachable);
        m_service = std::make_unique<webhook::WebhookService>(unreachable.value(), settings(core::WebhookAuth::SharedSecret));
        QVERIFY_OK(m_service->start());
        QElapsedTimer answeredIn;
        answeredIn.start();
        const HttpResult r = postSecret(R"({"type":"OrderCreate","_id":"o-outage","contactId":"c1"})");
        QVERIFY2(r.status == 429, qPrintable(QStringLiteral("expected 429 while the database is away, got %1 %2")
                                                 .arg(r.status).arg(QString::fromUtf8(r.body))));
        QCOMPARE(r.retryAfter, QByteArray::number(webhook::WebhookRequestHandler::RetryAfterS));
        qInfo() << "answered in" << answeredIn.elapsed() << "ms"; // spec: within 5 s (not asserted: no timed assertions)
    }

    void workflowShapes_data()
    {
        QTest::addColumn<int>("shape");
        QTest::newRow("2 workflow order") << 2;
        QTest::newRow("3 workflow line items") << 3;
        QTest::newRow("4 custom data") << 4;
    }

    void workflowShapes()
    {
        QFETCH(int, shape);
        // The shape-th order that is neither cancelled nor refunded: those get no QR code.
        QStringList live;
        for (const QString &id : m_sim->orderIds()) {
            if (!ghl::orderFromJson(m_sim->orderJson(id))->isVoid())
                live << id;
        }
        const QJsonObject order = m_sim->orderJson(live.at(shape));
        mapProducts(productsOf(order));
        QVERIFY(startService(settings(core::WebhookAuth::SharedSecret)));
        const QByteArray body = shape == 2 ? workflowOrderBody(order, m_sim->locationId())
            : shape == 3                   ? workflowLineItemsBody(order)
                                           : customDataBody(order);
        const HttpResult r = postSecret(body);
        QCOMPARE(r.status, 200);
        verifyProcessed(order, firstProduct(order));
        // The inbox keeps what sent the event, never the secret.
        auto headers = m_t->scalar(QStringLiteral("SELECT headers FROM webhook_inbox WHERE order_id = '%1'")
                                       .arg(order.value(u"_id").toString()));
        QVERIFY_OK(headers);
        const QJsonObject stored = QJsonDocument::fromJson(headers.value().toString().toUtf8()).object();
        QCOMPARE(stored.value(u"content-type").toString(), QStringLiteral("application/json"));
        QCOMPARE(stored.value(u"x-webhook-secret").toString(), QStringLiteral("[redacted]"));
        QVERIFY2(!headers.value().toString().contains(QString::fromLatin1(Secret)), qPrintable(headers.value().toString()));
    }

    void sameEventTwiceIsProcessedOnce()
    {
        const QJsonObject order = m_sim->orderJson(m_sim->orderIds().at(1));
        mapProducts(productsOf(order));
        QVERIFY(startService(settings(core::WebhookAuth::SharedSecret)));
        const QByteArray body = workflowOrderBody(order, m_sim->locationId());
        QCOMPARE(postSecret(body).status, 200);
        const HttpResult again = postSecret(body);
        QCOMPARE(again.status, 200);
        QCOMPARE(again.json().value(u"status").toString(), QStringLiteral("duplicate"));
        verifyProcessed(order, firstProduct(order));
        // A third delivery after processing is still a duplicate.
        QCOMPARE(postSecret(body).json().value(u"status").toString(), QStringLiteral("duplicate"));
        QTest::qWait(300); // give a wrong second processing the chance to show up
        QCOMPARE(contactPuts(order.value(u"contactId").toString()), 1);
        QCOMPARE(ticketCount(order.value(u"_id").toString()), expectedTickets(order));
        db::InboxRepository repo(database());
        auto done = repo.countDone();
        QVERIFY_OK(done);
        QCOMPARE(done.value(), 1);
    }

    void productWithoutMappingIsVisibleAndOrderStillSynced()
    {
        const QJsonObject order = m_sim->orderJson(m_sim->orderIds().at(2));
        const QString product = firstProduct(order);
        QVERIFY(startService(settings(core::WebhookAuth::SharedSecret)));
        QCOMPARE(postSecret(customDataBody(order)).status, 200);
        const QString orderId = order.value(u"_id").toString();
        QTRY_VERIFY2_WITH_TIMEOUT(stateOf(orderId) == u"done", qPrintable(stateOf(orderId)), WaitMs);
        const auto event = eventFor(orderId);
        QVERIFY(event);
        QVERIFY2(event->warning.contains(QStringLiteral("no custom field mapped for product ") + product),
                 qPrintable(QStringLiteral("the event should name the unmapped product, warning: ") + event->warning));
        QCOMPARE(ticketCount(orderId), expectedTickets(order));
        QCOMPARE(contactPuts(order.value(u"contactId").toString()), 0);

        // Mapping it afterwards and retrying by hand pushes the QR.
        mapProducts(productsOf(order));
        db::InboxRepository repo(database());
        auto retried = repo.retry(event->id);
        QVERIFY_OK(retried);
        QVERIFY(retried.value());
        QMetaObject::invokeMethod(m_service->worker(), &webhook::InboxWorker::wake, Qt::QueuedConnection);
        QTRY_VERIFY_WITH_TIMEOUT(eventFor(orderId) && eventFor(orderId)->state == db::InboxState::Done
                                     && eventFor(orderId)->warning.isEmpty(),
                                 WaitMs);
        verifyProcessed(order, product);
    }

    void ghlFailingRetriesThenDeadThenManualRetry()
    {
        // A live order: a cancelled or refunded one rightly gets no QR code (PRODUCT.md 3).
        QJsonObject order;
        for (const QString &id : m_sim->orderIds()) {
            if (order.isEmpty() && !ghl::orderFromJson(m_sim->orderJson(id))->isVoid())
                order = m_sim->orderJson(id);
        }
        QVERIFY2(!order.isEmpty(), "the simulator should hold a live order");
        mapProducts(productsOf(order));
        ghlsim::SimFaults down;
        down.serverError = 1.0;
        m_sim->setPathFaults(QStringLiteral("/payments/orders"), down);
        webhook::WebhookServiceSettings s = settings(core::WebhookAuth::SharedSecret);
        s.feedToken = QStringLiteral("serve-feed-token"); // /healthz's detail is for its holder only
        QVERIFY(startService(s));
        QSignalSpy failed(m_service->worker(), &webhook::InboxWorker::eventFailed);
        QCOMPARE(postSecret(customDataBody(order)).status, 200);
        const QString orderId = order.value(u"_id").toString();
        QTRY_VERIFY2_WITH_TIMEOUT(stateOf(orderId) == u"dead", qPrintable(stateOf(orderId)), WaitMs);
        const auto dead = eventFor(orderId);
        QVERIFY(dead);
        QCOMPARE(dead->attempts, 3);
        QVERIFY2(dead->lastError.contains(orderId), qPrintable(dead->lastError));
        QCOMPARE(failed.count(), 3);
        QVERIFY2(failed.last().at(3).toBool(), "the last failure should say the event is dead");
        // The status is a probe cached for up to 2 s: ask until it shows the dead event.
        HttpResult health;
        QTRY_VERIFY_WITH_TIMEOUT((health = send(m_nam, "GET", url("/healthz"), {}, { { "Authorization", "Bearer serve-feed-token" } }))
                                         .json().value(u"inboxDead").toInt() == 1,
                                 WaitMs);
        QCOMPARE(health.status, 200);
        QVERIFY(!health.json().value(u"lastError").toString().isEmpty());

        m_sim->clearFaults();
        db::InboxRepository repo(database());
        auto retried = repo.retry(dead->id);
        QVERIFY_OK(retried);
        QVERIFY(retried.value());
        QMetaObject::invokeMethod(m_service->worker(), &webhook::InboxWorker::wake, Qt::QueuedConnection);
        verifyProcessed(order, firstProduct(order));
    }

    void resumedEventSkipsContactUpdateAlreadyDone()
    {
        // A crash after GHL confirmed the contact update but before the event was done: the
        // restarted worker syncs the order and finishes without a second update.
        const QJsonObject order = m_sim->orderJson(m_sim->orderIds().at(4));
        const QString product = firstProduct(order);
        mapProducts(productsOf(order));
        db::InboxRepository repo(database());
        const QByteArray body = customDataBody(order);
        QVERIFY_OK(repo.commit({ QStringLiteral("crash-1"), {}, order.value(u"_id").toString(), {}, {}, body }));
        // Claimed by a process of this machine that is gone (kill -9): taken back at once.
        QProcess gone;
        gone.start(QStringLiteral("true"));
        QVERIFY(gone.waitForStarted(WaitMs));
        const qint64 pid = gone.processId();
        QVERIFY(gone.waitForFinished(WaitMs));
        auto claimed = repo.claimNext(
            QStringLiteral("test-station@%1:%2:0123abcd").arg(QSysInfo::machineHostName()).arg(pid));
        QVERIFY_OK(claimed);
        QVERIFY(claimed->has_value());
        QStringList fields;
        for (const QString &p : productsOf(order))
            fields << QStringLiteral("field-") + p;
        QVERIFY_OK(repo.markPushed(claimed->value().id, fields));

        QVERIFY(startService(settings(core::WebhookAuth::SharedSecret)));
        const QString orderId = order.value(u"_id").toString();
        QTRY_VERIFY2_WITH_TIMEOUT(stateOf(orderId) == u"done", qPrintable(stateOf(orderId)), WaitMs);
        QCOMPARE(contactPuts(order.value(u"contactId").toString()), 0);
        QCOMPARE(ticketCount(orderId), expectedTickets(order));
        db::OrderRepository orders(database());
        auto stored = orders.get(orderId);
        QVERIFY_OK(stored);
        QVERIFY(stored->has_value());
        auto decoded = qr::QrDecoder::decodeDataUrl(stored->value().order.qrCodeImage);
        QVERIFY2(decoded, "the stored QR image should decode");
        QCOMPARE(decoded.value(), QStringLiteral("https://qr.example.com/orders/") + orderId);
    }

    void feedSeesWebhookAndOrderSynced()
    {
        const QJsonObject order = m_sim->orderJson(m_sim->orderIds().at(5));
        mapProducts(productsOf(order));
        auto s = settings(core::WebhookAuth::SharedSecret);
        s.feedToken = QStringLiteral("feed-token");
        QVERIFY(startService(s));
        QWebSocket ws;
        QStringList events;
        QList<QJsonObject> messages;
        connect(&ws, &QWebSocket::textMessageReceived, this, [&](const QString &text) {
            const QJsonObject m = QJsonDocument::fromJson(text.toUtf8()).object();
            events << m.value(u"event").toString();
            messages << m;
        });
        QSignalSpy connected(&ws, &QWebSocket::connected);
        ws.open(QUrl(QStringLiteral("ws://127.0.0.1:%1/ws?token=feed-token").arg(m_service->port())));
        QVERIFY2(connected.wait(WaitMs), "the feed on /ws of the listener's port should accept the client");
        QTRY_COMPARE_WITH_TIMEOUT(m_service->feed().clientCount(), 1, WaitMs);
        QCOMPARE(postSecret(customDataBody(order)).status, 200);
        QTRY_VERIFY2_WITH_TIMEOUT(events.contains(QStringLiteral("order_synced")),
                                  qPrintable(QStringLiteral("events so far: ") + events.join(u',')), WaitMs);
        const qsizetype received = events.indexOf(QStringLiteral("webhook_received"));
        QVERIFY2(received >= 0 && received < events.indexOf(QStringLiteral("order_synced")),
                 qPrintable(QStringLiteral("webhook_received should come first: ") + events.join(u',')));
        const QString orderId = order.value(u"_id").toString();
        QCOMPARE(messages.at(received).value(u"data").toObject().value(u"orderId").toString(), orderId);
        const QJsonObject synced = messages.at(events.indexOf(QStringLiteral("order_synced"))).value(u"data").toObject();
        QCOMPARE(synced.value(u"orderId").toString(), orderId);

        // A change at the door (any writer of ticket_events) reaches the feed as ticket_status_changed.
        auto admitted = db::TicketRepository(database()).admitNext(orderId, QStringLiteral("door-7"));
        QVERIFY_OK(admitted);
        QVERIFY(admitted->admitted());
        QTRY_VERIFY2_WITH_TIMEOUT(events.contains(QStringLiteral("ticket_status_changed")),
                                  qPrintable(QStringLiteral("events so far: ") + events.join(u',')), WaitMs);
        const QJsonObject changed
            = messages.at(events.lastIndexOf(QStringLiteral("ticket_status_changed"))).value(u"data").toObject();
        QVERIFY2(QJsonDocument(changed).toJson().contains("door-7") && QJsonDocument(changed).toJson().contains("used"),
                 QJsonDocument(changed).toJson().constData());
        ws.close();
    }

    void aBurstIsAnsweredBeforeItIsWorkedOn()
    {
        const QStringList ids = m_sim->orderIds();
        auto s = settings(core::WebhookAuth::SharedSecret);
        s.worker.settleMs = 3000; // long, so that a slow machine does not fail the checks below
        s.worker.maxSettleMs = 60000;
        QVERIFY(startService(s));
        QCOMPARE(postSecret(customDataBody(m_sim->orderJson(ids.at(0)))).status, 200);
        QTest::qWait(1000);
        QCOMPARE(postSecret(customDataBody(m_sim->orderJson(ids.at(1)))).status, 200);
        QTest::qWait(1000);
        // Two seconds after the first webhook, with the poll running every 100 ms: the burst has
        // not settled (the second webhook restarted the wait), so nothing is claimed yet.
        QCOMPARE(stateOf(ids.at(0)), QStringLiteral("pending"));
        QCOMPARE(stateOf(ids.at(1)), QStringLiteral("pending"));
        QTRY_COMPARE_WITH_TIMEOUT(stateOf(ids.at(0)), QStringLiteral("done"), WaitMs);
        QTRY_COMPARE_WITH_TIMEOUT(stateOf(ids.at(1)), QStringLiteral("done"), WaitMs);
    }

    void aSteadyStreamIsStillWorkedOn()
    {
        const QStringList ids = m_sim->orderIds();
        auto s = settings(core::WebhookAuth::SharedSecret);
        s.worker.settleMs = 2000; // longer than the whole stream: within it, only the cap starts the work
        s.worker.maxSettleMs = 600;
        QVERIFY(startService(s));
        // A webhook every 150 ms keeps the burst going; the cap still starts the work.
        QElapsedTimer stream;
        stream.start();
        for (const QString &id : ids) {
            QCOMPARE(postSecret(customDataBody(m_sim->orderJson(id))).status, 200);
            QTest::qWait(150);
        }
        QVERIFY2(stateOf(ids.at(0)) != u"pending",
                 qPrintable(QStringLiteral("after %1 ms of steady webhooks the first one should be claimed "
                                           "(maxSettleMs = 600), it is still pending").arg(stream.elapsed())));
        // The worker goes on with the rest once it has started (finished work claims the next).
        for (const QString &id : ids)
            QTRY_COMPARE_WITH_TIMEOUT(stateOf(id), QStringLiteral("done"), WaitMs);
    }

    void listeningAgainTakesNewSettings()
    {
        const QStringList ids = m_sim->orderIds();
        QVERIFY(startService(settings(core::WebhookAuth::SharedSecret)));
        QCOMPARE(postSecret(customDataBody(m_sim->orderJson(ids.at(0)))).status, 200);
        const QUrl before = url(Path);
        m_service->stopListening();
        QCOMPARE(send(m_nam, "POST", before, customDataBody(m_sim->orderJson(ids.at(1))), { { "X-Webhook-Secret", Secret } }).status,
                 0); // nothing listens on the port any more
        // The worker goes on while the listener is off.
        QTRY_COMPARE_WITH_TIMEOUT(stateOf(ids.at(0)), QStringLiteral("done"), WaitMs);

        // A station changes the secret and starts the listener again: the new secret counts now.
        core::WebhookSettings changed = settings(core::WebhookAuth::SharedSecret).webhook;
        changed.secret = QStringLiteral("a-new-secret");
        QVERIFY_OK(m_service->listen(changed, QString()));
        const QByteArray body = customDataBody(m_sim->orderJson(ids.at(2)));
        const HttpResult old = postSecret(body);
        QVERIFY2(old.status == 401, qPrintable(QStringLiteral("the old secret must be refused after the change, got %1").arg(old.status)));
        QCOMPARE(send(m_nam, "POST", url(Path), body, { { "X-Webhook-Secret", "a-new-secret" } }).status, 200);
        QTRY_COMPARE_WITH_TIMEOUT(stateOf(ids.at(2)), QStringLiteral("done"), WaitMs);

        // Settings the listener must refuse are refused before anything stops: it goes on as it was.
        changed.auth = core::WebhookAuth::None;
        changed.bind = QStringLiteral("0.0.0.0");
        auto refused = m_service->listen(changed, QString());
        QVERIFY(!refused.ok());
        QCOMPARE(refused.error().code, QStringLiteral("webhook.insecure"));
        QVERIFY(m_service->server().isListening());
        QCOMPARE(send(m_nam, "POST", url(Path), body, { { "X-Webhook-Secret", "a-new-secret" } }).status, 200);

        // A port another program holds: the error comes back and the listener goes on as it was.
        QTcpServer squatter;
        QVERIFY(squatter.listen(QHostAddress::LocalHost, 0));
        const quint16 running = m_service->port();
        core::WebhookSettings taken = settings(core::WebhookAuth::SharedSecret).webhook;
        taken.port = squatter.serverPort();
        auto busy = m_service->listen(taken, QString());
        QVERIFY2(!busy.ok(), "listening on a port in use must fail");
        QVERIFY2(m_service->server().isListening(), "after a failed change the listener must listen as before");
        QCOMPARE(m_service->port(), running);
        QCOMPARE(send(m_nam, "POST", url(Path), body, { { "X-Webhook-Secret", "a-new-secret" } }).status, 200);
    }

    void stopDrainsTheEventInProgress()
    {
        const QJsonObject order = m_sim->orderJson(m_sim->orderIds().at(6));
        mapProducts(productsOf(order));
        m_sim->setLatencyMs(400);
        QVERIFY(startService(settings(core::WebhookAuth::SharedSecret)));
        QCOMPARE(postSecret(customDataBody(order)).status, 200);
        const QString orderId = order.value(u"_id").toString();
        QTRY_VERIFY_WITH_TIMEOUT(stateOf(orderId) == u"processing", WaitMs);
        QSignalSpy stopped(m_service.get(), &webhook::WebhookService::stopped);
        m_service->stop();
        QVERIFY(stopped.wait(WaitMs));
        QCOMPARE(stateOf(orderId), QStringLiteral("done"));
        QCOMPARE(ticketCount(orderId), expectedTickets(order));
        // Nothing listens any more.
        QCOMPARE(postSecret(customDataBody(order)).status, 0);
    }
};

QTEST_GUILESS_MAIN(TestServe)
#include "tst_serve.moc"
