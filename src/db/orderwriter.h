#pragma once

#include "core/order.h"
#include "core/result.h"
#include "db/database.h"
#include "db/ticketrepository.h"

#include <QList>

#include <functional>

namespace qrt::db {

// Saves orders fetched from GHL together with their reconciled tickets: the one write path shared
// by the sync engine and the webhook worker. Locks are taken in the order admissions take them (an
// order's tickets, then the order; orders by id), and a transaction PostgreSQL rolled back as a
// deadlock victim or a serialization failure (SQLSTATE 40P01, 40001) is run again, up to
// kConflictAttempts times.
//
// On PostgreSQL the orders are committed in chunks of kChunkOrders, one transaction each: a ticket
// locked by a sync is locked for one chunk's few round trips, not for a whole batch of 50-200
// orders, so an admission at the door does not wait seconds for the batch's commit (issue 15
// point 4). SQLite keeps one transaction per call: its single writer gains nothing from chunks and
// each commit costs an fsync. When a chunk fails, the chunks before it stay committed: `committed`
// is told about each order of a chunk once that chunk is committed (its index in `orders`), so a
// caller that tries again saves only the rest and counts each order's result once.
class OrderWriter
{
public:
    static constexpr int kConflictAttempts = 5;
    static constexpr int kChunkOrders = 8; // PostgreSQL; bench_door p99 ~70 ms (batches of 5-10 measured 70-79 ms)

    using Committed = std::function<void(int index, const ReconcileResult &result)>;

    explicit OrderWriter(Database &db) : m_db(db) { }

    core::Result<QList<ReconcileResult>> save(const QList<core::Order> &orders, const QString &station,
                                              const Committed &committed = {});

private:
    Database &m_db;
};

} // namespace qrt::db
