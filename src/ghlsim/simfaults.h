#pragma once

#include "ghlsim/simrandom.h"
#include "ghlsim/simresponse.h"
#include "ghlsim/simtypes.h"

#include <QList>
#include <QPair>

#include <functional>
#include <optional>

namespace qrt::ghlsim {

// Injected faults: the next n order requests answered with a fixed status, and seeded shares of
// 500s, 429s with Retry-After, hangs (timeouts), truncated JSON, non-JSON bodies and orders
// answered under another id or location, for the order endpoints or for a path prefix.
class SimFaultInjector
{
public:
    void setOrderFaults(const SimFaults &faults, quint32 seed);
    void setPathFaults(const QString &pathPrefix, const SimFaults &faults);
    void clear(); // keeps the draw sequence where it is
    void failNext(int n, int status, int retryAfterS);

    // The injected answer for this request, if it gets one; `real` gives the API's own answer
    // (a truncated fault cuts it in half).
    std::optional<SimResponse> inject(const SimRequest &request, const std::function<SimResponse()> &real);

private:
    SimFaults m_orderFaults;
    QList<QPair<QString, SimFaults>> m_pathFaults;
    SplitMix64 m_rng;
    int m_failNext = 0;
    int m_failNextStatus = 500;
    int m_failNextRetryAfter = 1;
};

} // namespace qrt::ghlsim
