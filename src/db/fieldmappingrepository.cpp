#include "db/fieldmappingrepository.h"

#include <QCoreApplication>

namespace qrt::db {

namespace {
// Q_DECLARE_TR_FUNCTIONS gives lupdate and the program the same context for Tr::tr().
struct Tr
{
    Q_DECLARE_TR_FUNCTIONS(qrt::db::FieldMappingRepository)
};

const QString kColumns =
    QStringLiteral("id, product_id, field_id, field_name, field_type, created_at, ticket_pdf_field_id, ticket_pdf_field_name");

FieldMapping mappingFrom(const Query &q)
{
    return { q.value(QStringLiteral("id")).toLongLong(),
             q.value(QStringLiteral("product_id")).toString(),
             q.value(QStringLiteral("field_id")).toString(),
             q.value(QStringLiteral("field_name")).toString(),
             q.value(QStringLiteral("field_type")).toString(),
             timeFromDb(q.value(QStringLiteral("created_at"))),
             q.value(QStringLiteral("ticket_pdf_field_id")).toString(),
             q.value(QStringLiteral("ticket_pdf_field_name")).toString() };
}
} // namespace

QrDelivery qrDeliveryFor(const QString &fieldType)
{
    const QString type = fieldType.trimmed().toUpper();
    if (type.isEmpty())
        return QrDelivery::Unknown;
    if (type == u"TEXT" || type == u"LARGE_TEXT")
        return QrDelivery::DataUrl;
    if (type == u"FILE_UPLOAD")
        return QrDelivery::FileUpload;
    return QrDelivery::Unsupported;
}

core::Result<QList<FieldMapping>> FieldMappingRepository::list()
{
    auto q = m_db.prepare(QStringLiteral("SELECT ") + kColumns + QStringLiteral(" FROM ghl_qr_fields ORDER BY id"),
                          Tr::tr("read the field mappings"));
    if (!q)
        return q.error();
    if (auto r = q->exec(); !r)
        return r.error();
    QList<FieldMapping> result;
    while (q->next())
        result.append(mappingFrom(q.value()));
    return result;
}

core::Result<std::optional<FieldMapping>> FieldMappingRepository::forProduct(const QString &productId)
{
    auto q = m_db.prepare(QStringLiteral("SELECT ") + kColumns
                              + QStringLiteral(" FROM ghl_qr_fields WHERE product_id = :product_id"),
                          Tr::tr("read the field mapping of product %1").arg(productId));
    if (!q)
        return q.error();
    if (auto r = q->bind(QStringLiteral(":product_id"), productId).exec(); !r)
        return r.error();
    if (!q->next())
        return std::optional<FieldMapping>();
    return std::optional<FieldMapping>(mappingFrom(q.value()));
}

core::Result<void> FieldMappingRepository::upsert(const QString &productId, const QString &fieldId,
                                                  const QString &fieldName, const QString &fieldType)
{
    if (productId.trimmed().isEmpty() || fieldId.trimmed().isEmpty())
        return core::makeError(QStringLiteral("db.invalid"), Tr::tr("A field mapping needs a product and a custom field."));
    auto q = m_db.prepare(QStringLiteral("INSERT INTO ghl_qr_fields (product_id, field_id, field_name, field_type) VALUES "
                                         "(:product_id, :field_id, :field_name, :field_type) ON CONFLICT (product_id) "
                                         "DO UPDATE SET field_id = excluded.field_id, field_name = excluded.field_name, "
                                         "field_type = excluded.field_type"),
                          Tr::tr("save the field mapping of product %1").arg(productId));
    if (!q)
        return q.error();
    return q->bind(QStringLiteral(":product_id"), productId.trimmed())
        .bind(QStringLiteral(":field_id"), fieldId.trimmed())
        .bind(QStringLiteral(":field_name"), textOrNull(fieldName))
        .bind(QStringLiteral(":field_type"), textOrNull(fieldType.trimmed().toUpper()))
        .exec();
}

core::Result<bool> FieldMappingRepository::setTicketPdfField(const QString &productId, const QString &fieldId,
                                                           const QString &fieldName)
{
    auto q = m_db.prepare(QStringLiteral("UPDATE ghl_qr_fields SET ticket_pdf_field_id = :field_id, "
                                         "ticket_pdf_field_name = :field_name WHERE product_id = :product_id"),
                          Tr::tr("save the ticket PDF field of product %1").arg(productId));
    if (!q)
        return q.error();
    const bool none = fieldId.trimmed().isEmpty();
    if (auto r = q->bind(QStringLiteral(":field_id"), textOrNull(fieldId.trimmed()))
                     .bind(QStringLiteral(":field_name"), none ? QVariant(QMetaType(QMetaType::QString)) : textOrNull(fieldName))
                     .bind(QStringLiteral(":product_id"), productId.trimmed())
                     .exec();
        !r)
        return r.error();
    return q->rowsAffected() > 0;
}

core::Result<int> FieldMappingRepository::setFieldType(const QString &fieldId, const QString &fieldType)
{
    if (fieldType.trimmed().isEmpty())
        return 0; // nothing learnt
    auto q = m_db.prepare(QStringLiteral("UPDATE ghl_qr_fields SET field_type = :field_type WHERE field_id = :field_id "
                                         "AND (field_type IS NULL OR field_type <> :field_type2)"),
                          Tr::tr("save the type of custom field %1").arg(fieldId));
    if (!q)
        return q.error();
    const QVariant type = textOrNull(fieldType.trimmed().toUpper());
    if (auto r = q->bind(QStringLiteral(":field_type"), type)
                     .bind(QStringLiteral(":field_id"), fieldId)
                     .bind(QStringLiteral(":field_type2"), type)
                     .exec();
        !r)
        return r.error();
    return int(q->rowsAffected());
}

core::Result<bool> FieldMappingRepository::remove(const QString &productId)
{
    auto q = m_db.prepare(QStringLiteral("DELETE FROM ghl_qr_fields WHERE product_id = :product_id"),
                          Tr::tr("remove the field mapping of product %1").arg(productId));
    if (!q)
        return q.error();
    if (auto r = q->bind(QStringLiteral(":product_id"), productId).exec(); !r)
        return r.error();
    return q->rowsAffected() > 0;
}

core::Result<void> FieldMappingRepository::apply(const QList<FieldMappingChange> &changes)
{
    return m_db.inTransaction([&]() -> core::Result<void> {
        for (const FieldMappingChange &c : changes) {
            if (c.fieldId.trimmed().isEmpty()) {
                if (auto r = remove(c.productId); !r)
                    return r.error();
            } else if (auto r = upsert(c.productId, c.fieldId, c.fieldName, c.fieldType); !r) {
                return r;
            } else if (auto pdf = setTicketPdfField(c.productId, c.ticketPdfFieldId, c.ticketPdfFieldName); !pdf) {
                return pdf.error();
            }
        }
        return {};
    });
}

} // namespace qrt::db
