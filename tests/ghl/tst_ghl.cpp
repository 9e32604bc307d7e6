// GhlClient and its jobs against the GHL simulator over a real socket on 127.0.0.1.
#include "ghl/getorderjob.h"
#include "ghl/ghlclient.h"
#include "ghl/listcustomfieldsjob.h"
#include "ghl/listordersjob.h"
#include "ghl/ratelimiter.h"
#include "ghl/updatecontactfieldjob.h"
#include "ghlsim/ghlsimulator.h"
#include "support/timeouts.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QMutex>
#include <QRegularExpression>
#include <QSet>
#include <QSignalSpy>
#include <QTcpServer>
#include <QTest>

#include <functional>
#include <memory>

using namespace qrt;
using ghl::GhlError;
using ghlsim::Endpoint;
using ghlsim::GhlSimulator;

namespace {

// Outcome of one job, copied inside finished() (the job deletes itself right after).
struct Outcome
{
    bool done = false;
    int finishedCount = 0;
    GhlError error;
    int attempts = 0;
    int status = 0;
};

template <typename Job>
std::shared_ptr<Outcome> watch(Job *job, std::function<void(Job *)> grab = {})
{
    auto out = std::make_shared<Outcome>();
    QObject::connect(job, &ghl::GhlJob::finished, job, [out, job, grab] {
        ++out->finishedCount;
        out->done = true;
        out->error = job->error();
        out->attempts = job->attempts();
        out->status = job->httpStatus();
        if (grab)
            grab(job);
    });
    return out;
}

bool waitDone(const std::shared_ptr<Outcome> &out, int timeoutMs = test::kWaitMs)
{
    return QTest::qWaitFor([&] { return out->done; }, timeoutMs);
}

QString describe(const GhlError &e)
{
    return ghl::toString(e.kind) + QStringLiteral(": ") + e.error.toString();
}

QStringList g_captured;
QMutex g_capturedLock;
QtMessageHandler g_previousHandler = nullptr;

void capture(QtMsgType type, const QMessageLogContext &context, const QString &message)
{
    {
        QMutexLocker lock(&g_capturedLock);
        g_captured << QString::fromLatin1(context.category ? context.category : "") + u' ' + message;
    }
    if (g_previousHandler)
        g_previousHandler(type, context, message);
}

} // namespace

class TestGhl : public QObject
{
    Q_OBJECT

private:
    std::unique_ptr<GhlSimulator> m_sim;
    std::unique_ptr<ghl::GhlClient> m_client;

    core::GhlSettings settings() const
    {
        core::GhlSettings s;
        s.baseUrl = m_sim->baseUrl();
        s.locationId = m_sim->locationId();
        s.token = m_sim->token();
        s.apiVersion = QStringLiteral("2021-07-28");
        s.concurrency = 6;
        s.requestTimeoutMs = 15000;
        return s;
    }

    static ghl::RetryPolicy fastRetries()
    {
        ghl::RetryPolicy p;
        p.maxAttempts = 4;
        p.baseDelayMs = 20;
        p.maxDelayMs = 200;
        p.retryBudget = 50;
        return p;
    }

    template <typename Job>
    std::shared_ptr<Outcome> run(Job *job, std::function<void(Job *)> grab = {})
    {
        auto out = watch<Job>(job, grab);
        if (!waitDone(out))
            qWarning("job did not finish in time");
        return out;
    }

private Q_SLOTS:
    void init()
    {
        m_sim = std::make_unique<GhlSimulator>();
        QVERIFY2(m_sim->listen(), "the simulator must listen on 127.0.0.1");
        m_sim->generate(25, 7);
        m_sim->setRateLimit(0, 1000); // off unless a test turns it on
        m_client = std::make_unique<ghl::GhlClient>(settings());
        m_client->setRetryPolicy(fastRetries());
    }

    void cleanup()
    {
        m_client.reset();
        m_sim.reset();
    }

