#pragma once

#include "ghlsim/simresponse.h"

#include <QList>

#include <optional>

namespace qrt::ghlsim {

// GHL's two limits: a burst window (at most `max` requests in any `intervalMs`, sliding, by
// arrival; GHL's real one is 100 per 10000 ms) and a daily allowance, with the X-RateLimit-*
// headers every answer carries. Refused requests do not count.
class SimRateLimiter
{
public:
    void setBurst(int max, int intervalMs); // max 0: no burst limit
    void setDaily(int max) { m_dailyMax = max; }

    // Counts a request that arrived at nowMs, or returns the 429 (with Retry-After) refusing it.
    std::optional<SimResponse> admit(qint64 nowMs);
    void addHeaders(SimResponse &response, qint64 nowMs);

private:
    void forget(qint64 nowMs); // arrivals that left the window

    int m_burstMax = 100;
    int m_intervalMs = 10000;
    int m_dailyMax = 200000;
    int m_dailyUsed = 0;
    QList<qint64> m_arrivals; // within the burst window, oldest first
};

} // namespace qrt::ghlsim
