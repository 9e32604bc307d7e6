// Offline mode at the door (issue 15 point 5, PRODUCT.md section 4b "Offline"): the door cache
// (a SQLite file per station, the product's schema, filled by a full copy and then deltas), the
// switch to OFFLINE when the shared database goes silent (test::TcpProxy blackhole: packets vanish,
// no reset), admissions journaled in the cache file first and kept across a restart, the upload on
// reconnect through the conditional UPDATE, and a ticket admitted elsewhere meanwhile becoming
// exactly one conflict (door_queue and ticket_events), never a double admission.
#include "db/orderwriter.h"
#include "db/ticketrepository.h"
#include "door/doorcache.h"
#include "door/doorstation.h"
#include "gui/dbworker.h"
#include "support/sampleorders.h"
#include "support/tcpproxy.h"
#include "support/testdatabase.h"
#include "support/timeouts.h"
#include "support/verify.h"

#include <QElapsedTimer>
#include <QSignalSpy>
#include <QTest>

#include <optional>

using namespace qrt;
using Kind = door::Verdict::Kind;

class TestDoorOffline : public QObject
{
    Q_OBJECT

    db::Dialect m_dialect = db::Dialect::SQLite;
    std::unique_ptr<test::TestDatabase> m_t;
    std::unique_ptr<QTemporaryDir> m_dir;

    static door::DoorCheck::Policy policy(const QString &station = QStringLiteral("Door 1"))
    {
        door::DoorCheck::Policy p;
        p.station = station;
        p.admitUnpaid = core::AdmitUnpaid::Always;
        return p;
    }

    QString cachePath() const { return m_dir->filePath(QStringLiteral("door-cache.sqlite")); }

    QStringList ticketCodes(int count)
    {
        QList<core::Order> orders = test::sampleOrders(count);
        if (!db::OrderWriter(m_t->db()).save(orders, QStringLiteral("sync")))
            return {};
        QStringList codes;
        for (const core::Order &o : orders)
            codes << db::TicketRepository(m_t->db()).forOrder(o.orderId).value().first().code;
        return codes;
    }

    core::Ticket sharedTicket(const QString &code) { return *db::TicketRepository(m_t->db()).byCode(code).value(); }

    int sharedCount(const QString &where)
    {
        auto n = m_t->scalar(QStringLiteral("SELECT count(*) FROM ticket_events WHERE ") + where);
        return n ? n->toInt() : -1;
    }

    // Scans on the worker's thread (as the check-in panel's scan worker does) and waits for the verdict.
    static std::optional<door::Verdict> scanOn(gui::DbWorker &worker, door::DoorStation &station, const QString &code,
                                               qint64 *elapsedMs = nullptr)
    {
        std::optional<door::Verdict> verdict;
        QObject context;
        QElapsedTimer clock;
        clock.start();
        worker.run(
            &context, [&station, code](db::Database &) { return station.scan(policy(), code); },
            [&verdict](door::Verdict v) { verdict = std::move(v); });
        (void)QTest::qWaitFor([&] { return verdict.has_value(); }, test::kWaitMs);
        if (elapsedMs)
            *elapsedMs = clock.elapsed();
        return verdict;
    }

    static QString describe(const std::optional<door::Verdict> &v)
    {
        return v ? door::toString(v->kind) + QStringLiteral(": ") + v->line() : QStringLiteral("no verdict: the scan hung");
    }

private slots:
    void initTestCase() { QRT_REQUIRE_BACKEND(m_dialect); }

    void init()
    {
        QRT_FRESH_DATABASE(m_t, m_dialect);
        QVERIFY_OK(m_t->migrate());
        m_dir = std::make_unique<QTemporaryDir>();
        QVERIFY(m_dir->isValid());
    }

    void cleanup()
    {
        m_t.reset();
        m_dir.reset();
    }

