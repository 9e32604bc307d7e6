#include "fakeclock.h"
#include "testkeys.h"

#include "webhook/webhookauth.h"
#include "webhook/webhookpayload.h"

#include <QTemporaryDir>
#include <QTest>

using namespace qrt;
using namespace qrt::webhook;
using namespace qrt::webhook::testing;

namespace {

core::WebhookSettings signatureSettings(const QByteArray &publicKey)
{
    core::WebhookSettings s;
    s.bind = QStringLiteral("127.0.0.1");
    s.path = QStringLiteral("/api/ghl/webhook-qr");
    s.auth = core::WebhookAuth::GhlSignature;
    s.ghlPublicKey = QString::fromLatin1(publicKey);
    s.replayWindowS = 300;
    return s;
}

HttpRequest request(const QByteArray &body, QList<QPair<QByteArray, QByteArray>> headers = {}, const QByteArray &query = {})
{
    HttpRequest r;
    r.method = "POST";
    r.path = "/api/ghl/webhook-qr";
    r.query = query;
    r.body = body;
    r.headers = std::move(headers);
    r.peerAddress = QHostAddress(QHostAddress::LocalHost);
    return r;
}

QByteArray bodyAt(const QDateTime &t)
{
    return R"({"type":"OrderCreate","_id":"660ed43bfdf9fc05a0de7a40","contactId":"c1","webhookId":"w-1","timestamp":")"
        + t.toString(Qt::ISODateWithMs).toLatin1() + "\"}";
}

} // namespace

class TestWebhookAuth : public QObject
{
    Q_OBJECT

private slots:
    void initTestCase();
    void defaultKeyIsGhls();
    void ed25519GoodBadMissing();
    void signatureOverDifferentBodyFails();
    void staleAndFutureTimestamps();
    void knownIdBeforeAgeWithDefaultWindow();
    void missingTimestampRefusedWhenSigned();
    void sharedSecretPlaces_data();
    void sharedSecretPlaces();
    void sharedSecretNeedsSecret();
    void legacyRsaOffAndOn();
    void legacyRsaWithoutKeySaysSo();
    void badKeyConfigIsAnError_data();
    void badKeyConfigIsAnError();
    void noneModeAcceptsAll();
    void rejectionsAreCounted();

private:
    TestKey m_ed = TestKey::ed25519();
    TestKey m_rsa = TestKey::rsa();
    FakeClock m_clock;
};

void TestWebhookAuth::initTestCase()
{
    QVERIFY2(m_ed.isValid() && m_rsa.isValid(), "OpenSSL could not generate the test key pairs");
}

void TestWebhookAuth::defaultKeyIsGhls()
{
    core::WebhookSettings s = signatureSettings({});
    const auto auth = WebhookAuthenticator::create(s, m_clock);
    QVERIFY2(auth.ok(), "GHL's published key must load as the default");
    // Our own key cannot forge GHL's signature.
    const QByteArray body = bodyAt(m_clock.now());
    QVERIFY(!auth->authenticate(request(body, { { "x-ghl-signature", m_ed.sign(body) } })).ok());
}

void TestWebhookAuth::ed25519GoodBadMissing()
{
    const auto auth = WebhookAuthenticator::create(signatureSettings(m_ed.spkiBase64()), m_clock);
    QVERIFY(auth.ok());
    const QByteArray body = bodyAt(m_clock.now());
    const QByteArray sig = m_ed.sign(body);

    const auto good = auth->authenticate(request(body, { { "x-ghl-signature", sig } }));
    QVERIFY2(good.ok(), qPrintable(good.ok() ? QString() : good.error().message));

    QByteArray broken = QByteArray::fromBase64(sig);
    broken[5] = char(broken[5] ^ 0x01);
    const auto bad = auth->authenticate(request(body, { { "x-ghl-signature", broken.toBase64() } }));
    QVERIFY2(!bad.ok(), "a flipped signature bit must be refused");
    QCOMPARE(bad.error().code, u"webhook.unauthenticated"_qs);
    QVERIFY2(!bad.error().message.contains(QString::fromLatin1(sig)), "the message must not echo the signature");

    QVERIFY2(!auth->authenticate(request(body, { { "x-ghl-signature", "not base64 !!" } })).ok(), "garbage must be refused");
    // An Ed25519 signature is 64 bytes: one cut short or with a byte added is refused, whichever
    // library verifies it (libsodium takes a fixed 64).
    const QByteArray raw = QByteArray::fromBase64(sig);
    QCOMPARE(raw.size(), 64);
    QVERIFY2(!auth->authenticate(request(body, { { "x-ghl-signature", raw.left(63).toBase64() } })).ok(),
             "a signature cut to 63 bytes must be refused");
    QVERIFY2(!auth->authenticate(request(body, { { "x-ghl-signature", QByteArray(raw + '\0').toBase64() } })).ok(),
             "a signature with a 65th byte must be refused");
    const auto missing = auth->authenticate(request(body));
    QVERIFY2(!missing.ok(), "an unsigned request must be refused");
    QVERIFY(missing.error().message.contains(u"X-GHL-Signature"));

    // The same key given as a PEM file works too.
    QTemporaryDir dir;
    const QString pemPath = dir.filePath(QStringLiteral("ghl.pem"));
    QFile f(pemPath);
    QVERIFY(f.open(QIODevice::WriteOnly));
    f.write(m_ed.publicPem());
    f.close();
    const auto fromFile = WebhookAuthenticator::create(signatureSettings(pemPath.toUtf8()), m_clock);
    QVERIFY(fromFile.ok());
    QVERIFY(fromFile->authenticate(request(body, { { "x-ghl-signature", sig } })).ok());
}

