#pragma once

#include "core/result.h"
#include "db/database.h"
#include "door/doorcache.h"
#include "door/doorcheck.h"
#include "db/ticketrepository.h"

#include <QObject>
#include <QThread>

#include <atomic>
#include <memory>

namespace qrt::door {

class DoorStationWorker;

// One station at the door with a shared PostgreSQL database (PRODUCT.md section 4b "Offline"). It
// wraps DoorCheck from outside: a scan is decided on the shared database through connections whose
// client deadline is offline_after_ms; a scan that gets no answer in time (the connection lost, the
// server unreachable, a deadline passed: goesOffline()) turns the station OFFLINE, and that scan and
// the following ones are decided by the same DoorCheck against the door cache. Any other failure (a
// permission refused, a constraint, a bug) is the scan's verdict, online. Before the cache's first
// copy finished an offline scan answers "Door cache not ready", never "Unknown ticket". Admissions
// made offline are journaled in the cache file before the verdict returns. A thread of the
// station's own keeps the cache fresh while online (a full copy at start, then a delta every
// pullIntervalMs), probes the shared database while offline, and on its answer
// uploads the queue through the same conditional UPDATE (TicketRepository::admit); an upload that
// lost (admitted elsewhere meanwhile, or the ticket's order refunded or cancelled meanwhile: never
// admitted then) becomes a conflict: kept in the cache's door_queue, listed, and recorded in the
// shared ticket_events ("offline-conflict: ..."). Then the station is online again.
//
// scan()/check()/undo() block and run on the caller's thread (the check-in panel's scan worker);
// the signals arrive on the thread the station lives on.
class DoorStation : public QObject
{
    Q_OBJECT
public:
    struct Options
    {
        QString cachePath;          // the door cache file
        int offlineAfterMs = 3000;  // [door] offline_after_ms
        int pullIntervalMs = 5000;  // the delta pull while online
        int probeIntervalMs = 1000; // the probe while offline
    };

    DoorStation(std::shared_ptr<db::Database> shared, Options options, QObject *parent = nullptr);
    ~DoorStation() override;

    // Opens the cache (reads a queue left by a run that ended offline: such a station starts
    // OFFLINE and uploads once the database answers) and starts the station's thread.
    core::Result<void> start();

    Verdict scan(const DoorCheck::Policy &policy, const QString &text);
    Verdict check(const DoorCheck::Policy &policy, const ScanInput &input, DoorCheck::Mode mode = DoorCheck::Mode::One,
                  bool unpaidConfirmed = false);

    // Undo at the door (the check-in panel's Undo): online, on the shared database as before (a door
    // login through qrt_door_undo: only its own admission within 10 minutes, anything else is an
    // error saying an admin must undo it). Offline,
    // only admissions this station made offline and has not sent yet (they leave the queue with it);
    // an admission already on the shared database is refused: its undo needs the shared database.
    core::Result<db::BulkResult> undo(const QList<qint64> &ticketIds, const QString &actor, const QString &reason);

    // Undo as a door login (qrt_door_undo per ticket): its own admissions within 10 minutes; a
    // refusal is an error in plain words ("only an admin can undo it") when nothing was undone.
    static core::Result<db::BulkResult> undoAsDoor(db::Database &db, const QList<qint64> &ticketIds, const QString &actor);
    // Whether a failure means the shared database did not answer (OFFLINE) rather than refused.
    static bool goesOffline(const core::Error &error);
    // The cache holds a complete copy (its first pull finished, now or in an earlier run).
    bool cacheReady() const { return m_cacheReady.load(); }

    bool isOffline() const { return m_offline.load(); }
    int queued() const { return m_queued.load(); }
    DoorCache *cache() const { return m_cache.get(); }
    // The database a scan uses now: the shared one (door connections) or the cache.
    db::Database &current();
    // Connections to the shared database with the door's deadlines cut to offline_after_ms.
    static db::ConnectionOptions connectionOptions(int offlineAfterMs);
    // The reason recorded in the shared ticket_events with an uploaded admission or a conflict.
    static QString uploadReason(const QueuedAdmission &a);
    static QString conflictReason(const QueuedAdmission &a, const QString &by, const QDateTime &at);
    // An offline admission of a ticket whose order was refunded or cancelled meanwhile (voided:
    // "refunded" or "order-cancelled"): "offline-conflict: ...; the order was refunded since".
    static QString voidConflictReason(const QueuedAdmission &a, const QString &voided);

    // Asks the station's thread to pull (online) or probe and upload (offline) now.
    void refreshNow();

    // The shared database's login is a door operator (db::detectRole on `db`, asked once, when the
    // station first reaches the database, and again after a refusal, SQLSTATE 42501): scans, Undo,
    // the cache's pulls and the upload then go through the door views and functions. False while it
    // could not be asked yet.
    bool doorRole(db::Database &db);

Q_SIGNALS:
    void offlineChanged(bool offline, const QString &why);
    void queuedChanged(int queued);
    void conflictsChanged(int conflicts);
    void pulled(int rows);
    // The queue could not be sent because the database refused it (why, in plain words), or an
    // empty why once it is sent again. A refusal does not keep the station OFFLINE.
    void uploadFailed(const QString &why);

private:
    friend class DoorStationWorker;
    void setOffline(bool offline, const QString &why);
    void countQueue();
    // A refusal (SQLSTATE 42501) clears the detected role: the next statement asks again.
    void forgetRoleOn(const core::Error &error);

    std::shared_ptr<db::Database> m_shared; // door connection options, offline_after_ms deadline
    std::unique_ptr<DoorCache> m_cache;
    Options m_options;
    std::atomic<bool> m_offline { false };
    std::atomic<int> m_queued { 0 };
    std::atomic<bool> m_cacheReady { false };
    std::atomic<bool> m_stopping { false }; // the destructor runs: the worker starts nothing new
    std::atomic<int> m_role { -1 };         // db::DatabaseRole once detected, -1 before
    QThread m_thread;
    DoorStationWorker *m_worker = nullptr; // lives on m_thread
};

} // namespace qrt::door
