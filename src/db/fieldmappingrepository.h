#pragma once

#include "core/result.h"
#include "db/database.h"

#include <QDateTime>
#include <QList>
#include <optional>

namespace qrt::db {

// ghl_qr_fields: which contact custom field receives the QR code of which product (event).
struct FieldMapping
{
    qint64 id = 0;
    QString productId;
    QString fieldId;
    QString fieldName;
    // The field's GHL dataType when it was mapped (TEXT, LARGE_TEXT, FILE_UPLOAD, ...); empty for
    // a mapping without one (adopted from the original system, or made before migration 7):
    // resolve it from GET /locations/{id}/customFields (ghl::GhlClient::listCustomFields).
    QString fieldType;
    QDateTime createdAt;
    // A second field (migration 16) for the buyer's ticket PDF (tickets-<order_id>.pdf, one page
    // per ticket with the QR of its own code); always FILE_UPLOAD. Empty: no ticket PDF.
    QString ticketPdfFieldId;
    QString ticketPdfFieldName;
};

// How the QR code of a field of this dataType is delivered (PRODUCT.md section 3).
enum class QrDelivery {
    Unknown,    // no type stored: look it up in GHL's custom field list first
    DataUrl,    // TEXT / LARGE_TEXT: the data URL string through PUT /contacts/{id}
    FileUpload, // FILE_UPLOAD: the PNG through POST /forms/upload-custom-files
    Unsupported // any other type: a failure with a reason, not a delivery
};
QrDelivery qrDeliveryFor(const QString &fieldType);

// One product's mapping as the Settings dialog leaves it; an empty fieldId means "no QR field".
struct FieldMappingChange
{
    QString productId;
    QString fieldId;
    QString fieldName;
    QString fieldType; // the field's dataType as GHL listed it; may be empty
    QString ticketPdfFieldId; // empty: no ticket PDF field
    QString ticketPdfFieldName;
};

class FieldMappingRepository
{
public:
    explicit FieldMappingRepository(Database &db) : m_db(db) { }

    core::Result<QList<FieldMapping>> list();
    core::Result<std::optional<FieldMapping>> forProduct(const QString &productId);
    // fieldType: the field's dataType (empty: not known, stored as NULL).
    core::Result<void> upsert(const QString &productId, const QString &fieldId, const QString &fieldName,
                              const QString &fieldType = {});
    // The product's ticket PDF field (empty fieldId: none). The product must have a QR mapping:
    // false when it has none (nothing changed).
    core::Result<bool> setTicketPdfField(const QString &productId, const QString &fieldId, const QString &fieldName);
    // Stores the dataType of every mapping to fieldId (e.g. resolved from GHL's custom field list
    // for an adopted mapping); returns how many mappings changed.
    core::Result<int> setFieldType(const QString &fieldId, const QString &fieldType);
    core::Result<bool> remove(const QString &productId);
    // Sets (or, for an empty fieldId, removes) each product's mapping in one transaction: all
    // of them are saved or none.
    core::Result<void> apply(const QList<FieldMappingChange> &changes);

private:
    Database &m_db;
};

} // namespace qrt::db
