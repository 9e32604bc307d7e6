#include "serve/servetestutil.h"
#include "support/childprocess.h"
#include "support/freeport.h"
#include "support/verify.h"
#include "support/testdatabase.h"

#include "db/fieldmappingrepository.h"
#include "db/inboxrepository.h"
#include "db/ticketrepository.h"
#include "ghl/orderjson.h"
#include "ghlsim/ghlsimulator.h"
#include "qr/qrcode.h"

#include <QHash>
#include <QProcess>
#include <QSet>
#include <QTest>

using namespace qrt;
using namespace qrt::servetest;

namespace {
constexpr int WaitMs = 60000;
const QString UrlTemplate = QStringLiteral("https://qr.example.com/orders/{order_id}");
const QByteArray Secret = "crash-test-secret";
const QByteArray Path = "/api/ghl/webhook-qr";
// The done events; -1 when the inbox cannot be read.
int doneCount(db::InboxRepository &repo)
{
    auto n = repo.countDone();
    return n ? n.value() : -1;
}

} // namespace

// kill -9 of `qrtickets serve` in the middle of a burst: every webhook that got a 200 is processed
// exactly once after the restart.
class TestServeCrash : public QObject
{
    Q_OBJECT

    db::Dialect m_dialect = db::Dialect::SQLite;
    std::unique_ptr<test::TestDatabase> m_t;
    ghlsim::GhlSimulator m_sim;
    test::FreshHome m_home;
    quint16 m_port = 0;
    QNetworkAccessManager m_nam;

    std::unique_ptr<QProcess> startServe()
    {
        const QProcessEnvironment env = m_home.environment({
            { QStringLiteral("QRTICKETS_DATABASE_URL"), m_t->url() },
            { QStringLiteral("QRTICKETS_GHL_BASE_URL"), m_sim.baseUrl().toString() },
            { QStringLiteral("QRTICKETS_GHL_TOKEN"), m_sim.token() },
            { QStringLiteral("QRTICKETS_GHL_LOCATION_ID"), m_sim.locationId() },
            { QStringLiteral("QRTICKETS_GHL_CONCURRENCY"), QStringLiteral("4") },
            { QStringLiteral("QRTICKETS_WEBHOOK_BIND"), QStringLiteral("127.0.0.1") },
            { QStringLiteral("QRTICKETS_WEBHOOK_PORT"), QString::number(m_port) },
            { QStringLiteral("QRTICKETS_WEBHOOK_AUTH"), QStringLiteral("shared-secret") },
            { QStringLiteral("QRTICKETS_WEBHOOK_SECRET"), QString::fromLatin1(Secret) },
            { QStringLiteral("QRTICKETS_QR_URL_TEMPLATE"), UrlTemplate },
            { QStringLiteral("QRTICKETS_STATION_NAME"), QStringLiteral("crash-test") },
            { QStringLiteral("QT_LOGGING_RULES"), QStringLiteral("qrtickets.*.info=false") },
        });
        return test::startChild(test::qrticketsBinary(), { QStringLiteral("serve") }, env, QProcess::ForwardedChannels);
    }

    bool healthy()
    {
        const HttpResult r = send(m_nam, "GET", QUrl(QStringLiteral("http://127.0.0.1:%1/healthz").arg(m_port)), {}, {}, 2000);
        return r.status == 200;
    }

private slots:
    void initTestCase()
    {
        QRT_REQUIRE_BACKEND(m_dialect);
        QVERIFY2(QFile::exists(test::qrticketsBinary()),
                 "QRT_QRTICKETS_BIN should name the qrtickets executable (ctest sets it)");
        QRT_FRESH_DATABASE(m_t, m_dialect);
        QVERIFY_OK(m_t->migrate());
        m_sim.setRateLimit(0, 10000);
        m_sim.setLatencyMs(20);
        QVERIFY(m_sim.listen());
        m_port = test::freePort();
    }

