#include "db/connectionprobe.h"

#include "db/database.h"

#include <QPointer>
#include <QThread>

namespace qrt::db {

OpenResult openAndCheck(const QString &url)
{
    auto database = Database::open(url);
    if (!database)
        return database.error();
    if (auto check = database.value()->check(); !check)
        return check.error();
    return database.value();
}

QThread *tryOpenAsync(const QString &url, QObject *context, std::function<void(OpenResult)> done,
                      std::function<OpenResult(const QString &url)> open)
{
    Q_ASSERT(context);
    if (!open)
        open = &openAndCheck;
    QPointer<QObject> guard(context); // copied across threads, but only read on context's thread
    QThread *thread = QThread::create([guard, url, open = std::move(open), done = std::move(done)]() mutable {
        OpenResult result = open(url);
        // Back through this thread's QThread object: it lives on context's thread and is deleted
        // (deleteLater on finished, posted after this call) only once this call was delivered.
        QMetaObject::invokeMethod(
            QThread::currentThread(),
            [guard, done = std::move(done), result = std::move(result)]() mutable {
                if (guard)
                    done(std::move(result));
            },
            Qt::QueuedConnection);
    });
    if (thread->thread() != context->thread())
        thread->moveToThread(context->thread());
    QObject::connect(thread, &QThread::finished, thread, &QObject::deleteLater);
    thread->start();
    return thread;
}

} // namespace qrt::db
