#pragma once

// Internal to the sync engine: the network side of a run, in the engine's network thread.

#include "core/order.h"
#include "sync/runstate.h"
#include "sync/synctypes.h"
#include "sync/syncwriter.h"

#include <QDateTime>
#include <QHash>
#include <QList>
#include <QObject>
#include <QSet>

class QTimer;

namespace qrt::core {
class Clock;
}
namespace qrt::ghl {
class GhlClient;
class GetOrderJob;
class GhlJob;
class ListOrdersJob;
} // namespace qrt::ghl

namespace qrt::sync {

// The network side of a run, in its own thread with its own GhlClient: lists, compares, fetches
// with the client's queue kept fed, hands batches to the writer one at a time, reports progress.
// Where the run stands is one RunState, moved on only by nextState() (runstate.h): every handler
// does its bookkeeping, then dispatch()es what happened.
class SyncRun : public QObject
{
    Q_OBJECT
public:
    SyncRun(const SyncRequest &request, const core::Clock &clock);
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
    RunWork work() const;
    void dispatch(RunEvent event);
    void enter(RunState to, RunState from);

    void requestPage(int offset);
    void onPage(ghl::ListOrdersJob *job);
    void countAnswer(const ghl::GhlJob &job);
    void chooseOrders();
    void feed();
    void onOrder(ghl::GetOrderJob *job);
    void flush(bool force);
    void finish(RunState from);
    void fail(const QString &orderId, const QString &reason);
    void setFatal(const QString &message);
    void setPhase(SyncPhase phase);
    void emitProgress();
    SyncSummary summary() const;
    int window() const;

    SyncRequest m_request;
    const core::Clock &m_clock;
    ghl::GhlClient *m_client = nullptr;
    QTimer *m_progressTimer = nullptr;
    QTimer *m_flushTimer = nullptr;

    RunState m_state = RunState::Starting;
    SyncPhase m_phase = SyncPhase::Idle;
    RunCounters m_counts;
    bool m_dirty = false; // counted since the last progress signal

    // The run's own record: counted figures come from m_counts.
    qint64 m_runId = 0;
    QDateTime m_startedAt;
    QDateTime m_finishedAt;
    SyncStatus m_status = SyncStatus::Running;
    QString m_error;
    qint64 m_startMs = 0;
    qint64 m_ordersStartMs = -1;

    // In flight (with m_toFetch/m_next/m_pending, what RunWork reports).
    int m_pages = 0;
    int m_orders = 0;
    bool m_writerBusy = false;

    QHash<QString, QDateTime> m_stored; // incremental: GHL updatedAt of the stored orders
    QHash<int, int> m_pageTries;        // offset -> failed tries
    QStringList m_listedIds;
    QHash<QString, QDateTime> m_listedUpdated;
    QStringList m_toFetch;
    int m_next = 0;
    QList<core::Order> m_pending;
    QSet<QString> m_failedIds;
};

} // namespace qrt::sync
