#include "ghlsim/simrouter.h"

namespace qrt::ghlsim {

namespace {

bool isParameter(const QString &segment)
{
    return segment.startsWith(u'{') && segment.endsWith(u'}');
}

} // namespace

void SimRouter::add(const QByteArray &method, const QString &pattern, Endpoint endpoint, SimHandler handler,
                    const QString &scope)
{
    m_routes.append(Route { method, pattern.split(u'/', Qt::SkipEmptyParts), endpoint, handler, scope });
}

SimRouter::Match SimRouter::match(const QByteArray &method, const QString &path) const
{
    const QStringList parts = path.split(u'/', Qt::SkipEmptyParts);
    for (const Route &route : m_routes) {
        if (route.method != method || route.segments.size() != parts.size())
            continue;
        Match m { &route, {} };
        for (qsizetype i = 0; i < parts.size() && m.route; ++i) {
            if (isParameter(route.segments[i]))
                m.params << parts[i];
            else if (route.segments[i] != parts[i])
                m.route = nullptr;
        }
        if (m.route)
            return m;
    }
    return {};
}

SimResponse SimRouter::dispatch(const Match &match, SimStore &store, const SimRequest &request)
{
    if (!match.route)
        return SimResponse::error(404, QStringLiteral("Cannot %1 %2").arg(QString::fromLatin1(request.method), request.path));
    return match.route->handler(SimCall { store, request, match.params });
}

} // namespace qrt::ghlsim