    void sendsAuthVersionAcceptAndLocation()
    {
        ghl::ListOrdersQuery q;
        q.limit = 5;
        q.paymentStatus = QStringLiteral("paid");
        q.search = QStringLiteral("a+b &c");
        ghl::OrderPage page;
        auto out = run<ghl::ListOrdersJob>(m_client->listOrders(q), [&](ghl::ListOrdersJob *j) { page = j->page(); });
        QVERIFY2(out->done && out->error.kind == GhlError::Kind::None, qPrintable(describe(out->error)));
        QCOMPARE(m_sim->requestCount(), 1);
        const ghlsim::SimRequest r = m_sim->requests().constFirst();
        QCOMPARE(r.method, QByteArray("GET"));
        QCOMPARE(r.path, QStringLiteral("/payments/orders"));
        QCOMPARE(r.header("Authorization"), "Bearer " + m_sim->token().toUtf8());
        QCOMPARE(r.header("Version"), QByteArray("2021-07-28"));
        QCOMPARE(r.header("Accept"), QByteArray("application/json"));
        QCOMPARE(r.query.queryItemValue(QStringLiteral("altId")), m_sim->locationId());
        QCOMPARE(r.query.queryItemValue(QStringLiteral("altType")), QStringLiteral("location"));
        QCOMPARE(r.query.queryItemValue(QStringLiteral("limit")), QStringLiteral("5"));
        QCOMPARE(r.query.queryItemValue(QStringLiteral("offset")), QStringLiteral("0"));
        QCOMPARE(r.query.queryItemValue(QStringLiteral("paymentStatus")), QStringLiteral("paid"));
        QCOMPARE(r.query.queryItemValue(QStringLiteral("search"), QUrl::FullyDecoded), QStringLiteral("a+b &c"));
        QVERIFY2(!r.query.hasQueryItem(QStringLiteral("status")), "empty filters must not be sent");
        QCOMPARE(out->finishedCount, 1);
    }

    void paginatesWithTotalCount()
    {
        QStringList seen;
        int pages = 0;
        for (int offset = 0;; offset += 10) {
            ghl::ListOrdersQuery q;
            q.limit = 10;
            q.offset = offset;
            ghl::OrderPage page;
            auto out = run<ghl::ListOrdersJob>(m_client->listOrders(q), [&](ghl::ListOrdersJob *j) { page = j->page(); });
            QVERIFY2(out->done && !out->error.isError(), qPrintable(describe(out->error)));
            QCOMPARE(page.totalCount, 25);
            QCOMPARE(page.offset, offset);
            ++pages;
            for (const ghl::OrderSummary &s : std::as_const(page.orders)) {
                QVERIFY2(QRegularExpression(QStringLiteral("^[0-9a-f]{24}$")).match(s.id).hasMatch(),
                         qPrintable(QStringLiteral("order id %1 is not 24 hex digits").arg(s.id)));
                QVERIFY2(s.updatedAt.isValid() && s.createdAt.isValid(), "summaries carry createdAt and updatedAt");
                QVERIFY2(!s.contactName.isEmpty() && s.contactEmail.contains(u'@'), "summaries carry the contact");
                QCOMPARE(s.currency, QStringLiteral("USD"));
                QVERIFY(s.amount > 0);
                seen << s.id;
            }
            if (offset + page.orders.size() >= page.totalCount)
                break;
            QVERIFY2(pages < 10, "pagination does not end");
        }
        QCOMPARE(pages, 3);
        QCOMPARE(seen, m_sim->orderIds());
        QCOMPARE(m_sim->requestCount(Endpoint::ListOrders), 3);
    }

