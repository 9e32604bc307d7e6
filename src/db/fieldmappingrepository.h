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
    QDateTime createdAt;
};

class FieldMappingRepository
{
public:
    explicit FieldMappingRepository(Database &db) : m_db(db) { }

    core::Result<QList<FieldMapping>> list();
    core::Result<std::optional<FieldMapping>> forProduct(const QString &productId);
    core::Result<void> upsert(const QString &productId, const QString &fieldId, const QString &fieldName);
    core::Result<bool> remove(const QString &productId);

private:
    Database &m_db;
};

} // namespace qrt::db
