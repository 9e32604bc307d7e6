#include "webhook/ticketeventrelay.h"

#include "db/ticketrepository.h"
#include "feed/eventfeed.h"
#include "webhook/webhooklogging.h"

namespace qrt::webhook {

TicketEventRelay::TicketEventRelay(std::shared_ptr<db::Database> database, feed::EventFeed &feed, QObject *parent)
    : QObject(parent), m_database(std::move(database)), m_feed(feed)
{
    m_timer.setInterval(1000);
    connect(&m_timer, &QTimer::timeout, this, &TicketEventRelay::poll);
    connect(&m_feed, &feed::EventFeed::clientConnected, this, &TicketEventRelay::clientsChanged);
    connect(&m_feed, &feed::EventFeed::clientDisconnected, this, &TicketEventRelay::clientsChanged);
}

void TicketEventRelay::clientsChanged()
{
    if (m_feed.clientCount() == 0) {
        m_timer.stop();
        m_lastId = -1;
        return;
    }
    if (m_lastId < 0) {
        auto latest = db::TicketRepository(*m_database).latestEventId();
        if (!latest) {
            qCWarning(lcWebhook).noquote() << "ticket changes will not reach the feed:" << latest.error().toString();
            return;
        }
        m_lastId = latest.value();
    }
    if (!m_timer.isActive())
        m_timer.start();
}

void TicketEventRelay::poll()
{
    if (m_lastId < 0)
        return;
    auto events = db::TicketRepository(*m_database).eventsSince(m_lastId, 500);
    if (!events) {
        qCWarning(lcWebhook).noquote() << "reading ticket changes for the feed failed:" << events.error().toString();
        return;
    }
    for (const core::TicketEvent &e : events.value()) {
        m_feed.publishTicketStatusChanged(e);
        m_lastId = e.id;
    }
}

} // namespace qrt::webhook
