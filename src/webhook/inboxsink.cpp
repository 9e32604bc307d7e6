#include "webhook/inboxsink.h"

#include "webhook/webhooklogging.h"

#include <optional>
#include <vector>

namespace qrt::webhook {

namespace {

// The inbox row of a webhook.
db::InboxDelivery toDelivery(const WebhookEvent &event)
{
    db::InboxDelivery d;
    d.idempotencyKey = event.idempotencyKey();
    d.eventType = event.eventType.isEmpty() ? toString(event.shape) : event.eventType;
    d.orderId = event.orderId;
    d.contactId = event.contactId;
    d.body = event.body;
    d.headers = event.headers;
    return d;
}

} // namespace

struct BatchingInboxSink::Pending
{
    db::InboxDelivery delivery;
    std::function<void(const core::Result<bool> &)> done;
};

BatchingInboxSink::BatchingInboxSink(std::shared_ptr<db::Database> database, const core::Clock &clock, int maxBatch,
                                     int committers)
    : m_database(std::move(database)), m_clock(clock), m_maxBatch(std::max(1, maxBatch))
{
    for (int i = 0; i < std::max(1, committers); ++i) {
        m_threads.emplace_back(QThread::create([this] { run(); }));
        m_threads.back()->setObjectName(QStringLiteral("inbox-commit-%1").arg(i));
        m_threads.back()->start();
    }
}

BatchingInboxSink::~BatchingInboxSink()
{
    {
        std::lock_guard lock(m_mutex);
        m_stopping = true;
    }
    m_wake.notify_all();
    for (auto &t : m_threads)
        t->wait();
}

quint64 BatchingInboxSink::batchCount() const
{
    std::lock_guard lock(m_mutex);
    return m_batches;
}

void BatchingInboxSink::commitAsync(const WebhookEvent &event, std::function<void(const core::Result<bool> &)> done)
{
    auto pending = std::make_shared<Pending>();
    pending->delivery = toDelivery(event);
    pending->done = std::move(done);
    {
        std::lock_guard lock(m_mutex);
        if (!m_stopping) {
            m_queue.push_back(std::move(pending));
            m_wake.notify_all();
            return;
        }
    }
    pending->done(core::makeError(QStringLiteral("webhook.stopping"), QStringLiteral("The listener is stopping.")));
}

core::Result<bool> BatchingInboxSink::commit(const WebhookEvent &event)
{
    std::mutex mutex;
    std::condition_variable cv;
    std::optional<core::Result<bool>> result;
    commitAsync(event, [&](const core::Result<bool> &stored) {
        std::lock_guard lock(mutex);
        result.emplace(stored);
        cv.notify_all();
    });
    std::unique_lock lock(mutex);
    cv.wait(lock, [&] { return result.has_value(); });
    return *result;
}

core::Result<bool> BatchingInboxSink::contains(const QString &idempotencyKey)
{
    return db::InboxRepository(*m_database, m_clock).contains(idempotencyKey);
}

void BatchingInboxSink::waitIdle()
{
    std::unique_lock lock(m_mutex);
    m_wake.wait(lock, [&] { return m_queue.empty() && m_busy == 0; });
}

void BatchingInboxSink::run()
{
    // Connect now, not inside the first webhook's time to answer.
    db::InboxRepository repo(*m_database, m_clock);
    if (auto w = repo.warmUp(); !w)
        qCWarning(lcWebhook).noquote() << "the inbox is not reachable yet:" << w.error().toString();
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
            ++m_busy;
        }
        QList<db::InboxDelivery> deliveries;
        deliveries.reserve(qsizetype(batch.size()));
        for (const auto &p : batch)
            deliveries << p->delivery;
        const core::Result<QList<bool>> stored = repo.commitBatch(deliveries);
        for (size_t i = 0; i < batch.size(); ++i) {
            if (stored)
                batch[i]->done(core::Result<bool>(stored.value().at(qsizetype(i))));
            else
                batch[i]->done(core::Result<bool>(stored.error()));
        }
        {
            std::lock_guard lock(m_mutex);
            ++m_batches;
            --m_busy;
        }
        m_wake.notify_all();
    }
}

} // namespace qrt::webhook
