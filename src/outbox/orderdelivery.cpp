#include "outbox/orderdelivery.h"

#include "core/instanceid.h"
#include "db/fieldmappingrepository.h"
#include "db/orderrepository.h"
#include "db/ticketrepository.h"
#include "ghl/getcontactjob.h"
#include "ghl/ghlclient.h"
#include "ghl/updatecontactfieldjob.h"
#include "ghl/uploadcustomfilesjob.h"
#include "outbox/fieldcatalog.h"
#include "qr/qrcode.h"
#include "tickets/ticketpdf.h"

#include <QCoreApplication>
#include <QCryptographicHash>
#include <QJsonDocument>
#include <QJsonArray>
#include <QLoggingCategory>
#include <QTimer>

Q_LOGGING_CATEGORY(lcOutbox, "qrt.outbox")

namespace qrt::outbox {

namespace {
struct Tr
{
    Q_DECLARE_TR_FUNCTIONS(qrt::outbox::OrderDelivery)
};

const QString kText = QStringLiteral("TEXT");
const QString kLargeText = QStringLiteral("LARGE_TEXT");
const QString kFileUpload = QStringLiteral("FILE_UPLOAD");

QString textValue(const QString &dataUrl)
{
    return QStringLiteral("sha256:")
        + QString::fromLatin1(QCryptographicHash::hash(dataUrl.toUtf8(), QCryptographicHash::Sha256).toHex());
}

// A field's value as JSON text (a FileField object, an array of them, or a string).
QString jsonText(const QJsonValue &v)
{
    if (v.isString())
        return v.toString();
    return QString::fromUtf8(QJsonDocument(QJsonArray { v }).toJson(QJsonDocument::Compact));
}
} // namespace

int DeliveryResult::count(FieldOutcome::Kind kind) const
{
    return int(std::count_if(fields.cbegin(), fields.cend(), [kind](const FieldOutcome &f) { return f.kind == kind; }));
}

QStringList DeliveryResult::reasons() const
{
    QStringList out;
    if (!error.isEmpty())
        out << error;
    for (const FieldOutcome &f : fields) {
        if (f.kind == FieldOutcome::Failed)
            out << f.reason;
    }
    return out;
}

OrderDelivery::OrderDelivery(DeliveryContext context, DeliveryRequest request, QObject *parent)
    : QObject(parent), m_ctx(std::move(context)), m_request(std::move(request))
{
    m_result.orderId = m_request.orderId;
}

OrderDelivery::~OrderDelivery() = default;

QString OrderDelivery::fileName(const Target &target) const
{
    return target.ticketPdf ? tickets::ticketPdfFileName(m_request.orderId) : QStringLiteral("qr-%1.png").arg(m_request.orderId);
}

void OrderDelivery::start()
{
    db::Database &database = *m_ctx.database;
    db::OrderRepository orders(database);
    auto row = orders.get(m_request.orderId);
    if (!row || !row->has_value()) {
        m_result.error = row ? Tr::tr("Order %1 is not stored.").arg(m_request.orderId)
                             : Tr::tr("Reading order %1 failed: %2").arg(m_request.orderId, row.error().toString());
        QTimer::singleShot(0, this, &OrderDelivery::finish);
        return;
    }
    m_order = row->value().order;
    const core::Order &order = m_order;
    if (order.isVoid()) {
        // Cancelled or refunded: no QR code goes out (PRODUCT.md, "Never-lose rules").
        m_result.warnings << Tr::tr("order %1 is cancelled or refunded: no QR code was written to GHL")
                                 .arg(m_request.orderId);
        QTimer::singleShot(0, this, &OrderDelivery::finish);
        return;
    }
    m_result.contactId = m_request.contactId.isEmpty() ? order.contactId : m_request.contactId;
    QStringList products = m_request.productIds;
    if (products.isEmpty()) {
        for (const core::OrderItem &i : order.items) {
            if (!i.productId.isEmpty() && !products.contains(i.productId))
                products << i.productId;
        }
        if (products.isEmpty() && !order.eventId.isEmpty())
            products << order.eventId;
    }
    db::FieldMappingRepository mappings(database);
    for (const QString &product : std::as_const(products)) {
        auto mapping = mappings.forProduct(product);
        if (!mapping) {
            m_result.error = Tr::tr("Reading the field mapping of product %1 failed: %2").arg(product, mapping.error().toString());
            QTimer::singleShot(0, this, &OrderDelivery::finish);
            return;
        }
        if (!mapping->has_value() || mapping->value().fieldId.isEmpty()) {
            m_result.warnings << Tr::tr("no custom field mapped for product %1: map it in Settings").arg(product);
            continue;
        }
        if (!m_mappedFields.contains(mapping->value().fieldId))
            m_mappedFields << mapping->value().fieldId;
        const QString pdfField = mapping->value().ticketPdfFieldId;
        if (!pdfField.isEmpty() && !m_pdfFields.contains(pdfField))
            m_pdfFields << pdfField;
    }
    // One field holds one thing: a field that is some product's QR field gets no ticket PDF.
    for (qsizetype i = 0; i < m_pdfFields.size();) {
        if (!m_mappedFields.contains(m_pdfFields.at(i))) {
            ++i;
            continue;
        }
        m_result.warnings << Tr::tr("custom field %1 is mapped for a QR code and for the ticket PDF: only the QR code "
                                    "goes there; map another field for the ticket PDF in Settings")
                                 .arg(m_pdfFields.at(i));
        m_pdfFields.removeAt(i);
    }
    if (!m_mappedFields.isEmpty() && m_result.contactId.isEmpty()) {
        m_result.warnings << Tr::tr("the webhook and order %1 name no contact: the QR code was not written to GHL")
                                 .arg(m_request.orderId);
        m_mappedFields.clear();
        m_pdfFields.clear();
    }
    OutboxRepository outbox(database);
    // Written by the original system (qr_code_image without our push time): counts as delivered.
    const bool adopted = !order.qrCodeImage.isEmpty() && !order.qrPushedAt.isValid();
    if (adopted && !m_pdfFields.isEmpty()) {
        // The original system sent what it sent; its buyers' tickets are printed from the order page.
        for (const QString &fieldId : std::as_const(m_pdfFields))
            m_result.fields.append({ fieldId, FieldOutcome::Skipped, Tr::tr("an order of the original system: no ticket PDF"),
                                     false, true });
        m_pdfFields.clear();
    }
    QStringList remaining;
    for (const QString &fieldId : std::as_const(m_mappedFields)) {
        const bool pushed = m_request.alreadyPushed.contains(fieldId);
        if (adopted || pushed) {
            if (auto r = outbox.recordKnown(m_request.orderId, fieldId, m_result.contactId,
                                            adopted ? QStringLiteral("adopted") : QStringLiteral("webhook_inbox.pushed"));
                !r) {
                m_result.fields.append({ fieldId, FieldOutcome::Failed, r.error().toString() });
                continue;
            }
            skip(fieldId, adopted ? Tr::tr("written by the original system") : Tr::tr("written by an earlier attempt"));
            continue;
        }
        remaining << fieldId;
    }
    m_mappedFields = remaining;
    if (m_mappedFields.isEmpty() && m_pdfFields.isEmpty()) {
        QTimer::singleShot(0, this, &OrderDelivery::finish);
        return;
    }
    auto dataUrl = m_request.dataUrl.isEmpty() ? qr::QrEncoder::orderDataUrl(m_ctx.qr, m_request.orderId)
                                               : core::Result<QString>(m_request.dataUrl);
    if (!dataUrl) {
        m_result.error = Tr::tr("The QR code of order %1 could not be made: %2").arg(m_request.orderId, dataUrl.error().toString());
        QTimer::singleShot(0, this, &OrderDelivery::finish);
        return;
    }
    m_result.dataUrl = dataUrl.value();
    m_png = QByteArray::fromBase64(m_result.dataUrl.section(u',', 1).toLatin1());
    m_ctx.catalog->fetch(m_ctx.client, [self = QPointer<OrderDelivery>(this)](const core::Result<FieldCatalog::Fields> &fields) {
        if (!self)
            return;
        if (self->m_cancelled) { // nothing claimed yet: nothing to release
            self->finish();
            return;
        }
        if (!fields) {
            for (const QString &f : std::as_const(self->m_mappedFields))
                self->recordFailed({ f, QString() }, fields.error().message, false);
            for (const QString &f : std::as_const(self->m_pdfFields))
                self->recordFailed({ f, QString(), false, true }, fields.error().message, false);
            self->finish();
            return;
        }
        OutboxRepository repo(*self->m_ctx.database);
        QList<Target> wanted;
        for (const QString &fieldId : std::as_const(self->m_mappedFields))
            wanted.append({ fieldId, QString(), false, false });
        for (const QString &fieldId : std::as_const(self->m_pdfFields))
            wanted.append({ fieldId, QString(), false, true });
        for (const Target &want : std::as_const(wanted)) {
            const QString &fieldId = want.fieldId;
            const auto it = fields->constFind(fieldId);
            if (it == fields->cend()) {
                self->recordFailed({ fieldId, QString(), false, want.ticketPdf },
                                   Tr::tr("custom field %1 (mapped for order %2) no longer exists in GHL: map another field "
                                          "in Settings")
                                       .arg(fieldId, self->m_request.orderId),
                                   false);
                continue;
            }
            const QString type = it->dataType.toUpper();
            if (want.ticketPdf && type != kFileUpload) {
                self->recordFailed({ fieldId, type, false, true },
                                   Tr::tr("custom field %1 is of type %2; the ticket PDF goes into a File upload field: "
                                          "map another field in Settings")
                                       .arg(it->name.isEmpty() ? fieldId : it->name, it->dataType),
                                   false);
                continue;
            }
            if (type != kText && type != kLargeText && type != kFileUpload) {
                self->recordFailed({ fieldId, type },
                                   Tr::tr("custom field %1 is of type %2; a QR code goes into a Text, Large text or File "
                                          "upload field: map another field in Settings")
                                       .arg(it->name.isEmpty() ? fieldId : it->name, it->dataType),
                                   false);
                continue;
            }
            // A row of the other kind (the field held the QR and is now the ticket PDF's, or the
            // reverse) is no delivery of this one: claim() switches it and the check runs first.
            auto claim = repo.claim(self->m_request.orderId, fieldId, self->m_result.contactId, type,
                                    self->m_ctx.station, self->m_ctx.leaseS,
                                    want.ticketPdf ? OutboxKind::TicketPdf : OutboxKind::Qr);
            if (!claim) {
                self->m_result.fields.append({ fieldId, FieldOutcome::Failed, claim.error().toString(), false, want.ticketPdf });
                continue;
            }
            switch (claim->outcome) {
            case OutboxClaim::AlreadyDelivered:
                self->skip(fieldId, Tr::tr("already delivered"));
                break;
            case OutboxClaim::Superseded:
                self->skip(fieldId, Tr::tr("a newer order of this contact holds the field"));
                break;
            case OutboxClaim::Busy:
                self->skip(fieldId, Tr::tr("being delivered by %1").arg(core::stationOfInstance(claim->holder)), true);
                break;
            case OutboxClaim::Claimed:
                self->m_targets.append({ fieldId, type, false, want.ticketPdf });
                if (claim->needsCheck())
                    self->m_targets.last().done = true; // marks "check first" until deliver() runs
                break;
            }
        }
        self->deliver();
    });
}

void OrderDelivery::deliver()
{
    if (m_targets.isEmpty()) {
        finish();
        return;
    }
    m_renew = new QTimer(this);
    m_renew->setInterval(std::max(1, m_ctx.leaseS / 3) * 1000);
    connect(m_renew, &QTimer::timeout, this, &OrderDelivery::renewClaims);
    m_renew->start();
    const bool check = std::any_of(m_targets.cbegin(), m_targets.cend(), [](const Target &t) { return t.done; });
    for (Target &t : m_targets)
        t.done = false;
    if (!check) {
        send();
        return;
    }
    // Claimed before: a crash (or a lost answer) may have come after GHL wrote. Ask what the
    // fields hold; what already holds this order's QR is recorded, not written again.
    ghl::GetContactJob *job = m_ctx.client->getContact(m_result.contactId);
    m_jobs << job;
    connect(job, &ghl::GhlJob::finished, this, [this, job] {
        if (!job->ok()) {
            const QString reason = Tr::tr("Reading contact %1 from GHL (to check an interrupted delivery) failed: %2")
                                       .arg(m_result.contactId, job->error().toString());
            for (const Target &t : std::as_const(m_targets))
                recordFailed(t, reason);
            m_targets.clear();
            finish();
            return;
        }
        QList<Target> still;
        for (const Target &t : std::as_const(m_targets)) {
            const QJsonValue value = job->customFieldValue(t.fieldId);
            const bool there = t.fieldType == kFileUpload ? jsonText(value).contains(fileName(t))
                                                          : value.toString() == m_result.dataUrl;
            if (there) {
                OutboxRepository repo(*m_ctx.database);
                const QString v = t.fieldType == kFileUpload ? fileName(t) : textValue(m_result.dataUrl);
                auto r = repo.markDelivered(m_request.orderId, t.fieldId, v, m_ctx.station);
                if (!r) {
                    m_result.fields.append({ t.fieldId, FieldOutcome::Failed, r.error().toString() });
                    continue;
                }
                if (!r.value())
                    qCWarning(lcOutbox).noquote() << "order" << m_request.orderId << "field" << t.fieldId
                                                  << ": the claim was lost before the check was recorded";
                qCInfo(lcOutbox).noquote() << "order" << m_request.orderId << "field" << t.fieldId << "already holds"
                                           << fileName(t) << "(an interrupted delivery): not written again";
                skip(t.fieldId, Tr::tr("found in GHL after an interrupted delivery"));
            } else {
                still << t;
            }
        }
        m_targets = still;
        send();
    });
}

void OrderDelivery::renewClaims()
{
    QStringList open;
    for (const Target &t : std::as_const(m_targets))
        open << t.fieldId;
    if (open.isEmpty())
        return;
    OutboxRepository repo(*m_ctx.database);
    auto held = repo.renew(m_request.orderId, open, m_ctx.station, m_ctx.leaseS);
    if (!held) {
        qCWarning(lcOutbox).noquote() << "could not renew the QR delivery claim of order" << m_request.orderId << ':'
                                      << held.error().toString();
        return;
    }
    if (m_sent)
        return;
    for (qsizetype i = 0; i < m_targets.size();) {
        if (held->contains(m_targets.at(i).fieldId)) {
            ++i;
            continue;
        }
        // The lease ran out (a stalled station) and another claim took the row: it writes.
        qCWarning(lcOutbox).noquote() << "order" << m_request.orderId << "field" << m_targets.at(i).fieldId
                                      << ": the claim was lost before writing; left to its new holder";
        skip(m_targets.at(i).fieldId, Tr::tr("claimed by another station meanwhile"), true);
        m_targets.removeAt(i);
    }
}

void OrderDelivery::send()
{
    renewClaims(); // right before writing: only what this delivery still holds goes out
    // Two orders of one contact claimed at once: the older one gives the field up to the newer.
    OutboxRepository repo(*m_ctx.database);
    for (qsizetype i = 0; i < m_targets.size();) {
        auto newer = repo.newerHolder(m_request.orderId, m_result.contactId, m_targets.at(i).fieldId);
        if (!newer || newer->isEmpty()) {
            ++i;
            continue;
        }
        if (auto r = repo.supersede(m_request.orderId, m_targets.at(i).fieldId, m_ctx.station, newer.value()); !r)
            qCWarning(lcOutbox).noquote() << "could not record the superseded QR delivery of order" << m_request.orderId
                                          << ':' << r.error().toString();
        skip(m_targets.at(i).fieldId, Tr::tr("a newer order of this contact holds the field"));
        m_targets.removeAt(i);
    }
    if (m_cancelled) {
        for (const Target &t : std::as_const(m_targets))
            recordFailed(t, Tr::tr("cancelled before the QR code of order %1 was written").arg(m_request.orderId));
        m_targets.clear();
    }
    if (!makeTicketPdf()) {
        m_targets.removeIf([](const Target &t) { return t.ticketPdf; });
    }
    m_sent = true;
    if (m_targets.isEmpty()) {
        finish();
        return;
    }
    QList<Target> text;
    for (const Target &t : std::as_const(m_targets)) {
        if (t.fieldType == kFileUpload)
            sendFile(t);
        else
            text << t;
    }
    if (!text.isEmpty())
        sendText(text);
}

void OrderDelivery::sendText(const QList<Target> &targets)
{
    QList<ghl::ContactFieldValue> values;
    for (const Target &t : targets)
        values.append({ t.fieldId, m_result.dataUrl });
    ++m_open;
    ghl::UpdateContactFieldJob *job = m_ctx.client->updateContactFields(m_result.contactId, values);
    m_jobs << job;
    connect(job, &ghl::GhlJob::finished, this, [this, job, targets] {
        for (const Target &t : targets) {
            if (job->ok())
                recordDelivered(t, textValue(m_result.dataUrl));
            else
                recordFailed(t, Tr::tr("Writing the QR code to contact %1 failed: %2").arg(m_result.contactId, job->error().toString()));
        }
        fieldDone();
    });
}

bool OrderDelivery::makeTicketPdf()
{
    const bool wanted = std::any_of(m_targets.cbegin(), m_targets.cend(), [](const Target &t) { return t.ticketPdf; });
    if (!wanted || !m_pdf.isEmpty())
        return true;
    auto tickets = db::TicketRepository(*m_ctx.database).forOrder(m_request.orderId);
    core::Result<QByteArray> pdf = tickets ? tickets::renderTicketPdf(m_order, tickets.value()) : core::Result<QByteArray>(tickets.error());
    if (pdf) {
        m_pdf = pdf.value();
        return true;
    }
    const QString reason = Tr::tr("The ticket PDF of order %1 could not be made: %2").arg(m_request.orderId, pdf.error().message);
    for (const Target &t : std::as_const(m_targets)) {
        if (t.ticketPdf)
            recordFailed(t, reason);
    }
    return false;
}

void OrderDelivery::sendFile(const Target &target)
{
    ++m_open;
    ghl::UploadCustomFilesJob *job =
        target.ticketPdf ? m_ctx.client->uploadCustomFile(m_result.contactId, target.fieldId, fileName(target), m_pdf,
                                                          QByteArrayLiteral("application/pdf"))
                         : m_ctx.client->uploadCustomFile(m_result.contactId, target.fieldId, fileName(target), m_png);
    m_jobs << job;
    connect(job, &ghl::GhlJob::finished, this, [this, job, target] {
        if (job->ok())
            recordDelivered(target, fileName(target));
        else if (target.ticketPdf)
            recordFailed(target, Tr::tr("Uploading the ticket PDF to contact %1 failed: %2").arg(m_result.contactId, job->error().toString()));
        else
            recordFailed(target, Tr::tr("Uploading the QR code to contact %1 failed: %2").arg(m_result.contactId, job->error().toString()));
        fieldDone();
    });
}

void OrderDelivery::recordDelivered(const Target &target, const QString &value)
{
    OutboxRepository repo(*m_ctx.database);
    // Right after GHL confirmed: a crash before this line is caught by the check of the next claim.
    auto r = repo.markDelivered(m_request.orderId, target.fieldId, value, m_ctx.station);
    if (!r) {
        m_result.fields.append({ target.fieldId, FieldOutcome::Failed,
                                 Tr::tr("The QR code reached GHL but recording it failed: %1").arg(r.error().toString()),
                                 false, target.ticketPdf });
        return;
    }
    if (!r.value())
        qCWarning(lcOutbox).noquote() << "order" << m_request.orderId << "field" << target.fieldId
                                      << ": written to GHL after its claim was lost; the new holder checks GHL first";
    m_result.fields.append({ target.fieldId, FieldOutcome::Delivered, QString(), false, target.ticketPdf });
}

void OrderDelivery::recordFailed(const Target &target, const QString &reason, bool claimed)
{
    OutboxRepository repo(*m_ctx.database);
    if (auto r = repo.markFailed(m_request.orderId, target.fieldId, m_result.contactId, reason,
                                 claimed ? m_ctx.station : QString(),
                                 target.ticketPdf ? OutboxKind::TicketPdf : OutboxKind::Qr);
        !r)
        qCWarning(lcOutbox).noquote() << "could not record the failed QR delivery of order" << m_request.orderId << ':'
                                      << r.error().toString();
    m_result.fields.append({ target.fieldId, FieldOutcome::Failed, reason, false, target.ticketPdf });
}

void OrderDelivery::skip(const QString &fieldId, const QString &reason, bool retryLater)
{
    m_result.fields.append({ fieldId, FieldOutcome::Skipped, reason, retryLater });
}

void OrderDelivery::fieldDone()
{
    if (--m_open <= 0)
        finish();
}

void OrderDelivery::cancel()
{
    m_cancelled = true;
    for (const QPointer<QObject> &j : std::as_const(m_jobs)) {
        if (auto *job = qobject_cast<ghl::GhlJob *>(j.data()))
            job->abort();
    }
}

void OrderDelivery::finish()
{
    if (m_finished)
        return;
    m_finished = true;
    if (m_renew)
        m_renew->stop();
    // qr_code_image and qr_pushed_at say the order's QR went out: not for a ticket PDF alone.
    const bool qrDelivered = std::any_of(m_result.fields.cbegin(), m_result.fields.cend(), [](const FieldOutcome &f) {
        return f.kind == FieldOutcome::Delivered && !f.ticketPdf;
    });
    if (m_request.storeImage && qrDelivered) {
        db::OrderRepository orders(*m_ctx.database);
        if (auto r = orders.setQrImage(m_request.orderId, m_result.dataUrl, QDateTime::currentDateTimeUtc()); !r)
            qCWarning(lcOutbox).noquote() << "could not store the QR code of order" << m_request.orderId << ':'
                                          << r.error().toString();
    }
    emit finished(m_result);
    deleteLater();
}

} // namespace qrt::outbox
