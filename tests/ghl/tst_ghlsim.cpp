// The GHL simulator on its own: data, spec shapes, validation, rate limit, connections.
#include "ghlsim/ghlsimulator.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QNetworkAccessManager>
#include <QNetworkReply>
#include <QNetworkRequest>
#include <QRegularExpression>
#include <QSet>
#include <QTcpSocket>
#include <QTest>

#include <memory>

using namespace qrt::ghlsim;

namespace {

struct Answer
{
    int status = 0;
    QJsonDocument json;
    QByteArray body;
    QHash<QByteArray, QByteArray> headers;
};

} // namespace

class TestGhlSim : public QObject
{
    Q_OBJECT

private:
    std::unique_ptr<GhlSimulator> m_sim;
    QNetworkAccessManager m_nam;

    Answer call(const QByteArray &verb, const QString &pathAndQuery, const QByteArray &body = {},
                QList<QPair<QByteArray, QByteArray>> headers = {}, bool defaults = true)
    {
        QNetworkRequest request(QUrl(m_sim->baseUrl().toString() + pathAndQuery));
        if (defaults) {
            request.setRawHeader("Authorization", "Bearer " + m_sim->token().toUtf8());
            request.setRawHeader("Version", "2021-07-28");
            request.setRawHeader("Accept", "application/json");
        }
        for (const auto &[k, v] : headers)
            request.setRawHeader(k, v);
        if (!body.isEmpty() && request.rawHeader("Content-Type").isEmpty())
            request.setHeader(QNetworkRequest::ContentTypeHeader, QByteArrayLiteral("application/json"));
        QNetworkReply *reply = m_nam.sendCustomRequest(request, verb, body);
        Answer a;
        if (!QTest::qWaitFor([reply] { return reply->isFinished(); }, 20000)) {
            qWarning("no answer from the simulator");
            return a;
        }
        a.status = reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt();
        a.body = reply->readAll();
        a.json = QJsonDocument::fromJson(a.body);
        for (const auto &pair : reply->rawHeaderPairs())
            a.headers.insert(pair.first.toLower(), pair.second);
        reply->deleteLater();
        return a;
    }

    QString ordersPath(const QString &extra = {}) const
    {
        return QStringLiteral("/payments/orders?altId=%1&altType=location").arg(m_sim->locationId()) + extra;
    }

private Q_SLOTS:
    void init()
    {
        m_sim = std::make_unique<GhlSimulator>();
        QVERIFY(m_sim->listen());
        m_sim->generate(40, 3);
        m_sim->setRateLimit(0, 1000);
    }

    void cleanup() { m_sim.reset(); }

    void generationIsDeterministic()
    {
        GhlSimulator a, b, c;
        a.generate(50, 42);
        b.generate(50, 42);
        c.generate(50, 43);
        QCOMPARE(a.orderIds(), b.orderIds());
        for (const QString &id : a.orderIds())
            QCOMPARE(a.orderJson(id), b.orderJson(id));
        QVERIFY2(a.orderIds() != c.orderIds(), "another seed must give other data");
    }

    void ordersHaveTheSpecShape()
    {
        const QRegularExpression hex24(QStringLiteral("^[0-9a-f]{24}$"));
        const QSet<QString> types = { QStringLiteral("General Admission"), QStringLiteral("VIP"), QStringLiteral("Student") };
        QSet<QString> products;
        QSet<QString> seenTypes;
        for (const QString &id : m_sim->orderIds()) {
            const QJsonObject o = m_sim->orderJson(id);
            QVERIFY2(hex24.match(o.value(u"_id").toString()).hasMatch(), "order ids are 24 hex digits");
            for (const char *key : { "altId", "altType", "status", "createdAt", "updatedAt", "currency", "contactId" })
                QVERIFY2(o.value(QLatin1StringView(key)).isString(), key);
            QVERIFY(o.value(u"amount").isDouble());
            const QJsonObject snap = o.value(u"contactSnapshot").toObject();
            for (const char *key : { "id", "firstName", "lastName", "email", "phone" })
                QVERIFY2(!snap.value(QLatin1StringView(key)).toString().isEmpty(), key);
            const QJsonArray items = o.value(u"items").toArray();
            QVERIFY(!items.isEmpty());
            for (const QJsonValue &v : items) {
                const QJsonObject item = v.toObject();
                const int qty = item.value(u"qty").toInt();
                QVERIFY2(qty >= 1 && qty <= 6, "quantities are 1-6");
                QVERIFY(!item.value(u"name").toString().isEmpty());
                const QJsonObject product = item.value(u"product").toObject();
                const QJsonObject price = item.value(u"price").toObject();
                QVERIFY(hex24.match(product.value(u"_id").toString()).hasMatch());
                QVERIFY(!product.value(u"name").toString().isEmpty());
                QVERIFY(hex24.match(price.value(u"_id").toString()).hasMatch());
                QVERIFY2(types.contains(price.value(u"name").toString()), qPrintable(price.value(u"name").toString()));
                QVERIFY(price.value(u"amount").isDouble());
                QCOMPARE(price.value(u"currency").toString(), QStringLiteral("USD"));
                products << product.value(u"_id").toString();
                seenTypes << price.value(u"name").toString();
            }
        }
        QVERIFY2(products.size() >= 2, "orders are spread over several events");
        QVERIFY2(seenTypes.size() == 3, "all ticket types occur");
    }

