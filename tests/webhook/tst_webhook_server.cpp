#include "fakeclock.h"
#include "testkeys.h"

#include "webhook/httpserver.h"
#include "webhook/webhookhandler.h"

#include <QJsonDocument>
#include <QJsonObject>
#include <QMutex>
#include <QSemaphore>
#include <QSet>
#include <QSignalSpy>
#include <QTcpSocket>
#include <QTest>
#include <QThread>
#include <QThreadPool>
#include <QTimer>
#include <QTranslator>
#include <QWebSocket>
#include <QWebSocketServer>

using namespace qrt;
using namespace qrt::webhook;
using namespace qrt::webhook::testing;

namespace {

constexpr int WaitMs = 20000;
const QByteArray Secret = "test-secret-123";

class MemoryInbox final : public InboxSink
{
public:
    core::Result<bool> commit(const WebhookEvent &event) override
    {
        QMutexLocker lock(&m_mutex);
        if (m_failing)
            return core::makeError(QStringLiteral("db.unreachable"), QStringLiteral("database is down"));
        commits.append(event.orderId);
        threads.insert(QThread::currentThread());
        if (m_keys.contains(event.idempotencyKey()))
            return false;
        m_keys.insert(event.idempotencyKey());
        return true;
    }
    core::Result<bool> contains(const QString &key) override
    {
        QMutexLocker lock(&m_mutex);
        ++lookups;
        if (m_failing)
            return core::makeError(QStringLiteral("db.unreachable"), QStringLiteral("database is down"));
        return m_keys.contains(key);
    }
    void setFailing(bool f)
    {
        QMutexLocker lock(&m_mutex);
        m_failing = f;
    }
    QStringList commits;
    QSet<QThread *> threads; // where commit() ran
    int lookups = 0;         // contains() calls

private:
    QMutex m_mutex;
    QSet<QString> m_keys;
    bool m_failing = false;
};

struct Response
{
    int status = 0;
    QMap<QByteArray, QByteArray> headers; // lower-case names
    QByteArray body;
    QJsonObject json() const { return QJsonDocument::fromJson(body).object(); }
};

// A raw HTTP client over a real socket, driven by the event loop (the server shares the thread).
class Client
{
public:
    explicit Client(quint16 port)
    {
        QObject::connect(&socket, &QTcpSocket::readyRead, [this] { buffer += socket.readAll(); });
        socket.connectToHost(QHostAddress::LocalHost, port);
    }
    bool connected() { return QTest::qWaitFor([this] { return socket.state() == QAbstractSocket::ConnectedState; }, WaitMs); }
    void send(const QByteArray &bytes) { socket.write(bytes); }
    bool waitFor(int count)
    {
        return QTest::qWaitFor([&] { return parsed().size() >= count || socket.state() == QAbstractSocket::UnconnectedState; }, WaitMs)
            && parsed().size() >= count;
    }
    bool waitClosed() { return QTest::qWaitFor([this] { return socket.state() == QAbstractSocket::UnconnectedState; }, WaitMs); }
    QList<Response> parsed() const
    {
        QList<Response> out;
        qsizetype pos = 0;
        for (;;) {
            const qsizetype end = buffer.indexOf("\r\n\r\n", pos);
            if (end < 0)
                return out;
            const QList<QByteArray> lines = buffer.mid(pos, end - pos).split('\n');
            Response r;
            r.status = lines.first().split(' ').value(1).toInt();
            for (qsizetype i = 1; i < lines.size(); ++i) {
                const qsizetype colon = lines[i].indexOf(':');
                r.headers.insert(lines[i].left(colon).trimmed().toLower(), lines[i].mid(colon + 1).trimmed());
            }
            const qsizetype length = r.headers.value("content-length").toLongLong();
            if (buffer.size() < end + 4 + length)
                return out;
            r.body = buffer.mid(end + 4, length);
            pos = end + 4 + length;
            out.append(r);
        }
    }

    QTcpSocket socket;
    QByteArray buffer;
};

QByteArray post(const QByteArray &body, const QByteArray &extraHeaders = "X-Webhook-Secret: " + Secret + "\r\n",
                const QByteArray &path = "/api/ghl/webhook-qr", const QByteArray &contentType = "application/json")
{
    return "POST " + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: " + contentType + "\r\n" + extraHeaders
        + "Content-Length: " + QByteArray::number(body.size()) + "\r\n\r\n" + body;
}

QByteArray get(const QByteArray &path, const QByteArray &extra = {})
{
    return "GET " + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\n" + extra + "\r\n";
}

QByteArray orderBody(const QByteArray &orderId)
{
    return R"({"type":"OrderCreate","_id":")" + orderId + R"(","contactId":"c1","items":[{"product":{"_id":"p1"}}]})";
}

core::WebhookSettings secretSettings()
{
    core::WebhookSettings s;
    s.enabled = true;
    s.bind = QStringLiteral("127.0.0.1");
    s.port = 0;
    s.path = QStringLiteral("/api/ghl/webhook-qr");
    s.auth = core::WebhookAuth::SharedSecret;
    s.secret = QString::fromLatin1(Secret);
    s.maxBodyBytes = 4096;
    s.replayWindowS = 300;
    return s;
}

// Server + handler + in-memory inbox on 127.0.0.1, port 0.
struct Fixture
{
    explicit Fixture(const HttpServer::Options &options = {}, const core::WebhookSettings &settings = secretSettings())
        : server(options)
    {
        auto auth = WebhookAuthenticator::create(settings, clock);
        if (!auth) {
            error = auth.error().toString();
            return;
        }
        handler = std::make_unique<WebhookRequestHandler>(settings, auth.value(), inbox,
            [] { return QJsonObject { { QStringLiteral("inboxPending"), 3 } }; });
        handler->install(server);
        auto started = server.start(settings);
        if (!started)
            error = started.error().toString();
    }
    quint16 port() const { return server.serverPort(); }

