#pragma once

#include "core/clock.h"
#include "core/config.h"
#include "core/order.h"
#include "db/database.h"
#include "outbox/outboxrepository.h"

#include <QList>
#include <QLoggingCategory>
#include <QObject>
#include <QPointer>
#include <QStringList>

class QTimer;

Q_DECLARE_LOGGING_CATEGORY(lcOutbox)

namespace qrt::ghl {
class GhlClient;
}

namespace qrt::outbox {

class FieldCatalog;

// What to deliver: one stored order's QR to the fields mapped to its products, and its ticket PDF
// to the products' ticket PDF fields (ghl_qr_fields.ticket_pdf_field_id, FILE_UPLOAD).
struct DeliveryRequest
{
    QString orderId;
    QString contactId;       // empty: the stored order's
    QStringList productIds;  // empty: the stored order's line items (or its event id)
    QStringList alreadyPushed; // field ids webhook_inbox.pushed recorded before the outbox existed
    QString dataUrl;         // the order's QR when the caller made it already; empty: made here
    bool storeImage = true;  // after a delivery, store the QR in qr_code_image (and qr_pushed_at)
};

struct FieldOutcome
{
    enum Kind { Delivered, Skipped, Failed };
    QString fieldId;
    Kind kind = Skipped;
    QString reason; // why skipped or failed
    bool retryLater = false; // Skipped because another claim runs: look again later
    bool ticketPdf = false;  // the field of the ticket PDF (else of the order's QR)
};

struct DeliveryResult
{
    QString orderId;
    QString contactId;
    QString dataUrl;           // the order's QR, when it could be made
    QList<FieldOutcome> fields;
    QStringList warnings;      // e.g. a product without a mapped field; no contact
    QString error;             // the order could not be worked on at all (no such order, database ...)

    int count(FieldOutcome::Kind kind) const;
    bool failed() const { return !error.isEmpty() || count(FieldOutcome::Failed) > 0; }
    QStringList reasons() const; // the error and every failed field's reason
};

struct DeliveryContext
{
    db::Database *database = nullptr;
    ghl::GhlClient *client = nullptr;
    FieldCatalog *catalog = nullptr;
    core::QrSettings qr;
    QString station;
    int leaseS = 60;
};

// Delivers one order's QR to each of its mapped fields, exactly once per (order, field) through
// qr_outbox: claim with a lease (renewed while GHL works), check GHL first when the row was
// claimed before, write (TEXT / LARGE_TEXT: one PUT /contacts/{id} for all of them; FILE_UPLOAD:
// one upload each), record delivered at once. A product's ticket PDF field gets the order's
// ticket PDF (tickets::renderTicketPdf, file tickets-<order_id>.pdf) under the same rules: its own
// qr_outbox row, the check compares the file name. Not for an adopted order (the original
// system's: its tickets are printed from the order page). Emits finished() once, then deletes itself.
class OrderDelivery : public QObject
{
    Q_OBJECT
public:
    OrderDelivery(DeliveryContext context, DeliveryRequest request, QObject *parent = nullptr);
    ~OrderDelivery() override;

    void start();
    // GHL requests in flight are aborted; claimed fields are released as failed ("cancelled").
    void cancel();

Q_SIGNALS:
    void finished(const qrt::outbox::DeliveryResult &result);

private:
    struct Target
    {
        QString fieldId;
        QString fieldType;
        bool done = false;
        bool ticketPdf = false;
    };
    void withFields();
    void deliver();
    void send();
    // Renews the claims; a target whose claim was lost is dropped while nothing was sent for it.
    void renewClaims();
    void sendText(const QList<Target> &targets);
    void sendFile(const Target &target);
    // Draws the ticket PDF (once) for the ticket PDF targets; false (they are recorded failed) when
    // it cannot be made.
    bool makeTicketPdf();
    void recordDelivered(const Target &target, const QString &value);
    // claimed: the target was claimed by this delivery (else the row is written only when nobody
    // holds it).
    void recordFailed(const Target &target, const QString &reason, bool claimed = true);
    void skip(const QString &fieldId, const QString &reason, bool retryLater = false);
    void fieldDone();
    void finish();
    QString fileName(const Target &target) const;

    DeliveryContext m_ctx;
    DeliveryRequest m_request;
    DeliveryResult m_result;
    QList<Target> m_targets; // claimed, to write
    QStringList m_mappedFields;
    QStringList m_pdfFields; // the products' ticket PDF fields
    core::Order m_order;
    QByteArray m_png;
    QByteArray m_pdf;
    int m_open = 0;
    bool m_finished = false;
    bool m_cancelled = false;
    bool m_sent = false; // the writes went out: a lost claim can no longer stop them
    QTimer *m_renew = nullptr;
    QList<QPointer<QObject>> m_jobs;
};

} // namespace qrt::outbox

Q_DECLARE_METATYPE(qrt::outbox::DeliveryResult)
