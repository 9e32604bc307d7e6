#include "outbox/qroutbox.h"

#include "ghl/ghlclient.h"
#include "outbox/fieldcatalog.h"
#include "outbox/orderdelivery.h"
#include "outbox/outboxrepository.h"

#include <QCoreApplication>
#include <QHash>
#include <QSet>
#include <QTimer>

namespace qrt::outbox {

struct QrOutbox::Pass
{
    QStringList queue;              // order ids still to start, oldest first
    QHash<QString, QString> contact; // order id -> contact id
    QSet<QString> busyContacts;     // a contact's orders go one after the other (newest last)
    QList<QPointer<OrderDelivery>> running;
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

ghl::GhlClient *QrOutbox::client() const
{
    return m_client;
}

void QrOutbox::deliverForOrders(const QStringList &orderIds)
{
    for (const QString &id : orderIds) {
        if (!m_queuedOrders.contains(id))
            m_queuedOrders << id;
    }
    if (!m_pass)
        QTimer::singleShot(0, this, &QrOutbox::startPass);
}

void QrOutbox::deliverPending()
{
    m_queuedAll = true;
    if (!m_pass)
        QTimer::singleShot(0, this, &QrOutbox::startPass);
}

void QrOutbox::setSettings(const core::GhlSettings &ghl, const core::QrSettings &qr)
{
    m_qr = qr;
    m_ghl = ghl;
    if (m_ownsClient && m_client)
        m_client->setSettings(ghl);
    if (auto *catalog = findChild<FieldCatalog *>())
        catalog->invalidate();
}

void QrOutbox::cancel()
{
    // Work queued for the next pass (also a pass not started yet) is dropped.
    m_queuedAll = false;
    m_queuedOrders.clear();
    if (!m_pass)
        return;
    m_cancelled = true;
    m_pass->queue.clear();
    for (const QPointer<OrderDelivery> &d : std::as_const(m_pass->running)) {
        if (d)
            d->cancel();
    }
}

void QrOutbox::startPass()
{
    if (m_pass || (!m_queuedAll && m_queuedOrders.isEmpty()))
        return;
    if (!m_client) {
        m_client = new ghl::GhlClient(m_ghl, &m_clock, this);
        m_ownsClient = true;
    }
    if (!findChild<FieldCatalog *>())
        new FieldCatalog(60000, this);
    findChild<FieldCatalog *>()->invalidate(); // one fresh look at the field types per pass
    m_cancelled = false;
    m_pass = std::make_unique<Pass>();
    OutboxRepository repo(*m_database);
    QStringList orders = std::exchange(m_queuedOrders, {});
    if (std::exchange(m_queuedAll, false)) {
        auto pending = repo.pendingOrders();
        if (!pending) {
            m_pass->report.failed++;
            m_pass->report.failures.append({ QString(), QString(), pending.error().toString() });
        } else {
            for (const QString &id : pending.value()) {
                if (!orders.contains(id))
                    orders << id;
            }
        }
    }
    auto contacts = repo.contactsOf(orders);
    if (!contacts) {
        m_pass->report.failed++;
        m_pass->report.failures.append({ QString(), QString(), contacts.error().toString() });
        orders.clear();
    } else {
        m_pass->contact = contacts.value();
        for (const QString &id : std::as_const(orders)) {
            if (m_pass->contact.contains(id))
                m_pass->queue << id;
            else
                m_pass->report.skipped++; // not stored (yet): nothing to deliver
        }
    }
    next();
}

void QrOutbox::next()
{
    if (!m_pass)
        return;
    Pass &pass = *m_pass;
    pass.running.removeIf([](const QPointer<OrderDelivery> &d) { return d.isNull(); });
    for (qsizetype i = 0; i < pass.queue.size() && pass.running.size() < std::max(1, m_options.concurrency);) {
        const QString orderId = pass.queue.at(i);
        const QString contact = pass.contact.value(orderId);
        if (!contact.isEmpty() && pass.busyContacts.contains(contact)) {
            ++i; // after the running order of the same contact
            continue;
        }
        pass.queue.removeAt(i);
        if (!contact.isEmpty())
            pass.busyContacts.insert(contact);
        DeliveryContext ctx { m_database.get(), m_client, findChild<FieldCatalog *>(), m_qr, m_options.station,
                              m_options.leaseS };
        auto *delivery = new OrderDelivery(ctx, DeliveryRequest { orderId, {}, {}, {} }, this);
        pass.running << delivery;
        connect(delivery, &OrderDelivery::finished, this, [this, contact, delivery](const DeliveryResult &result) {
            if (!m_pass)
                return;
            m_pass->running.removeAll(QPointer<OrderDelivery>(delivery));
            m_pass->busyContacts.remove(contact);
            OutboxReport &report = m_pass->report;
            const int delivered = result.count(FieldOutcome::Delivered);
            report.delivered += delivered;
            report.skipped += result.count(FieldOutcome::Skipped);
            if (delivered > 0)
                report.deliveredOrders << result.orderId;
            if (!result.error.isEmpty()) {
                report.failed++;
                report.failures.append({ result.orderId, QString(), result.error });
            }
            for (const FieldOutcome &f : result.fields) {
                if (f.kind == FieldOutcome::Failed) {
                    report.failed++;
                    report.failures.append({ result.orderId, f.fieldId, f.reason });
                }
            }
            QTimer::singleShot(0, this, &QrOutbox::next);
        });
        delivery->start();
    }
    pass.running.removeIf([](const QPointer<OrderDelivery> &d) { return d.isNull(); });
    if (pass.queue.isEmpty() && pass.running.isEmpty())
        finishPass();
}

void QrOutbox::finishPass()
{
    if (!m_pass)
        return;
    const OutboxReport report = m_pass->report;
    m_pass.reset();
    qCInfo(lcOutbox).noquote() << "QR outbox pass:" << report.delivered << "delivered," << report.skipped << "skipped,"
                               << report.failed << "failed";
    emit finished(report);
    if (!m_cancelled && (m_queuedAll || !m_queuedOrders.isEmpty()))
        QTimer::singleShot(0, this, &QrOutbox::startPass);
}

} // namespace qrt::outbox
