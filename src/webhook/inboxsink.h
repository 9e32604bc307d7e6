#pragma once

#include "db/database.h"
#include "db/inboxrepository.h"
#include "webhook/webhookhandler.h"

#include <QSet>
#include <QThread>

#include <condition_variable>
#include <deque>
#include <memory>
#include <mutex>
#include <vector>

namespace qrt::webhook {

// Group commit: every caller blocks until its delivery is part of a committed batch. A committer
// thread writes whatever has queued up while the previous batch was being written, in one
// statement (one flush to disk), so a burst of 50 concurrent webhooks costs a few transactions
// instead of 50, and an idle listener still commits each webhook at once. commitAsync() needs no
// waiting thread at all; commit() blocks its caller until the batch is written.
// A batch the database refuses for something other than a lost connection is written again row
// by row: one bad delivery fails alone, its neighbours commit.
class BatchingInboxSink final : public InboxSink, public AsyncInboxSink
{
public:
    // committers: batches written at the same time, each on its own connection. One is best on
    // PostgreSQL: its batches grow while the previous one is written, and two committers split a
    // burst into twice as many small transactions that also queue for PostgreSQL's NOTIFY lock at
    // commit (bench webhook, 8 bursts each: median ack p99 13.4-13.8 ms with one, 17-17.8 ms with two).
    explicit BatchingInboxSink(std::shared_ptr<db::Database> database,
                               const core::Clock &clock = core::SystemClock::instance(), int maxBatch = 256,
                               int committers = 1);
    ~BatchingInboxSink() override; // commits what is queued, then stops the committer

    core::Result<bool> commit(const WebhookEvent &event) override;
    // Reads the inbox on the calling thread's connection (a key known recently needs no query).
    core::Result<bool> contains(const QString &idempotencyKey) override;
    // The keys of the last RecentKeys deliveries this sink committed (new or duplicate).
    bool knownRecently(const QString &idempotencyKey) const override;
    static constexpr int RecentKeys = 8192;
    // `done` runs on the committer thread once the batch holding the event is written.
    void commitAsync(const WebhookEvent &event, std::function<void(const core::Result<bool> &)> done) override;
    // Blocks until everything queued so far is written and answered.
    void waitIdle();
    quint64 batchCount() const;

private:
    struct Pending;
    void run();
    void remember(const QString &idempotencyKey);

    std::shared_ptr<db::Database> m_database;
    const core::Clock &m_clock;
    const int m_maxBatch;
    mutable std::mutex m_mutex;
    std::condition_variable m_wake;
    std::deque<std::shared_ptr<Pending>> m_queue;
    bool m_stopping = false;
    int m_busy = 0; // batches being written
    quint64 m_batches = 0;
    std::vector<std::unique_ptr<QThread>> m_threads;
    mutable std::mutex m_recentMutex;
    QSet<QString> m_recent;
    std::deque<QString> m_recentOrder; // oldest first
};

} // namespace qrt::webhook