void TestWebhookAuth::signatureOverDifferentBodyFails()
{
    const auto auth = WebhookAuthenticator::create(signatureSettings(m_ed.spkiBase64()), m_clock);
    const QByteArray body = bodyAt(m_clock.now());
    QByteArray other = body;
    other.replace("c1", "c2");
    QVERIFY2(!auth->authenticate(request(other, { { "x-ghl-signature", m_ed.sign(body) } })).ok(),
             "a signature must not verify a modified body");
}

void TestWebhookAuth::staleAndFutureTimestamps()
{
    const auto auth = WebhookAuthenticator::create(signatureSettings(m_ed.spkiBase64()), m_clock);
    const QDateTime now = m_clock.now();
    for (const auto &[offset, ok] : QList<QPair<int, bool>> { { 0, true }, { -299, true }, { -301, false }, { 299, true }, { 3600, false } }) {
        const QByteArray body = bodyAt(now.addSecs(offset));
        const HttpRequest r = request(body, { { "x-ghl-signature", m_ed.sign(body) } });
        QVERIFY(auth->authenticate(r).ok());
        const auto event = parseWebhookPayload(body);
        QVERIFY(event.ok());
        const auto fresh = auth->checkFreshness(event.value(), r);
        QVERIFY2(fresh.ok() == ok, qPrintable(QStringLiteral("a timestamp %1 s from now should be %2").arg(offset).arg(ok ? u"accepted" : u"refused")));
    }
    // Epoch milliseconds are read too.
    const QByteArray ms = R"({"_id":"o1","timestamp":)" + QByteArray::number(now.addSecs(-1000).toMSecsSinceEpoch()) + "}";
    QVERIFY(!auth->checkFreshness(parseWebhookPayload(ms).value(), request(ms)).ok());
}

void TestWebhookAuth::knownIdBeforeAgeWithDefaultWindow()
{
    // The default window (4500 s): GHL re-sends a 429'd delivery unchanged for up to ~70 minutes.
    core::WebhookSettings s = signatureSettings(m_ed.spkiBase64());
    s.replayWindowS = core::WebhookSettings().replayWindowS;
    QCOMPARE(s.replayWindowS, 4500);
    const auto auth = WebhookAuthenticator::create(s, m_clock);
    QVERIFY(auth.ok());
    const QDateTime now = m_clock.now();
    int lookups = 0;
    bool known = false;
    const auto lookup = [&]() -> core::Result<bool> { ++lookups; return known; };
    const auto check = [&](int offset) {
        const QByteArray body = bodyAt(now.addSecs(offset));
        return auth->checkFreshness(parseWebhookPayload(body).value(), request(body), lookup);
    };
    QVERIFY2(check(-40 * 60).ok(), "a delivery 40 minutes old is inside the default window");
    QVERIFY2(check(299).ok(), "a sender's clock a little ahead is accepted");
    QCOMPARE(lookups, 0); // inside the window the inbox is not asked
    QVERIFY2(!check(-4501).ok(), "an unknown delivery outside the window is refused");
    QVERIFY2(!check(301).ok(), "an unknown delivery more than 5 minutes in the future is refused");
    QCOMPARE(lookups, 2);
    known = true;
    QVERIFY2(check(-3 * 3600).ok(), "a known webhookId is a duplicate whatever its age");
    // The inbox cannot answer: its error comes back as it is (the handler answers 429, not 401).
    const auto failing = [&]() -> core::Result<bool> { return core::makeError(u"db.unreachable"_qs, u"down"_qs); };
    const QByteArray old = bodyAt(now.addSecs(-5000));
    const auto r = auth->checkFreshness(parseWebhookPayload(old).value(), request(old), failing);
    QVERIFY(!r.ok());
    QCOMPARE(r.error().code, u"db.unreachable"_qs);
}

