#pragma once

#include "db/database.h"
#include "db/inboxrepository.h"
#include "webhook/webhookhandler.h"

#include <memory>

namespace qrt::webhook {

// The listener's InboxSink over webhook_inbox: one INSERT .. ON CONFLICT DO NOTHING per delivery,
// on whichever thread the handler's commit executor runs it (each thread has its own connection).
class RepositoryInboxSink final : public InboxSink
{
public:
    explicit RepositoryInboxSink(std::shared_ptr<db::Database> database,
                                 const core::Clock &clock = core::SystemClock::instance());

    core::Result<bool> commit(const WebhookEvent &event) override;

    static db::InboxDelivery toDelivery(const WebhookEvent &event);

private:
    std::shared_ptr<db::Database> m_database;
    const core::Clock &m_clock;
};

} // namespace qrt::webhook