    FakeClock clock;
    MemoryInbox inbox;
    HttpServer server;
    std::unique_ptr<WebhookRequestHandler> handler;
    QString error;
};

// A station set to German: translates every string anyone asks for, so any error body that goes
// through tr() shows up, whether or not qrtickets_de.qm happens to carry that sentence.
class GermanStation final : public QTranslator
{
public:
    static constexpr char Marker[] = "Übersetzt: ";
    bool isEmpty() const override { return false; }
    QString translate(const char *context, const char *sourceText, const char *, int) const override
    {
        Q_UNUSED(context);
        return QString::fromUtf8(Marker) + QString::fromUtf8(sourceText);
    }
};

HttpServer::Options fastOptions()
{
    HttpServer::Options o;
    o.requestTimeoutMs = 20000;
    o.idleTimeoutMs = 60000;
    return o;
}

} // namespace

class TestWebhookServer : public QObject
{
    Q_OBJECT

private slots:
    void statusCodes_data();
    void statusCodes();
    void duplicateIsAcceptedAndSaysSo();
    void inboxFailureIs429WithRetryAfter();
    void healthz();
    void keepAliveServesSeveralRequests();
    void pipelinedRequestsAnsweredInOrder();
    void http10ClosesAfterAnswer();
    void expectContinue();
    void clientThatNeverReadsIsNotServedForever();
    void tricklingClientIsClosed();
    void idleKeepAliveIsClosed();
    void connectionCap();
    void bodyLimitFromSettings();
    void refusesNoneBeyondLoopback();
    void stopClosesConnections();
    void signedWebhookEndToEnd();
    void chunkedSignedWebhook();
    void handledOnWorkerThreads();
    void safeHeadersRedactSecrets();
    void unansweredRequestGets500();
    void webSocketHandOver();
    void webSocketWithoutFeedIs404();
    void errorBodiesStayEnglish();

private:
    QByteArray m_bigHeader = "X-Big: " + QByteArray(17 * 1024, 'a') + "\r\n";
};

void TestWebhookServer::statusCodes_data()
{
    QTest::addColumn<QByteArray>("request");
    QTest::addColumn<int>("status");
    QTest::addColumn<QByteArray>("bodyContains");

    QTest::newRow("200 accepted") << post(orderBody("o-200")) << 200 << QByteArray(R"("status":"accepted")");
    QTest::newRow("400 malformed request line") << QByteArray("POST\r\n\r\n") << 400 << QByteArray("error");
    QTest::newRow("400 body not JSON") << post("{not json") << 400 << QByteArray("JSON");
    QTest::newRow("400 duplicate content-length") << post("{}", "Content-Length: 2\r\n") << 400 << QByteArray("Content-Length");
    QTest::newRow("401 no secret") << post(orderBody("o-401"), {}) << 401 << QByteArray("secret");
    QTest::newRow("401 wrong secret") << post(orderBody("o-401"), "X-Webhook-Secret: nope\r\n") << 401 << QByteArray("secret");
    QTest::newRow("200 secret in bearer") << post(orderBody("o-b"), "Authorization: Bearer " + Secret + "\r\n") << 200 << QByteArray("accepted");
    QTest::newRow("200 secret in query") << post(orderBody("o-q"), {}, "/api/ghl/webhook-qr?token=" + Secret) << 200 << QByteArray("accepted");
    QTest::newRow("404 unknown path") << get("/nope") << 404 << QByteArray("error");
    QTest::newRow("405 GET on webhook") << get("/api/ghl/webhook-qr") << 405 << QByteArray("GET");
    QTest::newRow("405 POST on healthz") << post("{}", {}, "/healthz") << 405 << QByteArray("POST");
    QTest::newRow("411 POST without length") << QByteArray("POST /api/ghl/webhook-qr HTTP/1.1\r\nHost: x\r\n\r\n") << 411 << QByteArray("Content-Length");
    QTest::newRow("501 transfer coding other than chunked")
        << QByteArray("POST /api/ghl/webhook-qr HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: gzip\r\n\r\n") << 501 << QByteArray("chunked");
    QTest::newRow("413 too large") << QByteArray("POST /api/ghl/webhook-qr HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 4097\r\n\r\n")
                                   << 413 << QByteArray("4096");
    QTest::newRow("415 not JSON") << post("order=1", "X-Webhook-Secret: " + Secret + "\r\n", "/api/ghl/webhook-qr", "application/x-www-form-urlencoded")
                                  << 415 << QByteArray("JSON");
    QTest::newRow("200 JSON with charset") << post(orderBody("o-cs"), "X-Webhook-Secret: " + Secret + "\r\n", "/api/ghl/webhook-qr", "application/json; charset=utf-8")
                                           << 200 << QByteArray("accepted");
    QTest::newRow("422 no order id") << post(R"({"type":"OrderCreate","contactId":"c1"})") << 422 << QByteArray("order");
    QTest::newRow("431 header too large") << get("/healthz", m_bigHeader) << 431 << QByteArray("header");
    QTest::newRow("505 HTTP/2.0") << QByteArray("GET / HTTP/2.0\r\nHost: x\r\n\r\n") << 505 << QByteArray("HTTP");
    // HTTP/0.9 (no version, no blank line follows): answered and closed at once, not left to time out.
    QTest::newRow("400 HTTP/0.9 request line") << QByteArray("GET /\r\n") << 400 << QByteArray("error");
    QTest::newRow("414 long target") << get("/healthz?" + QByteArray(9000, 'q')) << 414 << QByteArray("target");
    QTest::newRow("200 absolute-form target")
        << post(orderBody("o-abs"), "X-Webhook-Secret: " + Secret + "\r\n", "http://127.0.0.1:8080/api/ghl/webhook-qr")
        << 200 << QByteArray("accepted");
}

