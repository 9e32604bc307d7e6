#include "ghl/ratelimiter.h"

#include <algorithm>

namespace qrt::ghl {

void RateLimiter::prune(qint64 now)
{
    const qint64 span = intervalMs() + kMarginMs;
    m_entries.removeIf([&](const Entry &e) { return e.doneAt >= 0 && e.doneAt + span <= now; });
}

int RateLimiter::countInWindow(qint64 now)
{
    prune(now);
    return int(m_entries.size());
}

qint64 RateLimiter::waitMs(qint64 now)
{
    if (m_holdUntil > now)
        return m_holdUntil - now;
    prune(now);
    if (!limitsKnown()) {
        const bool pending = std::any_of(m_entries.cbegin(), m_entries.cend(), [](const Entry &e) { return e.doneAt < 0; });
        if (pending)
            return -1;
    }
    if (m_entries.size() < max())
        return 0;
    // Full: the earliest finished entry leaves the window first.
    qint64 earliest = -1;
    for (const Entry &e : std::as_const(m_entries)) {
        if (e.doneAt >= 0 && (earliest < 0 || e.doneAt < earliest))
            earliest = e.doneAt;
    }
    if (earliest < 0)
        return intervalMs() + kMarginMs; // all in flight: at least that long after the next answer
    return std::max<qint64>(1, earliest + intervalMs() + kMarginMs - now);
}

quint64 RateLimiter::onSent(qint64 now)
{
    Q_UNUSED(now)
    const quint64 token = m_nextToken++;
    m_entries.append(Entry { token, -1 });
    return token;
}

void RateLimiter::onFinished(quint64 token, qint64 now, const RateLimitState *headers)
{
    for (Entry &e : m_entries) {
        if (e.token == token && e.doneAt < 0) {
            e.doneAt = now;
            break;
        }
    }
    if (!headers)
        return;
    if (headers->max > 0)
        m_state.max = headers->max;
    if (headers->intervalMs > 0)
        m_state.intervalMs = headers->intervalMs;
    if (headers->remaining >= 0)
        m_state.remaining = headers->remaining;
    if (headers->dailyLimit >= 0)
        m_state.dailyLimit = headers->dailyLimit;
    if (headers->dailyRemaining >= 0)
        m_state.dailyRemaining = headers->dailyRemaining;
    if (headers->max > 0 && headers->remaining >= 0) {
        prune(now);
        const int serverUsed = headers->max - headers->remaining;
        for (qsizetype i = m_entries.size(); i < serverUsed; ++i)
            m_entries.append(Entry { 0, now });
    }
}

void RateLimiter::holdFor(qint64 now, qint64 ms)
{
    m_holdUntil = std::max(m_holdUntil, now + ms);
}

void RateLimiter::reset()
{
    m_entries.clear();
    m_state = RateLimitState();
    m_holdUntil = 0;
}

} // namespace qrt::ghl
