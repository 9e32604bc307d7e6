#pragma once

#include <QHash>
#include <QStringList>

namespace qrt::camera {

// One code held in view is one scan. accept() gets the texts read from one frame and the frame's
// time, and returns those to report now: a text not reported before, or one that has been out of
// view (no frame read it) for longer than the hold-off. A text stays in view while frames keep
// reading it, so holding a ticket to the camera for ten seconds is still one scan; a frame that
// fails to read it (blur, glare) for less than the hold-off does not make it new again.
class HoldOff
{
public:
    explicit HoldOff(int holdOffMs = 1500) : m_holdOffMs(holdOffMs) {}

    void setHoldOffMs(int ms) { m_holdOffMs = ms; }
    int holdOffMs() const { return m_holdOffMs; }

    QStringList accept(const QStringList &texts, qint64 nowMs);
    void clear() { m_lastSeen.clear(); }

private:
    int m_holdOffMs;
    QHash<QString, qint64> m_lastSeen; // text -> time of the last frame that read it
};

} // namespace qrt::camera