    void listHonoursLimitOffsetAndDefaults()
    {
        Answer a = call("GET", ordersPath());
        QCOMPARE(a.status, 200);
        QCOMPARE(a.json.object().value(u"data").toArray().size(), 10); // the spec's default limit
        QCOMPARE(a.json.object().value(u"totalCount").toInt(), 40);
        a = call("GET", ordersPath(QStringLiteral("&limit=15&offset=30")));
        QCOMPARE(a.json.object().value(u"data").toArray().size(), 10);
        QCOMPARE(a.json.object().value(u"data").toArray().first().toObject().value(u"_id").toString(), m_sim->orderIds().at(30));
        m_sim->generate(150, 3);
        a = call("GET", ordersPath(QStringLiteral("&limit=500")));
        QCOMPARE(a.json.object().value(u"data").toArray().size(), 100);
        const QJsonObject row = a.json.object().value(u"data").toArray().first().toObject();
        for (const char *key : { "_id", "altId", "altType", "contactId", "contactName", "contactEmail", "currency", "status",
                                 "sourceType", "createdAt", "updatedAt" })
            QVERIFY2(row.contains(QLatin1StringView(key)), key);
        QVERIFY2(!row.contains(u"items"), "summaries carry no items");
    }

    void listFilters()
    {
        const QString contactId = m_sim->orderJson(m_sim->orderIds().first()).value(u"contactId").toString();
        Answer a = call("GET", ordersPath(QStringLiteral("&contactId=") + contactId));
        QVERIFY(a.json.object().value(u"totalCount").toInt() >= 1);
        for (const QJsonValue &v : a.json.object().value(u"data").toArray())
            QCOMPARE(v.toObject().value(u"contactId").toString(), contactId);
        m_sim->refundOrder(m_sim->orderIds().at(5));
        a = call("GET", ordersPath(QStringLiteral("&paymentStatus=refunded&limit=100")));
        bool found = false;
        for (const QJsonValue &v : a.json.object().value(u"data").toArray())
            found = found || v.toObject().value(u"_id").toString() == m_sim->orderIds().at(5);
        QVERIFY2(found, "the refunded order is listed under paymentStatus=refunded");
    }

    void validatesHeadersAndQuery()
    {
        QCOMPARE(call("GET", ordersPath(), {}, {}, false).status, 401);
        QCOMPARE(call("GET", ordersPath(), {}, { { "Authorization", "Bearer nope" } }).status, 401);
        QCOMPARE(call("GET", ordersPath(), {}, { { "Version", "" } }).status, 400);
        QCOMPARE(call("GET", QStringLiteral("/payments/orders?altType=location")).status, 422);
        QCOMPARE(call("GET", QStringLiteral("/payments/orders?altId=%1").arg(m_sim->locationId())).status, 422);
        QCOMPARE(call("GET", QStringLiteral("/payments/orders?altId=other&altType=location")).status, 403);
        const Answer missing = call("GET", QStringLiteral("/payments/orders/ffffffffffffffffffffffff?altId=%1&altType=location")
                                               .arg(m_sim->locationId()));
        QCOMPARE(missing.status, 404);
        QCOMPARE(missing.json.object().value(u"message").toString(), QStringLiteral("Order not found"));
        QCOMPARE(call("GET", QStringLiteral("/nothing/here")).status, 404);
        const Answer a = call("GET", ordersPath());
        for (const char *h : { "x-ratelimit-max", "x-ratelimit-remaining", "x-ratelimit-interval-milliseconds",
                               "x-ratelimit-limit-daily", "x-ratelimit-daily-remaining" })
            QVERIFY2(a.headers.contains(h), h);
    }

