#include "webhook/inboxworker.h"

#include "db/fieldmappingrepository.h"
#include "db/orderrepository.h"
#include "db/orderwriter.h"
#include "ghl/getorderjob.h"
#include "ghl/updatecontactfieldjob.h"
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
    QStringList pendingFields; // field ids sent in the PUT in flight
};

InboxWorker::InboxWorker(std::shared_ptr<db::Database> database, const core::GhlSettings &ghl,
                         const core::QrSettings &qr, InboxWorkerOptions options, const core::Clock &clock,
                         QObject *parent)
    : QObject(parent), m_database(std::move(database)), m_ghlSettings(ghl), m_qr(qr), m_options(std::move(options)),
      m_clock(clock)
{
    m_options.concurrency = std::max(1, m_options.concurrency);
    m_options.maxAttempts = std::max(1, m_options.maxAttempts);
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
    m_settle = new QTimer(this);
    m_settle->setSingleShot(true);
    m_settle->setInterval(std::max(0, m_options.settleMs));
    connect(m_settle, &QTimer::timeout, this, &InboxWorker::fill);
    db::InboxRepository repo(*m_database, m_clock);
    if (auto resumed = repo.resumeInterrupted(m_options.station); !resumed)
        qCWarning(lcWebhook).noquote() << "could not resume interrupted webhooks:" << resumed.error().toString();
    else if (resumed.value() > 0)
        qCInfo(lcWebhook) << "resuming" << resumed.value() << "webhook(s) interrupted by a stop or crash";
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
    if (ghl == m_ghlSettings)
        return;
    m_ghlSettings = ghl;
    if (m_client)
        m_client->setSettings(ghl);
}

void InboxWorker::fill()
{
    if (m_filling)
        return;
    m_filling = true;
    db::InboxRepository repo(*m_database, m_clock);
    while (m_running && !m_stopping && m_active.size() < m_options.concurrency) {
        auto claimed = repo.claimNext(m_options.station);
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
    pushFields(id);
}

void InboxWorker::pushFields(qint64 id)
{
    const std::shared_ptr<Task> task = m_active.value(id);
    if (!task)
        return;
    db::FieldMappingRepository mappings(*m_database);
    QList<ghl::ContactFieldValue> fields;
    QStringList fieldIds;
    for (const QString &product : std::as_const(task->products)) {
        auto mapping = mappings.forProduct(product);
        if (!mapping) {
            failTask(id, tr("Reading the field mapping of product %1 failed: %2").arg(product, mapping.error().toString()));
            return;
        }
        if (!mapping->has_value()) {
            task->warnings << tr("no custom field mapped for product %1: map it in Settings").arg(product);
            continue;
        }
        const QString fieldId = mapping->value().fieldId;
        if (task->item.pushed.contains(fieldId) || fieldIds.contains(fieldId))
            continue; // written by an earlier attempt (or another product of this order uses it)
        fields.append({ fieldId, task->dataUrl });
        fieldIds << fieldId;
    }
    if (fields.isEmpty()) {
        finishTask(id);
        return;
    }
    if (task->contactId.isEmpty()) {
        task->warnings << tr("the webhook and order %1 name no contact: the QR code was not written to GHL")
                              .arg(task->order.orderId);
        finishTask(id);
        return;
    }
    task->pendingFields = fieldIds;
    ghl::UpdateContactFieldJob *job = m_client->updateContactFields(task->contactId, fields);
    connect(job, &ghl::GhlJob::finished, this, [this, job, id] {
        const std::shared_ptr<Task> t = m_active.value(id);
        if (!t)
            return;
        if (!job->ok()) {
            failTask(id, tr("Writing the QR code to contact %1 failed: %2").arg(t->contactId, job->error().toString()));
            return;
        }
        db::InboxRepository repo(*m_database, m_clock);
        // Recorded at once: from here on a retry or a restart skips these fields.
        if (auto r = repo.markPushed(id, t->pendingFields); !r) {
            failTask(id, tr("Recording the contact update failed: %1").arg(r.error().toString()));
            return;
        }
        t->item.pushed << t->pendingFields;
        t->pendingFields.clear();
        finishTask(id);
    });
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
    if (auto r = repo.markDone(id, warning); !r) {
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
    bool dead = permanent;
    if (permanent) {
        if (auto r = repo.markDead(id, error); !r)
            qCWarning(lcWebhook).noquote() << "could not record the failure of webhook" << id << ':' << r.error().toString();
    } else {
        auto state = repo.markFailed(id, error, m_options.maxAttempts, m_options.backoff);
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
