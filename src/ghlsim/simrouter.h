#pragma once

#include "ghlsim/simresponse.h"
#include "ghlsim/simtypes.h"

#include <QList>
#include <QStringList>

namespace qrt::ghlsim {

class SimStore;

// What an endpoint handler gets: the store, the request, and the path's {parameters} in order.
struct SimCall
{
    SimStore &store;
    const SimRequest &request;
    QStringList params;
};

using SimHandler = SimResponse (*)(const SimCall &call);

// The route table: method plus a path pattern whose {name} segments match any one segment
// ("/payments/orders/{orderId}"). Empty segments are ignored, as before.
class SimRouter
{
public:
    struct Route
    {
        QByteArray method;
        QStringList segments;
        Endpoint endpoint = Endpoint::Other;
        SimHandler handler = nullptr;
        QString scope; // the OAuth scope the endpoint needs (a token without it gets 401)
    };
    struct Match
    {
        const Route *route = nullptr;
        QStringList params;
        Endpoint endpoint() const { return route ? route->endpoint : Endpoint::Other; }
        QString scope() const { return route ? route->scope : QString(); }
    };

    void add(const QByteArray &method, const QString &pattern, Endpoint endpoint, SimHandler handler,
             const QString &scope = {});
    Match match(const QByteArray &method, const QString &path) const;
    // The route's answer, or GHL's 404 "Cannot GET /path" when nothing matched.
    static SimResponse dispatch(const Match &match, SimStore &store, const SimRequest &request);

private:
    QList<Route> m_routes;
};

} // namespace qrt::ghlsim