void TestWebhookServer::statusCodes()
{
    QFETCH(QByteArray, request);
    QFETCH(int, status);
    QFETCH(QByteArray, bodyContains);
    Fixture f(fastOptions());
    QVERIFY2(f.error.isEmpty(), qPrintable(f.error));
    Client c(f.port());
    QVERIFY(c.connected());
    c.send(request);
    QVERIFY2(c.waitFor(1), qPrintable(QStringLiteral("no answer; got %1").arg(QString::fromLatin1(c.buffer))));
    const Response r = c.parsed().first();
    QVERIFY2(r.status == status, qPrintable(QStringLiteral("expected %1, got %2: %3").arg(status).arg(r.status).arg(QString::fromUtf8(r.body))));
    QVERIFY2(r.body.contains(bodyContains), qPrintable(QStringLiteral("body %1 lacks %2").arg(QString::fromUtf8(r.body), QString::fromLatin1(bodyContains))));
    QCOMPARE(r.headers.value("content-type"), QByteArray("application/json"));
    QCOMPARE(r.headers.value("content-length").toInt(), r.body.size());
    QVERIFY2(!r.json().isEmpty(), "every answer carries a JSON object");
    if (status == 405)
        QVERIFY2(!r.headers.value("allow").isEmpty(), "405 must say which methods are allowed");
    if (status == 405)
        QVERIFY(r.headers.value("allow") == "POST" || r.headers.value("allow") == "GET");
    if (status == 401)
        QVERIFY2(r.headers.value("www-authenticate").startsWith("Bearer"), "401 must name the scheme (WWW-Authenticate)");
    QVERIFY2(r.headers.value("date").endsWith("GMT"), "answers carry a Date header");
    const bool framingError = QList<int> { 411, 413, 414, 431, 501, 505 }.contains(status) || (status == 400 && r.body.contains("header"))
        || QByteArray(QTest::currentDataTag()).contains("request line");
    if (framingError) {
        // Framing errors: the stream cannot continue.
        QCOMPARE(r.headers.value("connection"), QByteArray("close"));
        QVERIFY2(c.waitClosed(), "the server should close after a framing error");
    }
    if (status == 200)
        QCOMPARE(f.inbox.commits.size(), 1);
    else
        QVERIFY2(f.inbox.commits.isEmpty(), "a refused request must not reach the inbox");
}

void TestWebhookServer::duplicateIsAcceptedAndSaysSo()
{
    Fixture f(fastOptions());
    QVERIFY2(f.error.isEmpty(), qPrintable(f.error));
    Client c(f.port());
    QVERIFY(c.connected());
    c.send(post(orderBody("o-dup")));
    c.send(post(orderBody("o-dup")));
    QVERIFY(c.waitFor(2));
    QCOMPARE(c.parsed()[0].json().value(u"status").toString(), u"accepted"_qs);
    QCOMPARE(c.parsed()[1].status, 200);
    QCOMPARE(c.parsed()[1].json().value(u"status").toString(), u"duplicate"_qs);
    QCOMPARE(f.handler->acceptedCount(), 1u);
    QCOMPARE(f.handler->duplicateCount(), 1u);
}

void TestWebhookServer::inboxFailureIs429WithRetryAfter()
{
    // GHL retries a delivery only after a 429 (reference/ghl-api/README.md, "Retries"): a 503
    // would lose the order.
    Fixture f(fastOptions());
    f.inbox.setFailing(true);
    Client c(f.port());
    QVERIFY(c.connected());
    c.send(post(orderBody("o-429")));
    QVERIFY(c.waitFor(1));
    QCOMPARE(c.parsed()[0].status, 429);
    QCOMPARE(c.parsed()[0].headers.value("retry-after"), QByteArray::number(WebhookRequestHandler::RetryAfterS));
    QVERIFY2(!c.parsed()[0].body.contains("database is down"), "internal error details stay in the log");
    // The connection survives; a retry after recovery is accepted.
    f.inbox.setFailing(false);
    c.send(post(orderBody("o-429")));
    QVERIFY(c.waitFor(2));
    QCOMPARE(c.parsed()[1].status, 200);
}

