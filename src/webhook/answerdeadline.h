#pragma once

#include <QThread>

#include <chrono>
#include <condition_variable>
#include <functional>
#include <map>
#include <memory>
#include <mutex>

namespace qrt::webhook {

// Runs a job once its time has come, on a thread of its own: the listener's "answer within 5 s
// whatever the database does" does not depend on the thread that is stuck waiting for it (a pool
// thread in a lookup, the committer in an INSERT) nor on an event loop.
class AnswerDeadlines
{
public:
    using Clock = std::chrono::steady_clock;

    AnswerDeadlines();
    ~AnswerDeadlines(); // jobs not yet due are dropped, not run

    // `job` runs on the deadline thread at `at` (or soon after); it must be cheap.
    void schedule(Clock::time_point at, std::function<void()> job);
    std::size_t pending() const;

private:
    void run();

    mutable std::mutex m_mutex;
    std::condition_variable m_wake;
    std::multimap<Clock::time_point, std::function<void()>> m_due;
    bool m_stopping = false;
    std::unique_ptr<QThread> m_thread;
};

} // namespace qrt::webhook
