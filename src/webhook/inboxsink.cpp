#include "webhook/inboxsink.h"

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

} // namespace qrt::webhook
