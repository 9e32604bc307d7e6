#pragma once

#include <QObject>
#include <QTimer>

#include <memory>

namespace qrt::db {
class Database;
}
namespace qrt::feed {
class EventFeed;
}

namespace qrt::webhook {

// Publishes each new row of ticket_events on the feed as ticket_status_changed, whoever made the
// change: the door, the order page, a sync, the webhook worker, another station or `serve`. The
// audit table is the one place every change passes through. Polls (a cheap indexed query) only
// while a feed client is connected; a client sees changes from the moment it connected.
class TicketEventRelay : public QObject
{
    Q_OBJECT

public:
    TicketEventRelay(std::shared_ptr<db::Database> database, feed::EventFeed &feed, QObject *parent = nullptr);

    void setInterval(int ms) { m_timer.setInterval(ms); }
    void poll();

private:
    void clientsChanged();

    std::shared_ptr<db::Database> m_database;
    feed::EventFeed &m_feed;
    QTimer m_timer;
    qint64 m_lastId = -1; // -1: not positioned yet
};

} // namespace qrt::webhook
