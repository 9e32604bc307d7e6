#include "webhook/httpparser.h"
#include "webhook/webhookpayload.h"

#include <QRandomGenerator>
#include <QTest>

using namespace qrt::webhook;

namespace {

struct Outcome
{
    QList<HttpRequest> requests;
    int error = 0;
};

Outcome parseInPieces(const QByteArray &input, const QList<qsizetype> &cuts, const HttpParser::Limits &limits = {})
{
    HttpParser parser(limits);
    Outcome out;
    qsizetype from = 0;
    QList<qsizetype> points = cuts;
    points.append(input.size());
    for (qsizetype to : points) {
        parser.feed(QByteArrayView(input).sliced(from, to - from));
        from = to;
        while (parser.hasRequest())
            out.requests.append(parser.takeRequest());
    }
    out.error = parser.errorStatus();
    return out;
}

Outcome parseAll(const QByteArray &input, const HttpParser::Limits &limits = {})
{
    return parseInPieces(input, {}, limits);
}

QString describe(const Outcome &o)
{
    QStringList parts;
    for (const HttpRequest &r : o.requests)
        parts.append(QString::fromLatin1(r.method + ' ' + r.target + " body=" + QByteArray::number(r.body.size())));
    return QStringLiteral("%1 request(s) [%2], error %3").arg(o.requests.size()).arg(parts.join(u"; ")).arg(o.error);
}

bool sameRequests(const Outcome &a, const Outcome &b)
{
    if (a.error != b.error || a.requests.size() != b.requests.size())
        return false;
    for (qsizetype i = 0; i < a.requests.size(); ++i) {
        const HttpRequest &x = a.requests[i];
        const HttpRequest &y = b.requests[i];
        if (x.method != y.method || x.target != y.target || x.headers != y.headers || x.body != y.body
            || x.keepAlive != y.keepAlive || x.rawSize != y.rawSize || x.versionMinor != y.versionMinor)
            return false;
    }
    return true;
}

const QByteArray Json = R"({"_id":"660ed43bfdf9fc05a0de7a40","contactId":"c1"})";

QByteArray chunkedPost(const QByteArray &chunks, const QByteArray &extra = {})
{
    return "POST /api/ghl/webhook-qr HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\n" + extra
        + "Transfer-Encoding: chunked\r\n\r\n" + chunks;
}

QList<qsizetype> everyByte(const QByteArray &input)
{
    QList<qsizetype> cuts;
    for (qsizetype i = 1; i < input.size(); ++i)
        cuts.append(i);
    return cuts;
}

QByteArray post(const QByteArray &body, const QByteArray &extra = {})
{
    return "POST /api/ghl/webhook-qr?x=1 HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\n" + extra
        + "Content-Length: " + QByteArray::number(body.size()) + "\r\n\r\n" + body;
}

} // namespace

class TestWebhookParser : public QObject
{
    Q_OBJECT

private slots:
    void statusCodes_data();
    void statusCodes();
    void parsesFields();
    void keepAliveSemantics_data();
    void keepAliveSemantics();
    void everySplitGivesTheSameResult();
    void pipelinedRequestsInOrder();
    void chunkedBodies_data();
    void chunkedBodies();
    void requestTargets_data();
    void requestTargets();
    void bodyLimitDecidedFromHeader();
    void headerLimitWithoutTerminator();
    void expectContinue();
    void randomMutationsNeverCrash();
    void payloadShapes_data();
    void payloadShapes();
    void payloadRefusals_data();
    void payloadRefusals();
    void timestamps();
};

