#pragma once

// Internal to the sync engine: the database side of a run, in the engine's writer thread.

#include "core/order.h"
#include "core/result.h"
#include "sync/synctypes.h"

#include <QDateTime>
#include <QHash>
#include <QList>
#include <QObject>

#include <atomic>
#include <functional>
#include <memory>

class QTimer;

namespace qrt::db {
class Database;
}

namespace qrt::sync {

// What the writer reports after recording the run's start.
struct RunStart
{
    qint64 runId = 0;
    QHash<QString, QDateTime> stored; // incremental: GHL updatedAt of every stored order
    QString error;
};

// What the writer reports after one batch.
struct BatchOutcome
{
    int orders = 0;
    int saved = 0; // orders committed: all of them, or (error) those of the chunks before the failure
    int added = 0; // added, cancelled, restored, conflicts: of the saved orders
    int cancelled = 0;
    int restored = 0;
    QStringList conflicts;
    int attempts = 0;
    QString error; // empty: saved
};

// Owns the database side of a run, in its own thread (Database::connection() is per thread):
// the sync_runs row and the batches through db::OrderWriter (one transaction per batch on SQLite,
// per chunk of a few orders on PostgreSQL), tried again after a pause (a timer on this thread's
// event loop) when the connection is lost; a retry saves only the orders not yet committed.
// Blocking here never blocks the network side.
class SyncWriter : public QObject
{
    Q_OBJECT
public:
    SyncWriter(std::shared_ptr<db::Database> database, const SyncRequest &request);
    // Thread-safe: no more pauses; an operation waiting for its next try makes it now, once.
    void abortRetries();

public Q_SLOTS:
    void begin();
    void write(const QList<qrt::core::Order> &orders);
    void end(const qrt::sync::SyncSummary &summary);
    // The run's latest progress: written to its sync_runs row at most every progressRecordMs, and
    // with each heartbeat, so that another process (a `serve` feed) can follow the run.
    void noteProgress(const qrt::sync::SyncProgress &progress);

Q_SIGNALS:
    void begun(const qrt::sync::RunStart &start);
    void written(const qrt::sync::BatchOutcome &outcome);
    void ended(const qrt::sync::SyncSummary &summary);

private:
    using Operation = std::function<core::Result<void>()>;
    using Outcome = std::function<void(const core::Result<void> &result, int attempts)>;

    // Runs op until it succeeds, fails for good, or dbAttempts are used, with doubling pauses;
    // then done(result, attempts). One operation at a time.
    void retrying(const char *what, Operation op, Outcome done);
    void attempt();
    void tryNow();
    bool shouldRetry(const core::Error &error) const;
    void beat();

    std::shared_ptr<db::Database> m_db;
    SyncRequest m_request;
    qint64 m_runId = 0;
    QTimer *m_heartbeat = nullptr;
    QTimer *m_progressTimer = nullptr;
    SyncProgress m_progress;
    bool m_haveProgress = false;
    bool m_progressDirty = false;
    QTimer *m_retryTimer = nullptr;
    std::atomic<bool> m_abort { false };

    struct Pending
    {
        const char *what = "";
        Operation op;
        Outcome done;
        int attempts = 0;
        int delayMs = 0;
    } m_op;
};

} // namespace qrt::sync

Q_DECLARE_METATYPE(qrt::sync::RunStart)
Q_DECLARE_METATYPE(qrt::sync::BatchOutcome)
