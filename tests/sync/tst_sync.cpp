// The sync engine end to end: GHL simulator on a real socket, the engine's own threads, and a fresh
// database (SQLite or PostgreSQL, QRT_TEST_BACKEND) per test.
#include "db/database.h"
#include "serve/servetestutil.h"
#include "support/verify.h"
#include "db/orderrepository.h"
#include "db/syncrunrepository.h"
#include "db/ticketrepository.h"
#include "feed/eventfeed.h"
#include "ghl/orderjson.h"
#include "ghlsim/ghlsimulator.h"
#include "support/childprocess.h"
#include "support/syncfixture.h"
#include "sync/syncengine.h"
#include "webhook/ticketeventrelay.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QDir>
#include <QProcess>
#include <QScopeGuard>
#include <QSignalSpy>
#include <QSqlDriver>
#include <QSqlError>
#include <QSqlQuery>
#include <QTest>
#include <QWebSocket>

#include <atomic>
#include <memory>

using namespace qrt;
using ghlsim::Endpoint;
using ghlsim::GhlSimulator;
using sync::SyncEngine;
using sync::SyncMode;
using sync::SyncRequest;
using sync::SyncStatus;
using sync::SyncSummary;

namespace {

struct TicketTally
{
    int active = 0; // live + used
    int used = 0;
    int cancelled = 0;
    int total = 0;
};

QString describe(const SyncSummary &s)
{
    QStringList failures;
    for (const auto &f : s.failures)
        failures << f.orderId + QStringLiteral(": ") + f.reason;
    return QStringLiteral("status %1, %2 of %3 saved, %4 failed, error '%5'; failures: %6")
        .arg(sync::toString(s.status))
        .arg(s.synced)
        .arg(s.total)
        .arg(s.failed)
        .arg(s.error, failures.join(QStringLiteral("; ")));
}

} // namespace

class TestSync : public QObject
{
    Q_OBJECT

    db::Dialect m_dialect = db::Dialect::SQLite;
    std::unique_ptr<test::SyncFixture> m_f; // this test's database and GHL simulator

    bool pg() const { return m_dialect == db::Dialect::PostgreSQL; }
    test::TestDatabase &database() const { return m_f->database(); }
    GhlSimulator &sim() const { return m_f->sim(); }

    SyncRequest request(SyncMode mode) const
    {
        SyncRequest r = m_f->request(mode);
        r.ghl.concurrency = 6;
        r.ghl.requestTimeoutMs = 10000;
        r.ghlRetryBaseDelayMs = 50;
        return r;
    }

    // Runs one sync to its end and returns the summary.
    SyncSummary runSync(const SyncRequest &req, int timeoutMs = test::kSyncRunMs) { return m_f->runOnce(req, timeoutMs); }

    // Tickets per order in the database. Retries once: after a PostgreSQL restart the first query
    // on this thread's old connection fails and the next one reconnects.
    QHash<QString, TicketTally> ticketsInDb()
    {
        QHash<QString, TicketTally> out;
        for (int attempt = 0; attempt < 3; ++attempt) {
            auto c = database().db().connection();
            if (!c)
                continue;
            QSqlQuery q(c.value());
            if (!q.exec(QStringLiteral("SELECT order_id, status, count(*) FROM ghl_qr_tickets GROUP BY order_id, status"))) {
                database().db().fail(q, QStringLiteral("count tickets"));
                continue;
            }
            out.clear();
            while (q.next()) {
                TicketTally &t = out[q.value(0).toString()];
                const int n = q.value(2).toInt();
                const QString status = q.value(1).toString();
                t.total += n;
                if (status == u"cancelled")
                    t.cancelled += n;
                else
                    t.active += n;
                if (status == u"used")
                    t.used += n;
            }
            return out;
        }
        qWarning("could not read the tickets");
        return out;
    }

    int scalarInt(const QString &sql)
    {
        for (int attempt = 0; attempt < 3; ++attempt) {
            auto v = database().scalar(sql);
            if (v)
                return v->toInt();
        }
        return -1;
    }

    QStringList ordersInDb()
    {
        QStringList ids;
        auto c = database().db().connection();
        if (!c)
            return ids;
        QSqlQuery q(c.value());
        q.exec(QStringLiteral("SELECT order_id FROM ghl_qr_orders"));
        while (q.next())
            ids << q.value(0).toString();
        return ids;
    }

    // What GHL (the simulator) says each order must hold: live + used tickets.
    int wantedTickets(const QString &orderId) const { return servetest::expectedTickets(sim().orderJson(orderId)); }

    // Every order of `ids` is in the database with exactly the tickets GHL reports (no more:
    // no duplicates); returns a sentence for the first mismatch.
    QString checkOrders(const QStringList &ids, const QSet<QString> &allowedMissing = {})
    {
        const QHash<QString, TicketTally> tickets = ticketsInDb();
        const QStringList storedList = ordersInDb();
        const QSet<QString> stored(storedList.cbegin(), storedList.cend());
        for (const QString &id : ids) {
            if (!stored.contains(id)) {
                if (allowedMissing.contains(id))
                    continue;
                return QStringLiteral("order %1 is not in the database").arg(id);
            }
            const int want = wantedTickets(id);
            const TicketTally t = tickets.value(id);
            if (t.active != want)
                return QStringLiteral("order %1 has %2 live/used tickets, GHL says %3").arg(id).arg(t.active).arg(want);
        }
        return {};
    }

private slots:
    void initTestCase()
    {
        QRT_REQUIRE_BACKEND(m_dialect);
    }

    void init()
    {
        QRT_SYNC_FIXTURE(m_f, m_dialect);
        sim().setLatencyMs(2);
    }

    void cleanup()
    {
        m_f.reset();
    }

    // --- order id files ----------------------------------------------------------------------

