#include "webhook/answerdeadline.h"

#include <vector>

namespace qrt::webhook {

AnswerDeadlines::AnswerDeadlines()
{
    m_thread.reset(QThread::create([this] { run(); }));
    m_thread->setObjectName(QStringLiteral("answer-deadlines"));
    m_thread->start();
}

AnswerDeadlines::~AnswerDeadlines()
{
    {
        std::lock_guard lock(m_mutex);
        m_stopping = true;
    }
    m_wake.notify_all();
    m_thread->wait();
}

void AnswerDeadlines::schedule(Clock::time_point at, std::function<void()> job)
{
    bool earliest = false;
    {
        std::lock_guard lock(m_mutex);
        earliest = m_due.empty() || at < m_due.begin()->first;
        m_due.emplace(at, std::move(job));
    }
    // Deadlines mostly come in the order they are due: the thread is woken only when this one is
    // earlier than the one it sleeps for, not once per request of a burst.
    if (earliest)
        m_wake.notify_one();
}

std::size_t AnswerDeadlines::pending() const
{
    std::lock_guard lock(m_mutex);
    return m_due.size();
}

void AnswerDeadlines::run()
{
    std::unique_lock lock(m_mutex);
    while (!m_stopping) {
        if (m_due.empty()) {
            m_wake.wait(lock);
            continue;
        }
        const Clock::time_point next = m_due.begin()->first;
        if (Clock::now() < next) {
            m_wake.wait_until(lock, next);
            continue;
        }
        std::vector<std::function<void()>> jobs;
        const Clock::time_point now = Clock::now();
        while (!m_due.empty() && m_due.begin()->first <= now) {
            jobs.push_back(std::move(m_due.begin()->second));
            m_due.erase(m_due.begin());
        }
        lock.unlock();
        for (auto &job : jobs)
            job();
        lock.lock();
    }
}

} // namespace qrt::webhook
