#pragma once

#include <QMetaType>
#include <QObject>
#include <QSet>
#include <QString>
#include <QThread>

#include <atomic>
#include <memory>

namespace qrt::db {
class Database;
}

namespace qrt::gui {

// What changed, as far as the watcher could tell: the orders whose row or tickets changed, or
// "everything" (too many, or unknown: the watcher just (re)connected).
struct ChangeSet
{
    QSet<QString> orderIds;
    bool allOrders = false;
    QString why; // for the log, when allOrders

    bool isEmpty() const { return orderIds.isEmpty() && !allOrders; }
    void merge(const ChangeSet &other);
};

// Tells the windows that another station (or this one's workers) changed the data, and which
// orders. All of its database work runs on a thread of its own ("qrt-gui-watch") with its own
// connection, so an unreachable server never freezes a window; the GUI only receives signals.
// PostgreSQL: LISTEN qrtickets_changes. SQLite: PRAGMA data_version every ~2 s (it only moves
// when another connection commits, and costs no I/O), and at once after checkNow(). After a
// change, the watcher waits for a quiet 100 ms (at most 2 s) and then reads what changed since
// its watermarks: new rows of ticket_events (admissions, undo, cancellations) and the orders
// whose updated_at moved among the 200 most recently updated (sync writes).
class ChangeWatcher : public QObject
{
    Q_OBJECT
public:
    // More changed orders than this are reported as allOrders.
    static constexpr int MaxChangedOrders = 200;

    explicit ChangeWatcher(std::shared_ptr<db::Database> database, QObject *parent = nullptr);
    ~ChangeWatcher() override;

    // Asks the watcher thread to open the watching connection (again when it was lost); returns
    // at once. listeningChanged(true) follows, then changes() with allOrders (anything that
    // changed before it listened would be missed).
    void start();
    // PostgreSQL: false as soon as the LISTEN connection is found closed (checked every poll
    // interval); start() then listens again.
    bool isListening() const { return m_listening.load(); }
    // SQLite polling, and how often PostgreSQL's connection is checked.
    void setPollInterval(int ms);
    // A change made by this station (a scan): look now instead of at the next poll.
    void checkNow();
    // The thread the database work runs on (tests check it is not the GUI thread).
    QThread *workerThread() { return &m_thread; }

Q_SIGNALS:
    // Coalesced (a burst gives one): what changed.
    void changes(const qrt::gui::ChangeSet &changes);
    // The same moment, without the detail.
    void changed();
    void listeningChanged(bool listening);
    // Emitted on the watcher's thread at the end of each start() attempt, listening or not.
    void startFinished(bool listening);

private:
    friend class ChangeWatch;
    std::shared_ptr<db::Database> m_database;
    QThread m_thread;
    class ChangeWatch *m_watch = nullptr; // lives on m_thread
    std::atomic<bool> m_listening { false };
};

} // namespace qrt::gui

Q_DECLARE_METATYPE(qrt::gui::ChangeSet)