void TestWebhookParser::statusCodes_data()
{
    QTest::addColumn<QByteArray>("input");
    QTest::addColumn<int>("error");     // 0: a request is expected
    QTest::addColumn<int>("requests");

    QTest::newRow("valid post") << post(Json) << 0 << 1;
    QTest::newRow("valid get") << QByteArray("GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n") << 0 << 1;
    QTest::newRow("http/1.0 without host") << QByteArray("GET / HTTP/1.0\r\n\r\n") << 0 << 1;
    QTest::newRow("leading blank lines ignored") << QByteArray("\r\n\r\nGET / HTTP/1.1\r\nHost: x\r\n\r\n") << 0 << 1;
    QTest::newRow("incomplete head: no answer yet") << QByteArray("GET / HTTP/1.1\r\nHost: x\r\n") << 0 << 0;
    QTest::newRow("incomplete body: no answer yet") << post(Json).chopped(3) << 0 << 0;

    QTest::newRow("400 garbage request line") << QByteArray("HELLO\r\n\r\n") << 400 << 0;
    QTest::newRow("400 two spaces") << QByteArray("GET  / HTTP/1.1\r\nHost: x\r\n\r\n") << 400 << 0;
    QTest::newRow("absolute target") << QByteArray("GET http://x/ HTTP/1.1\r\nHost: x\r\n\r\n") << 0 << 1;
    QTest::newRow("400 bad version") << QByteArray("GET / HTTX/1.1\r\nHost: x\r\n\r\n") << 400 << 0;
    QTest::newRow("505 http/2.0") << QByteArray("GET / HTTP/2.0\r\nHost: x\r\n\r\n") << 505 << 0;
    QTest::newRow("400 bare LF") << QByteArray("GET / HTTP/1.1\nHost: x\n\n") << 400 << 0;
    QTest::newRow("400 header without colon") << QByteArray("GET / HTTP/1.1\r\nHost x\r\n\r\n") << 400 << 0;
    QTest::newRow("400 space before colon") << QByteArray("GET / HTTP/1.1\r\nHost : x\r\n\r\n") << 400 << 0;
    QTest::newRow("400 obs-fold") << QByteArray("GET / HTTP/1.1\r\nHost: x\r\nX-A: a\r\n b\r\n\r\n") << 400 << 0;
    QTest::newRow("400 control char in value") << QByteArray("GET / HTTP/1.1\r\nHost: x\r\nX-A: a\x01b\r\n\r\n") << 400 << 0;
    QTest::newRow("400 missing host on 1.1") << QByteArray("GET / HTTP/1.1\r\n\r\n") << 400 << 0;
    QTest::newRow("400 two hosts") << QByteArray("GET / HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n") << 400 << 0;
    QTest::newRow("400 non-digit content-length") << post(Json).replace("Content-Length: ", "Content-Length: +") << 400 << 0;
    QTest::newRow("400 empty content-length") << QByteArray("POST / HTTP/1.1\r\nHost: x\r\nContent-Length: \r\n\r\n") << 400 << 0;
    QTest::newRow("400 duplicate content-length")
        << post(Json, "Content-Length: " + QByteArray::number(Json.size()) + "\r\n") << 400 << 0;
    QTest::newRow("400 content-length and transfer-encoding") << post(Json, "Transfer-Encoding: chunked\r\n") << 400 << 0;
    QTest::newRow("chunked") << QByteArray("POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n2\r\n{}\r\n0\r\n\r\n")
                             << 0 << 1;
    QTest::newRow("411 post without length") << QByteArray("POST / HTTP/1.1\r\nHost: x\r\n\r\n") << 411 << 0;
    QTest::newRow("413 body too large") << QByteArray("POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 1048577\r\n\r\n") << 413 << 0;
    QTest::newRow("413 huge content-length") << QByteArray("POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 999999999999999\r\n\r\n")
                                             << 413 << 0;
    QTest::newRow("400 overflowing content-length")
        << QByteArray("POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 99999999999999999999999\r\n\r\n") << 400 << 0;
    QTest::newRow("431 header block") << QByteArray("GET / HTTP/1.1\r\nHost: x\r\nX-Big: " + QByteArray(17000, 'a') + "\r\n\r\n")
                                      << 431 << 0;
    QByteArray many = "GET / HTTP/1.1\r\nHost: x\r\n";
    for (int i = 0; i < 120; ++i)
        many += "X-" + QByteArray::number(i) + ": v\r\n";
    QTest::newRow("431 too many headers") << many + "\r\n" << 431 << 0;
    QTest::newRow("valid then 400") << (post(Json) + "BROKEN LINE\r\n\r\n") << 400 << 1;
}

void TestWebhookParser::statusCodes()
{
    QFETCH(QByteArray, input);
    QFETCH(int, error);
    QFETCH(int, requests);
    const Outcome o = parseAll(input);
    QVERIFY2(o.error == error && o.requests.size() == requests,
             qPrintable(QStringLiteral("expected %1 request(s) and error %2, got %3").arg(requests).arg(error).arg(describe(o))));
}

void TestWebhookParser::parsesFields()
{
    const Outcome o = parseAll(post(Json, "X-GHL-Signature:   abc=  \r\nCONNECTION: keep-alive\r\n"));
    QCOMPARE(o.requests.size(), 1);
    const HttpRequest &r = o.requests.first();
    QCOMPARE(r.method, QByteArray("POST"));
    QCOMPARE(r.path, QByteArray("/api/ghl/webhook-qr"));
    QCOMPARE(r.query, QByteArray("x=1"));
    QCOMPARE(r.body, Json);
    QCOMPARE(r.header("x-ghl-signature"), QByteArray("abc="));
    QCOMPARE(r.header("connection"), QByteArray("keep-alive"));
    QCOMPARE(r.mediaType(), QByteArray("application/json"));
    QCOMPARE(r.rawSize, post(Json, "X-GHL-Signature:   abc=  \r\nCONNECTION: keep-alive\r\n").size());
}