    void orderIdList()
    {
        auto ok = sync::parseOrderIdList(R"(["a1", "b2", "a1", " c3 "])");
        QVERIFY_OK(ok);
        QCOMPARE(ok.value(), (QStringList { QStringLiteral("a1"), QStringLiteral("b2"), QStringLiteral("c3") }));

        auto notJson = sync::parseOrderIdList("[\"a1\",");
        QVERIFY(!notJson);
        QVERIFY2(notJson.error().message.contains(QStringLiteral("not valid JSON")), qPrintable(notJson.error().message));
        auto notArray = sync::parseOrderIdList(R"({"ids": ["a1"]})");
        QVERIFY(!notArray);
        QVERIFY2(notArray.error().message.contains(QStringLiteral("JSON array")), qPrintable(notArray.error().message));
        auto notStrings = sync::parseOrderIdList(R"(["a1", 42])");
        QVERIFY(!notStrings);
        QVERIFY2(notStrings.error().message.contains(QStringLiteral("Entry 2")), qPrintable(notStrings.error().message));

        auto missing = sync::readOrderIdFile(QStringLiteral("/nonexistent/valid_order_list.json"));
        QVERIFY(!missing);
        QVERIFY2(missing.error().message.contains(QStringLiteral("does not exist")), qPrintable(missing.error().message));
    }

    // --- full, incremental, id list ----------------------------------------------------------

    void fullSync()
    {
        sim().generate(250, 7);
        SyncEngine engine(database().shared());
        QSignalSpy started(&engine, &SyncEngine::started);
        QSignalSpy progress(&engine, &SyncEngine::progressChanged);
        QSignalSpy finished(&engine, &SyncEngine::finished);
        QVERIFY(engine.start(request(SyncMode::Full)));
        QVERIFY2(!engine.start(request(SyncMode::Full)), "a second start() while running must be refused");
        QVERIFY2(finished.wait(60000), "the full sync did not finish within 60 s");
        const auto s = finished.first().first().value<SyncSummary>();
        QVERIFY2(s.status == SyncStatus::Succeeded, qPrintable(describe(s)));
        QCOMPARE(started.size(), 1);
        QVERIFY2(progress.size() >= 2, "progress should be reported at least at the phase changes");
        QCOMPARE(s.total, 250);
        QCOMPARE(s.synced, 250);
        QCOMPARE(s.listed, 250);
        QVERIFY(s.watermark.isValid());
        // 3 list pages + one GET per order.
        QCOMPARE(sim().requestCount(Endpoint::ListOrders), 3);
        QCOMPARE(sim().requestCount(Endpoint::GetOrder), 250);
        QCOMPARE(s.requests, 253);
        const QString mismatch = checkOrders(sim().orderIds());
        QVERIFY2(mismatch.isEmpty(), qPrintable(mismatch));
        int wanted = 0;
        for (const QString &id : sim().orderIds())
            wanted += wantedTickets(id);
        QCOMPARE(s.ticketsAdded, wanted);
        QCOMPARE(scalarInt(QStringLiteral("SELECT count(*) FROM ghl_qr_orders")), 250);

        db::SyncRunRepository runs(database().db());
        auto last = runs.lastRun();
        QVERIFY_OK(last);
        QVERIFY(last.value().has_value());
        QCOMPARE(last.value()->status, QStringLiteral("succeeded"));
        QCOMPARE(last.value()->mode, QStringLiteral("full"));
        QCOMPARE(last.value()->syncedOrders, 250);
        QCOMPARE(last.value()->requests, 253);
        QCOMPARE(last.value()->watermark.toMSecsSinceEpoch(), s.watermark.toMSecsSinceEpoch());
        QVERIFY(last.value()->finishedAt.isValid());
        auto running = runs.running();
        QVERIFY_OK(running);
        QVERIFY2(!running.value().has_value(), "a finished run must not count as running");

        // The same again changes nothing: reconciliation is idempotent.
        const auto again = runSync(request(SyncMode::Full));
        QVERIFY2(again.status == SyncStatus::Succeeded, qPrintable(describe(again)));
        QCOMPARE(again.ticketsAdded, 0);
        QCOMPARE(again.ticketsCancelled, 0);
        QCOMPARE(scalarInt(QStringLiteral("SELECT count(*) FROM ghl_qr_tickets")), wanted);
    }

    void runningRunIsVisible()
    {
        db::SyncRunRepository runs(database().db());
        auto id = runs.start(QStringLiteral("full"), QStringLiteral("door-2"));
        QVERIFY_OK(id);
        auto running = runs.running();
        QVERIFY_OK(running);
        QVERIFY2(running.value().has_value(), "a run started a moment ago must be reported as running");
        QCOMPARE(running.value()->station, QStringLiteral("door-2"));

        // Started an hour ago but still beating: a long sync, not a crashed one.
        QVERIFY_OK(database().exec(QStringLiteral("UPDATE sync_runs SET started_at = '2020-01-01T00:00:00.000Z'")));
        QVERIFY_OK(runs.heartbeat(id.value()));
        auto beating = runs.running();
        QVERIFY_OK(beating);
        QVERIFY2(beating.value().has_value(), "a run whose heartbeat is fresh is running, however long ago it started");

        // Its heartbeat stopped three minutes ago: the process crashed or lost the database.
        const QString threeMinutesAgo = QDateTime::currentDateTimeUtc().addSecs(-180).toString(Qt::ISODateWithMs);
        QVERIFY_OK(database().exec(QStringLiteral("UPDATE sync_runs SET heartbeat_at = '%1'").arg(threeMinutesAgo)));
        auto stale = runs.running();
        QVERIFY_OK(stale);
        QVERIFY2(!stale.value().has_value(), "a 'running' row whose heartbeat stopped minutes ago is a crashed run");
        // A row from before heartbeats (none recorded) counts by its start.
        QVERIFY_OK(database().exec(QStringLiteral("UPDATE sync_runs SET heartbeat_at = NULL")));
        auto old = runs.running();
        QVERIFY_OK(old);
        QVERIFY(!old.value().has_value());
    }

