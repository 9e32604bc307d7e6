#pragma once

#include "core/config.h"
#include "reconcile/reconcilestatus.h"

#include <QJsonObject>
#include <QMutex>
#include <QObject>
#include <QThread>

#include <memory>

namespace qrt::db {
class Database;
}
namespace qrt::sync {
class SyncEngine;
}

namespace qrt::reconcile {

class ReconcileWorker;

struct ReconcilerOptions
{
    int intervalMs = 600000;  // 0: off. From the configuration: reconcile_interval_s * 1000 (at least 5 s)
    QString station;          // for people ("reconciled by station X") and the sync's audit rows
    core::GhlSettings ghl;
    core::QrSettings qr;
    int leaseS = 60;          // the lease a run holds, renewed every leaseS / 3 while it runs
    // A station skips its turn when another one finished a reconciliation less than this long ago
    // (-1: half the interval; 0: never skip for that).
    int freshS = -1;

    // [sync], [ghl], [qr] and [station] of a configuration.
    static ReconcilerOptions fromConfig(const core::Config &config);
    bool operator==(const ReconcilerOptions &) const = default;
};

// The reconciliation loop (PRODUCT.md section 3, "Never-lose rules"; issue 12 point 2): once at
// start(), then every interval, an incremental sync (the engine and request `qrtickets sync --mode
// incremental` uses), then a QR outbox pass (outbox::QrOutbox::deliverPending), so that an order
// whose webhook never came is stored and gets its QR within one interval.
//
// Only one station reconciles at a time: a run first takes the lease in reconcile_lease (the
// database's clock decides; see ReconcileLease); a station that finds it held, or finds that
// another reconciled less than freshS ago, skips its turn and says so in its status.
//
// Threads: everything runs on a thread of its own (the sync engine's own threads below it, the
// outbox pass and every database statement): never on the caller's (GUI) thread. The object
// itself lives in the caller's thread; its signals arrive there.
class Reconciler : public QObject
{
    Q_OBJECT
public:
    Reconciler(std::shared_ptr<db::Database> database, ReconcilerOptions options, QObject *parent = nullptr);
    // Cancels a run in progress (the sync stops cleanly, the lease is freed) and waits for it.
    ~Reconciler() override;

    // Runs once now, then every interval (nothing when the interval is 0).
    void start();
    // Stops the loop; a run in progress is cancelled cleanly (batches saved stay, the lease is
    // freed). stopped() follows, also when nothing was running.
    void stop();
    bool isStarted() const { return m_started; }
    // New settings (the Settings dialog): used from the next run; a new interval reschedules.
    void setOptions(const ReconcilerOptions &options);
    // A run now, outside the schedule (when none is running); the interval counts from its end.
    void runNow();

    // Thread-safe: may be called from any thread (/healthz asks from its handler pool).
    ReconcileStatus status() const;
    QJsonObject statusJson() const { return status().toJson(); }

Q_SIGNALS:
    void statusChanged(const qrt::reconcile::ReconcileStatus &status);
    // After each run this station did (not after a skipped turn).
    void reconciled(const qrt::reconcile::ReconcileReport &report);
    void stopped();

private:
    std::shared_ptr<struct StatusBox> m_box;
    QThread m_thread;
    ReconcileWorker *m_worker = nullptr;
    bool m_started = false;
};

} // namespace qrt::reconcile