    void getsOneOrderWithItems()
    {
        const QString id = m_sim->orderIds().at(3);
        core::Order order;
        QJsonObject json;
        auto out = run<ghl::GetOrderJob>(m_client->getOrder(id), [&](ghl::GetOrderJob *j) {
            order = j->order();
            json = j->json();
        });
        QVERIFY2(out->done && !out->error.isError(), qPrintable(describe(out->error)));
        const QJsonObject expected = m_sim->orderJson(id);
        QCOMPARE(json, expected);
        QCOMPARE(order.orderId, id);
        QCOMPARE(order.locationId, m_sim->locationId());
        const QJsonArray items = expected.value(u"items").toArray();
        QCOMPARE(order.items.size(), items.size());
        QCOMPARE(order.items.first().qty, items.first().toObject().value(u"qty").toInt());
        QCOMPARE(order.items.first().priceName,
                 items.first().toObject().value(u"price").toObject().value(u"name").toString());
        QCOMPARE(order.contactEmail, expected.value(u"contactSnapshot").toObject().value(u"email").toString());
        const ghlsim::SimRequest r = m_sim->requests().constLast();
        QCOMPARE(r.path, QStringLiteral("/payments/orders/") + id);
        QCOMPARE(r.query.queryItemValue(QStringLiteral("altId")), m_sim->locationId());
        QCOMPARE(r.query.queryItemValue(QStringLiteral("altType")), QStringLiteral("location"));
    }

    void unauthorizedNamesTheScope()
    {
        core::GhlSettings s = settings();
        s.token = QStringLiteral("wrong-token");
        m_client->setSettings(s);
        auto list = run<ghl::ListOrdersJob>(m_client->listOrders({}));
        auto put = run<ghl::UpdateContactFieldJob>(
            m_client->updateContactFields(m_sim->contactIds().first(), { { QStringLiteral("f"), QStringLiteral("v") } }));
        auto fields = run<ghl::ListCustomFieldsJob>(m_client->listCustomFields());
        const QList<QPair<std::shared_ptr<Outcome>, QString>> cases = { { list, QStringLiteral("payments/orders.readonly") },
                                                                         { put, QStringLiteral("contacts.write") },
                                                                         { fields, QStringLiteral("locations/customFields.readonly") } };
        for (const auto &[out, scope] : cases) {
            QVERIFY2(out->done, "the job must finish");
            QVERIFY2(out->error.kind == GhlError::Kind::Unauthorized, qPrintable(describe(out->error)));
            QCOMPARE(out->error.httpStatus, 401);
            QVERIFY2(out->error.message().contains(scope),
                     qPrintable(QStringLiteral("'%1' should name the scope %2").arg(out->error.message(), scope)));
            QVERIFY2(out->error.message().contains(QStringLiteral("token invalid")) || out->error.message().contains(QStringLiteral("token is invalid")),
                     qPrintable(out->error.message()));
            QCOMPARE(out->attempts, 1); // 401 is not retried
            QCOMPARE(out->error.error.code, QStringLiteral("ghl.unauthorized"));
        }
        QCOMPARE(m_sim->statusCount(401), 3);
    }

    void notFoundIsNotRetried()
    {
        auto out = run<ghl::GetOrderJob>(m_client->getOrder(QStringLiteral("ffffffffffffffffffffffff")));
        QVERIFY2(out->error.kind == GhlError::Kind::NotFound, qPrintable(describe(out->error)));
        QCOMPARE(out->status, 404);
        QCOMPARE(out->attempts, 1);
        auto contact = run<ghl::UpdateContactFieldJob>(
            m_client->updateContactFields(QStringLiteral("noSuchContact0000000"), { { QStringLiteral("f"), QStringLiteral("v") } }));
        QVERIFY2(contact->error.kind == GhlError::Kind::NotFound, qPrintable(describe(contact->error)));
    }

    void malformedJsonIsReported()
    {
        ghlsim::SimFaults f;
        f.malformed = 1.0;
        m_sim->setFaults(f);
        auto out = run<ghl::GetOrderJob>(m_client->getOrder(m_sim->orderIds().first()));
        QVERIFY2(out->error.kind == GhlError::Kind::Malformed, qPrintable(describe(out->error)));
        QVERIFY2(out->error.message().contains(QStringLiteral("malformed")) && out->error.message().contains(QStringLiteral("JSON")),
                 qPrintable(out->error.message()));
        QCOMPARE(out->attempts, 1);

        f = {};
        f.truncated = 1.0;
        m_sim->setFaults(f);
        auto list = run<ghl::ListOrdersJob>(m_client->listOrders({}));
        QVERIFY2(list->error.kind == GhlError::Kind::Malformed, qPrintable(describe(list->error)));
        QVERIFY2(list->error.message().contains(QStringLiteral("not valid JSON")), qPrintable(list->error.message()));
    }