    void otherStationsLearnOfStartAndEnd()
    {
        const QString name = QStringLiteral("tst-sync-listen");
        db::SyncRunRepository runs(database().db());
        db::SyncRunRecord done;
        done.mode = QStringLiteral("full");
        done.status = QStringLiteral("succeeded");
        {
            QSqlDatabase other = database().db().addConnection(name, {});
            QVERIFY2(other.open(), qPrintable(other.lastError().text()));
            if (pg()) {
                // PostgreSQL stations LISTEN: a start and an end are notified, heartbeats are not.
                QSignalSpy notified(other.driver(), &QSqlDriver::notification);
                QVERIFY(other.driver()->subscribeToNotification(QStringLiteral("qrtickets_changes")));
                auto id = runs.start(QStringLiteral("full"), QStringLiteral("door-3"));
                QVERIFY_OK(id);
                QVERIFY2(notified.wait(5000), "a sync's start should reach the other stations");
                notified.clear();
                QVERIFY_OK(runs.heartbeat(id.value()));
                QVERIFY_OK(runs.heartbeat(id.value()));
                QVERIFY2(!notified.wait(1000), "a heartbeat must not make every station refresh");
                done.id = id.value();
                QVERIFY_OK(runs.finish(done));
                QVERIFY2(notified.wait(5000), "a sync's end should reach the other stations");
                other.driver()->unsubscribeFromNotification(QStringLiteral("qrtickets_changes"));
            } else {
                // SQLite has one station; its window's connection polls PRAGMA data_version, which
                // moves with every commit of another connection (heartbeats too: harmless there).
                const auto version = [&other]() -> qint64 {
                    QSqlQuery q(other);
                    return q.exec(QStringLiteral("PRAGMA data_version")) && q.next() ? q.value(0).toLongLong() : -1;
                };
                const qint64 before = version();
                QVERIFY(before >= 0);
                auto id = runs.start(QStringLiteral("full"), QStringLiteral("door-3"));
                QVERIFY_OK(id);
                const qint64 started = version();
                QVERIFY2(started != before, "a sync's start should be visible to the window's connection");
                done.id = id.value();
                QVERIFY_OK(runs.finish(done));
                QVERIFY2(version() != started, "a sync's end should be visible to the window's connection");
            }
            other.close();
        }
        QSqlDatabase::removeDatabase(name);
    }

    void syncWritesHeartbeats()
    {
        sim().generate(12, 5);
        sim().setLatencyMs(150); // several heartbeats of 50 ms, even on a busy machine
        SyncRequest r = request(SyncMode::Full);
        r.heartbeatMs = 50;
        const auto s = runSync(r);
        QVERIFY2(s.status == SyncStatus::Succeeded, qPrintable(describe(s)));
        QCOMPARE(scalarInt(QStringLiteral("SELECT count(*) FROM sync_runs WHERE heartbeat_at > started_at")), 1);
    }

    void incrementalAfterMutations()
    {
        sim().generate(250, 11);
        const auto first = runSync(request(SyncMode::Full));
        QVERIFY2(first.status == SyncStatus::Succeeded, qPrintable(describe(first)));
        const QStringList ids = sim().orderIds();

        // Nothing changed: only the list pages.
        sim().resetLog();
        const auto idle = runSync(request(SyncMode::Incremental));
        QVERIFY2(idle.status == SyncStatus::Succeeded, qPrintable(describe(idle)));
        QCOMPARE(sim().requestCount(Endpoint::ListOrders), 3);
        QCOMPARE(sim().requestCount(Endpoint::GetOrder), 0);
        QCOMPARE(idle.unchanged, 250);

        QTest::qWait(5); // updatedAt has millisecond resolution
        QVERIFY(sim().setItemQuantity(ids.at(3), 0, 6));
        QVERIFY(sim().setItemQuantity(ids.at(40), 0, 1));
        QVERIFY(sim().setItemQuantity(ids.at(120), 0, 5));
        QVERIFY(sim().cancelOrder(ids.at(200)));
        QVERIFY(sim().refundOrder(ids.at(201)));
        const QStringList added = sim().addOrders(2);
        sim().resetLog();
        const auto s = runSync(request(SyncMode::Incremental));
        QVERIFY2(s.status == SyncStatus::Succeeded, qPrintable(describe(s)));
        QCOMPARE(sim().requestCount(Endpoint::ListOrders), 3);
        QCOMPARE(sim().requestCount(Endpoint::GetOrder), 7);
        QCOMPARE(s.requests, 10);
        QCOMPARE(s.total, 7);
        QCOMPARE(s.unchanged, 245);
        const QString mismatch = checkOrders(sim().orderIds());
        QVERIFY2(mismatch.isEmpty(), qPrintable(mismatch));
        for (const QString &id : added)
            QVERIFY2(ordersInDb().contains(id), "a new order must be added by an incremental sync");
    }

    void idList()
    {
        sim().generate(30, 3);
        QStringList ids = sim().orderIds().mid(0, 5);
        const QString unknown = QStringLiteral("0123456789abcdef01234567");
        ids << unknown << ids.first(); // a duplicate is fetched once
        SyncRequest req = request(SyncMode::IdList);
        req.orderIds = ids;
        const auto s = runSync(req);
        QVERIFY2(s.status == SyncStatus::Partial, qPrintable(describe(s)));
        QCOMPARE(s.total, 6);
        QCOMPARE(s.synced, 5);
        QCOMPARE(s.failed, 1);
        QCOMPARE(s.failures.first().orderId, unknown);
        QVERIFY2(s.failures.first().reason.contains(QStringLiteral("not found in GHL")), qPrintable(s.failures.first().reason));
        QCOMPARE(sim().requestCount(Endpoint::ListOrders), 0);
        QCOMPARE(sim().requestCount(Endpoint::GetOrder), 6);
        QCOMPARE(ordersInDb().size(), 5);
        const QString mismatch = checkOrders(ids.mid(0, 5));
        QVERIFY2(mismatch.isEmpty(), qPrintable(mismatch));
        db::SyncRunRepository runs(database().db());
        auto last = runs.lastRun();
        QVERIFY_OK(last);
        QCOMPARE(last.value()->status, QStringLiteral("partial"));
        QCOMPARE(last.value()->failedOrders, 1);
        const QJsonArray failures = last.value()->summary.value(u"failures").toArray();
        QCOMPARE(failures.size(), 1);
        QCOMPARE(failures.first().toObject().value(u"orderId").toString(), unknown);
    }

    // --- cancel ------------------------------------------------------------------------------

