#include "db/orderwriter.h"

#include "db/logging.h"
#include "db/orderrepository.h"
#include "db/searchtext.h"

#include <QCoreApplication>
#include <QRandomGenerator>
#include <QThread>

#include <algorithm>

namespace qrt::db {

namespace {
// Q_DECLARE_TR_FUNCTIONS gives lupdate and the program the same context for Tr::tr().
struct Tr
{
    Q_DECLARE_TR_FUNCTIONS(qrt::db::OrderWriter)
};

// An admission (and an undo, and the counts trigger behind both) locks a ticket row, then its
// order's row. A writer that locked the order first (its upsert) and then a ticket could wait for
// an admission that waits for it: a deadlock. So the order's tickets are locked first, in ticket
// order, then the order. SQLite has a single writer: nothing to order.
core::Result<void> lockTickets(Database &db, const QString &orderId)
{
    if (!db.isPostgres())
        return {};
    auto q = db.prepare(QStringLiteral("SELECT ticket_id FROM ghl_qr_tickets WHERE order_id = :order_id "
                                       "ORDER BY ticket_id FOR UPDATE"),
                        Tr::tr("lock the tickets of order %1").arg(orderId));
    if (!q)
        return q.error();
    return q->bind(QStringLiteral(":order_id"), orderId).exec();
}

bool isConflict(const core::Error &error)
{
    return error.code == u"db.deadlock" || error.code == u"db.serialization";
}
} // namespace

core::Result<QList<ReconcileResult>> OrderWriter::save(const QList<core::Order> &orders, const QString &station,
                                                       const Committed &committed)
{
    // Two writers (a sync and the webhook worker, two stations' reconciliation) take the orders'
    // locks in one order: by order id.
    QList<int> byId(orders.size());
    for (int i = 0; i < orders.size(); ++i)
        byId[i] = i;
    std::sort(byId.begin(), byId.end(), [&](int a, int b) { return orders.at(a).orderId < orders.at(b).orderId; });

    QList<ReconcileResult> results(orders.size());
    // One transaction: the orders byId[from, to).
    const auto once = [&](qsizetype from, qsizetype to) {
        return m_db.inTransaction([&]() -> core::Result<QList<ReconcileResult>> {
            auto upsert = OrderRepository::prepareUpsert(m_db, QCoreApplication::translate("qrt::db::OrderWriter",
                                                                                          "prepare saving orders"));
            if (!upsert)
                return upsert.error();
            auto searchText = SearchTextWriter::prepare(m_db); // folded search text (searchtext.h)
            if (!searchText)
                return searchText.error();
            QList<ReconcileResult> chunk;
            chunk.reserve(to - from);
            for (qsizetype k = from; k < to; ++k) {
                const core::Order &order = orders.at(byId.at(k));
                if (auto r = lockTickets(m_db, order.orderId); !r)
                    return r.error();
                if (auto r = OrderRepository::upsertOne(upsert.value(), order); !r)
                    return r.error();
                if (auto r = searchText->store(order); !r)
                    return r.error();
                auto reconciled = TicketRepository::reconcileIn(m_db, order, station);
                if (!reconciled)
                    return reconciled.error();
                chunk << reconciled.value();
            }
            return chunk;
        });
    };
    const qsizetype chunkSize = m_db.isPostgres() ? kChunkOrders : std::max<qsizetype>(1, orders.size());
    for (qsizetype from = 0; from < byId.size(); from += chunkSize) {
        const qsizetype to = std::min(byId.size(), from + chunkSize);
        // A deadlock victim or a serialization failure was rolled back whole: run it again after a
        // short random pause (the other transaction finishes meanwhile).
        for (int attempt = 1;; ++attempt) {
            auto saved = once(from, to);
            if (saved) {
                for (qsizetype k = from; k < to; ++k) {
                    results[byId.at(k)] = saved->at(k - from); // in the caller's order
                    if (committed)
                        committed(byId.at(k), saved->at(k - from));
                }
                break;
            }
            if (!isConflict(saved.error()) || attempt >= kConflictAttempts)
                return saved.error();
            const int pauseMs = 20 * attempt + int(QRandomGenerator::global()->bounded(30));
            qCInfo(lcDb).noquote() << "saving" << (to - from) << "order(s) met a concurrent change (" << saved.error().code
                                   << "); trying again in" << pauseMs << "ms";
            QThread::msleep(pauseMs);
        }
    }
    return results;
}

} // namespace qrt::db
