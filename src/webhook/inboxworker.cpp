#include "webhook/inboxworker.h"

#include "core/instanceid.h"

#include "db/fieldmappingrepository.h"
#include "db/orderrepository.h"
#include "db/orderwriter.h"
#include "ghl/getorderjob.h"
#include "outbox/fieldcatalog.h"
#include "outbox/orderdelivery.h"
#include "outbox/outboxrepository.h"
#include "qr/qrcode.h"
#include "webhook/webhooklogging.h"
#include "webhook/webhookpayload.h"

#include <QCoreApplication>

#ifdef Q_OS_LINUX
#include <sys/resource.h>
#include <sys/syscall.h>
#include <unistd.h>
#endif

namespace qrt::webhook {

struct InboxWorker::Task
{
    db::InboxItem item;
    WebhookEvent event;
    core::Order order;
    QString contactId;
    QStringList products;
    QString dataUrl;
    QStringList warnings;
    int ticketsAdded = 0;
    QPointer<outbox::OrderDelivery> delivery;
};

InboxWorker::InboxWorker(std::shared_ptr<db::Database> database, const core::GhlSettings &ghl,
                         const core::QrSettings &qr, InboxWorkerOptions options, const core::Clock &clock,
                         QObject *parent)
    : QObject(parent), m_database(std::move(database)), m_ghlSettings(ghl), m_qr(qr), m_options(std::move(options)),
      m_clock(clock)
{
    m_options.concurrency = std::max(1, m_options.concurrency);
    m_options.maxAttempts = std::max(0, m_options.maxAttempts);
    m_options.leaseS = std::max(3, m_options.leaseS);
    if (m_options.instance.isEmpty())
        m_options.instance = core::instanceId(m_options.station);
}

InboxWorker::~InboxWorker() = default;

void InboxWorker::start()
{
    if (m_running)
        return;
#ifdef Q_OS_LINUX
    // Answering webhooks comes first: under CPU pressure the scheduler prefers the listener and
    // the commits; the work here waits on GHL most of the time anyway. (QThread priorities have
    // no effect under Linux's default scheduler; a thread's nice value does.)
    setpriority(PRIO_PROCESS, static_cast<id_t>(::syscall(SYS_gettid)), 5);
#endif
    m_client = new ghl::GhlClient(m_ghlSettings, &m_clock, this);
    if (m_options.ghlRetry)
        m_client->setRetryPolicy(*m_options.ghlRetry);
    m_poll = new QTimer(this);
    m_poll->setInterval(std::max(50, m_options.pollIntervalMs));
    connect(m_poll, &QTimer::timeout, this, [this] {
        if (!m_settle->isActive()) // a burst is arriving: the settle timer fills when it is over
            fill();
    });
    m_catalog = new outbox::FieldCatalog(60000, this);
    // The leases of the events in progress are renewed well before they run out; a worker that
    // is gone (kill -9, a hung machine) stops renewing and its events are claimed again.
    m_renew = new QTimer(this);
    m_renew->setInterval(std::max(1, m_options.leaseS / 3) * 1000);
    connect(m_renew, &QTimer::timeout, this, &InboxWorker::renewLeases);
    m_renew->start();
    m_settle = new QTimer(this);
    m_settle->setSingleShot(true);
    m_settle->setInterval(std::max(0, m_options.settleMs));
    connect(m_settle, &QTimer::timeout, this, &InboxWorker::fill);
    db::InboxRepository repo(*m_database, m_clock);
    // Claims of this process, and of processes of this machine that no longer run (a crash,
    // kill -9), are taken again at once; another live process's claims (even one with this
    // station name) are left to their leases.
    QStringList gone { m_options.instance };
    if (auto claimers = repo.claimers(); claimers) {
        for (const QString &c : claimers.value()) {
            if (core::isDeadLocalInstance(c) && !gone.contains(c))
                gone << c;
        }
    }
    for (const QString &c : std::as_const(gone)) {
        if (auto resumed = repo.resumeInterrupted(c); !resumed)
            qCWarning(lcWebhook).noquote() << "could not resume interrupted webhooks:" << resumed.error().toString();
        else if (resumed.value() > 0)
            qCInfo(lcWebhook) << "resuming" << resumed.value() << "webhook(s) interrupted by a stop or crash";
    }
    // QR deliveries such a process had claimed: checked with GHL and finished now.
    outbox::OutboxRepository outboxRepo(*m_database);
    QStringList goneOutbox { m_options.instance };
    if (auto claimers = outboxRepo.claimers(); claimers) {
        for (const QString &c : claimers.value()) {
            if (core::isDeadLocalInstance(c) && !goneOutbox.contains(c))
                goneOutbox << c;
        }
    }
    for (const QString &c : std::as_const(goneOutbox)) {
        if (auto released = outboxRepo.releaseClaims(c); !released)
            qCWarning(lcWebhook).noquote() << "could not resume interrupted QR deliveries:" << released.error().toString();
    }
    m_running = true;
    m_stopping = false;
    m_poll->start();
    emit started();
    // Like a webhook's arrival: what is already waiting, and whatever raced with this start,
    // is claimed once the listener has had its settle time.
    wake();
}

void InboxWorker::wake()
{
    if (!m_running || m_stopping)
        return;
    if (m_options.settleMs <= 0) {
        fill();
        return;
    }
    if (!m_settle->isActive())
        m_settlingSince.start();
    if (m_settlingSince.elapsed() >= m_options.maxSettleMs) {
        m_settle->stop();
        fill();
        return;
    }
    m_settle->start(); // restarts the wait: the burst is still coming
}

void InboxWorker::stop()
{
    if (!m_running) {
        emit stopped();
        return;
    }
    m_stopping = true;
    if (m_poll)
        m_poll->stop();
    if (m_settle)
        m_settle->stop();
    if (m_active.isEmpty()) {
        m_running = false;
        emit stopped();
        return;
    }
    // A GHL that does not answer must not hold the shutdown for minutes of retries: what is still
    // in flight after the grace time is cancelled, recorded as a failed attempt and retried later.
    QTimer::singleShot(std::max(0, m_options.stopGraceMs), this, [this] {
        if (m_stopping && m_client && !m_active.isEmpty()) {
            qCInfo(lcWebhook) << "cancelling" << m_active.size() << "webhook(s) still waiting for GHL at shutdown";
            m_client->cancelAll();
        }
    });
}

void InboxWorker::setSettings(const core::GhlSettings &ghl, const core::QrSettings &qr)
{
    m_qr = qr;
    if (m_catalog)
        m_catalog->invalidate(); // the field types are read again (another location, another token)
    if (ghl == m_ghlSettings)
        return;
    m_ghlSettings = ghl;
    if (m_client)
        m_client->setSettings(ghl);
    // A token fixed in Settings: what failed with the old one is tried again now, not after its backoff.
    db::InboxRepository repo(*m_database, m_clock);
    if (auto r = repo.makeFailedDue(); !r)
        qCWarning(lcWebhook).noquote() << "could not retry the failed webhooks:" << r.error().toString();
    else if (r.value() > 0)
        qCInfo(lcWebhook) << "GHL settings changed: retrying" << r.value() << "failed webhook(s) now";
    wake();
}

void InboxWorker::renewLeases()
{
    if (m_active.isEmpty())
        return;
    db::InboxRepository repo(*m_database, m_clock);
    if (auto r = repo.renewLeases(m_active.keys(), m_options.instance, m_options.leaseS); !r)
        qCWarning(lcWebhook).noquote() << "could not renew the webhook leases:" << r.error().toString();
}

void InboxWorker::fill()
{
    if (m_filling)
        return;
    m_filling = true;
    db::InboxRepository repo(*m_database, m_clock);
    while (m_running && !m_stopping && m_active.size() < m_options.concurrency) {
        auto claimed = repo.claimNext(m_options.instance, m_options.leaseS);
        if (!claimed) {
            // The database is away: the poll timer tries again.
            qCWarning(lcWebhook).noquote() << "could not read the webhook inbox:" << claimed.error().toString();
            break;
        }
        if (!claimed->has_value())
            break;
        begin(claimed->value());
    }
    m_filling = false;
}

void InboxWorker::begin(const db::InboxItem &item)
{
    auto task = std::make_shared<Task>();
    task->item = item;
    m_active.insert(item.id, task);
    const qint64 id = item.id;

    auto parsed = parseWebhookPayload(item.body);
    if (!parsed) {
        // The listener parsed it before storing; only a hand-edited row gets here. It can never work.
        failTask(id, tr("The stored webhook cannot be read: %1").arg(parsed.error().message), true);
        return;
    }
    task->event = parsed.value();
    ghl::GetOrderJob *job = m_client->getOrder(task->event.orderId);
    connect(job, &ghl::GhlJob::finished, this, [this, job, id] {
        auto it = m_active.find(id);
        if (it == m_active.end())
            return;
        if (!job->ok()) {
            failTask(id, tr("Fetching order %1 from GHL failed: %2").arg(job->orderId(), job->error().toString()));
            return;
        }
        it.value()->order = job->order();
        onOrderFetched(id);
    });
}

void InboxWorker::onOrderFetched(qint64 id)
{
    const std::shared_ptr<Task> task = m_active.value(id);
    if (!task)
        return;
    db::OrderWriter writer(*m_database);
    auto saved = writer.save({ task->order }, m_options.station);
    if (!saved) {
        failTask(id, tr("Saving order %1 failed: %2").arg(task->order.orderId, saved.error().toString()));
        return;
    }
    for (const db::ReconcileResult &r : saved.value())
        task->ticketsAdded += r.added;

    task->contactId = task->event.contactId.isEmpty() ? task->order.contactId : task->event.contactId;
    task->products = task->event.productIds;
    if (task->products.isEmpty()) {
        for (const core::OrderItem &i : std::as_const(task->order.items)) {
            if (!i.productId.isEmpty() && !task->products.contains(i.productId))
                task->products << i.productId;
        }
    }
    auto dataUrl = qr::QrEncoder::orderDataUrl(m_qr, task->order.orderId);
    if (!dataUrl) {
        failTask(id, tr("The QR code of order %1 could not be made: %2").arg(task->order.orderId, dataUrl.error().toString()));
        return;
    }
    task->dataUrl = dataUrl.value();
    deliver(id);
}

void InboxWorker::deliver(qint64 id)
{
    const std::shared_ptr<Task> task = m_active.value(id);
    if (!task)
        return;
    outbox::DeliveryContext ctx { m_database.get(), m_client, m_catalog, m_qr, m_options.instance, m_options.leaseS };
    outbox::DeliveryRequest request { task->order.orderId, task->contactId, task->products, task->item.pushed,
                                      task->dataUrl, false };
    auto *delivery = new outbox::OrderDelivery(ctx, request, this);
    task->delivery = delivery;
    connect(delivery, &outbox::OrderDelivery::finished, this, [this, id](const outbox::DeliveryResult &result) {
        const std::shared_ptr<Task> t = m_active.value(id);
        if (!t)
            return;
        t->warnings << result.warnings;
        if (result.failed()) {
            failTask(id, result.reasons().join(QStringLiteral("; ")));
            return;
        }
        for (const outbox::FieldOutcome &f : result.fields) {
            if (f.retryLater) {
                // Another worker holds the field's claim: look again once its lease could have ended.
                failTask(id, tr("The QR code of order %1 is being delivered by %2; checked again later")
                                 .arg(t->order.orderId, f.reason));
                return;
            }
        }
        finishTask(id);
    });
    delivery->start();
}

void InboxWorker::finishTask(qint64 id)
{
    const std::shared_ptr<Task> task = m_active.value(id);
    if (!task)
        return;
    db::OrderRepository orders(*m_database);
    if (auto r = orders.setQrImage(task->order.orderId, task->dataUrl, m_clock.now()); !r) {
        failTask(id, tr("Storing the QR code of order %1 failed: %2").arg(task->order.orderId, r.error().toString()));
        return;
    }
    const QString warning = task->warnings.join(QStringLiteral("; "));
    db::InboxRepository repo(*m_database, m_clock);
    if (auto r = repo.markDone(id, warning, m_options.instance); !r) {
        // The work is done and idempotent; the event stays 'processing' and is resumed later.
        qCWarning(lcWebhook).noquote() << "could not mark webhook" << id << "done:" << r.error().toString();
        release(id);
        return;
    }
    if (warning.isEmpty())
        qCInfo(lcWebhook).noquote() << "webhook" << id << "processed: order" << task->order.orderId;
    else
        qCWarning(lcWebhook).noquote() << "webhook" << id << "processed with a warning: order" << task->order.orderId
                                       << '-' << warning;
    QJsonObject details { { QStringLiteral("source"), QStringLiteral("webhook") },
                          { QStringLiteral("ticketsAdded"), task->ticketsAdded },
                          { QStringLiteral("tickets"), task->order.ticketCount() },
                          { QStringLiteral("contactId"), task->contactId } };
    if (!warning.isEmpty())
        details.insert(QStringLiteral("warning"), warning);
    emit eventProcessed(id, task->order.orderId, warning, details);
    release(id);
}

void InboxWorker::failTask(qint64 id, const QString &error, bool permanent)
{
    const std::shared_ptr<Task> task = m_active.value(id);
    if (!task)
        return;
    db::InboxRepository repo(*m_database, m_clock);
    bool dead = permanent || (m_options.maxAttempts > 0 && task->item.attempts >= m_options.maxAttempts);
    if (dead) {
        if (auto r = repo.markDead(id, error, m_options.instance); !r)
            qCWarning(lcWebhook).noquote() << "could not record the failure of webhook" << id << ':' << r.error().toString();
    } else {
        auto state = repo.markFailedUntil(id, error, m_options.deadAfterS, m_options.backoff, m_options.instance);
        if (!state)
            qCWarning(lcWebhook).noquote() << "could not record the failure of webhook" << id << ':' << state.error().toString();
        else
            dead = state.value() == db::InboxState::Dead;
    }
    if (dead)
        qCWarning(lcWebhook).noquote() << "webhook" << id << "is dead after" << task->item.attempts << "attempt(s):" << error;
    else
        qCInfo(lcWebhook).noquote() << "webhook" << id << "attempt" << task->item.attempts << "failed, will retry:" << error;
    emit eventFailed(id, task->item.orderId, error, dead);
    release(id);
}

void InboxWorker::release(qint64 id)
{
    m_active.remove(id);
    if (m_stopping) {
        if (m_active.isEmpty() && m_running) {
            m_running = false;
            emit stopped();
        }
        return;
    }
    // Queued: a finished() handler should not claim the next event from inside itself.
    QMetaObject::invokeMethod(this, &InboxWorker::fill, Qt::QueuedConnection);
}

} // namespace qrt::webhook