void TestWebhookServer::healthz()
{
    Fixture f(fastOptions());
    Client c(f.port());
    QVERIFY(c.connected());
    f.handler->setDetailToken(u"health-token"_qs);
    c.send(get("/healthz"));
    c.send(get("/healthz", "Authorization: Bearer health-token\r\n"));
    QVERIFY(c.waitFor(2));
    const QJsonObject anonymous = c.parsed()[0].json();
    QCOMPARE(c.parsed()[0].status, 200);
    QCOMPARE(anonymous, (QJsonObject { { u"status"_qs, u"ok"_qs } })); // the detail needs the token
    const QJsonObject o = c.parsed()[1].json();
    QCOMPARE(o.value(u"status").toString(), u"ok"_qs);
    QCOMPARE(o.value(u"inboxPending").toInt(), 3);
}

void TestWebhookServer::keepAliveServesSeveralRequests()
{
    Fixture f(fastOptions());
    Client c(f.port());
    QVERIFY(c.connected());
    for (int i = 0; i < 4; ++i) {
        c.send(i % 2 ? get("/healthz") : post(orderBody("o-ka-" + QByteArray::number(i))));
        QVERIFY2(c.waitFor(i + 1), qPrintable(QStringLiteral("request %1 on the kept-alive connection was not answered").arg(i)));
        QCOMPARE(c.parsed()[i].status, 200);
        QCOMPARE(c.parsed()[i].headers.value("connection"), QByteArray("keep-alive"));
        QCOMPARE(c.socket.state(), QAbstractSocket::ConnectedState);
    }
    QCOMPARE(f.server.connectionCount(), 1);
    c.send("GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
    QVERIFY(c.waitFor(5));
    QCOMPARE(c.parsed()[4].headers.value("connection"), QByteArray("close"));
    QVERIFY2(c.waitClosed(), "Connection: close must close after the answer");
}

void TestWebhookServer::pipelinedRequestsAnsweredInOrder()
{
    Fixture f(fastOptions());
    Client c(f.port());
    QVERIFY(c.connected());
    QByteArray all;
    const QList<int> expected { 200, 404, 200, 422, 200, 405, 200 };
    all += post(orderBody("p1"));
    all += get("/missing");
    all += get("/healthz");
    all += post(R"({"contactId":"x"})");
    all += post(orderBody("p2"));
    all += get("/api/ghl/webhook-qr");
    all += post(orderBody("p3"));
    c.send(all);
    QVERIFY(c.waitFor(int(expected.size())));
    QList<int> got;
    for (const Response &r : c.parsed())
        got.append(r.status);
    QCOMPARE(got, expected);
    QCOMPARE(c.parsed()[0].json().value(u"orderId").toString(), u"p1"_qs);
    QCOMPARE(c.parsed()[4].json().value(u"orderId").toString(), u"p2"_qs);
    QCOMPARE(c.parsed()[6].json().value(u"orderId").toString(), u"p3"_qs);
    QCOMPARE(f.inbox.commits, QStringList({ u"p1"_qs, u"p2"_qs, u"p3"_qs }));
}

void TestWebhookServer::http10ClosesAfterAnswer()
{
    Fixture f(fastOptions());
    Client c(f.port());
    QVERIFY(c.connected());
    c.send("GET /healthz HTTP/1.0\r\n\r\n");
    QVERIFY(c.waitFor(1));
    QCOMPARE(c.parsed()[0].headers.value("connection"), QByteArray("close"));
    QVERIFY(c.waitClosed());
}

void TestWebhookServer::expectContinue()
{
    Fixture f(fastOptions());
    Client c(f.port());
    QVERIFY(c.connected());
    const QByteArray body = orderBody("o-100");
    const QByteArray request = post(body, "X-Webhook-Secret: " + Secret + "\r\nExpect: 100-continue\r\n");
    c.send(request.chopped(body.size()));
    QVERIFY2(QTest::qWaitFor([&] { return c.buffer.startsWith("HTTP/1.1 100 Continue\r\n\r\n"); }, WaitMs),
             "the server should invite the body with 100 Continue");
    c.buffer.remove(0, qsizetype(qstrlen("HTTP/1.1 100 Continue\r\n\r\n")));
    c.send(body);
    QVERIFY(c.waitFor(1));
    QCOMPARE(c.parsed()[0].status, 200);
}

void TestWebhookServer::clientThatNeverReadsIsNotServedForever()
{
    HttpServer::Options o = fastOptions();
    o.idleTimeoutMs = 1000;
    Fixture f(o);
    QTcpSocket c;
    c.setReadBufferSize(1); // reads (almost) nothing: the kernel buffers fill and TCP pushes back
    c.connectToHost(QHostAddress::LocalHost, f.port());
    QVERIFY(QTest::qWaitFor([&] { return c.state() == QAbstractSocket::ConnectedState; }, WaitMs));
    const QByteArray one = get("/healthz");
    QByteArray many;
    for (int i = 0; i < 100000; ++i)
        many += one;
    c.write(many);
    QVERIFY(QTest::qWaitFor([&] { return f.server.connectionCount() == 1; }, WaitMs));
    // The server stops reading once its answers pile up, and a timeout ends the connection.
    QVERIFY2(QTest::qWaitFor([&] { return f.server.connectionCount() == 0; }, 60000),
             "a client that never reads its answers must eventually be disconnected");
    c.abort();
}

void TestWebhookServer::tricklingClientIsClosed()
{
    HttpServer::Options o = fastOptions();
    o.requestTimeoutMs = 500;
    o.idleTimeoutMs = 600000; // only the request timeout can close it
    Fixture f(o);
    Client c(f.port());
    QVERIFY(c.connected());
    // One byte of an endless header every 50 ms: always active, never complete.
    const QByteArray request = get("/healthz", "X-Slow: " + QByteArray(4000, 'z') + "\r\n");
    int sent = 0;
    QTimer drip;
    QObject::connect(&drip, &QTimer::timeout, [&] {
        if (sent < request.size())
            c.send(request.mid(sent++, 1));
    });
    drip.start(50);
    QVERIFY2(c.waitClosed(), "a client trickling bytes must be closed by the request timeout");
    QVERIFY2(sent < request.size(), "the request should not have completed before the close");
    // Answered 408 Request Timeout, then closed; never handled.
    QCOMPARE(c.parsed().size(), 1);
    QCOMPARE(c.parsed()[0].status, 408);
}

void TestWebhookServer::idleKeepAliveIsClosed()
{
    HttpServer::Options o = fastOptions();
    o.idleTimeoutMs = 300;
    Fixture f(o);
    Client c(f.port());
    QVERIFY(c.connected());
    c.send(get("/healthz"));
    QVERIFY(c.waitFor(1));
    QVERIFY2(c.waitClosed(), "an idle keep-alive connection must be closed by the idle timeout");
    QVERIFY(QTest::qWaitFor([&] { return f.server.connectionCount() == 0; }, WaitMs));
}

void TestWebhookServer::connectionCap()
{
    HttpServer::Options o = fastOptions();
    o.maxConnections = 2;
    o.silentGraceMs = 0; // no grace: a and b may make room at once (the grace: tst_listener_defense)
    Fixture f(o);
    Client a(f.port());
    QVERIFY(a.connected());
    QVERIFY(QTest::qWaitFor([&] { return f.server.connectionCount() == 1; }, WaitMs));
    Client b(f.port());
    QVERIFY(b.connected());
    QVERIFY2(QTest::qWaitFor([&] { return f.server.connectionCount() == 2; }, WaitMs), "both clients should be accepted");
    // Full: a newcomer takes the slot of the connection silent longest (a), not a 429; the
    // 429 with Retry-After for a full listener of busy connections is in tst_listener_defense.
    Client over(f.port());
    QVERIFY(over.connected());
    over.send(get("/healthz"));
    QVERIFY2(over.waitFor(1), "the client over the cap should get an answer");
    QCOMPARE(over.parsed()[0].status, 200);
    QVERIFY2(a.waitClosed(), "the oldest silent connection should have made room");
    QCOMPARE(f.server.connectionCount(), 2);
    QCOMPARE(f.server.rejectedConnections(), 0u);
    b.send(get("/healthz"));
    QVERIFY(b.waitFor(1));
    QCOMPARE(b.parsed()[0].status, 200);
}

void TestWebhookServer::bodyLimitFromSettings()
{
    Fixture f(fastOptions());
    QCOMPARE(f.server.options().limits.maxBodyBytes, 4096);
    Client c(f.port());
    QVERIFY(c.connected());
    QByteArray body = orderBody("o-limit");
    body.insert(body.size() - 1, ",\"pad\":\"" + QByteArray(4096 - body.size() - 9, 'x') + "\"");
    QCOMPARE(body.size(), 4096);
    c.send(post(body));
    QVERIFY(c.waitFor(1));
    QCOMPARE(c.parsed()[0].status, 200);
    c.send(post(body + ' '));
    QVERIFY(c.waitFor(2));
    QCOMPARE(c.parsed()[1].status, 413);
}

void TestWebhookServer::refusesNoneBeyondLoopback()
{
    core::WebhookSettings s = secretSettings();
    s.auth = core::WebhookAuth::None;
    s.bind = QStringLiteral("0.0.0.0");
    HttpServer server;
    const auto started = server.start(s);
    QVERIFY2(!started.ok(), "auth = none on every interface must be refused");
    QCOMPARE(started.error().code, u"webhook.insecure"_qs);
    QVERIFY2(started.error().message.contains(u"auth"), qPrintable(started.error().message));
    QVERIFY(!server.isListening());
    s.bind = QStringLiteral("127.0.0.1");
    const auto local = server.start(s);
    QVERIFY2(local.ok(), "auth = none on loopback is allowed");
    QVERIFY(server.isListening());
}

void TestWebhookServer::stopClosesConnections()
{
    Fixture f(fastOptions());
    // One idle client and one whose request is being committed on a worker when stop() comes.
    QSemaphore release;
    QThreadPool pool;
    std::atomic<int> queued { 0 };
    f.handler->setExecutor([&](std::function<void()> job) {
        ++queued;
        pool.start([&release, job = std::move(job)] {
            release.acquire();
            job();
        });
    });
    Client idle(f.port());
    Client busy(f.port());
    QVERIFY(idle.connected() && busy.connected());
    busy.send(post(orderBody("o-stop")));
    QVERIFY(QTest::qWaitFor([&] { return f.server.connectionCount() == 2; }, WaitMs));
    QVERIFY2(QTest::qWaitFor([&] { return queued.load() == 1; }, WaitMs), "the request should reach the commit step");
    f.server.stop();
    QVERIFY(!f.server.isListening());
    QVERIFY2(idle.waitClosed(), "stop() must close idle connections");
    release.release();
    QVERIFY2(busy.waitFor(1), "a request in progress is still answered");
    QCOMPARE(busy.parsed()[0].status, 200);
    QCOMPARE(busy.parsed()[0].headers.value("connection"), QByteArray("close"));
    QVERIFY(busy.waitClosed());
    pool.waitForDone();
}

void TestWebhookServer::signedWebhookEndToEnd()
{
    const TestKey key = TestKey::ed25519();
    core::WebhookSettings s = secretSettings();
    s.auth = core::WebhookAuth::GhlSignature;
    s.ghlPublicKey = QString::fromLatin1(key.spkiBase64());
    Fixture f(fastOptions(), s);
    QVERIFY2(f.error.isEmpty(), qPrintable(f.error));
    const QByteArray body = R"({"type":"OrderCreate","_id":"o-signed","contactId":"c1","webhookId":"wh-77","timestamp":")"
        + f.clock.now().toString(Qt::ISODate).toLatin1() + "\"}";
    Client c(f.port());
    QVERIFY(c.connected());
    c.send(post(body, "X-GHL-Signature: " + key.sign(body) + "\r\n"));
    c.send(post(body, "X-GHL-Signature: " + key.sign(body + "x") + "\r\n"));
    c.send(post(body, {}));
    QVERIFY(c.waitFor(3));
    QCOMPARE(c.parsed()[0].status, 200);
    QCOMPARE(c.parsed()[1].status, 401);
    QCOMPARE(c.parsed()[2].status, 401);
    QCOMPARE(f.inbox.lookups, 0); // inside the window the inbox is not asked before the commit
    f.clock.set(f.clock.now().addSecs(3600)); // the same delivery re-sent an hour later (GHL after a 429)
    c.send(post(body, "X-GHL-Signature: " + key.sign(body) + "\r\n"));
    QVERIFY(c.waitFor(4));
    QVERIFY2(c.parsed()[3].status == 200, "a known webhookId is a duplicate whatever its age (the id before the age)");
    QCOMPARE(c.parsed()[3].json().value(u"status").toString(), u"duplicate"_qs);
    // An unknown delivery just as old is refused by its age.
    QByteArray unknown = body;
    unknown.replace("wh-77", "wh-78");
    c.send(post(unknown, "X-GHL-Signature: " + key.sign(unknown) + "\r\n"));
    QVERIFY(c.waitFor(5));
    QCOMPARE(c.parsed()[4].status, 401);
    QCOMPARE(f.inbox.lookups, 2);
    // The inbox cannot say whether it is known: 429, so that GHL tries again.
    f.inbox.setFailing(true);
    c.send(post(unknown, "X-GHL-Signature: " + key.sign(unknown) + "\r\n"));
    QVERIFY(c.waitFor(6));
    QCOMPARE(c.parsed()[5].status, 429);
    QCOMPARE(f.inbox.commits, (QStringList { u"o-signed"_qs, u"o-signed"_qs }));
}

