// Sync writes and admissions take row locks in the same order (issue 15 point 4): an admission locks
// a ticket, then (through the ticket-count trigger) its order; a sync batch used to lock the order
// first (its upsert) and then the tickets it cancels, so the two deadlocked and PostgreSQL aborted
// the batch. PostgreSQL only: SQLite has one writer at a time.
//
// The race is made deterministic: the admission's first lock (the ticket row) is taken by hand, the
// sync batch is started and waits on it, then the admission's UPDATE runs. With the old lock order
// that is a deadlock (one side aborted); now both finish, the batch saves on its first attempt and
// the server counts no deadlock.
//
// A sync batch holds a ticket's lock for one chunk of orders, not the whole batch (the door's p99
// while a sync runs, PRODUCT.md section 5), and a batch that fails after its first chunk committed
// is finished by the retry without losing or doubling tickets or counts.
#include "db/orderwriter.h"
#include "db/ticketrepository.h"
#include "support/sampleorders.h"
#include "support/syncfixture.h"
#include "support/testdatabase.h"
#include "support/timeouts.h"
#include "support/verify.h"
#include "sync/syncengine.h"
#include "sync/syncwriter.h"

#include <QSqlError>
#include <QSqlQuery>
#include <QTest>
#include <QThread>

#include <algorithm>
#include <optional>

using namespace qrt;

class TestSyncLocks : public QObject
{
    Q_OBJECT

    db::Dialect m_dialect = db::Dialect::SQLite;
    std::unique_ptr<test::TestDatabase> m_t;

    qint64 serverDeadlocks(db::Database &db)
    {
        auto q = db.prepare(QStringLiteral("SELECT pg_stat_clear_snapshot()"), QStringLiteral("clear the statistics snapshot"));
        if (!q || !q->exec())
            return -1;
        auto n = db.prepare(QStringLiteral("SELECT deadlocks FROM pg_stat_database WHERE datname = current_database()"),
                            QStringLiteral("count deadlocks"));
        if (!n || !n->execFirst())
            return -1;
        return n->value(QStringLiteral("deadlocks")).toLongLong();
    }

    int syncWaitingOnLocks(db::Database &db)
    {
        auto q = db.prepare(QStringLiteral("SELECT count(*) AS n FROM pg_stat_activity WHERE application_name = "
                                           "'qrtickets-sync' AND wait_event_type = 'Lock' AND datname = current_database()"),
                            QStringLiteral("look at the sync's session"));
        if (!q || !q->execFirst())
            return -1;
        return q->value(QStringLiteral("n")).toInt();
    }

private slots:
    void initTestCase()
    {
        QRT_REQUIRE_BACKEND(m_dialect);
        qRegisterMetaType<sync::BatchOutcome>();
    }

    void init()
    {
        QRT_FRESH_DATABASE(m_t, m_dialect);
        QVERIFY_OK(m_t->migrate());
    }

    void cleanup() { m_t.reset(); }

