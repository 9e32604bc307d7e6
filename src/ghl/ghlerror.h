#pragma once

#include "core/result.h"

#include <QMetaType>
#include <QString>

namespace qrt::ghl {

// What went wrong with a GHL request, as a kind the sync engine can branch on plus a
// staff-readable core::Error. The token never appears in message or details.
struct GhlError
{
    enum class Kind {
        None,         // no error
        Unauthorized, // 401/403: token invalid or missing the endpoint's scope
        NotFound,     // 404 (or GHL's 400 "not found")
        BadRequest,   // other 4xx: our request was refused; not retried
        RateLimited,  // 429 and we gave up (attempts or retry budget used up)
        Server,       // 5xx after the retries
        Network,      // connection refused, DNS, TLS, reset ...
        Timeout,      // no answer within the request timeout
        Malformed,    // the answer was not the JSON we expect
        Cancelled,    // cancelAll() / job abort
    };

    Kind kind = Kind::None;
    int httpStatus = 0; // 0 when no HTTP answer
    core::Error error;  // code "ghl.<kind>", message for staff, technical details

    // The one way to make an error: error.kind follows kind, error.code is "ghl.<kind>".
    static GhlError make(Kind kind, int httpStatus, const QString &message, const QString &details = {});

    bool isError() const { return kind != Kind::None; }
    // Worth another attempt: 429, 5xx, network errors and timeouts.
    bool isTransient() const;
    QString message() const { return error.message; }
    QString toString() const { return error.toString(); }
};

QString toString(GhlError::Kind kind); // "unauthorized", "not_found", ... (also used in the code)
core::Error::Kind coreKind(GhlError::Kind kind); // the same kind for code that sees only core::Error

} // namespace qrt::ghl

Q_DECLARE_METATYPE(qrt::ghl::GhlError)
