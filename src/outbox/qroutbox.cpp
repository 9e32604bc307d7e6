#include "outbox/qroutbox.h"

#include "ghl/ghlclient.h"

#include <QMetaObject>

namespace qrt::outbox {

// Work in progress: the pass itself lands in the next commits; this lets callers build.
struct QrOutbox::Pass
{
    OutboxReport report;
};

QrOutbox::QrOutbox(std::shared_ptr<db::Database> database, const core::GhlSettings &ghl, const core::QrSettings &qr,
                   QrOutboxOptions options, const core::Clock &clock, QObject *parent)
    : QObject(parent), m_database(std::move(database)), m_qr(qr), m_options(std::move(options)), m_clock(clock),
      m_ownsClient(true), m_ghl(ghl)
{
    qRegisterMetaType<OutboxReport>();
}

QrOutbox::QrOutbox(std::shared_ptr<db::Database> database, ghl::GhlClient *client, const core::QrSettings &qr,
                   QrOutboxOptions options, const core::Clock &clock, QObject *parent)
    : QObject(parent), m_database(std::move(database)), m_qr(qr), m_options(std::move(options)), m_clock(clock),
      m_client(client)
{
    qRegisterMetaType<OutboxReport>();
}

QrOutbox::~QrOutbox() = default;

bool QrOutbox::isRunning() const
{
    return m_pass != nullptr;
}

void QrOutbox::deliverForOrders(const QStringList &)
{
    QMetaObject::invokeMethod(this, [this] { emit finished({}); }, Qt::QueuedConnection);
}

void QrOutbox::deliverPending()
{
    QMetaObject::invokeMethod(this, [this] { emit finished({}); }, Qt::QueuedConnection);
}

void QrOutbox::setSettings(const core::GhlSettings &ghl, const core::QrSettings &qr)
{
    m_ghl = ghl;
    m_qr = qr;
}

void QrOutbox::cancel()
{
    m_cancelled = true;
}

void QrOutbox::startPass() { }
void QrOutbox::next() { }
void QrOutbox::finishPass() { }

ghl::GhlClient *QrOutbox::client() const
{
    return m_client;
}

} // namespace qrt::outbox
