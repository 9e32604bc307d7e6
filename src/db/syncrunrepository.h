#pragma once

#include "core/result.h"
#include "db/database.h"

#include <QDateTime>
#include <QJsonObject>
#include <QList>
#include <QString>

#include <optional>

namespace qrt::db {

// The spellings of sync_runs.status: one constant each, for SQL and for the engine.
namespace SyncRunStatus {
inline const QString Running = QStringLiteral("running");
inline const QString Succeeded = QStringLiteral("succeeded");
inline const QString Partial = QStringLiteral("partial");
inline const QString Failed = QStringLiteral("failed");
inline const QString Cancelled = QStringLiteral("cancelled");
} // namespace SyncRunStatus

// One row of sync_runs: what a sync run did, kept so the last outcome survives restarts and other
// stations can see that a sync is going on.
struct SyncRunRecord
{
    qint64 id = 0;
    QString mode;    // full | incremental | ids
    QString station;
    QDateTime startedAt;
    QDateTime finishedAt;
    QString status = SyncRunStatus::Running; // one of SyncRunStatus
    int totalOrders = 0;
    int syncedOrders = 0;
    int failedOrders = 0;
    int requests = 0;
    int ticketsAdded = 0;
    int ticketsCancelled = 0;
    QDateTime watermark; // newest GHL updatedAt seen
    QJsonObject summary;  // failures, conflicts, ...
    QString error;
    // runsFrom() only: 'running' but its process showed no life for staleAfterS (database clock).
    bool stale = false;

    bool isRunning() const { return status == SyncRunStatus::Running; }
};

class SyncRunRepository
{
public:
    explicit SyncRunRepository(Database &db) : m_db(db) { }

    // Inserts a 'running' row and returns its id.
    core::Result<qint64> start(const QString &mode, const QString &station);
    // Writes totals, status, summary, watermark and finished_at (now) of run record.id.
    core::Result<void> finish(const SyncRunRecord &record);
    // The newest run (running or finished).
    core::Result<std::optional<SyncRunRecord>> lastRun();
    // The newest finished run.
    core::Result<std::optional<SyncRunRecord>> lastFinishedRun();
    // A running sync calls this every few seconds (SyncRequest::heartbeatMs).
    core::Result<void> heartbeat(qint64 id);
    // A heartbeat that also records how far the run is, for other processes (the event feed of a
    // `serve` relays a `qrtickets sync` run from here): the counts, and `snapshot` (phase, listed
    // ...) in summary until finish() writes the real summary. Does not wake other stations' change
    // listeners (the PostgreSQL trigger fires on status and finished_at only).
    core::Result<void> progress(qint64 id, int totalOrders, int syncedOrders, int failedOrders,
                                const QJsonObject &snapshot);
    // The highest id so far (0: none), and the runs from `fromId` on, oldest first, each with
    // `stale` set as running() judges it.
    core::Result<qint64> latestId();
    core::Result<QList<SyncRunRecord>> runsFrom(qint64 fromId, int staleAfterS = 120, int limit = 100);
    // A run still marked 'running' whose process showed life (heartbeat, else start) in the last
    // staleAfterS seconds: "another station is syncing". A crashed process leaves a 'running' row
    // behind; it stops counting once its heartbeat is that old.
    core::Result<std::optional<SyncRunRecord>> running(int staleAfterS = 120);

private:
    core::Result<QList<SyncRunRecord>> select(const QString &where, const QVariantMap &values, int limit,
                                              const QString &orderBy = QStringLiteral("started_at DESC, id DESC"),
                                              const QString &staleExpression = {});
    // SQL: true when COALESCE(heartbeat_at, started_at) is older than :seconds (bound by the caller).
    QString staleSql() const;
    QVariant staleSeconds(int staleAfterS) const;
    Database &m_db;
};

} // namespace qrt::db
