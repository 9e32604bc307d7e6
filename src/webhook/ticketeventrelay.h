#pragma once

#include <QHash>
#include <QObject>
#include <QString>
#include <QTimer>

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
// client sees changes from the moment it connected, and the runs going on then from their next
// progress.
class TicketEventRelay : public QObject
{
    Q_OBJECT

public:
    TicketEventRelay(std::shared_ptr<db::Database> database, feed::EventFeed &feed, QObject *parent = nullptr);

    void setInterval(int ms) { m_timer.setInterval(ms); }
    void poll();

private:
    // What was last published of a run still going on.
    struct RunSeen
    {
        int total = -1;
        int synced = -1;
        QString status;
    };

    void clientsChanged();
    bool positionRuns();
    void pollRuns();

    std::shared_ptr<db::Database> m_database;
    feed::EventFeed &m_feed;
    QTimer m_timer;
    qint64 m_lastId = -1; // -1: not positioned yet
    qint64 m_nextRunId = -1; // runs from here on are new to the feed; -1: not positioned yet
    QHash<qint64, RunSeen> m_openRuns; // published as running, not yet as finished
};

} // namespace qrt::webhook