    void contactUpdateValidatesAndStores()
    {
        const QString contactId = m_sim->contactIds().first();
        const QString path = QStringLiteral("/contacts/") + contactId;
        QCOMPARE(call("PUT", path, "not json").status, 400);
        QCOMPARE(call("PUT", path, R"({"customFields":{"id":"a"}})").status, 422);
        QCOMPARE(call("PUT", path, R"({"customFields":[{"id":"a","value":"legacy key"}]})").status, 422);
        QCOMPARE(call("PUT", path, R"({"customFields":[{"field_value":"no id"}]})").status, 422);
        QCOMPARE(call("PUT", QStringLiteral("/contacts/unknown"), R"({"customFields":[]})").status, 404);
        const Answer ok = call("PUT", path, R"({"customFields":[{"id":"fieldA","field_value":"hello"},{"id":"fieldB","field_value":"x"}]})");
        QCOMPARE(ok.status, 200);
        QCOMPARE(ok.json.object().value(u"succeded").toBool(), true);
        QCOMPARE(m_sim->contactFieldValue(contactId, QStringLiteral("fieldA")), QStringLiteral("hello"));
        QCOMPARE(m_sim->contactFieldValue(contactId, QStringLiteral("fieldB")), QStringLiteral("x"));
        QCOMPARE(m_sim->requestCount(Endpoint::UpdateContact), 6);
    }

    void customFieldsByModel()
    {
        const QString path = QStringLiteral("/locations/%1/customFields").arg(m_sim->locationId());
        QCOMPARE(call("GET", path).json.object().value(u"customFields").toArray().size(), 4);
        QCOMPARE(call("GET", path + QStringLiteral("?model=contact")).json.object().value(u"customFields").toArray().size(), 3);
        const QJsonObject f = call("GET", path + QStringLiteral("?model=contact")).json.object().value(u"customFields").toArray().first().toObject();
        for (const char *key : { "id", "name", "fieldKey", "dataType", "model" })
            QVERIFY2(f.contains(QLatin1StringView(key)), key);
        QCOMPARE(call("GET", QStringLiteral("/locations/other/customFields")).status, 403);
    }

    void mutationsBumpUpdatedAt()
    {
        const QString id = m_sim->orderIds().at(2);
        const QString before = m_sim->orderJson(id).value(u"updatedAt").toString();
        QVERIFY(m_sim->setItemQuantity(id, 0, 6));
        const QJsonObject after = m_sim->orderJson(id);
        QVERIFY2(after.value(u"updatedAt").toString() > before, "updatedAt must move forward");
        QCOMPARE(after.value(u"items").toArray().first().toObject().value(u"qty").toInt(), 6);
        QVERIFY(m_sim->cancelOrder(id));
        QCOMPARE(m_sim->orderJson(id).value(u"status").toString(), QStringLiteral("cancelled"));
        QVERIFY(m_sim->orderJson(id).value(u"updatedAt").toString() > after.value(u"updatedAt").toString());
        const QStringList added = m_sim->addOrders(3);
        QCOMPARE(m_sim->orderCount(), 43);
        QCOMPARE(m_sim->orderIds().mid(0, 3).size(), 3);
        for (const QString &n : added)
            QVERIFY2(m_sim->orderIds().mid(0, 3).contains(n), "new orders are listed first");
        QVERIFY(!m_sim->setItemQuantity(QStringLiteral("nope"), 0, 1));
    }

    void rateLimitAnswers429()
    {
        m_sim->setRateLimit(3, 60000);
        for (int i = 0; i < 3; ++i) {
            const Answer a = call("GET", ordersPath());
            QCOMPARE(a.status, 200);
            QCOMPARE(a.headers.value("x-ratelimit-remaining").toInt(), 2 - i);
            QCOMPARE(a.headers.value("x-ratelimit-max").toInt(), 3);
        }
        const Answer refused = call("GET", ordersPath());
        QCOMPARE(refused.status, 429);
        QVERIFY2(refused.headers.value("retry-after").toInt() >= 1, "429 carries Retry-After");
        QCOMPARE(m_sim->statusCount(429), 1);
    }

