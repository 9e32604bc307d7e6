#pragma once

#include "core/clock.h"
#include "sync/synctypes.h"

#include <QObject>
#include <QPointer>

#include <memory>

class QSemaphore;
class QThread;

namespace qrt::db {
class Database;
}

namespace qrt::sync {

class SyncRun;
class SyncWriter;

// Pulls orders from GHL into the database (PRODUCT.md section 1, the Sync flow).
//
// Threads: the engine itself lives in the caller's thread and only forwards. Each run gets two
// threads the engine owns: a network thread with the run's own GhlClient (listing, fetching,
// progress), and a writer thread with its own database connection (Database::connection() is
// per thread) that saves batches through db::OrderWriter (one transaction per batch on SQLite, per
// chunk of OrderWriter::kChunkOrders orders on PostgreSQL, so the door never waits long on a
// ticket a sync holds). So neither
// GHL traffic nor database writes ever run on the caller's (GUI) thread, and the network keeps
// going while a batch is written. Signals arrive queued in the caller's thread.
class SyncEngine : public QObject
{
    Q_OBJECT
public:
    explicit SyncEngine(std::shared_ptr<db::Database> database, QObject *parent = nullptr);
    // clock: the run's start and end times, its elapsed time and ETA, and its GHL client's clock.
    SyncEngine(std::shared_ptr<db::Database> database, const core::Clock &clock, QObject *parent = nullptr);
    // Cancels a run in progress and waits for its threads.
    ~SyncEngine() override;

    bool isRunning() const { return m_running; }
    // The latest progress of the current (or last) run.
    SyncProgress progress() const { return m_progress; }

public Q_SLOTS:
    // Starts a run; returns false (and does nothing) while one is running.
    bool start(const qrt::sync::SyncRequest &request);
    // Stops the run: requests in flight are abandoned, batches already saved stay, the summary
    // says "cancelled". finished() follows.
    void cancel();

Q_SIGNALS:
    void started();
    // Throttled to a few per second, plus one at each phase change.
    void progressChanged(const qrt::sync::SyncProgress &progress);
    // orderId is empty for a failure that is not about one order (a list page).
    void orderFailed(const QString &orderId, const QString &reason);
    void finished(const qrt::sync::SyncSummary &summary);

private:
    void onRunFinished(const SyncSummary &summary);
    void stopThreads();

    std::shared_ptr<db::Database> m_database;
    const core::Clock &m_clock;
    QThread *m_netThread = nullptr;
    QThread *m_dbThread = nullptr;
    QPointer<SyncRun> m_run;
    SyncWriter *m_writer = nullptr;
    SyncProgress m_progress;
    bool m_running = false;
    // Released once by the run as it finishes, in its own thread: the destructor waits on it.
    std::shared_ptr<QSemaphore> m_runDone;
};

} // namespace qrt::sync
