#include "ghl/ghlerror.h"

namespace qrt::ghl {

GhlError GhlError::make(Kind kind, int httpStatus, const QString &message, const QString &details)
{
    GhlError e;
    e.kind = kind;
    e.httpStatus = httpStatus;
    e.error = core::makeError(coreKind(kind), QStringLiteral("ghl.") + ghl::toString(kind), message, details);
    return e;
}

bool GhlError::isTransient() const
{
    switch (kind) {
    case Kind::RateLimited:
    case Kind::Server:
    case Kind::Network:
    case Kind::Timeout:
        return true;
    default:
        return false;
    }
}

QString toString(GhlError::Kind kind)
{
    switch (kind) {
    case GhlError::Kind::None: return QStringLiteral("none");
    case GhlError::Kind::Unauthorized: return QStringLiteral("unauthorized");
    case GhlError::Kind::NotFound: return QStringLiteral("not_found");
    case GhlError::Kind::BadRequest: return QStringLiteral("bad_request");
    case GhlError::Kind::RateLimited: return QStringLiteral("rate_limited");
    case GhlError::Kind::Server: return QStringLiteral("server");
    case GhlError::Kind::Network: return QStringLiteral("network");
    case GhlError::Kind::Timeout: return QStringLiteral("timeout");
    case GhlError::Kind::Malformed: return QStringLiteral("malformed");
    case GhlError::Kind::Cancelled: return QStringLiteral("cancelled");
    }
    return QStringLiteral("unknown");
}

core::Error::Kind coreKind(GhlError::Kind kind)
{
    using K = core::Error::Kind;
    switch (kind) {
    case GhlError::Kind::None: return K::Other;
    case GhlError::Kind::Unauthorized: return K::Unauthorized;
    case GhlError::Kind::NotFound: return K::NotFound;
    case GhlError::Kind::BadRequest: return K::Invalid;
    case GhlError::Kind::RateLimited: return K::RateLimited;
    case GhlError::Kind::Server: return K::Server;
    case GhlError::Kind::Network: return K::Network;
    case GhlError::Kind::Timeout: return K::Timeout;
    case GhlError::Kind::Malformed: return K::Malformed;
    case GhlError::Kind::Cancelled: return K::Cancelled;
    }
    return K::Other;
}

} // namespace qrt::ghl