    void cancelMidway()
    {
        sim().generate(300, 5);
        sim().setLatencyMs(20);
        SyncRequest req = request(SyncMode::Full);
        req.ghl.concurrency = 2;
        req.batchSize = 10;
        SyncEngine engine(database().shared());
        QSignalSpy finished(&engine, &SyncEngine::finished);
        QVERIFY(engine.start(req));
        QTRY_VERIFY_WITH_TIMEOUT(engine.progress().written >= 20, test::kWaitMs);
        engine.cancel();
        QVERIFY2(finished.wait(test::kWaitMs), "a cancelled sync must finish");
        const auto s = finished.first().first().value<SyncSummary>();
        QVERIFY2(s.status == SyncStatus::Cancelled, qPrintable(describe(s)));
        QVERIFY2(s.synced >= 20 && s.synced < 300, qPrintable(describe(s)));
        QVERIFY(!engine.isRunning());
        // What was written is whole: every stored order has all its tickets.
        const QStringList stored = ordersInDb();
        QCOMPARE(stored.size(), s.synced);
        QString mismatch = checkOrders(stored);
        QVERIFY2(mismatch.isEmpty(), qPrintable(mismatch));
        db::SyncRunRepository runs(database().db());
        QCOMPARE(runs.lastRun().value()->status, QStringLiteral("cancelled"));

        sim().setLatencyMs(1);
        const auto rerun = runSync(request(SyncMode::Full));
        QVERIFY2(rerun.status == SyncStatus::Succeeded, qPrintable(describe(rerun)));
        mismatch = checkOrders(sim().orderIds());
        QVERIFY2(mismatch.isEmpty(), qPrintable(mismatch));
    }

    void destroyWhileRunning()
    {
        sim().generate(200, 9);
        sim().setLatencyMs(20);
        {
            SyncEngine engine(database().shared());
            QVERIFY(engine.start(request(SyncMode::Full)));
            QTRY_VERIFY_WITH_TIMEOUT(engine.progress().fetched >= 5, test::kWaitMs);
        } // the destructor cancels and joins its threads
        db::SyncRunRepository runs(database().db());
        auto last = runs.lastRun();
        QVERIFY_OK(last);
        QCOMPARE(last.value()->status, QStringLiteral("cancelled"));
        const QStringList stored = ordersInDb();
        const QString mismatch = checkOrders(stored);
        QVERIFY2(mismatch.isEmpty(), qPrintable(mismatch));
    }

    // --- GHL changes between runs ------------------------------------------------------------

    void quantitiesAndCancellations()
    {
        sim().generate(40, 21);
        const auto first = runSync(request(SyncMode::Full));
        QVERIFY2(first.status == SyncStatus::Succeeded, qPrintable(describe(first)));

        // Pick orders that are live with at least 2 tickets.
        QStringList candidates;
        for (const QString &id : sim().orderIds()) {
            if (wantedTickets(id) >= 2 && sim().orderJson(id).value(u"items").toArray().size() == 1)
                candidates << id;
        }
        QVERIFY2(candidates.size() >= 4, "the generated data should have orders of one item with 2+ tickets");
        const QString grown = candidates.at(0), shrunk = candidates.at(1), cancelled = candidates.at(2),
                      refunded = candidates.at(3);

        db::TicketRepository tickets(database().db());
        // Everyone of `shrunk` is already in; one of `refunded` is.
        while (tickets.admitNext(shrunk, QStringLiteral("door")).value().admitted()) { }
        QVERIFY(tickets.admitNext(refunded, QStringLiteral("door")).value().admitted());
        const int shrunkUsed = ticketsInDb().value(shrunk).used;
        const int refundedTotal = ticketsInDb().value(refunded).total;

        QTest::qWait(5);
        QVERIFY(sim().setItemQuantity(grown, 0, wantedTickets(grown) + 2));
        QVERIFY(sim().setItemQuantity(shrunk, 0, 1));
        QVERIFY(sim().cancelOrder(cancelled));
        QVERIFY(sim().refundOrder(refunded));
        const auto s = runSync(request(SyncMode::Incremental));
        QVERIFY2(s.status == SyncStatus::Succeeded, qPrintable(describe(s)));
        QCOMPARE(s.total, 4);
        QCOMPARE(s.ticketsAdded, 2);

        const auto after = ticketsInDb();
        QCOMPARE(after.value(grown).active, wantedTickets(grown));
        // Used tickets are never touched, even when GHL now wants fewer: that is a conflict.
        QCOMPARE(after.value(shrunk).used, shrunkUsed);
        QCOMPARE(after.value(shrunk).cancelled, 0);
        QVERIFY2(std::any_of(s.conflicts.cbegin(), s.conflicts.cend(), [&](const QString &c) { return c.contains(shrunk); }),
                 qPrintable(QStringLiteral("a conflict for order %1 expected, got: %2").arg(shrunk, s.conflicts.join(u'|'))));
        QCOMPARE(after.value(cancelled).active, 0);
        QVERIFY(after.value(cancelled).cancelled >= 2);
        QCOMPARE(after.value(refunded).used, 1);
        QCOMPARE(after.value(refunded).active, 1);
        QCOMPARE(after.value(refunded).cancelled, refundedTotal - 1);
        QCOMPARE(s.ticketsCancelled, after.value(cancelled).cancelled + refundedTotal - 1);
        // Nothing was deleted.
        QCOMPARE(after.value(refunded).total, refundedTotal);
    }

    void staysWithinRateLimit()
    {
        sim().generate(70, 19);
        sim().setRateLimit(20, 500);
        SyncEngine engine(database().shared());
        int maxWait = 0;
        connect(&engine, &SyncEngine::progressChanged, this,
                [&maxWait](const sync::SyncProgress &p) { maxWait = std::max(maxWait, p.rateLimitWaitMs); });
        const auto s = test::runOnce(engine, request(SyncMode::Full), 2 * test::kWaitMs);
        QVERIFY2(s.status == SyncStatus::Succeeded, qPrintable(describe(s)));
        QCOMPARE(sim().statusCount(429), 0);
        QVERIFY2(sim().maxRequestsInWindow(500) <= 20,
                 qPrintable(QStringLiteral("%1 requests in one 500 ms window").arg(sim().maxRequestsInWindow(500))));
        QCOMPARE(s.requests, 71);
        QVERIFY2(maxWait > 0, "progress should show the rate-limit waits");
    }

