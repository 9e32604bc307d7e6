#pragma once

#include "core/result.h"
#include "db/database.h"

#include <QDateTime>
#include <QHash>
#include <QString>
#include <QStringList>

#include <optional>

namespace qrt::outbox {

enum class OutboxState { Pending, Claimed, Delivered, Failed, Superseded };
QString toString(OutboxState state);

// What a row delivers to its field (qr_outbox.kind, migration 22): the order's QR, or its ticket PDF.
enum class OutboxKind { Qr, TicketPdf };
QString toString(OutboxKind kind); // "qr", "pdf"

// A row of qr_outbox: one (order, contact custom field).
struct OutboxRow
{
    QString orderId;
    QString fieldId;
    QString contactId;
    QString fieldType;
    OutboxState state = OutboxState::Pending;
    int attempts = 0;
    QDateTime leaseUntil;
    QString claimedBy;
    QDateTime deliveredAt;
    QString deliveredValue;
    QString lastError;
    OutboxKind kind = OutboxKind::Qr;
};

// What claim() found.
struct OutboxClaim
{
    enum Outcome {
        Claimed,          // the caller holds the row until the lease ends
        AlreadyDelivered, // recorded delivered before
        Superseded,       // a newer order of the same contact holds (or is writing) this field
        Busy,             // another claim's lease is still running
    };
    Outcome outcome = Claimed;
    int attempts = 0;   // claims so far, this one included (Claimed)
    QString holder;     // claimed_by of the running claim (Busy)
    // Claimed before (a crash, an expired lease, a failed attempt after which GHL may still have
    // written): ask GHL what the field holds before writing it again.
    bool needsCheck() const { return outcome == Claimed && attempts > 1; }
};

// qr_outbox (migration 0006). Every lease is computed by the database from its own clock
// (now() / strftime('now')), never from a station's: two stations with different clocks agree on
// whether a claim has expired.
class OutboxRepository
{
public:
    explicit OutboxRepository(db::Database &db) : m_db(db) { }

    core::Result<std::optional<OutboxRow>> get(const QString &orderId, const QString &fieldId);

    // Takes (order, field) for delivery of `kind` to `contactId` for leaseS seconds (creating the
    // row). A row that delivered (or was to deliver) the other kind does not count as this one: it
    // switches to `kind` as one more attempt (so the claim checks GHL's field first), unless a live
    // claim of the other kind holds it (Busy).
    core::Result<OutboxClaim> claim(const QString &orderId, const QString &fieldId, const QString &contactId,
                                    const QString &fieldType, const QString &station, int leaseS,
                                    OutboxKind kind = OutboxKind::Qr);
    // The newer order of `contactId` whose QR is in the field or is to be written to it (any row
    // but a superseded one, of an order not cancelled or refunded); empty when there is none.
    core::Result<QString> newerHolder(const QString &orderId, const QString &contactId, const QString &fieldId);
    // Gives up `claimedBy`'s claim because the newer order holds the field (never written again).
    core::Result<bool> supersede(const QString &orderId, const QString &fieldId, const QString &claimedBy,
                                 const QString &newerOrderId);
    // Keeps the claims of `station` on these fields of the order for another leaseS seconds.
    // Returns the fields whose claim it still held (a field left out was lost: not to be written).
    core::Result<QStringList> renew(const QString &orderId, const QStringList &fieldIds, const QString &station, int leaseS);
    // At start-up: the claims `station` left behind (a crash of this station's worker) end now, so
    // they are taken again (with the GHL check) at once instead of after their lease. Returns how many.
    core::Result<int> releaseClaims(const QString &station);
    // The claimed_by of every claimed row.
    core::Result<QStringList> claimers();
    // GHL confirmed the write (or the crash check found it there): never written again. Changes
    // the row only while `claimedBy` holds its claim (or nobody does: pending, failed); false when
    // it changed nothing (the claim was lost to another station).
    core::Result<bool> markDelivered(const QString &orderId, const QString &fieldId, const QString &value,
                                     const QString &claimedBy);
    // The attempt failed: the next claim may take it at once (and checks GHL first). With
    // `claimedBy`: only while that claim holds the row. Without (a failure before any claim, e.g.
    // the field is gone from GHL): only a row nobody holds (none, pending, failed, an expired
    // claim), so a live claim of another station is never cut short. False when nothing changed.
    core::Result<bool> markFailed(const QString &orderId, const QString &fieldId, const QString &contactId,
                                  const QString &error, const QString &claimedBy = {},
                                  OutboxKind kind = OutboxKind::Qr);
    // A delivery made before this table existed (the original system's qr_code_image, or
    // webhook_inbox.pushed): recorded delivered unless the row says otherwise already.
    core::Result<void> recordKnown(const QString &orderId, const QString &fieldId, const QString &contactId,
                                   const QString &value);

    // Stored orders that lack a delivered QR (or ticket PDF, for a product with a ticket PDF field)
    // for a mapped field of one of their products (a row of the other kind does not count): live or
    // used tickets, not cancelled or refunded, not adopted (qr_code_image written by the original
    // system, qr_pushed_at empty). Oldest first (GHL createdAt), so that for two orders of one
    // contact the newest is written last.
    core::Result<QStringList> pendingOrders();
    // The contact of each of these stored orders (unknown ids are left out).
    core::Result<QHash<QString, QString>> contactsOf(const QStringList &orderIds);
    // How many stored orders of `productId` would get their ticket PDF uploaded to `pdfFieldId` by
    // the next pass (pendingOrders' rules): the past buyers a newly set ticket PDF field reaches.
    core::Result<int> ticketPdfBacklog(const QString &productId, const QString &pdfFieldId);

private:
    QString leaseExpr() const; // now + :lease_s (bind m_db.secondsValue())
    db::Database &m_db;
};

} // namespace qrt::outbox
