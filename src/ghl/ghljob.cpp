#include "ghl/ghljob.h"

#include "ghl/ghlclient.h"

#include <QCoreApplication>
#include <QTimer>

namespace qrt::ghl {

GhlJob::GhlJob(GhlClient *client, QObject *parent)
    : QObject(parent ? parent : client)
    , m_client(client)
{
}

GhlJob::~GhlJob()
{
    if (m_client && !m_finished)
        m_client->forget(this);
}

void GhlJob::start()
{
    if (m_started)
        return;
    m_started = true;
    if (!m_client) {
        finish(GhlError::make(GhlError::Kind::Cancelled, 0,
                              QCoreApplication::translate("qrt::ghl::GhlJob",
                                                          "The request was cancelled: the GHL connection is gone.")));
        return;
    }
    m_client->enqueue(this);
}

void GhlJob::abort()
{
    if (m_finished)
        return;
    if (m_client && m_started) {
        m_client->abortJob(this);
        return;
    }
    m_started = true;
    finish(GhlError::make(GhlError::Kind::Cancelled, 0,
                          QCoreApplication::translate("qrt::ghl::GhlJob", "The request to GHL was cancelled.")));
}

QString GhlJob::describe() const
{
    const Request r = m_request.path.isEmpty() ? buildRequest() : m_request;
    return QString::fromLatin1(r.verb) + u' ' + r.path;
}

GhlError GhlJob::malformed(const QString &what) const
{
    return GhlError::make(GhlError::Kind::Malformed, 0,
                          QCoreApplication::translate("qrt::ghl::GhlJob", "GHL answered with malformed data: %1.").arg(what),
                          describe());
}

void GhlJob::finish(const GhlError &error)
{
    if (m_finished)
        return;
    m_finished = true;
    m_error = error;
    if (m_retryTimer) {
        m_retryTimer->stop();
        m_retryTimer->deleteLater();
        m_retryTimer = nullptr;
    }
    // Always from the event loop: callers may connect after start(), and cancelAll() must
    // not re-enter their slots while it walks its lists.
    QMetaObject::invokeMethod(
        this,
        [this] {
            Q_EMIT finished();
            deleteLater();
        },
        Qt::QueuedConnection);
}

} // namespace qrt::ghl
