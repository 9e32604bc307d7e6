// A station connected as a door login (issue 13: `qrtickets roles install`, `operator add NAME --role
// door`) scans, undoes, keeps its offline door cache and runs `qrtickets admit` through the door
// views and SECURITY DEFINER functions, with exactly the verdicts of an admin login. PostgreSQL only.
#include "db/doorfunctions.h"
#include "db/migrator.h"
#include "db/orderwriter.h"
#include "db/roles.h"
#include "db/ticketrepository.h"
#include "door/doorcache.h"
#include "door/doorcheck.h"
#include "door/doorstation.h"
#include "support/childprocess.h"
#include "support/sampleorders.h"
#include "support/testdatabase.h"
#include "support/timeouts.h"
#include "support/verify.h"

#include <QSqlQuery>
#include <QTemporaryDir>
#include <QTest>
#include <QUuid>

#include <memory>

using namespace qrt;
using Kind = door::Verdict::Kind;

namespace {
core::Order order(const QString &id, int tickets, const QString &payment)
{
    core::Order o;
    o.orderId = id;
    o.contactFirstName = QStringLiteral("Guest");
    o.contactLastName = id;
    o.contactEmail = id + QStringLiteral("@example.org");
    o.contactPhone = QStringLiteral("+4912345");
    o.paymentStatus = payment;
    o.eventId = QStringLiteral("jazz");
    o.eventName = QStringLiteral("Jazz night");
    o.totalPaid = 20.0 * tickets;
    o.dateAdded = QDateTime(QDate(2026, 5, 1), QTime(12, 0), Qt::UTC);
    o.items.append({ o.eventId, o.eventName, {}, {}, QStringLiteral("GA"), tickets, 20.0, QStringLiteral("EUR"), -1 });
    o.ticketQuantities[QStringLiteral("GA")] = tickets;
    return o;
}

QString describe(const door::Verdict &v)
{
    return door::toString(v.kind) + QStringLiteral(": ") + v.line() + QStringLiteral(" [") + v.error.details + u']';
}

const QString kPaid = QStringLiteral("66f0c1aa00000000000000a1");   // 3 tickets
const QString kUnpaid = QStringLiteral("66f0c1aa00000000000000b2"); // 1 ticket, unpaid
} // namespace

class TestDoorRole : public QObject
{
    Q_OBJECT

    db::Dialect m_dialect = db::Dialect::SQLite;
    std::unique_ptr<test::TestDatabase> m_t;
    QStringList m_logins;
    QString m_suffix;
    std::unique_ptr<QTemporaryDir> m_dir;

    db::NewOperator add(const QString &name, const QString &role = QStringLiteral("door"))
    {
        auto made = db::Roles(m_t->db()).addOperator(name + m_suffix, role, {});
        if (!made)
            qFatal("operator add %s failed: %s", qPrintable(name), qPrintable(made.error().toString()));
        m_logins << made->who.name;
        return made.value();
    }
    static std::shared_ptr<db::Database> open(const QString &url)
    {
        auto db = db::Database::open(url);
        return db ? db.value() : nullptr;
    }
    QList<core::Ticket> tickets(const QString &orderId)
    {
        return db::TicketRepository(m_t->db()).forOrder(orderId).value();
    }
    QString text(const QString &sql)
    {
        auto v = m_t->scalar(sql);
        return v ? v->toString() : QStringLiteral("(failed: %1)").arg(v.error().toString());
    }
    static door::DoorCheck::Policy policy(const QString &station, bool doorRole,
                                          core::AdmitUnpaid unpaid = core::AdmitUnpaid::Ask, const QStringList &events = {})
    {
        door::DoorCheck::Policy p;
        p.station = station;
        p.doorRole = doorRole;
        p.admitUnpaid = unpaid;
        p.events = events;
        return p;
    }

private slots:
    void initTestCase()
    {
        QRT_REQUIRE_BACKEND(m_dialect);
        if (m_dialect != db::Dialect::PostgreSQL)
            QSKIP("by design: database roles are PostgreSQL's; SQLite has one station and no logins");
    }