void TestWebhookParser::keepAliveSemantics_data()
{
    QTest::addColumn<QByteArray>("input");
    QTest::addColumn<bool>("keepAlive");
    QTest::newRow("1.1 default") << QByteArray("GET / HTTP/1.1\r\nHost: x\r\n\r\n") << true;
    QTest::newRow("1.1 close") << QByteArray("GET / HTTP/1.1\r\nHost: x\r\nConnection: Close\r\n\r\n") << false;
    QTest::newRow("1.1 list with close") << QByteArray("GET / HTTP/1.1\r\nHost: x\r\nConnection: foo, close\r\n\r\n") << false;
    QTest::newRow("1.0 default") << QByteArray("GET / HTTP/1.0\r\n\r\n") << false;
    QTest::newRow("1.0 keep-alive") << QByteArray("GET / HTTP/1.0\r\nConnection: keep-alive\r\n\r\n") << true;
}

void TestWebhookParser::keepAliveSemantics()
{
    QFETCH(QByteArray, input);
    QFETCH(bool, keepAlive);
    const Outcome o = parseAll(input);
    QCOMPARE(o.requests.size(), 1);
    QCOMPARE(o.requests.first().keepAlive, keepAlive);
}

void TestWebhookParser::everySplitGivesTheSameResult()
{
    const QList<QByteArray> inputs {
        post(Json),
        "\r\nGET /healthz HTTP/1.1\r\nHost: x\r\n\r\n" + post(Json) + "GET /ws HTTP/1.1\r\nHost: x\r\n\r\n",
        post(Json) + "GET / HTTP/1.1\r\nHost: x\r\nX: a\r\n b\r\n\r\n",  // ends in 400
        "GET / HTTP/1.1\nHost: x\r\n\r\n",                              // bare LF
        "POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 5000000\r\n\r\n", // 413
        chunkedPost("3;e=1\r\nabc\r\n1\r\nd\r\n0\r\nT: v\r\n\r\n") + post(Json),
        chunkedPost("3\r\nabc\r\n1\r\nd\r\nx"), // 400: missing CRLF
        "GET /" + QByteArray(9000, 'u') + " HTTP/1.1\r\nHost: x\r\n\r\n", // 414
    };
    for (const QByteArray &input : inputs) {
        const Outcome whole = parseAll(input);
        for (qsizetype cut = 0; cut <= input.size(); ++cut) {
            const Outcome split = parseInPieces(input, { cut });
            QVERIFY2(sameRequests(whole, split),
                     qPrintable(QStringLiteral("cut at %1 gave %2 instead of %3").arg(cut).arg(describe(split), describe(whole))));
        }
        // Byte by byte as well.
        QList<qsizetype> all;
        for (qsizetype i = 1; i < input.size(); ++i)
            all.append(i);
        const Outcome bytewise = parseInPieces(input, all);
        QVERIFY2(sameRequests(whole, bytewise), qPrintable(QStringLiteral("byte-by-byte gave %1").arg(describe(bytewise))));
    }
}

void TestWebhookParser::pipelinedRequestsInOrder()
{
    QByteArray input;
    for (int i = 0; i < 10; ++i)
        input += i % 2 ? post("{\"n\":" + QByteArray::number(i) + "}") : "GET /r" + QByteArray::number(i) + " HTTP/1.1\r\nHost: x\r\n\r\n";
    const Outcome o = parseAll(input);
    QCOMPARE(o.error, 0);
    QCOMPARE(o.requests.size(), 10);
    qsizetype total = 0;
    for (int i = 0; i < 10; ++i) {
        total += o.requests[i].rawSize;
        if (i % 2)
            QCOMPARE(o.requests[i].body, "{\"n\":" + QByteArray::number(i) + "}");
        else
            QCOMPARE(o.requests[i].path, "/r" + QByteArray::number(i));
    }
    QCOMPARE(total, input.size());
}

