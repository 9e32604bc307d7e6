#include "db/orderwriter.h"

#include "db/orderrepository.h"

#include <QCoreApplication>
#include <QSqlQuery>

namespace qrt::db {

core::Result<QList<ReconcileResult>> OrderWriter::save(const QList<core::Order> &orders, const QString &station)
{
    auto connection = m_db.connection();
    if (!connection)
        return connection.error();
    QSqlDatabase c = connection.value();
    Transaction tx(m_db, c);
    if (auto r = tx.begin(); !r)
        return r.error();
    QSqlQuery upsert(c);
    if (!upsert.prepare(OrderRepository::upsertSql(m_db)))
        return m_db.fail(upsert, QCoreApplication::translate("qrt::db::OrderWriter", "prepare saving orders"));
    QList<ReconcileResult> results;
    results.reserve(orders.size());
    for (const core::Order &order : orders) {
        if (auto r = OrderRepository::upsertOne(m_db, upsert, order); !r)
            return r.error();
        auto reconciled = TicketRepository::reconcileIn(m_db, c, order, station);
        if (!reconciled)
            return reconciled.error();
        results.append(reconciled.value());
    }
    if (auto r = tx.commit(); !r)
        return r.error();
    return results;
}

} // namespace qrt::db
