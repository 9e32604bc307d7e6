#include "reconcile/reconciler.h"

#include "reconcile/reconcileworker.h"

#include <algorithm>

namespace qrt::reconcile {

ReconcilerOptions ReconcilerOptions::fromConfig(const core::Config &config)
{
    ReconcilerOptions o;
    const int seconds = config.reconcileIntervalS();
    o.intervalMs = seconds <= 0 ? 0 : std::max(5, seconds) * 1000;
    o.station = config.stationName();
    o.ghl = config.ghl();
    o.qr = config.qr();
    return o;
}

Reconciler::Reconciler(std::shared_ptr<db::Database> database, ReconcilerOptions options, QObject *parent)
    : QObject(parent), m_box(std::make_shared<StatusBox>())
{
    qRegisterMetaType<ReconcileStatus>();
    qRegisterMetaType<ReconcileReport>();
    m_worker = new ReconcileWorker(std::move(database), std::move(options), m_box);
    m_thread.setObjectName(QStringLiteral("qrt-reconcile"));
    m_worker->moveToThread(&m_thread);
    connect(&m_thread, &QThread::finished, m_worker, &QObject::deleteLater);
    connect(m_worker, &ReconcileWorker::statusChanged, this, &Reconciler::statusChanged);
    connect(m_worker, &ReconcileWorker::reconciled, this, &Reconciler::reconciled);
    connect(m_worker, &ReconcileWorker::stopped, this, [this] {
        // A stop() followed by start() before the cancelled run ended: the start stands.
        if (!m_started)
            emit stopped();
    });
    m_thread.start();
}

Reconciler::~Reconciler()
{
    QMetaObject::invokeMethod(m_worker, &ReconcileWorker::shutdown, Qt::BlockingQueuedConnection);
    m_thread.quit();
    m_thread.wait(); // the worker is deleted in its thread as it ends (its connection goes with it)
}

void Reconciler::start()
{
    m_started = true;
    QMetaObject::invokeMethod(m_worker, &ReconcileWorker::start, Qt::QueuedConnection);
}

void Reconciler::stop()
{
    m_started = false;
    QMetaObject::invokeMethod(m_worker, &ReconcileWorker::stop, Qt::QueuedConnection);
}

void Reconciler::setOptions(const ReconcilerOptions &options)
{
    QMetaObject::invokeMethod(m_worker, [w = m_worker, options] { w->setOptions(options); }, Qt::QueuedConnection);
}

void Reconciler::runNow()
{
    QMetaObject::invokeMethod(m_worker, &ReconcileWorker::runNow, Qt::QueuedConnection);
}

ReconcileStatus Reconciler::status() const
{
    QMutexLocker lock(&m_box->mutex);
    return m_box->status;
}

} // namespace qrt::reconcile