void TestWebhookAuth::missingTimestampRefusedWhenSigned()
{
    const auto auth = WebhookAuthenticator::create(signatureSettings(m_ed.spkiBase64()), m_clock);
    const QByteArray body = R"({"_id":"o1"})";
    QVERIFY2(!auth->checkFreshness(parseWebhookPayload(body).value(), request(body)).ok(),
             "a signed body without a timestamp could be replayed forever");
    core::WebhookSettings noWindow = signatureSettings(m_ed.spkiBase64());
    noWindow.replayWindowS = 0;
    const auto relaxed = WebhookAuthenticator::create(noWindow, m_clock);
    QVERIFY(relaxed->checkFreshness(parseWebhookPayload(body).value(), request(body)).ok());
}

void TestWebhookAuth::sharedSecretPlaces_data()
{
    QTest::addColumn<QByteArray>("header");
    QTest::addColumn<QByteArray>("value");
    QTest::addColumn<QByteArray>("query");
    QTest::addColumn<bool>("accepted");
    QTest::newRow("X-Webhook-Secret") << QByteArray("x-webhook-secret") << QByteArray("s3cr3t-value") << QByteArray() << true;
    QTest::newRow("Authorization Bearer") << QByteArray("authorization") << QByteArray("Bearer s3cr3t-value") << QByteArray() << true;
    QTest::newRow("bearer lower case") << QByteArray("authorization") << QByteArray("bearer s3cr3t-value") << QByteArray() << true;
    QTest::newRow("token query") << QByteArray() << QByteArray() << QByteArray("a=1&token=s3cr3t%2Dvalue") << true;
    QTest::newRow("wrong secret header") << QByteArray("x-webhook-secret") << QByteArray("s3cr3t-valuf") << QByteArray() << false;
    QTest::newRow("prefix of the secret") << QByteArray("x-webhook-secret") << QByteArray("s3cr3t") << QByteArray() << false;
    QTest::newRow("wrong bearer") << QByteArray("authorization") << QByteArray("Bearer nope") << QByteArray() << false;
    QTest::newRow("basic auth is not bearer") << QByteArray("authorization") << QByteArray("Basic s3cr3t-value") << QByteArray() << false;
    QTest::newRow("wrong token") << QByteArray() << QByteArray() << QByteArray("token=nope") << false;
    QTest::newRow("nothing") << QByteArray() << QByteArray() << QByteArray() << false;
}

void TestWebhookAuth::sharedSecretPlaces()
{
    QFETCH(QByteArray, header);
    QFETCH(QByteArray, value);
    QFETCH(QByteArray, query);
    QFETCH(bool, accepted);
    core::WebhookSettings s = signatureSettings({});
    s.auth = core::WebhookAuth::SharedSecret;
    s.secret = QStringLiteral("s3cr3t-value");
    const auto auth = WebhookAuthenticator::create(s, m_clock);
    QVERIFY(auth.ok());
    QList<QPair<QByteArray, QByteArray>> headers;
    if (!header.isEmpty())
        headers.append({ header, value });
    const auto r = auth->authenticate(request(R"({"order_id":"o1"})", headers, query));
    QCOMPARE(r.ok(), accepted);
    if (!r.ok())
        QVERIFY2(!r.error().message.contains(u"s3cr3t"), "a refusal must never echo the secret");
    // Workflow bodies carry no timestamp: the replay window applies to signed webhooks only.
    QVERIFY(auth->checkFreshness(parseWebhookPayload(R"({"order_id":"o1"})").value(), request({})).ok());
}

void TestWebhookAuth::sharedSecretNeedsSecret()
{
    core::WebhookSettings s = signatureSettings({});
    s.auth = core::WebhookAuth::SharedSecret;
    const auto auth = WebhookAuthenticator::create(s, m_clock);
    QVERIFY2(!auth.ok(), "shared-secret mode without a secret must not start");
}