    void init()
    {
        m_suffix = QStringLiteral("_") + QUuid::createUuid().toString(QUuid::Id128).left(6);
        m_dir = std::make_unique<QTemporaryDir>();
        QRT_FRESH_DATABASE(m_t, m_dialect);
        QVERIFY_OK(m_t->migrate());
        QVERIFY_OK(db::Roles(m_t->db()).install());
        QVERIFY_OK(db::OrderWriter(m_t->db()).save({ order(kPaid, 3, QStringLiteral("paid")), order(kUnpaid, 1, QStringLiteral("unpaid")),
                                                     test::sampleMultiEventOrder(1) },
                                                   QStringLiteral("t")));
    }

    void cleanup()
    {
        m_t.reset(); // drops the database, ending the logins' sessions
        m_dir.reset();
        if (m_logins.isEmpty())
            return;
        auto admin = open(qEnvironmentVariable("QRT_TEST_PG_URL"));
        for (const QString &name : std::as_const(m_logins))
            QSqlQuery(admin->connection().value()).exec(QStringLiteral("DROP ROLE IF EXISTS ") + db::Roles::quoteIdentifier(name));
        m_logins.clear();
    }

    // The defect: the table path, as every station used before, is refused to a door login.
    void tablePathIsRefusedToADoorLogin()
    {
        auto door = open(add(QStringLiteral("door_r")).databaseUrl);
        QVERIFY(door);
        const door::Verdict v = door::DoorCheck(*door, policy(QStringLiteral("North"), false)).scan(tickets(kPaid).first().code);
        QVERIFY2(v.kind == Kind::Failed && v.error.details.contains(QStringLiteral("42501")), qPrintable(describe(v)));
        auto role = db::detectRole(*door);
        QVERIFY_OK(role);
        QVERIFY2(role.value() == db::DatabaseRole::Door, "a login made with --role door is not detected as a door login");
    }

    // By code and by order: each ticket admitted once, the audit rows name the login; a second scan
    // says "Already used" in the very words of the admin path.
    void scansAdmitOnceWithTheAdminPathsWords()
    {
        const db::NewOperator made = add(QStringLiteral("door_s"));
        auto door = open(made.databaseUrl);
        QVERIFY(door);
        door::DoorCheck asDoor(*door, policy(QStringLiteral("North"), true));
        door::DoorCheck asAdmin(m_t->db(), policy(QStringLiteral("North"), false));
        const QList<core::Ticket> all = tickets(kPaid);

        const door::Verdict first = asDoor.scan(all.first().code);
        QVERIFY2(first.kind == Kind::Admitted && first.title == QStringLiteral("Admitted 1 of 3"), qPrintable(describe(first)));
        const door::Verdict again = asDoor.scan(all.first().code);
        QVERIFY2(again.kind == Kind::AlreadyUsed, qPrintable(describe(again)));
        QCOMPARE(again.line(), asAdmin.scan(all.first().code).line());

        const door::Verdict byOrder = asDoor.scan(kPaid);
        QVERIFY2(byOrder.kind == Kind::Admitted && byOrder.title == QStringLiteral("Admitted 2 of 3"), qPrintable(describe(byOrder)));
        const door::Verdict rest = asDoor.check(door::parseScan(kPaid, {}), door::DoorCheck::Mode::All);
        QVERIFY2(rest.kind == Kind::Admitted && rest.title == QStringLiteral("Admitted 3 of 3"), qPrintable(describe(rest)));
        const door::Verdict orderAgain = asDoor.scan(kPaid);
        QVERIFY2(orderAgain.kind == Kind::AlreadyUsed, qPrintable(describe(orderAgain)));
        QCOMPARE(orderAgain.line(), asAdmin.scan(kPaid).line());

        for (const core::Ticket &t : all) {
            QCOMPARE(text(QStringLiteral("SELECT count(*) FROM ticket_events WHERE ticket_id = %1 AND to_status = 'used'").arg(t.ticketId)),
                     QStringLiteral("1"));
            QCOMPARE(text(QStringLiteral("SELECT operator || ' ' || actor FROM ticket_events WHERE ticket_id = %1 AND to_status = 'used'").arg(t.ticketId)),
                     made.who.name + QStringLiteral(" North"));
        }
    }