// Tunnels and reverse proxies re-frame bodies as chunked; the signature covers the decoded bytes.
void TestWebhookServer::chunkedSignedWebhook()
{
    const TestKey key = TestKey::ed25519();
    core::WebhookSettings s = secretSettings();
    s.auth = core::WebhookAuth::GhlSignature;
    s.ghlPublicKey = QString::fromLatin1(key.spkiBase64());
    Fixture f(fastOptions(), s);
    QVERIFY2(f.error.isEmpty(), qPrintable(f.error));
    const QByteArray body = R"({"type":"OrderCreate","_id":"o-chunked","contactId":"c1","webhookId":"wh-chunked","timestamp":")"
        + f.clock.now().toString(Qt::ISODate).toLatin1() + "\"}";
    const qsizetype half = body.size() / 2;
    const QByteArray request = "POST /api/ghl/webhook-qr HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
                               "X-GHL-Signature: " + key.sign(body) + "\r\nTransfer-Encoding: chunked\r\n\r\n"
        + QByteArray::number(half, 16) + ";proxy=1\r\n" + body.first(half) + "\r\n"
        + QByteArray::number(body.size() - half, 16) + "\r\n" + body.sliced(half) + "\r\n0\r\nX-Trailer: t\r\n\r\n";
    Client c(f.port());
    QVERIFY(c.connected());
    // In two writes cut inside a chunk, then a pipelined GET: the connection must consume exactly the chunked bytes.
    c.send(request.first(request.size() - 20));
    QVERIFY(c.socket.waitForBytesWritten(WaitMs));
    c.send(request.sliced(request.size() - 20) + get("/healthz"));
    QVERIFY(c.waitFor(2));
    QVERIFY2(c.parsed()[0].status == 200,
             qPrintable(QStringLiteral("a signed chunked webhook should be accepted, got %1 %2")
                            .arg(c.parsed()[0].status).arg(QString::fromUtf8(c.parsed()[0].body))));
    QCOMPARE(f.inbox.commits, QStringList { u"o-chunked"_qs });
    QCOMPARE(c.parsed()[1].status, 200);
}