    // The cache alone, on both backends: a full copy, the journal, a restart, a delta that keeps a
    // queued admission.
    void cacheCopiesJournalsAndKeepsTheQueue()
    {
        const QStringList codes = ticketCodes(3);
        QCOMPARE(codes.size(), 3);
        {
            auto cache = door::DoorCache::open(cachePath(), QStringLiteral("door_anna"));
            QVERIFY_OK(cache);
            auto copied = cache.value()->pull(m_t->db());
            QVERIFY_OK(copied);
            QVERIFY2(copied.value() >= 6, qPrintable(QStringLiteral("the full copy wrote %1 rows").arg(copied.value())));
            // The same DoorCheck decides against the cache and journals the admission there.
            const door::Verdict v = door::DoorCheck(cache.value()->db(), policy()).scan(codes.at(0));
            QVERIFY2(v.kind == Kind::Admitted, qPrintable(v.line()));
            QCOMPARE(cache.value()->count(door::QueuedAdmission::State::Queued).value(), 1);
            // A delta while the shared database still says live must not undo the queued admission.
            QVERIFY_OK(cache.value()->pull(m_t->db()));
            const door::Verdict again = door::DoorCheck(cache.value()->db(), policy()).scan(codes.at(0));
            QVERIFY2(again.kind == Kind::AlreadyUsed, qPrintable(again.line()));
        }
        // A restart: the queue is read again from the file.
        auto reopened = door::DoorCache::open(cachePath(), QStringLiteral("door_anna"));
        QVERIFY_OK(reopened);
        auto queued = reopened.value()->admissions(door::QueuedAdmission::State::Queued);
        QVERIFY_OK(queued);
        QCOMPARE(queued->size(), 1);
        QCOMPARE(queued->first().ticketId, sharedTicket(codes.at(0)).ticketId);
        QCOMPARE(queued->first().station, QStringLiteral("Door 1"));
        QCOMPARE(queued->first().operatorName, QStringLiteral("door_anna"));
        QVERIFY(queued->first().admittedAt.isValid());
        // A change on the shared database arrives with the next delta.
        QVERIFY_OK(db::TicketRepository(m_t->db()).admit(sharedTicket(codes.at(1)).ticketId, QStringLiteral("Door 2")));
        QVERIFY_OK(reopened.value()->pull(m_t->db()));
        const door::Verdict used = door::DoorCheck(reopened.value()->db(), policy()).scan(codes.at(1));
        QVERIFY2(used.kind == Kind::AlreadyUsed && used.usedBy == QStringLiteral("Door 2"), qPrintable(used.line()));
    }