    void hangEndsInTimeout()
    {
        ghlsim::SimFaults f;
        f.hang = 1.0;
        m_sim->setFaults(f);
        core::GhlSettings s = settings();
        s.requestTimeoutMs = 300;
        m_client->setSettings(s);
        ghl::RetryPolicy p = fastRetries();
        p.maxAttempts = 2;
        m_client->setRetryPolicy(p);
        auto out = run<ghl::GetOrderJob>(m_client->getOrder(m_sim->orderIds().first()));
        QVERIFY2(out->error.kind == GhlError::Kind::Timeout, qPrintable(describe(out->error)));
        QCOMPARE(out->attempts, 2);
        QCOMPARE(m_sim->requestCount(Endpoint::GetOrder), 2);
        QVERIFY2(out->error.message().contains(QStringLiteral("did not answer")), qPrintable(out->error.message()));
    }

    void serverErrorThenSuccess()
    {
        m_sim->failNext(2, 500);
        QSignalSpy retrying(m_client.get(), &ghl::GhlClient::retrying);
        core::Order order;
        auto out = run<ghl::GetOrderJob>(m_client->getOrder(m_sim->orderIds().first()),
                                         [&](ghl::GetOrderJob *j) { order = j->order(); });
        QVERIFY2(!out->error.isError(), qPrintable(describe(out->error)));
        QCOMPARE(out->attempts, 3);
        QCOMPARE(order.orderId, m_sim->orderIds().first());
        QCOMPARE(retrying.count(), 2);
        QCOMPARE(m_sim->statusCount(500), 2);
        QCOMPARE(m_sim->statusCount(200), 1);
    }

    void retryAfterIsHonoured()
    {
        m_sim->failNext(1, 429, 1);
        auto out = run<ghl::GetOrderJob>(m_client->getOrder(m_sim->orderIds().first()));
        QVERIFY2(!out->error.isError(), qPrintable(describe(out->error)));
        QCOMPARE(out->attempts, 2);
        const QList<ghlsim::SimRequest> log = m_sim->requests();
        QCOMPARE(log.size(), 2);
        QCOMPARE(log[0].status, 429);
        // A lower bound only: the client must not come back before Retry-After (1 s) although its
        // own backoff would be 20 ms.
        const qint64 gap = log[1].receivedMs - log[0].receivedMs;
        QVERIFY2(gap >= 950, qPrintable(QStringLiteral("retried %1 ms after a 429 with Retry-After: 1").arg(gap)));
    }

    void givesUpOnPersistent429()
    {
        m_sim->failNext(10, 429, 1);
        ghl::RetryPolicy p = fastRetries();
        p.maxAttempts = 2;
        m_client->setRetryPolicy(p);
        auto out = run<ghl::GetOrderJob>(m_client->getOrder(m_sim->orderIds().first()));
        QVERIFY2(out->error.kind == GhlError::Kind::RateLimited, qPrintable(describe(out->error)));
        QCOMPARE(out->attempts, 2);
        QVERIFY2(out->error.message().contains(QStringLiteral("too many requests")), qPrintable(out->error.message()));
    }

    void retryBudgetRunsOut()
    {
        ghlsim::SimFaults f;
        f.serverError = 1.0;
        m_sim->setFaults(f);
        ghl::RetryPolicy p = fastRetries();
        p.maxAttempts = 10;
        p.retryBudget = 3;
        m_client->setRetryPolicy(p);
        auto out = run<ghl::GetOrderJob>(m_client->getOrder(m_sim->orderIds().first()));
        QVERIFY2(out->error.kind == GhlError::Kind::Server, qPrintable(describe(out->error)));
        QCOMPARE(out->attempts, 4); // first try + the 3 retries the budget allows
        QVERIFY2(out->error.message().contains(QStringLiteral("retry budget")), qPrintable(out->error.message()));
        QCOMPARE(m_client->retryBudgetRemaining(), 0);
        // With the budget gone the next failure is not retried at all.
        auto second = run<ghl::GetOrderJob>(m_client->getOrder(m_sim->orderIds().first()));
        QCOMPARE(second->attempts, 1);
        QCOMPARE(m_sim->requestCount(Endpoint::GetOrder), 5);
    }

