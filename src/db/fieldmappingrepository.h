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

// One product's mapping as the Settings dialog leaves it; an empty fieldId means "no QR field".
struct FieldMappingChange
{
    QString productId;
    QString fieldId;
    QString fieldName;
};

class FieldMappingRepository
{
public:
    explicit FieldMappingRepository(Database &db) : m_db(db) { }

    core::Result<QList<FieldMapping>> list();
    core::Result<std::optional<FieldMapping>> forProduct(const QString &productId);
    core::Result<void> upsert(const QString &productId, const QString &fieldId, const QString &fieldName);
    core::Result<bool> remove(const QString &productId);
    // Sets (or, for an empty fieldId, removes) each product's mapping in one transaction: all
    // of them are saved or none.
    core::Result<void> apply(const QList<FieldMappingChange> &changes);

private:
    Database &m_db;
};

} // namespace qrt::db