    // The original web system (or psql) changes a ticket's status without touching updated_at: the
    // next delta still brings it (migration 21 sets updated_at when a statement did not), on both backends.
    void statusOnlyUpdateReachesTheNextDelta()
    {
        const QStringList codes = ticketCodes(2);
        QCOMPARE(codes.size(), 2);
        const qint64 id = sharedTicket(codes.at(0)).ticketId;
        const QString hourAgo = m_dialect == db::Dialect::PostgreSQL ? QStringLiteral("now() - interval '1 hour'")
                                                                     : QStringLiteral("strftime('%Y-%m-%dT%H:%M:%fZ', 'now', '-1 hour')");
        // Written an hour ago: outside the delta's overlap once the cache has copied the newer rows.
        QVERIFY_OK(m_t->exec(QStringLiteral("UPDATE ghl_qr_tickets SET updated_at = %1 WHERE ticket_id = %2").arg(hourAgo).arg(id)));
        auto cache = door::DoorCache::open(cachePath(), QStringLiteral("door_anna"));
        QVERIFY_OK(cache);
        QVERIFY_OK(cache.value()->pull(m_t->db()));
        QVERIFY_OK(m_t->exec(QStringLiteral("UPDATE ghl_qr_tickets SET status = 'used' WHERE ticket_id = %1").arg(id)));
        QVERIFY_OK(cache.value()->pull(m_t->db()));
        const door::Verdict v = door::DoorCheck(cache.value()->db(), policy()).scan(codes.at(0));
        QVERIFY2(v.kind == Kind::AlreadyUsed,
                 qPrintable(QStringLiteral("a ticket the web system marked used is still live in the door cache after a delta: ")
                            + v.line()));
        // The admission path sets updated_at itself: its value stays (not replaced by the trigger's).
        const qint64 other = sharedTicket(codes.at(1)).ticketId;
        QVERIFY_OK(m_t->exec(QStringLiteral("UPDATE ghl_qr_tickets SET status = 'used', updated_at = %1 WHERE ticket_id = %2")
                                 .arg(hourAgo).arg(other)));
        const QDateTime kept = sharedTicket(codes.at(1)).updatedAt;
        QVERIFY2(kept.isValid() && kept < QDateTime::currentDateTimeUtc().addSecs(-50 * 60), qPrintable(kept.toString(Qt::ISODate)));
        // A used ticket moved to another product (ticket reconciliation) keeps its admission time,
        // which the door shows as "already used at".
        QVERIFY_OK(m_t->exec(QStringLiteral("UPDATE ghl_qr_tickets SET product_id = 'prod-moved', ticket_type = 'Moved' "
                                            "WHERE ticket_id = %1").arg(other)));
        QCOMPARE(sharedTicket(codes.at(1)).updatedAt, kept);
    }

