#pragma once

#include <QDateTime>

namespace qrt::core {

// Time is injected so that backoff, replay windows and ETAs are testable without sleeping.
class Clock
{
public:
    virtual ~Clock() = default;
    virtual QDateTime now() const = 0;        // wall clock, UTC
    virtual qint64 monotonicMs() const = 0;   // for intervals; never jumps
};

class SystemClock final : public Clock
{
public:
    QDateTime now() const override;
    qint64 monotonicMs() const override;
    static const SystemClock &instance();
};

} // namespace qrt::core
