#include "core/logratelimiter.h"

namespace qrt::core {

LogRateLimiter::LogRateLimiter(int perWindow, qint64 windowMs) : m_perWindow(perWindow), m_windowMs(windowMs) { }

void LogRateLimiter::roll(Window &w, qint64 nowMs) const
{
    if (nowMs - w.start < m_windowMs)
        return;
    w.due += w.suppressed;
    w.start = nowMs;
    w.count = 0;
    w.suppressed = 0;
}

bool LogRateLimiter::allow(const QByteArray &kind, qint64 nowMs)
{
    auto it = m_windows.find(kind);
    if (it == m_windows.end())
        it = m_windows.insert(kind, Window { nowMs, 0, 0, 0 });
    roll(*it, nowMs);
    if (++it->count <= m_perWindow)
        return true;
    ++it->suppressed;
    return false;
}

QList<QPair<QByteArray, int>> LogRateLimiter::takeSuppressed(qint64 nowMs)
{
    QList<QPair<QByteArray, int>> out;
    for (auto it = m_windows.begin(); it != m_windows.end();) {
        roll(*it, nowMs);
        if (it->due > 0) {
            out.append({ it.key(), it->due });
            it->due = 0;
        }
        // A kind quiet for a whole window is forgotten, so the table stays small.
        if (it->count == 0 && it->due == 0)
            it = m_windows.erase(it);
        else
            ++it;
    }
    return out;
}

} // namespace qrt::core