    void staysWithinTheRateLimit()
    {
        m_sim->generate(60, 11);
        m_sim->setRateLimit(20, 1000);
        core::GhlSettings s = settings();
        s.concurrency = 10;
        m_client->setSettings(s);
        QSignalSpy waits(m_client.get(), &ghl::GhlClient::rateLimitWaitChanged);
        QList<std::shared_ptr<Outcome>> outs;
        for (const QString &id : m_sim->orderIds())
            outs << watch<ghl::GetOrderJob>(m_client->getOrder(id));
        QCOMPARE(outs.size(), 60);
        for (const auto &out : std::as_const(outs)) {
            QVERIFY2(waitDone(out), "every request must finish");
            QVERIFY2(!out->error.isError(), qPrintable(describe(out->error)));
            QCOMPARE(out->attempts, 1);
        }
        QCOMPARE(m_sim->requestCount(Endpoint::GetOrder), 60);
        QCOMPARE(m_sim->statusCount(429), 0);
        const int peak = m_sim->maxRequestsInWindow(1000);
        QVERIFY2(peak <= 20, qPrintable(QStringLiteral("the simulator saw %1 requests within one 1000 ms window (limit 20)").arg(peak)));
        bool sawWait = false;
        for (const QList<QVariant> &args : std::as_const(waits))
            sawWait = sawWait || args.at(0).toInt() > 0;
        QVERIFY2(sawWait, "the client must report that it waits for the rate limit");
        QCOMPARE(m_client->rateLimitState().max, 20);
        QCOMPARE(m_client->rateLimitState().intervalMs, 1000);
        QCOMPARE(m_client->rateLimitWaitMs(), 0);
    }

    void cancelAllFinishesEverythingCancelled()
    {
        // Learn the limits first so that several requests go out at once.
        auto first = run<ghl::ListCustomFieldsJob>(m_client->listCustomFields());
        QVERIFY2(!first->error.isError(), qPrintable(describe(first->error)));
        ghlsim::SimFaults f;
        f.hang = 1.0;
        m_sim->setFaults(f);
        QList<std::shared_ptr<Outcome>> outs;
        for (int i = 0; i < 10; ++i)
            outs << watch<ghl::GetOrderJob>(m_client->getOrder(m_sim->orderIds().at(i)));
        QTRY_COMPARE_WITH_TIMEOUT(m_sim->requestCount(Endpoint::GetOrder), 6, 20000);
        QCOMPARE(m_client->inFlightCount(), 6);
        QCOMPARE(m_client->pendingCount(), 10);
        m_client->cancelAll();
        QCOMPARE(m_client->pendingCount(), 0);
        for (const auto &out : std::as_const(outs)) {
            QVERIFY2(waitDone(out), "cancelled jobs must still finish");
            QVERIFY2(out->error.kind == GhlError::Kind::Cancelled, qPrintable(describe(out->error)));
        }
        QTest::qWait(50);
        for (const auto &out : std::as_const(outs))
            QCOMPARE(out->finishedCount, 1);
        QCOMPARE(m_sim->requestCount(Endpoint::GetOrder), 6); // the queued ones never went out
    }