    // --- faults ------------------------------------------------------------------------------

    void faultsEndCorrectOrListed()
    {
        sim().generate(120, 13);
        ghlsim::SimFaults faults;
        faults.serverError = 0.20;
        faults.rateLimited = 0.10;
        faults.retryAfterS = 1;
        faults.hang = 0.05;
        faults.malformed = 0.02;
        sim().setFaults(faults, 4242);
        SyncRequest req = request(SyncMode::Full);
        req.ghl.requestTimeoutMs = 1000;
        req.ghlMaxAttempts = 6;
        const auto s = runSync(req, 170000);
        QVERIFY2(s.status == SyncStatus::Succeeded || s.status == SyncStatus::Partial, qPrintable(describe(s)));
        QVERIFY2(sim().statusCount(500) > 0 && sim().statusCount(429) > 0, "the faults should have been injected");
        QSet<QString> failed;
        for (const auto &f : s.failures) {
            QVERIFY2(!f.reason.trimmed().isEmpty(), "every failure needs a reason");
            failed.insert(f.orderId);
        }
        QCOMPARE(s.synced + s.failed, 120);
        const QString mismatch = checkOrders(sim().orderIds(), failed);
        QVERIFY2(mismatch.isEmpty(), qPrintable(mismatch));
        // No duplicates anywhere: tickets per order equal what GHL reports.
        const auto tally = ticketsInDb();
        for (auto it = tally.cbegin(); it != tally.cend(); ++it)
            QCOMPARE(it->total, wantedTickets(it.key()));
        qInfo("faults: %d saved, %d failed, %d requests, 500s %d, 429s %d", s.synced, s.failed, s.requests,
              sim().statusCount(500), sim().statusCount(429));

        // GHL recovers: a second run completes everything without duplicates.
        sim().clearFaults();
        const auto rerun = runSync(request(SyncMode::Full));
        QVERIFY2(rerun.status == SyncStatus::Succeeded, qPrintable(describe(rerun)));
        const QString after = checkOrders(sim().orderIds());
        QVERIFY2(after.isEmpty(), qPrintable(after));
    }

    void malformedOrderIsListed()
    {
        sim().generate(10, 17);
        const QString id = sim().orderIds().at(4);
        ghlsim::SimFaults bad;
        bad.malformed = 1.0;
        sim().setPathFaults(QStringLiteral("/payments/orders/") + id, bad);
        const auto s = runSync(request(SyncMode::Full));
        QVERIFY2(s.status == SyncStatus::Partial, qPrintable(describe(s)));
        QCOMPARE(s.failed, 1);
        QCOMPARE(s.failures.first().orderId, id);
        QVERIFY2(s.failures.first().reason.contains(QStringLiteral("malformed")), qPrintable(s.failures.first().reason));
        QCOMPARE(s.synced, 9);
    }

    // GHL answering GET /payments/orders/X with order Y, or with an order of another location:
    // both are failures with their reason, and nothing of either answer is stored.
    void answerForAnotherOrderOrLocationIsRefused()
    {
        sim().generate(10, 23);
        const QStringList ids = sim().orderIds();
        const QString swapped = ids.at(2);
        const QString foreign = ids.at(6);
        ghlsim::SimFaults otherOrder;
        otherOrder.otherOrder = 1.0;
        sim().setPathFaults(QStringLiteral("/payments/orders/") + swapped, otherOrder);
        ghlsim::SimFaults otherLocation;
        otherLocation.otherLocation = 1.0;
        sim().setPathFaults(QStringLiteral("/payments/orders/") + foreign, otherLocation);

        const auto s = runSync(request(SyncMode::Full));
        QVERIFY2(s.status == SyncStatus::Partial, qPrintable(describe(s)));
        QCOMPARE(s.failed, 2);
        QCOMPARE(s.synced, 8);
        QHash<QString, QString> reasons;
        for (const auto &f : s.failures)
            reasons.insert(f.orderId, f.reason);
        QVERIFY2(reasons.value(swapped).contains(QStringLiteral("GHL answered order")), qPrintable(describe(s)));
        QVERIFY2(reasons.value(swapped).contains(QStringLiteral("for ") + swapped), qPrintable(describe(s)));
        QVERIFY2(reasons.value(foreign).contains(QStringLiteral("belongs to location")), qPrintable(describe(s)));
        const QStringList stored = ordersInDb();
        QCOMPARE(stored.size(), 8);
        QVERIFY(!stored.contains(swapped));
        QVERIFY(!stored.contains(foreign));
        // ... and nothing under the id the wrong answer carried, nor from the other location.
        QCOMPARE(scalarInt(QStringLiteral("SELECT count(*) FROM ghl_qr_orders WHERE location_id <> '%1'").arg(sim().locationId())), 0);
        db::SyncRunRepository runs(database().db());
        auto last = runs.lastRun();
        QVERIFY_OK(last);
        QCOMPARE(last.value()->failedOrders, 2);

        // Once GHL answers right, the next sync stores both.
        sim().clearFaults();
        const auto again = runSync(request(SyncMode::Incremental));
        QVERIFY2(again.status == SyncStatus::Succeeded, qPrintable(describe(again)));
        QCOMPARE(ordersInDb().size(), 10);
    }

    void unauthorizedFails()
    {
        sim().generate(10, 1);
        SyncRequest req = request(SyncMode::Full);
        req.ghl.token = QStringLiteral("wrong-token");
        const auto s = runSync(req);
        QVERIFY2(s.status == SyncStatus::Failed, qPrintable(describe(s)));
        QVERIFY2(s.error.contains(QStringLiteral("401")) || s.error.contains(QStringLiteral("token")), qPrintable(s.error));
        db::SyncRunRepository runs(database().db());
        QCOMPARE(runs.lastRun().value()->status, QStringLiteral("failed"));
    }