void TestWebhookServer::handledOnWorkerThreads()
{
    Fixture f(fastOptions());
    QThreadPool pool;
    f.handler->setExecutor([&pool](std::function<void()> job) { pool.start(std::move(job)); });
    // The event crosses threads to its observers (the feed, the listener panel).
    QStringList observed;
    QObject context;
    QObject::connect(f.handler.get(), &WebhookRequestHandler::webhookReceived, &context,
        [&](const WebhookEvent &event, bool duplicate) {
            if (!duplicate)
                observed.append(event.orderId);
        }, Qt::QueuedConnection);
    Client c(f.port());
    QVERIFY(c.connected());
    QByteArray all;
    for (int i = 0; i < 20; ++i)
        all += post(orderBody("w" + QByteArray::number(i)));
    c.send(all);
    QVERIFY(c.waitFor(20));
    for (int i = 0; i < 20; ++i) {
        QCOMPARE(c.parsed()[i].status, 200);
        QCOMPARE(c.parsed()[i].json().value(u"orderId").toString(), u"w"_qs + QString::number(i));
    }
    pool.waitForDone();
    QVERIFY2(!f.inbox.threads.contains(QThread::currentThread()),
             "with an executor, webhooks must be checked and committed off the listener's thread");
    QVERIFY2(QTest::qWaitFor([&] { return observed.size() == 20; }, WaitMs), "every accepted webhook is announced once");
}

