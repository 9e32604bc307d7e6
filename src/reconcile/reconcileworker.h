#pragma once

#include "reconcile/reconcilelease.h"
#include "reconcile/reconciler.h"
#include "reconcile/reconcilestatus.h"

#include <QMutex>
#include <QObject>
#include <QPointer>

#include <memory>
#include <optional>

class QTimer;

namespace qrt::outbox {
class QrOutbox;
struct OutboxReport;
}
namespace qrt::sync {
class SyncEngine;
struct SyncSummary;
}

namespace qrt::reconcile {

// The status the worker writes and Reconciler::status() reads from any thread.
struct StatusBox
{
    mutable QMutex mutex;
    ReconcileStatus status;
};

// Reconciler's half on its own thread (internal): the schedule, the lease, the sync engine and the
// QR outbox. Every slot runs on that thread.
class ReconcileWorker : public QObject
{
    Q_OBJECT
public:
    ReconcileWorker(std::shared_ptr<db::Database> database, ReconcilerOptions options, std::shared_ptr<StatusBox> box);
    ~ReconcileWorker() override;

    sync::SyncEngine *engine() const { return m_engine; }

    void start();
    void stop();
    void runNow();
    void setOptions(const ReconcilerOptions &options);
    // For the destructor: cancels and waits for the sync, frees the lease; no signals after it.
    void shutdown();

Q_SIGNALS:
    void statusChanged(const qrt::reconcile::ReconcileStatus &status);
    void reconciled(const qrt::reconcile::ReconcileReport &report);
    void stopped();

private:
    enum class Phase { Idle, Syncing, Delivering };

    void run();
    void onSyncFinished(const sync::SyncSummary &summary);
    void startOutboxPass();
    void onOutboxFinished(const outbox::OutboxReport *report);
    void finishRun();
    void abandonRun(); // stopped or lease lost: free (or leave) the lease, record nothing
    void renewLease();
    void scheduleNext();
    void publish(const std::function<void(ReconcileStatus &)> &change);
    std::optional<int> countOrders();
    int freshS() const;
    bool enabled() const { return m_options.intervalMs > 0; }

    std::shared_ptr<db::Database> m_database;
    ReconcilerOptions m_options;
    std::shared_ptr<StatusBox> m_box;
    QString m_holder; // this reconciler's id in reconcile_lease
    std::unique_ptr<ReconcileLease> m_lease;
    sync::SyncEngine *m_engine = nullptr;
    outbox::QrOutbox *m_outbox = nullptr; // made on this thread at the first pass
    QTimer *m_tick = nullptr;
    QTimer *m_renew = nullptr;
    Phase m_phase = Phase::Idle;
    bool m_active = false;
    bool m_lostLease = false;
    bool m_shutDown = false;
    std::optional<int> m_ordersBefore;
    ReconcileReport m_current;
};

} // namespace qrt::reconcile