    // admit_unpaid ask / never / always and the event filter: the same verdicts as the admin path;
    // "Admit anyway" is recorded with reason unpaid.
    void unpaidAndEventsAsTheAdminPath()
    {
        auto door = open(add(QStringLiteral("door_u")).databaseUrl);
        QVERIFY(door);
        for (core::AdmitUnpaid unpaid : { core::AdmitUnpaid::Ask, core::AdmitUnpaid::Never }) {
            const door::Verdict d = door::DoorCheck(*door, policy(QStringLiteral("N"), true, unpaid)).scan(kUnpaid);
            const door::Verdict a = door::DoorCheck(m_t->db(), policy(QStringLiteral("N"), false, unpaid)).scan(kUnpaid);
            QVERIFY2(d.kind == (unpaid == core::AdmitUnpaid::Ask ? Kind::UnpaidAsk : Kind::UnpaidRefused), qPrintable(describe(d)));
            QCOMPARE(d.line(), a.line());
        }
        const door::Verdict anyway = door::DoorCheck(*door, policy(QStringLiteral("N"), true)).check(door::parseScan(kUnpaid, {}),
                                                                                                      door::DoorCheck::Mode::One, true);
        QVERIFY2(anyway.kind == Kind::Admitted && anyway.detail.contains(QStringLiteral("Admitted although not paid.")),
                 qPrintable(describe(anyway)));
        QCOMPARE(text(QStringLiteral("SELECT reason FROM ticket_events WHERE order_id = '%1' AND to_status = 'used'").arg(kUnpaid)), QStringLiteral("unpaid"));

        // A Summer Gala ticket at the Jazz Night door.
        const QString jazz = test::sampleEventId(1);
        const core::Ticket gala = [&] {
            for (const core::Ticket &t : tickets(test::sampleOrderId(1)))
                if (t.productId != jazz)
                    return t;
            return core::Ticket();
        }();
        const door::Verdict d = door::DoorCheck(*door, policy(QStringLiteral("N"), true, core::AdmitUnpaid::Ask, { jazz })).scan(gala.code);
        const door::Verdict a = door::DoorCheck(m_t->db(), policy(QStringLiteral("N"), false, core::AdmitUnpaid::Ask, { jazz })).scan(gala.code);
        QVERIFY2(d.kind == Kind::OtherEvent, qPrintable(describe(d)));
        QCOMPARE(d.line(), a.line());
        // The order link at the Jazz door admits a Jazz ticket, as for an admin.
        const door::Verdict jazzIn = door::DoorCheck(*door, policy(QStringLiteral("N"), true, core::AdmitUnpaid::Ask, { jazz }))
                                         .scan(test::sampleOrderId(1));
        QVERIFY2(jazzIn.kind == Kind::Admitted && jazzIn.ticket.productId == jazz, qPrintable(describe(jazzIn)));
    }

    // The station detects the door role itself; Undo of its own admission works, another operator's
    // is refused in plain words (not a raw SQL error).
    void stationUndoesOnlyItsOwn()
    {
        auto door1 = open(add(QStringLiteral("door_a")).databaseUrl);
        auto door2 = open(add(QStringLiteral("door_b")).databaseUrl);
        QVERIFY(door1 && door2);
        door::DoorStation station(door1, { m_dir->filePath(QStringLiteral("cache-a.sqlite")), 3000, 600000, 300 });
        QVERIFY_OK(station.start());
        const door::DoorCheck::Policy north = policy(QStringLiteral("North"), false); // the station finds the role
        const QList<core::Ticket> all = tickets(kPaid);

        const door::Verdict mine = station.scan(north, all.at(0).code);
        QVERIFY2(mine.kind == Kind::Admitted, qPrintable(describe(mine)));
        auto undone = station.undo(mine.admittedTickets, north.actor(), QStringLiteral("undo at door"));
        QVERIFY_OK(undone);
        QCOMPARE(undone->changed, 1);
        QCOMPARE(text(QStringLiteral("SELECT status FROM ghl_qr_tickets WHERE ticket_id = %1").arg(all.at(0).ticketId)),
                 QStringLiteral("live"));

        const door::Verdict theirs = door::DoorCheck(*door2, policy(QStringLiteral("North"), true)).scan(all.at(1).code);
        QVERIFY2(theirs.kind == Kind::Admitted, qPrintable(describe(theirs)));
        auto refused = station.undo(theirs.admittedTickets, north.actor(), QStringLiteral("undo at door"));
        QVERIFY2(!refused, "a door login undid another operator's admission");
        QVERIFY2(refused.error().message.contains(QStringLiteral("admitted by another operator: only an admin can undo it")),
                 qPrintable(refused.error().message));
        QVERIFY2(!refused.error().message.contains(QStringLiteral("ERROR")), qPrintable(refused.error().message));
        QCOMPARE(text(QStringLiteral("SELECT status FROM ghl_qr_tickets WHERE ticket_id = %1").arg(all.at(1).ticketId)),
                 QStringLiteral("used"));
    }

