#include "core/pinhash.h"

#include <QCoreApplication>
#include <QStringList>

#include <optional>

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/rand.h>

namespace qrt::core {

namespace {

struct Tr
{
    Q_DECLARE_TR_FUNCTIONS(qrt::core::PinHash)
};

// N = 2^15, r = 8, p = 1: 32 MiB and about a tenth of a second per try, so guessing a 4-6 digit
// PIN from a copied settings file takes hours, not seconds; the screen adds its own pause after
// wrong tries.
constexpr quint64 kN = 1u << 15;
constexpr quint64 kR = 8;
constexpr quint64 kP = 1;
constexpr int kSaltBytes = 16;
constexpr int kHashBytes = 32;
// What a stored value may ask for: a hand-edited N of 2^40 must not make the station allocate
// terabytes.
constexpr quint64 kMaxN = 1u << 20;
constexpr quint64 kMaxR = 32;
constexpr quint64 kMaxP = 16;
constexpr quint64 kMaxMem = 1024ull * 1024 * 1024;

QByteArray scrypt(const QString &pin, const QByteArray &salt, quint64 n, quint64 r, quint64 p, int length)
{
    const QByteArray password = pin.toUtf8();
    QByteArray key(length, '\0');
    const quint64 mem = 128 * n * r + 128 * r * p + (1 << 20); // what scrypt needs, and a margin
    if (EVP_PBE_scrypt(password.constData(), size_t(password.size()), reinterpret_cast<const unsigned char *>(salt.constData()),
                       size_t(salt.size()), n, r, p, mem, reinterpret_cast<unsigned char *>(key.data()), size_t(key.size()))
        != 1)
        return {};
    return key;
}

struct Parsed
{
    quint64 n = 0, r = 0, p = 0;
    QByteArray salt;
    QByteArray hash;
};

std::optional<Parsed> parse(const QString &stored)
{
    const QStringList parts = stored.trimmed().split(u'$');
    if (parts.size() != 6 || parts.at(0) != u"scrypt")
        return std::nullopt;
    bool okN = false, okR = false, okP = false;
    Parsed out;
    out.n = parts.at(1).toULongLong(&okN);
    out.r = parts.at(2).toULongLong(&okR);
    out.p = parts.at(3).toULongLong(&okP);
    if (!okN || !okR || !okP || out.n < 2 || out.n > kMaxN || (out.n & (out.n - 1)) != 0 || out.r < 1 || out.r > kMaxR
        || out.p < 1 || out.p > kMaxP || 128 * out.n * out.r > kMaxMem)
        return std::nullopt;
    const auto strict = QByteArray::AbortOnBase64DecodingErrors;
    auto salt = QByteArray::fromBase64Encoding(parts.at(4).toLatin1(), strict);
    auto hash = QByteArray::fromBase64Encoding(parts.at(5).toLatin1(), strict);
    if (!salt || !hash || salt.decoded.size() < 8 || hash.decoded.size() < 16 || hash.decoded.size() > 64)
        return std::nullopt;
    out.salt = salt.decoded;
    out.hash = hash.decoded;
    return out;
}

} // namespace

QString hashPin(const QString &pin)
{
    QByteArray salt(kSaltBytes, '\0');
    if (RAND_bytes(reinterpret_cast<unsigned char *>(salt.data()), kSaltBytes) != 1)
        qFatal("The system's random source failed: no PIN can be stored safely.");
    return hashPin(pin, salt);
}

QString hashPin(const QString &pin, const QByteArray &salt)
{
    const QByteArray key = scrypt(pin, salt, kN, kR, kP, kHashBytes);
    if (key.isEmpty())
        qFatal("OpenSSL's scrypt failed with its own parameters: no PIN can be stored.");
    return QStringLiteral("scrypt$%1$%2$%3$%4$%5")
        .arg(kN)
        .arg(kR)
        .arg(kP)
        .arg(QString::fromLatin1(salt.toBase64()), QString::fromLatin1(key.toBase64()));
}

Result<bool> verifyPin(const QString &pin, const QString &stored)
{
    const auto parsed = parse(stored);
    if (!parsed)
        return makeError(QStringLiteral("pin.malformed"),
                         Tr::tr("The station's PIN setting ([station] pin_hash) is not a PIN hash QR Tickets made. "
                                "Set the PIN again in Settings → Station, or remove the line from the settings file."));
    const QByteArray key = scrypt(pin, parsed->salt, parsed->n, parsed->r, parsed->p, int(parsed->hash.size()));
    if (key.isEmpty())
        return makeError(QStringLiteral("pin.scrypt"), Tr::tr("The PIN could not be checked (OpenSSL's scrypt failed)."));
    return CRYPTO_memcmp(key.constData(), parsed->hash.constData(), size_t(key.size())) == 0;
}

bool isPinHash(const QString &stored)
{
    return parse(stored).has_value();
}

} // namespace qrt::core