void TestWebhookParser::chunkedBodies_data()
{
    QTest::addColumn<QByteArray>("input");
    QTest::addColumn<qint64>("maxBody");
    QTest::addColumn<int>("error"); // 0: one complete request with `body` is expected
    QTest::addColumn<QByteArray>("body");

    const qint64 mib = 1024 * 1024;
    QTest::newRow("simple") << chunkedPost("5\r\n{\"a\":\r\n3\r\n12}\r\n0\r\n\r\n") << mib << 0 << QByteArray(R"({"a":12})");
    QTest::newRow("upper and lower hex, leading zeros")
        << chunkedPost("000A\r\n0123456789\r\nb\r\nabcdefghijk\r\n0\r\n\r\n") << mib << 0 << QByteArray("0123456789abcdefghijk");
    QTest::newRow("extensions ignored")
        << chunkedPost("2;name=value\r\n{}\r\n0 ; last ;q=\"quoted; text\"\r\n\r\n") << mib << 0 << QByteArray("{}");
    QTest::newRow("trailers ignored")
        << chunkedPost("2\r\n{}\r\n0\r\nX-Checksum: abc\r\nX-Other: 1\r\n\r\n") << mib << 0 << QByteArray("{}");
    QTest::newRow("empty body") << chunkedPost("0\r\n\r\n") << mib << 0 << QByteArray();
    QTest::newRow("decoded size exactly at the limit")
        << chunkedPost("6\r\n012345\r\n4\r\n6789\r\n0\r\n\r\n") << qint64(10) << 0 << QByteArray("0123456789");
    QTest::newRow("413 decoded size over the limit")
        << chunkedPost("6\r\n012345\r\n5\r\n6789a\r\n0\r\n\r\n") << qint64(10) << 413 << QByteArray();
    QTest::newRow("413 one chunk larger than the limit") << chunkedPost("FFFFFFF\r\n") << mib << 413 << QByteArray();
    QTest::newRow("400 bad hex") << chunkedPost("2g\r\n{}\r\n0\r\n\r\n") << mib << 400 << QByteArray();
    QTest::newRow("400 no size") << chunkedPost(";ext\r\n{}\r\n0\r\n\r\n") << mib << 400 << QByteArray();
    QTest::newRow("400 negative size") << chunkedPost("-2\r\n{}\r\n0\r\n\r\n") << mib << 400 << QByteArray();
    QTest::newRow("400 huge size overflows") << chunkedPost("10000000000000002\r\n{}\r\n") << mib << 400 << QByteArray();
    QTest::newRow("400 missing CRLF after data") << chunkedPost("2\r\n{}0\r\n\r\n") << mib << 400 << QByteArray();
    QTest::newRow("400 data longer than its size") << chunkedPost("1\r\n{}\r\n0\r\n\r\n") << mib << 400 << QByteArray();
    QTest::newRow("400 bare LF in size line") << chunkedPost("2\n{}\r\n0\r\n\r\n") << mib << 400 << QByteArray();
    QTest::newRow("400 control character in extension") << chunkedPost("2;a\x01\r\n{}\r\n0\r\n\r\n") << mib << 400 << QByteArray();
    QTest::newRow("400 extension too long")
        << chunkedPost("2;" + QByteArray(2000, 'e') + "\r\n{}\r\n0\r\n\r\n") << mib << 400 << QByteArray();
    QTest::newRow("400 malformed trailer") << chunkedPost("2\r\n{}\r\n0\r\nno colon\r\n\r\n") << mib << 400 << QByteArray();
    QTest::newRow("431 trailer too large")
        << chunkedPost("2\r\n{}\r\n0\r\nX-Big: " + QByteArray(17000, 't') + "\r\n\r\n") << mib << 431 << QByteArray();
    QByteArray tinyChunks;
    for (int i = 0; i < 8000; ++i)
        tinyChunks += "1\r\nx\r\n";
    QTest::newRow("413 too much framing for the data") << chunkedPost(tinyChunks + "0\r\n\r\n") << mib << 413 << QByteArray();
    QTest::newRow("400 content-length with chunked")
        << chunkedPost("2\r\n{}\r\n0\r\n\r\n", "Content-Length: 2\r\n") << mib << 400 << QByteArray();
    QTest::newRow("501 gzip") << QByteArray("POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: gzip\r\n\r\n") << mib << 501 << QByteArray();
    QTest::newRow("501 gzip then chunked")
        << chunkedPost("2\r\n{}\r\n0\r\n\r\n", "Transfer-Encoding: gzip\r\n") << mib << 501 << QByteArray();
    QTest::newRow("400 chunked not last")
        << QByteArray("POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked, gzip\r\n\r\n") << mib << 400 << QByteArray();
    QTest::newRow("400 chunked twice")
        << QByteArray("POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked, chunked\r\n\r\n") << mib << 400 << QByteArray();
    QTest::newRow("400 chunked in HTTP/1.0")
        << QByteArray("POST / HTTP/1.0\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n") << mib << 400 << QByteArray();
    QTest::newRow("incomplete: no last chunk yet") << chunkedPost("2\r\n{}\r\n") << mib << -1 << QByteArray();
    QTest::newRow("incomplete: no end of trailers yet") << chunkedPost("2\r\n{}\r\n0\r\n") << mib << -1 << QByteArray();
}

