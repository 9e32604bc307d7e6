#pragma once

#include <QObject>
#include <QString>
#include <QThread>

#include <memory>

namespace qrt::db {
class Database;
}
namespace qrt::feed {
class EventFeed;
}

namespace qrt::webhook {

// Publishes what the database records, whoever wrote it, on the feed:
// - each new row of ticket_events as ticket_status_changed (the door, the order page, a sync, the
//   webhook worker, another station or `serve`: the audit table is the one place every change
//   passes through);
// - each sync run of sync_runs as the original system's sync_status {syncInProgress: true} at its
//   start, sync_progress {syncInProgress, totalOrders, syncedOrders, status} as its row's progress
//   changes (SyncWriter records it about every second), and at its end sync_progress with
//   syncInProgress false, sync_complete with the run's summary and a final sync_status. Every
//   sync engine records its runs there (the desktop's Sync, the reconciliation loop, a
//   `qrtickets sync` in another process or on another station), so every one reaches the feed
//   without being connected to it, in the same order. A run that stops showing life (its process
//   died) ends with sync_status {syncInProgress: false, status: "stale"}.
// Polls (cheap indexed queries, both databases alike) only while a feed client is connected; a
// client sees changes from the moment its relay positioned (a moment after it connected), and
// the runs going on then announced with sync_status and followed from their next progress. The polls run on a thread of their own ("qrt-feed-relay", with its own connection):
// a slow or unreachable database never stalls the thread the feed and the window live on; what
// they find is handed to the feed on its own thread, in order.
class TicketEventRelay : public QObject
{
    Q_OBJECT

public:
    TicketEventRelay(std::shared_ptr<db::Database> database, feed::EventFeed &feed, QObject *parent = nullptr);
    ~TicketEventRelay() override;

    void setInterval(int ms);
    // Polls now (on the relay's thread; returns at once).
    void poll();
    // The thread the database work runs on (tests check it is not the caller's).
    QThread *workerThread() { return &m_thread; }

private:
    void clientsChanged();

    feed::EventFeed &m_feed;
    QThread m_thread;
    class RelayPoller *m_poller = nullptr; // lives on m_thread
};

} // namespace qrt::webhook
