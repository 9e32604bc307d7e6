#include "reconcile/reconcileworker.h"

#include "db/database.h"
#include "outbox/qroutbox.h"
#include "reconcile/logging.h"
#include "sync/syncengine.h"

#include <QCoreApplication>
#include <QSysInfo>
#include <QTimer>
#include <QUuid>

#include <algorithm>
#include <utility>

#ifdef Q_OS_LINUX
#include <sys/resource.h>
#include <sys/syscall.h>
#include <unistd.h>
#endif

namespace qrt::reconcile {

namespace {
// Q_DECLARE_TR_FUNCTIONS gives lupdate and the program the same context for Tr::tr().
struct Tr
{
    Q_DECLARE_TR_FUNCTIONS(qrt::reconcile::Reconciler)
};

constexpr int kMaxFailuresKept = 20;

QString instanceId(const QString &station)
{
    return QStringLiteral("%1@%2:%3:%4")
        .arg(station, QSysInfo::machineHostName())
        .arg(QCoreApplication::applicationPid())
        .arg(QUuid::createUuid().toString(QUuid::Id128).left(8));
}
} // namespace

ReconcileWorker::ReconcileWorker(std::shared_ptr<db::Database> database, ReconcilerOptions options,
                                 std::shared_ptr<StatusBox> box)
    : m_database(std::move(database)), m_options(std::move(options)), m_box(std::move(box)),
      m_holder(instanceId(m_options.station))
{
    // Children move to the worker's thread with it.
    m_engine = new sync::SyncEngine(m_database, this);
    connect(m_engine, &sync::SyncEngine::finished, this, &ReconcileWorker::onSyncFinished);
    m_tick = new QTimer(this);
    m_tick->setSingleShot(true);
    connect(m_tick, &QTimer::timeout, this, &ReconcileWorker::run);
    m_renew = new QTimer(this);
    connect(m_renew, &QTimer::timeout, this, &ReconcileWorker::renewLease);
    m_lease = std::make_unique<ReconcileLease>(*m_database, m_holder, m_options.station);
    QMutexLocker lock(&m_box->mutex);
    m_box->status.station = m_options.station;
    m_box->status.intervalS = m_options.intervalMs / 1000;
    m_box->status.state = enabled() ? ReconcileStatus::State::Stopped : ReconcileStatus::State::Off;
}

ReconcileWorker::~ReconcileWorker() = default;

int ReconcileWorker::freshS() const
{
    return m_options.freshS >= 0 ? m_options.freshS : m_options.intervalMs / 2000;
}

void ReconcileWorker::publish(const std::function<void(ReconcileStatus &)> &change)
{
    ReconcileStatus copy;
    {
        QMutexLocker lock(&m_box->mutex);
        change(m_box->status);
        copy = m_box->status;
    }
    if (!m_shutDown)
        emit statusChanged(copy);
}

void ReconcileWorker::start()
{
    m_active = true;
#ifdef Q_OS_LINUX
    // Background work, like the inbox worker's: under CPU pressure the scheduler prefers the
    // webhook listener and its commits. The sync's and the QR outbox's threads are started from
    // this thread later and inherit the value. Without it a reconciliation (the one at start
    // pulls every order changed since the last sync) took up to a quarter of the CPU, its
    // database work not counted, while a webhook burst was being answered (bench webhook, perf).
    // QThread priorities have no effect under Linux's default scheduler; a thread's nice value does.
    // Once per thread (start() may come again after a stop()), relative to what it had.
    static thread_local bool lowered = false;
    if (!std::exchange(lowered, true)) {
        const auto tid = static_cast<id_t>(::syscall(SYS_gettid));
        setpriority(PRIO_PROCESS, tid, std::min(19, getpriority(PRIO_PROCESS, tid) + 5));
    }
#endif
    if (!enabled()) {
        publish([](ReconcileStatus &s) {
            s.state = ReconcileStatus::State::Off;
            s.nextRunAt = {};
        });
        return;
    }
    if (m_phase == Phase::Idle)
        m_tick->start(0);
}

void ReconcileWorker::stop()
{
    m_active = false;
    m_tick->stop();
    switch (m_phase) {
    case Phase::Syncing: m_engine->cancel(); return; // onSyncFinished ends it
    case Phase::Delivering:
        if (m_outbox)
            m_outbox->cancel();
        return; // onOutboxFinished ends it
    case Phase::Idle: break;
    }
    publish([this](ReconcileStatus &s) {
        s.state = enabled() ? ReconcileStatus::State::Stopped : ReconcileStatus::State::Off;
        s.nextRunAt = {};
    });
    emit stopped();
}

void ReconcileWorker::runNow()
{
    if (m_phase != Phase::Idle || m_shutDown)
        return;
    m_tick->stop();
    run();
}

void ReconcileWorker::setOptions(const ReconcilerOptions &options)
{
    const bool wasEnabled = enabled();
    const bool newInterval = options.intervalMs != m_options.intervalMs;
    m_options = options;
    // The holder id stays: a lease this run holds stays ours.
    m_lease = std::make_unique<ReconcileLease>(*m_database, m_holder, m_options.station);
    if (m_outbox)
        QMetaObject::invokeMethod(m_outbox, [o = m_outbox, g = options.ghl, q = options.qr] { o->setSettings(g, q); });
    publish([this](ReconcileStatus &s) {
        s.station = m_options.station;
        s.intervalS = m_options.intervalMs / 1000;
    });
    if (!newInterval || !m_active || m_phase != Phase::Idle)
        return;
    if (!enabled()) {
        m_tick->stop();
        publish([](ReconcileStatus &s) {
            s.state = ReconcileStatus::State::Off;
            s.nextRunAt = {};
        });
    } else if (!wasEnabled) {
        m_tick->start(0); // turned on: once now, as at start
    } else {
        scheduleNext();
    }
}

std::optional<int> ReconcileWorker::countOrders()
{
    auto q = m_database->prepare(QStringLiteral("SELECT count(*) AS n FROM ghl_qr_orders"), Tr::tr("count the stored orders"));
    if (!q || !q->execFirst())
        return std::nullopt;
    return q->value(QStringLiteral("n")).toInt();
}

void ReconcileWorker::run()
{
    if (!m_active || !enabled() || m_phase != Phase::Idle || m_shutDown)
        return;
    const QDateTime now = QDateTime::currentDateTimeUtc();
    if (m_options.ghl.token.isEmpty() || m_options.ghl.locationId.isEmpty()) {
        qCWarning(lcReconcile) << "reconciliation skipped: no GHL token or location id";
        publish([&](ReconcileStatus &s) {
            s.error = Tr::tr("no GHL token or location id is set");
            s.skippedBy.clear();
        });
        scheduleNext();
        return;
    }
    auto taken = m_lease->acquire(m_options.leaseS, freshS());
    if (!taken) {
        qCWarning(lcReconcile).noquote() << "reconciliation skipped:" << taken.error().toString();
        publish([&](ReconcileStatus &s) {
            s.error = taken.error().message;
            s.skippedBy.clear();
        });
        scheduleNext();
        return;
    }
    if (!taken.value()) {
        auto state = m_lease->read();
        const QString by = state ? (state->live ? state->holderStation : state->lastStation) : QString();
        const QString shownBy = by.isEmpty() ? Tr::tr("another station") : by;
        qCInfo(lcReconcile).noquote() << "reconciliation skipped: reconciled by station" << shownBy;
        publish([&](ReconcileStatus &s) {
            s.skippedBy = shownBy;
            s.skippedAt = now;
            s.error.clear();
            if (state && state->lastFinishedAt.isValid()) {
                s.hasLast = true;
                s.last = ReconcileReport::fromJson(state->lastSummary);
            }
        });
        scheduleNext();
        return;
    }

    m_phase = Phase::Syncing;
    m_lostLease = false;
    m_current = {};
    m_current.station = m_options.station;
    m_current.startedAt = QDateTime::currentDateTimeUtc(); // once the lease is ours (acquire() may wait for it)
    m_ordersBefore = countOrders();
    m_renew->start(std::max(1000, m_options.leaseS * 1000 / 3));
    publish([](ReconcileStatus &s) {
        s.state = ReconcileStatus::State::Running;
        s.nextRunAt = {};
        s.error.clear();
        s.skippedBy.clear();
    });
    qCInfo(lcReconcile).noquote() << "reconciliation started by station" << m_options.station;

    // Exactly what `qrtickets sync --mode incremental` asks for.
    sync::SyncRequest request;
    request.mode = sync::SyncMode::Incremental;
    request.station = m_options.station;
    request.ghl = m_options.ghl;
    if (!m_engine->start(request)) {
        sync::SyncSummary refused;
        refused.status = sync::SyncStatus::Failed;
        refused.error = Tr::tr("a sync of this reconciler is still running");
        onSyncFinished(refused);
    }
}

void ReconcileWorker::onSyncFinished(const sync::SyncSummary &summary)
{
    if (m_phase != Phase::Syncing)
        return;
    m_current.syncStatus = sync::toString(summary.status);
    m_current.ordersListed = summary.listed;
    m_current.ordersSynced = summary.synced;
    m_current.ordersUnchanged = summary.unchanged;
    m_current.ordersFailed = summary.failed;
    m_current.requests = summary.requests;
    if (summary.status != sync::SyncStatus::Succeeded && !summary.error.isEmpty())
        m_current.error = summary.error;
    for (const sync::SyncFailure &f : summary.failures) {
        if (m_current.failures.size() >= kMaxFailuresKept)
            break;
        m_current.failures << (f.orderId.isEmpty() ? Tr::tr("order list: %1").arg(f.reason)
                                                   : Tr::tr("order %1: %2").arg(f.orderId, f.reason));
    }
    const std::optional<int> after = countOrders();
    if (m_ordersBefore && after)
        m_current.ordersNew = std::max(0, *after - *m_ordersBefore);
    if (!m_active || m_lostLease || m_shutDown) {
        abandonRun();
        return;
    }
    // The pass runs also after a failed sync: orders stored by webhooks still get their QR.
    startOutboxPass();
}

void ReconcileWorker::startOutboxPass()
{
    m_phase = Phase::Delivering;
    if (!m_outbox) {
        outbox::QrOutboxOptions options;
        options.station = m_holder; // claimed_by: this process, not every process of this station name
        m_outbox = new outbox::QrOutbox(m_database, m_options.ghl, m_options.qr, options, core::SystemClock::instance(), this);
        connect(m_outbox, &outbox::QrOutbox::finished, this,
                [this](const outbox::OutboxReport &report) { onOutboxFinished(&report); });
    }
    m_outbox->deliverPending();
}

void ReconcileWorker::onOutboxFinished(const outbox::OutboxReport *report)
{
    if (m_phase != Phase::Delivering)
        return;
    if (report) {
        m_current.outboxRan = true;
        m_current.qrDelivered = report->delivered;
        m_current.qrSkipped = report->skipped;
        m_current.qrFailed = report->failed;
        for (const outbox::OutboxFailure &f : report->failures) {
            if (m_current.failures.size() >= kMaxFailuresKept)
                break;
            m_current.failures << Tr::tr("QR for order %1: %2").arg(f.orderId, f.reason);
        }
    }
    if (!m_active || m_lostLease || m_shutDown) {
        abandonRun();
        return;
    }
    finishRun();
}

void ReconcileWorker::finishRun()
{
    m_phase = Phase::Idle;
    m_renew->stop();
    m_current.finishedAt = QDateTime::currentDateTimeUtc();
    QString error;
    if (auto r = m_lease->finish(m_current.toJson()); !r) {
        // The lease expires by itself; the result stays in this station's status.
        qCWarning(lcReconcile).noquote() << "the reconciliation could not be recorded:" << r.error().toString();
        error = r.error().message;
    }
    qCInfo(lcReconcile).noquote() << QStringLiteral(
                                         "reconciliation done: %1 orders synced (%2 new), %3 unchanged, %4 failed; %5 QR "
                                         "codes delivered, %6 failed")
                                         .arg(m_current.ordersSynced)
                                         .arg(m_current.ordersNew)
                                         .arg(m_current.ordersUnchanged)
                                         .arg(m_current.ordersFailed)
                                         .arg(m_current.qrDelivered)
                                         .arg(m_current.qrFailed);
    publish([&](ReconcileStatus &s) {
        s.hasLast = true;
        s.last = m_current;
        s.error = error;
        s.state = ReconcileStatus::State::Waiting;
    });
    scheduleNext();
    emit reconciled(m_current);
}

void ReconcileWorker::abandonRun()
{
    m_phase = Phase::Idle;
    m_renew->stop();
    const bool lost = m_lostLease;
    if (!lost) {
        if (auto r = m_lease->release(); !r)
            qCWarning(lcReconcile).noquote() << "the reconciliation lease could not be freed (it expires by itself):"
                                             << r.error().toString();
    }
    if (m_shutDown)
        return;
    if (lost) {
        qCWarning(lcReconcile) << "reconciliation stopped: its lease expired and another station took it over";
        publish([](ReconcileStatus &s) {
            s.error = Tr::tr("this station's lease expired during the run (the database was out of reach?) and another "
                             "station took over");
        });
        if (m_active) {
            scheduleNext();
            return;
        }
    }
    qCInfo(lcReconcile) << "reconciliation cancelled";
    publish([this](ReconcileStatus &s) {
        s.state = enabled() ? ReconcileStatus::State::Stopped : ReconcileStatus::State::Off;
        s.nextRunAt = {};
    });
    emit stopped();
}

void ReconcileWorker::renewLease()
{
    if (m_phase == Phase::Idle)
        return;
    auto renewed = m_lease->renew(m_options.leaseS);
    if (!renewed) {
        // Out of reach for now: the lease still runs; the next renewal tries again.
        qCWarning(lcReconcile).noquote() << "the reconciliation lease could not be renewed:" << renewed.error().toString();
        return;
    }
    if (renewed.value())
        return;
    m_lostLease = true;
    if (m_phase == Phase::Syncing)
        m_engine->cancel();
    else if (m_outbox)
        m_outbox->cancel();
}

void ReconcileWorker::scheduleNext()
{
    m_phase = Phase::Idle;
    if (!m_active || !enabled() || m_shutDown)
        return;
    m_tick->start(m_options.intervalMs);
    const QDateTime next = QDateTime::currentDateTimeUtc().addMSecs(m_options.intervalMs);
    publish([&](ReconcileStatus &s) {
        s.state = ReconcileStatus::State::Waiting;
        s.nextRunAt = next;
    });
}

void ReconcileWorker::shutdown()
{
    m_active = false;
    m_tick->stop();
    m_renew->stop();
    const Phase phase = m_phase;
    m_shutDown = true;
    if (phase == Phase::Delivering && m_outbox)
        m_outbox->cancel();
    // The engine's destructor cancels its run and waits for its threads (saved batches stay).
    delete m_engine;
    m_engine = nullptr;
    delete m_outbox;
    m_outbox = nullptr;
    if (phase != Phase::Idle && !m_lostLease) {
        if (auto r = m_lease->release(); !r)
            qCWarning(lcReconcile).noquote() << "the reconciliation lease could not be freed (it expires by itself):"
                                             << r.error().toString();
    }
    m_phase = Phase::Idle;
}

} // namespace qrt::reconcile