    // Undo of several tickets as a door login that fails part-way (here: a ticket that does not
    // exist) reports what it undid and the failure, rather than only the error.
    void undoAsDoorReportsWhatItUndidBeforeAFailure()
    {
        auto door = open(add(QStringLiteral("door_p")).databaseUrl);
        QVERIFY(door);
        const QList<core::Ticket> all = tickets(kPaid);
        const door::Verdict v = door::DoorCheck(*door, policy(QStringLiteral("North"), true)).scan(all.at(0).code);
        QVERIFY2(v.kind == Kind::Admitted, qPrintable(describe(v)));
        auto undone = door::DoorStation::undoAsDoor(*door, { all.at(0).ticketId, 987654321 }, QStringLiteral("North"));
        QVERIFY2(undone, qPrintable(QStringLiteral("one ticket was undone, yet the undo answered only an error: ")
                                    + (undone ? QString() : undone.error().toString())));
        QCOMPARE(undone->changed, 1);
        QVERIFY2(undone->problems.join(u'\n').contains(QStringLiteral("987654321")), qPrintable(undone->problems.join(u'\n')));
        QCOMPARE(text(QStringLiteral("SELECT status FROM ghl_qr_tickets WHERE ticket_id = %1").arg(all.at(0).ticketId)),
                 QStringLiteral("live"));
    }

    // A login moved from the admin group to the door group while the station runs: after the first
    // refusal (42501) the station asks for the role again and scans through the door functions.
    void loginMovedToTheDoorGroupIsDetectedAgain()
    {
        const db::NewOperator made = add(QStringLiteral("door_moved"), QStringLiteral("admin"));
        auto login = open(made.databaseUrl);
        QVERIFY(login);
        door::DoorStation station(login, { m_dir->filePath(QStringLiteral("cache-m.sqlite")), 3000, 600000, 300 });
        QVERIFY_OK(station.start());
        const door::DoorCheck::Policy north = policy(QStringLiteral("North"), false);
        const QList<core::Ticket> all = tickets(kPaid);
        const door::Verdict asAdmin = station.scan(north, all.at(0).code);
        QVERIFY2(asAdmin.kind == Kind::Admitted, qPrintable(describe(asAdmin)));
        const QString name = db::Roles::quoteIdentifier(made.who.name);
        QVERIFY_OK(m_t->exec(QStringLiteral("REVOKE qrtickets_admin FROM %1").arg(name)));
        QVERIFY_OK(m_t->exec(QStringLiteral("GRANT qrtickets_door TO %1").arg(name)));
        door::Verdict v;
        for (int attempt = 0; attempt < 2 && v.kind != Kind::Admitted; ++attempt)
            v = station.scan(north, all.at(1).code);
        QVERIFY2(v.kind == Kind::Admitted, qPrintable(QStringLiteral("the station kept the admin path for a door login: ") + describe(v)));
    }