void TestWebhookAuth::legacyRsaOffAndOn()
{
    // A PEM file with both keys: Ed25519 for X-GHL-Signature, RSA for x-wh-signature.
    QTemporaryDir dir;
    const QString pemPath = dir.filePath(QStringLiteral("keys.pem"));
    QFile f(pemPath);
    QVERIFY(f.open(QIODevice::WriteOnly));
    f.write(m_ed.publicPem() + m_rsa.publicPem());
    f.close();
    const QByteArray body = bodyAt(m_clock.now());
    const HttpRequest legacy = request(body, { { "x-wh-signature", m_rsa.sign(body) } });

    core::WebhookSettings off = signatureSettings(pemPath.toUtf8());
    const auto authOff = WebhookAuthenticator::create(off, m_clock);
    QVERIFY(authOff.ok());
    const auto refused = authOff->authenticate(legacy);
    QVERIFY2(!refused.ok(), "legacy signatures must be refused while accept_legacy_rsa is off");
    QVERIFY(refused.error().message.contains(u"accept_legacy_rsa"));

    core::WebhookSettings on = off;
    on.acceptLegacyRsa = true;
    const auto authOn = WebhookAuthenticator::create(on, m_clock);
    QVERIFY(authOn.ok());
    QVERIFY(authOn->warnings().isEmpty());
    const auto accepted = authOn->authenticate(legacy);
    QVERIFY2(accepted.ok(), qPrintable(accepted.ok() ? QString() : accepted.error().message));
    QVERIFY2(!authOn->authenticate(request(body + ' ', { { "x-wh-signature", m_rsa.sign(body) } })).ok(),
             "an RSA signature must not verify a modified body");
    // The current scheme still works alongside.
    QVERIFY(authOn->authenticate(request(body, { { "x-ghl-signature", m_ed.sign(body) } })).ok());
    // An Ed25519 signature in the legacy header is not an RSA signature.
    QVERIFY(!authOn->authenticate(request(body, { { "x-wh-signature", m_ed.sign(body) } })).ok());
}

void TestWebhookAuth::legacyRsaWithoutKeySaysSo()
{
    core::WebhookSettings s = signatureSettings(m_ed.spkiBase64());
    s.acceptLegacyRsa = true;
    const auto auth = WebhookAuthenticator::create(s, m_clock);
    QVERIFY(auth.ok());
    QVERIFY2(!auth->warnings().isEmpty(), "legacy on without an RSA key must be reported");
    const QByteArray body = bodyAt(m_clock.now());
    const auto r = auth->authenticate(request(body, { { "x-wh-signature", m_rsa.sign(body) } }));
    QVERIFY(!r.ok());
    QVERIFY2(r.error().message.contains(u"no RSA public key"), qPrintable(r.error().message));
}

void TestWebhookAuth::badKeyConfigIsAnError_data()
{
    QTest::addColumn<QByteArray>("key");
    QTest::newRow("not base64") << QByteArray("not-a-key");
    QTest::newRow("base64, not a key") << QByteArray("QUJD");
    QTest::newRow("PEM without a key inside") << QByteArray("-----BEGIN PUBLIC KEY-----\nAAAA\n-----END PUBLIC KEY-----\n");
}

void TestWebhookAuth::badKeyConfigIsAnError()
{
    QFETCH(QByteArray, key);
    const auto auth = WebhookAuthenticator::create(signatureSettings(key), m_clock);
    QVERIFY2(!auth.ok(), qPrintable(QStringLiteral("%1 should not load as a key").arg(QString::fromLatin1(key))));
    QCOMPARE(auth.error().code, u"webhook.key"_qs);
}

void TestWebhookAuth::noneModeAcceptsAll()
{
    core::WebhookSettings s = signatureSettings({});
    s.auth = core::WebhookAuth::None;
    const auto auth = WebhookAuthenticator::create(s, m_clock);
    QVERIFY(auth.ok());
    QVERIFY(auth->authenticate(request("{}")).ok());
}

void TestWebhookAuth::rejectionsAreCounted()
{
    const auto auth = WebhookAuthenticator::create(signatureSettings(m_ed.spkiBase64()), m_clock);
    QCOMPARE(auth->rejectedCount(), 0u);
    (void)auth->authenticate(request("{}"));
    (void)auth->authenticate(request("{}", { { "x-ghl-signature", "AAAA" } }));
    QCOMPARE(auth->rejectedCount(), 2u);
}

QTEST_GUILESS_MAIN(TestWebhookAuth)
#include "tst_webhook_auth.moc"