void TestWebhookParser::chunkedBodies()
{
    QFETCH(QByteArray, input);
    QFETCH(qint64, maxBody);
    QFETCH(int, error);
    QFETCH(QByteArray, body);
    HttpParser::Limits limits;
    limits.maxBodyBytes = maxBody;
    const Outcome whole = parseAll(input, limits);
    if (error > 0) {
        QVERIFY2(whole.error == error && whole.requests.isEmpty(),
                 qPrintable(QStringLiteral("expected error %1, got %2").arg(error).arg(describe(whole))));
    } else if (error < 0) {
        QVERIFY2(whole.error == 0 && whole.requests.isEmpty(),
                 qPrintable(QStringLiteral("expected to wait for more input, got %1").arg(describe(whole))));
    } else {
        QVERIFY2(whole.error == 0 && whole.requests.size() == 1,
                 qPrintable(QStringLiteral("expected one request, got %1").arg(describe(whole))));
        QCOMPARE(whole.requests.first().body, body);
        QCOMPARE(whole.requests.first().rawSize, input.size());
        QVERIFY2(!whole.requests.first().hasHeader("x-checksum"), "trailer fields must not become headers");
    }
    // The same in 1-byte pieces (how a slow tunnel may deliver it).
    const Outcome bytewise = parseInPieces(input, everyByte(input), limits);
    QVERIFY2(sameRequests(whole, bytewise), qPrintable(QStringLiteral("byte-by-byte gave %1 instead of %2")
                                                           .arg(describe(bytewise), describe(whole))));
}

void TestWebhookParser::requestTargets_data()
{
    QTest::addColumn<QByteArray>("input");
    QTest::addColumn<int>("error"); // 0: one request with `path` and `query`
    QTest::addColumn<QByteArray>("path");
    QTest::addColumn<QByteArray>("query");

    QTest::newRow("origin form") << post(Json) << 0 << QByteArray("/api/ghl/webhook-qr") << QByteArray("x=1");
    QTest::newRow("absolute form")
        << QByteArray("POST http://tickets.example.com:8080/api/ghl/webhook-qr?x=1 HTTP/1.1\r\nHost: tickets.example.com\r\n"
                      "Content-Length: 2\r\n\r\n{}")
        << 0 << QByteArray("/api/ghl/webhook-qr") << QByteArray("x=1");
    QTest::newRow("absolute form, https, upper-case scheme, no path")
        << QByteArray("GET HTTPS://tickets.example.com HTTP/1.1\r\nHost: x\r\n\r\n") << 0 << QByteArray("/") << QByteArray();
    QTest::newRow("absolute form, query without path")
        << QByteArray("GET http://h?a=b HTTP/1.1\r\nHost: x\r\n\r\n") << 0 << QByteArray("/") << QByteArray("a=b");
    QTest::newRow("400 other scheme") << QByteArray("GET ftp://h/ HTTP/1.1\r\nHost: x\r\n\r\n") << 400 << QByteArray() << QByteArray();
    QTest::newRow("400 no authority") << QByteArray("GET http:///a HTTP/1.1\r\nHost: x\r\n\r\n") << 400 << QByteArray() << QByteArray();
    QTest::newRow("400 user info") << QByteArray("GET http://u@h/ HTTP/1.1\r\nHost: x\r\n\r\n") << 400 << QByteArray() << QByteArray();
    QTest::newRow("400 relative target") << QByteArray("GET a/b HTTP/1.1\r\nHost: x\r\n\r\n") << 400 << QByteArray() << QByteArray();
    QTest::newRow("target at the limit") << QByteArray("GET /" + QByteArray(8191, 'a') + " HTTP/1.1\r\nHost: x\r\n\r\n") << 0
                                         << "/" + QByteArray(8191, 'a') << QByteArray();
    QTest::newRow("414 long target") << QByteArray("GET /" + QByteArray(8192, 'a') + " HTTP/1.1\r\nHost: x\r\n\r\n") << 414
                                     << QByteArray() << QByteArray();
    // Answered before the line ends: the client is still sending.
    QTest::newRow("414 long target, line not finished") << QByteArray("GET /" + QByteArray(20000, 'a')) << 414 << QByteArray()
                                                        << QByteArray();
    QTest::newRow("400 long line without a target") << QByteArray(20000, 'G') << 400 << QByteArray() << QByteArray();
    // HTTP/0.9: no version and no headers follow; answered at once, not after the request timeout.
    QTest::newRow("400 HTTP/0.9 request line") << QByteArray("GET /\r\n") << 400 << QByteArray() << QByteArray();
}

void TestWebhookParser::requestTargets()
{
    QFETCH(QByteArray, input);
    QFETCH(int, error);
    QFETCH(QByteArray, path);
    QFETCH(QByteArray, query);
    const Outcome o = parseAll(input);
    if (error) {
        QVERIFY2(o.error == error, qPrintable(QStringLiteral("expected error %1, got %2").arg(error).arg(describe(o))));
    } else {
        QVERIFY2(o.error == 0 && o.requests.size() == 1, qPrintable(QStringLiteral("expected one request, got %1").arg(describe(o))));
        QCOMPARE(o.requests.first().path, path);
        QCOMPARE(o.requests.first().query, query);
        QCOMPARE(o.requests.first().target, query.isEmpty() ? path : path + '?' + query);
    }
    const Outcome bytewise = parseInPieces(input, everyByte(input));
    QVERIFY2(sameRequests(o, bytewise), qPrintable(QStringLiteral("byte-by-byte gave %1 instead of %2").arg(describe(bytewise), describe(o))));
}

