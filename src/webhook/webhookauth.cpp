#include "webhook/webhookauth.h"

#include "webhook/webhooklogging.h"

#include <QCoreApplication>
#include <QCryptographicHash>
#include <QFile>
#include <QFileInfo>
#include <QUrlQuery>

#include <openssl/bio.h>
#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>

#ifdef QRT_HAVE_SODIUM
#include <sodium.h>
#endif

#include <algorithm>
#include <atomic>

namespace qrt::webhook {

namespace {

// Q_DECLARE_TR_FUNCTIONS gives lupdate and the program the same context for Tr::tr().
struct Tr
{
    Q_DECLARE_TR_FUNCTIONS(qrt::webhook::WebhookAuthenticator)
};

const char DefaultGhlKey[] = "MCowBQYDK2VwAyEAi2HR1srL4o18O8BRa7gVJY7G7bupbN3H9AwJrHCDiOg=";

using PKey = std::shared_ptr<EVP_PKEY>;

PKey wrap(EVP_PKEY *key)
{
    return PKey(key, EVP_PKEY_free);
}

QList<PKey> keysFromPem(const QByteArray &pem)
{
    QList<PKey> keys;
    BIO *bio = BIO_new_mem_buf(pem.constData(), static_cast<int>(pem.size()));
    if (!bio)
        return keys;
    while (EVP_PKEY *key = PEM_read_bio_PUBKEY(bio, nullptr, nullptr, nullptr))
        keys.append(wrap(key));
    BIO_free(bio);
    ERR_clear_error(); // the loop ends on a "no start line" error
    return keys;
}

PKey keyFromDer(const QByteArray &der)
{
    const auto *p = reinterpret_cast<const unsigned char *>(der.constData());
    EVP_PKEY *key = d2i_PUBKEY(nullptr, &p, static_cast<long>(der.size()));
    ERR_clear_error();
    return key ? wrap(key) : PKey();
}

core::Result<QList<PKey>> loadKeys(const QString &configured)
{
    const QString text = configured.trimmed();
    if (text.startsWith(u"-----BEGIN")) {
        const QList<PKey> keys = keysFromPem(text.toLatin1());
        if (keys.isEmpty())
            return core::makeError(QStringLiteral("webhook.key"), Tr::tr("The configured webhook public key is not a readable PEM public key."));
        return keys;
    }
    if (QFileInfo(text).isFile()) {
        QFile file(text);
        if (!file.open(QIODevice::ReadOnly))
            return core::makeError(QStringLiteral("webhook.key"), Tr::tr("Cannot read the webhook public key file %1.").arg(text), file.errorString());
        const QByteArray content = file.read(1024 * 1024);
        QList<PKey> keys = keysFromPem(content);
        if (keys.isEmpty()) {
            if (PKey der = keyFromDer(content))
                keys.append(der);
        }
        if (keys.isEmpty())
            return core::makeError(QStringLiteral("webhook.key"), Tr::tr("The file %1 holds no PEM public key.").arg(text));
        return keys;
    }
    const auto decoded = QByteArray::fromBase64Encoding(text.toLatin1(), QByteArray::AbortOnBase64DecodingErrors);
    PKey key = decoded ? keyFromDer(*decoded) : PKey();
    if (!key) {
        return core::makeError(QStringLiteral("webhook.key"),
            Tr::tr("The webhook public key is neither base64 SubjectPublicKeyInfo nor a PEM file."));
    }
    return QList<PKey> { key };
}

std::optional<QByteArray> decodeSignature(const QByteArray &text)
{
    const QByteArray t = text.trimmed();
    if (t.isEmpty() || t.size() > 4096)
        return std::nullopt;
    if (auto d = QByteArray::fromBase64Encoding(t, QByteArray::AbortOnBase64DecodingErrors))
        return *d;
    if (auto d = QByteArray::fromBase64Encoding(t, QByteArray::Base64UrlEncoding | QByteArray::AbortOnBase64DecodingErrors))
        return *d;
    return std::nullopt;
}

bool verify(EVP_PKEY *key, const EVP_MD *md, const QByteArray &signature, const QByteArray &data)
{
    EVP_MD_CTX *ctx = EVP_MD_CTX_new();
    if (!ctx)
        return false;
    bool ok = EVP_DigestVerifyInit(ctx, nullptr, md, nullptr, key) == 1
        && EVP_DigestVerify(ctx, reinterpret_cast<const unsigned char *>(signature.constData()), static_cast<size_t>(signature.size()),
                            reinterpret_cast<const unsigned char *>(data.constData()), static_cast<size_t>(data.size()))
            == 1;
    EVP_MD_CTX_free(ctx);
    ERR_clear_error();
    return ok;
}

// X-GHL-Signature: Ed25519 over the raw body. `raw` is the key's 32 bytes (empty without libsodium).
bool verifyEd25519(EVP_PKEY *key, const QByteArray &raw, const QByteArray &signature, const QByteArray &data)
{
#ifdef QRT_HAVE_SODIUM
    // libsodium: 2-3 times faster than OpenSSL 3.0 here, and no per-call algorithm fetch (a lock
    // the handler threads would contend for). It is also stricter (it refuses small-order keys and
    // signature points, which no signer produces).
    if (raw.size() == crypto_sign_PUBLICKEYBYTES) {
        return signature.size() == crypto_sign_BYTES
            && crypto_sign_verify_detached(reinterpret_cast<const unsigned char *>(signature.constData()),
                                           reinterpret_cast<const unsigned char *>(data.constData()),
                                           static_cast<unsigned long long>(data.size()),
                                           reinterpret_cast<const unsigned char *>(raw.constData()))
            == 0;
    }
#else
    Q_UNUSED(raw);
#endif
    return verify(key, nullptr, signature, data);
}

// The Ed25519 key's 32 bytes for libsodium; empty when libsodium is not built in or it refuses to start.
QByteArray rawEd25519(EVP_PKEY *key)
{
#ifdef QRT_HAVE_SODIUM
    QByteArray raw(crypto_sign_PUBLICKEYBYTES, Qt::Uninitialized);
    size_t length = size_t(raw.size());
    if (key && sodium_init() >= 0
        && EVP_PKEY_get_raw_public_key(key, reinterpret_cast<unsigned char *>(raw.data()), &length) == 1
        && length == size_t(raw.size()))
        return raw;
    ERR_clear_error();
#else
    Q_UNUSED(key);
#endif
    return {};
}

QByteArray sha256(QByteArrayView v)
{
    return QCryptographicHash::hash(v, QCryptographicHash::Sha256);
}

} // namespace

struct WebhookAuthenticator::Private
{
    core::WebhookAuth mode = core::WebhookAuth::GhlSignature;
    const core::Clock *clock = nullptr;
    PKey ed25519;
    QByteArray ed25519Raw; // its 32 bytes, for libsodium
    PKey rsa;
    bool acceptLegacyRsa = false;
    int replayWindowS = 300;
    QByteArray secretHash; // only the hash is kept: compared in constant time, never logged
    QStringList warnings;
    std::atomic<quint64> rejected { 0 };
};

WebhookAuthenticator::WebhookAuthenticator(std::shared_ptr<Private> p) : d(std::move(p)) { }

core::Result<WebhookAuthenticator> WebhookAuthenticator::create(const core::WebhookSettings &settings, const core::Clock &clock)
{
    auto p = std::make_shared<Private>();
    p->mode = settings.auth;
    p->clock = &clock;
    p->acceptLegacyRsa = settings.acceptLegacyRsa;
    p->replayWindowS = settings.replayWindowS;

    if (settings.auth == core::WebhookAuth::SharedSecret) {
        if (settings.secret.isEmpty()) {
            return core::makeError(QStringLiteral("webhook.no_secret"),
                Tr::tr("Shared-secret authentication is selected but [webhook] secret is empty."));
        }
        p->secretHash = sha256(settings.secret.toUtf8());
    } else if (settings.auth == core::WebhookAuth::GhlSignature) {
        const QString configured = settings.ghlPublicKey.trimmed().isEmpty() ? QString::fromLatin1(DefaultGhlKey) : settings.ghlPublicKey;
        auto keys = loadKeys(configured);
        if (!keys)
            return keys.error();
        for (const PKey &k : keys.value()) {
            if (EVP_PKEY_get_id(k.get()) == EVP_PKEY_ED25519 && !p->ed25519)
                p->ed25519 = k;
            else if (EVP_PKEY_get_id(k.get()) == EVP_PKEY_RSA && !p->rsa)
                p->rsa = k;
        }
        if (!p->ed25519) {
            // An RSA-only key file still leaves the current scheme checkable with GHL's own key.
            auto fallback = loadKeys(QString::fromLatin1(DefaultGhlKey));
            if (fallback)
                p->ed25519 = fallback->first();
        }
        p->ed25519Raw = rawEd25519(p->ed25519.get());
        if (p->acceptLegacyRsa && !p->rsa) {
            p->warnings.append(Tr::tr("Legacy x-wh-signature webhooks cannot be verified: accept_legacy_rsa is on but no RSA "
                                  "public key is configured (put GHL's RSA key in the PEM file named by ghl_public_key)."));
        }
        if (!p->acceptLegacyRsa)
            p->rsa.reset();
    }
    for (const QString &w : std::as_const(p->warnings))
        qCWarning(lcWebhook).noquote() << w;
    return WebhookAuthenticator(std::move(p));
}

core::WebhookAuth WebhookAuthenticator::mode() const
{
    return d->mode;
}

quint64 WebhookAuthenticator::rejectedCount() const
{
    return d->rejected.load();
}

QStringList WebhookAuthenticator::warnings() const
{
    return d->warnings;
}

core::Result<void> WebhookAuthenticator::reject(const HttpRequest &request, const QString &reason) const
{
    const quint64 n = ++d->rejected;
    qCWarning(lcWebhook).noquote().nospace() << "rejected webhook from " << request.peerAddress.toString() << ": " << reason
                                             << " (" << n << " rejected so far)";
    return core::makeError(QStringLiteral("webhook.unauthenticated"), reason);
}

core::Result<void> WebhookAuthenticator::authenticate(const HttpRequest &request) const
{
    switch (d->mode) {
    case core::WebhookAuth::None:
        return {};
    case core::WebhookAuth::SharedSecret: {
        QList<QByteArray> candidates;
        if (request.hasHeader("x-webhook-secret"))
            candidates.append(request.header("x-webhook-secret"));
        const QByteArray authorization = request.header("authorization");
        if (authorization.size() > 7 && authorization.first(7).compare("bearer ", Qt::CaseInsensitive) == 0)
            candidates.append(authorization.sliced(7).trimmed());
        const QUrlQuery query(QString::fromLatin1(request.query));
        if (query.hasQueryItem(QStringLiteral("token")))
            candidates.append(query.queryItemValue(QStringLiteral("token"), QUrl::FullyDecoded).toUtf8());
        if (candidates.isEmpty())
            return reject(request, QStringLiteral("no secret was sent (X-Webhook-Secret, Authorization: Bearer or ?token=)"));
        // Hashing first makes the comparison independent of the secret's length.
        bool match = false;
        for (const QByteArray &c : std::as_const(candidates)) {
            const QByteArray h = sha256(c);
            match |= CRYPTO_memcmp(h.constData(), d->secretHash.constData(), static_cast<size_t>(h.size())) == 0;
        }
        if (!match)
            return reject(request, QStringLiteral("the secret does not match"));
        return {};
    }
    case core::WebhookAuth::GhlSignature: {
        if (request.hasHeader("x-ghl-signature")) {
            const auto sig = decodeSignature(request.header("x-ghl-signature"));
            if (!sig)
                return reject(request, QStringLiteral("X-GHL-Signature is not base64"));
            if (!d->ed25519 || !verifyEd25519(d->ed25519.get(), d->ed25519Raw, *sig, request.body))
                return reject(request, QStringLiteral("X-GHL-Signature does not match the body and the configured public key"));
            return {};
        }
        if (request.hasHeader("x-wh-signature")) {
            if (!d->acceptLegacyRsa)
                return reject(request, QStringLiteral("legacy x-wh-signature webhooks are not accepted (accept_legacy_rsa is off)"));
            if (!d->rsa)
                return reject(request, QStringLiteral("legacy x-wh-signature received but no RSA public key is configured"));
            const auto sig = decodeSignature(request.header("x-wh-signature"));
            if (!sig)
                return reject(request, QStringLiteral("x-wh-signature is not base64"));
            if (!verify(d->rsa.get(), EVP_sha256(), *sig, request.body))
                return reject(request, QStringLiteral("x-wh-signature does not match the body and the configured RSA key"));
            return {};
        }
        return reject(request, QStringLiteral("the request carries no X-GHL-Signature"));
    }
    }
    return reject(request, QStringLiteral("unknown authentication mode"));
}

core::Result<void> WebhookAuthenticator::checkFreshness(const WebhookEvent &event, const HttpRequest &request,
                                                        const KnownCheck &known) const
{
    if (d->mode != core::WebhookAuth::GhlSignature || d->replayWindowS <= 0)
        return {};
    if (!event.timestamp.isValid())
        return reject(request, QStringLiteral("the signed webhook has no readable timestamp"));
    // Clocks disagree a little; a sender minutes ahead is not a clock problem.
    constexpr qint64 MaxAheadS = 300;
    const qint64 age = event.timestamp.secsTo(d->clock->now());
    if (age <= d->replayWindowS && age >= -std::min<qint64>(d->replayWindowS, MaxAheadS))
        return {};
    if (known) {
        // The id before the age: a retry of a delivery already stored is a duplicate, not a replay.
        auto isKnown = known();
        if (!isKnown)
            return isKnown.error();
        if (isKnown.value())
            return {};
    }
    if (age < 0) {
        return reject(request,
            QStringLiteral("the webhook's timestamp %1 is more than %2 s in the future").arg(event.timestampText.left(40))
                .arg(std::min<qint64>(d->replayWindowS, MaxAheadS)));
    }
    return reject(request,
        QStringLiteral("the webhook's timestamp %1 is outside the replay window of %2 s").arg(event.timestampText.left(40)).arg(d->replayWindowS));
}

} // namespace qrt::webhook
