#include "gui/dbworker.h"

#include "db/database.h"

namespace qrt::gui {

DbWorker::DbWorker(std::shared_ptr<db::Database> database, QObject *parent, const QString &threadName)
    : QObject(parent), m_database(std::move(database))
{
    m_thread.setObjectName(threadName);
    m_target = new QObject;
    m_target->moveToThread(&m_thread);
    connect(&m_thread, &QThread::finished, m_target, &QObject::deleteLater);
    m_thread.start();
}

void DbWorker::drain()
{
    if (m_thread.isRunning() && QThread::currentThread() != &m_thread)
        QMetaObject::invokeMethod(m_target, [] {}, Qt::BlockingQueuedConnection);
}

DbWorker::~DbWorker()
{
    // Jobs still queued are dropped; the one running finishes, its connection closes with the thread.
    m_thread.quit();
    m_thread.wait();
}

} // namespace qrt::gui
