#pragma once

#include "core/config.h"
#include "core/result.h"

#include <QDateTime>
#include <QJsonObject>
#include <QList>
#include <QMetaType>
#include <QString>
#include <QStringList>

namespace qrt::sync {

enum class SyncMode {
    Full,        // list every order, fetch every order's details
    Incremental, // list every order, fetch only new ones and those whose updatedAt changed
    IdList,      // fetch the given order ids (valid_order_list.json of the original system)
};

// What to sync and against which GHL account.
struct SyncRequest
{
    SyncMode mode = SyncMode::Incremental;
    QStringList orderIds; // IdList only
    QString station;      // recorded in sync_runs and in ticket audit rows
    core::GhlSettings ghl;

    // Tuning; the defaults suit production.
    int batchSize = 50;        // orders per write (at most 4x this when the writer lags); PostgreSQL
                               // commits them in chunks (db::OrderWriter::kChunkOrders)
    int batchIntervalMs = 250; // a partial batch is written after this long
    int progressIntervalMs = 250;
    int dbAttempts = 6;        // tries of one batch when the database connection is lost
    int dbRetryBaseMs = 250;   // backoff before the 2nd try; doubles
    int heartbeatMs = 10000;   // sync_runs.heartbeat_at while running (stale after 2 minutes)
    int progressRecordMs = 1000; // how often changed progress is written to sync_runs (other processes' feeds read it)
    // GHL retry policy overrides (0: the client's default).
    int ghlMaxAttempts = 0;
    int ghlRetryBaseDelayMs = 0;
};

enum class SyncPhase { Idle, Listing, Orders, Writing, Done };

// A copyable snapshot of a run, for a progress bar, the command line and the event feed.
struct SyncProgress
{
    SyncPhase phase = SyncPhase::Idle;
    int listed = 0;      // order summaries read so far (Listing)
    int listTotal = 0;   // totalCount GHL reported (0 until known)
    int total = 0;       // orders this run will fetch (known after listing)
    int fetched = 0;     // details received
    int written = 0;     // orders saved with their tickets
    int failed = 0;
    int unchanged = 0;   // incremental: orders skipped because nothing changed
    int rateLimitWaitMs = 0; // > 0 while requests are held back for GHL's rate limit
    qint64 etaMs = -1;   // -1: not known yet
    qint64 elapsedMs = 0;
    int requests = 0;    // HTTP requests sent to GHL, retries included

    // 0..1 over the whole run (listing counts a small share).
    double fraction() const;
};

enum class SyncStatus { Running, Succeeded, Partial, Failed, Cancelled };

struct SyncFailure
{
    QString orderId; // empty for a failure that is not about one order (e.g. a list page)
    QString reason;
};

struct SyncSummary
{
    SyncMode mode = SyncMode::Incremental;
    SyncStatus status = SyncStatus::Running;
    QString station;
    qint64 runId = 0; // sync_runs.id, 0 if it could not be recorded
    QDateTime startedAt;
    QDateTime finishedAt;
    int listed = 0;   // summaries listed (Full/Incremental)
    int total = 0;    // orders to fetch
    int synced = 0;   // orders written
    int unchanged = 0;
    int failed = 0;
    int requests = 0;
    int http429 = 0;  // answers that were 429 (retried or not)
    int ticketsAdded = 0;
    int ticketsCancelled = 0;
    int ticketsRestored = 0;
    QDateTime watermark; // newest GHL updatedAt seen
    QList<SyncFailure> failures;
    QStringList conflicts; // "order <id>: ..." from ticket reconciliation
    QString error;         // why the run failed or stopped, for staff

    qint64 durationMs() const;
    QJsonObject toJson() const;
};

QString toString(SyncMode mode);   // "full", "incremental", "ids"
QString toString(SyncPhase phase); // "listing", "orders", "writing", "done", "idle"
QString toString(SyncStatus status); // "running", "succeeded", "partial", "failed", "cancelled"
// Staff-readable, translated.
QString displayName(SyncMode mode);
// A status as the database stores it ("succeeded", ...), for people; the stored word if unknown.
QString statusDisplayName(QStringView stored);
QString displayName(SyncPhase phase);
QString displayName(SyncStatus status);

// valid_order_list.json: a JSON array of order id strings. Errors say what is wrong with the file.
core::Result<QStringList> parseOrderIdList(const QByteArray &json);
core::Result<QStringList> readOrderIdFile(const QString &path);

// Registers the value types above for queued connections (called by SyncEngine).
void registerSyncMetaTypes();

} // namespace qrt::sync

Q_DECLARE_METATYPE(qrt::sync::SyncRequest)
Q_DECLARE_METATYPE(qrt::sync::SyncProgress)
Q_DECLARE_METATYPE(qrt::sync::SyncSummary)
Q_DECLARE_METATYPE(qrt::sync::SyncFailure)