void TestWebhookParser::bodyLimitDecidedFromHeader()
{
    HttpParser::Limits limits;
    limits.maxBodyBytes = 10;
    HttpParser parser(limits);
    // No body byte has been sent yet: the head alone decides.
    QVERIFY(!parser.feed("POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 11\r\n\r\n"));
    QCOMPARE(parser.errorStatus(), 413);
    QCOMPARE(parseAll(post("0123456789"), limits).requests.size(), 1);
}

void TestWebhookParser::headerLimitWithoutTerminator()
{
    HttpParser parser;
    QByteArray chunk = "GET / HTTP/1.1\r\nHost: x\r\n";
    parser.feed(chunk);
    const QByteArray line = "X-Filler: " + QByteArray(100, 'z') + "\r\n";
    int fed = 0;
    while (!parser.hasError() && fed < 1000) {
        parser.feed(line);
        ++fed;
    }
    QCOMPARE(parser.errorStatus(), 431);
    QVERIFY2(fed < 200, "the parser should refuse a never-ending head once it passes 16 KiB");
}

void TestWebhookParser::expectContinue()
{
    HttpParser parser;
    parser.feed(post(Json, "Expect: 100-continue\r\n").chopped(Json.size()));
    QVERIFY(parser.takeContinueRequest());
    QVERIFY(!parser.takeContinueRequest());
    parser.feed(Json);
    QVERIFY(parser.hasRequest());
}

void TestWebhookParser::randomMutationsNeverCrash()
{
    const QList<QByteArray> seeds {
        post(Json),
        "GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n",
        post(Json) + post("{}"),
        "GET /ws HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
        "Sec-WebSocket-Version: 13\r\n\r\n",
        chunkedPost("5\r\n{\"a\":\r\n3;x=y\r\n12}\r\n0\r\nT: 1\r\n\r\n"),
    };
    HttpParser::Limits limits;
    limits.maxBodyBytes = 4096;
    limits.maxHeaderBytes = 2048;
    QRandomGenerator rng(20261124);
    int requests = 0, errors = 0, pending = 0;
    for (int round = 0; round < 4000; ++round) {
        QByteArray input = seeds[rng.bounded(int(seeds.size()))];
        const int mutations = 1 + rng.bounded(8);
        for (int m = 0; m < mutations; ++m) {
            const qsizetype pos = input.isEmpty() ? 0 : rng.bounded(int(input.size()));
            switch (rng.bounded(6)) {
            case 0: if (!input.isEmpty()) input[pos] = char(rng.bounded(256)); break;
            case 1: input.insert(pos, char(rng.bounded(256))); break;
            case 2: input.remove(pos, 1 + rng.bounded(4)); break;
            case 3: input.insert(pos, QByteArray(1 + rng.bounded(3000), char(rng.bounded(256)))); break;
            case 4: input.insert(pos, input.mid(rng.bounded(int(input.size()) + 1), 40)); break;
            default: input.insert(pos, QByteArray("\r\nContent-Length: ") + QByteArray::number(rng.bounded(10000))); break;
            }
        }
        QList<qsizetype> cuts;
        for (int c = rng.bounded(4); c > 0; --c)
            cuts.append(rng.bounded(int(input.size()) + 1));
        std::sort(cuts.begin(), cuts.end());
        HttpParser parser(limits);
        qsizetype from = 0;
        cuts.append(input.size());
        Outcome o;
        for (qsizetype to : cuts) {
            parser.feed(QByteArrayView(input).sliced(from, to - from));
            from = to;
            while (parser.hasRequest())
                o.requests.append(parser.takeRequest());
        }
        qsizetype consumed = 0;
        for (const HttpRequest &r : std::as_const(o.requests)) {
            QVERIFY2(r.body.size() <= limits.maxBodyBytes, "a body exceeded the body limit");
            QVERIFY2(r.rawSize - r.body.size() <= limits.maxHeaderBytes + 4 + (r.hasHeader("transfer-encoding") ? limits.maxChunkFramingBytes : 0),
                     "a head (or chunk framing) exceeded its limit");
            consumed += r.rawSize;
        }
        QVERIFY2(consumed <= input.size(), "requests claim more bytes than were fed");
        if (parser.hasError()) {
            QVERIFY2(QList<int>({ 400, 411, 413, 414, 431, 501, 505 }).contains(parser.errorStatus()),
                     qPrintable(QStringLiteral("unexpected error status %1").arg(parser.errorStatus())));
            ++errors;
        } else if (o.requests.isEmpty()) {
            ++pending;
        }
        requests += int(o.requests.size());
    }
    qInfo("4000 mutated inputs: %d requests, %d errors, %d incomplete", requests, errors, pending);
    QVERIFY2(requests > 0 && errors > 0, "the mutation mix should produce both valid requests and errors");
}