    void admissionDuringASyncBatchNeitherDeadlocksNorFailsTheBatch()
    {
        if (m_dialect != db::Dialect::PostgreSQL)
            QSKIP("by design: SQLite has a single writer: a sync batch and an admission never hold row locks at once");
        // An order of several tickets, stored; GHL then reports it refunded: the sync cancels its
        // live tickets, the highest first, while the door admits that very ticket.
        core::Order order = test::sampleOrders(8).last();
        for (int i = 0; order.ticketCount() < 2; ++i)
            order = test::sampleOrders(1, 20 + i).first();
        QVERIFY_OK(db::OrderWriter(m_t->db()).save({ order }, QStringLiteral("sync")));
        const auto tickets = db::TicketRepository(m_t->db()).forOrder(order.orderId).value();
        QVERIFY(tickets.size() >= 2);
        const qint64 contested = tickets.last().ticketId;

        auto observer = m_t->db().withOptions({}); // a session of its own, outside the admission's transaction
        const qint64 deadlocksBefore = serverDeadlocks(*observer);
        QVERIFY2(deadlocksBefore >= 0, "cannot read pg_stat_database");

        // The admission, step 1: its UPDATE has locked the ticket row.
        auto door = m_t->db().withOptions({});
        auto c = door->connection();
        QVERIFY_OK(c);
        QSqlQuery admission(c.value());
        QVERIFY(admission.exec(QStringLiteral("BEGIN")));
        QVERIFY2(admission.exec(QStringLiteral("SELECT ticket_id FROM ghl_qr_tickets WHERE ticket_id = %1 FOR UPDATE").arg(contested)),
                 qPrintable(admission.lastError().text()));

        // The sync batch, on its writer thread as in a run; one attempt only, so that a deadlock
        // would show as a failed batch rather than be retried away.
        core::Order refunded = order;
        refunded.paymentStatus = QStringLiteral("refunded");
        sync::SyncRequest request;
        request.station = QStringLiteral("test-station");
        request.dbAttempts = 1;
        QThread thread;
        thread.start();
        auto *writer = new sync::SyncWriter(m_t->shared(), request);
        writer->moveToThread(&thread);
        std::optional<sync::BatchOutcome> outcome;
        QObject context;
        connect(writer, &sync::SyncWriter::written, &context, [&outcome](const sync::BatchOutcome &o) { outcome = o; });
        QMetaObject::invokeMethod(writer, [writer, refunded] { writer->write({ refunded }); }, Qt::QueuedConnection);
        QTRY_VERIFY2_WITH_TIMEOUT(syncWaitingOnLocks(*observer) > 0 || outcome.has_value(),
                                  "the sync batch never reached the ticket the door holds", test::kWaitMs);

        // The admission, step 2: the ticket becomes used; the count trigger locks the order.
        const bool admitted = admission.exec(
            QStringLiteral("UPDATE ghl_qr_tickets SET status = 'used', updated_by = 'Door 1' WHERE ticket_id = %1 AND status = 'live'")
                .arg(contested));
        const QString admissionError = admission.lastError().text();
        admission.exec(admitted ? QStringLiteral("COMMIT") : QStringLiteral("ROLLBACK"));
        QTRY_VERIFY2_WITH_TIMEOUT(outcome.has_value(), "the sync batch never finished", test::kWaitMs);
        QMetaObject::invokeMethod(writer, &QObject::deleteLater);
        thread.quit();
        thread.wait();

        QVERIFY2(admitted, qPrintable(QStringLiteral("the admission failed while a sync batch ran: ") + admissionError));
        QVERIFY2(outcome->error.isEmpty(), qPrintable(QStringLiteral("the sync batch failed: ") + outcome->error));
        QCOMPARE(serverDeadlocks(*observer), deadlocksBefore);
        // Both happened: the admitted ticket stays used (reported), the others are cancelled.
        QCOMPARE(core::toString(db::TicketRepository(m_t->db()).byId(contested).value()->status),
                 core::toString(core::TicketStatus::Used));
        QCOMPARE(outcome->cancelled, int(tickets.size()) - 1);
        QVERIFY2(!outcome->conflicts.isEmpty(), "the used ticket of a refunded order should be reported");
    }

    // A batch of three chunks; the door holds a ticket of the batch's last order (by id), so the
    // batch waits in its last chunk. Meanwhile the first order's tickets must be free: its chunk
    // has committed. Before, the whole batch was one transaction and held them until the end.
    void syncReleasesTicketLocksChunkByChunk()
    {
        if (m_dialect != db::Dialect::PostgreSQL)
            QSKIP("by design: SQLite has a single writer and keeps one transaction per batch");
        // Orders that have tickets (some sample orders are unpaid or refunded).
        const QList<core::Order> samples = test::sampleOrders(12 * db::OrderWriter::kChunkOrders);
        QVERIFY_OK(db::OrderWriter(m_t->db()).save(samples, QStringLiteral("sync")));
        QList<core::Order> orders;
        for (const core::Order &o : samples)
            if (orders.size() < 3 * db::OrderWriter::kChunkOrders && !db::TicketRepository(m_t->db()).forOrder(o.orderId)->isEmpty())
                orders << o;
        QCOMPARE(orders.size(), 3 * db::OrderWriter::kChunkOrders);
        QStringList ids;
        for (const core::Order &o : std::as_const(orders))
            ids << o.orderId;
        std::sort(ids.begin(), ids.end());
        const auto firstTickets = db::TicketRepository(m_t->db()).forOrder(ids.first()).value();
        const auto lastTickets = db::TicketRepository(m_t->db()).forOrder(ids.last()).value();
        QVERIFY2(!firstTickets.isEmpty() && !lastTickets.isEmpty(), "the sample orders should have tickets");

        auto door = m_t->db().withOptions({});
        auto c = door->connection();
        QVERIFY_OK(c);
        QSqlQuery held(c.value());
        QVERIFY(held.exec(QStringLiteral("BEGIN")));
        QVERIFY2(held.exec(QStringLiteral("SELECT ticket_id FROM ghl_qr_tickets WHERE ticket_id = %1 FOR UPDATE")
                               .arg(lastTickets.first().ticketId)),
                 qPrintable(held.lastError().text()));

        for (core::Order &o : orders)
            o.contactLastName += QStringLiteral(" (renamed)");
        sync::SyncRequest request;
        request.station = QStringLiteral("test-station");
        request.dbAttempts = 1;
        QThread thread;
        thread.start();
        auto *writer = new sync::SyncWriter(m_t->shared(), request);
        writer->moveToThread(&thread);
        std::optional<sync::BatchOutcome> outcome;
        QObject context;
        connect(writer, &sync::SyncWriter::written, &context, [&outcome](const sync::BatchOutcome &o) { outcome = o; });
        QMetaObject::invokeMethod(writer, [writer, orders] { writer->write(orders); }, Qt::QueuedConnection);
        auto observer = m_t->db().withOptions({});
        QTRY_VERIFY2_WITH_TIMEOUT(syncWaitingOnLocks(*observer) > 0 || outcome.has_value(),
                                  "the sync batch never reached the ticket the door holds", test::kWaitMs);

        // Another station admits a ticket of the first order now: it must not have to wait.
        auto oc = observer->connection();
        QVERIFY_OK(oc);
        QSqlQuery other(oc.value());
        const bool free = other.exec(QStringLiteral("SELECT ticket_id FROM ghl_qr_tickets WHERE order_id = '%1' FOR UPDATE NOWAIT")
                                         .arg(ids.first()));
        const QString otherError = other.lastError().text();
        held.exec(QStringLiteral("COMMIT"));
        QTRY_VERIFY2_WITH_TIMEOUT(outcome.has_value(), "the sync batch never finished", test::kWaitMs);
        QMetaObject::invokeMethod(writer, &QObject::deleteLater);
        thread.quit();
        thread.wait();

        QVERIFY2(free, qPrintable(QStringLiteral("a ticket of an order the sync had already saved was still locked by the "
                                                 "unfinished batch: ") + otherError));
        QVERIFY2(outcome->error.isEmpty(), qPrintable(QStringLiteral("the sync batch failed: ") + outcome->error));
        QCOMPARE(outcome->saved, int(orders.size()));
    }

