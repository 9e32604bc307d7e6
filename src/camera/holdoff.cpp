#include "camera/holdoff.h"

namespace qrt::camera {

QStringList HoldOff::accept(const QStringList &texts, qint64 nowMs)
{
    // Forget codes out of view for longer than the hold-off: they are new when they come back.
    for (auto it = m_lastSeen.begin(); it != m_lastSeen.end();) {
        if (nowMs - it.value() > m_holdOffMs)
            it = m_lastSeen.erase(it);
        else
            ++it;
    }
    QStringList fresh;
    for (const QString &text : texts) {
        // With a hold-off of 0 every frame that reads a code reports it (what the tests use to
        // prove that duplicates fail them).
        if (!m_lastSeen.contains(text) || m_holdOffMs <= 0)
            fresh.append(text);
        m_lastSeen.insert(text, nowMs);
    }
    return fresh;
}

} // namespace qrt::camera
