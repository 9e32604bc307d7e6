#pragma once

#include <QMetaObject>
#include <QObject>
#include <QPointer>
#include <QThread>

#include <memory>

namespace qrt::db {
class Database;
}

namespace qrt::gui {

// Runs repository calls on its own thread (with that thread's own connection, as
// Database::connection() requires) and hands results back on the GUI thread, so a slow database
// never freezes a window. Jobs run one at a time in the order they were posted.
class DbWorker : public QObject
{
    Q_OBJECT
public:
    // threadName: how the thread shows in a debugger or `top -H` ("qrt-gui-db", "qrt-gui-scan").
    explicit DbWorker(std::shared_ptr<db::Database> database, QObject *parent = nullptr,
                      const QString &threadName = QStringLiteral("qrt-gui-db"));
    ~DbWorker() override;

    db::Database &database() const { return *m_database; }
    std::shared_ptr<db::Database> sharedDatabase() const { return m_database; }

    // work(Database&) runs on the worker thread; done(result) runs on this object's thread, and
    // only while context still exists (a closed dialog simply never hears back).
    template <typename Work, typename Done>
    void run(QObject *context, Work work, Done done)
    {
        QPointer<QObject> guard(context);
        auto database = m_database;
        QMetaObject::invokeMethod(
            m_target,
            [this, database, guard, work = std::move(work), done = std::move(done)]() mutable {
                auto result = work(*database);
                // Back to the GUI thread; the guard is only read there.
                QMetaObject::invokeMethod(
                    this,
                    [guard, done = std::move(done), result = std::move(result)]() mutable {
                        if (guard)
                            done(std::move(result));
                    },
                    Qt::QueuedConnection);
            },
            Qt::QueuedConnection);
    }

    // Blocks until every job posted before has run (their done() callbacks still come later, on
    // this thread). For an owner about to destroy what queued jobs use.
    void drain();

private:
    std::shared_ptr<db::Database> m_database;
    QThread m_thread;
    QObject *m_target = nullptr;
};

} // namespace qrt::gui