    // A full sync whose first batch fails in its second chunk (a statement timeout, once): the
    // writer tries again and saves the rest. Each ticket exists once, and the run reports each
    // added ticket once (the first chunk's are not lost, the retry does not count them again).
    void fullSyncRetriesAFailedChunkWithoutLosingOrDoublingTickets()
    {
        if (m_dialect != db::Dialect::PostgreSQL)
            QSKIP("by design: SQLite keeps one transaction per batch (no chunks)");
        std::unique_ptr<test::SyncFixture> f;
        QRT_SYNC_FIXTURE(f, m_dialect);
        f->sim().generate(60, 11);
        f->sim().setLatencyMs(2);
        // The 2nd order of the 2nd chunk fails once (its INSERT: the database is empty, and the
        // ticket-count trigger's UPDATEs do not count): an error the writer retries (a timeout), not
        // a conflict OrderWriter would retry itself. A sequence, so the count survives the rollback.
        const int failAt = db::OrderWriter::kChunkOrders + 2;
        QVERIFY_OK(f->database().exec(QStringLiteral("CREATE SEQUENCE qrt_test_fail")));
        QVERIFY_OK(f->database().exec(QStringLiteral(
            "CREATE FUNCTION qrt_test_fail() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN "
            "IF nextval('qrt_test_fail') = %1 THEN RAISE EXCEPTION 'injected failure' USING ERRCODE = '57014'; END IF; "
            "RETURN NEW; END $$").arg(failAt)));
        QVERIFY_OK(f->database().exec(QStringLiteral(
            "CREATE TRIGGER qrt_test_fail BEFORE INSERT ON ghl_qr_orders FOR EACH ROW EXECUTE FUNCTION qrt_test_fail()")));

        sync::SyncRequest request = f->request(sync::SyncMode::Full);
        request.batchSize = 50;
        request.batchIntervalMs = 60000; // full batches: the failure lands inside the first one
        request.dbRetryBaseMs = 1;
        const auto s = f->runOnce(request);
        QVERIFY2(s.status == sync::SyncStatus::Succeeded, qPrintable(s.error));
        QVERIFY2(f->database().scalar(QStringLiteral("SELECT last_value FROM qrt_test_fail"))->toInt() > failAt,
                 "the injected failure never happened");
        QCOMPARE(s.synced, 60);
        const int stored = f->database().scalar(QStringLiteral("SELECT count(*) FROM ghl_qr_tickets"))->toInt();
        QVERIFY(stored > 0);
        QCOMPARE(s.ticketsAdded, stored);
        QCOMPARE(f->database().scalar(QStringLiteral("SELECT count(*) FROM ghl_qr_orders"))->toInt(), 60);

        // Nothing doubled: saving every order again (reconciling is idempotent) changes nothing.
        QVERIFY_OK(f->database().exec(QStringLiteral("DROP TRIGGER qrt_test_fail ON ghl_qr_orders")));
        const auto again = f->runOnce(f->request(sync::SyncMode::Full));
        QVERIFY2(again.status == sync::SyncStatus::Succeeded, qPrintable(again.error));
        QCOMPARE(again.ticketsAdded, 0);
        QCOMPARE(again.ticketsCancelled, 0);
        QCOMPARE(f->database().scalar(QStringLiteral("SELECT count(*) FROM ghl_qr_tickets"))->toInt(), stored);
    }
};

QTEST_MAIN(TestSyncLocks)
#include "tst_sync_locks.moc"