    void putsContactFieldsInSpecShape()
    {
        const QString contactId = m_sim->contactIds().first();
        const QString png = QStringLiteral("data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk");
        const QList<ghl::ContactFieldValue> values = { { QStringLiteral("qrCodeFld0000000000a"), png },
                                                       { QStringLiteral("ticketUrlFld0000000b"), QStringLiteral("https://tickets.example/o/1") } };
        QJsonObject answered;
        auto out = run<ghl::UpdateContactFieldJob>(m_client->updateContactFields(contactId, values),
                                                   [&](ghl::UpdateContactFieldJob *j) { answered = j->contact(); });
        QVERIFY2(!out->error.isError(), qPrintable(describe(out->error)));
        const ghlsim::SimRequest r = m_sim->requests().constLast();
        QCOMPARE(r.method, QByteArray("PUT"));
        QCOMPARE(r.path, QStringLiteral("/contacts/") + contactId);
        QVERIFY2(r.header("content-type").startsWith("application/json"), r.header("content-type").constData());
        const QJsonObject body = QJsonDocument::fromJson(r.body).object();
        QCOMPARE(body.keys(), QStringList { QStringLiteral("customFields") });
        const QJsonArray fields = body.value(u"customFields").toArray();
        QCOMPARE(fields.size(), 2);
        QCOMPARE(fields[0].toObject(), (QJsonObject { { QStringLiteral("id"), values[0].fieldId }, { QStringLiteral("field_value"), png } }));
        QCOMPARE(fields[1].toObject().value(u"field_value").toString(), values[1].value);
        QCOMPARE(m_sim->contactFieldValue(contactId, values[0].fieldId), png);
        QCOMPARE(m_sim->contactFieldValue(contactId, values[1].fieldId), values[1].value);
        QCOMPARE(answered.value(u"id").toString(), contactId);
    }

    void listsCustomFields()
    {
        QList<ghl::CustomField> fields;
        auto out = run<ghl::ListCustomFieldsJob>(m_client->listCustomFields(),
                                                 [&](ghl::ListCustomFieldsJob *j) { fields = j->fields(); });
        QVERIFY2(!out->error.isError(), qPrintable(describe(out->error)));
        QCOMPARE(fields.size(), 3); // the contact fields only
        QCOMPARE(fields.first().id, QStringLiteral("qrCodeFld0000000000a"));
        QCOMPARE(fields.first().fieldKey, QStringLiteral("contact.qr_code"));
        QCOMPARE(fields.first().dataType, QStringLiteral("LARGE_TEXT"));
        const ghlsim::SimRequest r = m_sim->requests().constLast();
        QCOMPARE(r.path, QStringLiteral("/locations/%1/customFields").arg(m_sim->locationId()));
    }

    void networkErrorIsReadable()
    {
        QTcpServer closed;
        QVERIFY(closed.listen(QHostAddress::LocalHost));
        const quint16 port = closed.serverPort();
        closed.close();
        core::GhlSettings s = settings();
        QUrl url = s.baseUrl;
        url.setPort(port);
        s.baseUrl = url;
        m_client->setSettings(s);
        ghl::RetryPolicy p = fastRetries();
        p.maxAttempts = 2;
        m_client->setRetryPolicy(p);
        auto out = run<ghl::ListOrdersJob>(m_client->listOrders({}));
        QVERIFY2(out->error.kind == GhlError::Kind::Network, qPrintable(describe(out->error)));
        QCOMPARE(out->attempts, 2);
        QVERIFY2(out->error.message().contains(QStringLiteral("refused")), qPrintable(out->error.message()));
    }

    void settingsChangeAtRunTime()
    {
        core::GhlSettings s = settings();
        s.token = QStringLiteral("another-wrong-token");
        m_client->setSettings(s);
        auto bad = run<ghl::ListOrdersJob>(m_client->listOrders({}));
        QVERIFY2(bad->error.kind == GhlError::Kind::Unauthorized, qPrintable(describe(bad->error)));
        m_client->setSettings(settings());
        auto good = run<ghl::ListOrdersJob>(m_client->listOrders({}));
        QVERIFY2(!good->error.isError(), qPrintable(describe(good->error)));
        QCOMPARE(m_client->settings().token, m_sim->token());
    }