void TestWebhookServer::safeHeadersRedactSecrets()
{
    HttpRequest r;
    r.headers = { { "content-type", "application/json" },
                  { "authorization", "Bearer s3cret" },
                  { "x-webhook-secret", "s3cret" },
                  { "cookie", "session=s3cret" },
                  { "X-Api-Key", "s3cret" },
                  { "cf-access-jwt-assertion", "s3cret.jwt" },
                  { "connection", "keep-alive" },
                  { "x-ghl-signature", "c2lnbmF0dXJl" },
                  { "x-forwarded-for", "10.0.0.1" },
                  { "x-forwarded-for", "10.0.0.2" } };
    const QByteArray json = safeHeaders(r);
    QVERIFY2(!json.contains("s3cret"), json.constData());
    const QJsonObject o = QJsonDocument::fromJson(json).object();
    QCOMPARE(o.value(u"authorization").toString(), u"[redacted]"_qs);
    QCOMPARE(o.value(u"x-webhook-secret").toString(), u"[redacted]"_qs);
    QCOMPARE(o.value(u"cookie").toString(), u"[redacted]"_qs);
    QCOMPARE(o.value(u"x-api-key").toString(), u"[redacted]"_qs);
    QCOMPARE(o.value(u"cf-access-jwt-assertion").toString(), u"[redacted]"_qs);
    QCOMPARE(o.value(u"connection").toString(), u"keep-alive"_qs);
    QCOMPARE(o.value(u"x-ghl-signature").toString(), u"[redacted]"_qs); // issue 16: nothing to keep
    QCOMPARE(o.value(u"x-forwarded-for").toString(), u"10.0.0.1, 10.0.0.2"_qs);
    QCOMPARE(o.value(u"content-type").toString(), u"application/json"_qs);
}

void TestWebhookServer::unansweredRequestGets500()
{
    HttpServer server(fastOptions());
    server.addRoute("/drop", { "GET" }, [](const HttpRequest &, const HttpResponder &) { /* never answers */ });
    QVERIFY(server.listen(QHostAddress::LocalHost, 0));
    Client c(server.serverPort());
    QVERIFY(c.connected());
    c.send(get("/drop") + get("/drop"));
    QVERIFY(c.waitFor(2));
    QCOMPARE(c.parsed()[0].status, 500);
    QCOMPARE(c.parsed()[1].status, 500);
}

