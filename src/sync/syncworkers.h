#pragma once

// Internal to the sync engine: the two objects that run in the engine's worker threads.

#include "core/order.h"
#include "sync/synctypes.h"

#include <QDateTime>
#include <QElapsedTimer>
#include <QHash>
#include <QList>
#include <QObject>
#include <QPointer>
#include <QSet>
#include <QTimer>

#include <atomic>
#include <memory>

class QTimer;

namespace qrt::db {
class Database;
}
namespace qrt::ghl {
class GhlClient;
class GetOrderJob;
class ListOrdersJob;
} // namespace qrt::ghl

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
    int added = 0;
    int cancelled = 0;
    int restored = 0;
    QStringList conflicts;
    int attempts = 0;
    QString error; // empty: saved
};

// Owns the database side of a run, in its own thread (Database::connection() is per thread):
// the sync_runs row and one transaction per batch through db::OrderWriter, retried with backoff
// when the connection is lost. Blocking here never blocks the network side.
class SyncWriter : public QObject
{
    Q_OBJECT
public:
    SyncWriter(std::shared_ptr<db::Database> database, const SyncRequest &request);
    // Thread-safe: stops waiting between retries.
    void abortRetries() { m_abort = true; }

public Q_SLOTS:
    void begin();
    void write(const QList<qrt::core::Order> &orders);
    void end(const qrt::sync::SyncSummary &summary);

Q_SIGNALS:
    void begun(const qrt::sync::RunStart &start);
    void written(const qrt::sync::BatchOutcome &outcome);
    void ended(const qrt::sync::SyncSummary &summary);

private:
    bool shouldRetry(const QString &code) const;
    // Runs op() until it succeeds, fails for good, or dbAttempts are used, with doubling waits
    // (cut short by abortRetries()); attempts tells how many it took.
    template <typename Op>
    auto retrying(const char *what, Op op, int &attempts);
    void beat();
    std::shared_ptr<db::Database> m_db;
    SyncRequest m_request;
    qint64 m_runId = 0;
    QTimer *m_heartbeat = nullptr;
    std::atomic<bool> m_abort { false };
};

// The network side of a run, in its own thread with its own GhlClient: lists, compares, fetches
// with the client's queue kept fed, hands batches to the writer one at a time, reports progress.
class SyncRun : public QObject
{
    Q_OBJECT
public:
    explicit SyncRun(const SyncRequest &request);
    ~SyncRun() override;

public Q_SLOTS:
    void run();
    void cancel();
    void onBegun(const qrt::sync::RunStart &start);
    void onWritten(const qrt::sync::BatchOutcome &outcome);
    void onEnded(const qrt::sync::SyncSummary &summary);

Q_SIGNALS:
    void beginRequested();
    void writeRequested(const QList<qrt::core::Order> &orders);
    void endRequested(const qrt::sync::SyncSummary &summary);

    void started();
    void progressChanged(const qrt::sync::SyncProgress &progress);
    void orderFailed(const QString &orderId, const QString &reason);
    void finished(const qrt::sync::SyncSummary &summary);

private:
    void startListing();
    void requestPage(int offset);
    void onPage(ghl::ListOrdersJob *job);
    void startOrders();
    void feed();
    void onOrder(ghl::GetOrderJob *job);
    void flush(bool force);
    void checkDone();
    void finish();
    void fail(const QString &orderId, const QString &reason);
    void setFatal(const QString &message);
    void setPhase(SyncPhase phase);
    void emitProgress();
    void noteUpdated(const QDateTime &updatedAt);
    int window() const;

    SyncRequest m_request;
    ghl::GhlClient *m_client = nullptr;
    QTimer *m_progressTimer = nullptr;
    QTimer *m_flushTimer = nullptr;
    QElapsedTimer m_clock;
    qint64 m_ordersStartMs = -1;
    SyncProgress m_progress;
    SyncSummary m_summary;
    bool m_dirty = false;

    QHash<QString, QDateTime> m_stored;
    int m_pagesOutstanding = 0;
    QHash<int, int> m_pageTries; // offset -> failed tries
    QStringList m_listedIds;
    QHash<QString, QDateTime> m_listedUpdated;
    bool m_listingDone = false;

    QStringList m_toFetch;
    int m_next = 0;
    int m_ordersOutstanding = 0;
    bool m_ordersStarted = false;
    QList<core::Order> m_pending;
    bool m_writing = false;
    QSet<QString> m_failedIds;

    bool m_begun = false;
    bool m_cancelled = false;
    QString m_fatal;
    bool m_finishing = false;
};

} // namespace qrt::sync

Q_DECLARE_METATYPE(qrt::sync::RunStart)
Q_DECLARE_METATYPE(qrt::sync::BatchOutcome)
