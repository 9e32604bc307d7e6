#include "webhook/inboxsink.h"

#include "webhook/webhooklogging.h"

#include <QElapsedTimer>

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

// Whether a failed batch looks like the database refusing something in it (worth writing its
// rows one by one) rather than the database being away, locked or slow (then every row would
// fail the same way, each after its own wait).
// QSQLITE reports every failed step as a connection error ("Unable to fetch row"), a constraint
// too; a file has no connection to lose, so on SQLite that kind says nothing.
bool refusedARow(const core::Error &error, qint64 tookMs, bool sqlite)
{
    const bool refused = error.kind == core::Error::Kind::Database
        || (sqlite && error.kind == core::Error::Kind::ConnectionLost);
    if (!refused || tookMs > 1000)
        return false;
    const QString detail = error.details.toLower();
    return !detail.contains(u"locked") && !detail.contains(u"busy") && !detail.contains(u"timeout");
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
    if (knownRecently(idempotencyKey))
        return true;
    return db::InboxRepository(*m_database, m_clock).contains(idempotencyKey);
}

bool BatchingInboxSink::knownRecently(const QString &idempotencyKey) const
{
    std::lock_guard lock(m_recentMutex);
    return m_recent.contains(idempotencyKey);
}

void BatchingInboxSink::remember(const QString &idempotencyKey)
{
    std::lock_guard lock(m_recentMutex);
    if (m_recent.contains(idempotencyKey))
        return;
    m_recent.insert(idempotencyKey);
    m_recentOrder.push_back(idempotencyKey);
    if (m_recentOrder.size() > size_t(RecentKeys)) {
        m_recent.remove(m_recentOrder.front());
        m_recentOrder.pop_front();
    }
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
    const bool sqlite = !m_database->isPostgres();
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
        QElapsedTimer took;
        took.start();
        const core::Result<QList<bool>> stored = repo.commitBatch(deliveries);
        std::vector<core::Result<bool>> results;
        results.reserve(batch.size());
        if (stored) {
            for (size_t i = 0; i < batch.size(); ++i)
                results.emplace_back(stored.value().at(qsizetype(i)));
        } else if (batch.size() > 1 && refusedARow(stored.error(), took.elapsed(), sqlite)) {
            // One statement is one transaction: nothing of it is stored. Something in it was
            // refused (a value the validation let through, a constraint): each row on its own, so
            // only the bad one fails. Rows repeated in the batch are duplicates of the first.
            qCWarning(lcWebhook).noquote() << "a batch of" << batch.size()
                                           << "webhooks was refused; storing them one by one:" << stored.error().toString();
            for (const auto &p : batch) {
                if (!results.empty() && !results.back() && !refusedARow(results.back().error(), 0, sqlite)) {
                    results.push_back(results.back().error()); // the database went away meanwhile
                    continue;
                }
                const core::Result<QList<bool>> one = repo.commitBatch({ p->delivery });
                results.push_back(one ? core::Result<bool>(one.value().at(0)) : core::Result<bool>(one.error()));
            }
        } else {
            for (size_t i = 0; i < batch.size(); ++i)
                results.emplace_back(stored.error());
        }
        for (size_t i = 0; i < batch.size(); ++i) {
            if (results[i])
                remember(batch[i]->delivery.idempotencyKey);
            batch[i]->done(results[i]);
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