    void blackholeOfflineRestartUploadAndConflict()
    {
        if (m_dialect != db::Dialect::PostgreSQL)
            QSKIP("by design: offline mode is for a shared PostgreSQL database; with SQLite the station is the database");
        const QStringList codes = ticketCodes(4);
        QCOMPARE(codes.size(), 4);
        auto target = db::DatabaseUrl::parse(m_t->url());
        QVERIFY_OK(target);
        test::TcpProxy proxy(QHostAddress(target->host == u"localhost" ? QStringLiteral("127.0.0.1") : target->host),
                             quint16(target->port));
        QVERIFY2(proxy.start(), "the proxy cannot listen on 127.0.0.1");
        db::DatabaseUrl through = target.value();
        through.host = QStringLiteral("127.0.0.1");
        through.port = proxy.port();
        auto shared = std::make_shared<db::Database>(through);
        const door::DoorStation::Options options { cachePath(), 1500, 300, 300 };
        gui::DbWorker worker(shared, nullptr, QStringLiteral("qrt-test-scan"));

        auto station = std::make_unique<door::DoorStation>(shared, options);
        QSignalSpy pulled(station.get(), &door::DoorStation::pulled);
        QVERIFY_OK(station->start());
        QTRY_VERIFY_WITH_TIMEOUT(!pulled.isEmpty(), test::kWaitMs);

        qint64 ms = 0;
        auto online = scanOn(worker, *station, codes.at(0), &ms);
        QVERIFY2(online && online->kind == Kind::Admitted && !station->isOffline(), qPrintable(describe(online)));

        // The network vanishes: this scan goes OFFLINE after offline_after_ms and admits from the cache.
        proxy.blackhole();
        auto offline = scanOn(worker, *station, codes.at(1), &ms);
        QVERIFY2(offline && offline->kind == Kind::Admitted, qPrintable(describe(offline)));
        QVERIFY2(station->isOffline(), "the station did not switch to OFFLINE");
        QVERIFY2(offline->detail.contains(QStringLiteral("OFFLINE")), qPrintable(offline->detail));
        qInfo("blackhole to an offline verdict: %lld ms (offline_after_ms %d)", ms, options.offlineAfterMs);
        QCOMPARE(station->queued(), 1);

        // Meanwhile another station, still connected, admits a ticket this one has as live.
        const qint64 contested = sharedTicket(codes.at(2)).ticketId;
        auto elsewhere = db::TicketRepository(m_t->db()).admit(contested, QStringLiteral("Door 2"));
        QVERIFY_OK(elsewhere);
        QVERIFY(elsewhere->admitted());
        auto second = scanOn(worker, *station, codes.at(2), &ms);
        QVERIFY2(second && second->kind == Kind::Admitted, qPrintable(describe(second)));
        QCOMPARE(station->queued(), 2);

        // A restart while offline: new objects on the same cache file keep the queue.
        station.reset();
        station = std::make_unique<door::DoorStation>(shared, options);
        QSignalSpy back(station.get(), &door::DoorStation::offlineChanged);
        QVERIFY_OK(station->start());
        QCOMPARE(station->queued(), 2);
        QVERIFY2(station->isOffline(), "a station restarted with queued admissions should start OFFLINE");
        auto repeat = scanOn(worker, *station, codes.at(1), &ms);
        QVERIFY2(repeat && repeat->kind == Kind::AlreadyUsed, qPrintable(describe(repeat)));

        // The network returns: the queue is uploaded, the station is online again.
        proxy.restore();
        QTRY_VERIFY_WITH_TIMEOUT(!station->isOffline() && station->queued() == 0, test::kWaitMs);

        const core::Ticket uploaded = sharedTicket(codes.at(1));
        QCOMPARE(core::toString(uploaded.status), QStringLiteral("used"));
        QCOMPARE(uploaded.updatedBy, QStringLiteral("Door 1"));
        const core::Ticket kept = sharedTicket(codes.at(2));
        QCOMPARE(kept.updatedBy, QStringLiteral("Door 2")); // the first admission stands
        // No double admission: one live -> used change per ticket.
        for (const QString &code : codes.mid(0, 3)) {
            const qint64 id = sharedTicket(code).ticketId;
            QCOMPARE(sharedCount(QStringLiteral("ticket_id = %1 AND from_status = 'live' AND to_status = 'used'").arg(id)), 1);
        }
        // Exactly one conflict, with both stations, in ticket_events and in the station's list.
        QCOMPARE(sharedCount(QStringLiteral("reason LIKE 'offline-conflict:%'")), 1);
        QCOMPARE(sharedCount(QStringLiteral("ticket_id = %1 AND reason LIKE "
                                            "'offline-conflict: admitted offline by Door 1 at %; already admitted by Door 2 at %'")
                                 .arg(contested)),
                 1);
        auto conflicts = station->cache()->admissions(door::QueuedAdmission::State::Conflict);
        QVERIFY_OK(conflicts);
        QCOMPARE(conflicts->size(), 1);
        QCOMPARE(conflicts->first().ticketId, contested);
        QCOMPARE(conflicts->first().station, QStringLiteral("Door 1"));
        QCOMPARE(conflicts->first().conflictBy, QStringLiteral("Door 2"));
        QVERIFY(conflicts->first().conflictAt.isValid() && conflicts->first().admittedAt.isValid());
        QCOMPARE(sharedCount(QStringLiteral("ticket_id = %1 AND reason LIKE 'offline at %'").arg(uploaded.ticketId)), 1);

        // Another round finds nothing more to send and records no second conflict.
        station->refreshNow();
        QSignalSpy pulledAgain(station.get(), &door::DoorStation::pulled);
        QTRY_VERIFY_WITH_TIMEOUT(!pulledAgain.isEmpty(), test::kWaitMs);
        QCOMPARE(sharedCount(QStringLiteral("reason LIKE 'offline-conflict:%'")), 1);
        // Online again, the shared database decides.
        auto afterwards = scanOn(worker, *station, codes.at(3), &ms);
        QVERIFY2(afterwards && afterwards->kind == Kind::Admitted && !afterwards->detail.contains(QStringLiteral("OFFLINE")),
                 qPrintable(describe(afterwards)));
    }
};

QTEST_MAIN(TestDoorOffline)
#include "tst_door_offline.moc"