    void killDuringBurstLosesAndDuplicatesNothing()
    {
        const int events = 200;
        m_sim.generate(events, 7);
        const QStringList orderIds = m_sim.orderIds();
        db::FieldMappingRepository fields(m_t->db());
        QSet<QString> products;
        for (const QString &id : orderIds) {
            for (const QString &p : productsOf(m_sim.orderJson(id)))
                products.insert(p);
        }
        QList<ghlsim::SimCustomField> known = m_sim.customFields(); // a mapped field must exist in GHL
        for (const QString &p : std::as_const(products)) {
            QVERIFY_OK(fields.upsert(p, QStringLiteral("field-") + p, p));
            known.append({ QStringLiteral("field-") + p, p, QStringLiteral("contact.qr_") + p, QStringLiteral("TEXT") });
        }
        m_sim.setCustomFields(known);

        QList<QByteArray> requests;
        for (int i = 0; i < events; ++i) {
            const QByteArray body = marketplaceBody(m_sim.orderJson(orderIds.at(i)), QStringLiteral("crash-%1").arg(i), m_sim.locationId());
            requests << rawPost(Path, body, "X-Webhook-Secret: " + Secret + "\r\n");
        }

        auto serve = startServe();
        QTRY_VERIFY2_WITH_TIMEOUT(healthy(), "qrtickets serve should answer /healthz", WaitMs);

        // Burst over 10 connections; kill -9 once half of the events were acknowledged.
        QDateTime killedAt;
        BurstClient first(m_port, requests, 4);
        first.setPaceMs(20); // the kill lands while events still arrive and others are processed
        int acked = 0;
        first.onAnswer = [&](int, const BurstClient::Outcome &o) {
            if (o.status == 200 && ++acked == events * 3 / 5 && serve->state() == QProcess::Running) {
                killedAt = QDateTime::currentDateTimeUtc();
                serve->kill(); // SIGKILL
            }
        };
        first.run(WaitMs);
        QVERIFY(serve->state() == QProcess::NotRunning || serve->waitForFinished(WaitMs));
        QVERIFY2(killedAt.isValid(), "the server should have been killed in the middle of the burst");
        QSet<int> ackedFirst;
        for (int i = 0; i < events; ++i) {
            if (first.outcomes().at(i).status == 200)
                ackedFirst.insert(i);
        }
        db::InboxRepository repo(m_t->db());
        auto atKill = repo.stats();
        QVERIFY_OK(atKill);
        const int doneAtKill = doneCount(repo);
        qInfo("killed after %d acknowledged events; inbox then: %d done, %d processing, %d pending", int(ackedFirst.size()),
              doneAtKill, atKill->processing, atKill->pending);
        QVERIFY2(doneAtKill < events, "the kill should come before the worker finished everything");

        // Restart; GHL resends what was not acknowledged (we resend everything: acknowledged ones must be duplicates).
        serve = startServe();
        QTRY_VERIFY2_WITH_TIMEOUT(healthy(), "the restarted qrtickets serve should answer /healthz", WaitMs);
        BurstClient second(m_port, requests, 10);
        second.run(WaitMs);
        QCOMPARE(second.answered(200), events);
        for (int i : std::as_const(ackedFirst)) {
            const QJsonObject answer = QJsonDocument::fromJson(second.outcomes().at(i).body).object();
            QVERIFY2(answer.value(u"status").toString() == u"duplicate",
                     qPrintable(QStringLiteral("event %1 was acknowledged before the crash, so it must be a duplicate now").arg(i)));
        }
        QTRY_VERIFY2_WITH_TIMEOUT(doneCount(repo) == events,
                                  qPrintable(QStringLiteral("every event should end done; done now: %1, dead: %2")
                                                 .arg(doneCount(repo))
                                                 .arg(repo.stats().ok() ? repo.stats()->dead : -1)),
                                  120000);
        serve->terminate(); // SIGTERM: drains and exits 0
        QVERIFY(serve->state() == QProcess::NotRunning || serve->waitForFinished(WaitMs));
        QCOMPARE(serve->exitStatus(), QProcess::NormalExit);
        QCOMPARE(serve->exitCode(), 0);

        // Exactly once: tickets per order equal the quantities; one contact update per event.
        db::TicketRepository tickets(m_t->db());
        QHash<QString, int> orderOfUrl;
        for (int i = 0; i < events; ++i)
            orderOfUrl.insert(QStringLiteral("https://qr.example.com/orders/") + orderIds.at(i), i);
        QList<QList<QDateTime>> puts(events);
        for (const ghlsim::SimRequest &r : m_sim.requests()) {
            if (r.endpoint != ghlsim::Endpoint::UpdateContact || r.status != 200)
                continue;
            const QJsonArray f = QJsonDocument::fromJson(r.body).object().value(u"customFields").toArray();
            auto decoded = qr::QrDecoder::decodeDataUrl(f.first().toObject().value(u"field_value").toString());
            QVERIFY2(decoded, "every contact update should carry a readable QR code");
            QVERIFY2(orderOfUrl.contains(decoded.value()),
                     qPrintable(QStringLiteral("the QR %1 should be the URL of one of the orders").arg(decoded.value())));
            puts[orderOfUrl.value(decoded.value())] << r.receivedAt;
        }
        int repeated = 0;
        QHash<QString, QString> newestOfContact;
        for (const QString &id : orderIds) {
            auto o = ghl::orderFromJson(m_sim.orderJson(id));
            if (o && !o->isVoid() && !newestOfContact.contains(o->contactId))
                newestOfContact.insert(o->contactId, id);
        }
        for (int i = 0; i < events; ++i) {
            const QJsonObject order = m_sim.orderJson(orderIds.at(i));
            auto parsed = ghl::orderFromJson(order);
            QVERIFY(parsed);
            int want = 0;
            for (const core::TicketDemand &d : parsed->ticketDemand())
                want += d.qty;
            auto list = tickets.forOrder(orderIds.at(i));
            QVERIFY_OK(list);
            QVERIFY2(list->size() == want, qPrintable(QStringLiteral("order %1 should have %2 tickets, has %3")
                                                          .arg(orderIds.at(i)).arg(want).arg(list->size())));
            if (parsed->isVoid()) { // cancelled and refunded orders get no QR code
                QVERIFY2(puts.at(i).isEmpty(), qPrintable(QStringLiteral("cancelled order %1 got a QR code").arg(orderIds.at(i))));
                continue;
            }
            // Two orders of one contact for one field: the newest one's QR stays, an older one may
            // be skipped once the newer one is there (orderIds() is newest first).
            if (puts.at(i).isEmpty() && newestOfContact.value(parsed->contactId) != orderIds.at(i))
                continue;
            QVERIFY2(!puts.at(i).isEmpty(), qPrintable(QStringLiteral("order %1's contact was never updated").arg(orderIds.at(i))));
            if (puts.at(i).size() > 1) {
                // Honest count: an update GHL confirmed in the instant between its answer and our
                // record of it (the kill) is sent again. Only an update sent before the kill can repeat.
                ++repeated;
                // What a reader of a failure needs: the contact's GHL requests and outbox rows.
                qInfo().noquote() << "order" << orderIds.at(i) << "of contact" << parsed->contactId << "was written"
                                  << puts.at(i).size() << "times; serve was killed at" << killedAt.toString(Qt::ISODateWithMs);
                for (const ghlsim::SimRequest &r : m_sim.requests()) {
                    if (r.path.contains(parsed->contactId))
                        qInfo().noquote() << "   " << r.receivedAt.toString(Qt::ISODateWithMs) << r.method << r.path << r.status;
                }
                auto rows = m_t->db().prepare(QStringLiteral("SELECT order_id, state, attempts FROM qr_outbox WHERE contact_id = :c"),
                                              QStringLiteral("read the contact's QR outbox"));
                QVERIFY_OK(rows);
                QVERIFY_OK(rows->bind(QStringLiteral(":c"), parsed->contactId).exec());
                while (rows->next())
                    qInfo().noquote() << "    outbox row" << rows->value(QStringLiteral("order_id")).toString()
                                      << rows->value(QStringLiteral("state")).toString() << "after"
                                      << rows->value(QStringLiteral("attempts")).toInt() << "claims";
                QCOMPARE(puts.at(i).size(), 2);
                QVERIFY2(puts.at(i).first() <= killedAt,
                         qPrintable(QStringLiteral("order %1 was updated twice without a crash in between").arg(orderIds.at(i))));
            }
        }
        qInfo("%d of %d contact updates were sent again after the restart: GHL had received them, but the kill came before its answer reached serve or before serve recorded it", repeated, events);
        // The QR outbox checks GHL before writing a field again after a crash (issue 16 found 2-3 repeats).
        QVERIFY2(repeated == 0, "no contact update may be sent twice, not even across kill -9");
        auto end = repo.stats();
        QVERIFY_OK(end);
        QCOMPARE(end->dead, 0);
        QCOMPARE(end->depth(), 0);
    }
};

QTEST_GUILESS_MAIN(TestServeCrash)
#include "tst_serve_crash.moc"
