#pragma once

// Internal to src/db: the client-side deadline of a PostgreSQL statement (ConnectionOptions::
// clientTimeoutMs). libpq waits for an answer as long as the socket stays open, and a network that
// swallows packets without a reset (a dropped Wi-Fi, a blackholed route) leaves it waiting for
// minutes. One thread watches the deadlines of the statements in flight; at a deadline it shuts the
// statement's socket down (shutdown(), never close(): the descriptor stays libpq's), so the
// blocked call returns at once with a connection error, and Database reports a timeout.

#include <QtGlobal>

class QSqlDriver;
class QThread;

#include <atomic>
#include <memory>

namespace qrt::db {

class StatementWatchdog
{
public:
    // Arms a deadline of `timeoutMs` on the socket of `driver`'s connection (PostgreSQL through libpq only;
    // otherwise an unarmed watch). Disarmed when the returned watch is destroyed.
    class Watch
    {
    public:
        Watch() = default;
        ~Watch();
        Watch(Watch &&other) noexcept;
        Watch &operator=(Watch &&) = delete;
        Watch(const Watch &) = delete;
        bool armed() const { return m_id != 0; }
        // The deadline passed and the socket was shut down.
        bool fired() const { return m_fired && m_fired->load(); }

    private:
        friend class StatementWatchdog;
        quint64 m_id = 0;
        std::shared_ptr<std::atomic<bool>> m_fired;
    };

    static Watch watch(const QSqlDriver *driver, int timeoutMs);
    // Cuts now every statement in flight on `thread` as if its deadline had passed (it fails as a
    // timeout): for an owner that stops a thread and must not wait for a network that went silent.
    // Returns how many were cut.
    static int cutNow(const QThread *thread);
    // Whether this build can cut a statement off (libpq was found at build time).
    static bool available();
};

} // namespace qrt::db