    // The door cache copies through the door views (full, then a delta), the queue of offline
    // admissions is uploaded through the door function as this login, and a lost one becomes a
    // conflict: listed in the cache and recorded in ticket_events.
    void cacheAndOfflineUploadAsADoorLogin()
    {
        const db::NewOperator made = add(QStringLiteral("door_o"));
        auto door = open(made.databaseUrl);
        QVERIFY(door);
        const QString path = m_dir->filePath(QStringLiteral("cache-o.sqlite"));
        const QList<core::Ticket> all = tickets(kPaid);
        {
            auto cache = door::DoorCache::open(path, made.who.name);
            QVERIFY_OK(cache);
            auto full = cache.value()->pull(*door, true);
            QVERIFY_OK(full);
            QVERIFY2(full.value() >= 3 + 6, qPrintable(QString::number(full.value())));
            auto delta = cache.value()->pull(*door, true);
            QVERIFY_OK(delta);
            for (int i = 0; i < 2; ++i) {
                const door::Verdict v = door::DoorCheck(cache.value()->db(), policy(QStringLiteral("North"), false)).scan(all.at(i).code);
                QVERIFY2(v.kind == Kind::Admitted, qPrintable(describe(v)));
            }
        }
        QVERIFY_OK(db::TicketRepository(m_t->db()).admit(all.at(1).ticketId, QStringLiteral("South")));

        door::DoorStation station(door, { path, 1500, 600000, 300 });
        QVERIFY_OK(station.start());
        QTRY_VERIFY2_WITH_TIMEOUT(!station.isOffline() && station.queued() == 0,
                                  "the door login's station did not upload its queue", test::kWaitMs);
        QCOMPARE(text(QStringLiteral("SELECT operator || ' ' || actor || ' ' || left(reason, 11) FROM ticket_events "
                                     "WHERE ticket_id = %1 AND to_status = 'used'")
                          .arg(all.at(0).ticketId)),
                 made.who.name + QStringLiteral(" North offline at "));
        QCOMPARE(text(QStringLiteral("SELECT operator || ' ' || (reason LIKE 'offline-conflict: admitted offline by North at %% "
                                     "already admitted by South at %%') FROM ticket_events WHERE ticket_id = %1 "
                                     "AND reason LIKE 'offline-conflict:%%'")
                          .arg(all.at(1).ticketId)),
                 made.who.name + QStringLiteral(" true"));
        auto conflicts = station.cache()->count(door::QueuedAdmission::State::Conflict);
        QVERIFY_OK(conflicts);
        QCOMPARE(conflicts.value(), 1);
    }

    // An offline admission whose order was refunded (or cancelled) while the station was offline: on
    // upload it is a conflict saying so, for a door login and for an admin login alike; the ticket
    // stays live (nobody gets in on a void order) and the history says why.
    void offlineAdmissionOfAnOrderVoidedMeanwhile_data()
    {
        QTest::addColumn<bool>("doorLogin");
        QTest::addColumn<QString>("set");
        QTest::addColumn<QString>("kind");
        QTest::addColumn<QString>("words");
        QTest::newRow("door login, refunded") << true << QStringLiteral("payment_status = 'refunded'") << QStringLiteral("refunded")
                                              << QStringLiteral("the order was refunded since");
        QTest::newRow("door login, cancelled") << true << QStringLiteral("order_status = 'cancelled'") << QStringLiteral("order-cancelled")
                                               << QStringLiteral("the order was cancelled since");
        QTest::newRow("admin login, refunded") << false << QStringLiteral("payment_status = 'refunded'") << QStringLiteral("refunded")
                                               << QStringLiteral("the order was refunded since");
    }
    void offlineAdmissionOfAnOrderVoidedMeanwhile()
    {
        QFETCH(bool, doorLogin);
        QFETCH(QString, set);
        QFETCH(QString, kind);
        QFETCH(QString, words);
        const db::NewOperator made = add(QStringLiteral("door_x"), doorLogin ? QStringLiteral("door") : QStringLiteral("admin"));
        auto login = open(made.databaseUrl);
        QVERIFY(login);
        const QString path = m_dir->filePath(QStringLiteral("cache-x.sqlite"));
        const core::Ticket ticket = tickets(kPaid).first();
        {
            auto cache = door::DoorCache::open(path, made.who.name);
            QVERIFY_OK(cache);
            QVERIFY_OK(cache.value()->pull(*login, doorLogin));
            const door::Verdict v = door::DoorCheck(cache.value()->db(), policy(QStringLiteral("North"), false)).scan(ticket.code);
            QVERIFY2(v.kind == Kind::Admitted, qPrintable(describe(v)));
        }
        QVERIFY_OK(m_t->exec(QStringLiteral("UPDATE ghl_qr_orders SET %1 WHERE order_id = '%2'").arg(set, kPaid)));

        door::DoorStation station(login, { path, 1500, 600000, 300 });
        QVERIFY_OK(station.start());
        QTRY_VERIFY2_WITH_TIMEOUT(!station.isOffline() && station.queued() == 0, "the station did not upload its queue", test::kWaitMs);
        QCOMPARE(text(QStringLiteral("SELECT status FROM ghl_qr_tickets WHERE ticket_id = %1").arg(ticket.ticketId)), QStringLiteral("live"));
        auto conflicts = station.cache()->admissions(door::QueuedAdmission::State::Conflict);
        QVERIFY_OK(conflicts);
        QCOMPARE(conflicts->size(), 1);
        QCOMPARE(conflicts->first().conflictReason, kind);
        QCOMPARE(text(QStringLiteral("SELECT string_agg(operator || ': ' || reason, ' | ') FROM ticket_events WHERE ticket_id = %1 "
                                     "AND reason LIKE 'offline-conflict:%%'")
                          .arg(ticket.ticketId)),
                 made.who.name + QStringLiteral(": offline-conflict: admitted offline by North at ")
                     + door::DoorStation::uploadReason(conflicts->first()).mid(11) + QStringLiteral("; ") + words);
    }