    void tokenNeverLogged()
    {
        const QString secret = QStringLiteral("pit-SECRET-7f3a9c2e-token");
        m_sim->setToken(secret);
        core::GhlSettings s = settings();
        m_client->setSettings(s);
        QLoggingCategory::setFilterRules(QStringLiteral("qrtickets.*=true"));
        {
            QMutexLocker lock(&g_capturedLock);
            g_captured.clear();
        }
        g_previousHandler = qInstallMessageHandler(capture);

        QList<std::shared_ptr<Outcome>> outs;
        outs << run<ghl::ListOrdersJob>(m_client->listOrders({}));                                  // success
        outs << run<ghl::GetOrderJob>(m_client->getOrder(QStringLiteral("ffffffffffffffffffffffff"))); // 404
        m_sim->failNext(1, 500);
        outs << run<ghl::GetOrderJob>(m_client->getOrder(m_sim->orderIds().first())); // retry then success
        ghlsim::SimFaults f;
        f.malformed = 1.0;
        m_sim->setFaults(f);
        outs << run<ghl::GetOrderJob>(m_client->getOrder(m_sim->orderIds().first())); // malformed
        f = {};
        f.hang = 1.0;
        m_sim->setFaults(f);
        s.requestTimeoutMs = 200;
        m_client->setSettings(s);
        ghl::RetryPolicy p = fastRetries();
        p.maxAttempts = 2;
        m_client->setRetryPolicy(p);
        outs << run<ghl::GetOrderJob>(m_client->getOrder(m_sim->orderIds().first())); // timeout
        m_sim->setToken(QStringLiteral("rotated"));
        outs << run<ghl::ListOrdersJob>(m_client->listOrders({})); // 401 with our (now wrong) token

        qInstallMessageHandler(g_previousHandler);
        QLoggingCategory::setFilterRules(QString());

        QStringList captured;
        {
            QMutexLocker lock(&g_capturedLock);
            captured = g_captured;
        }
        QVERIFY2(captured.size() >= 6, qPrintable(QStringLiteral("expected log lines from the client, got %1").arg(captured.size())));
        QVERIFY2(captured.join(u'\n').contains(QStringLiteral("qrtickets.ghl")), "the client logs in category qrtickets.ghl");
        for (const QString &line : std::as_const(captured))
            QVERIFY2(!line.contains(secret), qPrintable(QStringLiteral("the token leaked into a log line: ") + line.left(200)));
        for (const auto &out : std::as_const(outs)) {
            QVERIFY(out->done);
            QVERIFY2(!out->error.error.toString().contains(secret), "the token leaked into an error");
        }
        QVERIFY2(outs[0]->error.kind == GhlError::Kind::None, qPrintable(describe(outs[0]->error)));
        QVERIFY2(outs[1]->error.kind == GhlError::Kind::NotFound, qPrintable(describe(outs[1]->error)));
        QVERIFY2(outs[2]->error.kind == GhlError::Kind::None, qPrintable(describe(outs[2]->error)));
        QVERIFY2(outs[3]->error.kind == GhlError::Kind::Malformed, qPrintable(describe(outs[3]->error)));
        QVERIFY2(outs[4]->error.kind == GhlError::Kind::Timeout, qPrintable(describe(outs[4]->error)));
        QVERIFY2(outs[5]->error.kind == GhlError::Kind::Unauthorized, qPrintable(describe(outs[5]->error)));
    }

    void abortFinishesOnce()
    {
        ghlsim::SimFaults f;
        f.hang = 1.0;
        m_sim->setFaults(f);
        auto *job = m_client->getOrder(m_sim->orderIds().first());
        auto out = watch<ghl::GetOrderJob>(job);
        QTRY_COMPARE_WITH_TIMEOUT(m_sim->requestCount(Endpoint::GetOrder), 1, 20000);
        job->abort();
        job->abort();
        QVERIFY(waitDone(out));
        QTest::qWait(20);
        QCOMPARE(out->finishedCount, 1);
        QVERIFY2(out->error.kind == GhlError::Kind::Cancelled, qPrintable(describe(out->error)));
        QCOMPARE(m_client->pendingCount(), 0);
    }

    void wrongLocationIsForbidden()
    {
        core::GhlSettings s = settings();
        s.locationId = QStringLiteral("someOtherLocation000");
        m_client->setSettings(s);
        auto out = run<ghl::ListOrdersJob>(m_client->listOrders({}));
        QVERIFY2(out->error.kind == GhlError::Kind::Unauthorized, qPrintable(describe(out->error)));
        QCOMPARE(out->status, 403);
        QVERIFY2(out->error.message().contains(QStringLiteral("someOtherLocation000")), qPrintable(out->error.message()));
    }