    void faultInjectionIsSeeded()
    {
        SimFaults f;
        f.serverError = 0.5;
        m_sim->setFaults(f, 99);
        QList<int> first;
        for (int i = 0; i < 10; ++i)
            first << call("GET", ordersPath()).status;
        m_sim->setFaults(f, 99);
        QList<int> second;
        for (int i = 0; i < 10; ++i)
            second << call("GET", ordersPath()).status;
        QCOMPARE(first, second);
        QVERIFY2(first.contains(500) && first.contains(200), "half of the answers fail");
        // Contacts are not affected by order faults.
        f.serverError = 1.0;
        m_sim->setFaults(f, 1);
        QCOMPARE(call("GET", QStringLiteral("/locations/%1/customFields").arg(m_sim->locationId())).status, 200);
        m_sim->setPathFaults(QStringLiteral("/locations/"), f);
        QCOMPARE(call("GET", QStringLiteral("/locations/%1/customFields").arg(m_sim->locationId())).status, 500);
    }

    void manyKeepAliveConnections()
    {
        const int n = 60;
        QList<QTcpSocket *> sockets;
        QList<QByteArray> received(n);
        const QByteArray request = "GET " + ordersPath(QStringLiteral("&limit=1")).toUtf8() + " HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer "
            + m_sim->token().toUtf8() + "\r\nVersion: 2021-07-28\r\n\r\n";
        for (int i = 0; i < n; ++i) {
            auto *s = new QTcpSocket(this);
            s->connectToHost(QHostAddress::LocalHost, m_sim->port());
            connect(s, &QTcpSocket::readyRead, this, [s, i, &received] { received[i] += s->readAll(); });
            sockets << s;
        }
        for (QTcpSocket *s : std::as_const(sockets))
            QVERIFY(s->waitForConnected(10000));
        // Two requests on every socket, pipelined: keep-alive answers both, in order.
        for (QTcpSocket *s : std::as_const(sockets))
            s->write(request + request);
        QVERIFY2(QTest::qWaitFor([&] {
                     for (const QByteArray &r : std::as_const(received))
                         if (r.count("HTTP/1.1 200 OK") < 2)
                             return false;
                     return true;
                 }, 30000),
                 "every connection must get two answers");
        QVERIFY2(m_sim->maxOpenConnections() >= n,
                 qPrintable(QStringLiteral("only %1 connections were open at once").arg(m_sim->maxOpenConnections())));
        QCOMPARE(m_sim->requestCount(Endpoint::ListOrders), 2 * n);
        qDeleteAll(sockets);
    }

    void routesByMethodAndPath_data()
    {
        QTest::addColumn<QByteArray>("method");
        QTest::addColumn<QString>("path");
        QTest::addColumn<int>("endpoint");
        QTest::addColumn<int>("status");
        const QString location = QStringLiteral("?altId=3SwdhCu3svxI8AKsPJt6&altType=location");
        QTest::addRow("list orders") << QByteArray("GET") << QString(QStringLiteral("/payments/orders") + location)
                                     << int(Endpoint::ListOrders) << 200;
        QTest::addRow("one order") << QByteArray("GET") << QString(QStringLiteral("/payments/orders/nosuchorder") + location)
                                   << int(Endpoint::GetOrder) << 404;
        QTest::addRow("contact update") << QByteArray("PUT") << QStringLiteral("/contacts/nosuchcontact")
                                        << int(Endpoint::UpdateContact) << 404;
        QTest::addRow("custom fields") << QByteArray("GET") << QStringLiteral("/locations/3SwdhCu3svxI8AKsPJt6/customFields")
                                       << int(Endpoint::ListCustomFields) << 200;
        QTest::addRow("wrong method") << QByteArray("POST") << QString(QStringLiteral("/payments/orders") + location)
                                      << int(Endpoint::Other) << 404;
        QTest::addRow("too deep") << QByteArray("GET") << QString(QStringLiteral("/payments/orders/a/b") + location)
                                  << int(Endpoint::Other) << 404;
        QTest::addRow("unknown") << QByteArray("GET") << QStringLiteral("/nothing/here") << int(Endpoint::Other) << 404;
    }

