#pragma once

#include "core/clock.h"
#include "core/config.h"
#include "db/database.h"

#include <QList>
#include <QMetaType>
#include <QObject>
#include <QString>
#include <QStringList>

#include <memory>

namespace qrt::ghl {
class GhlClient;
}

namespace qrt::outbox {

class OrderDelivery;

// One (order, field) that was not delivered in a pass, and why (shown in the listener panel).
struct OutboxFailure
{
    QString orderId;
    QString fieldId; // empty when the failure is the order's (no contact, QR could not be made ...)
    QString reason;  // a sentence for a user
};

// What one pass did. delivered: GHL confirmed a write in this pass. skipped: nothing to write
// (already delivered, found in GHL by the crash check, claimed by another station, superseded by
// a newer order of the same contact, adopted order). failed: with reasons, retried later.
struct OutboxReport
{
    int delivered = 0;
    int skipped = 0;
    int failed = 0;
    QList<OutboxFailure> failures;
    QStringList deliveredOrders; // order ids with at least one field delivered in this pass
};

struct QrOutboxOptions
{
    QString station;          // claimed_by in qr_outbox
    int concurrency = 4;      // orders in progress at once during a pass
    int leaseS = 60;          // a claim's lease (the database's clock decides)
};

// The QR outbox pass (PRODUCT.md section 3, "QR delivery" and "Never-lose rules"). Lives in a
// worker thread: create it, move it to its thread, call the slots there (queued). It owns its GHL
// client unless one is given (then it shares that client's rate limit; not owned).
//
// For every (order, mapped field) it delivers the order's QR exactly once: TEXT / LARGE_TEXT by
// PUT /contacts/{id} with the data URL, FILE_UPLOAD by POST /forms/upload-custom-files (file
// qr-<order_id>.png). Each (order, field) is claimed in qr_outbox with a lease of leaseS seconds
// and recorded delivered right after GHL confirmed. A row that was claimed before (a crash, an
// expired lease, a failure after which GHL may still have written) is first checked with
// GET /contacts/{id}: when the field already holds this order's QR it is recorded delivered
// without writing again. Two orders of one contact for one field: the newest order's QR stays
// (an older order is skipped as superseded once a newer one holds the field or is claimed).
// A product's ticket PDF field (FILE_UPLOAD) gets the order's ticket PDF (tickets-<order_id>.pdf)
// under the same rules, as its own (order, field) row.
//
// One pass at a time; a call while a pass runs is queued and run after it (order ids merged).
class QrOutbox : public QObject
{
    Q_OBJECT
public:
    QrOutbox(std::shared_ptr<db::Database> database, const core::GhlSettings &ghl, const core::QrSettings &qr,
             QrOutboxOptions options, const core::Clock &clock = core::SystemClock::instance(),
             QObject *parent = nullptr);
    // Shares `client` (its settings are the client's; setSettings() only changes the QR settings).
    QrOutbox(std::shared_ptr<db::Database> database, ghl::GhlClient *client, const core::QrSettings &qr,
             QrOutboxOptions options, const core::Clock &clock = core::SystemClock::instance(),
             QObject *parent = nullptr);
    ~QrOutbox() override;

    bool isRunning() const;

public Q_SLOTS:
    // These stored orders (e.g. those a sync just changed); unknown ids are skipped.
    void deliverForOrders(const QStringList &orderIds);
    // Every stored order with live or used tickets and a mapped product that lacks a delivered
    // QR for that product's field. Cancelled / refunded orders get none; an adopted order whose
    // qr_code_image the original system wrote (qr_pushed_at empty) counts as delivered.
    void deliverPending();
    // New GHL and QR settings (Settings dialog): used from the next request / QR on.
    void setSettings(const qrt::core::GhlSettings &ghl, const qrt::core::QrSettings &qr);
    // Stops the pass: requests in flight are cancelled (their rows' leases expire and are
    // re-checked next time); finished() follows with what was done.
    void cancel();

Q_SIGNALS:
    void finished(const qrt::outbox::OutboxReport &report);

private:
    struct Pass;
    void startPass();
    void next();
    void finishPass();
    ghl::GhlClient *client() const;

    std::shared_ptr<db::Database> m_database;
    core::QrSettings m_qr;
    QrOutboxOptions m_options;
    const core::Clock &m_clock;
    ghl::GhlClient *m_client = nullptr;
    bool m_ownsClient = false;
    core::GhlSettings m_ghl;
    std::unique_ptr<Pass> m_pass;
    bool m_queuedAll = false;
    QStringList m_queuedOrders;
    bool m_cancelled = false;
};

} // namespace qrt::outbox

Q_DECLARE_METATYPE(qrt::outbox::OutboxReport)
