#include "webhook/inboxsink.h"

#include "webhook/webhooklogging.h"

#include <optional>
#include <vector>

namespace qrt::webhook {

RepositoryInboxSink::RepositoryInboxSink(std::shared_ptr<db::Database> database, const core::Clock &clock)
    : m_database(std::move(database)), m_clock(clock)
{
}

db::InboxDelivery RepositoryInboxSink::toDelivery(const WebhookEvent &event)
{
    db::InboxDelivery d;
    d.idempotencyKey = event.idempotencyKey();
    d.eventType = event.eventType.isEmpty() ? toString(event.shape) : event.eventType;
    d.orderId = event.orderId;
    d.contactId = event.contactId;
    d.body = event.body;
    return d;
}

core::Result<bool> RepositoryInboxSink::commit(const WebhookEvent &event)
{
    db::InboxRepository repo(*m_database, m_clock);
    return repo.commit(toDelivery(event));
}

struct BatchingInboxSink::Pending
{
    db::InboxDelivery delivery;
    bool done = false;
    std::optional<core::Result<bool>> result;
};

BatchingInboxSink::BatchingInboxSink(std::shared_ptr<db::Database> database, const core::Clock &clock, int maxBatch)
    : m_database(std::move(database)), m_clock(clock), m_maxBatch(std::max(1, maxBatch))
{
    m_thread.reset(QThread::create([this] { run(); }));
    m_thread->setObjectName(QStringLiteral("inbox-commit"));
    m_thread->start();
}

BatchingInboxSink::~BatchingInboxSink()
{
    {
        std::lock_guard lock(m_mutex);
        m_stopping = true;
    }
    m_wake.notify_all();
    m_thread->wait();
}

quint64 BatchingInboxSink::batchCount() const
{
    std::lock_guard lock(m_mutex);
    return m_batches;
}

core::Result<bool> BatchingInboxSink::commit(const WebhookEvent &event)
{
    auto pending = std::make_shared<Pending>();
    pending->delivery = RepositoryInboxSink::toDelivery(event);
    std::unique_lock lock(m_mutex);
    if (m_stopping)
        return core::makeError(QStringLiteral("webhook.stopping"), QStringLiteral("The listener is stopping."));
    m_queue.push_back(pending);
    m_wake.notify_all();
    m_wake.wait(lock, [&] { return pending->done; });
    return *pending->result;
}

void BatchingInboxSink::run()
{
    // Connect now, not inside the first webhook's time to answer.
    if (auto c = m_database->connection(); !c)
        qCWarning(lcWebhook).noquote() << "the inbox has no database connection yet:" << c.error().toString();
    db::InboxRepository repo(*m_database, m_clock);
    for (;;) {
        std::vector<std::shared_ptr<Pending>> batch;
        {
            std::unique_lock lock(m_mutex);
            m_wake.wait(lock, [&] { return m_stopping || !m_queue.empty(); });
            if (m_queue.empty())
                return; // stopping and nothing left
            while (!m_queue.empty() && int(batch.size()) < m_maxBatch) {
                batch.push_back(m_queue.front());
                m_queue.pop_front();
            }
        }
        QList<db::InboxDelivery> deliveries;
        deliveries.reserve(qsizetype(batch.size()));
        for (const auto &p : batch)
            deliveries << p->delivery;
        const core::Result<QList<bool>> stored = repo.commitBatch(deliveries);
        {
            std::lock_guard lock(m_mutex);
            ++m_batches;
            for (size_t i = 0; i < batch.size(); ++i) {
                if (stored)
                    batch[i]->result.emplace(stored.value().at(qsizetype(i)));
                else
                    batch[i]->result.emplace(stored.error());
                batch[i]->done = true;
            }
        }
        m_wake.notify_all();
    }
}

} // namespace qrt::webhook
