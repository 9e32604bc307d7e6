#include "db/fieldmappingrepository.h"

#include <QCoreApplication>
#include <QSqlQuery>

namespace qrt::db {

namespace {
// Q_DECLARE_TR_FUNCTIONS gives lupdate and the program the same context for Tr::tr().
struct Tr
{
    Q_DECLARE_TR_FUNCTIONS(qrt::db::FieldMappingRepository)
};

FieldMapping mappingFrom(const QSqlQuery &q)
{
    return { q.value(0).toLongLong(), q.value(1).toString(), q.value(2).toString(), q.value(3).toString(),
             timeFromDb(q.value(4)) };
}
} // namespace

core::Result<QList<FieldMapping>> FieldMappingRepository::list()
{
    auto connection = m_db.connection();
    if (!connection)
        return connection.error();
    QSqlQuery q(connection.value());
    if (!q.exec(QStringLiteral("SELECT id, product_id, field_id, field_name, created_at FROM ghl_qr_fields ORDER BY id")))
        return m_db.fail(q, Tr::tr("read the field mappings"));
    QList<FieldMapping> result;
    while (q.next())
        result.append(mappingFrom(q));
    return result;
}

core::Result<std::optional<FieldMapping>> FieldMappingRepository::forProduct(const QString &productId)
{
    auto connection = m_db.connection();
    if (!connection)
        return connection.error();
    QSqlQuery q(connection.value());
    q.prepare(QStringLiteral("SELECT id, product_id, field_id, field_name, created_at FROM ghl_qr_fields "
                             "WHERE product_id = ?"));
    q.addBindValue(productId);
    if (!q.exec())
        return m_db.fail(q, Tr::tr("read the field mapping of product %1").arg(productId));
    if (!q.next())
        return std::optional<FieldMapping>();
    return std::optional<FieldMapping>(mappingFrom(q));
}

core::Result<void> FieldMappingRepository::upsert(const QString &productId, const QString &fieldId,
                                                  const QString &fieldName)
{
    if (productId.trimmed().isEmpty() || fieldId.trimmed().isEmpty())
        return core::makeError(QStringLiteral("db.invalid"), Tr::tr("A field mapping needs a product and a custom field."));
    auto connection = m_db.connection();
    if (!connection)
        return connection.error();
    QSqlQuery q(connection.value());
    q.prepare(QStringLiteral("INSERT INTO ghl_qr_fields (product_id, field_id, field_name) VALUES (?, ?, ?) "
                             "ON CONFLICT (product_id) DO UPDATE SET field_id = excluded.field_id, "
                             "field_name = excluded.field_name"));
    q.addBindValue(productId.trimmed());
    q.addBindValue(fieldId.trimmed());
    q.addBindValue(textOrNull(fieldName));
    if (!q.exec())
        return m_db.fail(q, Tr::tr("save the field mapping of product %1").arg(productId));
    return {};
}

core::Result<bool> FieldMappingRepository::remove(const QString &productId)
{
    auto connection = m_db.connection();
    if (!connection)
        return connection.error();
    QSqlQuery q(connection.value());
    q.prepare(QStringLiteral("DELETE FROM ghl_qr_fields WHERE product_id = ?"));
    q.addBindValue(productId);
    if (!q.exec())
        return m_db.fail(q, Tr::tr("remove the field mapping of product %1").arg(productId));
    return q.numRowsAffected() > 0;
}

} // namespace qrt::db