    void databaseUnavailable()
    {
        sim().generate(5, 1);
        auto gone = db::Database::open(QStringLiteral("postgresql://qrt:secret@127.0.0.1:1/nowhere"));
        QVERIFY_OK(gone);
        SyncEngine engine(gone.value());
        const auto s = test::runOnce(engine, request(SyncMode::Full), 2 * test::kWaitMs); // must end, not hang
        QVERIFY2(s.status == SyncStatus::Failed, qPrintable(describe(s)));
        QVERIFY2(s.error.contains(QStringLiteral("database")) && s.error.contains(QStringLiteral("127.0.0.1:1")),
                 qPrintable(s.error));
        QCOMPARE(sim().requestCount(), 0);
    }

    // --- database restarts -------------------------------------------------------------------

    // The database goes away mid-sync and does not come back within the retries: the run ends
    // with a clear message, what was saved is whole, and a re-run completes without duplicates.
    void databaseLostForGood()
    {
        sim().generate(300, 41);
        sim().setLatencyMs(15);
        SyncRequest req = request(SyncMode::Full);
        req.ghl.concurrency = 3;
        req.batchSize = 20;
        // SQLite waits out its 10 s busy timeout on every attempt (and again recording the run).
        req.dbAttempts = pg() ? 3 : 1;
        req.dbRetryBaseMs = 100;
        SyncEngine engine(database().shared());
        QSignalSpy finished(&engine, &SyncEngine::finished);
        QVERIFY(engine.start(req));
        QTRY_VERIFY_WITH_TIMEOUT(engine.progress().written >= 40, 60000);

        std::unique_ptr<QSqlDatabase> blocker; // SQLite: another writer holding the file
        std::shared_ptr<db::Database> admin;
        const QString dbName = QUrl(database().url()).path().mid(1);
        if (pg()) {
            // Refuse new connections to this test's database and drop the open ones.
            auto opened = db::Database::open(qEnvironmentVariable("QRT_TEST_PG_URL"));
            QVERIFY_OK(opened);
            admin = opened.value();
            auto c = admin->connection();
            QVERIFY_OK(c);
            QSqlQuery q(c.value());
            QVERIFY2(q.exec(QStringLiteral("ALTER DATABASE %1 ALLOW_CONNECTIONS false").arg(dbName)),
                     qPrintable(q.lastError().text()));
            QVERIFY2(q.exec(QStringLiteral("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = '%1'")
                                .arg(dbName)),
                     qPrintable(q.lastError().text()));
        } else {
            blocker = std::make_unique<QSqlDatabase>(QSqlDatabase::addDatabase(QStringLiteral("QSQLITE"), QStringLiteral("blocker")));
            blocker->setDatabaseName(QUrl(database().url()).path());
            blocker->setConnectOptions(QStringLiteral("QSQLITE_BUSY_TIMEOUT=30000"));
            QVERIFY(blocker->open());
            QSqlQuery q(*blocker);
            QVERIFY2(q.exec(QStringLiteral("BEGIN EXCLUSIVE")), qPrintable(q.lastError().text()));
        }
        QVERIFY2(finished.wait(90000) || !finished.isEmpty(), "the sync must end when the database stays away");
        const auto s = finished.first().first().value<SyncSummary>();
        QVERIFY2(s.status == SyncStatus::Failed, qPrintable(describe(s)));
        QVERIFY2(s.error.contains(QStringLiteral("database")) && s.error.contains(QStringLiteral("again")), qPrintable(s.error));
        QVERIFY2(s.synced >= 40 && s.synced < 300, qPrintable(describe(s)));

        if (pg()) {
            auto c = admin->connection();
            QVERIFY_OK(c);
            QSqlQuery q(c.value());
            QVERIFY2(q.exec(QStringLiteral("ALTER DATABASE %1 ALLOW_CONNECTIONS true").arg(dbName)),
                     qPrintable(q.lastError().text()));
        } else {
            QSqlQuery(*blocker).exec(QStringLiteral("ROLLBACK"));
            blocker->close();
            blocker.reset();
            QSqlDatabase::removeDatabase(QStringLiteral("blocker"));
        }
        const QStringList stored = ordersInDb();
        QString mismatch = checkOrders(stored);
        QVERIFY2(mismatch.isEmpty(), qPrintable(mismatch));

        sim().setLatencyMs(1);
        const auto rerun = runSync(request(SyncMode::Full));
        QVERIFY2(rerun.status == SyncStatus::Succeeded, qPrintable(describe(rerun)));
        mismatch = checkOrders(sim().orderIds());
        QVERIFY2(mismatch.isEmpty(), qPrintable(mismatch));
        const auto tally = ticketsInDb();
        for (auto it = tally.cbegin(); it != tally.cend(); ++it)
            QCOMPARE(it->total, wantedTickets(it.key()));
    }


    // The writer pauses before trying a lost database again; cancel ends that pause at once
    // instead of waiting it out (the pause here is an hour).
    void cancelInterruptsDatabaseRetry()
    {
        if (!pg())
            QSKIP("PostgreSQL only by design: SQLite has no connection to lose; its busy wait is the driver's, not a retry pause.");
        sim().generate(300, 43);
        sim().setLatencyMs(15);
        SyncRequest req = request(SyncMode::Full);
        req.ghl.concurrency = 3;
        req.batchSize = 20;
        req.dbAttempts = 5;
        req.dbRetryBaseMs = 3600000;
        static std::atomic<bool> pausing { false };
        static QtMessageHandler previous = nullptr;
        pausing = false;
        previous = qInstallMessageHandler([](QtMsgType type, const QMessageLogContext &context, const QString &message) {
            if (qstrcmp(context.category, "qrtickets.sync") == 0 && message.contains(QStringLiteral("retrying in")))
                pausing = true;
            previous(type, context, message);
        });
        const auto restoreHandler = qScopeGuard([] { qInstallMessageHandler(previous); });
        SyncEngine engine(database().shared());
        QSignalSpy finished(&engine, &SyncEngine::finished);
        QVERIFY(engine.start(req));
        QTRY_VERIFY_WITH_TIMEOUT(engine.progress().written >= 40, test::kWaitMs);

        const QString dbName = QUrl(database().url()).path().mid(1);
        auto opened = db::Database::open(qEnvironmentVariable("QRT_TEST_PG_URL"));
        QVERIFY_OK(opened);
        std::shared_ptr<db::Database> admin = opened.value();
        const auto allow = [&](bool on) {
            auto c = admin->connection();
            QSqlQuery q(c.value());
            return q.exec(QStringLiteral("ALTER DATABASE %1 ALLOW_CONNECTIONS %2").arg(dbName, on ? u"true" : u"false"))
                ? QString() : q.lastError().text();
        };
        const QString refused = allow(false);
        QVERIFY2(refused.isEmpty(), qPrintable(refused));
        const auto reopen = qScopeGuard([&] { allow(true); });
        {
            auto c = admin->connection();
            QSqlQuery q(c.value());
            QVERIFY2(q.exec(QStringLiteral("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = '%1'")
                                .arg(dbName)),
                     qPrintable(q.lastError().text()));
        }
        QTRY_VERIFY2_WITH_TIMEOUT(pausing.load(), "the writer never paused to retry the lost database", test::kWaitMs);
        engine.cancel();
        QVERIFY2(finished.wait(test::kWaitMs) || !finished.isEmpty(),
                 "cancel must end the sync while the writer pauses before its next try (the pause is an hour)");
        // The batch could not be saved on the last try either: that failure is reported.
        const auto s = finished.first().first().value<SyncSummary>();
        QVERIFY2(s.status == SyncStatus::Failed, qPrintable(describe(s)));
        QVERIFY2(s.error.contains(QStringLiteral("database")), qPrintable(s.error));
        QVERIFY2(s.synced >= 40 && s.synced < 300, qPrintable(describe(s)));
    }

