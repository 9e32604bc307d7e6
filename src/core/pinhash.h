#pragma once

#include "core/result.h"

#include <QByteArray>
#include <QString>

// The kiosk PIN of a one-station (SQLite) check-in screen (issue 13 point 4): stored as a salted,
// deliberately slow hash in the station's configuration ([station] pin_hash), never the PIN itself.
//
// Why scrypt: Argon2 would be the first choice, but OpenSSL has it only from 3.2 and Debian 12 ships
// OpenSSL 3.0; libsodium (crypto_pwhash) is not a dependency of QR Tickets, and OpenSSL already is.
// scrypt (RFC 7914) through OpenSSL's EVP_PBE_scrypt is memory-hard as well.
//
// Stored form: "scrypt$N$r$p$SALT$HASH" (SALT and HASH in base64, 16 and 32 bytes).
namespace qrt::core {

// A hash of `pin` with a fresh random salt.
QString hashPin(const QString &pin);
// The same with a given salt (tests; never reuse a salt).
QString hashPin(const QString &pin, const QByteArray &salt);
// True when `pin` is the PIN `stored` was made from (compared in constant time); an error when
// `stored` is not a value hashPin() makes (code "pin.malformed").
Result<bool> verifyPin(const QString &pin, const QString &stored);
// True when `stored` has the form hashPin() writes (Settings validates the key with it).
bool isPinHash(const QString &stored);

} // namespace qrt::core
