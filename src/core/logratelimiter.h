#pragma once

#include <QByteArray>
#include <QHash>
#include <QList>
#include <QPair>

namespace qrt::core {

// Keeps repeated log lines of one kind to a few a minute: allow() says whether this one may be
// written; the others are counted, and takeSuppressed() hands out the counts of windows that have
// ended, for one summary line each ("N more like this in the last minute"). A flood of refused
// connections then writes a handful of lines a minute instead of one per connection.
// Not thread-safe: use it from one thread (the listener's).
class LogRateLimiter
{
public:
    explicit LogRateLimiter(int perWindow = 5, qint64 windowMs = 60000);

    bool allow(const QByteArray &kind, qint64 nowMs);
    // (kind, count) of the messages held back in windows that ended by nowMs; each is reported once.
    QList<QPair<QByteArray, int>> takeSuppressed(qint64 nowMs);

    int perWindow() const { return m_perWindow; }
    qint64 windowMs() const { return m_windowMs; }

private:
    struct Window
    {
        qint64 start = 0;
        int count = 0;      // messages of this kind in the current window
        int suppressed = 0; // of those, held back
        int due = 0;        // held back in windows that ended, not reported yet
    };
    void roll(Window &w, qint64 nowMs) const;

    int m_perWindow;
    qint64 m_windowMs;
    QHash<QByteArray, Window> m_windows;
};

} // namespace qrt::core