    void postgresRestartMidSync()
    {
        if (!pg())
            QSKIP("SQLite is a file in this process: there is no server to restart, by design.");
        const QString restart = qEnvironmentVariable("QRT_TEST_PG_RESTART");
        if (restart.isEmpty())
            QFAIL("QRT_TEST_PG_RESTART is not set: run through scripts/test, which provides a restart script.");
        sim().generate(400, 31);
        sim().setLatencyMs(15);
        SyncRequest req = request(SyncMode::Full);
        req.ghl.concurrency = 3;
        req.batchSize = 20;
        SyncEngine engine(database().shared());
        QSignalSpy finished(&engine, &SyncEngine::finished);
        QVERIFY(engine.start(req));
        QTRY_VERIFY_WITH_TIMEOUT(engine.progress().written >= 40, 60000);
        QProcess proc;
        proc.start(restart, {});
        QVERIFY2(proc.waitForStarted(10000), "the restart script did not start");
        QTRY_VERIFY_WITH_TIMEOUT(proc.state() == QProcess::NotRunning, 90000);
        QVERIFY2(proc.exitCode() == 0, proc.readAllStandardError().constData());
        QVERIFY2(finished.wait(120000) || !finished.isEmpty(), "the sync did not end after the restart");
        const auto s = finished.first().first().value<SyncSummary>();
        qInfo("after the restart: %s", qPrintable(describe(s)));
        if (s.status == SyncStatus::Failed)
            QVERIFY2(s.error.contains(QStringLiteral("database")), qPrintable(s.error));
        else
            QVERIFY2(s.status == SyncStatus::Succeeded, qPrintable(describe(s)));

        sim().setLatencyMs(1);
        const auto rerun = runSync(request(SyncMode::Full));
        QVERIFY2(rerun.status == SyncStatus::Succeeded, qPrintable(describe(rerun)));
        const QString mismatch = checkOrders(sim().orderIds());
        QVERIFY2(mismatch.isEmpty(), qPrintable(mismatch));
        const auto tally = ticketsInDb();
        for (auto it = tally.cbegin(); it != tally.cend(); ++it)
            QCOMPARE(it->total, wantedTickets(it.key()));
    }

    // --- event feed --------------------------------------------------------------------------

    void feedEvents()
    {
        sim().generate(30, 2);
        feed::EventFeed feed;
        QVERIFY_OK(feed.listen(QHostAddress::LocalHost));
        QWebSocket client;
        QStringList events;
        QJsonObject complete;
        QJsonObject lastProgress;
        connect(&client, &QWebSocket::textMessageReceived, this, [&](const QString &text) {
            const QJsonObject o = QJsonDocument::fromJson(text.toUtf8()).object();
            const QString name = o.value(u"event").toString();
            if (name.startsWith(u"sync_"))
                events << name;
            if (name == u"sync_complete")
                complete = o.value(u"data").toObject();
            if (name == u"sync_progress")
                lastProgress = o.value(u"data").toObject();
        });
        // The engine is connected to nothing: its run reaches the feed through sync_runs, as any
        // engine's does (another process's, another station's).
        webhook::TicketEventRelay relay(database().shared(), feed);
        relay.setInterval(50);
        client.open(QUrl(QStringLiteral("ws://127.0.0.1:%1/").arg(feed.serverPort())));
        QTRY_VERIFY_WITH_TIMEOUT(feed.clientCount() == 1, 10000);

        SyncEngine engine(database().shared());
        QSignalSpy finished(&engine, &SyncEngine::finished);
        SyncRequest req = request(SyncMode::Full);
        req.progressRecordMs = 50;
        QVERIFY(engine.start(req));
        QVERIFY(finished.wait(60000));
        QTRY_VERIFY2_WITH_TIMEOUT(events.size() >= 4 && events.last() == u"sync_status", qPrintable(events.join(u',')), 10000);
        QCOMPARE(events.first(), QStringLiteral("sync_status"));
        QVERIFY2(events.contains(QStringLiteral("sync_progress")), qPrintable(events.join(u',')));
        QCOMPARE(events.mid(events.size() - 3),
                 QStringList({ QStringLiteral("sync_progress"), QStringLiteral("sync_complete"), QStringLiteral("sync_status") }));
        QCOMPARE(events.count(QStringLiteral("sync_complete")), 1);
        QCOMPARE(complete.value(u"syncedOrders").toInt(), 30);
        QCOMPARE(complete.value(u"status").toString(), QStringLiteral("succeeded"));
        QCOMPARE(lastProgress.value(u"syncInProgress").toBool(), false);
        QCOMPARE(lastProgress.value(u"totalOrders").toInt(), 30);
        QCOMPARE(lastProgress.value(u"syncedOrders").toInt(), 30);
        client.close();
    }

    // --- the command line --------------------------------------------------------------------