void TestWebhookParser::payloadShapes_data()
{
    QTest::addColumn<QByteArray>("body");
    QTest::addColumn<int>("shape");
    QTest::addColumn<QString>("orderId");
    QTest::addColumn<QString>("contactId");
    QTest::addColumn<QStringList>("products");
    QTest::addColumn<QString>("eventType");
    QTest::addColumn<QString>("locationId");
    QTest::addColumn<QString>("webhookId");

    QTest::newRow("1 marketplace OrderCreate (official example, trimmed)")
        << QByteArray(R"({"type":"OrderCreate","locationId":"Z4Bxl8J4SaPEPLq9IQ8g","_id":"660ed43bfdf9fc05a0de7a40",
            "altId":"Z4Bxl8J4SaPEPLq9IQ8g","altType":"location","status":"pending","contactId":"ff2JstbQJfRuofXzeT0M",
            "items":[{"name":"a","qty":1,"product":{"_id":"660ed1ff95e1dc88d5b0d346"},"price":{"name":"XL / Charcoal"}},
                     {"name":"b","qty":1,"product":{"_id":"64f84dea1e2c5ae21f0714dd"},"price":{"name":"Green / S"}},
                     {"name":"c","qty":2,"product":{"_id":"660ed1ff95e1dc88d5b0d346"}}],
            "timestamp":"2025-01-28T14:35:00Z","webhookId":"wh-1"})")
        << int(PayloadShape::MarketplaceOrder) << u"660ed43bfdf9fc05a0de7a40"_qs << u"ff2JstbQJfRuofXzeT0M"_qs
        << QStringList { u"660ed1ff95e1dc88d5b0d346"_qs, u"64f84dea1e2c5ae21f0714dd"_qs } << u"OrderCreate"_qs
        << u"Z4Bxl8J4SaPEPLq9IQ8g"_qs << u"wh-1"_qs;
    QTest::newRow("1 marketplace OrderStatusUpdate, location from altId")
        << QByteArray(R"({"type":"OrderStatusUpdate","_id":"o2","altId":"loc2","altType":"location","status":"completed",
            "contactSnapshot":{"id":"c2"},"items":[{"product":{"_id":"p1"}}]})")
        << int(PayloadShape::MarketplaceOrder) << u"o2"_qs << u"c2"_qs << QStringList { u"p1"_qs } << u"OrderStatusUpdate"_qs
        << u"loc2"_qs << QString();
    QTest::newRow("2 original workflow body")
        << QByteArray(R"({"type":"OrderCreate","locationId":"loc3","order":{"_id":"o3","contactId":"c3",
            "items":[{"product":{"_id":"p1"},"qty":2},{"product":{"_id":"p2"},"qty":1}]}})")
        << int(PayloadShape::WorkflowOrder) << u"o3"_qs << u"c3"_qs << QStringList { u"p1"_qs, u"p2"_qs } << u"OrderCreate"_qs
        << u"loc3"_qs << QString();
    QTest::newRow("3 standard workflow webhook line_items")
        << QByteArray(R"({"contact_id":"c4","first_name":"Ann","email":"a@example.com","location":{"id":"loc4","name":"Venue"},
            "order":{"line_items":[{"meta":{"order_id":"o4","product_id":"p7"}},{"meta":{"order_id":"o4","product_id":"p8"}},
            {"meta":{"order_id":"o4","product_id":"p7"}}]}})")
        << int(PayloadShape::WorkflowLineItems) << u"o4"_qs << u"c4"_qs << QStringList { u"p7"_qs, u"p8"_qs } << QString()
        << u"loc4"_qs << QString();
    QTest::newRow("4 custom data at top level")
        << QByteArray(R"({"order_id":"o5","contact_id":"c5","product_id":"p9"})")
        << int(PayloadShape::CustomData) << u"o5"_qs << u"c5"_qs << QStringList { u"p9"_qs } << QString() << QString() << QString();
    QTest::newRow("4 custom data in customData, several products")
        << QByteArray(R"({"contact_id":"c6","customData":{"order_id":"o6","product_id":"p1, p2,p1"},"location":{"id":"loc6"}})")
        << int(PayloadShape::CustomData) << u"o6"_qs << u"c6"_qs << QStringList { u"p1"_qs, u"p2"_qs } << QString()
        << u"loc6"_qs << QString();
    QTest::newRow("4 custom data with an array of products and numeric ids")
        << QByteArray(R"({"customData":{"order_id":12345,"contact_id":"c7","product_id":["p1",22]}})")
        << int(PayloadShape::CustomData) << u"12345"_qs << u"c7"_qs << QStringList { u"p1"_qs, u"22"_qs } << QString()
        << QString() << QString();
}