    // The limiter alone, with times handed in: no clock, no sleeping.
    void rateLimiterWindow()
    {
        ghl::RateLimiter limiter;
        QCOMPARE(limiter.waitMs(0), 0);
        const quint64 first = limiter.onSent(0);
        QCOMPARE(limiter.waitMs(1), -1); // limits unknown: one request until the first answer
        ghl::RateLimitState headers;
        headers.max = 3;
        headers.remaining = 2;
        headers.intervalMs = 1000;
        limiter.onFinished(first, 100, &headers);
        QCOMPARE(limiter.waitMs(100), 0);
        const quint64 second = limiter.onSent(100);
        limiter.onSent(110);
        QVERIFY2(limiter.waitMs(120) > 0, "three requests in the window: the next one must wait");
        // The first request leaves the window interval + margin after its answer.
        QCOMPARE(limiter.waitMs(120), 100 + 1000 + ghl::RateLimiter::kMarginMs - 120);
        QCOMPARE(limiter.waitMs(100 + 1000 + ghl::RateLimiter::kMarginMs), 0);
        // In-flight requests never leave the window on their own.
        QVERIFY(limiter.waitMs(50000) == 0);
        limiter.onFinished(second, 50000, nullptr);
        QCOMPARE(limiter.countInWindow(50000), 2);
    }

    void rateLimiterTrustsTheServerCount()
    {
        // Another station uses the same location: the server counts more than we sent.
        ghl::RateLimiter limiter;
        const quint64 t = limiter.onSent(0);
        ghl::RateLimitState headers;
        headers.max = 10;
        headers.remaining = 0;
        headers.intervalMs = 1000;
        limiter.onFinished(t, 10, &headers);
        QCOMPARE(limiter.countInWindow(10), 10);
        QVERIFY2(limiter.waitMs(10) > 0, "remaining 0 from the server must hold our next request");
        QCOMPARE(limiter.waitMs(10 + 1000 + ghl::RateLimiter::kMarginMs), 0);

        limiter.holdFor(5000, 2000);
        QCOMPARE(limiter.waitMs(5000), 2000);
        QCOMPARE(limiter.waitMs(7000), 0);
    }

    void longRetryAfterFailsAtOnce()
    {
        m_sim->setDailyLimit(1);
        auto first = run<ghl::ListOrdersJob>(m_client->listOrders({}));
        QVERIFY2(!first->error.isError(), qPrintable(describe(first->error)));
        QCOMPARE(m_client->rateLimitState().dailyRemaining, 0);
        auto second = run<ghl::ListOrdersJob>(m_client->listOrders({}));
        QVERIFY2(second->error.kind == GhlError::Kind::RateLimited, qPrintable(describe(second->error)));
        QCOMPARE(second->attempts, 1);
        QVERIFY2(second->error.message().contains(QStringLiteral("daily limit")), qPrintable(second->error.message()));
        // The client now holds everything back and says so.
        QSignalSpy waits(m_client.get(), &ghl::GhlClient::rateLimitWaitChanged);
        auto third = watch<ghl::ListOrdersJob>(m_client->listOrders({}));
        QVERIFY2(m_client->rateLimitWaitMs() > 60000, qPrintable(QString::number(m_client->rateLimitWaitMs())));
        QVERIFY(!waits.isEmpty());
        m_client->cancelAll();
        QVERIFY(waitDone(third));
        QVERIFY2(third->error.kind == GhlError::Kind::Cancelled, qPrintable(describe(third->error)));
        QCOMPARE(m_sim->requestCount(Endpoint::ListOrders), 2);
    }

    void perRequestMaxAttempts()
    {
        m_sim->failNext(1, 500);
        auto *job = new ghl::GetOrderJob(m_client.get(), m_sim->orderIds().first());
        job->setMaxAttempts(1);
        auto out = watch<ghl::GetOrderJob>(job);
        job->start();
        QVERIFY(waitDone(out));
        QVERIFY2(out->error.kind == GhlError::Kind::Server, qPrintable(describe(out->error)));
        QCOMPARE(out->attempts, 1);
        QCOMPARE(out->status, 500);
    }
};

QTEST_GUILESS_MAIN(TestGhl)
#include "tst_ghl.moc"
