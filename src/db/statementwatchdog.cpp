#include "db/statementwatchdog.h"

#include "db/logging.h"

#include <QSqlDriver>
#include <QThread>
#include <QVariant>

#include <chrono>
#include <condition_variable>
#include <map>
#include <mutex>
#include <thread>

#ifdef QRT_HAVE_LIBPQ
#include <libpq-fe.h>
#ifdef Q_OS_WIN
#include <winsock2.h>
#else
#include <sys/socket.h>
#endif
#endif

namespace qrt::db {

namespace {

using Clock = std::chrono::steady_clock;

struct Entry
{
    Clock::time_point deadline;
    int socket = -1;
    std::shared_ptr<std::atomic<bool>> fired;
    const QThread *thread = nullptr; // the statement's thread
};

// One thread for the whole process, started with the first armed watch and stopped at exit.
class Watchdog
{
public:
    static Watchdog &instance()
    {
        static Watchdog dog;
        return dog;
    }

    ~Watchdog()
    {
        {
            std::lock_guard lock(m_mutex);
            m_stop = true;
        }
        m_wake.notify_all();
        if (m_thread.joinable())
            m_thread.join();
    }

    quint64 arm(int socket, int timeoutMs, std::shared_ptr<std::atomic<bool>> fired)
    {
        std::lock_guard lock(m_mutex);
        if (!m_thread.joinable())
            m_thread = std::thread([this] { run(); });
        const quint64 id = ++m_nextId;
        m_entries.emplace(id, Entry { Clock::now() + std::chrono::milliseconds(timeoutMs), socket, std::move(fired),
                                      QThread::currentThread() });
        m_wake.notify_all();
        return id;
    }

    void disarm(quint64 id)
    {
        std::lock_guard lock(m_mutex);
        m_entries.erase(id);
    }

    int cutNow(const QThread *thread)
    {
        std::lock_guard lock(m_mutex);
        int n = 0;
        for (auto it = m_entries.begin(); it != m_entries.end();) {
            if (it->second.thread == thread) {
                cut(it->second);
                it = m_entries.erase(it);
                ++n;
            } else {
                ++it;
            }
        }
        return n;
    }

private:
    void run()
    {
        std::unique_lock lock(m_mutex);
        while (!m_stop) {
            auto next = Clock::time_point::max();
            const auto now = Clock::now();
            for (auto it = m_entries.begin(); it != m_entries.end();) {
                if (it->second.deadline <= now) {
                    cut(it->second);
                    it = m_entries.erase(it);
                } else {
                    next = std::min(next, it->second.deadline);
                    ++it;
                }
            }
            if (next == Clock::time_point::max())
                m_wake.wait(lock);
            else
                m_wake.wait_until(lock, next);
        }
    }

    static void cut(Entry &entry)
    {
        // Under the mutex: the statement's thread cannot disarm (and reuse the socket) meanwhile.
        entry.fired->store(true);
#ifdef QRT_HAVE_LIBPQ
#ifdef Q_OS_WIN
        ::shutdown(static_cast<SOCKET>(entry.socket), SD_BOTH);
#else
        ::shutdown(entry.socket, SHUT_RDWR);
#endif
#endif
    }

    std::mutex m_mutex;
    std::condition_variable m_wake;
    std::map<quint64, Entry> m_entries;
    quint64 m_nextId = 0;
    bool m_stop = false;
    std::thread m_thread;
};

} // namespace

StatementWatchdog::Watch::~Watch()
{
    if (m_id)
        Watchdog::instance().disarm(m_id);
}

StatementWatchdog::Watch::Watch(Watch &&other) noexcept
    : m_id(std::exchange(other.m_id, 0)), m_fired(std::move(other.m_fired))
{
}

bool StatementWatchdog::available()
{
#ifdef QRT_HAVE_LIBPQ
    return true;
#else
    return false;
#endif
}

int StatementWatchdog::cutNow(const QThread *thread)
{
    return Watchdog::instance().cutNow(thread);
}

StatementWatchdog::Watch StatementWatchdog::watch(const QSqlDriver *driver, int timeoutMs)
{
    Watch watch;
#ifdef QRT_HAVE_LIBPQ
    if (timeoutMs <= 0 || !driver || !driver->isOpen())
        return watch;
    const QVariant handle = driver->handle();
    // QPSQL's handle is libpq's connection; its type reads "pg_conn*" (PGconn is a typedef).
    if (!handle.isValid() || (qstrcmp(handle.typeName(), "pg_conn*") != 0 && qstrcmp(handle.typeName(), "PGconn*") != 0))
        return watch;
    PGconn *pg = *static_cast<PGconn *const *>(handle.constData());
    const int socket = pg ? PQsocket(pg) : -1;
    if (socket < 0)
        return watch;
    watch.m_fired = std::make_shared<std::atomic<bool>>(false);
    watch.m_id = Watchdog::instance().arm(socket, timeoutMs, watch.m_fired);
#else
    Q_UNUSED(driver);
    Q_UNUSED(timeoutMs);
#endif
    return watch;
}

} // namespace qrt::db
