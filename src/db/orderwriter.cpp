#include "db/orderwriter.h"

#include "db/orderrepository.h"
#include "db/searchtext.h"

#include <QCoreApplication>

namespace qrt::db {

core::Result<QList<ReconcileResult>> OrderWriter::save(const QList<core::Order> &orders, const QString &station)
{
    return m_db.inTransaction([&]() -> core::Result<QList<ReconcileResult>> {
        auto upsert = OrderRepository::prepareUpsert(m_db, QCoreApplication::translate("qrt::db::OrderWriter",
                                                                                      "prepare saving orders"));
        if (!upsert)
            return upsert.error();
        auto searchText = SearchTextWriter::prepare(m_db); // folded search text (searchtext.h)
        if (!searchText)
            return searchText.error();
        QList<ReconcileResult> results;
        results.reserve(orders.size());
        for (const core::Order &order : orders) {
            if (auto r = OrderRepository::upsertOne(upsert.value(), order); !r)
                return r.error();
            if (auto r = searchText->store(order); !r)
                return r.error();
            auto reconciled = TicketRepository::reconcileIn(m_db, order, station);
            if (!reconciled)
                return reconciled.error();
            results.append(reconciled.value());
        }
        return results;
    });
}

} // namespace qrt::db