void TestWebhookServer::webSocketHandOver()
{
    Fixture f(fastOptions());
    QWebSocketServer feed(QStringLiteral("feed"), QWebSocketServer::NonSecureMode);
    QObject::connect(&f.server, &HttpServer::webSocketUpgradeRequested, &feed,
                     [&feed](QTcpSocket *socket) { feed.handleConnection(socket); }, Qt::DirectConnection);
    QList<QWebSocket *> serverSide;
    QObject::connect(&feed, &QWebSocketServer::newConnection, [&] {
        while (QWebSocket *ws = feed.nextPendingConnection()) {
            serverSide.append(ws);
            ws->sendTextMessage(QStringLiteral(R"({"event":"hello","path":")") + ws->requestUrl().path() + u"\"}");
        }
    });

    // A plain request first: the listener still speaks HTTP on the same port.
    Client plain(f.port());
    QVERIFY(plain.connected());
    plain.send(get("/healthz"));
    QVERIFY(plain.waitFor(1));

    QWebSocket client;
    QSignalSpy messages(&client, &QWebSocket::textMessageReceived);
    client.open(QUrl(QStringLiteral("ws://127.0.0.1:%1/ws").arg(f.port())));
    QVERIFY2(messages.wait(WaitMs), "the WebSocket client should receive the feed's first message");
    QCOMPARE(messages.first().first().toString(), QStringLiteral(R"({"event":"hello","path":"/ws"})"));
    QCOMPARE(serverSide.size(), 1);
    // Both directions work after the hand-over.
    QSignalSpy received(serverSide.first(), &QWebSocket::textMessageReceived);
    client.sendTextMessage(QStringLiteral("ping"));
    QVERIFY(received.wait(WaitMs));
    QCOMPARE(received.first().first().toString(), QStringLiteral("ping"));
    client.close();
    qDeleteAll(serverSide);
}

void TestWebhookServer::webSocketWithoutFeedIs404()
{
    Fixture f(fastOptions());
    Client c(f.port());
    QVERIFY(c.connected());
    c.send(get("/ws", "Upgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n"));
    QVERIFY(c.waitFor(1));
    QCOMPARE(c.parsed()[0].status, 404);
}

void TestWebhookServer::errorBodiesStayEnglish()
{
    // GHL reads our answers, not the door staff: the station's language must not reach them.
    GermanStation german;
    QVERIFY(QCoreApplication::installTranslator(&german));
    QVERIFY2(QCoreApplication::translate("qrt::webhook", "Nothing") != u"Nothing", "the German stand-in must translate");
    const struct
    {
        QByteArray request;
        int status;
        QString english;
    } cases[] = {
        { "POST\r\n\r\n", 400, QStringLiteral("Malformed request line.") },
        { post("{not json"), 400, QStringLiteral("The webhook body is not a JSON object.") },
        { post(orderBody("o-401"), {}), 401, QStringLiteral("no secret was sent") },
        { post(orderBody("o-401"), "X-Webhook-Secret: nope\r\n"), 401, QStringLiteral("the secret does not match") },
        { get("/nope"), 404, QStringLiteral("Nothing here.") },
        { get("/api/ghl/webhook-qr"), 405, QStringLiteral("Method GET is not allowed here.") },
        { "POST /api/ghl/webhook-qr HTTP/1.1\r\nHost: x\r\n\r\n", 411, QStringLiteral("A Content-Length header is required.") },
        { post("order=1", "X-Webhook-Secret: " + Secret + "\r\n", "/api/ghl/webhook-qr", "application/x-www-form-urlencoded"), 415,
          QStringLiteral("The body must be JSON") },
        { post(R"({"type":"OrderCreate","contactId":"c1"})"), 422, QStringLiteral("The webhook does not name an order.") },
        { "GET / HTTP/2.0\r\nHost: x\r\n\r\n", 505, QStringLiteral("Only HTTP/1.0 and HTTP/1.1 are supported.") },
    };
    Fixture f(fastOptions());
    QVERIFY2(f.error.isEmpty(), qPrintable(f.error));
    for (const auto &c : cases) {
        Client client(f.port());
        QVERIFY(client.connected());
        client.send(c.request);
        QVERIFY2(client.waitFor(1), qPrintable(QStringLiteral("no answer to the %1 case").arg(c.status)));
        const Response r = client.parsed().first();
        QCOMPARE(r.status, c.status);
        const QString body = QString::fromUtf8(r.body);
        QVERIFY2(!body.contains(QString::fromUtf8(GermanStation::Marker)),
                 qPrintable(QStringLiteral("the %1 answer to GHL went through the station's translation: %2").arg(c.status).arg(body)));
        QVERIFY2(body.contains(c.english),
                 qPrintable(QStringLiteral("the %1 answer should say \"%2\" in English, got %3").arg(c.status).arg(c.english, body)));
    }
    // A full inbox (database down): 429, still English.
    f.inbox.setFailing(true);
    Client client(f.port());
    QVERIFY(client.connected());
    client.send(post(orderBody("o-429")));
    QVERIFY(client.waitFor(1));
    QCOMPARE(client.parsed().first().status, 429);
    QVERIFY2(client.parsed().first().body.contains("The webhook could not be stored; please retry."),
             client.parsed().first().body.constData());
    QCoreApplication::removeTranslator(&german);
}

QTEST_GUILESS_MAIN(TestWebhookServer)
#include "tst_webhook_server.moc"