    // qrt_door_admit_ticket called directly (psql with the door URL): never a ticket of a refunded order.
    // A venue laptop whose clock runs 6 minutes fast uploads its queue (admitted at the database's time,
    // saying so); an admission older than 7 days, which the door function refuses (22023), becomes a
    // conflict in plain words and the admissions behind it are sent.
    void offlineUploadWithAClockAheadAndARefusedRow()
    {
        const db::NewOperator made = add(QStringLiteral("door_c"));
        auto login = open(made.databaseUrl);
        QVERIFY(login);
        const QString path = m_dir->filePath(QStringLiteral("cache-c.sqlite"));
        const QList<core::Ticket> three = tickets(kPaid);
        QCOMPARE(three.size(), 3);
        {
            auto cache = door::DoorCache::open(path, made.who.name);
            QVERIFY_OK(cache);
            QVERIFY_OK(cache.value()->pull(*login, true));
            for (const core::Ticket &t : three) {
                const door::Verdict v = door::DoorCheck(cache.value()->db(), policy(QStringLiteral("North"), false)).scan(t.code);
                QVERIFY2(v.kind == Kind::Admitted, qPrintable(describe(v)));
            }
            const QDateTime now = QDateTime::currentDateTimeUtc();
            const QList<QDateTime> at = { now.addDays(-8), now.addSecs(6 * 60), now.addSecs(-60) }; // queue order
            for (int i = 0; i < 3; ++i) {
                auto q = cache.value()->db().prepare(QStringLiteral("UPDATE door_queue SET admitted_at = :at WHERE ticket_id = :id"),
                                                     QStringLiteral("move an admission in time"));
                QVERIFY_OK(q);
                QVERIFY_OK(q->bind(QStringLiteral(":at"), db::toDb(at.at(i))).bind(QStringLiteral(":id"), three.at(i).ticketId).exec());
            }
        }
        door::DoorStation station(login, { path, 1500, 600000, 300 });
        QVERIFY_OK(station.start());
        QTRY_VERIFY2_WITH_TIMEOUT(!station.isOffline() && station.queued() == 0,
                                  "the station's queue stopped at the admission the database refused", test::kWaitMs);
        const auto status = [&](int i) {
            return text(QStringLiteral("SELECT status FROM ghl_qr_tickets WHERE ticket_id = %1").arg(three.at(i).ticketId));
        };
        QCOMPARE(status(0), QStringLiteral("live"));
        QCOMPARE(status(1), QStringLiteral("used"));
        QCOMPARE(status(2), QStringLiteral("used"));
        const QString ahead = text(QStringLiteral("SELECT reason FROM ticket_events WHERE ticket_id = %1 AND to_status = 'used'")
                                       .arg(three.at(1).ticketId));
        QVERIFY2(ahead.startsWith(QStringLiteral("offline at ")) && ahead.endsWith(QStringLiteral("Z (station clock ahead)")),
                 qPrintable(ahead));
        auto conflicts = station.cache()->admissions(door::QueuedAdmission::State::Conflict);
        QVERIFY_OK(conflicts);
        QCOMPARE(conflicts->size(), 1);
        QCOMPARE(conflicts->first().ticketId, three.at(0).ticketId);
        QVERIFY2(conflicts->first().conflictReason.startsWith(QStringLiteral("refused: an offline admission is uploaded within 7 days")),
                 qPrintable(conflicts->first().conflictReason));
    }

