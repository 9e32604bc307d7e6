#pragma once

#include "ghl/ghltypes.h"

#include <QList>
#include <QtGlobal>

namespace qrt::ghl {

// Keeps the client inside GHL's burst window. A sent request counts until intervalMs after its
// answer arrived (the server received it no later than that), so however the requests overlap,
// no window of intervalMs at the server holds more than `max` of ours. The X-RateLimit-* headers
// are authoritative: they set max/interval, and when the server counts more requests than we
// know of (another station on the same location), the difference is added to the window.
// Until the first answer tells the limits, one request at a time.
class RateLimiter
{
public:
    static constexpr int kDefaultMax = 100;
    static constexpr int kDefaultIntervalMs = 10000;
    static constexpr int kMarginMs = 25; // timer and clock granularity

    // ms until one more request may go: 0 now, > 0 an estimate to re-check after, -1 only
    // when waiting for an answer (limits not yet known).
    qint64 waitMs(qint64 now);
    quint64 onSent(qint64 now);
    // headers: the answer's X-RateLimit-* values, or nullptr (no answer / none sent).
    void onFinished(quint64 token, qint64 now, const RateLimitState *headers);
    // A 429 with Retry-After: nothing goes out before now + ms.
    void holdFor(qint64 now, qint64 ms);
    RateLimitState state() const { return m_state; }
    bool limitsKnown() const { return m_state.max > 0 && m_state.intervalMs > 0; }
    int max() const { return m_state.max > 0 ? m_state.max : kDefaultMax; }
    int intervalMs() const { return m_state.intervalMs > 0 ? m_state.intervalMs : kDefaultIntervalMs; }
    int countInWindow(qint64 now);
    void reset();

private:
    struct Entry
    {
        quint64 token = 0; // 0: counted by the server, not sent by us
        qint64 doneAt = -1; // -1: still in flight
    };
    void prune(qint64 now);

    QList<Entry> m_entries;
    RateLimitState m_state;
    qint64 m_holdUntil = 0;
    quint64 m_nextToken = 1;
};

} // namespace qrt::ghl
