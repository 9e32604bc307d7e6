#include "ghlsim/simratelimiter.h"

#include <algorithm>

namespace qrt::ghlsim {

namespace {

constexpr int kUnlimitedMax = 1000000; // advertised when the burst limit is off

} // namespace

void SimRateLimiter::setBurst(int max, int intervalMs)
{
    m_burstMax = std::max(0, max);
    m_intervalMs = std::max(1, intervalMs);
    m_arrivals.clear();
}

void SimRateLimiter::forget(qint64 nowMs)
{
    while (!m_arrivals.isEmpty() && m_arrivals.first() <= nowMs - m_intervalMs)
        m_arrivals.removeFirst();
}

std::optional<SimResponse> SimRateLimiter::admit(qint64 nowMs)
{
    forget(nowMs);
    if (m_burstMax > 0 && m_arrivals.size() >= m_burstMax) {
        SimResponse r = SimResponse::error(429, QStringLiteral("Too many requests"));
        const qint64 wait = m_arrivals.first() + m_intervalMs - nowMs;
        r.headers.append({ "Retry-After", QByteArray::number(std::max<qint64>(1, (wait + 999) / 1000)) });
        return r;
    }
    if (m_dailyUsed >= m_dailyMax) {
        SimResponse r = SimResponse::error(429, QStringLiteral("Daily request limit reached"));
        r.headers.append({ QByteArrayLiteral("Retry-After"), QByteArrayLiteral("3600") });
        return r;
    }
    if (m_burstMax > 0)
        m_arrivals.append(nowMs);
    ++m_dailyUsed;
    return std::nullopt;
}

void SimRateLimiter::addHeaders(SimResponse &response, qint64 nowMs)
{
    forget(nowMs);
    const int max = m_burstMax > 0 ? m_burstMax : kUnlimitedMax;
    const int used = m_burstMax > 0 ? int(m_arrivals.size()) : 0;
    response.headers.append({ "X-RateLimit-Max", QByteArray::number(max) });
    response.headers.append({ "X-RateLimit-Remaining", QByteArray::number(std::max(0, max - used)) });
    response.headers.append({ "X-RateLimit-Interval-Milliseconds", QByteArray::number(m_intervalMs) });
    response.headers.append({ "X-RateLimit-Limit-Daily", QByteArray::number(m_dailyMax) });
    response.headers.append({ "X-RateLimit-Daily-Remaining", QByteArray::number(std::max(0, m_dailyMax - m_dailyUsed)) });
}

} // namespace qrt::ghlsim
