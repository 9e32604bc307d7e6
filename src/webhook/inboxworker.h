#pragma once

#include "core/clock.h"
#include "core/config.h"
#include "db/database.h"
#include "db/inboxrepository.h"
#include "ghl/ghlclient.h"

#include <QHash>
#include <QJsonObject>
#include <QElapsedTimer>
#include <QObject>
#include <QPointer>
#include <QTimer>

namespace qrt::outbox {
class FieldCatalog;
}

#include <memory>
#include <optional>

namespace qrt::webhook {

struct InboxWorkerOptions
{
    QString station;          // the actor of ticket events (shown to users)
    // claimed_by in webhook_inbox and qr_outbox: this process's own id; empty: core::instanceId(station)
    QString instance;
    int concurrency = 4;      // events in progress at once
    // An event is dead (kept with its last error until someone retries it) only once deadAfterS
    // have passed since its attempts began: a GHL outage of hours is waited out. maxAttempts > 0
    // also makes it dead after that many attempts (tests; 0: no cap).
    qint64 deadAfterS = 24 * 3600;
    int maxAttempts = 0;
    db::InboxBackoff backoff; // between attempts of one event (capped at 10 minutes by default)
    int leaseS = 60;          // a 'processing' event's lease, renewed while it is worked on
    int pollIntervalMs = 1000; // for retries that fall due and events other stations committed
    // Acknowledging comes first: after wake() the worker waits until no webhook has arrived for
    // settleMs before it claims, so a burst is answered before it is worked on; but never longer
    // than maxSettleMs after the first wake, so a steady stream is still worked on. 0: at once.
    int settleMs = 50;
    int maxSettleMs = 1000;
    std::optional<ghl::RetryPolicy> ghlRetry; // per-request retries inside one attempt
    int stopGraceMs = 10000; // stop(): GHL requests still running after this are cancelled (retried later)
};

// Works the webhook inbox off the GUI thread. For each claimed event:
//   1. GET the order from GHL and save it with its tickets (db::OrderWriter: the sync's write path,
//      idempotent, so a repeated attempt never duplicates tickets);
//   2. make the QR PNG data URL of [qr] url_template for the order;
//   3. deliver it through the QR outbox (outbox::OrderDelivery) to the custom field of every
//      product of the event that has a field mapping: TEXT / LARGE_TEXT by PUT /contacts/{id},
//      FILE_UPLOAD by upload, exactly once per (order, field) however often the event is worked
//      on (fields webhook_inbox.pushed recorded before the outbox count as delivered);
//   4. store the image in ghl_qr_orders.qr_code_image and mark the event done.
// A claimed event holds a lease (leaseS, the database's clock) renewed while it is worked on;
// once it expires (a crash, kill -9, a lost database) any worker of any station claims it again.
// A product without a field mapping does not stop the event: the order is still synced and the
// event ends 'done' with a warning "no custom field mapped for product X ..." (the listener panel
// shows it; after mapping the product, Retry pushes the missing field). Any other failure makes
// the attempt fail; it is retried with capped exponential backoff and jitter, and after
// deadAfterS the event is 'dead' with its last error until someone retries it by hand.
//
// Create it, move it to its thread, then call start() there (it creates its GhlClient in that
// thread). stop() lets the events in progress finish, then emits stopped().
class InboxWorker : public QObject
{
    Q_OBJECT
public:
    InboxWorker(std::shared_ptr<db::Database> database, const core::GhlSettings &ghl, const core::QrSettings &qr,
                InboxWorkerOptions options, const core::Clock &clock = core::SystemClock::instance(),
                QObject *parent = nullptr);
    ~InboxWorker() override;

    const InboxWorkerOptions &options() const { return m_options; }

public Q_SLOTS:
    // Resumes events a crash left 'processing', then starts working.
    void start();
    // A commit just happened: look for work once the burst it belongs to has settled.
    void wake();
    // Stop claiming; emits stopped() once the events in progress are finished.
    void stop();
    // New GHL and QR settings (a token or [qr] template changed in Settings): used from the next
    // GHL request and the next QR code on, also for the events already in progress.
    void setSettings(const qrt::core::GhlSettings &ghl, const qrt::core::QrSettings &qr);

Q_SIGNALS:
    void started();
    void eventProcessed(qint64 id, const QString &orderId, const QString &warning, const QJsonObject &details);
    void eventFailed(qint64 id, const QString &orderId, const QString &error, bool dead);
    void stopped();

private:
    struct Task;
    void fill();
    void begin(const db::InboxItem &item);
    void onOrderFetched(qint64 taskId);
    void deliver(qint64 taskId);
    void renewLeases();
    void finishTask(qint64 taskId);
    void failTask(qint64 taskId, const QString &error, bool permanent = false);
    void release(qint64 taskId);

    std::shared_ptr<db::Database> m_database;
    core::GhlSettings m_ghlSettings;
    core::QrSettings m_qr;
    InboxWorkerOptions m_options;
    const core::Clock &m_clock;
    ghl::GhlClient *m_client = nullptr;
    QTimer *m_poll = nullptr;
    QTimer *m_settle = nullptr;
    QTimer *m_renew = nullptr;
    outbox::FieldCatalog *m_catalog = nullptr;
    QElapsedTimer m_settlingSince;
    QHash<qint64, std::shared_ptr<Task>> m_active;
    bool m_running = false;
    bool m_stopping = false;
    bool m_filling = false;
};

} // namespace qrt::webhook
