#include "sync/syncengine.h"

#include "db/database.h"
#include "sync/logging.h"
#include "sync/syncrun.h"
#include "sync/syncwriter.h"

#include <QSemaphore>
#include <QThread>

namespace qrt::sync {

SyncEngine::SyncEngine(std::shared_ptr<db::Database> database, QObject *parent)
    : SyncEngine(std::move(database), core::SystemClock::instance(), parent)
{
}

SyncEngine::SyncEngine(std::shared_ptr<db::Database> database, const core::Clock &clock, QObject *parent)
    : QObject(parent), m_database(std::move(database)), m_clock(clock)
{
    registerSyncMetaTypes();
    qRegisterMetaType<qrt::sync::RunStart>();
    qRegisterMetaType<qrt::sync::BatchOutcome>();
    qRegisterMetaType<QList<qrt::core::Order>>();
}

SyncEngine::~SyncEngine()
{
    if (m_running) {
        if (m_writer)
            m_writer->abortRetries();
        if (m_run)
            QMetaObject::invokeMethod(m_run, &SyncRun::cancel, Qt::BlockingQueuedConnection);
        // The cancelled run still records itself in sync_runs (writer thread); give it a moment
        // so the row does not stay 'running'. Neither thread needs ours for that.
        if (m_runDone)
            m_runDone->tryAcquire(1, 10000);
    }
    stopThreads();
}

bool SyncEngine::start(const SyncRequest &request)
{
    if (m_running) {
        qCWarning(lcSync) << "a sync is already running; start() ignored";
        return false;
    }
    stopThreads();
    m_running = true;
    m_progress = {};

    m_netThread = new QThread(this);
    m_netThread->setObjectName(QStringLiteral("qrt-sync-net"));
    m_dbThread = new QThread(this);
    m_dbThread->setObjectName(QStringLiteral("qrt-sync-db"));

    auto *run = new SyncRun(request, m_clock);
    auto *writer = new SyncWriter(m_database, request);
    run->moveToThread(m_netThread);
    writer->moveToThread(m_dbThread);
    m_run = run;
    m_writer = writer;
    // Objects die in their own thread as it ends (the writer's connection goes with its thread).
    connect(m_netThread, &QThread::finished, run, &QObject::deleteLater);
    connect(m_dbThread, &QThread::finished, writer, &QObject::deleteLater);

    connect(run, &SyncRun::beginRequested, writer, &SyncWriter::begin);
    connect(run, &SyncRun::writeRequested, writer, &SyncWriter::write);
    connect(run, &SyncRun::endRequested, writer, &SyncWriter::end);
    connect(writer, &SyncWriter::begun, run, &SyncRun::onBegun);
    connect(writer, &SyncWriter::written, run, &SyncRun::onWritten);
    connect(writer, &SyncWriter::ended, run, &SyncRun::onEnded);
    connect(run, &SyncRun::progressChanged, writer, &SyncWriter::noteProgress);

    connect(run, &SyncRun::started, this, &SyncEngine::started);
    connect(run, &SyncRun::progressChanged, this, [this](const SyncProgress &p) {
        m_progress = p;
        Q_EMIT progressChanged(p);
    });
    connect(run, &SyncRun::orderFailed, this, &SyncEngine::orderFailed);
    connect(run, &SyncRun::finished, this, &SyncEngine::onRunFinished);
    m_runDone = std::make_shared<QSemaphore>();
    connect(run, &SyncRun::finished, run, [done = m_runDone] { done->release(); }, Qt::DirectConnection);

    m_dbThread->start();
    m_netThread->start();
    QMetaObject::invokeMethod(run, &SyncRun::run, Qt::QueuedConnection);
    return true;
}

void SyncEngine::cancel()
{
    if (!m_running)
        return;
    if (m_writer)
        m_writer->abortRetries();
    if (m_run)
        QMetaObject::invokeMethod(m_run, &SyncRun::cancel, Qt::QueuedConnection);
}

void SyncEngine::onRunFinished(const SyncSummary &summary)
{
    m_running = false;
    m_progress.phase = SyncPhase::Done;
    m_progress.etaMs = 0;
    stopThreads();
    Q_EMIT finished(summary);
}

void SyncEngine::stopThreads()
{
    // Both threads are idle here (the run finished, or was cancelled and waited for); quitting
    // runs the deleteLater of their objects inside them.
    for (QThread *t : { m_netThread, m_dbThread }) {
        if (!t)
            continue;
        t->quit();
        t->wait();
        delete t;
    }
    m_netThread = nullptr;
    m_dbThread = nullptr;
    m_writer = nullptr;
}

} // namespace qrt::sync