    void admitTicketRefusesAVoidOrder()
    {
        // GHL says refunded, the tickets not cancelled (yet): the function alone must refuse.
        QVERIFY_OK(m_t->exec(QStringLiteral("UPDATE ghl_qr_orders SET payment_status = 'refunded' WHERE order_id = '%1'").arg(kPaid)));
        const QList<core::Ticket> refunded = tickets(kPaid);
        QVERIFY(!refunded.isEmpty() && refunded.first().status == core::TicketStatus::Live);
        auto door = open(add(QStringLiteral("door_v")).databaseUrl);
        QVERIFY(door);
        auto won = db::DoorFunctions(*door).admitTicket(refunded.first().ticketId, QStringLiteral("N"));
        QVERIFY_OK(won);
        QVERIFY2(!won.value(), "a door login admitted a ticket of a refunded order");
        QCOMPARE(text(QStringLiteral("SELECT status FROM ghl_qr_tickets WHERE ticket_id = %1").arg(refunded.first().ticketId)),
                 core::toString(refunded.first().status));
    }

    // After an upgrade without `roles install` again, or a schema a door login may not migrate: what
    // to do, in plain words, not "permission denied" or "function does not exist".
    void upgradeMistakesAreExplained()
    {
        auto door = open(add(QStringLiteral("door_m")).databaseUrl);
        QVERIFY(door);
        QVERIFY_OK(m_t->exec(QStringLiteral("DROP FUNCTION qrt_door_admit_ticket(integer, text, text)")));
        const door::Verdict v = door::DoorCheck(*door, policy(QStringLiteral("N"), true)).scan(tickets(kPaid).first().code);
        QVERIFY2(v.kind == Kind::Failed && v.detail.contains(QStringLiteral("qrtickets roles install")), qPrintable(describe(v)));

        QVERIFY_OK(m_t->exec(QStringLiteral("DELETE FROM schema_migrations WHERE version = (SELECT max(version) FROM schema_migrations)")));
        auto migrated = db::Migrator(*door).migrate();
        QVERIFY2(!migrated, "a door login migrated the schema");
        QVERIFY2(migrated.error().code == QStringLiteral("db.migrate_permission")
                     && migrated.error().message.contains(QStringLiteral("qrtickets migrate")),
                 qPrintable(migrated.error().toString()));
    }

    // `qrtickets admit` with a door login's URL: the admin's words and exit codes.
    void admitCommandAsADoorLogin()
    {
        const QString bin = test::qrticketsBinary();
        QVERIFY2(!bin.isEmpty(), "QRT_QRTICKETS_BIN is not set: run this test through ctest");
        const QString url = add(QStringLiteral("door_c")).databaseUrl;
        test::FreshHome home;
        const auto admit = [&](const QString &scan, const QString &database) {
            return test::runChild(bin, { QStringLiteral("admit"), scan, QStringLiteral("--database"), database },
                                  home.environment({ { QStringLiteral("QRTICKETS_STATION_NAME"), QStringLiteral("Turnstile 4") } }),
                                  2 * test::kWaitMs);
        };
        const QString code = tickets(kPaid).first().code;
        const test::ChildRun first = admit(code, url);
        QVERIFY2(first.exitCode == 0 && first.out.startsWith(QStringLiteral("Admitted 1 of 3 — ")),
                 qPrintable(first.out + first.err));
        const test::ChildRun again = admit(code, url);
        QVERIFY2(again.exitCode == 3 && again.out.startsWith(QStringLiteral("Already used by Turnstile 4 on ")),
                 qPrintable(again.out + again.err));
        const test::ChildRun asAdmin = admit(code, m_t->url());
        QCOMPARE(again.out, asAdmin.out);
    }
};

QTEST_GUILESS_MAIN(TestDoorRole)
#include "tst_door_role.moc"
