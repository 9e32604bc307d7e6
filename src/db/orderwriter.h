#pragma once

#include "core/order.h"
#include "core/result.h"
#include "db/database.h"
#include "db/ticketrepository.h"

#include <QList>

namespace qrt::db {

// Saves orders fetched from GHL together with their reconciled tickets, in one transaction per
// call: the one write path shared by the sync engine and the webhook worker. Locks are taken in
// the order admissions take them (an order's tickets, then the order; orders by id), and a
// transaction PostgreSQL rolled back as a deadlock victim or a serialization failure (SQLSTATE
// 40P01, 40001) is run again, up to kConflictAttempts times.
class OrderWriter
{
public:
    static constexpr int kConflictAttempts = 5;

    explicit OrderWriter(Database &db) : m_db(db) { }

    core::Result<QList<ReconcileResult>> save(const QList<core::Order> &orders, const QString &station);

private:
    Database &m_db;
};

} // namespace qrt::db
