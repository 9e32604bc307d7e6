#include "ghl/ghlerror.h"

namespace qrt::ghl {

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

} // namespace qrt::ghl
