#pragma once

// Key pairs made with OpenSSL inside the tests, so nothing depends on GHL's private key.

#include <QByteArray>

#include <openssl/bio.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>

#include <memory>

namespace qrt::webhook::testing {

class TestKey
{
public:
    static TestKey ed25519() { return TestKey(EVP_PKEY_Q_keygen(nullptr, nullptr, "ED25519")); }
    static TestKey rsa(size_t bits = 2048) { return TestKey(EVP_PKEY_Q_keygen(nullptr, nullptr, "RSA", bits)); }

    bool isValid() const { return m_key != nullptr; }

    // base64 SubjectPublicKeyInfo DER, the form of [webhook] ghl_public_key.
    QByteArray spkiBase64() const
    {
        unsigned char *der = nullptr;
        const int len = i2d_PUBKEY(m_key.get(), &der);
        QByteArray out = QByteArray(reinterpret_cast<const char *>(der), len).toBase64();
        OPENSSL_free(der);
        return out;
    }

    QByteArray publicPem() const
    {
        BIO *bio = BIO_new(BIO_s_mem());
        PEM_write_bio_PUBKEY(bio, m_key.get());
        char *data = nullptr;
        const long len = BIO_get_mem_data(bio, &data);
        QByteArray out(data, len);
        BIO_free(bio);
        return out;
    }

    // base64 signature over data: Ed25519 (pure) or RSA-SHA256 (PKCS#1 v1.5).
    QByteArray sign(const QByteArray &data) const
    {
        EVP_MD_CTX *ctx = EVP_MD_CTX_new();
        const bool isRsa = EVP_PKEY_get_id(m_key.get()) == EVP_PKEY_RSA;
        EVP_DigestSignInit(ctx, nullptr, isRsa ? EVP_sha256() : nullptr, nullptr, m_key.get());
        size_t len = 0;
        const auto *tbs = reinterpret_cast<const unsigned char *>(data.constData());
        EVP_DigestSign(ctx, nullptr, &len, tbs, static_cast<size_t>(data.size()));
        QByteArray sig(static_cast<qsizetype>(len), Qt::Uninitialized);
        EVP_DigestSign(ctx, reinterpret_cast<unsigned char *>(sig.data()), &len, tbs, static_cast<size_t>(data.size()));
        sig.truncate(static_cast<qsizetype>(len));
        EVP_MD_CTX_free(ctx);
        return sig.toBase64();
    }

private:
    explicit TestKey(EVP_PKEY *key) : m_key(key, EVP_PKEY_free) { }
    std::shared_ptr<EVP_PKEY> m_key;
};

} // namespace qrt::webhook::testing
