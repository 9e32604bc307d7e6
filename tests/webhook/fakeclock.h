#pragma once

#include "core/clock.h"

namespace qrt::webhook::testing {

class FakeClock final : public core::Clock
{
public:
    QDateTime now() const override { return m_now; }
    qint64 monotonicMs() const override { return m_now.toMSecsSinceEpoch(); }
    void set(const QDateTime &t) { m_now = t; }

private:
    QDateTime m_now = QDateTime(QDate(2026, 11, 24), QTime(12, 0), Qt::UTC);
};

} // namespace qrt::webhook::testing