void TestWebhookParser::payloadShapes()
{
    QFETCH(QByteArray, body);
    QFETCH(int, shape);
    QFETCH(QString, orderId);
    QFETCH(QString, contactId);
    QFETCH(QStringList, products);
    QFETCH(QString, eventType);
    QFETCH(QString, locationId);
    QFETCH(QString, webhookId);
    const auto event = parseWebhookPayload(body);
    QVERIFY2(event.ok(), qPrintable(event.ok() ? QString() : event.error().toString()));
    QCOMPARE(int(event->shape), shape);
    QCOMPARE(event->orderId, orderId);
    QCOMPARE(event->contactId, contactId);
    QCOMPARE(event->productIds, products);
    QCOMPARE(event->eventType, eventType);
    QCOMPARE(event->locationId, locationId);
    QCOMPARE(event->webhookId, webhookId);
    QCOMPARE(event->body, body);
    QVERIFY(!event->idempotencyKey().isEmpty());
}

void TestWebhookParser::payloadRefusals_data()
{
    QTest::addColumn<QByteArray>("body");
    QTest::addColumn<QString>("code");
    QTest::newRow("not json") << QByteArray("order=1") << u"webhook.malformed"_qs;
    QTest::newRow("json array") << QByteArray("[1,2]") << u"webhook.malformed"_qs;
    QTest::newRow("truncated json") << QByteArray(R"({"_id":"o1")") << u"webhook.malformed"_qs;
    QTest::newRow("no order id") << QByteArray(R"({"type":"OrderCreate","contactId":"c1"})") << u"webhook.no_order_id"_qs;
    QTest::newRow("empty order id") << QByteArray(R"({"_id":"","contactId":"c1"})") << u"webhook.no_order_id"_qs;
    QTest::newRow("order id with spaces") << QByteArray(R"({"order_id":"a b"})") << u"webhook.no_order_id"_qs;
    QTest::newRow("line items without order id") << QByteArray(R"({"order":{"line_items":[{"meta":{"product_id":"p"}}]}})")
                                                 << u"webhook.no_order_id"_qs;
}

void TestWebhookParser::payloadRefusals()
{
    QFETCH(QByteArray, body);
    QFETCH(QString, code);
    const auto event = parseWebhookPayload(body);
    QVERIFY2(!event.ok(), "the body should be refused");
    QCOMPARE(event.error().code, code);
}

void TestWebhookParser::timestamps()
{
    const QDateTime expected(QDate(2025, 1, 28), QTime(14, 35), Qt::UTC);
    QCOMPARE(parseWebhookTimestamp(u"2025-01-28T14:35:00Z"_qs), expected);
    QCOMPARE(parseWebhookTimestamp(u"2025-01-28T14:35:00.000Z"_qs), expected);
    QCOMPARE(parseWebhookTimestamp(u"2025-01-28T15:35:00+01:00"_qs), expected);
    QCOMPARE(parseWebhookTimestamp(QString::number(expected.toMSecsSinceEpoch())), expected);
    QCOMPARE(parseWebhookTimestamp(QString::number(expected.toSecsSinceEpoch())), expected);
    QVERIFY(!parseWebhookTimestamp(u"yesterday"_qs).isValid());
    QVERIFY(!parseWebhookTimestamp(QString()).isValid());
    const auto event = parseWebhookPayload(R"({"_id":"o","timestamp":1738074900000})");
    QVERIFY(event.ok());
    QCOMPARE(event->timestamp, expected);
    // A number no timestamp can be (found by scripts/fuzz payload: the cast was undefined
    // behaviour) reads as no timestamp, and the webhook's age check refuses it.
    for (const char *huge : { R"({"_id":"o","timestamp":1.7e59})", R"({"_id":"o","timestamp":-1e300})" }) {
        const auto odd = parseWebhookPayload(QByteArray(huge));
        QVERIFY2(odd.ok(), huge);
        QVERIFY2(!odd->timestamp.isValid(), huge);
    }
    // Every stored id is printable: a location id with an escaped control character is dropped.
    const auto location = parseWebhookPayload(R"({"_id":"o","altType":"location","altId":"3Swd\nhCu3"})");
    QVERIFY(location.ok());
    QCOMPARE(location->locationId, QString());
}

QTEST_GUILESS_MAIN(TestWebhookParser)
#include "tst_webhook_parser.moc"