    void commandLine()
    {
        const QString binary = test::qrticketsBinary();
        if (binary.isEmpty())
            QFAIL("QRT_QRTICKETS_BIN is not set: ctest passes the built qrtickets binary (see tests/sync/CMakeLists.txt).");
        sim().generate(40, 8);
        test::FreshHome home;
        QVERIFY(home.isValid());

        // A station configured for this test's database and simulator; `env` on top of it (a
        // null value removes that variable). runChild keeps the simulator answering meanwhile.
        const QMap<QString, QString> station {
            { QStringLiteral("DBUS_SESSION_BUS_ADDRESS"), QStringLiteral("disabled:") },
            { QStringLiteral("QRTICKETS_DATABASE_URL"), database().url() },
            { QStringLiteral("QRTICKETS_GHL_BASE_URL"), sim().baseUrl().toString() },
            { QStringLiteral("QRTICKETS_GHL_TOKEN"), sim().token() },
            { QStringLiteral("QRTICKETS_GHL_LOCATION_ID"), sim().locationId() },
            { QStringLiteral("QRTICKETS_STATION_NAME"), QStringLiteral("cli-test") },
            { QStringLiteral("QRTICKETS_LOG_LEVEL"), QStringLiteral("debug") },
        };
        QString allErr;
        auto run = [&](const QStringList &args, const QMap<QString, QString> &env, QString *err) {
            QMap<QString, QString> vars = station;
            vars.insert(env);
            const test::ChildRun r = test::runChild(binary, args, home.environment(vars), 3 * test::kWaitMs);
            *err = r.err;
            allErr += *err;
            return r.exitCode;
        };

        QString err;
        int code = run({ QStringLiteral("sync"), QStringLiteral("--mode"), QStringLiteral("full") }, {}, &err);
        QVERIFY2(code == 0, qPrintable(QStringLiteral("exit %1: %2").arg(code).arg(err)));
        QVERIFY2(err.contains(QStringLiteral("40")), qPrintable(err));
        QString mismatch = checkOrders(sim().orderIds());
        QVERIFY2(mismatch.isEmpty(), qPrintable(mismatch));

        // An ID list with an unknown id: exit 3, the id and the reason in the summary.
        QFile list(home.filePath(QStringLiteral("valid_order_list.json")));
        QVERIFY(list.open(QIODevice::WriteOnly));
        const QString unknown = QStringLiteral("ffffffffffffffffffffffff");
        list.write(QJsonDocument(QJsonArray { sim().orderIds().first(), unknown }).toJson());
        list.close();
        code = run({ QStringLiteral("sync"), QStringLiteral("--orders-file"), list.fileName() }, {}, &err);
        QVERIFY2(code == 3, qPrintable(QStringLiteral("exit %1: %2").arg(code).arg(err)));
        qInfo("qrtickets sync --orders-file said:\n%s", qPrintable(err));
        QVERIFY2(err.contains(unknown) && err.contains(QStringLiteral("not found")), qPrintable(err));

        // Incremental after one change.
        QTest::qWait(5);
        QVERIFY(sim().setItemQuantity(sim().orderIds().at(2), 0, 6));
        sim().resetLog();
        code = run({ QStringLiteral("sync") }, {}, &err);
        QVERIFY2(code == 0, qPrintable(QStringLiteral("exit %1: %2").arg(code).arg(err)));
        QCOMPARE(sim().requestCount(Endpoint::GetOrder), 1);
        mismatch = checkOrders(sim().orderIds());
        QVERIFY2(mismatch.isEmpty(), qPrintable(mismatch));

        // A broken list file is a usage error.
        QFile broken(home.filePath(QStringLiteral("broken.json")));
        QVERIFY(broken.open(QIODevice::WriteOnly));
        broken.write("{\"not\": \"a list\"}");
        broken.close();
        code = run({ QStringLiteral("sync"), QStringLiteral("--orders-file"), broken.fileName() }, {}, &err);
        QVERIFY2(code == 2 && err.contains(QStringLiteral("JSON array")), qPrintable(QStringLiteral("exit %1: %2").arg(code).arg(err)));

        // No token: exit 2 naming where to put it.
        code = run({ QStringLiteral("sync") }, { { QStringLiteral("QRTICKETS_GHL_TOKEN"), QString() } }, &err);
        QVERIFY2(code == 2 && err.contains(QStringLiteral("QRTICKETS_GHL_TOKEN")),
                 qPrintable(QStringLiteral("exit %1: %2").arg(code).arg(err)));
        // No location id.
        code = run({ QStringLiteral("sync") }, { { QStringLiteral("QRTICKETS_GHL_LOCATION_ID"), QString() } }, &err);
        QVERIFY2(code == 2 && err.contains(QStringLiteral("location_id")),
                 qPrintable(QStringLiteral("exit %1: %2").arg(code).arg(err)));
        // A refused token: exit 1 with GHL's reason.
        code = run({ QStringLiteral("sync") }, { { QStringLiteral("QRTICKETS_GHL_TOKEN"), QStringLiteral("bad-token") } }, &err);
        QVERIFY2(code == 1 && err.contains(QStringLiteral("401")), qPrintable(QStringLiteral("exit %1: %2").arg(code).arg(err)));

        // The logs of all these runs, at debug level, and everything they printed hold no token.
        QString logs;
        const QDir logDir(home.logDir());
        for (const QString &name : logDir.entryList({ QStringLiteral("sync-*.log") }, QDir::Files)) {
            QFile f(logDir.filePath(name));
            QVERIFY(f.open(QIODevice::ReadOnly));
            logs += QString::fromUtf8(f.readAll());
        }
        QVERIFY2(logs.count(u'\n') > 5, "the sync runs wrote (almost) nothing to their JSON-lines log");
        for (const QString &secret : { sim().token(), QStringLiteral("bad-token") }) {
            QVERIFY2(!logs.contains(secret), qPrintable(QStringLiteral("the log file contains the token ") + secret));
            QVERIFY2(!allErr.contains(secret), qPrintable(QStringLiteral("stderr showed the token ") + secret));
        }
    }
};

QTEST_GUILESS_MAIN(TestSync)
#include "tst_sync.moc"