    void routesByMethodAndPath()
    {
        QFETCH(QByteArray, method);
        QFETCH(QString, path);
        QFETCH(int, endpoint);
        QFETCH(int, status);
        QCOMPARE(m_sim->locationId(), QStringLiteral("3SwdhCu3svxI8AKsPJt6"));
        const Answer a = call(method, path, method == "GET" ? QByteArray() : QByteArrayLiteral(R"({"customFields":[]})"));
        QCOMPARE(a.status, status);
        QCOMPARE(m_sim->requestCount(), 1);
        QCOMPARE(int(m_sim->requests().constFirst().endpoint), endpoint);
        if (endpoint == int(Endpoint::Other))
            QCOMPARE(a.json.object().value(u"message").toString(),
                     QStringLiteral("Cannot %1 %2").arg(QString::fromLatin1(method), path.section(u'?', 0, 0)));
    }

    void refusesBrokenRequests_data()
    {
        QTest::addColumn<QByteArray>("raw");
        QTest::addColumn<int>("status");
        QTest::addRow("not HTTP") << QByteArray("HELLO\r\n\r\n") << 400;
        QTest::addRow("headers too large") << QByteArray("GET / HTTP/1.1\r\nHost: x\r\nX-Big: " + QByteArray(70 * 1024, 'a') + "\r\n\r\n")
                                           << 431;
    }

    void refusesBrokenRequests()
    {
        QFETCH(QByteArray, raw);
        QFETCH(int, status);
        QTcpSocket socket;
        socket.connectToHost(QHostAddress::LocalHost, m_sim->port());
        QVERIFY(socket.waitForConnected(10000));
        socket.write(raw);
        QByteArray received;
        connect(&socket, &QTcpSocket::readyRead, this, [&] { received += socket.readAll(); });
        QVERIFY2(QTest::qWaitFor([&] { return socket.state() == QAbstractSocket::UnconnectedState; }, 20000),
                 "the simulator must answer a broken request and close the connection");
        received += socket.readAll();
        QVERIFY2(received.startsWith(QByteArray("HTTP/1.1 " + QByteArray::number(status) + ' ')), received.left(80).constData());
        QCOMPARE(m_sim->requestCount(), 0);
    }

    void closesWithAnswersPending()
    {
        // A hung request and an answer waiting out the latency both hold a connection when the
        // simulator closes: it must close them (not leave the clients waiting), and then go away.
        SimFaults f;
        f.hang = 1.0;
        m_sim->setFaults(f);
        m_sim->setLatencyMs(60000);
        const QByteArray head = " HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer " + m_sim->token().toUtf8() + "\r\nVersion: 2021-07-28\r\n\r\n";
        QTcpSocket hung;
        QTcpSocket delayed;
        for (QTcpSocket *s : { &hung, &delayed }) {
            s->connectToHost(QHostAddress::LocalHost, m_sim->port());
            QVERIFY(s->waitForConnected(10000));
        }
        hung.write("GET " + ordersPath().toUtf8() + head);
        delayed.write("GET /locations/" + m_sim->locationId().toUtf8() + "/customFields" + head);
        QVERIFY2(QTest::qWaitFor([&] { return m_sim->requestCount() == 2; }, 20000), "both requests must arrive");
        QCOMPARE(m_sim->statusCount(0), 1); // the hung one
        QCOMPARE(m_sim->openConnections(), 2);
        m_sim->close();
        QVERIFY(!m_sim->isListening());
        QVERIFY2(QTest::qWaitFor([&] {
                     return hung.state() == QAbstractSocket::UnconnectedState && delayed.state() == QAbstractSocket::UnconnectedState;
                 }, 20000),
                 "the simulator must close connections whose answers were still pending");
        QVERIFY2(!hung.readAll().contains("200 OK"), "a hung request is never answered 200");
        m_sim.reset();
    }

    void largeStoresPageQuickly()
    {
        // 20,000 orders: generation and paging must not be quadratic (the ctest timeout would catch it).
        m_sim->generate(20000, 5);
        QCOMPARE(m_sim->orderCount(), 20000);
        const Answer a = call("GET", ordersPath(QStringLiteral("&limit=100&offset=19950")));
        QCOMPARE(a.json.object().value(u"data").toArray().size(), 50);
        QCOMPARE(a.json.object().value(u"totalCount").toInt(), 20000);
        QCOMPARE(a.json.object().value(u"data").toArray().first().toObject().value(u"_id").toString(), m_sim->orderIds().at(19950));
    }
};

QTEST_GUILESS_MAIN(TestGhlSim)
#include "tst_ghlsim.moc"
